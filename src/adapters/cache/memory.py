"""Fixed-window counters in process memory: one process, tests and demos."""

from __future__ import annotations

import math
import threading
from datetime import datetime, timedelta

from ivr_domain.shared.clock import Clock

# Expired entries are swept every this many increments, so abandoned keys cannot grow the dict forever.
_SWEEP_EVERY = 1024


class InMemoryCounterStore:
    """Counters that expire a fixed window after their first increment; thread-safe."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[int, datetime]] = {}
        self._increments = 0

    def increment(self, key: str, *, window_seconds: int) -> int:
        """Add one to `key` and return its count; a new key expires after the window."""
        if window_seconds <= 0:
            raise ValueError("window_seconds must be positive")
        now = self._clock.now()
        with self._lock:
            self._increments += 1
            if self._increments % _SWEEP_EVERY == 0:
                self._sweep(now)
            entry = self._live(key, now)
            entry = (1, now + timedelta(seconds=window_seconds)) if entry is None else (entry[0] + 1, entry[1])
            self._entries[key] = entry
            return entry[0]

    def count(self, key: str) -> int:
        """Return the current count of `key`, 0 when absent or expired."""
        with self._lock:
            entry = self._live(key, self._clock.now())
        return 0 if entry is None else entry[0]

    def retry_after(self, key: str) -> int:
        """Return the whole seconds (rounded up) until `key` expires, 0 when absent."""
        now = self._clock.now()
        with self._lock:
            entry = self._live(key, now)
        if entry is None:
            return 0
        return max(1, math.ceil((entry[1] - now).total_seconds()))

    def clear(self, key: str) -> None:
        """Forget `key`."""
        with self._lock:
            self._entries.pop(key, None)

    def _live(self, key: str, now: datetime) -> tuple[int, datetime] | None:
        entry = self._entries.get(key)
        if entry is None or entry[1] <= now:
            return None
        return entry

    def _sweep(self, now: datetime) -> None:
        for key in [key for key, (_, expires) in self._entries.items() if expires <= now]:
            del self._entries[key]
