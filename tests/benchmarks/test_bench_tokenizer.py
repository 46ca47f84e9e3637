"""benchmarks/bench_tokenizer.py runs and prints its figures (on a file written here)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_tokenizer  # noqa: E402


def test_bench_tokenizer_prints_its_figures(tmp_path, capsys):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text("กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคมจัดงานสัมมนา ณ ทำเนียบรัฐบาล\n" * 3,
                                 encoding="utf-8")
    assert bench_tokenizer.main(["--seeds", str(seeds), "--corpus", str(tmp_path / "none")]) == 0
    out = capsys.readouterr().out
    assert "seeds: 3 non-empty lines" in out and "ratio of means" in out
    assert "articles whose tokens cut a character cluster: 0" in out
