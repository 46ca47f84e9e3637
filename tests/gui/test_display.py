"""Without a screen the window says so plainly instead of letting Qt abort."""

import os
import subprocess
import sys

from annotator.gui.display import NO_DISPLAY, display_problem

ALWAYS = lambda name: f"lib{name}.so"  # noqa: E731
NEVER = lambda name: None  # noqa: E731


def test_no_display_is_named_with_what_to_do():
    assert display_problem({}, "linux", ALWAYS) == NO_DISPLAY
    assert "xvfb-run" in NO_DISPLAY and "--screenshot" in NO_DISPLAY
    assert display_problem({"DISPLAY": ":0"}, "linux", ALWAYS) is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux", NEVER) is None
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux", NEVER) is None
    assert display_problem({}, "darwin", NEVER) is None


def test_a_missing_xcb_library_is_named_with_its_package():
    problem = display_problem({"DISPLAY": ":0"}, "linux", NEVER)
    assert "libxcb-cursor0" in problem and "apt-get install" in problem


def test_the_command_refuses_cleanly_without_a_screen(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["HOME"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-m", "annotator", "gui", str(tmp_path / "x.annot")], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "no display found" in done.stderr
    assert "Aborted" not in done.stderr and "xcb" not in done.stderr
