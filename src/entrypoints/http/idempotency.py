"""Idempotency-Key on creates: the first answer is stored per user and key, and replayed for repeats."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from enum import Enum
from typing import Any

import msgspec
from attrs import frozen
from litestar import MediaType, Request, Response

from entrypoints.http.problems import ProblemError
from entrypoints.http.responses import problem_response
from ivr_domain.shared.actor import Actor
from ivr_domain.shared.audit import AuditTrail
from ivr_domain.shared.clock import Clock
from ivr_domain.shared.errors import DomainError
from ivr_domain.shared.ports import ClaimState, IdempotencyStore, StoredResponse

HEADER = "Idempotency-Key"
_MAX_KEY_LENGTH = 255
_KEPT_HEADERS = ("location", "etag", "cache-control", "vary")


def _request_hash(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), b"\n", path.encode(), b"\n", body):
        digest.update(part)
    return digest.hexdigest()


def _key(request: Request[Any, Any, Any]) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not key or len(key) > _MAX_KEY_LENGTH or not key.isprintable():
        raise ProblemError.bad_request(
            "invalid_header", f"{HEADER} must be 1 to {_MAX_KEY_LENGTH} printable characters", parameter=HEADER
        )
    return key


def _rendered(response: Response[Any]) -> Response[bytes]:
    content = response.content
    body = content if isinstance(content, bytes) else msgspec.json.encode(content)
    # No media type means the route's default, JSON; naming it (as text) lets a replay send the same content type.
    media = response.media_type or MediaType.JSON
    media_type = str(media.value if isinstance(media, Enum) else media)
    return Response(
        content=body, status_code=response.status_code, headers=dict(response.headers), media_type=media_type
    )


def _status(response: Response[Any]) -> int:
    return response.status_code or 200


def _stored(response: Response[bytes]) -> StoredResponse:
    headers = [(k.lower(), v) for k, v in response.headers.items() if k.lower() in _KEPT_HEADERS]
    return StoredResponse(
        status=_status(response),
        body=response.content,
        headers=(("content-type", str(response.media_type)), *headers),
    )


def _replayed(stored: StoredResponse) -> Response[bytes]:
    headers = dict(stored.headers)
    media_type = headers.pop("content-type", "application/json")
    return Response(
        content=stored.body,
        status_code=stored.status,
        headers={**headers, "Idempotent-Replayed": "true"},
        media_type=media_type,
    )


@frozen(kw_only=True)
class KeyReused(DomainError):
    """The audit log's name for a create refused because its key came with another request (422)."""

    code: str = "idempotency_key_reused"


@frozen(kw_only=True)
class KeyInProgress(DomainError):
    """The audit log's name for a create refused because the first request with its key still runs (409)."""

    code: str = "idempotency_in_progress"


@frozen(kw_only=True)
class Idempotency:
    """Runs a create at most once per user and key within the time to live."""

    store: Callable[[], IdempotencyStore]
    clock: Callable[[], Clock]
    audit: Callable[[], AuditTrail]
    ttl_seconds: int

    def run(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        body: bytes,
        create: Callable[[], Response[Any]],
        *,
        action: str,
    ) -> Response[Any]:
        """Answer a create: replay, refuse (422 other body, 409 still running) or run it and remember the answer.

        `action` names the create in the audit log, which records the two refusals like any other.
        """
        key = _key(request)
        if key is None:
            return create()
        store = self.store()
        claim = store.claim(
            user_id=actor.user_id,
            key=key,
            request_hash=_request_hash(request.method, request.url.path, body),
            now=self.clock().now(),
            ttl_seconds=self.ttl_seconds,
        )
        match claim.state:
            case ClaimState.MISMATCH:
                self.audit().refused(actor, action, KeyReused())
                raise ProblemError(
                    422,
                    "idempotency_key_reused",
                    "Idempotency key reused",
                    f"this {HEADER} was used with a different request",
                )
            case ClaimState.IN_PROGRESS:
                self.audit().refused(actor, action, KeyInProgress())
                raise ProblemError(
                    409,
                    "idempotency_in_progress",
                    "Request in progress",
                    f"the first request with this {HEADER} is still running",
                )
            case ClaimState.DONE if claim.response is not None:
                return _replayed(claim.response)
        try:
            response = _rendered(create())
        except ProblemError as problem:
            response = problem_response(request, problem)
        except BaseException:
            store.release(user_id=actor.user_id, key=key)
            raise
        if _status(response) >= 500:
            store.release(user_id=actor.user_id, key=key)
        else:
            store.complete(user_id=actor.user_id, key=key, response=_stored(response))
        return response
