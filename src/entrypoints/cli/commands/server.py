"""Serving the HTTP API."""

from __future__ import annotations

import gc
import logging
import signal
from types import FrameType
from typing import Annotated, Any

import structlog
import typer
import uvicorn

from entrypoints.cli.context import settings
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.http.logging import get_logger


def server_log_config(level: str) -> dict[str, Any]:
    """Return a logging configuration that writes the server's own records as JSON lines on stderr."""
    # Uvicorn's plain-text lines would otherwise break the one-JSON-object-per-line contract of the access log.
    stamped = [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": structlog.stdlib.ProcessorFormatter,
                "foreign_pre_chain": stamped,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,
                    structlog.processors.JSONRenderer(),
                ],
            }
        },
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "loggers": {"uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False}},
        "root": {"handlers": ["stderr"], "level": "WARNING"},
    }


def _stopped(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


# Allocations (net of frees) between two young-generation collections; Python's default is 700.
GC_YOUNG_THRESHOLD = 10_000


def settle_heap() -> None:
    """Take what start-up built (modules, the app, its schema, code sets) out of the garbage collector's sight.

    A full collection walks every tracked object; with everything the server loads that took about 100 ms,
    and under load the objects of requests in flight, promoted collection after collection, started one
    every second or two: the 100 ms latency spikes and nearly a tenth of the CPU (docs/benchmarks.md).
    Frozen objects are never collected again, so this runs once, when start-up garbage is gone. A request
    allocates thousands of objects, nearly all freed by reference counting; collecting the young generation
    every 700 net allocations caught the objects of requests in flight and promoted them for nothing.
    """
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default IVR_HOST or 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (default IVR_PORT or 8000).")] = None,
) -> None:
    """Serve the HTTP API until interrupted, logging JSON lines on stderr."""
    # The flags stand for IVR_HOST and IVR_PORT, so what defaults to them (IVR_PUBLIC_URL, in reset links) follows.
    flags = {"IVR_HOST": host} if host else {}
    if port is not None:
        flags["IVR_PORT"] = str(port)
    loaded = settings(flags)
    level = loaded.log_level if loaded.log_level in logging.getLevelNamesMapping() else "INFO"
    bind_host = loaded.http.host
    bind_port = loaded.http.port
    loaded.data_dir.mkdir(parents=True, exist_ok=True)
    container = build_container(loaded)
    app = create_app(container)
    container.code_sets().load()
    settle_heap()
    base = f"http://{bind_host}:{bind_port}"
    get_logger("ivr.server").info("serving", url=base, docs=f"{base}/schema", openapi=f"{base}/schema/openapi.json")
    # Uvicorn catches SIGTERM, drains requests, then re-raises the signal to the handler it found: with the
    # default one a completed, requested stop would end as "killed" (status 143); this one exits 0.
    signal.signal(signal.SIGTERM, _stopped)
    uvicorn.run(
        app,
        host=bind_host,
        port=bind_port,
        access_log=False,
        log_config=server_log_config(level),
        server_header=False,
    )
