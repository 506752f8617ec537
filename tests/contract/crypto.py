"""The real field cipher and blind index, with fresh random keys, for the persistence suites."""

from __future__ import annotations

import os

from adapters.crypto import AesGcmFieldCipher, HmacBlindIndex


def make_crypto() -> tuple[AesGcmFieldCipher, HmacBlindIndex]:
    """Return a (cipher, blind index) pair with fresh random keys."""
    return AesGcmFieldCipher({"k1": os.urandom(32)}, "k1"), HmacBlindIndex(os.urandom(32))
