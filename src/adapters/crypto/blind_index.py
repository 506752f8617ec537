"""HMAC-SHA256 blind indexes over normalised values, for exact-match search on encrypted fields."""

from __future__ import annotations

import hashlib
import hmac

from ivr_domain.shared.values import normalise_for_match

MIN_KEY_BYTES = 32


def normalise(value: str) -> str:
    """Fold a value before indexing: NFKD, combining marks dropped, casefolded, spacing collapsed, stripped."""
    # The core's own matching rule, so an index and the core never disagree on what "equal" means.
    return normalise_for_match(value)


class HmacBlindIndex:
    """Keyed digests, separated by purpose so one column's digests reveal nothing about another's."""

    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"blind index key must be at least {MIN_KEY_BYTES} bytes, got {len(key)}")
        self._key = bytes(key)

    def digest(self, value: str, *, purpose: str) -> str:
        """Return the hex HMAC-SHA256 of the purpose and the normalised value."""
        message = f"{purpose}\x00{normalise(value)}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()
