"""Audit anchors in memory, for tests and embedding."""

from __future__ import annotations

import threading

from ivr_domain.admin.ports import Anchor


class InMemoryAnchorLog:
    """Anchors in a list."""

    def __init__(self) -> None:
        """Start with none."""
        self.anchors: list[Anchor] = []
        self._lock = threading.Lock()

    def append(self, anchor: Anchor) -> None:
        """Add an anchor."""
        with self._lock:
            self.anchors.append(anchor)

    def read(self) -> list[Anchor]:
        """Return every anchor, oldest first."""
        with self._lock:
            return list(self.anchors)
