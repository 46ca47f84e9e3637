"""The project file: one SQLite database, its schema, migrations and typed access."""

__all__ = ["Project"]


def __getattr__(name: str):
    # Loaded on first use: worker processes import store modules (token_cache) that need
    # neither sqlite-utils nor the Project class.
    if name == "Project":
        from .project import Project

        return Project
    raise AttributeError(name)
