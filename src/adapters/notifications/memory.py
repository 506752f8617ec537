"""Password reset tokens kept in memory, for tests and embedding."""

from __future__ import annotations

import threading

from attrs import define, field, frozen

from ivr_domain.shared.ids import UserId
from ivr_domain.shared.values import Email


@frozen(kw_only=True)
class SentReset:
    """One reset message as it would have been delivered."""

    email: Email
    user_id: UserId
    token: str


@define
class InMemoryResetNotifier:
    """Keeps every reset message so a test can read the token back."""

    sent: list[SentReset] = field(factory=list)
    _lock: threading.Lock = field(factory=threading.Lock)

    def send_password_reset(self, *, email: Email, user_id: UserId, token: str) -> None:
        """Keep the message."""
        with self._lock:
            self.sent.append(SentReset(email=email, user_id=user_id, token=token))

    def last_token_for(self, email: str) -> str | None:
        """Return the newest token sent to an address."""
        with self._lock:
            tokens = [s.token for s in self.sent if s.email.value == email.lower()]
        return tokens[-1] if tokens else None
