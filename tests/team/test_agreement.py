"""Agreement figures equal the ones worked out by hand (the arithmetic is in the comments)."""

from __future__ import annotations

import json
import re

import pytest

from annotator.team.agreement import (
    Annotation,
    cohen_kappa,
    compare,
    fleiss_kappa,
    load,
    load_all,
    token_items,
    token_tags,
)

from .conftest import T1, T2


def words(text: str) -> list[tuple[int, int]]:
    """Stand-in for newmm on Latin text: words and the spaces between them."""
    return [m.span() for m in re.finditer(r"\S+|\s+", text)]


# Ten one-letter words: a=0 b=2 c=4 d=6 e=8 f=10 g=12 h=14 i=16 j=18.
TEXT = "a b c d e f g h i j"
A = [(0, 3, "PER"), (6, 7, "LOC"), (12, 13, "ORG")]  # "a b" PER, "d" LOC, "g" ORG
B = [(0, 3, "PER"), (6, 9, "LOC"), (16, 17, "ORG")]  # "a b" PER, "d e" LOC, "i" ORG
C = list(A)  # the third annotator reads it like A


def annotation(name: str, entities: list, text: str = TEXT, key: str = "doc1") -> Annotation:
    return Annotation(name, f"{name}.annot", {key: entities}, {key: text}, {key: "title"})


def test_items_are_words_split_at_edges_without_spaces():
    items = token_items(TEXT, words(TEXT), [A, B])
    assert [TEXT[s:e] for s, e in items] == list("abcdefghij")
    # An edge inside a word splits it: "abcd" with an entity "bc".
    assert token_items("abcd x", words("abcd x"), [[(1, 3, "X")]]) == [(0, 1), (1, 3), (3, 4), (5, 6)]
    assert token_tags(items, A) == ["PER", "PER", "O", "LOC", "O", "O", "ORG", "O", "O", "O"]
    assert token_tags(items, B) == ["PER", "PER", "O", "LOC", "LOC", "O", "O", "O", "ORG", "O"]


def test_pair_by_hand():
    report = compare([annotation("a", A), annotation("b", B)], tokenize=words)
    (pair,) = report["pairs"]
    assert (pair["a"], pair["b"], pair["documents"], pair["tokens"]) == ("a", "b", 1, 10)
    # Entities: only PER 0-3 is in both. F1 = 2·1 / (3 + 3) = 1/3.
    assert pair["entities"] == {"a": 3, "b": 3, "agreed": 1}
    assert pair["entity_f1"] == pytest.approx(1 / 3)
    # Tokens a..j:  A = PER PER O LOC O   O O   O O   O
    #               B = PER PER O LOC LOC O O   O ORG O   (and A has ORG at g)
    # Same on a b c d f h j: po = 7/10.
    # Counts A: PER 2, LOC 1, ORG 1, O 6;  B: PER 2, LOC 2, ORG 1, O 5.
    # pe = (2·2 + 1·2 + 1·1 + 6·5) / 100 = 37/100.  kappa = (0.70 - 0.37) / 0.63 = 0.5238…
    assert pair["token_kappa"] == pytest.approx((0.70 - 0.37) / 0.63)
    per = pair["per_label"]
    # PER: the same entity and the same tokens. pe = (2·2 + 8·8)/100 = .68, po = 1: kappa 1.
    assert per["PER"]["entity_f1"] == 1.0 and per["PER"]["token_kappa"] == pytest.approx(1.0)
    # LOC: entities differ (F1 0). Tokens LOC-or-not: A at d; B at d, e. po = 9/10,
    # pe = (1·2 + 9·8)/100 = .74, kappa = (.9 - .74)/.26 = 0.6153…
    assert per["LOC"]["entity_f1"] == 0.0
    assert per["LOC"]["token_kappa"] == pytest.approx(0.16 / 0.26)
    # ORG: A at g, B at i. po = 8/10, pe = (1·1 + 9·9)/100 = .82, kappa = (.8 - .82)/.18 = -1/9.
    assert per["ORG"]["token_kappa"] == pytest.approx(-0.02 / 0.18)
    assert per["ORG"]["a"] == per["ORG"]["b"] == 1 and per["ORG"]["agreed"] == 0
    assert report["fleiss"] is None  # two annotators: Cohen only
    (doc,) = report["documents"]
    assert doc["annotators"] == ["a", "b"]
    assert doc["pairs"][0]["entity_f1"] == pytest.approx(1 / 3)
    assert doc["pairs"][0]["token_kappa"] == pytest.approx((0.70 - 0.37) / 0.63)


def test_three_annotators_fleiss_by_hand():
    report = compare([annotation("a", A), annotation("b", B), annotation("c", C)], tokenize=words)
    assert [(p["a"], p["b"]) for p in report["pairs"]] == [("a", "b"), ("a", "c"), ("b", "c")]
    assert report["pairs"][1]["entity_f1"] == 1.0 and report["pairs"][1]["token_kappa"] == pytest.approx(1.0)
    fleiss = report["fleiss"]
    assert (fleiss["documents"], fleiss["tokens"]) == (1, 10)
    # Ratings (a, b, c) per word; m = 3 raters, P_i = (sum n_ij^2 - 3) / 6:
    #   a b c d f h j: unanimous, P_i = 1 (7 items)
    #   e: O O LOC -> (4 + 1 - 3)/6 = 1/3;  g: ORG O ORG -> 1/3;  i: O ORG O -> 1/3
    # P-bar = (7 + 3 · 1/3) / 10 = 0.8
    # Category shares over 30 ratings: PER 6, LOC 3+1 = 4, ORG 2+1 = 3, O 17.
    # Pe = (36 + 16 + 9 + 289) / 900 = 350/900 = 7/18.  kappa = (4/5 - 7/18) / (11/18) = 37/55.
    assert fleiss["kappa"] == pytest.approx(37 / 55)
    # PER alone: everyone the same -> 1.
    assert fleiss["per_label"]["PER"] == pytest.approx(1.0)
    assert report["documents"][0]["fleiss_kappa"] == pytest.approx(37 / 55)


def test_cohen_textbook_example():
    # 50 items: both yes 20, both no 15, a yes/b no 5, a no/b yes 10.
    # po = 35/50 = .7; a says yes 25/50, b 30/50: pe = .5·.6 + .5·.4 = .5; kappa = .4.
    a = ["y"] * 20 + ["n"] * 15 + ["y"] * 5 + ["n"] * 10
    b = ["y"] * 20 + ["n"] * 15 + ["n"] * 5 + ["y"] * 10
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert cohen_kappa(["O", "O"], ["O", "O"]) is None  # chance agreement is total: undefined
    assert cohen_kappa([], []) is None


def test_fleiss_textbook_example():
    # Fleiss (1971) as on Wikipedia: 10 items, 14 raters, 5 categories; kappa = 0.20993…
    table = [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]
    ratings = [[str(j) for j, n in enumerate(row) for _ in range(n)] for row in table]
    assert fleiss_kappa(ratings) == pytest.approx(0.20993, abs=5e-5)


def test_no_entities_anywhere_is_undefined_not_perfect():
    report = compare([annotation("a", []), annotation("b", [])], tokenize=words)
    pair = report["pairs"][0]
    assert pair["entity_f1"] is None and pair["token_kappa"] is None


def test_project_files_matched_by_text_only_finished_documents_count(pair, tmp_path):
    a, b = pair
    found = load(a)
    assert found.name == "a" and len(found.entities) == 3
    assert len(load(b).entities) == 2  # T3 is not done in b
    assert len(load(b, status="any").entities) == 3
    report = compare(load_all([a, b]))  # the real newmm tokenizer
    (p,) = report["pairs"]
    # Shared and done in both: T1 and T2 (b has them in another order).
    # T1: PERSON agreed, LOCATION differs; T2: ORGANIZATION differs, b's LOCATION extra.
    # F1 = 2·1 / (3 + 4) = 2/7.
    assert p["documents"] == 2
    assert p["entities"] == {"a": 3, "b": 4, "agreed": 1}
    assert p["entity_f1"] == pytest.approx(2 / 7)
    assert -1 <= p["token_kappa"] < 1
    assert [d["title"] for d in report["documents"]] == [T1[:12], T2[:12]]
    per = p["per_label"]
    assert per["PERSON"]["entity_f1"] == 1.0 and per["PERSON"]["token_kappa"] == pytest.approx(1.0)


def test_same_annotator_name_twice_is_told_apart(tmp_path):
    from .conftest import make_annotator

    one = make_annotator(tmp_path / "one.annot", "somchai", {T1: [("นายสมชาย ใจดี", "PERSON")]})
    two = make_annotator(tmp_path / "two.annot", "somchai", {T1: []})
    names = [a.name for a in load_all([one, two])]
    assert names == ["somchai (one)", "somchai (two)"]
    report = compare(load_all([one, two]))
    # One entity against none: F1 = 2·0 / (1 + 0) = 0.
    assert report["pairs"][0]["entity_f1"] == 0.0


def test_agreement_command_json_shape(pair, tmp_path, capsys):
    from annotator.cli import main

    from .conftest import make_annotator

    a, b = pair
    assert main(["agreement", str(a), str(b), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    (p,) = report["pairs"]
    assert {"a", "b", "documents", "entity_f1", "token_kappa"} <= set(p)
    assert (p["a"], p["b"], p["documents"]) == ("a", "b", 2)
    assert p["entity_f1"] == pytest.approx(2 / 7)
    assert report["fleiss"] is None
    c = make_annotator(tmp_path / "c.annot", "c", {T1: [("นายสมชาย ใจดี", "PERSON")], T2: []})
    assert main(["agreement", str(a), str(b), str(c)]) == 0
    out = capsys.readouterr().out
    assert "a ~ b" in out and "b ~ c" in out and "Fleiss' kappa (a, b, c)" in out
    assert main(["agreement", str(a)]) == 2  # one file is not a comparison
