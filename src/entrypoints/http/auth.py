"""Bearer authentication in front of the core's `authenticate`, a short per-process session cache, request origins."""

from __future__ import annotations

import hashlib
import ipaddress
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from attrs import define, evolve, field
from litestar.connection import ASGIConnection
from returns.result import Failure, Result, Success

from entrypoints.http.context import current
from entrypoints.http.headers import PURPOSE_OF_USE, PurposeOfUse, purpose_of_use
from entrypoints.http.problems import to_problem, unauthenticated
from ivr_domain.shared.actor import Actor, Origin
from ivr_domain.shared.errors import Unauthenticated

Authenticate = Callable[[str, Origin | None], Result[Actor, Unauthenticated]]

_MAX_ENTRIES = 10_000
_MAX_USER_AGENT = 512


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@define
class SessionCache:
    """Actors by access token for `lifetime` seconds, so most requests skip the session lookup; 0 disables it."""

    lifetime: float
    now: Callable[[], float] = time.monotonic
    _entries: dict[str, tuple[Actor, float]] = field(factory=dict)
    _lock: threading.Lock = field(factory=threading.Lock)

    def get(self, token: str) -> Actor | None:
        """Return the cached actor of a token while its entry is fresh."""
        if self.lifetime <= 0:
            return None
        with self._lock:
            entry = self._entries.get(_key(token))
            if entry is None or entry[1] <= self.now():
                return None
            return entry[0]

    def put(self, token: str, actor: Actor) -> None:
        """Remember the actor a token authenticated as."""
        if self.lifetime <= 0:
            return
        with self._lock:
            if len(self._entries) >= _MAX_ENTRIES:
                self._purge()
            self._entries[_key(token)] = (actor, self.now() + self.lifetime)

    def evict_session(self, session_id: Any) -> None:
        """Forget every entry of a session (its logout), so this process refuses it at once."""
        self._evict(lambda actor: actor.session_id == session_id)

    def evict_user(self, user_id: Any) -> None:
        """Forget every entry of a user (deactivated, or given other permissions), so the next request re-checks."""
        self._evict(lambda actor: actor.user_id == user_id)

    def clear(self) -> None:
        """Forget every entry (the hierarchy changed: many actors' scopes may have)."""
        with self._lock:
            self._entries.clear()

    def _evict(self, stale: Callable[[Actor], bool]) -> None:
        with self._lock:
            for key in [k for k, (actor, _) in self._entries.items() if stale(actor)]:
                del self._entries[key]

    def _purge(self) -> None:
        moment = self.now()
        for key in [k for k, (_, expiry) in self._entries.items() if expiry <= moment]:
            del self._entries[key]
        if len(self._entries) >= _MAX_ENTRIES:
            self._entries.clear()


def bearer_token(header: str | None) -> str:
    """Return the token of an `Authorization: Bearer` header, or raise the 401 problem."""
    if header is None:
        raise unauthenticated()
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise unauthenticated("the Authorization header must be 'Bearer <access token>'")
    return token


def request_origin(connection: ASGIConnection[Any, Any, Any, Any], address: str) -> Origin:
    """Return where a request came from, for the audit log: its client address, user agent and correlation id."""
    agent = connection.headers.get("user-agent")
    return Origin(
        client_address=address,
        user_agent=agent[:_MAX_USER_AGENT] if agent else None,
        correlation_id=current().correlation_id,
    )


@define
class BearerAuth:
    """Turns a request's bearer token into the actor of the use cases, with the request's origin and purpose."""

    authenticate: Callable[[], Authenticate]
    cache: SessionCache
    trusted_proxies: frozenset[str] = frozenset()

    def actor(self, connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
        """Authenticate the request (401 problem when it cannot be) and note its user for the access log.

        The cache keeps actors without an origin; each request's own (and its `X-Purpose-Of-Use`, 400
        when unknown) is attached afterwards, so anonymous callers get their 401 first.
        """
        token = bearer_token(connection.headers.get("authorization"))
        origin = request_origin(connection, client_address(connection, self.trusted_proxies))
        actor = self.cache.get(token)
        if actor is None:
            match self.authenticate()(token, origin):
                case Success(found):
                    actor = found
                    self.cache.put(token, actor)
                case Failure(error):
                    raise to_problem(error)
        assert actor is not None  # noqa: S101 -- narrowed by the match above
        context = current()
        context.user_id = str(actor.user_id)
        purpose = purpose_of_use(connection.headers.get(PURPOSE_OF_USE))
        context.actor = evolve(actor, origin=evolve(origin, purpose=purpose))
        return context.actor

    def dependency(self) -> Callable[..., BearerAuth]:
        """Return the `bearer` dependency; its parameter publishes X-Purpose-Of-Use on every route that takes it."""

        def provide(stated_purpose: PurposeOfUse = None) -> BearerAuth:
            # Documentation only: `actor` reads the header itself, after authentication.
            return self

        return provide


def _networks(trusted: Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    found = []
    for entry in trusted:
        try:
            found.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            continue
    return found


def _is_trusted(address: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(connection: ASGIConnection[Any, Any, Any, Any], trusted_proxies: Iterable[str]) -> str:
    """Return the socket peer, or behind trusted proxies the nearest X-Forwarded-For hop they did not add."""
    peer = connection.client.host if connection.client else "unknown"
    networks = _networks(trusted_proxies)
    if not networks or not _is_trusted(peer, networks):
        return peer
    hops = [h.strip() for h in connection.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    # Read from the right: each trusted proxy appended the address it saw; the first untrusted one is the client.
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            return hop if _is_valid(hop) else peer
    return hops[0] if hops and _is_valid(hops[0]) else peer


def _is_valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True
