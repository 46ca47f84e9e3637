"""Is there a screen to open the window on? Asked before Qt starts, because Qt's answer
to a missing display or a missing X11 library is to abort the interpreter.

No Qt here: this runs first.
"""

from __future__ import annotations

import ctypes.util
import os
import sys
from typing import Mapping

# The Debian packages the window needs (scripts/setup.sh --system installs them).
SYSTEM_PACKAGES = ("fonts-thai-tlwg", "libegl1", "libgl1", "libxkbcommon-x11-0", "libxcb-cursor0",
                   "libxcb-icccm4", "libxcb-keysyms1", "libxcb-shape0", "libxcb-render-util0",
                   "libxcb-image0", "libxcb-xinerama0", "libxcb-randr0", "libdbus-1-3", "libfontconfig1")
HEADLESS_PLATFORMS = ("offscreen", "minimal", "vnc", "eglfs", "linuxfb")
NO_DISPLAY = ("no display found (DISPLAY and WAYLAND_DISPLAY are not set), so the window cannot open."
              " Run `annotator` in a desktop session, or on a virtual screen: `xvfb-run -a bash scripts/run.sh`."
              " Without a screen, `annotator gui PROJECT --screenshot shot.png` renders the window to a file,"
              " and every other command works as it is.")


def display_problem(environ: Mapping[str, str] = os.environ, platform: str = sys.platform,
                    find_library=ctypes.util.find_library) -> str | None:
    """Why the window cannot open here, in words a user can act on; None if it can."""
    if not platform.startswith("linux"):
        return None
    qpa = environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    if qpa in HEADLESS_PLATFORMS:
        return None
    wayland = bool(environ.get("WAYLAND_DISPLAY")) and qpa in ("", "wayland")
    if not environ.get("DISPLAY") and not wayland:
        return NO_DISPLAY
    if not wayland and find_library("xcb-cursor") is None:
        return ("Qt needs libxcb-cursor0 to open a window on X11, and it is not installed: `sudo apt-get"
                " install libxcb-cursor0` (or, as root, `bash scripts/setup.sh --system`, which installs"
                f" everything the window needs: {', '.join(SYSTEM_PACKAGES)}).")
    return None
