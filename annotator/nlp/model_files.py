"""Naming and handing over a model without loading one: the bundled model's file and
version, a project model's :class:`ModelSpec` and its file for worker processes
(:func:`materialize`).

The process that runs a pre-annotation job only writes what its workers find; it never
tags, so it needs these names and nothing of numpy or the models (~25 MB less in it).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

BUNDLED_MODEL_FILE = "thainer_crf_1_5_1.model"
BUNDLED_VERSION = "thainer-crf-1.5.1"


@dataclass(frozen=True)
class ModelSpec:
    """What a process needs to load a project model. Picklable."""

    path: str
    version: str
    settings: dict[str, Any] = field(hash=False, compare=False)


@contextmanager
def materialize(project, which: str | int | None = "suggesting") -> Iterator[ModelSpec | None]:
    """The project's model ``which`` (``suggesting``, ``latest``, an id, or ``bundled``) as a
    :class:`ModelSpec` whose file lives in a temporary folder for as long as the block
    runs (worker processes open it by path). None: the bundled model."""
    from annotator.store import models

    record = models.resolve(project, which)
    if record is None:
        yield None
        return
    folder = tempfile.mkdtemp(prefix="annotator-model-")
    try:
        path = os.path.join(folder, f"{record.version}.crfsuite")
        with open(path, "wb") as fh:
            fh.write(models.model_data(project, record.id))
        yield ModelSpec(path, record.version, record.settings)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
