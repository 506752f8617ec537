"""Account access: closing an account, and adjusting its permissions over the role's defaults."""

from __future__ import annotations

from collections.abc import Callable

from attrs import evolve, frozen
from returns.result import Failure, Result, Success

from ivr_domain.identity.model import EndReason, User
from ivr_domain.identity.permissions import GRANTABLE, ROLE_DEFAULTS, roles_that_may_hold
from ivr_domain.identity.policy import may_manage_users
from ivr_domain.identity.ports import IdentityUnitOfWork
from ivr_domain.identity.use_cases.users import WriteUserError
from ivr_domain.shared.actor import Actor, Permission
from ivr_domain.shared.audit import AuditEntry, AuditTrail
from ivr_domain.shared.changes import changed_fields
from ivr_domain.shared.clock import Clock
from ivr_domain.shared.errors import Conflict, FieldError, NotFound, NotPermitted, ValidationFailed
from ivr_domain.shared.ids import UserId

_DEACTIVATE = "users.deactivate"
_PERMISSIONS = "users.permissions_change"


def _record(uow: IdentityUnitOfWork, entry: AuditEntry) -> None:
    """Append the request's entry to its transaction and commit."""
    uow.audit.append(entry)
    uow.commit()


@frozen(kw_only=True)
class DeactivateUserHandler:
    """Admins close an account: it can no longer log in and its sessions end."""

    uow: Callable[[], IdentityUnitOfWork]
    clock: Clock
    audit: AuditTrail

    def __call__(self, actor: Actor, user_id: UserId) -> Result[User, WriteUserError]:
        """Deactivate an account other than the caller's own."""
        return self._deactivate(actor, user_id).lash(
            lambda error: self.audit.refused(actor, _DEACTIVATE, error, resource_type="user", resource_id=user_id)
        )

    def _deactivate(self, actor: Actor, user_id: UserId) -> Result[User, WriteUserError]:
        with self.uow() as uow:
            user = uow.users.get(user_id, scope=actor.scope)
            if user is None:
                return Failure(NotFound(entity="user", id=str(user_id)))
            if not may_manage_users(actor):
                return Failure(NotPermitted(action="users.deactivate"))
            if user.id == actor.user_id:
                return Failure(
                    Conflict(entity="user", id=str(user.id), detail="you cannot deactivate your own account")
                )
            if not user.active:
                _record(uow, self.audit.entry(actor, _DEACTIVATE, resource_type="user", resource_id=user.id))
                return Success(user)
            now = self.clock.now()
            result: Result[User, WriteUserError] = uow.users.save(evolve(user, active=False, updated_at=now))
            if isinstance(result, Success):
                uow.sessions.end_all_for_user(user.id, at=now, reason=EndReason.DEACTIVATED)
                entry = self.audit.entry(
                    actor, _DEACTIVATE, resource_type="user", resource_id=user.id, fields=("active",)
                )
                _record(uow, entry)
            return result


@frozen(kw_only=True)
class SetPermissions:
    """Per-user grants and revocations over the role's defaults."""

    user_id: UserId
    grants: frozenset[Permission]
    revocations: frozenset[Permission]


@frozen(kw_only=True)
class SetPermissionsHandler:
    """Admins adjust an account's permissions."""

    uow: Callable[[], IdentityUnitOfWork]
    clock: Clock
    audit: AuditTrail

    def __call__(self, actor: Actor, cmd: SetPermissions) -> Result[User, WriteUserError]:
        """Replace the account's grants and revocations."""
        return self._set(actor, cmd).lash(
            lambda error: self.audit.refused(actor, _PERMISSIONS, error, resource_type="user", resource_id=cmd.user_id)
        )

    def _set(self, actor: Actor, cmd: SetPermissions) -> Result[User, WriteUserError]:
        with self.uow() as uow:
            user = uow.users.get(cmd.user_id, scope=actor.scope)
            if user is None:
                return Failure(NotFound(entity="user", id=str(cmd.user_id)))
            if not may_manage_users(actor):
                return Failure(NotPermitted(action="users.permissions"))
            problems = _grant_problems(user, cmd)
            if problems:
                return Failure(ValidationFailed(errors=problems))
            defaults = ROLE_DEFAULTS[user.role]
            changed = evolve(
                user,
                grants=cmd.grants - defaults,
                revocations=cmd.revocations & defaults,
                updated_at=self.clock.now(),
            )
            result: Result[User, WriteUserError] = uow.users.save(changed)
            if isinstance(result, Success):
                fields = changed_fields(user, changed, ("grants", "revocations")) + _permission_changes(user, changed)
                entry = self.audit.entry(actor, _PERMISSIONS, resource_type="user", resource_id=user.id, fields=fields)
                _record(uow, entry)
            return result


def _grant_problems(user: User, cmd: SetPermissions) -> tuple[FieldError, ...]:
    """List what the body asks that no account of this role may have, and permissions named twice."""
    problems = []
    for permission in sorted(cmd.grants - GRANTABLE[user.role]):
        holders = ", ".join(sorted(roles_that_may_hold(permission)))
        message = f"{permission} cannot be granted to a {user.role}: only {holders} may hold it"
        problems.append(FieldError(field="grants", message=message))
    both = cmd.grants & cmd.revocations
    if both:
        problems.append(
            FieldError(field="revocations", message=f"cannot both grant and revoke {', '.join(sorted(both))}")
        )
    return tuple(problems)


def _permission_changes(before: User, after: User) -> tuple[str, ...]:
    """Name each permission added to or removed from the grants and revocations (`grants+audit.read`).

    Permission names are no PHI, and an access review must tell what was granted or revoked, not only that.
    """
    changes = []
    for name, old, new in (
        ("grants", before.grants, after.grants),
        ("revocations", before.revocations, after.revocations),
    ):
        changes += [f"{name}+{p}" for p in sorted(new - old)] + [f"{name}-{p}" for p in sorted(old - new)]
    return tuple(changes)
