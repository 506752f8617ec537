"""The worker: procrastinate jobs dispatching outbox events, and the periodic jobs (seal, replay, sequence)."""

from entrypoints.worker.jobs import build_worker_app
from entrypoints.worker.main import drain_jobs, run_worker

__all__ = ["build_worker_app", "drain_jobs", "run_worker"]
