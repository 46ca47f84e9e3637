"""Subcommands of `annotator` for this area; registered by annotator.cli.build_parser."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add this area's subcommands to the parser."""
