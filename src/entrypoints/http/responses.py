"""Rendering problems and turning every exception, Litestar's own included, into one."""

from __future__ import annotations

import traceback
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    ValidationException,
)

from entrypoints.http.context import current
from entrypoints.http.logging import get_logger
from entrypoints.http.problems import PROBLEM_MEDIA_TYPE, ProblemError, unauthenticated

_log = get_logger("ivr.http")


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
        # Litestar's messages may quote the value sent; only the parameter's name goes back.
        errors.append(
            {
                "field": str(item["key"]),
                "source": str(getattr(item.get("source"), "value", item.get("source", ""))),
                "message": "is required" if missing else "is not a valid value",
            }
        )
    return errors


def as_problem(exc: BaseException) -> ProblemError:
    """Return the problem answering an exception; anything unexpected becomes a bare 500."""
    if isinstance(exc, ProblemError):
        return exc
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


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """Answer any exception with a problem; unexpected ones are logged by type and frames, never message or source."""
    problem = as_problem(exc)
    if problem.status_code >= 500:
        _log.error(
            "unhandled_exception",
            method=request.method,
            path=request.url.path,
            exception_type=f"{type(exc).__module__}.{type(exc).__qualname__}",
            stack=[f"{f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(exc.__traceback__)],
        )
    return problem_response(request, problem)
