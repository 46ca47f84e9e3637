"""The window's Model menu beyond pre-annotation: training, propagation and the report.

* Model → Train model: :func:`annotator.jobs.train.run_train` on the job runner (progress
  per iteration, Cancel stops the training process and stores nothing). The new model
  takes over only when the training job judges it not worse than the suggesting one; then
  it re-suggests in the documents nobody has reviewed (status new). The status bar says
  which happened, with the scores. "Train on top of the bundled model" chooses
  ``--from bundled``.
* Model → Suggest with…: choose the suggesting model (the bundled one or any version),
  then re-suggest in the documents nobody has reviewed.
* After every confirm (accept, label, edit) the span's text is suggested elsewhere in the
  document (:mod:`annotator.nlp.propagate`); Model → Suggest this span everywhere does it
  in every unfinished document.
* Model → Models and suggestion report: the models trained and what reviewers did with
  the suggestions (:mod:`annotator.evaluation.suggestion_report`).
"""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.core.errors import AnnotatorError
from annotator.core.model import CONFIRMED_STATES, NEW


class ModelHost(Protocol):
    """What these commands need of the window, and nothing more."""

    project: Any  # the open annotator.store.project.Project, or None
    jobs: Any  # annotator.gui.workers job runner: run(title, job, on_done)
    preannotate_workers: int | None
    text_view: Any  # current_span() -> the selected span, or None

    def say(self, text: str, timeout: int = ...) -> None: ...
    def after_job(self) -> None: ...
    def reread(self, doc_id: int | None = None) -> None: ...

BASE_SETTING = "train_base"  # project setting: bundled (default) or scratch


class ModelTools:
    """Owns the training, propagation and report commands of one window."""

    def __init__(self, window: ModelHost):
        self.window = window
        self.from_bundled = QAction("Train on top of the &bundled model", window)
        self.from_bundled.setObjectName("train_from_bundled")
        self.from_bundled.setCheckable(True)
        self.from_bundled.setStatusTip("Training also sees what the bundled ThaiNER model says about each word")
        self.from_bundled.toggled.connect(self._base_toggled)
        self.last_train = None  # (TrainReport, PreannotateReport | None) of the last run, for tests
        self.report_dialog: ModelReportDialog | None = None
        self.choice_dialog: ModelChoiceDialog | None = None
        self.propagate_in_document = True  # suggest a confirmed span's text elsewhere in its document

    def install(self, menu) -> None:
        menu.addSeparator()
        menu.addAction(self.from_bundled)

    def project_changed(self) -> None:
        project = self.window.project
        base = project.get_setting(BASE_SETTING, "bundled") if project is not None else "bundled"
        self.from_bundled.blockSignals(True)
        self.from_bundled.setChecked(base == "bundled")
        self.from_bundled.blockSignals(False)

    def _base_toggled(self, on: bool) -> None:
        if self.window.project is not None:
            self.window.project.set_setting(BASE_SETTING, "bundled" if on else "scratch")

    # ---------------------------------------------------------------- training
    def train(self) -> None:
        window = self.window
        if window.project is None:
            return
        from annotator.jobs.train import run_train
        from annotator.nlp.preannotate import run_preannotate

        project, workers = window.project, window.preannotate_workers
        base = "bundled" if self.from_bundled.isChecked() else "scratch"

        def job(progress, cancelled):
            trained = run_train(project, base=base, progress=lambda d, t, m="": progress(d, t, f"training: {m}"),
                                cancelled=cancelled)
            if trained.cancelled or not trained.adopted:
                return trained, None
            fresh = project.document_ids((NEW,))
            suggested = run_preannotate(project, doc_ids=fresh, workers=workers, cancelled=cancelled,
                                        progress=lambda d, t, m="": progress(d, t, "re-suggesting with the new model"))
            return trained, suggested

        window.say("Training a model on the done documents…", 0)
        window.jobs.run("Training", job, self._trained)

    def _trained(self, result) -> None:
        trained, suggested = result
        self.last_train = result
        window = self.window
        window.after_job()
        text = trained.summary().replace("\n", "; ")
        if suggested is not None:
            text += f". Re-suggested {suggested.added} spans in {suggested.documents} new documents"
        window.say(text, 0)

    def choose_model(self) -> None:
        window = self.window
        if window.project is None:
            return
        self.choice_dialog = ModelChoiceDialog(window.project, window)
        self.choice_dialog.accepted.connect(self._model_chosen)
        self.choice_dialog.open()

    def _model_chosen(self) -> None:
        from annotator.nlp.preannotate import run_preannotate
        from annotator.store.models import use_model

        window, project = self.window, self.window.project
        record = use_model(project, self.choice_dialog.chosen())
        name = record.version if record is not None else "the bundled model"
        workers = window.preannotate_workers

        def job(progress, cancelled):
            return run_preannotate(project, doc_ids=project.document_ids((NEW,)), workers=workers,
                                   cancelled=cancelled,
                                   progress=lambda d, t, m="": progress(d, t, f"re-suggesting with {name}"))

        window.say(f"Suggestions now come from {name}; re-suggesting in the new documents…", 0)
        window.jobs.run("Re-suggesting", job,
                        lambda report: (window.after_job(), window.say(f"Suggestions now come from {name}. "
                                                                        + report.summary(), 0)))

    # ------------------------------------------------------------- propagation
    def propagate_confirmed(self, span_id: int | None, known=None):
        """Propagation of a span just confirmed, in its document: the report (its
        ``places`` say where the spans can have changed), or None when it did not run.
        ``known``: the document's text, tokens and spans as the window holds them
        (:class:`annotator.nlp.propagate.Known`), so that none is read again."""
        window = self.window
        if not self.propagate_in_document or window.project is None or span_id is None:
            return None
        from annotator.nlp.propagate import propagate_span

        try:
            return propagate_span(window.project, span_id, known=known)  # not confirmed: nothing
        except AnnotatorError:
            return None

    def after_accept_all(self, doc_id: int) -> int:
        window = self.window
        if not self.propagate_in_document or window.project is None:
            return 0
        from annotator.nlp.propagate import propagate_document

        report = propagate_document(window.project, doc_id)
        if report.added:
            window.reread()
        return report.added

    def propagate_everywhere(self) -> None:
        window = self.window
        current = window.text_view.current_span()
        if window.project is None or current is None or current.state not in CONFIRMED_STATES:
            window.say("Select a confirmed span first: its text is then suggested in every unfinished document")
            return
        from annotator.nlp.propagate import propagate_span

        project, span_id = window.project, current.id
        window.jobs.run(
            "Suggesting everywhere",
            lambda progress, cancelled: propagate_span(project, span_id, scope="project"),
            lambda report: (window.after_job(), window.say(report.summary(), 0)),
        )

    # ------------------------------------------------------------------ report
    def show_report(self) -> None:
        if self.window.project is None:
            return
        self.report_dialog = ModelReportDialog(self.window.project, self.window)
        self.report_dialog.open()


class ModelReportDialog(QDialog):
    """The models of the project, and what reviewers did with the suggestions per label."""

    def __init__(self, project, parent: QWidget | None = None):
        super().__init__(parent)
        from annotator.evaluation.suggestion_report import KINDS, suggestion_report
        from annotator.store.models import list_models

        self.setWindowTitle("Models, suggestions and pace")
        models = list_models(project)
        self.models_table = _table(
            ["Version", "Created", "From", "Documents", "Tokens", "Labels", "Dev F1", "Seconds"],
            [[m.version, m.created_at[:19].replace("T", " "), m.base, f"{m.documents:,}", f"{m.tokens:,}",
              str(len(m.labels)), _f1(m.scores), "-" if m.train_seconds is None else f"{m.train_seconds:.0f}"]
             for m in models],
        )
        from annotator.store.models import suggesting_version

        using = suggesting_version(project)
        using = "the bundled ThaiNER model" if using == "bundled" else using
        self.report = suggestion_report(project)
        heads = ["Label", "Accepted", "Label changed", "Boundary changed", "Both changed", "False", "Missed",
                 "Open", "Acceptance"]
        rows = [[label] + [str(counts[k]) for k in KINDS] + ["-" if rate is None else f"{100 * rate:.1f}%"]
                for label, counts, rate in self.report.rows()]
        self.report_table = _table(heads, rows)
        from annotator.store.activity import pace

        self.pace = pace(project)
        self.pace_table = _table(
            ["Annotator", "Active", "Documents", "Decided", "Per hour"]
            + [f"{label} per hour" for label in self.pace.labels],
            [[a, _hours(self.pace.seconds.get(a, 0.0)), str(self.pace.documents.get(a, 0)),
              str(sum(self.pace.decided.get(a, {}).values())), _rate(self.pace.per_hour(a))]
             + [_rate(self.pace.per_hour(a, label)) for label in self.pace.labels]
             for a in self.pace.annotators]
            + [["All", _hours(sum(self.pace.seconds.values())), "", "", ""]
               + [_rate(self.pace.label_per_hour(label)) for label in self.pace.labels]],
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Suggestions now come from {using}."))
        layout.addWidget(self.models_table, 1)
        layout.addWidget(QLabel("What reviewers did with the suggestions (per label of the suggestion;"
                                " missed: spans a person made where nothing was suggested)"))
        layout.addWidget(self.report_table, 2)
        layout.addWidget(QLabel("Pace: entities decided (accepted, corrected, made or rejected) per hour of"
                                " active review time; pauses over a minute are left out"))
        layout.addWidget(self.pace_table, 1)
        layout.addWidget(buttons)
        self.resize(820, 680)


class ModelChoiceDialog(QDialog):
    """Pick the model that makes the suggestions: arrows and Return, or a double click."""

    def __init__(self, project, parent: QWidget | None = None):
        super().__init__(parent)
        from annotator.store.models import BUNDLED, VERSION_PREFIX, list_models, suggesting_version

        self.setWindowTitle("Suggest with")
        using = suggesting_version(project)
        current = using.removeprefix(VERSION_PREFIX)  # "bundled" or the model id
        self.list = QListWidget()
        choices = [(BUNDLED, "Bundled ThaiNER 1.5.1 model (no training)")]
        for m in reversed(list_models(project)):
            bundled = m.scores.get("bundled", {}).get("micro")
            judged = m.scores.get("judged")
            facts = [f"from {m.base}", f"{m.documents:,} documents", f"held-out F1 {_f1(m.scores)}"]
            if bundled:
                facts.append(f"bundled there {bundled['f1']:.3f}")
            if judged:
                facts.append(f"{judged['documents']} documents judged")
            choices.append((str(m.id), f"{m.version}  ({', '.join(facts)}; {m.created_at[:16].replace('T', ' ')})"))
        for key, text in choices:
            item = QListWidgetItem(("● " if key == current else "   ") + text)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.list.addItem(item)
            if key == current:
                self.list.setCurrentItem(item)
        self.list.itemActivated.connect(lambda _item: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Which model makes the suggestions (● now)? Documents nobody has reviewed"
                                " are then suggested again; reviewed ones are left alone."))
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.list.setFocus()
        self.resize(720, 320)

    def chosen(self) -> str:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else "bundled"


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _hours(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min {int(seconds % 60)} s"


def _f1(scores: dict) -> str:
    micro = scores.get("exact", {}).get("micro")
    return f"{micro['f1']:.3f}" if micro else "-"


def _table(heads: list[str], rows: list[list[str]]) -> QTableWidget:
    table = QTableWidget(len(rows), len(heads))
    table.setHorizontalHeaderLabels(heads)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(value))
    table.resizeColumnsToContents()
    return table
