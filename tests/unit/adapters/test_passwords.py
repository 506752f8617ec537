"""Argon2id password hashing."""

from __future__ import annotations

import pytest

from adapters.crypto import FAST_FOR_TESTS, OWASP, Argon2Parameters, Argon2PasswordHasher

HASHER = Argon2PasswordHasher(FAST_FOR_TESTS)


def test_hash_then_verify() -> None:
    stored = HASHER.hash("correct horse battery staple")
    assert stored.startswith("$argon2id$")
    assert HASHER.verify(stored, "correct horse battery staple")


def test_hashes_are_salted() -> None:
    assert HASHER.hash("same") != HASHER.hash("same")


def test_wrong_password_is_false() -> None:
    assert not HASHER.verify(HASHER.hash("right"), "wrong")


@pytest.mark.parametrize("stored", ["", "not a hash", "$argon2id$v=19$m=8,t=1,p=1$broken", "$2b$12$" + "a" * 53])
def test_malformed_hash_is_false_not_an_error(stored: str) -> None:
    assert HASHER.verify(stored, "anything") is False


def test_parameters_are_the_ones_given() -> None:
    stored = Argon2PasswordHasher(Argon2Parameters(time_cost=2, memory_cost_kib=64, parallelism=1)).hash("pw")
    assert "$m=64,t=2,p=1$" in stored


def test_presets() -> None:
    assert Argon2Parameters(time_cost=2, memory_cost_kib=19456, parallelism=1) == OWASP
    assert FAST_FOR_TESTS.time_cost == 1
    assert FAST_FOR_TESTS.parallelism == 1


def test_needs_rehash_when_parameters_change() -> None:
    old = HASHER.hash("pw")
    assert not HASHER.needs_rehash(old)
    stronger = Argon2PasswordHasher(Argon2Parameters(time_cost=2, memory_cost_kib=64, parallelism=1))
    assert stronger.needs_rehash(old)
    assert stronger.verify(old, "pw")
    assert HASHER.needs_rehash("garbage")
