"""spaCy's binary training data: a ``.spacy`` file holding a ``DocBin``.

Needs spaCy (the optional extra: ``pip install 'thai-ner-annotator[spacy]'``); without it
writing is refused before any file is made, and reading says what the file is and what
to install.

Writing: one ``Doc`` per document whose words are the exporter's tokens exactly (spaces
and line breaks are tokens of their own, as spaCy's Thai tokenizer makes them) with no
trailing spaces, so ``doc.text`` is the document text exactly; ``doc.ents`` are the
spans (overlapping ones cannot be entities: the later is left out with a warning, as in
the token formats). ``doc.user_data`` holds ``id`` and ``meta``. Load it with
``DocBin().from_disk(path).get_docs(nlp.vocab)``, or give it to ``spacy train``.

Reading: every ``Doc``'s text, its ``ents`` as spans, and ``id``/``meta`` from
``user_data`` when present; span groups (``doc.spans``) are not entities here and are
counted in a notice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

from annotator.core.errors import FormatError, InputFileError, InputNotice, InputProblem
from annotator.core.model import DocumentData, ExportDocument, SpanData
from annotator.formats import WriteOptions, limits
from annotator.formats.conll import encode_document

INSTALL = "pip install 'thai-ner-annotator[spacy]' (or pip install spacy)"


def _spacy():
    try:
        from spacy.tokens import Doc, DocBin
        from spacy.vocab import Vocab
    except ImportError:
        return None
    return Doc, DocBin, Vocab


def entities(words: list[str], tags: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, label) character offsets of the entities ``tags`` hold."""
    from annotator.core.spans import tags_to_spans

    tokens, pos = [], 0
    for w in words:
        tokens.append((pos, pos + len(w)))
        pos += len(w)
    return tags_to_spans(tokens, tags)


def write(docs: Iterable[ExportDocument], path, options: WriteOptions) -> list[str]:
    found = _spacy()
    if found is None:
        raise FormatError(f"the spacy format needs spaCy, which is not installed: {INSTALL}")
    Doc, DocBin, Vocab = found
    vocab = Vocab()
    out = DocBin(store_user_data=True)
    warnings: list[str] = []
    for doc in docs:
        words, tags, doc_warnings = encode_document(doc, "iob2")  # keeps one of overlapping spans
        warnings.extend(doc_warnings)
        sdoc = Doc(vocab, words=words, spaces=[False] * len(words))
        ents = [sdoc.char_span(s, e, label=label) for s, e, label in entities(words, tags)]
        sdoc.ents = ents
        sdoc.user_data["id"] = doc.id
        sdoc.user_data["meta"] = dict(doc.meta)
        out.add(sdoc)
        options.tally.wrote(doc.id, doc.text, [e.label_ for e in ents])
    out.to_disk(path)
    return warnings


def read(path, max_bytes: int | None = None) -> Iterator[DocumentData | InputProblem | InputNotice]:
    """Documents of a DocBin, which is read whole: a file larger than
    :func:`limits.max_whole_file` is refused before it is read."""
    path = Path(path)
    limits.check_whole_file(path, max_bytes, "a spaCy DocBin")
    found = _spacy()
    if found is None:
        raise InputFileError(str(path), 0, f"is a spaCy DocBin (.spacy); importing it needs spaCy: {INSTALL}")
    Doc, DocBin, Vocab = found
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputFileError(str(path), 0, f"cannot read: {e.strerror or e}") from None
    try:
        docs = list(DocBin().from_bytes(data).get_docs(Vocab()))
    except Exception as e:  # zlib, msgpack or spaCy's own errors: all mean "not a DocBin"
        raise InputFileError(str(path), 0, f"not a spaCy DocBin: {type(e).__name__}: {e}") from None
    groups = 0
    for n, sdoc in enumerate(docs, 1):
        groups += sum(len(g) for g in sdoc.spans.values())
        spans = [SpanData(e.start_char, e.end_char, e.label_, origin="import") for e in sdoc.ents]
        meta = sdoc.user_data.get("meta") if isinstance(sdoc.user_data.get("meta"), dict) else {}
        meta = dict(meta)
        if "id" in sdoc.user_data:
            meta.setdefault("id", sdoc.user_data["id"])
        if not sdoc.text.strip():
            yield InputProblem(str(path), n, f"document {n} of the DocBin has no text")
            continue
        yield DocumentData(sdoc.text, meta, spans, source=str(path), line=n)
    if groups:
        yield InputNotice(str(path), 0, f"{groups} spans in span groups (doc.spans) skipped: only doc.ents are"
                                        " entities here")
