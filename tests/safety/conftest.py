"""Helpers of the safety tests (hostile.py, edit_burst.py) are imported by name."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
