"""The window (PySide6). Only this package imports Qt; everything it shows or changes
goes through :class:`annotator.store.project.Project`. Start it with
:func:`annotator.gui.app.run`."""
