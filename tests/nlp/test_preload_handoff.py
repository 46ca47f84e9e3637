"""A project model offered to the fork server (nlp/preload_handoff.py): loaded there once and
used by the workers given that model, refused by the others, and never read from a folder
that others may write to."""

from __future__ import annotations

import os
import sys

import pytest

from annotator.core.model import DocumentData
from annotator.nlp import preannotate, preload_handoff
from annotator.nlp.preannotate import run_preannotate
from annotator.nlp.model_files import ModelSpec
from annotator.store.project import Project

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no fork server on Windows")

SPEC = ModelSpec("/nowhere/model.crfsuite", "project-crf-7", {"features": {"groups": ["word"], "window": 1}})


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(preload_handoff.tempfile, "gettempdir", lambda: str(tmp_path))
    monkeypatch.setattr(preload_handoff.os, "getppid", os.getpid)  # this process plays its own server
    return tmp_path


def test_an_offered_spec_is_taken_as_it_was_and_gone_after_the_block(private_tmp):
    assert preload_handoff.taken() is None
    with preload_handoff.offered(SPEC):
        got = preload_handoff.taken()
        folder = private_tmp / f"thai-ner-annotator-{os.getuid()}"
        assert oct(folder.stat().st_mode & 0o777) == oct(0o700)
    assert got == SPEC and got.settings == SPEC.settings
    assert preload_handoff.taken() is None and list(folder.iterdir()) == []
    with preload_handoff.offered(None):  # nothing offered
        assert preload_handoff.taken() is None


def test_a_folder_others_may_write_to_or_a_symlink_is_never_used(private_tmp):
    folder = private_tmp / f"thai-ner-annotator-{os.getuid()}"
    folder.mkdir(mode=0o700)
    with preload_handoff.offered(SPEC):
        folder.chmod(0o777)  # opened up while offered: the server does not read it
        assert preload_handoff.taken() is None
    with preload_handoff.offered(SPEC):  # and nothing is written to it
        assert list(folder.iterdir()) == []
    folder.rmdir()
    elsewhere = private_tmp / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    folder.symlink_to(elsewhere)
    with preload_handoff.offered(SPEC):
        assert preload_handoff.taken() is None
    assert list(elsewhere.iterdir()) == []


TEXTS = [
    "นายสมชาย ใจดี รัฐมนตรีว่าการกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม เดินทางไปจังหวัดเชียงใหม่",
    "สำนักงานส่งเสริมเศรษฐกิจดิจิทัล ร่วมกับมหาวิทยาลัยเชียงใหม่ จัดงานที่กรุงเทพมหานคร",
]


def _uses_the_servers_model(_=None) -> bool:
    module = sys.modules.get("annotator.nlp.worker_preload")
    return module is not None and module.trained_suggester is not None and (
        preannotate._suggester is module.trained_suggester)


@pytest.fixture(scope="module")
def trained_project(tmp_path_factory):
    from ner_fixture import project_with_model

    path = tmp_path_factory.mktemp("handoff") / "gold.annot"
    with project_with_model(path) as project:
        with project.transaction():
            for i in range(60):
                project.add_document(DocumentData(text=f"{TEXTS[i % 2]} ครั้งที่ {i}"))
    return path


def test_workers_given_the_offered_model_use_the_servers_and_others_load_their_own(trained_project):
    from annotator.nlp.model_files import materialize

    with Project.open(trained_project) as project, materialize(project, "latest") as spec:
        for given, shared in ((spec, True), (ModelSpec(spec.path, spec.version + "-other", spec.settings), False)):
            ctx, fork_server = preannotate._pool_context()
            assert fork_server
            try:
                with preload_handoff.offered(spec):
                    pool = ctx.Pool(2, initializer=preannotate._init_pool_worker, initargs=(given,))
                with pool:
                    assert pool.map(_uses_the_servers_model, range(4)) == [shared] * 4
            finally:
                preannotate._stop_fork_server()


def test_a_pooled_job_suggests_what_one_process_does_with_the_servers_model(trained_project, tmp_path):
    import shutil

    paths = [tmp_path / "pooled.annot", tmp_path / "single.annot"]
    reports = []
    for path, workers in zip(paths, (2, 1)):
        shutil.copyfile(trained_project, path)
        with Project.open(path) as project:
            reports.append(run_preannotate(project, workers=workers, model="latest"))
    spans = []
    for path in paths:
        with Project.open(path, readonly=True) as project:
            spans.append(project.query(
                'SELECT doc_id, start, "end", label_id, origin, round(confidence, 9) FROM spans ORDER BY 1, 2, 3'))
    assert reports[0].added == reports[1].added > 60 and spans[0] == spans[1]
    import tempfile
    from pathlib import Path

    assert not (Path(tempfile.gettempdir()) / f"thai-ner-annotator-{os.getuid()}" / f"preload-{os.getpid()}.json").exists()


@pytest.mark.parametrize("model", ["latest", "bundled"])
def test_the_process_running_a_pooled_job_never_loads_numpy(trained_project, tmp_path, model):
    # It only writes what its workers find: numpy (and a model) would cost it ~25 MB.
    import shutil
    import subprocess

    path = tmp_path / "job.annot"
    shutil.copyfile(trained_project, path)
    code = (
        "import sys\n"
        "from annotator.store.project import Project\n"
        "from annotator.nlp.preannotate import run_preannotate\n"
        "if __name__ == '__main__':\n"
        f"    with Project.open({str(path)!r}) as project:\n"
        f"        report = run_preannotate(project, workers=2, model={model!r})\n"
        "    print(report.added, 'numpy' in sys.modules)\n"
    )
    script = tmp_path / "job.py"
    script.write_text(code, encoding="utf-8")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHAINLP_OFFLINE": "1"})
    assert result.returncode == 0, result.stderr
    added, numpy_loaded = result.stdout.split()
    assert int(added) > 60 and numpy_loaded == "False"
