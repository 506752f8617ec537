"""Password reset links printed to the server's console, for the embedded default."""

from __future__ import annotations

import sys
from typing import TextIO
from urllib.parse import quote

from attrs import define, field

from ivr_domain.shared.ids import UserId
from ivr_domain.shared.values import Email


@define
class ConsoleResetNotifier:
    """Writes the reset link to the console stream, never to the structured logs."""

    public_url: str
    stream: TextIO = field(factory=lambda: sys.stdout)

    def send_password_reset(self, *, email: Email, user_id: UserId, token: str) -> None:
        """Print the link an operator would otherwise email to the account's owner."""
        link = f"{self.public_url.rstrip('/')}/reset-password#token={quote(token)}"
        self.stream.write(f"\n[password reset] for {email.value}: {link}\n  (valid once; it expires soon)\n")
        self.stream.flush()
