"""What every controller uses: unwrapping results into problems, paging parameters, security metadata."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Protocol, TypeVar

from litestar.openapi.spec import OpenAPIFormat, OpenAPIType, Schema
from litestar.params import HeaderParameter, QueryParameter
from returns.result import Failure, Result, Success

from entrypoints.http.problems import EdgeRefusal, ProblemError, RefusalContext, to_problem
from ivr_domain.shared.errors import DomainError, NotPermitted, PreconditionFailed
from ivr_domain.shared.ids import PatientId
from ivr_domain.shared.paging import DEFAULT_LIMIT, MAX_LIMIT, PageRequest

T = TypeVar("T")


class Versioned(Protocol):
    """An object with an id and a version (the ETag)."""

    @property
    def id(self) -> object:
        """Return the object's id."""
        ...

    @property
    def version(self) -> int:
        """Return the object's version."""
        ...


V = TypeVar("V", bound=Versioned)

BEARER: list[dict[str, list[str]]] = [{"BearerToken": []}]

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description=f"page size, 1 to {MAX_LIMIT}")]
IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        description='the ETag last seen, e.g. "3", or *',
        # Published only: the handler parses it after authentication, so anonymous callers get 401 first.
        schema_extra={"oneOf": None, "type": OpenAPIType.STRING, "pattern": r'^\s*(\*|(W/)?"[0-9]{1,18}")\s*$'},
    ),
]
Cursor = Annotated[str | None, QueryParameter(description="next_cursor of the previous page")]


def sort_description(*fields: str) -> str:
    """Describe a `sort` parameter over documented non-PHI fields."""
    return "one of " + ", ".join(f"{f}, -{f}" for f in fields) + " (default -created_at)"


def ok(result: Result[T, DomainError]) -> T:
    """Return a success's value, or raise the problem answering the failure."""
    match result:
        case Success(value):
            return value  # type: ignore[no-any-return]
        case Failure(error):
            raise to_problem(error)
    raise AssertionError("not a Result")  # pragma: no cover


def refuse_unless(allowed: bool, action: str, about: RefusalContext | None = None) -> None:
    """Raise the 403 problem of an action the caller's role or permissions do not allow."""
    if not allowed:
        raise EdgeRefusal(NotPermitted(action=action), action, about=about)


def found_or_refuse(result: Result[T, DomainError], about: RefusalContext) -> T:
    """Return what a check's lookup found, or raise its refusal (404, 403) as the refusal of `about`'s action."""
    match result:
        case Success(value):
            return value  # type: ignore[no-any-return]
        case Failure(error):
            raise EdgeRefusal(error, about.action, about=about)
    raise AssertionError("not a Result")  # pragma: no cover


def writer(allowed: bool, action: str, resource_type: str) -> Callable[[], RefusalContext]:
    """Return the 403 check of a create, for `decode_in_order`: its 422 is then that create's refusal."""

    def check() -> RefusalContext:
        about = RefusalContext(action=action, resource_type=resource_type)
        refuse_unless(allowed, action, about)
        return about

    return check


def checks_before_fields(
    peek: Callable[[], Result[V, DomainError]],
    *,
    entity: str,
    resource_id: object,
    action: str,
    allowed: Callable[[V], bool],
    expected_version: int | None = None,
    patients: tuple[PatientId, ...] = (),
) -> Callable[[], RefusalContext]:
    """Return the checks a write's use case runs before its body's fields: 404 in scope, 403, then 412.

    For `decode_in_order`: a body the edge cannot read must not answer 422 before them (API.md's order). `peek`
    looks the object up without recording a read; each refusal, the 422 too, is recorded once as `action`'s,
    naming `patients`.
    """

    def check() -> RefusalContext:
        about = RefusalContext(action=action, resource_type=entity, resource_id=resource_id, patients=patients)
        found = found_or_refuse(peek(), about)
        refuse_unless(allowed(found), action, about)
        if expected_version is not None and expected_version != found.version:
            stale = PreconditionFailed(entity=entity, id=str(found.id), current_version=found.version)
            raise EdgeRefusal(stale, action, about=about)
        return about

    return check


def page_request(limit: int = DEFAULT_LIMIT, cursor: str | None = None, sort: str = "-created_at") -> PageRequest:
    """Return the page a list request asks for (limits were checked by the parameter schema)."""
    return PageRequest(limit=limit, cursor=cursor, sort=sort)


Instant = Annotated[
    str | None,
    QueryParameter(
        description="a date (YYYY-MM-DD) or an ISO 8601 date-time",
        schema_extra={
            "oneOf": [
                Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE),
                Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE_TIME),
            ]
        },
    ),
]


def instant(raw: str | None, name: str, *, end_of_day: bool) -> datetime | None:
    """Parse a date or an ISO date-time (naive is UTC); a date is its day's start, or with `end_of_day` the
    next day's start, for exclusive upper bounds that take in the whole day."""
    if raw is None:
        return None
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            start = datetime.combine(day, time.min, tzinfo=UTC)
            return start + timedelta(days=1) if end_of_day else start
        moment = datetime.fromisoformat(raw)
        # An instant is compared in UTC: one that has no UTC form (year 1 east of Greenwich) is no instant.
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ProblemError.bad_request(
            "invalid_parameters",
            f"{name} must be a date or an ISO 8601 date-time within years 1 to 9999 in UTC",
            parameter=name,
        ) from None
