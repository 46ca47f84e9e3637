"""The core never imports Qt: every module outside annotator/gui loads without PySide6."""

import pkgutil
import subprocess
import sys

import annotator


def core_modules():
    for info in pkgutil.walk_packages(annotator.__path__, "annotator."):
        if not info.name.startswith("annotator.gui") and info.name != "annotator.__main__":
            yield info.name


def test_core_modules_do_not_load_qt():
    names = sorted(core_modules())
    assert "annotator.store.project" in names and "annotator.jobs.importer" in names
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _loaded_after(statements: str) -> set[str]:
    code = statements + "\nimport sys\nprint(' '.join(sys.modules))\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_pre_annotation_workers_load_no_project_code():
    # Each worker imports these to tag: sqlite-utils (and what it pulls in) would cost
    # every worker its import time and tens of MB for nothing.
    loaded = _loaded_after("import annotator.nlp.preannotate, annotator.nlp.suggest, annotator.nlp.trained")
    assert "sqlite_utils" not in loaded and "annotator.store.project" not in loaded


def test_the_project_loads_sqlite_utils_without_pandas_or_numpy_and_both_still_import():
    loaded = _loaded_after("import annotator.store.project")
    assert "sqlite_utils" in loaded and "pandas" not in loaded and "numpy" not in loaded
    loaded = _loaded_after("import annotator.store.project, pandas, numpy\nassert pandas.DataFrame and numpy.zeros")
    assert "pandas" in loaded and "numpy" in loaded


def _imports(modules: dict[str, "Path"]) -> dict[str, set[str]]:
    """Each module's annotator modules imported anywhere in it (in functions too, where a
    cycle is only put off; not under ``if TYPE_CHECKING``)."""
    import ast

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()

        def add(target: str) -> None:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)

        def visit(node) -> None:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                return
            if isinstance(node, ast.Import):
                for alias in node.names:
                    add(alias.name)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
                for alias in node.names:
                    add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
            for child in ast.iter_child_nodes(node):
                visit(child)

        visit(ast.parse(path.read_text(encoding="utf-8")))
        graph[name] = found
    return graph


def test_no_import_cycles():
    """Modules form layers: no module reaches itself through what it imports (a cycle
    means two modules that can only be understood, and changed, together)."""
    from pathlib import Path

    root = Path(annotator.__file__).parent
    modules = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = _imports(modules)
    assert "annotator.store.project" in graph["annotator.store.bulk"]  # the graph sees imports
    cycles = []
    for start in graph:  # a path back to start, by depth-first search
        stack, seen = [(start, [start])], set()
        while stack:
            node, path = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    cycles.append(path)
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, path + [nxt]))
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c + [c[0]]) for c in cycles[:5])
