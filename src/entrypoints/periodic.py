"""Work the embedded profile does on a timer in the server process (sealing the audit log, replaying the outbox)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import structlog

_log = structlog.get_logger("ivr.periodic")


class PeriodicTask:
    """Runs a job every `interval` seconds on a daemon thread, and once more when stopped."""

    def __init__(self, name: str, job: Callable[[], Any], interval: float) -> None:
        """Prepare the task; nothing runs before `start`."""
        self.name = name
        self._job = job
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the timer thread."""
        self._thread = threading.Thread(target=self._loop, name=f"ivr-{self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the timer and run the job a last time, so nothing waits for the next start."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self._interval + 30)
        self.run_once()

    def run_once(self) -> None:
        """Run the job, logging (never raising) a failure: the next tick tries again."""
        try:
            self._job()
        except Exception as exc:  # a timer must survive a failed pass (database busy, disk full)
            _log.warning("periodic task failed", task=self.name, error=type(exc).__name__)

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            self.run_once()
