"""The embedded dispatcher: committed events are handed to their handlers on one background thread.

Nothing here is durable: the outbox is. A crash between a commit and its dispatch leaves the row
undispatched, and the replay at the next start (or on the timer) delivers it.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from datetime import timedelta

import structlog

from ivr_domain.shared.ids import EventId

_log = structlog.get_logger("ivr.events")

_Work = EventId | timedelta | None  # an event to dispatch, a replay of rows older than this, or stop


class InProcessDispatcher:
    """Dispatches after commit on its own thread once started; before that (or after), inline in the caller."""

    def __init__(
        self, dispatch: Callable[[EventId], object], replay: Callable[[timedelta], object], *, name: str = "events"
    ) -> None:
        """Take the dispatcher's two operations; nothing runs before `start` or `notify`."""
        self._dispatch = dispatch
        self._replay = replay
        self._name = name
        self._queue: queue.Queue[_Work] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.stop_timeout = 30.0

    @property
    def running(self) -> bool:
        """Tell whether the background thread is taking work."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread; its first work is a replay of everything left undispatched."""
        with self._lock:
            if self.running:
                return
            self._thread = threading.Thread(target=self._loop, name=f"ivr-{self._name}", daemon=True)
            self._thread.start()
        self._queue.put(timedelta(0))

    def stop(self) -> None:
        """Finish the queued work (waiting at most `stop_timeout` seconds), then stop the thread."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is None:
            return
        self._queue.put(None)
        thread.join(timeout=self.stop_timeout)

    def notify(self, event_ids: Sequence[EventId]) -> None:
        """Hear of committed events: queue them, or dispatch them now when no thread runs (a CLI command)."""
        for event_id in event_ids:
            if self.running:
                self._queue.put(event_id)
            else:
                self._work(event_id)

    def replay_soon(self, older_than: timedelta = timedelta(0)) -> None:
        """Ask for a replay of rows left undispatched longer than `older_than`."""
        if self.running:
            self._queue.put(older_than)
        else:
            self._work(older_than)

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until the queued work is done; False when it was not done in time."""
        done = threading.Event()

        def wait() -> None:
            self._queue.join()
            done.set()

        threading.Thread(target=wait, daemon=True).start()
        return done.wait(timeout)

    def _loop(self) -> None:
        while True:
            work = self._queue.get()
            try:
                if work is None:
                    return
                self._work(work)
            finally:
                self._queue.task_done()

    def _work(self, work: EventId | timedelta) -> None:
        try:
            if isinstance(work, timedelta):
                self._replay(work)
            else:
                self._dispatch(work)
        except Exception as exc:  # the outbox keeps the event: a later replay delivers it
            event_id = None if isinstance(work, timedelta) else str(work)
            _log.warning("event dispatch failed", event_id=event_id, error=type(exc).__name__)
