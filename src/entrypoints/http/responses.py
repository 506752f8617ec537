"""Rendering problems and turning every exception, Litestar's own included, into one."""

from __future__ import annotations

import traceback
from http import HTTPStatus
from typing import Any

import redis
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    ValidationException,
)
from sqlalchemy import exc as db

from entrypoints.http.context import current
from entrypoints.http.logging import get_logger
from entrypoints.http.problems import PROBLEM_MEDIA_TYPE, EdgeRefusal, ProblemError, unauthenticated

_log = get_logger("ivr.http")

RETRY_AFTER_SECONDS = 5
_PARAMETER_SOURCES = frozenset({"path", "query", "header", "cookie"})
# Failures to reach or use a dependency at all, not mistakes in what was asked of it (those stay 500s).
_DOWN = (
    db.OperationalError,
    db.InterfaceError,
    db.TimeoutError,
    db.DisconnectionError,
    redis.ConnectionError,
    redis.TimeoutError,
)


def problem_response(request: Request[Any, Any, Any], problem: ProblemError) -> Response[bytes]:
    """Render a problem for this request: its path as `instance`, and its correlation id."""
    return Response(
        content=problem.encode(request.url.path, current().correlation_id),
        status_code=problem.status_code,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=problem.headers or {},
    )


def _parameter_errors(exc: ValidationException) -> list[dict[str, str]]:
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if not isinstance(item, dict) or "key" not in item:
            continue
        missing = "missing" in str(item.get("message", "")).lower()
        source = str(getattr(item.get("source"), "value", item.get("source", "")))
        # Litestar's messages may quote the value sent; only the parameter's name goes back.
        error = {"field": str(item["key"])}
        if source in _PARAMETER_SOURCES:  # the published schema lists these values only
            error["source"] = source
        errors.append(error | {"message": "is required" if missing else "is not a valid value"})
    return errors


def dependency_down(exc: BaseException) -> bool:
    """Tell whether an exception, or one it was raised from or during, says the database or Redis is out of reach."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _DOWN) or (isinstance(current, db.DBAPIError) and current.connection_invalidated):
            return True
        current = current.__cause__ or current.__context__
    return False


def service_unavailable() -> ProblemError:
    """Return the 503 problem of a dependency that is down; it names none and quotes nothing."""
    return ProblemError(
        503,
        "service_unavailable",
        "Service unavailable",
        "a service the API depends on is unavailable; try again later",
        extra={"retry_after": RETRY_AFTER_SECONDS},
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def as_problem(exc: BaseException) -> ProblemError:
    """Return the problem answering an exception; a dependency that is down is a 503, anything else unexpected a 500."""
    if isinstance(exc, ProblemError):
        return exc
    if dependency_down(exc):
        return service_unavailable()
    if isinstance(exc, ValidationException):
        return ProblemError.bad_request(
            "invalid_parameters", "some path, query or header parameters are not valid", errors=_parameter_errors(exc)
        )
    if isinstance(exc, NotAuthorizedException):
        return unauthenticated()
    if isinstance(exc, NotFoundException):
        return ProblemError(404, "not_found", "Not found", "no resource at this path")
    if isinstance(exc, MethodNotAllowedException):
        headers = dict(exc.headers or {})
        return ProblemError(
            405, "method_not_allowed", "Method not allowed", "this path does not accept this method", headers=headers
        )
    if isinstance(exc, HTTPException) and exc.status_code in _STABLE_CODES:
        code, title = _STABLE_CODES[exc.status_code]
        return ProblemError(exc.status_code, code, title, title.lower(), headers=exc.headers)
    if isinstance(exc, HTTPException) and exc.status_code < 500:
        phrase = HTTPStatus(exc.status_code).phrase
        code = phrase.lower().replace(" ", "_").replace("-", "_")
        return ProblemError(exc.status_code, code, phrase, phrase.lower(), headers=exc.headers)
    return ProblemError(
        500, "internal_error", "Internal server error", "an unexpected error occurred; quote the correlation id"
    )


# Named here, not from HTTPStatus: Python 3.13 renamed 413's phrase ("Content Too Large"), and codes must not move.
_STABLE_CODES = {
    413: ("request_entity_too_large", "Request entity too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
}


def _audit_edge_refusal(request: Request[Any, Any, Any], refusal: EdgeRefusal) -> None:
    """Record a refusal the edge made before any use case ran: it changes nothing but the audit log."""
    actor = current().actor
    trail = getattr(request.app.state, "audit_trail", None)
    if actor is None or trail is None:
        return
    about = refusal.about
    trail().refused(
        actor,
        about.action,
        refusal.error,
        resource_type=about.resource_type,
        resource_id=about.resource_id,
        patients=about.patients,
    )


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """Answer any exception with a problem; unexpected ones are logged by type and frames, never message or source."""
    problem = as_problem(exc)
    if isinstance(exc, EdgeRefusal):
        _audit_edge_refusal(request, exc)
    if problem.status_code >= 500:
        _log.error(
            "dependency_unavailable" if problem.status_code == 503 else "unhandled_exception",
            method=request.method,
            path=request.url.path,
            exception_type=f"{type(exc).__module__}.{type(exc).__qualname__}",
            stack=[f"{f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(exc.__traceback__)],
        )
    return problem_response(request, problem)
