"""Domain error kinds: expected failures returned as values inside `Result`s."""

from __future__ import annotations

from attrs import frozen


@frozen(kw_only=True)
class FieldError:
    """One problem with one input field, addressed by its path in the body (`wounds[0].length_cm`)."""

    field: str
    message: str


@frozen(kw_only=True)
class DomainError:
    """Base of every expected failure; `code` is stable and machine-readable."""

    code: str = "domain.error"
    detail: str = ""


@frozen(kw_only=True)
class NotFound(DomainError):
    """The object does not exist or is outside the actor's scope."""

    entity: str
    id: str = ""
    code: str = "not_found"


@frozen(kw_only=True)
class NotPermitted(DomainError):
    """The actor may see the object but their role or permissions do not allow the action."""

    action: str
    code: str = "not_permitted"


@frozen(kw_only=True)
class ValidationFailed(DomainError):
    """Input breaks a rule; every broken field is listed."""

    errors: tuple[FieldError, ...]
    code: str = "validation_failed"

    @classmethod
    def single(cls, path: str, message: str) -> ValidationFailed:
        """Build a failure about one field."""
        return cls(errors=(FieldError(field=path, message=message),))


@frozen(kw_only=True)
class InvalidTransition(DomainError):
    """The action is not allowed from the object's current state."""

    entity: str
    status: str
    trigger: str
    allowed: tuple[str, ...] = ()
    code: str = "invalid_transition"


@frozen(kw_only=True)
class Conflict(DomainError):
    """A stale version, a duplicate or a concurrent change."""

    entity: str
    id: str = ""
    existing_id: str | None = None
    code: str = "conflict"


@frozen(kw_only=True)
class PreconditionFailed(DomainError):
    """The caller's expected version (If-Match) is not the current one."""

    entity: str
    id: str = ""
    current_version: int = 0
    code: str = "precondition_failed"


@frozen(kw_only=True)
class RateLimited(DomainError):
    """Too many attempts; try again after `retry_after` seconds."""

    retry_after: int
    code: str = "rate_limited"


@frozen(kw_only=True)
class Unauthenticated(DomainError):
    """Credentials or a token are missing, wrong, expired or revoked."""

    code: str = "unauthenticated"


@frozen(kw_only=True)
class InvalidQuery(DomainError):
    """A query parameter (a cursor, a sort, a filter) cannot be understood."""

    parameter: str
    code: str = "invalid_query"


@frozen(kw_only=True)
class TooLarge(DomainError):
    """A body or an uploaded file is larger than the limit."""

    limit: int
    code: str = "too_large"


@frozen(kw_only=True)
class UnsupportedMediaType(DomainError):
    """Content of a type that is not accepted, as read from its bytes (never from its name)."""

    allowed: tuple[str, ...]
    code: str = "unsupported_media_type"
