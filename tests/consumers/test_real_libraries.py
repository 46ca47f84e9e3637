"""Exports loaded, unedited, by the libraries people train with (seqeval, Hugging Face
datasets, spaCy, NLTK; Flair by its reading rule, checked by hand against Flair itself:
docs/formats.md). Each test compares the entities and the text that come back with the
project's."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter

import pytest

from annotator.core.model import DocumentData, SpanData
from annotator.jobs.exporter import parse_split, run_export

# Thai news-like texts: spaces inside entities, an entity across a line break (นาง\nสมศรี),
# a literal underscore, an emoji, CRLF and a lone CR with entities after them, a TAB.
TEXTS = [
    ("นายสมชาย ใจดี เดินทางไป\nจังหวัดเชียงใหม่ กับ นาง\nสมศรี", [("นายสมชาย ใจดี", "PERSON"),
                                                                   ("จังหวัดเชียงใหม่", "LOCATION"),
                                                                   ("นาง\nสมศรี", "PERSON")]),
    ("กระทรวงการคลัง แถลง 😀 ว่า snake_case\r\nไม่ใช่ชื่อ ที่ กรุงเทพฯ", [("กระทรวงการคลัง", "ORGANIZATION"),
                                                                        ("กรุงเทพฯ", "LOCATION")]),
    ("บริษัท ไทย\tจำกัด ลงทุน 100 ล้านบาท", [("บริษัท ไทย\tจำกัด", "ORGANIZATION"), ("100 ล้านบาท", "MONEY")]),
    ("ข่าวเช้า\rนาย ก ไป\r\nขอนแก่น", [("นาย ก", "PERSON"), ("ขอนแก่น", "LOCATION")]),
]


def spans(text, pieces):
    out, pos = [], 0
    for piece, label in pieces:
        start = text.index(piece, pos)
        out.append(SpanData(start, start + len(piece), label))
        pos = start + len(piece)
    return out


@pytest.fixture
def gold(project):
    for n in range(12):  # enough documents for every split to get some
        for text, pieces in TEXTS:
            text = f"ข่าว {n}: {text}"
            project.add_document(DocumentData(text, {"title": f"ข่าว {n}"} if n % 2 else {}, spans(text, pieces),
                                              source=f"/home/somchai/news/{n}.txt"),
                                 status="done", span_state="accepted")
    return project


def project_entities(project):
    """{text: Counter of (entity text, label)} of the done documents."""
    out = {}
    for doc_id, text in project.query("SELECT id, text FROM documents ORDER BY id"):
        out[text] = Counter((text[s.start:s.end], s.label) for s in project.spans(doc_id))
    return out


def all_counts(entities):
    return sum((c for c in entities.values()), Counter())


def conll_word(word: str) -> str:
    """A token of our CoNLL files as text: _ is a space, the backslash escapes as documented."""
    from annotator.formats.conll import unescape_token

    return unescape_token(word, underscores=True)


def bio_entities(words, tags):
    """(text, label) of entities, decoded by seqeval (not by this program)."""
    from seqeval.metrics.sequence_labeling import get_entities

    return Counter(("".join(conll_word(w) for w in words[s:e + 1]), label)
                   for label, s, e in get_entities(list(tags)))


# --- seqeval and NLTK on CoNLL ------------------------------------------------------


def test_seqeval_and_nltk_read_the_conll_split(gold, tmp_path, monkeypatch):
    import nltk
    from nltk.corpus.reader import ConllCorpusReader
    from seqeval.metrics import classification_report

    run_export(gold, tmp_path / "c", "conll", split=parse_split("60/20/20"), seed=1)
    monkeypatch.setattr(nltk.data, "path", [*nltk.data.path, str(tmp_path)])  # NLTK reads only allowed roots
    expected = project_entities(gold)
    reader = ConllCorpusReader(str(tmp_path / "c"), ["train.conll", "dev.conll", "test.conll"], ("words", "pos"))
    sentences = [s for s in reader.tagged_sents() if s]  # the tag column read as NLTK's second column
    got = Counter()
    for sent in sentences:
        words, tags = zip(*sent)
        got += bio_entities(words, tags)
    assert got == all_counts(expected)
    # seqeval scores the file against itself: every entity found, none split at a line break
    y = [[t for _, t in s] for s in sentences]
    report = classification_report(y, y, output_dict=True)
    assert report["micro avg"]["support"] == sum(all_counts(expected).values())
    assert report["micro avg"]["f1-score"] == 1.0


# --- Flair's reading rule ----------------------------------------------------------


def flair_reading(path):
    """Read a column file as Flair's ColumnCorpus({0: 'text', 1: 'ner'}) does (Flair 0.15.1,
    flair/datasets/sequence_labeling.py): lines split at runs of whitespace, sentences end at
    blank lines; the first 5 sentences decide the column: the first tag starting B-/I-/E-/S-
    makes it a span column, a first tag that is neither that nor O a token column (no
    entities at all). Spans are then decoded per sentence."""
    sentences, current = [], []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.strip():
            current.append(re.split(r"\s+", line.rstrip()))
        elif current:
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    kind = None
    for sentence in sentences[:5]:
        for fields in sentence:
            if fields[1][:2] in ("B-", "I-", "E-", "S-"):
                kind = "span"
            elif fields[1] != "O":
                kind = "token"
            if kind:
                break
        if kind:
            break
    return kind or "span", sentences


@pytest.mark.parametrize("docstart, kind", [("tagged", "span"), ("conll2003", "token")])
def test_flair_reads_tags_only_with_the_two_column_docstart(gold, tmp_path, docstart, kind):
    out = tmp_path / "f.conll"
    run_export(gold, out, "conll", docstart=docstart)
    found, sentences = flair_reading(out)
    assert found == kind  # conll2003's "-DOCSTART- -X- O O": -X- is a tag, so no entities (measured: 0)
    if kind == "span":
        got = Counter()
        for sentence in sentences:
            words, tags = zip(*[(f[0], f[1]) for f in sentence if f[0] != "-DOCSTART-"]) if any(
                f[0] != "-DOCSTART-" for f in sentence) else ((), ())
            got += bio_entities(words, tags)
        assert got == all_counts(project_entities(gold))


# --- spaCy ---------------------------------------------------------------------------


def test_spacy_convert_reads_the_conll2003_flavour(gold, tmp_path):
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    out = tmp_path / "s.conll"
    report = run_export(gold, out, "conll", docstart="conll2003")
    assert any("Flair" in n for n in report.notes)
    subprocess.run([sys.executable, "-m", "spacy", "convert", "-c", "ner", str(out), str(tmp_path)],
                   check=True, capture_output=True)
    docs = list(DocBin().from_disk(tmp_path / "s.spacy").get_docs(Vocab()))
    expected = project_entities(gold)
    assert len(docs) == len(expected)  # one Doc per document: it splits at the -DOCSTART- line
    for doc, (text, entities) in zip(docs, expected.items()):
        # spaCy joins words with spaces; the words with _ read as a space give the text back
        assert "".join(conll_word(t.text) for t in doc) == text
        assert Counter(("".join(conll_word(t.text) for t in e), e.label_) for e in doc.ents) == entities


def test_bioes_conll_carries_a_note_for_spacy(gold, tmp_path):
    report = run_export(gold, tmp_path / "b.conll", "conll", scheme="bioes")
    assert any("spacy convert reads IOB only" in n for n in report.notes)


def test_spacy_docbin_is_the_text_exactly(gold, tmp_path):
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    run_export(gold, tmp_path / "d", "spacy", split=parse_split("60/20/20"), seed=1)
    docs = [d for name in ("train", "dev", "test")
            for d in DocBin().from_disk(tmp_path / "d" / f"{name}.spacy").get_docs(Vocab())]
    expected = project_entities(gold)
    assert {d.text: Counter((e.text, e.label_) for e in d.ents) for d in docs} == expected
    assert all(isinstance(d.user_data["id"], int) for d in docs)


# --- Hugging Face datasets ------------------------------------------------------------


def test_hf_folder_loads_with_load_dataset_and_classlabel_features(gold, tmp_path):
    import datasets

    folder = tmp_path / "hf"
    run_export(gold, folder, "hf", split=parse_split("60/20/20"), seed=1, license="CC-BY-3.0",
               attribution="ThaiNER (CC BY 3.0)")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for how in ({}, {"data_dir": str(folder)}):
        ds = datasets.load_dataset(str(folder) if not how else "json", cache_dir=str(tmp_path / "cache"), **how)
        assert set(ds) == {"train", "validation", "test"}
        assert {k: v.num_rows for k, v in ds.items()} == {
            "train": manifest["documents"]["train"], "validation": manifest["documents"]["dev"],
            "test": manifest["documents"]["test"]}
    ds = datasets.load_dataset(str(folder), cache_dir=str(tmp_path / "cache"))
    names = ds["train"].features["ner_tags"].feature.names
    assert names == [manifest["id2label"][str(i)] for i in range(len(names))]
    got = {}
    for split in ds.values():
        for row in split:
            tags = [names[t] for t in row["ner_tags"]]
            text = "".join(row["tokens"])
            from seqeval.metrics.sequence_labeling import get_entities
            got[text] = Counter(("".join(row["tokens"][s:e + 1]), label) for label, s, e in get_entities(tags))
            assert isinstance(row["id"], int)
    assert got == project_entities(gold)
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\nlicense: \"cc-by-3.0\"") and "ThaiNER (CC BY 3.0)" in card


# --- brat: pybrat and bratly ------------------------------------------------------------


def as_brat_reads(text):
    """Universal newlines, as brat's server, pybrat and bratly open the .txt."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def brat_expected(project):
    """{text as brat reads it: Counter of (entity text, label)} of the project's documents."""
    return {as_brat_reads(text): Counter({(as_brat_reads(t), label): n for (t, label), n in entities.items()})
            for text, entities in project_entities(project).items()}


def test_pybrat_and_bratly_read_the_brat_export(gold, tmp_path):
    from bratly import EntityAnnotation
    from bratly.io import read_document_collection_from_folder
    from pybrat.parser import BratParser

    # CRLF, an entity across a line break and one holding a TAB: the texts' three hard cases
    run_export(gold, tmp_path / "b", "brat")
    expected = brat_expected(gold)
    assert sum(t.count("\r") for t in project_entities(gold)) > 0  # the project's texts keep their CRs

    examples = BratParser(error="raise").parse(str(tmp_path / "b"))
    got = {}
    for ex in examples:
        for ent in ex.entities:  # pybrat's mention is the covered-text column: it must be the text there
            assert " ".join(ex.text[f.start:f.end] for f in ent.spans) == ent.mention
        got[ex.text] = Counter((ex.text[e.spans[0].start:e.spans[-1].end], e.type) for e in ex.entities)
    assert got == expected

    collection = read_document_collection_from_folder(str(tmp_path / "b"))
    got = {}
    for d in collection.documents:
        assert d.check_ann_compatibility_with_txt()  # bratly's own check of offsets against the text
        ents = [e for c in d.annotation_collections for e in c.get_annotations(descendant_type=EntityAnnotation)]
        got[d.text] = Counter((d.text[e.fragments[0].start:e.fragments[-1].end], e.label) for e in ents)
    assert got == expected


# --- doccano's importer (checked by hand against doccano 1.8.4: docs/formats.md) ---------


@pytest.mark.parametrize("status", ["done", "any"])
def test_doccano_import_table_has_no_missing_values(gold, tmp_path, status):
    """doccano 1.8.4 (data_import/pipeline/readers.py, makers.py, data.py) reads JSONL records
    into one pandas DataFrame a batch, drops the text and label columns, and stores each row's
    other columns as the example's meta JSON: a key one record lacks is NaN there, which SQLite's
    JSON_VALID("meta") refuses. Same path with pandas here: every row's meta is valid JSON and
    is our id and meta."""
    import pandas as pd

    gold.add_document(DocumentData("ข่าวยังไม่เสร็จ ที่ กรุงเทพฯ", {"url": "https://example.go.th/x"}, []))
    out = tmp_path / "d.jsonl"
    run_export(gold, out, "doccano", status=status)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len({tuple(r) for r in records}) == 1  # one set of keys (and meta's keys differ between records)
    frame = pd.DataFrame(records)
    rows = frame.loc[:, ~frame.columns.isin(["label"])].dropna(subset=["text"]).to_dict(orient="records")
    assert len(rows) == len(records) == len(project_entities(gold)) - (status == "done")
    for row, record in zip(rows, records):
        text = row.pop("text")
        meta = json.loads(json.dumps(row, allow_nan=False, ensure_ascii=False))  # SQLite's JSON_VALID
        assert text == record["text"] and meta == {"id": record["id"], "meta": record["meta"]}
    got = {r["text"]: Counter((r["text"][s:e], label) for s, e, label in r["label"]) for r in records}
    expected = project_entities(gold)
    if status == "done":
        expected.pop("ข่าวยังไม่เสร็จ ที่ กรุงเทพฯ")
    assert got == expected
