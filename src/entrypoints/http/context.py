"""The per-request context: its correlation id and, once authenticated, its user."""

from __future__ import annotations

import re
from contextvars import ContextVar
from uuid import uuid4

from attrs import define

from ivr_domain.shared.actor import Actor

_ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@define
class RequestContext:
    """Mutable on purpose: the handler thread records the user where the access log will read it."""

    correlation_id: str
    user_id: str | None = None
    actor: Actor | None = None  # set by authentication: the edge's own refusals are audited as this actor


_CURRENT: ContextVar[RequestContext | None] = ContextVar("ivr_request_context", default=None)


def correlation_id_from(header: str | None) -> str:
    """Keep a client's correlation id when it is a short token; otherwise make a new one."""
    if header is not None and _ACCEPTABLE_ID.match(header):
        return header
    return str(uuid4())


def begin(correlation_id: str) -> RequestContext:
    """Start the context of a request in the current task."""
    context = RequestContext(correlation_id=correlation_id)
    _CURRENT.set(context)
    return context


def current() -> RequestContext:
    """Return the current request's context (a fresh one outside a request)."""
    context = _CURRENT.get()
    return context if context is not None else begin(str(uuid4()))
