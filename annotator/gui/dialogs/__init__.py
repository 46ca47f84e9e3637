"""Dialogs. Each changes the project only through its public methods."""
