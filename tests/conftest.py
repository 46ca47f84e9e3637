"""Shared fixtures. Qt is configured in tests/gui/conftest.py only: the core needs none."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def project(tmp_path):
    from annotator.store.project import Project

    p = Project.create(tmp_path / "test.annot", annotator="tester")
    yield p
    p.close()
