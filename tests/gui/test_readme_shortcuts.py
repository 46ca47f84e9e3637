"""The README's shortcut sheet lists every key the window binds."""

from pathlib import Path

from annotator.gui.actions import ACTIONS

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_action_key_is_in_the_readme():
    text = README.read_text(encoding="utf-8")
    sheet = text[text.index("## Keyboard shortcuts"):]
    missing = [(a.name, k) for a in ACTIONS for k in a.keys if f"`{k}`" not in sheet]
    assert missing == []
