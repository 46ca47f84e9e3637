"""Long-running work as plain functions taking ``progress`` and ``cancelled`` callbacks.

The CLI prints their progress; the window runs them in a worker thread.
"""
