"""What every controller uses: unwrapping results into problems, paging parameters, security metadata."""

from __future__ import annotations

from typing import Annotated, TypeVar

from litestar.openapi.spec import OpenAPIType
from litestar.params import HeaderParameter, QueryParameter
from returns.result import Failure, Result, Success

from entrypoints.http.problems import to_problem
from ivr_domain.shared.errors import DomainError
from ivr_domain.shared.paging import DEFAULT_LIMIT, MAX_LIMIT, PageRequest

T = TypeVar("T")

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


def page_request(limit: int = DEFAULT_LIMIT, cursor: str | None = None, sort: str = "-created_at") -> PageRequest:
    """Return the page a list request asks for (limits were checked by the parameter schema)."""
    return PageRequest(limit=limit, cursor=cursor, sort=sort)
