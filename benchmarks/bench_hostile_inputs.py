"""Inputs that grow without bound: each case made in a temporary folder, the real command
run in a fresh child process, its time, peak RSS and outcome printed.

    .venv/bin/python benchmarks/bench_hostile_inputs.py [--scale 1.0] [--python PYTHON]
        [--only conll,entities,huge,annot] [--timeout 900]

Cases (sizes at --scale 1; --scale shrinks them):

* ``conll``: an 88 MB one-document CoNLL file (10 million tokens), imported;
* ``entities``: one JSONL document with a million entities, imported;
* ``huge``: a 66-million-character article imported with a raised --max-size, then
  pre-annotated and exported (CoNLL);
* ``annot``: a large teammate's project file (20,000 done documents, 10 entities each)
  imported, then imported again with a 1-second read limit (ANNOTATOR_FOREIGN_READ_SECONDS).

Peak RSS is ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` read by a fresh wrapper
process around each command (the largest process of that command, pool workers included).
``--python`` runs another checkout's interpreter (its ``-m annotator``), for before/after.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CASES = ("conll", "entities", "huge", "annot")
# Run in a fresh process: the command as its only child, so RUSAGE_CHILDREN is that command's.
WRAPPER = """
import json, resource, subprocess, sys, time
cmd, env = json.loads(sys.argv[1]), json.loads(sys.argv[2])
import os
started = time.perf_counter()
try:
    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **env}, timeout=float(sys.argv[3]))
    rc, out = done.returncode, (done.stdout + done.stderr)
except subprocess.TimeoutExpired as e:
    rc, out = "timeout", ""
seconds = time.perf_counter() - started
print(json.dumps({"rc": rc, "seconds": seconds, "rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "out": out[-4000:]}))
"""


def run(python: str, args: list[str], timeout: float, env: dict | None = None, cwd: str | None = None) -> dict:
    """``cwd``: where the command runs; not a checkout, whose ``annotator`` folder ``-m``
    would take before the interpreter's own."""
    cmd = [python, "-m", "annotator", *args]
    done = subprocess.run([sys.executable, "-c", WRAPPER, json.dumps(cmd), json.dumps(env or {}), str(timeout)],
                          capture_output=True, text=True, cwd=cwd or tempfile.gettempdir())
    return json.loads(done.stdout)


def outcome(result: dict) -> str:
    """The line of the command's output that says what happened."""
    lines = [l.strip() for l in result["out"].splitlines() if l.strip()]
    keys = ("too large", "more than", "longer than", "E032", "left out", "imported", "exported", "suggested",
            "refused", "annotator:")
    for key in keys:
        for line in lines:
            if key in line:
                return line[:220]
    return (lines[-1] if lines else "")[:220]


def make_conll(folder: Path, scale: float) -> Path:
    path = folder / "one-document.conll"
    tokens = int(10_000_000 * scale)
    block = "ไป\tO\n" * 10_000  # 9 bytes a token: 10M tokens are 90 MB
    with path.open("w", encoding="utf-8") as f:
        f.write("-DOCSTART-\tO\n\n")
        for _ in range(tokens // 10_000):
            f.write(block)
        f.write("ไป\tO\n" * (tokens % 10_000))
    return path


def make_entities(folder: Path, scale: float) -> Path:
    path = folder / "entities.jsonl"
    n = int(1_000_000 * scale)
    with path.open("w", encoding="utf-8") as f:
        f.write('{"text": "' + "a " * n + '", "label": [')
        f.write(",".join(f'[{2 * i},{2 * i + 1},"PERSON"]' for i in range(n)))
        f.write("]}\n")
    return path


def make_huge(folder: Path, scale: float) -> Path:
    path = folder / "huge.txt"
    chars = int(66_000_000 * scale)
    piece = "นายสมชาย ใจดี เดินทางไปเชียงใหม่ เมื่อวันที่ 5 มกราคม 2567\n"
    with path.open("w", encoding="utf-8") as f:
        f.write("ข่าวยาวมาก\n")
        left = chars - len("ข่าวยาวมาก\n")
        chunk = piece * (1_000_000 // len(piece))
        while left > len(chunk):
            f.write(chunk)
            left -= len(chunk)
        f.write((piece * (left // len(piece) + 1))[:left])
    return path


def make_annot(folder: Path, scale: float) -> Path:
    from annotator.core.model import DONE, DocumentData, SpanData
    from annotator.store.project import Project

    path = folder / "teammate.annot"
    n = max(1, int(20_000 * scale))
    words = "นายสมชาย ใจดี ไปเชียงใหม่ "
    with Project.create(path, annotator="somying") as p, p.bulk(), p.transaction():
        for i in range(n):
            text = f"ข่าวที่ {i} " + words * 40
            spans = [SpanData(9 + len(str(i)) + k * len(words), 9 + len(str(i)) + k * len(words) + 8, "PERSON",
                              origin="import", state="accepted") for k in range(10)]
            doc_id = p.add_document(DocumentData(text, {"title": f"ข่าว {i}"}, spans), status=DONE,
                                    span_state="accepted")
            assert doc_id is not None
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--python", default=sys.executable, help="the interpreter whose -m annotator is run")
    parser.add_argument("--only", default=",".join(CASES))
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds before a command is stopped")
    parser.add_argument("--keep", help="make the cases in this folder and leave them there")
    args = parser.parse_args(argv)
    cases = [c.strip() for c in args.only.split(",") if c.strip()]
    rows: list[tuple[str, dict]] = []
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)

        def project(name: str) -> str:
            path = folder / f"{name}.annot"
            for p in folder.glob(f"{name}.annot*"):
                p.unlink()
            result = run(args.python, ["init", str(path)], args.timeout)
            assert result["rc"] == 0, result
            return str(path)

        def case(name: str, command: list[str], env: dict | None = None) -> None:
            result = run(args.python, command, args.timeout, env)
            rows.append((name, result))
            print(f"{name}: exit {result['rc']}, {result['seconds']:.1f} s, peak RSS {result['rss_kb'] / 1024:.0f} MB;"
                  f" {outcome(result)}", flush=True)

        if "conll" in cases:
            path = make_conll(folder, args.scale)
            size = path.stat().st_size
            case(f"CoNLL one document, {size / 1e6:.0f} MB, {int(10_000_000 * args.scale):,} tokens: import",
                 ["import", project("conll"), str(path), "--format", "conll"])
            path.unlink()
        if "entities" in cases:
            path = make_entities(folder, args.scale)
            case(f"JSONL one document, {int(1_000_000 * args.scale):,} entities ({path.stat().st_size / 1e6:.0f} MB):"
                 " import", ["import", project("entities"), str(path), "--format", "jsonl", "--unknown-labels", "add"])
            path.unlink()
        if "huge" in cases:
            path = make_huge(folder, args.scale)
            chars = int(66_000_000 * args.scale)
            huge = project("huge")
            case(f"{chars:,}-character article ({path.stat().st_size / 1e6:.0f} MB): import --max-size 400000000",
                 ["import", huge, str(path), "--max-size", "400000000"])
            case(f"{chars:,}-character article: preannotate", ["preannotate", huge])
            case(f"{chars:,}-character article: export conll --status any",
                 ["export", huge, str(folder / "huge-out.conll"), "--format", "conll", "--status", "any"])
            path.unlink()
        if "annot" in cases:
            path = make_annot(folder, args.scale)
            size = path.stat().st_size
            n = max(1, int(20_000 * args.scale))
            case(f"teammate's .annot, {n:,} done documents ({size / 1e6:.0f} MB): import",
                 ["import", project("annot1"), str(path)])
            case(f"teammate's .annot, {n:,} done documents: import with a 1 s read limit",
                 ["import", project("annot2"), str(path)], {"ANNOTATOR_FOREIGN_READ_SECONDS": "1"})
    print()
    print("| case | exit | time (s) | peak RSS (MB) | outcome |")
    print("| --- | --- | --- | --- | --- |")
    for name, result in rows:
        print(f"| {name} | {result['rc']} | {result['seconds']:.1f} | {result['rss_kb'] / 1024:.0f} |"
              f" {outcome(result).replace('|', '/')} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
