"""What every pre-annotation worker needs, loaded once in the process they are forked from.

Pre-annotation's workers start from a fork server (:mod:`multiprocessing.forkserver`) that
imports this module first. The server is a fresh single-threaded process (so forking it is
safe even when the window has threads); loading here puts nlpo3's dictionary (~68 MB),
numpy and the bundled Suggester in its memory, and every worker forked from it shares those
pages with it instead of loading its own copy. ``gc.freeze()`` keeps the collector from
writing to the shared objects' pages and so copying them into each worker.

Nothing here may fail the server: a worker that finds no preloaded Suggester builds its own.
"""

from __future__ import annotations

import gc

bundled_suggester = None  # the bundled model's Suggester, warmed up, or None


def _load() -> None:
    global bundled_suggester
    from annotator.nlp.preannotate import _make_suggester
    from annotator.nlp.tokenizer import tokenize

    suggester = _make_suggester(None)
    text = "นายสมชาย ใจดี เดินทางไปจังหวัดเชียงใหม่ เมื่อวันที่ 5 มกราคม 2566\n"
    suggester.suggest_many([(text, tokenize(text))])  # loads what the model reads lazily
    bundled_suggester = suggester


try:
    _load()
except Exception:  # noqa: BLE001 - the workers load what they need themselves
    bundled_suggester = None
gc.freeze()
