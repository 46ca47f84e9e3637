"""The ``annotator`` command, one module per area of commands (see :mod:`annotator.cli.main`)."""

from annotator.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
