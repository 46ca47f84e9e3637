"""Telling the fork server which project model to load before it forks the workers.

The fork server (nlp/worker_preload.py) is a fresh interpreter to which multiprocessing
passes nothing but a list of module names. To load a project model there once, and have
both workers share its pages instead of each loading a copy, the job writes the model's
:class:`~annotator.nlp.model_files.ModelSpec` to a file that the server finds by its parent's
process id, in a folder only this user may enter, and removes it once the workers are
forked. A worker uses the server's model only if its spec is the one the worker was given;
on any mismatch or failure it loads its own, as it would without this.

No pickle: the file is JSON, so the worst a stale or foreign file can do is name a model
the workers then refuse.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from annotator.nlp.model_files import ModelSpec


def _folder(create: bool) -> Path | None:
    """This user's private folder for hand-offs, or None where there is none to trust
    (another owner, open to others, a symlink; or no process ids to key files by)."""
    if not hasattr(os, "getuid"):
        return None
    folder = Path(tempfile.gettempdir()) / f"thai-ner-annotator-{os.getuid()}"
    if create:
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
        except OSError:
            return None
    try:
        st = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        return None
    return folder


def _name(pid: int) -> str:
    return f"preload-{pid}.json"


@contextmanager
def offered(spec: "ModelSpec | None") -> Iterator[None]:
    """For the block's length, ``spec`` is what a fork server started by this process
    loads (None: nothing offered). Start the pool inside the block: once its workers are
    forked, the server has read it."""
    folder = _folder(create=True) if spec is not None else None
    if folder is None:
        yield
        return
    target = folder / _name(os.getpid())
    part = folder / (_name(os.getpid()) + ".part")
    data = json.dumps({"path": spec.path, "version": spec.version, "settings": spec.settings})
    try:
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
        os.replace(part, target)  # the server never reads half a file
    except OSError:
        part.unlink(missing_ok=True)
        yield
        return
    try:
        yield
    finally:
        target.unlink(missing_ok=True)


def taken() -> "ModelSpec | None":
    """In a fork server: the spec its parent offered, or None."""
    from annotator.nlp.model_files import ModelSpec

    folder = _folder(create=False)
    if folder is None:
        return None
    try:
        fd = os.open(folder / _name(os.getppid()), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, encoding="utf-8") as fh:
        if os.fstat(fh.fileno()).st_uid != os.getuid():
            return None
        data = json.load(fh)
    return ModelSpec(str(data["path"]), str(data["version"]), dict(data["settings"]))
