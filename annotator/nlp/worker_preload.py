"""What every pre-annotation worker needs, loaded once in the process they are forked from.

Pre-annotation's workers start from a fork server (:mod:`multiprocessing.forkserver`) that
imports this module first. The server is a fresh single-threaded process (so forking it is
safe even when the window has threads); loading here puts nlpo3's dictionary (~68 MB),
numpy and the bundled Suggester in its memory, and every worker forked from it shares those
pages with it instead of loading its own copy. ``gc.freeze()`` keeps the collector from
writing to the shared objects' pages and so copying them into each worker.

When the job offers a project model (nlp/preload_handoff.py), it is loaded here too, so
the workers share its weights, dictionary and tables as well.

Nothing here may fail the server: a worker that finds no preloaded Suggester builds its own.
"""

from __future__ import annotations

import gc

bundled_suggester = None  # the bundled model's Suggester, warmed up, or None
# the project model the job offered (nlp/preload_handoff.py), its spec and Suggester, or None
trained_spec = None
trained_suggester = None
_TEXT = "นายสมชาย ใจดี เดินทางไปจังหวัดเชียงใหม่ เมื่อวันที่ 5 มกราคม 2566\n"


def _load() -> None:
    global bundled_suggester
    from annotator.nlp.preannotate import _make_suggester
    from annotator.nlp.tokenizer import tokenize

    suggester = _make_suggester(None)
    suggester.suggest_many([(_TEXT, tokenize(_TEXT))])  # loads what the model reads lazily
    bundled_suggester = suggester


def _load_trained() -> None:
    global trained_spec, trained_suggester
    from annotator.nlp.preannotate import _make_suggester
    from annotator.nlp.preload_handoff import taken
    from annotator.nlp.tokenizer import tokenize

    spec = taken()
    if spec is None:
        return
    suggester = _make_suggester(spec, bundled=bundled_suggester.model if bundled_suggester is not None else None)
    suggester.suggest_many([(_TEXT, tokenize(_TEXT))])
    trained_spec, trained_suggester = spec, suggester


try:
    _load()
except Exception:  # noqa: BLE001 - the workers load what they need themselves
    bundled_suggester = None
try:
    _load_trained()
except Exception:  # noqa: BLE001 - as above: each worker loads its own model
    trained_spec = trained_suggester = None
gc.freeze()
