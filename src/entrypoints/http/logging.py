"""Structured JSON logs on stderr, and one access line per request: no bodies, no query strings, no PHI."""

from __future__ import annotations

import logging as stdlib_logging
import sys
import time
from typing import Any

import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.http.context import begin, correlation_id_from

CORRELATION_HEADER = "x-correlation-id"


class _StderrLoggerFactory:
    """Looks up `sys.stderr` when a logger is made, so redirected streams (tests, daemons) are honoured."""

    def __call__(self, *args: Any) -> structlog.PrintLogger:
        return structlog.PrintLogger(sys.stderr)


def configure_logging(level: str = "INFO") -> None:
    """Send structlog events as JSON lines to stderr, with the request's correlation id merged in."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(stdlib_logging.getLevelNamesMapping().get(level, 20)),
        logger_factory=_StderrLoggerFactory(),
        cache_logger_on_first_use=False,
    )


def get_logger(name: str) -> Any:
    """Return a structlog logger named after its component."""
    return structlog.get_logger(name)


_access = get_logger("ivr.access")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


class RequestLogMiddleware:
    """Gives each request a correlation id (echoed in `X-Correlation-Id`) and writes its access log line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request inside its context and log method, path, status, duration and user."""
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        context = begin(correlation_id_from(_header(scope, CORRELATION_HEADER.encode())))
        tokens = structlog.contextvars.bind_contextvars(correlation_id=context.correlation_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [h for h in message.get("headers", []) if bytes(h[0]).lower() != CORRELATION_HEADER.encode()]
                headers.append((CORRELATION_HEADER.encode(), context.correlation_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _access.info(
                "request",
                method=scope.get("method"),
                path=scope.get("path"),
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
                user_id=context.user_id,
            )
            structlog.contextvars.reset_contextvars(**tokens)
