"""The keys of every command, as the user has chosen them.

:data:`actions.ACTIONS` holds the default keys; a user can rebind any command (Help →
Keyboard shortcuts → Change key…), for instance when the desktop takes Alt+Shift+arrows.
The choices live in QSettings under ``shortcuts/<command name>`` ("" means no key), so
they follow the user, not the project. Two commands never share a key, nor a command and
a label hotkey: Qt would then run neither.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from PySide6.QtCore import QSettings
from PySide6.QtGui import QKeySequence

from annotator.gui import actions as table

GROUP = "shortcuts"
_SEPARATOR = ";"


def portable(key: str) -> str:
    """One spelling of a key (Ctrl+Shift+Z, whatever way it was written)."""
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.PortableText)


class KeymapError(ValueError):
    """A key that cannot be bound, with the reason in words."""


class Keymap:
    """Default keys of :data:`actions.ACTIONS` with the user's overrides."""

    def __init__(self, overrides: Mapping[str, Iterable[str]] | None = None):
        known = {spec.name for spec in table.ACTIONS}
        self.overrides: dict[str, tuple[str, ...]] = {
            name: tuple(keys) for name, keys in (overrides or {}).items() if name in known
        }
        self._reserved: frozenset[str] = frozenset()
        self._reserved_for: tuple | None = None

    # ---------------------------------------------------------------- settings
    @classmethod
    def load(cls) -> "Keymap":
        settings = QSettings()
        settings.beginGroup(GROUP)
        overrides = {}
        for name in settings.childKeys():
            value = str(settings.value(name, "") or "")
            overrides[name] = tuple(k for k in value.split(_SEPARATOR) if k)
        settings.endGroup()
        keymap = cls(overrides)
        if keymap.duplicates():  # a settings file edited by hand: keep the defaults rather than half a map
            return cls()
        return keymap

    def save(self) -> None:
        settings = QSettings()
        settings.remove(GROUP)
        settings.beginGroup(GROUP)
        for name, keys in sorted(self.overrides.items()):
            settings.setValue(name, _SEPARATOR.join(keys))
        settings.endGroup()
        settings.sync()

    # ------------------------------------------------------------------ reading
    def keys(self, name: str) -> tuple[str, ...]:
        """The keys bound to command ``name`` now."""
        if name in self.overrides:
            return self.overrides[name]
        return table.spec(name).keys

    def changed(self, name: str) -> bool:
        return name in self.overrides and self.overrides[name] != table.spec(name).keys

    def owner(self, key: str, scopes: Iterable[str] | None = None, besides: str | None = None
              ) -> table.ActionSpec | None:
        """The command ``key`` is bound to (only those of ``scopes``, if given; not
        ``besides``), or None."""
        wanted = portable(key)
        for spec in table.ACTIONS:
            if (scopes is not None and spec.scope not in scopes) or spec.name == besides:
                continue
            if any(portable(k) == wanted for k in self.keys(spec.name)):
                return spec
        return None

    def reserved(self) -> frozenset[str]:
        """Every bound key, in portable spelling (label hotkeys must not take one)."""
        key = tuple(sorted(self.overrides.items()))
        if self._reserved_for != key:  # asked once per label: computed once
            self._reserved = frozenset(portable(k) for spec in table.ACTIONS for k in self.keys(spec.name))
            self._reserved_for = key
        return self._reserved

    def duplicates(self) -> list[str]:
        seen: dict[str, str] = {}
        clashes = []
        for spec in table.ACTIONS:
            for key in self.keys(spec.name):
                p = portable(key)
                if p in seen and seen[p] != spec.name:
                    clashes.append(p)
                seen[p] = spec.name
        return clashes

    # ------------------------------------------------------------------ changing
    def bind(self, name: str, key: str, label_hotkeys: Iterable[str] = ()) -> None:
        """Make ``key`` the only key of command ``name``; refuse a key already in use."""
        spec = table.spec(name)
        p = portable(key)
        if not p or QKeySequence(key).count() != 1:
            raise KeymapError(f"“{key}” is not one key")
        owner = self.owner(key, besides=name)
        if owner is not None:
            raise KeymapError(f"{table.key_text(key)} already means “{owner.description}”")
        if p in {portable(h) for h in label_hotkeys if h}:
            raise KeymapError(f"{table.key_text(key)} is a label's hotkey")
        if (p,) == spec.keys:
            self.overrides.pop(name, None)
        else:
            self.overrides[name] = (p,)

    def reset(self, name: str | None = None) -> None:
        """Back to the default keys of ``name``, or of every command when None; refused
        when a default key has since been given to another command."""
        if name is None:
            self.overrides.clear()
            return
        others = Keymap({k: v for k, v in self.overrides.items() if k != name})
        for key in table.spec(name).keys:
            owner = others.owner(key, besides=name)
            if owner is not None:
                raise KeymapError(f"{table.key_text(key)} now means “{owner.description}”; change that first")
        self.overrides.pop(name, None)

__all__ = ["GROUP", "Keymap", "KeymapError", "portable"]
