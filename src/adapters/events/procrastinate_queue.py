"""Procrastinate on PostgreSQL: a dispatch job per event, deferred on the change's own connection.

Procrastinate's `SyncPsycopgConnector` runs a defer on a connection it is handed, so the job row is
written in the same transaction as the change and its outbox row: both commit, or neither does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from procrastinate import App, PsycopgConnector, SyncPsycopgConnector
from procrastinate.types import JSONValue
from sqlalchemy.engine import make_url

from ivr_domain.shared.ids import EventId

DISPATCH_TASK = "ivr.dispatch_event"
EVENTS_QUEUE = "events"
MAINTENANCE_QUEUE = "maintenance"


class ProcrastinateJobQueue:
    """Defers dispatch jobs; never opens a pool of its own (every defer is given a connection)."""

    def __init__(self) -> None:
        """Prepare an app that only defers, by task name (the worker defines the tasks)."""
        self._app = App(connector=SyncPsycopgConnector())

    def enqueue(self, connection: Any, event_ids: Sequence[EventId]) -> None:
        """Defer one dispatch job per event on this psycopg connection, inside its open transaction."""
        deferrer = self._app.configure_task(DISPATCH_TASK, queue=EVENTS_QUEUE, connection=connection)
        jobs: list[dict[str, JSONValue]] = [{"event_id": str(event_id)} for event_id in event_ids]
        deferrer.batch_defer(*jobs)


def conninfo(database_url: str) -> str:
    """Return the libpq connection string of a SQLAlchemy PostgreSQL URL."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError("procrastinate needs PostgreSQL")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def worker_connector(database_url: str, *, max_size: int) -> PsycopgConnector:
    """Return the asynchronous connector a worker fetches and finishes jobs with."""
    return PsycopgConnector(conninfo=conninfo(database_url), min_size=1, max_size=max_size)


def cron_every(seconds: float) -> str:
    """Return a cron line (procrastinate's 6th field is seconds) firing about every `seconds`.

    Each step is a field's `*/n`, which restarts at the top of the next larger unit: the interval is rounded
    down to whole minutes, hours or days, and one that does not divide that unit is shorter once per cycle.
    """
    step = max(1, round(seconds))
    if step < 60:
        return f"* * * * * */{step}"
    if step < 3600:
        return f"*/{step // 60} * * * *"
    if step < 86400:
        return f"0 */{step // 3600} * * *"
    return f"0 0 */{step // 86400} * *"
