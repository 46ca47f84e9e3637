"""Errors with stable codes, and the input problem record importers collect."""

from __future__ import annotations

from dataclasses import dataclass


class AnnotatorError(Exception):
    """Base of every error the program reports to a user. ``code`` is stable (E###)."""

    code = "E000"

    def __str__(self) -> str:  # message first, code for searching logs
        return f"{super().__str__()} [{self.code}]"


class NotAProjectError(AnnotatorError):
    code = "E001"


class SchemaTooNewError(AnnotatorError):
    code = "E002"


class ProjectInUseError(AnnotatorError):
    code = "E003"


class ProjectDamagedError(AnnotatorError):
    """The project file cannot be read as it should: SQLite reports it malformed, or it is
    no longer a database at all (``annotator check`` says more; ``restore`` fixes it)."""

    code = "E004"


class StorageError(AnnotatorError):
    """The project file cannot be written: disk full, file too large, read-only place."""

    code = "E005"


class LabelError(AnnotatorError):
    code = "E010"


class SpanError(AnnotatorError):
    code = "E011"


class OverlapError(SpanError):
    code = "E012"


class AlignmentError(AnnotatorError):
    """A span edge does not fall on a token boundary and the codec refuses to guess."""

    code = "E020"


class FormatError(AnnotatorError):
    code = "E030"


class ClusterError(AnnotatorError):
    """Work on a Dask cluster cannot start: the extra is not installed, or the scheduler
    cannot be reached."""

    code = "E040"


class Cancelled(AnnotatorError):
    code = "E099"


@dataclass(frozen=True)
class _Located:
    """A message about an input, named by file and line (line 0: the whole file)."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class InputProblem(_Located):
    """One refused input, named by file and line (line 0: the whole file)."""


class InputFileError(AnnotatorError):
    """A whole file is refused; carries where and why."""

    code = "E031"

    def __init__(self, path: str, line: int, message: str):
        self.problem = InputProblem(str(path), line, message)
        super().__init__(str(self.problem))


@dataclass(frozen=True)
class InputNotice(_Located):
    """Something a reader did that the user should know of but that refuses nothing: how a
    file's spaces were rebuilt, annotations of kinds this program does not keep."""
