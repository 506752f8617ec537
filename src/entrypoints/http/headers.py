"""Response and conditional-request headers: ETag, If-Match, Location and the no-store rules."""

from __future__ import annotations

import re

from entrypoints.http.problems import ProblemError

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


def object_headers(version: int, *, phi: bool = False) -> dict[str, str]:
    """Return the headers of a single-object response."""
    return {"ETag": etag(version), **(PHI_HEADERS if phi else {})}
