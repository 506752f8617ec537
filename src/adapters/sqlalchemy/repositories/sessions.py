"""Sessions, refresh tokens and reset tokens in SQL; using a token is one atomic UPDATE."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select, update

from adapters.sqlalchemy.tables import refresh_tokens, reset_tokens, sessions
from ivr_domain.identity.model import EndReason, RefreshToken, ResetToken, Session
from ivr_domain.shared.ids import SessionId, UserId


def session_values(session: Session) -> dict[str, Any]:
    """Map a session to its row."""
    return {
        "id": session.id,
        "user_id": session.user_id,
        "created_at": session.created_at,
        "last_seen_at": session.last_seen_at,
        "expires_at": session.expires_at,
        "ended_at": session.ended_at,
        "end_reason": session.end_reason.value if session.end_reason else None,
        "client_address": session.client_address,
    }


def session_from_row(row: Row[Any]) -> Session:
    """Map a session row to the entity."""
    m = row._mapping
    return Session(
        id=SessionId(m["id"]),
        user_id=UserId(m["user_id"]),
        created_at=m["created_at"],
        last_seen_at=m["last_seen_at"],
        expires_at=m["expires_at"],
        ended_at=m["ended_at"],
        end_reason=EndReason(m["end_reason"]) if m["end_reason"] is not None else None,
        client_address=m["client_address"],
    )


class SqlAlchemySessionRepository:
    """Sessions and their single-use refresh tokens."""

    def __init__(self, connection: Connection) -> None:
        """Work within the unit of work's transaction."""
        self._db = connection

    def get(self, session_id: SessionId) -> Session | None:
        """Return the session."""
        row = self._db.execute(select(sessions).where(sessions.c.id == session_id)).first()
        return session_from_row(row) if row is not None else None

    def add(self, session: Session) -> None:
        """Store a new session."""
        self._db.execute(sessions.insert().values(**session_values(session)))

    def save(self, session: Session) -> bool:
        """Store a live session's activity or its end; False, writing nothing, when it has ended meanwhile."""
        values = session_values(session)
        del values["id"], values["user_id"], values["created_at"]
        # On PostgreSQL a concurrent end holds the row: this waits for it, then finds the session ended.
        stmt = update(sessions).where(sessions.c.id == session.id, sessions.c.ended_at.is_(None)).values(**values)
        return bool(self._db.execute(stmt).rowcount == 1)

    def end_all_for_user(self, user_id: UserId, *, at: datetime, reason: str, keep: SessionId | None = None) -> int:
        """End every session of a user not yet ended, but `keep`; return how many ended."""
        stmt = update(sessions).where(sessions.c.user_id == user_id, sessions.c.ended_at.is_(None))
        if keep is not None:
            stmt = stmt.where(sessions.c.id != keep)
        result = self._db.execute(stmt.values(ended_at=at, end_reason=EndReason(reason).value))
        return int(result.rowcount)

    def add_refresh_token(self, token: RefreshToken) -> None:
        """Store a newly issued refresh token."""
        self._db.execute(
            refresh_tokens.insert().values(
                token_hash=token.token_hash,
                session_id=token.session_id,
                issued_at=token.issued_at,
                used_at=token.used_at,
            )
        )

    def get_refresh_token(self, token_hash: str) -> RefreshToken | None:
        """Return the refresh token with this hash."""
        row = self._db.execute(select(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash)).first()
        if row is None:
            return None
        m = row._mapping
        return RefreshToken(
            token_hash=m["token_hash"],
            session_id=SessionId(m["session_id"]),
            issued_at=m["issued_at"],
            used_at=m["used_at"],
        )

    def use_refresh_token(self, token_hash: str, *, at: datetime) -> bool:
        """Mark a refresh token used; False when it was already used (a reuse)."""
        stmt = (
            update(refresh_tokens)
            .where(refresh_tokens.c.token_hash == token_hash, refresh_tokens.c.used_at.is_(None))
            .values(used_at=at)
        )
        return self._db.execute(stmt).rowcount == 1


class SqlAlchemyResetTokenRepository:
    """Single-use password reset tokens."""

    def __init__(self, connection: Connection) -> None:
        """Work within the unit of work's transaction."""
        self._db = connection

    def add(self, token: ResetToken) -> None:
        """Store a new reset token."""
        self._db.execute(
            reset_tokens.insert().values(
                token_hash=token.token_hash,
                user_id=token.user_id,
                created_at=token.created_at,
                expires_at=token.expires_at,
                used_at=token.used_at,
            )
        )

    def get(self, token_hash: str) -> ResetToken | None:
        """Return the reset token with this hash."""
        row = self._db.execute(select(reset_tokens).where(reset_tokens.c.token_hash == token_hash)).first()
        if row is None:
            return None
        m = row._mapping
        return ResetToken(
            token_hash=m["token_hash"],
            user_id=UserId(m["user_id"]),
            created_at=m["created_at"],
            expires_at=m["expires_at"],
            used_at=m["used_at"],
        )

    def use(self, token_hash: str, *, at: datetime) -> bool:
        """Mark a reset token used; False when it was already used."""
        stmt = (
            update(reset_tokens)
            .where(reset_tokens.c.token_hash == token_hash, reset_tokens.c.used_at.is_(None))
            .values(used_at=at)
        )
        return self._db.execute(stmt).rowcount == 1
