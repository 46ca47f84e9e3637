"""Reusable panels of the main window."""
