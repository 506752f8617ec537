"""`ivr worker`: procrastinate workers on PostgreSQL; on SQLite the server dispatches in-process."""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import structlog
import typer

from entrypoints.cli.context import container, error, settings
from entrypoints.worker import run_worker


def worker(
    concurrency: Annotated[
        int | None,
        typer.Option(
            min=1, max=256, help="Jobs run at once by this worker (default IVR_WORKER_CONCURRENCY or 4; at most 256)."
        ),
    ] = None,
    name: Annotated[str | None, typer.Option(help="A name for this worker in logs and procrastinate's tables.")] = None,
) -> None:
    """Dispatch committed events and run the periodic jobs until stopped; start as many as you need."""
    # Decided from the settings alone: on SQLite there is nothing to check, migrate or key before saying so.
    if settings().events.dispatch != "procrastinate":
        error(
            "no worker is needed here: with SQLite (or IVR_EVENTS_DISPATCH=inline) the server dispatches events "
            "in-process after each commit and replays leftovers at start-up and every IVR_OUTBOX_REPLAY_SECONDS"
        )
    built = container()
    # Procrastinate reports through the standard library: its job lines go to stderr at the configured level.
    logging.basicConfig(stream=sys.stderr, level=built.settings().log_level, format="%(asctime)s %(name)s %(message)s")
    structlog.get_logger("ivr.worker").info("worker starting", concurrency=concurrency, name=name)
    run_worker(built, concurrency=concurrency, name=name)
