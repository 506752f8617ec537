"""HTTP knowledge of errors: domain errors and edge failures as RFC 9457 problem details, never with PHI."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import msgspec
from attrs import frozen
from litestar.exceptions import HTTPException

from ivr_domain.shared.errors import (
    Conflict,
    DomainError,
    FieldError,
    InvalidQuery,
    InvalidTransition,
    NotFound,
    NotPermitted,
    PreconditionFailed,
    RateLimited,
    TooLarge,
    Unauthenticated,
    UnsupportedMediaType,
    ValidationFailed,
)
from ivr_domain.shared.ids import PatientId

PROBLEM_TYPE_BASE = "/docs/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"

# error kind -> (status, problem code, title); the code names docs/problems/<code>.md
_TABLE: dict[type[DomainError], tuple[int, str, str]] = {
    NotFound: (404, "not_found", "Not found"),
    NotPermitted: (403, "not_permitted", "Not permitted"),
    ValidationFailed: (422, "validation_failed", "Invalid fields"),
    InvalidTransition: (409, "invalid_transition", "Not allowed in the current state"),
    Conflict: (409, "conflict", "Conflict"),
    PreconditionFailed: (412, "precondition_failed", "Precondition failed"),
    RateLimited: (429, "rate_limited", "Too many requests"),
    Unauthenticated: (401, "unauthenticated", "Authentication required"),
    InvalidQuery: (400, "invalid_query", "Invalid query parameter"),
    TooLarge: (413, "request_entity_too_large", "Request entity too large"),
    UnsupportedMediaType: (415, "unsupported_media_type", "Unsupported media type"),
}

_DEFAULT_DETAIL = {
    404: "the resource does not exist or is not within your reach",
    403: "your role or permissions do not allow this action",
    422: "some fields are not valid; errors lists each one and what is wrong with it",
    409: "the request conflicts with the current state of the resource",
    412: "the resource changed since the version given in If-Match",
    429: "too many requests; try again later",
    401: "a valid bearer access token is required",
    400: "a query parameter is not valid",
    413: "the request body or file is too large",
    415: "the content is of a type that is not accepted",
}


class FieldProblem(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One problem with one body field or, in `invalid_parameters`, with one parameter and where it was sent."""

    field: str
    source: Literal["path", "query", "header", "cookie"] | None = None
    message: str


class Problem(msgspec.Struct, kw_only=True, omit_defaults=True):
    """An RFC 9457 problem; the extensions present depend on the problem type."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    correlation_id: str
    errors: list[FieldProblem] | None = None
    entity: str | None = None
    existing_id: str | None = None
    state: str | None = None
    allowed: list[str] | None = None
    current_version: int | None = None
    retry_after: int | None = None
    parameter: str | None = None


class ProblemError(HTTPException):
    """A problem to answer with; `instance` and `correlation_id` are added when it is rendered."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str,
        *,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail=detail, status_code=status, headers=dict(headers or {}))
        self.code = code
        self.title = title
        self.problem_detail = detail
        self.extensions = dict(extra or {})

    @classmethod
    def bad_request(cls, code: str, detail: str, **extra: Any) -> ProblemError:
        """Return a 400 problem about the request's form (body syntax, parameters, headers)."""
        return cls(400, code, "Bad request", detail, extra=extra)

    def body(self, instance: str, correlation_id: str) -> dict[str, Any]:
        """Return the problem document."""
        return {
            "type": PROBLEM_TYPE_BASE + self.code,
            "title": self.title,
            "status": self.status_code,
            "detail": self.problem_detail,
            "instance": instance,
            "correlation_id": correlation_id,
            **self.extensions,
        }

    def encode(self, instance: str, correlation_id: str) -> bytes:
        """Return the problem document as JSON bytes."""
        return json.dumps(self.body(instance, correlation_id), separators=(",", ":")).encode()


def _errors(errors: Iterable[FieldError]) -> list[dict[str, str]]:
    return [{"field": e.field, "message": e.message} for e in errors]


def unprocessable(errors: Iterable[FieldError]) -> ProblemError:
    """Return the 422 problem listing body fields and what is wrong with each."""
    return ProblemError(
        422, "validation_failed", "Invalid fields", _DEFAULT_DETAIL[422], extra={"errors": _errors(errors)}
    )


def _extra(error: DomainError) -> tuple[dict[str, Any], dict[str, str]]:
    match error:
        case ValidationFailed(errors=errors):
            return {"errors": _errors(errors)}, {}
        case NotFound(entity=entity):
            return {"entity": entity}, {}
        case InvalidTransition(entity=entity, status=state, allowed=allowed):
            return {"entity": entity, "state": state, "allowed": list(allowed)}, {}
        case Conflict(entity=entity, existing_id=existing_id):
            found = {"existing_id": existing_id} if existing_id is not None else {}
            return {"entity": entity, **found}, {}
        case PreconditionFailed(entity=entity, current_version=version):
            return {"entity": entity, "current_version": version}, {}
        case RateLimited(retry_after=seconds):
            return {"retry_after": seconds}, {"Retry-After": str(seconds)}
        case Unauthenticated():
            return {}, {"WWW-Authenticate": "Bearer"}
        case InvalidQuery(parameter=parameter):
            return {"parameter": parameter}, {}
        case UnsupportedMediaType(allowed=allowed):
            return {"allowed": list(allowed)}, {}
    return {}, {}


def to_problem(error: DomainError) -> ProblemError:
    """Translate a domain error into the problem that answers it."""
    status, code, title = next(
        (entry for kind, entry in _TABLE.items() if isinstance(error, kind)), (500, "internal_error", "Server error")
    )
    extra, headers = _extra(error)
    return ProblemError(status, code, title, _detail(error, status), extra=extra, headers=headers)


def _detail(error: DomainError, status: int) -> str:
    detail = error.detail or _DEFAULT_DETAIL.get(status, "the request failed")
    if isinstance(error, InvalidTransition):
        # Clients read `state` and `allowed`; people reading the problem get them in the sentence too.
        return f"{detail}; allowed actions now: {', '.join(error.allowed) or 'none'}"
    return detail


@frozen(kw_only=True)
class RefusalContext:
    """What the audit entry of an edge refusal names: the action, and the object and patients it was about."""

    action: str
    resource_type: str = ""
    resource_id: object = None
    patients: tuple[PatientId, ...] = ()


class EdgeRefusal(ProblemError):
    """A refusal the edge decides before the use case runs (API.md's order); audited when it is answered."""

    def __init__(self, error: DomainError, action: str, *, about: RefusalContext | None = None) -> None:
        problem = to_problem(error)
        super().__init__(
            problem.status_code,
            problem.code,
            problem.title,
            problem.problem_detail,
            extra=problem.extensions,
            headers=problem.headers,
        )
        self.error = error
        self.action = action
        self.about = about or RefusalContext(action=action)


def unauthenticated(detail: str = _DEFAULT_DETAIL[401]) -> ProblemError:
    """Return the 401 problem for a missing, malformed or refused bearer token."""
    return to_problem(Unauthenticated(detail=detail))
