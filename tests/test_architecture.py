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
