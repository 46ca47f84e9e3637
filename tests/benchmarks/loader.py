"""What the benchmark smoke tests share: loading a script from benchmarks/, and a
ThaiNER line of a fixture document."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_benchmark(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def thainer_line(doc) -> str:
    """One ThaiNER line: the text with [LABEL]…[/LABEL] around each span."""
    out, last = [], 0
    for s in doc.spans:
        out += [doc.text[last:s.start], f"[{s.label}]", doc.text[s.start:s.end], f"[/{s.label}]"]
        last = s.end
    return "".join(out) + doc.text[last:]
