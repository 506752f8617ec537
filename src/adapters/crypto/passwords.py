"""Argon2id password hashing with parameters chosen on purpose."""

from __future__ import annotations

import argon2
from argon2.exceptions import InvalidHashError, VerificationError
from attrs import frozen


@frozen(kw_only=True)
class Argon2Parameters:
    """Argon2id cost parameters: passes, memory in KiB and lanes."""

    time_cost: int
    memory_cost_kib: int
    parallelism: int


# OWASP's recommended minimum for argon2id: 19 MiB, 2 passes, 1 lane.
OWASP = Argon2Parameters(time_cost=2, memory_cost_kib=19456, parallelism=1)
# The cheapest parameters argon2 accepts (argon2-cffi's CHEAPEST profile): tests only, never production.
FAST_FOR_TESTS = Argon2Parameters(time_cost=1, memory_cost_kib=8, parallelism=1)


class Argon2PasswordHasher:
    """Hashes with argon2id; verification never raises for a wrong password or a malformed hash."""

    def __init__(self, parameters: Argon2Parameters) -> None:
        self.parameters = parameters
        self._hasher = argon2.PasswordHasher(
            time_cost=parameters.time_cost,
            memory_cost=parameters.memory_cost_kib,
            parallelism=parameters.parallelism,
            hash_len=32,
            salt_len=16,
            type=argon2.Type.ID,
        )

    def hash(self, password: str) -> str:
        """Hash a password for storage."""
        return self._hasher.hash(password)

    def verify(self, stored: str, password: str) -> bool:
        """Tell whether a password matches a stored hash; False for a mismatch or a malformed hash."""
        try:
            return self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        """Tell whether a stored hash was made with other parameters (or cannot be read at all)."""
        try:
            return self._hasher.check_needs_rehash(stored)
        except (InvalidHashError, ValueError):
            return True
