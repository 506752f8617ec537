"""SessionRepository and ResetTokenRepository contracts, for every adapter."""

from __future__ import annotations

from datetime import timedelta

from attrs import evolve

from ivr_domain.identity.model import EndReason, RefreshToken, ResetToken, Session
from ivr_domain.shared.ids import SessionId, new_id
from tests.contract import builders
from tests.contract.conftest import UowFactory


def _session(user_id: object, **overrides: object) -> Session:
    at = builders.later()
    values: dict[str, object] = {
        "id": SessionId(new_id()),
        "user_id": user_id,
        "created_at": at,
        "last_seen_at": at,
        "expires_at": at + timedelta(hours=12),
        "client_address": "203.0.113.9",
    }
    values.update(overrides)
    return Session(**values)  # type: ignore[arg-type]


def test_session_round_trip_and_save(uow: UowFactory) -> None:
    user = builders.user()
    session = _session(user.id)
    with uow() as u:
        u.users.add(user)
        u.sessions.add(session)
        u.commit()
    ended = session.end(builders.later(), EndReason.LOGOUT)
    with uow() as u:
        assert u.sessions.get(session.id) == session
        u.sessions.save(evolve(ended, last_seen_at=builders.later()))
        u.commit()
    with uow() as u:
        stored = u.sessions.get(session.id)
        assert stored is not None
        assert (stored.ended_at, stored.end_reason) == (ended.ended_at, EndReason.LOGOUT)
        assert u.sessions.get(SessionId(new_id())) is None


def test_refresh_token_is_single_use(uow: UowFactory) -> None:
    user = builders.user()
    session = _session(user.id)
    token = RefreshToken(token_hash="h" * 64, session_id=session.id, issued_at=builders.later())
    with uow() as u:
        u.users.add(user)
        u.sessions.add(session)
        u.sessions.add_refresh_token(token)
        u.commit()
    used_at = builders.later()
    with uow() as u:
        assert u.sessions.get_refresh_token(token.token_hash) == token
        assert u.sessions.use_refresh_token(token.token_hash, at=used_at)
        assert not u.sessions.use_refresh_token(token.token_hash, at=used_at)
        u.commit()
    with uow() as u:
        assert not u.sessions.use_refresh_token(token.token_hash, at=builders.later())
        assert u.sessions.get_refresh_token(token.token_hash) == evolve(token, used_at=used_at)
        assert not u.sessions.use_refresh_token("unknown", at=used_at)


def test_refresh_token_use_rolled_back_is_not_spent(uow: UowFactory) -> None:
    user = builders.user()
    session = _session(user.id)
    token = RefreshToken(token_hash="r" * 64, session_id=session.id, issued_at=builders.later())
    with uow() as u:
        u.users.add(user)
        u.sessions.add(session)
        u.sessions.add_refresh_token(token)
        u.commit()
    with uow() as u:
        assert u.sessions.use_refresh_token(token.token_hash, at=builders.later())
    with uow() as u:
        assert u.sessions.use_refresh_token(token.token_hash, at=builders.later())


def test_reset_token_is_single_use(uow: UowFactory) -> None:
    user = builders.user()
    at = builders.later()
    token = ResetToken(token_hash="x" * 64, user_id=user.id, created_at=at, expires_at=at + timedelta(hours=1))
    with uow() as u:
        u.users.add(user)
        u.reset_tokens.add(token)
        u.commit()
    with uow() as u:
        assert u.reset_tokens.get(token.token_hash) == token
        assert u.reset_tokens.use(token.token_hash, at=at)
        u.commit()
    with uow() as u:
        assert not u.reset_tokens.use(token.token_hash, at=at)
        assert u.reset_tokens.get(token.token_hash) == evolve(token, used_at=at)
        assert u.reset_tokens.get("missing") is None


def test_end_all_for_user_keeps_one_and_skips_ended(uow: UowFactory) -> None:
    user, other = builders.user(), builders.user()
    keep, a, b = _session(user.id), _session(user.id), _session(user.id)
    already = _session(user.id).end(builders.later(), EndReason.LOGOUT)
    theirs = _session(other.id)
    with uow() as u:
        u.users.add(user)
        u.users.add(other)
        for s in (keep, a, b, already, theirs):
            u.sessions.add(s)
        u.commit()
    at = builders.later()
    with uow() as u:
        ended = u.sessions.end_all_for_user(user.id, at=at, reason=EndReason.PASSWORD_CHANGED, keep=keep.id)
        assert ended == 2
        u.commit()
    with uow() as u:
        for s in (a, b):
            assert u.sessions.get(s.id) == evolve(s, ended_at=at, end_reason=EndReason.PASSWORD_CHANGED)
        assert u.sessions.get(keep.id) == keep
        assert u.sessions.get(already.id) == already
        assert u.sessions.get(theirs.id) == theirs
        assert u.sessions.end_all_for_user(user.id, at=at, reason=EndReason.DEACTIVATED) == 1


def test_a_save_from_an_older_read_never_revives_an_ended_session(uow: UowFactory) -> None:
    user = builders.user()
    session = _session(user.id)
    with uow() as u:
        u.users.add(user)
        u.sessions.add(session)
        u.commit()
    with uow() as u:
        stale = u.sessions.get(session.id)  # read live, as a touch or a refresh does
    assert stale is not None
    with uow() as u:
        assert u.sessions.save(session.end(builders.later(), EndReason.LOGOUT))  # the end wins
        u.commit()
    with uow() as u:
        assert not u.sessions.save(evolve(stale, last_seen_at=builders.later()))  # the touch finds it ended
        assert not u.sessions.save(session.end(builders.later(), EndReason.REFRESH_REUSED))  # a second end too
        u.commit()
    with uow() as u:
        stored = u.sessions.get(session.id)
        assert stored is not None
        assert stored.end_reason is EndReason.LOGOUT
        assert stored.ended_at is not None
