"""Where the program's files are: resources, the default projects folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

_SHARE = Path(sys.prefix) / "share" / "thai-ner-annotator"


def resources_dir() -> Path:
    """``resources/`` beside the package in a checkout; under ``<prefix>/share`` when installed."""
    here = Path(__file__).resolve().parent.parent / "resources"
    if here.is_dir():
        return here
    installed = _SHARE / "resources"
    if installed.is_dir():
        return installed
    raise FileNotFoundError("resources folder not found beside the package or in " + str(_SHARE))


def resource(name: str) -> Path:
    return resources_dir() / name


def projects_dir() -> Path:
    """Default folder for project files: $ANNOTATOR_PROJECTS, else ``projects/`` of a checkout,
    else ``~/ThaiNER/projects``."""
    env = os.environ.get("ANNOTATOR_PROJECTS")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parent.parent / "projects"
    if checkout.is_dir():
        return checkout
    return Path.home() / "ThaiNER" / "projects"
