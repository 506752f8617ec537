"""Login: credentials, lockout, rate limits, and answers that do not tell whether an email exists."""

from __future__ import annotations

from datetime import timedelta

import pytest
from attrs import evolve

from adapters.memory.identity import InMemoryUserRepository
from ivr_domain.shared.actor import SYSTEM_ACTOR, Role
from ivr_domain.shared.errors import RateLimited, Unauthenticated
from ivr_domain.shared.ids import UserId
from tests.platform import PASSWORD, Platform, error_of, value_of


def test_login_returns_bearer_tokens_that_authenticate(platform: Platform) -> None:
    platform.user("doc@example.org", Role.DOCTOR)
    pair = value_of(platform.login("doc@example.org"))
    assert pair.token_type == "bearer"
    assert pair.expires_in == 600
    actor = value_of(platform.container.authenticate()(pair.access_token))
    assert actor.role is Role.DOCTOR
    assert actor.practice_id is not None


def test_email_is_matched_case_insensitively(platform: Platform) -> None:
    platform.user("doc@example.org", Role.DOCTOR)
    assert value_of(platform.login("  DOC@Example.org ")).access_token


def test_wrong_password_unknown_email_and_locked_account_answer_alike(platform: Platform) -> None:
    platform.user("doc@example.org", Role.DOCTOR)
    wrong = error_of(platform.login("doc@example.org", "not the password at all"))
    unknown = error_of(platform.login("nobody@example.org", "not the password at all"))
    for _ in range(4):
        platform.login("doc@example.org", "still the wrong password")
    locked = error_of(platform.login("doc@example.org", PASSWORD))
    assert wrong == unknown == locked
    assert isinstance(locked, Unauthenticated)


def test_five_failures_lock_the_account_for_fifteen_minutes(platform: Platform) -> None:
    platform.user("doc@example.org", Role.DOCTOR)
    for _ in range(5):
        error_of(platform.login("doc@example.org", "wrong password here"))
    assert isinstance(error_of(platform.login("doc@example.org")), Unauthenticated)
    platform.clock.advance(timedelta(minutes=14, seconds=59))
    assert isinstance(error_of(platform.login("doc@example.org")), Unauthenticated)
    platform.clock.advance(timedelta(seconds=2))
    assert value_of(platform.login("doc@example.org")).access_token


def test_a_success_forgets_earlier_failures(platform: Platform) -> None:
    platform.user("doc@example.org", Role.DOCTOR)
    for _ in range(4):
        platform.login("doc@example.org", "wrong password here")
    value_of(platform.login("doc@example.org"))
    for _ in range(4):
        platform.login("doc@example.org", "wrong password here")
    assert value_of(platform.login("doc@example.org")).access_token


def test_logins_are_rate_limited_per_client_address(platform: Platform) -> None:
    limit = platform.container.settings().auth.login_limit_per_address
    for i in range(limit):
        platform.login(f"user{i}@example.org", "whatever password", address="198.51.100.1")
    limited = error_of(platform.login("other@example.org", "whatever", address="198.51.100.1"))
    assert isinstance(limited, RateLimited)
    assert 1 <= limited.retry_after <= 60
    assert isinstance(
        error_of(platform.login("other@example.org", "whatever", address="198.51.100.2")), Unauthenticated
    )


def test_logins_are_rate_limited_per_account(platform: Platform) -> None:
    platform.user("doc@example.org", Role.DOCTOR)
    limit = platform.container.settings().auth.login_limit_per_account
    for i in range(limit):
        platform.login("doc@example.org", "wrong", address=f"198.51.100.{i + 1}")
    assert isinstance(error_of(platform.login("doc@example.org", address="192.0.2.99")), RateLimited)
    platform.clock.advance(timedelta(minutes=16))
    assert value_of(platform.login("doc@example.org", address="192.0.2.99")).access_token


def test_deactivated_accounts_cannot_log_in_and_lose_their_sessions(platform: Platform) -> None:
    admin = platform.user("admin@example.org", Role.ADMIN)
    doc = platform.user("doc@example.org", Role.DOCTOR)
    pair = value_of(platform.login("doc@example.org"))
    value_of(platform.container.deactivate_user()(platform.actor(admin.email.value), doc.id))
    assert isinstance(error_of(platform.container.authenticate()(pair.access_token)), Unauthenticated)
    assert isinstance(error_of(platform.login("doc@example.org")), Unauthenticated)


def test_a_password_changed_while_a_login_verified_the_old_one_refuses_that_login(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform.user("doc@example.org", Role.DOCTOR)
    held = InMemoryUserRepository.version_held

    def changed_meanwhile(self: InMemoryUserRepository, user_id: UserId) -> int | None:
        # Another request changes the password after this login verified the old one, before it commits.
        monkeypatch.setattr(InMemoryUserRepository, "version_held", held)
        with platform.container.uow() as other:
            current = other.users.get(user_id, scope=SYSTEM_ACTOR.scope)
            assert current is not None
            other.users.save(evolve(current, password_hash="a new hash")).unwrap()
            other.commit()
        return held(self, user_id)

    monkeypatch.setattr(InMemoryUserRepository, "version_held", changed_meanwhile)
    store = platform.container.memory_store()
    sessions_before = len(store.sessions)

    assert isinstance(error_of(platform.login("doc@example.org")), Unauthenticated)
    assert len(store.sessions) == sessions_before  # the session it opened was never committed
    last = store.audit.rows[-1].entry
    assert (last.action, last.outcome.value, last.reason) == ("auth.login", "denied", "credentials_changed")
