"""sqlite-utils, imported without pandas and numpy.

sqlite-utils imports pandas and numpy whenever they are installed, only to convert their
values on insert and to map their types to columns, which a project never does (its
tables are made by its own SQL). pandas costs every command ~2 s and ~85 MB, numpy ~25 MB
in a process that never computes (the one writing a pre-annotation job's results), so
both are hidden while sqlite-utils loads. A later ``import pandas`` or ``import numpy``
elsewhere works as usual.
"""

import sys

_HIDDEN = ("pandas", "numpy")
_ABSENT = object()
_hidden = [name for name in _HIDDEN if sys.modules.get(name, _ABSENT) is _ABSENT]
for _name in _hidden:
    sys.modules[_name] = None  # type: ignore[assignment]  # makes `import NAME` fail
try:
    import sqlite_utils  # noqa: E402
finally:
    for _name in _hidden:
        if sys.modules.get(_name, _ABSENT) is None:
            del sys.modules[_name]

__all__ = ["sqlite_utils"]
