"""sqlite-utils, imported without pandas.

sqlite-utils imports pandas whenever it is installed, only to convert pandas values on
insert, which a project never stores. That import costs every command ~2 s and ~85 MB
(and each pre-annotation worker the same), so pandas is hidden while sqlite-utils loads.
A later ``import pandas`` elsewhere works as usual.
"""

import sys

_ABSENT = object()
_before = sys.modules.get("pandas", _ABSENT)
if _before is _ABSENT:
    sys.modules["pandas"] = None  # type: ignore[assignment]  # makes `import pandas` fail
try:
    import sqlite_utils  # noqa: E402
finally:
    if _before is _ABSENT and sys.modules.get("pandas", _ABSENT) is None:
        del sys.modules["pandas"]

__all__ = ["sqlite_utils"]
