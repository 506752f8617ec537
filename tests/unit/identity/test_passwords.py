"""Password change, forgotten passwords and resets."""

from __future__ import annotations

from datetime import timedelta

from attrs import evolve

from ivr_domain.admin.ports import AuditQuery
from ivr_domain.identity.use_cases.auth import Refresh
from ivr_domain.identity.use_cases.passwords import ChangePassword, ForgotPassword, ResetPassword
from ivr_domain.shared.actor import Origin, Role
from ivr_domain.shared.audit import Outcome
from ivr_domain.shared.errors import RateLimited, Unauthenticated, ValidationFailed
from tests.platform import PASSWORD, Platform, error_of, value_of

NEW_PASSWORD = "a brand new passphrase 42"


def _forgot(platform: Platform, email: str) -> None:
    value_of(platform.container.forgot_password()(ForgotPassword(email=email, client_address="203.0.113.9")))


def test_changing_the_password_ends_every_other_session(platform: Platform) -> None:
    platform.user("doc@example.org", Role.DOCTOR)
    other = value_of(platform.login("doc@example.org"))
    actor = platform.actor("doc@example.org")
    value_of(
        platform.container.change_password()(
            actor, ChangePassword(current_password=PASSWORD, new_password=NEW_PASSWORD)
        )
    )
    assert isinstance(error_of(platform.container.authenticate()(other.access_token)), Unauthenticated)
    assert isinstance(
        error_of(platform.container.refresh()(Refresh(refresh_token=other.refresh_token))), Unauthenticated
    )
    assert isinstance(error_of(platform.login("doc@example.org")), Unauthenticated)
    assert value_of(platform.login("doc@example.org", NEW_PASSWORD)).access_token


def test_change_password_needs_the_current_one_and_a_good_new_one(platform: Platform) -> None:
    platform.user("doctor.who@example.org", Role.DOCTOR)
    actor = platform.actor("doctor.who@example.org")
    change = platform.container.change_password()
    wrong = error_of(change(actor, ChangePassword(current_password="not it at all", new_password=NEW_PASSWORD)))
    assert isinstance(wrong, ValidationFailed)
    assert wrong.errors[0].field == "current_password"
    short = error_of(change(actor, ChangePassword(current_password=PASSWORD, new_password="short")))
    assert isinstance(short, ValidationFailed)
    assert [e.field for e in short.errors] == ["new_password"]
    named = error_of(change(actor, ChangePassword(current_password=PASSWORD, new_password="doctor.who-is-my-password")))
    assert isinstance(named, ValidationFailed)


def test_a_reset_token_sets_a_new_password_once_and_ends_every_session(platform: Platform) -> None:
    platform.user("doc@example.org", Role.DOCTOR)
    before = value_of(platform.login("doc@example.org"))
    _forgot(platform, "doc@example.org")
    token = platform.notifier.last_token_for("doc@example.org")
    assert token is not None
    value_of(platform.container.reset_password()(ResetPassword(token=token, new_password=NEW_PASSWORD)))
    assert isinstance(error_of(platform.container.authenticate()(before.access_token)), Unauthenticated)
    assert value_of(platform.login("doc@example.org", NEW_PASSWORD)).access_token
    again = error_of(
        platform.container.reset_password()(ResetPassword(token=token, new_password="yet another passphrase"))
    )
    assert isinstance(again, ValidationFailed)
    assert again.errors[0].field == "token"


def test_a_reset_token_expires_after_thirty_minutes(platform: Platform) -> None:
    platform.user("doc@example.org", Role.DOCTOR)
    _forgot(platform, "doc@example.org")
    token = platform.notifier.last_token_for("doc@example.org")
    assert token is not None
    platform.clock.advance(timedelta(minutes=30))
    assert isinstance(
        error_of(platform.container.reset_password()(ResetPassword(token=token, new_password=NEW_PASSWORD))),
        ValidationFailed,
    )


def test_a_password_change_or_reset_voids_the_reset_tokens_sent_before_it(platform: Platform) -> None:
    platform.user("doc@example.org", Role.DOCTOR)
    reset = platform.container.reset_password()
    _forgot(platform, "doc@example.org")
    before_change = platform.notifier.last_token_for("doc@example.org")
    platform.clock.advance(timedelta(minutes=1))
    session = value_of(platform.login("doc@example.org"))
    actor = value_of(platform.container.authenticate()(session.access_token))
    value_of(
        platform.container.change_password()(
            actor, ChangePassword(current_password=PASSWORD, new_password=NEW_PASSWORD)
        )
    )
    platform.clock.advance(timedelta(minutes=1))
    _forgot(platform, "doc@example.org")
    after_change = platform.notifier.last_token_for("doc@example.org")
    _forgot(platform, "doc@example.org")
    sent_with_it = platform.notifier.last_token_for("doc@example.org")
    assert before_change is not None
    assert after_change is not None
    assert sent_with_it is not None

    refused = error_of(reset(ResetPassword(token=before_change, new_password="a passphrase from before")))
    assert isinstance(refused, ValidationFailed)
    assert refused.errors[0].field == "token"
    platform.clock.advance(timedelta(minutes=1))
    value_of(reset(ResetPassword(token=after_change, new_password="the passphrase chosen now")))
    # Two tokens were out; the reset used one and voids the other.
    assert isinstance(
        error_of(reset(ResetPassword(token=sent_with_it, new_password="yet another one"))), ValidationFailed
    )
    assert value_of(platform.login("doc@example.org", "the passphrase chosen now")).access_token


def test_a_reset_lifts_a_lockout(platform: Platform) -> None:
    platform.user("doc@example.org", Role.DOCTOR)
    for _ in range(5):
        platform.login("doc@example.org", "wrong password here")
    _forgot(platform, "doc@example.org")
    token = platform.notifier.last_token_for("doc@example.org")
    assert token is not None
    value_of(platform.container.reset_password()(ResetPassword(token=token, new_password=NEW_PASSWORD)))
    assert value_of(platform.login("doc@example.org", NEW_PASSWORD)).access_token


def test_forgetting_an_unknown_email_succeeds_and_sends_nothing(platform: Platform) -> None:
    _forgot(platform, "nobody@example.org")
    _forgot(platform, "not an email")
    assert platform.notifier.sent == []


def test_tokens_are_stored_only_hashed(platform: Platform) -> None:
    platform.user("doc@example.org", Role.DOCTOR)
    pair = value_of(platform.login("doc@example.org"))
    _forgot(platform, "doc@example.org")
    token = platform.notifier.last_token_for("doc@example.org")
    assert token is not None
    with platform.container.uow() as uow:
        assert uow.reset_tokens.get(token) is None
        assert uow.sessions.get_refresh_token(pair.refresh_token) is None


def test_wrong_current_passwords_count_towards_the_login_lockout_and_are_audited_denials(platform: Platform) -> None:
    platform.user("doc@example.org", Role.DOCTOR)
    actor = platform.actor("doc@example.org")
    change = platform.container.change_password()
    guess = ChangePassword(current_password="a guess at it", new_password=NEW_PASSWORD)
    for _ in range(5):
        assert error_of(change(actor, guess)) == ValidationFailed.single(
            "current_password", "is not the account's password"
        )
    # Locked: the login refuses the right password, and so does the change, with the wrong password's answer.
    assert isinstance(error_of(platform.login("doc@example.org")), Unauthenticated)
    right = ChangePassword(current_password=PASSWORD, new_password=NEW_PASSWORD)
    assert error_of(change(actor, right)) == error_of(change(actor, guess))
    denials = platform.audit(AuditQuery(action="auth.password_change", outcome=Outcome.DENIED))
    assert sorted(e.reason for e in denials) == ["bad_credentials"] * 4 + ["locked", "locked", "lockout"]
    assert {e.user_id for e in denials} == {actor.user_id}
    platform.clock.advance(timedelta(minutes=15))
    value_of(change(actor, right))


def test_password_changes_share_the_login_rate_limits(platform: Platform) -> None:
    platform.user("doc@example.org", Role.DOCTOR)
    actor = evolve(platform.actor("doc@example.org"), origin=Origin(client_address="198.51.100.4"))
    change = platform.container.change_password()
    guess = ChangePassword(current_password="a guess at it", new_password=NEW_PASSWORD)
    for _ in range(3):
        platform.login("doc@example.org", "another guess")
    # Four logins so far (the actor's and three guesses): of ten a minute per account, six are left for changes.
    answers = [error_of(change(actor, guess)) for _ in range(7)]
    limited = answers[-1]
    assert isinstance(limited, RateLimited)
    assert limited.retry_after >= 1
    assert all(isinstance(a, ValidationFailed) for a in answers[:-1])
    assert isinstance(error_of(platform.login("doc@example.org")), RateLimited)
    denied = platform.audit(AuditQuery(action="auth.password_change", outcome=Outcome.DENIED))
    [limited_entry] = [e for e in denied if e.reason == "rate_limited"]
    assert limited_entry.client_address == "198.51.100.4"
