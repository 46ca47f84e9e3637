"""CRF features match the bundled ThaiNER model, and the model finds real entities."""

from __future__ import annotations

from functools import lru_cache

from annotator.nlp.crf import CrfModel, _AttributeCache, decode_iob, features, sequences
from annotator.nlp.tokenizer import tokenize


@lru_cache(maxsize=1)
def model() -> CrfModel:
    return CrfModel()


@lru_cache(maxsize=1)
def model_attribute_names() -> frozenset[str]:
    """Attribute names of the bundled model, without the ``:value`` part."""
    return frozenset(a.split(":", 1)[0] for a, _ in model()._tagger.info().state_features)


def crfsuite_strings(item: dict) -> set[str]:
    """What python-crfsuite makes of a feature dict: ``name:value`` or ``name``."""
    return {f"{k}:{v}" if isinstance(v, str) else k for k, v in item.items() if v}


WORDS = ["นาย", "สมชาย", " ", "ได้", "รับ", "เงิน", " ", "12345", " ", "บาท"]
TAGS = ["NN", "NN", "PU", "AX", "VV", "NN", "PU", "NU", "PU", "CL"]


def test_feature_names_are_the_bundled_models():
    names = {name for item in features(WORDS, TAGS) for name in item}
    assert names <= model_attribute_names()
    # The notebook's spellings, not pythainlp's thainer.py ones.
    assert {"word.isdigit()", "word.prepostag"} <= names
    assert not names & {"word.isdigit", "word.prevpostag"}


def test_feature_values():
    f = features(WORDS, TAGS)
    assert f[0]["BOS"] is True and "word.prevword" not in f[0]
    assert f[-1]["EOS"] is True and "word.nextword" not in f[-1]
    assert f[1]["word.word"] == "สมชาย" and f[1]["word.prevword"] == "นาย"
    assert f[1]["word.nextword"] == " " and f[1]["word.nextisspace"] is True
    assert f[1]["postag"] == "NN" and f[1]["word.prepostag"] == "NN" and f[1]["word.nextpostag"] == "PU"
    assert f[1]["word.isthai"] is True and "word.isspace" not in f[1]
    assert f[3]["word.stopword"] is True  # ได้ is a pythainlp stop word
    assert f[7]["word.isdigit()"] is True and f[7]["word.islen5"] is True
    assert "word.isthai" not in f[7]
    assert f[8]["word.prevwordisdigit"] is True


def test_thai_abbreviations_count_as_thai():
    f = features(["ก.ย.", "Bangkok"], None)
    assert f[0]["word.isthai"] is True and "word.isthai" not in f[1]
    assert "postag" not in f[0]


def test_fast_attributes_equal_features():
    cache = _AttributeCache()
    for words, tags in ((WORDS, TAGS), (WORDS, None), (["คำ"], ["NN"]), ([], [])):
        fast = cache.attributes(words, tags)
        slow = features(words, tags)
        assert [sorted(a) for a in fast] == [sorted(crfsuite_strings(d)) for d in slow]


def test_decode_iob_tolerates_i_without_b():
    labels = ["O", "I-PERSON", "I-PERSON", "B-ORGANIZATION", "I-LOCATION", "O", "B-DATE"]
    assert decode_iob(labels) == [(1, 3, "PERSON"), (3, 4, "ORGANIZATION"),
                                  (4, 5, "LOCATION"), (6, 7, "DATE")]
    assert decode_iob(["B-X", "B-X", "I-X"]) == [(0, 1, "X"), (1, 3, "X")]
    assert decode_iob([]) == []


def test_sequences_are_lines_and_long_lines_are_cut():
    text = "ก ข\n\nค"
    toks = tokenize(text)
    ranges = sequences(text, toks)
    assert ["".join(text[s:e] for s, e in toks[lo:hi]) for lo, hi in ranges] == ["ก ข", "ค"]
    long = " ".join(["แมว"] * 30)
    toks = tokenize(long)
    ranges = sequences(long, toks, max_len=10)
    assert all(hi - lo <= 10 for lo, hi in ranges)
    assert [i for lo, hi in ranges for i in range(lo, hi)] == list(range(len(toks)))
    # Cuts fall after a space when there is one near the limit.
    assert all(long[toks[hi - 1][0]:toks[hi - 1][1]] == " " for lo, hi in ranges[:-1])


def found(text: str) -> list[tuple[str, str]]:
    return [(text[s.start:s.end], s.label) for s in model().predict(text, tokenize(text))]


def test_bundled_model_finds_a_ministry_and_a_titled_person():
    text = "นายสมชาย ใจดี รัฐมนตรีว่าการกระทรวงสาธารณสุข ให้สัมภาษณ์ที่จังหวัดเชียงใหม่"
    got = found(text)
    assert ("กระทรวงสาธารณสุข", "ORGANIZATION") in got
    assert any(label == "PERSON" and span.startswith("นายสมชาย") for span, label in got)


def test_predicted_spans_are_trimmed_in_range_and_confident():
    text = "วันนี้ (3 ก.ย.) นายสมชาย ใจดี เดินทางไปกระทรวงการคลัง\n\n  กรุงเทพมหานคร  \n"
    spans = model().predict(text, tokenize(text))
    assert spans
    for s in spans:
        assert 0 <= s.start < s.end <= len(text)
        assert text[s.start:s.end] == text[s.start:s.end].strip()
        assert s.origin == "model" and 0.0 < s.confidence <= 1.0
    assert [s.start for s in spans] == sorted(s.start for s in spans)


def test_model_version_and_labels():
    assert model().version == "thainer-crf-1.5.1"
    assert {"PERSON", "ORGANIZATION", "LOCATION", "DATE", "MONEY"} <= model().labels


def test_empty_text():
    assert model().predict("", []) == []


def test_model_can_run_without_pos():
    m = CrfModel(pos=None)
    text = "กระทรวงการคลัง"
    assert all(s.origin == "model" for s in m.predict(text, tokenize(text)))


def test_is_thai_word_is_the_notebooks_test():
    import random

    from annotator.nlp.crf import is_thai_word

    def notebook(word):
        return bool(word) and all(c == "." or "\u0e00" <= c <= "\u0e7f" for c in word)

    rng = random.Random(2)
    chars = ["ก", ".", "\u0e00", "\u0e7f", "\u0e80", "\u0dff", "a", " ", "\n", "1", "๑"]
    for _ in range(2000):
        word = "".join(rng.choice(chars) for _ in range(rng.randint(0, 4)))
        assert is_thai_word(word) == notebook(word), repr(word)
