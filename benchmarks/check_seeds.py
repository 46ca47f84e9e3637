"""Metadata of the five seed articles in ../shared/seeds: title, date and source URL found?

    .venv/bin/python benchmarks/check_seeds.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator.formats import txt  # noqa: E402

SEEDS = ROOT.parent / "shared" / "seeds"


def main(argv: list[str] | None = None) -> int:
    seeds = Path(argv[0]) if argv else SEEDS  # a folder of articles instead of the seeds
    if not seeds.is_dir():
        print(f"{seeds} is not here; nothing checked")
        return 0
    for path in sorted(seeds.glob("*.txt")):
        doc = next(txt.read(path))
        meta = doc.meta
        print(f"{path.name}: {len(doc.text):6} chars  date {meta.get('date', '-'):<10}"
              f"  url {'yes' if meta.get('url') else 'no ':<3}  title {meta.get('title', '-')[:50]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
