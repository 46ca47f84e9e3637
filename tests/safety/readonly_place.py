"""A read-only place for a project, real even when the tests run as root.

``chmod a-w`` stops ordinary users; root ignores permission bits because it holds the
capability CAP_DAC_OVERRIDE. :func:`read_only` therefore also drops that capability from
the calling thread's effective set while inside (capabilities are per thread on Linux;
it stays in the permitted set, so it is raised again on the way out).
"""

from __future__ import annotations

import ctypes
import os
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

CAP_DAC_OVERRIDE = 1
_VERSION_3 = 0x20080522


class _Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _Data(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _caps(drop: bool) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    header, data = _Header(_VERSION_3, 0), (_Data * 2)()
    if libc.capget(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capget")
    if drop:
        data[0].effective &= ~(1 << CAP_DAC_OVERRIDE)
    else:
        data[0].effective |= data[0].permitted & (1 << CAP_DAC_OVERRIDE)
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset")


@contextmanager
def read_only(*paths: Path) -> Iterator[None]:
    """Make ``paths`` (files and folders) read-only for this thread while inside."""
    modes = {p: p.stat().st_mode for p in paths}
    for p in paths:
        os.chmod(p, stat.S_IMODE(modes[p]) & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    root = os.geteuid() == 0
    if root:
        _caps(drop=True)
    try:
        probe = next((p for p in paths if p.is_dir()), None)
        if probe is not None:  # make sure it really is read-only now
            try:
                (probe / ".probe").touch()
            except PermissionError:
                pass
            else:
                (probe / ".probe").unlink()
                raise AssertionError("could not make the folder read-only")
        yield
    finally:
        if root:
            _caps(drop=False)
        for p in paths:
            os.chmod(p, stat.S_IMODE(modes[p]))
