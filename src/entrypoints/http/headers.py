"""Request and response headers: ETag, If-Match, X-Purpose-Of-Use, Location and the no-store rules."""

from __future__ import annotations

import re
from typing import Annotated

from litestar.openapi.spec import OpenAPIType
from litestar.params import HeaderParameter

from entrypoints.http.problems import ProblemError
from ivr_domain.shared.actor import Purpose

_IF_MATCH = re.compile(r'^(?:W/)?"([0-9]{1,18})"$')

PHI_HEADERS = {"Cache-Control": "no-store", "Vary": "Authorization"}
NO_STORE = {"Cache-Control": "no-store"}


def etag(version: int) -> str:
    """Return the entity tag of an object version."""
    return f'"{version}"'


def expected_version(if_match: str | None) -> int | None:
    """Read `If-Match: "3"` (or `W/"3"`) as a version; None when absent or `*`; 400 when unreadable."""
    if if_match is None or if_match.strip() == "*":
        return None
    match = _IF_MATCH.match(if_match.strip())
    if match is None:
        raise ProblemError.bad_request(
            "invalid_header", 'If-Match must be a single entity tag such as "3", or *', parameter="If-Match"
        )
    return int(match.group(1))


PURPOSE_OF_USE = "X-Purpose-Of-Use"
_PURPOSES = ", ".join(p.value for p in Purpose)

PurposeOfUse = Annotated[
    str | None,
    HeaderParameter(
        name=PURPOSE_OF_USE,
        description=f"why the caller uses the data, recorded in the audit log: one of {_PURPOSES}; "
        "without it, the role's default (doctors treatment, ivr_staff payment, others operations)",
        # Published only: the header is read after authentication, so anonymous callers get 401 first.
        schema_extra={"oneOf": None, "type": OpenAPIType.STRING, "enum": [p.value for p in Purpose]},
    ),
]


def purpose_of_use(header: str | None) -> Purpose | None:
    """Read `X-Purpose-Of-Use` as a purpose; None when absent; 400 naming the allowed values when unknown."""
    if header is None:
        return None
    try:
        return Purpose(header.strip().lower())
    except ValueError:
        raise ProblemError.bad_request(
            "invalid_header", f"{PURPOSE_OF_USE} must be one of {_PURPOSES}", parameter=PURPOSE_OF_USE
        ) from None


def object_headers(version: int, *, phi: bool = False) -> dict[str, str]:
    """Return the headers of a single-object response."""
    return {"ETag": etag(version), **(PHI_HEADERS if phi else {})}
