"""The project file: one SQLite database, its schema, migrations and typed access."""

from .project import Project

__all__ = ["Project"]
