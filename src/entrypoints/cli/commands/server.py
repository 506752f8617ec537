"""Serving the HTTP API."""

from __future__ import annotations

import logging
import os
import signal
from types import FrameType
from typing import Annotated, Any

import structlog
import typer
import uvicorn

from entrypoints.cli.context import load_keys, make_data_dir, settings
from entrypoints.container import build_container
from entrypoints.http.logging import configure_logging, get_logger
from entrypoints.http.serving import serving_app

WORKER_APP = "entrypoints.http.serving:worker_app"
# A spawned worker imports the whole platform before it can answer uvicorn's health check; on a busy machine that
# takes longer than uvicorn's 5 s default, which would kill and respawn the workers forever. A hung worker is still
# replaced, after this long.
WORKER_HEALTHCHECK_SECONDS = 30


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


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default IVR_HOST or 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (default IVR_PORT or 8000).")] = None,
    workers: Annotated[
        int | None,
        typer.Option(help="Server processes sharing the port (default IVR_WORKERS or 1); above 1 needs IVR_REDIS_URL."),
    ] = None,
) -> None:
    """Serve the HTTP API until interrupted, logging JSON lines on stderr."""
    # The flags stand for IVR_HOST, IVR_PORT and IVR_WORKERS, so what defaults to them (IVR_PUBLIC_URL) follows.
    flags = {"IVR_HOST": host} if host else {}
    if port is not None:
        flags["IVR_PORT"] = str(port)
    if workers is not None:
        flags["IVR_WORKERS"] = str(workers)
    loaded = settings(flags)
    level = loaded.log_level if loaded.log_level in logging.getLevelNamesMapping() else "INFO"
    configure_logging(loaded.log_level)  # JSON lines from the first one (key files made at a first start log)
    bind_host = loaded.http.host
    bind_port = loaded.http.port
    make_data_dir(loaded)
    container = build_container(loaded)
    # A first start makes its key files here, once (before any workers could race to make them), or says why not.
    load_keys(container)
    base = f"http://{bind_host}:{bind_port}"
    options: dict[str, Any] = {
        "host": bind_host,
        "port": bind_port,
        "access_log": False,
        "log_config": server_log_config(level),
        "server_header": False,
    }
    if loaded.http.workers > 1:
        # Each worker builds its own container from the environment, as this process read it.
        os.environ.update(flags)
        get_logger("ivr.server").info("serving", url=base, workers=loaded.http.workers, docs=f"{base}/schema")
        uvicorn.run(
            WORKER_APP,
            factory=True,
            workers=loaded.http.workers,
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
            **options,
        )
        return
    app = serving_app(container)
    get_logger("ivr.server").info("serving", url=base, docs=f"{base}/schema", openapi=f"{base}/schema/openapi.json")
    # Uvicorn catches SIGTERM, drains requests, then re-raises the signal to the handler it found: with the
    # default one a completed, requested stop would end as "killed" (status 143); this one exits 0.
    signal.signal(signal.SIGTERM, _stopped)
    uvicorn.run(app, **options)
