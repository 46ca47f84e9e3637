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


def test_the_project_loads_sqlite_utils_without_pandas_and_pandas_still_imports():
    loaded = _loaded_after("import annotator.store.project")
    assert "sqlite_utils" in loaded and "pandas" not in loaded
    loaded = _loaded_after("import annotator.store.project, pandas\nassert pandas.DataFrame")
    assert "pandas" in loaded
