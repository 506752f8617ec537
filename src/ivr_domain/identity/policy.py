"""Who may do what in identity, and the limits that protect accounts."""

from __future__ import annotations

from datetime import timedelta

from attrs import frozen

from ivr_domain.identity.model import Practice, User
from ivr_domain.shared.actor import Actor, Permission, Role


@frozen(kw_only=True)
class AuthPolicy:
    """Session lifetimes, lockout and rate limits, password rules: all settings."""

    access_token_ttl: timedelta = timedelta(minutes=10)
    idle_limit: timedelta = timedelta(minutes=30)
    absolute_limit: timedelta = timedelta(hours=12)
    touch_interval: timedelta = timedelta(seconds=60)
    lockout_threshold: int = 5
    lockout_window: timedelta = timedelta(minutes=15)
    lockout_duration: timedelta = timedelta(minutes=15)
    login_limit_per_address: int = 30
    login_limit_per_account: int = 10
    rate_window: timedelta = timedelta(minutes=1)
    reset_token_ttl: timedelta = timedelta(minutes=30)
    min_password_length: int = 12
    max_password_length: int = 128


def may_manage_users(actor: Actor) -> bool:
    """Tell whether the actor may create, change, deactivate and assign accounts."""
    return actor.can(Permission.USERS_MANAGE)


def may_update_practice(actor: Actor, practice: Practice) -> bool:
    """Admins update any practice; a practice's own users update theirs."""
    if actor.can(Permission.USERS_MANAGE):
        return True
    return actor.role is Role.DOCTOR and actor.practice_id == practice.id


def may_update_user(actor: Actor, user: User) -> bool:
    """Admins update any account; everyone else only their own profile."""
    return actor.can(Permission.USERS_MANAGE) or actor.user_id == user.id


def password_problems(password: str, policy: AuthPolicy, *, email: str) -> list[str]:
    """List what is wrong with a new password (empty when it is acceptable)."""
    problems: list[str] = []
    if len(password) < policy.min_password_length:
        problems.append(f"must be at least {policy.min_password_length} characters")
    if len(password) > policy.max_password_length:
        problems.append(f"must be at most {policy.max_password_length} characters")
    if password.strip() != password or not password.strip():
        problems.append("must not start or end with spaces")
    local_part = email.split("@", 1)[0]
    if len(local_part) >= 4 and local_part in password.lower():
        problems.append("must not contain the account's email name")
    return problems
