"""An older git revision's code beside this checkout, for the benchmarks' ``--before``:
a temporary worktree, its C extension built when it has one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def add_worktree(root: Path, tree: Path, rev: str, build: bool = False) -> Path:
    """Check out ``rev`` of the repository at ``root`` into ``tree`` (one a killed run left
    there is removed first); ``build``: compile its extension in place, if it has one."""
    if tree.exists():
        remove_worktree(root, tree)
    subprocess.run(["git", "-C", str(root), "worktree", "prune"], check=False)
    subprocess.run(["git", "-C", str(root), "worktree", "add", "--detach", str(tree), rev],
                   check=True, capture_output=True)
    if build and (tree / "setup.py").exists():
        subprocess.run([sys.executable, "setup.py", "-q", "build_ext", "--inplace"], cwd=tree,
                       check=False, capture_output=True)
    return tree


def remove_worktree(root: Path, tree: Path) -> None:
    subprocess.run(["git", "-C", str(root), "worktree", "remove", "--force", str(tree)], check=False)
