"""Sessions: idle and absolute limits, logout, refresh rotation and reuse detection."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.memory.sessions import InMemorySessionRepository
from ivr_domain.identity.model import EndReason, Session
from ivr_domain.identity.use_cases.auth import Refresh
from ivr_domain.shared.actor import Role
from ivr_domain.shared.errors import Unauthenticated
from ivr_domain.shared.ids import SessionId
from tests.platform import Platform, error_of, value_of


def test_a_session_idle_for_thirty_minutes_ends(platform: Platform) -> None:
    platform.user("doc@example.org", Role.DOCTOR)
    pair = value_of(platform.login("doc@example.org"))
    platform.clock.advance(timedelta(minutes=29))
    refreshed = value_of(platform.container.refresh()(Refresh(refresh_token=pair.refresh_token)))
    platform.clock.advance(timedelta(minutes=30))
    assert isinstance(error_of(platform.container.authenticate()(refreshed.access_token)), Unauthenticated)
    assert isinstance(
        error_of(platform.container.refresh()(Refresh(refresh_token=refreshed.refresh_token))), Unauthenticated
    )


def test_activity_keeps_a_session_alive_until_its_absolute_limit(platform: Platform) -> None:
    platform.user("doc@example.org", Role.DOCTOR)
    pair = value_of(platform.login("doc@example.org"))
    for _ in range(23):  # 23 refreshes 29 minutes apart: 11 h 7 min of activity
        platform.clock.advance(timedelta(minutes=29))
        pair = value_of(platform.container.refresh()(Refresh(refresh_token=pair.refresh_token)))
    platform.clock.advance(timedelta(minutes=29))  # 11 h 36 min: within twelve hours
    pair = value_of(platform.container.refresh()(Refresh(refresh_token=pair.refresh_token)))
    platform.clock.advance(timedelta(minutes=29))  # 12 h 5 min
    assert isinstance(
        error_of(platform.container.refresh()(Refresh(refresh_token=pair.refresh_token))), Unauthenticated
    )


def test_access_tokens_expire_after_ten_minutes(platform: Platform) -> None:
    platform.user("doc@example.org", Role.DOCTOR)
    pair = value_of(platform.login("doc@example.org"))
    platform.clock.advance(timedelta(minutes=10, seconds=1))
    assert isinstance(error_of(platform.container.authenticate()(pair.access_token)), Unauthenticated)


def test_logout_ends_the_session_for_access_and_refresh(platform: Platform) -> None:
    platform.user("doc@example.org", Role.DOCTOR)
    pair = value_of(platform.login("doc@example.org"))
    actor = value_of(platform.container.authenticate()(pair.access_token))
    value_of(platform.container.logout()(actor))
    assert isinstance(error_of(platform.container.authenticate()(pair.access_token)), Unauthenticated)
    assert isinstance(
        error_of(platform.container.refresh()(Refresh(refresh_token=pair.refresh_token))), Unauthenticated
    )


def test_reusing_a_refresh_token_ends_the_whole_session(platform: Platform) -> None:
    platform.user("doc@example.org", Role.DOCTOR)
    first = value_of(platform.login("doc@example.org"))
    second = value_of(platform.container.refresh()(Refresh(refresh_token=first.refresh_token)))
    assert isinstance(
        error_of(platform.container.refresh()(Refresh(refresh_token=first.refresh_token))), Unauthenticated
    )
    assert isinstance(
        error_of(platform.container.refresh()(Refresh(refresh_token=second.refresh_token))), Unauthenticated
    )
    assert isinstance(error_of(platform.container.authenticate()(second.access_token)), Unauthenticated)


def test_an_unknown_refresh_token_is_refused(platform: Platform) -> None:
    assert isinstance(error_of(platform.container.refresh()(Refresh(refresh_token="made-up"))), Unauthenticated)


def _ended_after_read(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the next session read return the session live, then end it (a logout) before the reader saves."""
    real = InMemorySessionRepository.get

    def read_then_ended(self: InMemorySessionRepository, session_id: SessionId) -> Session | None:
        monkeypatch.setattr(InMemorySessionRepository, "get", real)
        live = real(self, session_id)
        with platform.container.uow() as other:
            ended = other.sessions.get(session_id)
            assert ended is not None
            assert other.sessions.save(ended.end(platform.clock.now(), EndReason.LOGOUT))
            other.commit()
        return live

    monkeypatch.setattr(InMemorySessionRepository, "get", read_then_ended)


def test_a_touch_from_a_read_taken_before_a_logout_is_refused_and_the_session_stays_ended(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform.user("doc@example.org", Role.DOCTOR)
    pair = value_of(platform.login("doc@example.org"))
    _ended_after_read(platform, monkeypatch)

    assert isinstance(error_of(platform.container.authenticate()(pair.access_token)), Unauthenticated)
    assert isinstance(error_of(platform.container.authenticate()(pair.access_token)), Unauthenticated)


def test_a_refresh_from_a_read_taken_before_a_logout_is_refused(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform.user("doc@example.org", Role.DOCTOR)
    pair = value_of(platform.login("doc@example.org"))
    _ended_after_read(platform, monkeypatch)

    refreshed = platform.container.refresh()(Refresh(refresh_token=pair.refresh_token))
    assert isinstance(error_of(refreshed), Unauthenticated)
    assert isinstance(error_of(platform.container.authenticate()(pair.access_token)), Unauthenticated)
