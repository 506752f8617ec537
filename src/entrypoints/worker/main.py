"""Running procrastinate workers: until stopped (`ivr worker`), or until the queue is empty (tests, one-offs)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapters.events import EVENTS_QUEUE, MAINTENANCE_QUEUE
from entrypoints.worker.jobs import build_worker_app

if TYPE_CHECKING:
    from entrypoints.container import Container


def run_worker(container: Container, *, concurrency: int | None = None, name: str | None = None) -> None:
    """Run one worker until SIGINT or SIGTERM (graceful: running jobs finish); several may run at once."""
    jobs_at_once = concurrency or container.settings().events.worker_concurrency
    app = build_worker_app(container, concurrency=jobs_at_once)
    app.run_worker(
        queues=[EVENTS_QUEUE, MAINTENANCE_QUEUE],
        concurrency=jobs_at_once,
        name=name,
        install_signal_handlers=True,
    )


def drain_jobs(container: Container) -> None:
    """Run the event jobs waiting now, then return: no periodic jobs, no signal handlers."""
    app = build_worker_app(container, periodic=False, concurrency=1)
    app.run_worker(
        queues=[EVENTS_QUEUE],
        concurrency=1,
        wait=False,
        listen_notify=False,
        install_signal_handlers=False,
    )
