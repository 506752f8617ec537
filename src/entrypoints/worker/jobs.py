"""The worker's tasks: each resolves one service from the container; an exception means "retry later".

Delivery is at least once. A job may run twice (a retry after a lost acknowledgement, a worker killed
mid-job, a replay racing a job); the handlers are idempotent by event id, so a repeat changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

import structlog
from procrastinate import App, RetryStrategy

from adapters.events import DISPATCH_TASK, EVENTS_QUEUE, MAINTENANCE_QUEUE, cron_every, worker_connector
from ivr_domain.shared.ids import EventId

if TYPE_CHECKING:
    from entrypoints.container import Container

_log = structlog.get_logger("ivr.worker")

SEAL_TASK = "ivr.seal_audit_log"
OUTBOX_TASK = "ivr.outbox_maintenance"
STALLED_TASK = "ivr.retry_stalled_jobs"
EXPIRY_TASK = "ivr.expire_lapsed_ivrs"


def build_worker_app(container: Container, *, periodic: bool = True, concurrency: int | None = None) -> App:
    """Return a procrastinate app whose tasks run against this container's services, `concurrency` jobs at once."""
    settings = container.settings()
    events = settings.events
    # One connection per concurrent job, plus the listener, the periodic deferrer and the heartbeat.
    jobs_at_once = concurrency or events.worker_concurrency
    app = App(connector=worker_connector(settings.database_url, max_size=jobs_at_once + 3))
    retry = RetryStrategy(max_attempts=events.retry_attempts, exponential_wait=events.retry_base_seconds)

    @app.task(name=DISPATCH_TASK, queue=EVENTS_QUEUE, retry=retry)
    def dispatch_event(event_id: str) -> bool:
        """Hand one committed event to its handlers; raising makes procrastinate retry with backoff."""
        return container.event_dispatcher().dispatch(EventId(UUID(event_id)))

    if not periodic:
        return app

    if settings.audit.seal_interval_seconds > 0:

        @app.periodic(cron=cron_every(settings.audit.seal_interval_seconds), periodic_id="seal")
        @app.task(name=SEAL_TASK, queue=MAINTENANCE_QUEUE, queueing_lock=SEAL_TASK)
        def seal_audit_log(timestamp: int) -> int:
            """Seal the audit entries committed since the last pass into the chain."""
            return container.audit_sealer().seal_all()

    if settings.ivr_expiry_seconds > 0:

        @app.periodic(cron=cron_every(settings.ivr_expiry_seconds), periodic_id="ivr-expiry")
        @app.task(name=EXPIRY_TASK, queue=MAINTENANCE_QUEUE, queueing_lock=EXPIRY_TASK)
        def expire_lapsed_ivrs(timestamp: int) -> int:
            """Expire the approved IVRs whose validity has passed."""
            return container.expire_lapsed_ivrs()()

    if events.replay_interval_seconds > 0:
        grace = timedelta(seconds=events.replay_after_seconds)

        @app.periodic(cron=cron_every(events.replay_interval_seconds), periodic_id="outbox")
        @app.task(name=OUTBOX_TASK, queue=MAINTENANCE_QUEUE, queueing_lock=OUTBOX_TASK)
        def outbox_maintenance(timestamp: int) -> dict[str, int]:
            """Replay events left undispatched past the grace period (a lost job), then sequence the outbox."""
            replayed = container.event_dispatcher().replay_all(older_than=grace)
            sequenced = container.event_sequencer().sequence_all()
            with container.uow() as uow:
                backlog = uow.outbox_records.count_undispatched()
            if replayed.dispatched or replayed.failed:
                _log.info("outbox replayed", dispatched=replayed.dispatched, failed=replayed.failed, backlog=backlog)
            return {"replayed": replayed.dispatched, "failed": replayed.failed, "sequenced": sequenced}

        @app.periodic(cron=cron_every(events.replay_interval_seconds), periodic_id="stalled")
        @app.task(name=STALLED_TASK, queue=MAINTENANCE_QUEUE, queueing_lock=STALLED_TASK)
        async def retry_stalled_jobs(timestamp: int) -> int:
            """Put back in the queue the jobs of workers that stopped sending heartbeats (killed, lost)."""
            stalled: list[Any] = list(
                await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=events.stalled_after_seconds)
            )
            for job in stalled:
                await app.job_manager.retry_job(job)
            return len(stalled)

    return app
