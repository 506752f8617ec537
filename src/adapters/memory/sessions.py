"""Sessions, refresh tokens and reset tokens held in memory."""

from __future__ import annotations

from datetime import datetime

from attrs import evolve

from adapters.memory.workspace import Workspace
from ivr_domain.identity.model import EndReason, RefreshToken, ResetToken, Session
from ivr_domain.shared.ids import SessionId, UserId


class InMemorySessionRepository:
    """Sessions and their single-use refresh tokens."""

    def __init__(self, workspace: Workspace) -> None:
        """Work within one transaction's tables."""
        self._ws = workspace

    def get(self, session_id: SessionId) -> Session | None:
        """Return the session."""
        return self._ws.sessions.get(session_id)

    def add(self, session: Session) -> None:
        """Store a new session."""
        self._ws.sessions.put(session.id, session)

    def save(self, session: Session) -> bool:
        """Store a live session's activity or its end; False, writing nothing, when it has ended meanwhile."""
        mine = self._ws.sessions.get(session.id)
        with self._ws.store.lock:
            committed = self._ws.store.sessions.get(session.id)
        if any(s is not None and s.ended_at is not None for s in (mine, committed)):
            return False
        self._ws.sessions.put(session.id, session)
        return True

    def end_all_for_user(self, user_id: UserId, *, at: datetime, reason: str, keep: SessionId | None = None) -> int:
        """End every session of a user not yet ended, but `keep`; return how many ended."""
        live = [s for s in self._ws.sessions.values() if s.user_id == user_id and s.ended_at is None and s.id != keep]
        for session in live:
            self._ws.sessions.put(session.id, evolve(session, ended_at=at, end_reason=EndReason(reason)))
        return len(live)

    def add_refresh_token(self, token: RefreshToken) -> None:
        """Store a newly issued refresh token."""
        self._ws.refresh_tokens.put(token.token_hash, token)

    def get_refresh_token(self, token_hash: str) -> RefreshToken | None:
        """Return the refresh token with this hash."""
        return self._ws.refresh_tokens.get(token_hash)

    def use_refresh_token(self, token_hash: str, *, at: datetime) -> bool:
        """Mark a refresh token used; False when it was already used (a reuse)."""
        token = self._ws.refresh_tokens.get(token_hash)
        if token is None or token.used_at is not None:
            return False
        store = self._ws.store

        def used_elsewhere() -> bool:
            committed = store.refresh_tokens.get(token_hash)
            return committed is not None and committed.used_at is not None

        if not self._ws.may_take(("refresh_tokens.use", token_hash), used_elsewhere):
            return False
        self._ws.refresh_tokens.put(token_hash, evolve(token, used_at=at))
        return True


class InMemoryResetTokenRepository:
    """Single-use password reset tokens."""

    def __init__(self, workspace: Workspace) -> None:
        """Work within one transaction's tables."""
        self._ws = workspace

    def add(self, token: ResetToken) -> None:
        """Store a new reset token."""
        self._ws.reset_tokens.put(token.token_hash, token)

    def get(self, token_hash: str) -> ResetToken | None:
        """Return the reset token with this hash."""
        return self._ws.reset_tokens.get(token_hash)

    def use(self, token_hash: str, *, at: datetime) -> bool:
        """Mark a reset token used; False when it was already used."""
        token = self._ws.reset_tokens.get(token_hash)
        if token is None or token.used_at is not None:
            return False
        store = self._ws.store

        def used_elsewhere() -> bool:
            committed = store.reset_tokens.get(token_hash)
            return committed is not None and committed.used_at is not None

        if not self._ws.may_take(("reset_tokens.use", token_hash), used_elsewhere):
            return False
        self._ws.reset_tokens.put(token_hash, evolve(token, used_at=at))
        return True
