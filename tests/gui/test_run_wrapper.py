"""RunWrapper: the whole text's line breaks, run by run, kept between calls."""

from __future__ import annotations

import random

from annotator.gui.line_breaks import CharWidths, RunWrapper, wrap_points
from annotator.nlp.tokenizer import tokenize

TEXT = (
    "หัวข่าวสั้น\n\nนายกรัฐมนตรีเดินทางจากทำเนียบรัฐบาลไปประชุมกับกระทรวงอุตสาหกรรม และบริษัทพัฒนาเมืองภูเก็ตจำกัด"
    " เพื่อหารือเรื่องเมืองอัจฉริยะ\r\nโดยสำนักงานส่งเสริมเศรษฐกิจดิจิทัลจะสนับสนุนงบประมาณ 450 ล้านบาท\n"
    "  \n(ร้อยละ 15) ภายในปี 2570 ที่จังหวัดเชียงใหม่และจังหวัดขอนแก่น\n"
)


def widths_of(text, tokens):
    measure = CharWidths(lambda ch: 7.0 if ch.isascii() else 9.0 + (ord(ch) % 5)).of
    return measure, [measure(text[a:b]) for a, b in tokens]


def test_runs_give_the_breaks_of_the_whole_text_whatever_the_width_and_tags():
    rng = random.Random(7)
    text = TEXT * 3
    tokens = tokenize(text)
    measure, widths = widths_of(text, tokens)
    wrapper = RunWrapper(text, tokens, widths, measure)
    assert len(wrapper.run_tokens) > 5
    for _ in range(60):
        width = rng.choice([40.0, 90.0, 150.0, 333.0, 800.0])
        extra = {rng.randrange(len(text)): rng.choice([20.0, 55.0]) for _ in range(rng.randrange(12))}
        assert wrapper.breaks(width, extra) == wrap_points(text, tokens, widths, measure, width, extra)


def test_only_the_runs_whose_tags_changed_are_wrapped_again():
    text = TEXT * 3
    tokens = tokenize(text)
    measure, widths = widths_of(text, tokens)
    wrapper = RunWrapper(text, tokens, widths, measure)
    first = wrapper.breaks(120.0, {5: 30.0})
    runs = len(wrapper.run_tokens)
    assert wrapper.wrapped_runs == runs
    assert wrapper.breaks(120.0, {5: 30.0}) == first and wrapper.wrapped_runs == runs  # all kept
    at = text.index("ภูเก็ต", len(TEXT))  # one tag more, in one run of the second copy
    assert wrapper.breaks(120.0, {5: 30.0, at: 40.0}) == wrap_points(text, tokens, widths, measure, 120.0,
                                                                      {5: 30.0, at: 40.0})
    assert wrapper.wrapped_runs == runs + 1


def test_text_before_the_first_token_and_newlines_between_tokens():
    text = "\n\nก ข\nค ง"
    tokens = [(2, 3), (4, 5), (6, 7), (8, 9)]  # the newlines and spaces belong to no token
    measure, widths = widths_of(text, tokens)
    wrapper = RunWrapper(text, tokens, widths, measure)
    for width in (5.0, 12.0, 25.0, 100.0):
        assert wrapper.breaks(width) == wrap_points(text, tokens, widths, measure, width)


def test_told_which_tags_changed_it_gives_what_a_fresh_wrap_gives():
    # A keystroke changes one or a few tags: the wrapper, told which offsets changed,
    # looks again only at their runs, and must still give the whole text's breaks.
    rng = random.Random(11)
    text = TEXT * 4
    tokens = tokenize(text)
    measure, widths = widths_of(text, tokens)
    wrapper = RunWrapper(text, tokens, widths, measure)
    extra: dict[int, float] = {}
    width = 150.0
    wrapper.breaks(width, extra)
    for step in range(200):
        changed = set()
        for _ in range(rng.randrange(1, 4)):
            at = rng.randrange(len(text))
            if at in extra and rng.random() < 0.5:
                del extra[at]
            else:
                extra[at] = rng.choice([20.0, 38.5, 55.0])
            changed.add(at)
        if step % 50 == 49:
            width = rng.choice([90.0, 150.0, 333.0])  # a new width: every run again
        assert wrapper.breaks(width, extra, changed) == wrap_points(text, tokens, widths, measure, width, extra)
    runs = wrapper.wrapped_runs
    at = next(iter(extra))
    extra[at] += 10.0
    wrapper.breaks(width, extra, {at})
    assert wrapper.wrapped_runs <= runs + 1  # one run looked at again, not every run
