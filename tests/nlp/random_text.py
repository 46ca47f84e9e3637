"""Random texts cut into tokens that cover them, for comparing a compiled loop with the
Python one it replaces."""

from __future__ import annotations

import random


def text_and_tokens(rng: random.Random, alphabet: str, longest: int, most_cuts: int) -> tuple[str, list[tuple[int, int]]]:
    text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, longest)))
    cuts = sorted({0, len(text), *(rng.randint(0, len(text)) for _ in range(rng.randint(0, most_cuts)))})
    return text, list(zip(cuts, cuts[1:]))
