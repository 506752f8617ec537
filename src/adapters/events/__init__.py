"""Event dispatch: in this process after commit (SQLite, memory), or as procrastinate jobs (PostgreSQL)."""

from adapters.events.inprocess import InProcessDispatcher
from adapters.events.procrastinate_queue import (
    DISPATCH_TASK,
    EVENTS_QUEUE,
    MAINTENANCE_QUEUE,
    ProcrastinateJobQueue,
    cron_every,
    worker_connector,
)

__all__ = [
    "DISPATCH_TASK",
    "EVENTS_QUEUE",
    "MAINTENANCE_QUEUE",
    "InProcessDispatcher",
    "ProcrastinateJobQueue",
    "cron_every",
    "worker_connector",
]
