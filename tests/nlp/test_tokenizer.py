"""Tokens are words of the text: checked by content, on generated and real-looking lines."""

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.nlp import tokenizer
from annotator.nlp.tokenizer import MAX_CHUNK, broken_boundaries, segment, tokenize

# Long lines in the style of government news (written for these tests). nlpo3 1.4.0's
# safe mode returned repeated, reordered pieces of lines like these.
LONG_LINES = [
    "เมื่อวานนี้ (5 ธ.ค.) นายสมชาย ใจดี ปลัดกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม เป็นประธานการประชุม"
    "คณะกรรมการขับเคลื่อนเมืองอัจฉริยะ ณ ทำเนียบรัฐบาล โดยมีผู้แทนจากสำนักงานส่งเสริมเศรษฐกิจดิจิทัล"
    "และบริษัท ไทยเทค จำกัด เข้าร่วม เพื่อติดตามความก้าวหน้าของโครงการอินเทอร์เน็ตหมู่บ้านในจังหวัดภูเก็ต"
    "เชียงใหม่ และขอนแก่น ซึ่งมีงบประมาณรวม 1,250 ล้านบาท คิดเป็นร้อยละ 12.5 ของงบลงทุนทั้งหมด",
    "กระทรวงอุตสาหกรรมร่วมกับสำนักงานคณะกรรมการส่งเสริมการลงทุนจัดงานสัมมนาเรื่องการพัฒนาอุตสาหกรรม"
    "เป้าหมายในเขตพัฒนาพิเศษภาคตะวันออกโดยเชิญผู้ประกอบการกว่าสามร้อยรายมาร่วมแลกเปลี่ยนความคิดเห็น"
    "เกี่ยวกับมาตรการสนับสนุนด้านภาษีและการอำนวยความสะดวกในการขออนุญาตประกอบกิจการโรงงาน",
]

THAI = "กขคฆงจฉชซญดตถทธนบปผพฟภมยรลวศษสหอฮะาำิีึืุู่้๊๋ั็์เแโใไๆฯ"
ALPHABET = THAI + "abcXYZ0123456789๑๒๓" + " \t\n.,()-\u00a0"


def assert_words_of(text, offsets):
    assert "".join(text[s:e] for s, e in offsets) == text
    assert all(s < e for s, e in offsets)
    assert all(a[1] == b[0] for a, b in zip(offsets, offsets[1:]))
    assert broken_boundaries(text, offsets) == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=400))
def test_tokens_are_the_text_for_any_mix_of_scripts(text):
    assert_words_of(text, tokenize(text))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(LONG_LINES + ["", " ", "\n", "abc 123"]), max_size=6).map("".join))
def test_tokens_are_the_text_for_joined_long_lines(text):
    assert_words_of(text, tokenize(text))


def test_long_lines_give_newmm_words_in_order():
    from pythainlp.tokenize import word_tokenize

    def thai_words(words):  # pythainlp keeps "(5" together where nlpo3 gives "(", "5"
        return [w for w in words if any("\u0e01" <= c <= "\u0e5b" for c in w)]

    for line in LONG_LINES:
        words = [line[s:e] for s, e in tokenize(line)]
        assert thai_words(words) == thai_words(word_tokenize(line, engine="newmm", keep_whitespace=True))
        assert "".join(words[:2]) == line[: len(words[0]) + len(words[1])]
        assert "อุตสาหกรรม" in words or "อุตสาหกรรม" not in line


def test_a_segmenter_that_reorders_pieces_is_caught_by_content(monkeypatch):
    line = LONG_LINES[0]
    real = tokenizer._segmenters()[0]

    def reordering(s):  # the failure seen: right total length, wrong content
        words = real(s)
        return words[3:6] + words[:3] + words[6:] if len(words) > 6 else words

    monkeypatch.setattr(tokenizer, "_segmenters", lambda: (reordering, lambda s: list(s)))
    words = segment(line)  # the first answer does not join back: the next segmenter's is used
    assert "".join(words) == line and words == list(line)
    try:
        tokenize(line, seg=reordering)
    except AssertionError as e:  # placing words by length is never done
        assert "not the text" in str(e)
    else:
        raise AssertionError("a reordered segmentation was accepted")


def test_marks_cut_off_their_consonant_are_mended():
    # NIKHAHIT + SARA AA written for SARA AM: newmm cuts before the NIKHAHIT.
    text = "การท\u0e4d\u0e32งานของสำนักงาน"
    offsets = tokenize(text)
    assert_words_of(text, offsets)
    # A text that starts with a mark (or has one after a space) keeps it: that is the text.
    for odd in ("\u0e34บ้าน", "บ้าน \u0e38ดี"):
        assert_words_of(odd, tokenize(odd))


def test_runs_without_spaces_go_to_the_segmenter_in_bounded_chunks():
    seen = []

    def recording(s):
        seen.append(len(s))
        return segment(s)

    text = "ประเทศไทยพัฒนาเศรษฐกิจดิจิทัล" * 400  # 12,000 code points, no space
    offsets = tokenize(text, seg=recording)
    assert_words_of(text, offsets)
    assert max(seen) <= MAX_CHUNK and len(seen) >= len(text) // MAX_CHUNK
    # Cutting at newmm's own boundaries inside the window changes no word.
    assert [text[s:e] for s, e in offsets] == segment(text)


def test_the_quick_cluster_check_agrees_with_broken_boundaries():
    """tokenize() decides whether to mend from the words' first and last characters; that is
    broken_boundaries' answer on the same tokens (marks after spaces, leading vowels, Latin
    combining accents among them)."""
    import random
    from itertools import accumulate

    from annotator.nlp.tokenizer import _cuts_a_cluster, broken_boundaries

    rng = random.Random(5)
    pieces = ["ก", "ท", "ํา", "า", "่", "เ", "แก", " ", "\n", "e", "\u0301", "ไ", "ข", "1", "ะ"]
    for _ in range(3000):
        words = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(0, 8))]
        text = "".join(words)
        ends = list(accumulate(map(len, words)))
        offsets = list(zip([0, *ends[:-1]], ends))
        assert _cuts_a_cluster(words) == bool(broken_boundaries(text, offsets)), words


def test_words_placed_and_checked_in_c_are_pythons(monkeypatch):
    """tokenize's last step (offsets of the words, and whether a boundary cuts a cluster)
    and segment's check of the words, in C: what the Python code finds, on random words of
    Thai marks, leading vowels, consonants, spaces and other scripts' combining marks."""
    import random
    from itertools import accumulate

    from annotator.nlp import tokenizer

    assert tokenizer.COMPILED
    rng = random.Random(3)
    alphabet = "กขนเแไโใะัาำิ่้๊ ์ \t\n.a\u0301\u20d2é😀"
    cut = found = 0
    for _ in range(3000):
        words = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(0, 12))]
        offsets, total, cuts = tokenizer._place_words(words, tokenizer._MARK_BITS, tokenizer._LEADER_BITS)
        ends = list(accumulate(map(len, words)))
        assert offsets == list(zip([0, *ends[:-1]], ends)) and total == (ends[-1] if ends else 0)
        assert cuts == tokenizer._cuts_a_cluster(words)
        cut += cuts
        s = "".join(words)
        assert tokenizer._joins_to(words, s)
        if s:
            wrong = list(words)
            k = rng.randrange(len(wrong))
            wrong[k] = wrong[k][::-1] + "x"
            assert tokenizer._joins_to(wrong, s) == ("".join(wrong) == s) is False
            found += 1
    assert 300 < cut < 2700 and found > 2000
    assert tokenizer._place_words(["ก", ""], tokenizer._MARK_BITS, tokenizer._LEADER_BITS) is NotImplemented
    assert not tokenizer._joins_to(["ab", "c"], "ab") and not tokenizer._joins_to(["a"], "ab")
    texts = ["ท\u0e4dางาน เดินทาง\nไปเชียงใหม่ ๆ  ค่ะ", "เ" * 5 + "กา" * 3, "", "\n\n", "abc  déf\u0301"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80))) for _ in range(300)]
    compiled = [tokenize(t) for t in texts]
    monkeypatch.setattr(tokenizer, "COMPILED", False)
    assert [tokenize(t) for t in texts] == compiled
