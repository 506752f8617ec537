"""The FieldCipher contract, against the AES-256-GCM adapter."""

from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.crypto import AesGcmFieldCipher, CipherError

K1, K2 = os.urandom(32), os.urandom(32)


def cipher(current: str = "k1", **keys: bytes) -> AesGcmFieldCipher:
    return AesGcmFieldCipher(keys or {"k1": K1}, current)


@given(plaintext=st.text(), context=st.text())
def test_round_trip_for_any_text_and_context(plaintext: str, context: str) -> None:
    c = cipher()
    assert c.decrypt(c.encrypt(plaintext, context=context), context=context) == plaintext


@given(plaintext=st.text(), context=st.text(), other=st.text())
def test_another_context_fails_to_decrypt(plaintext: str, context: str, other: str) -> None:
    c = cipher()
    if other == context:
        other += "x"
    with pytest.raises(CipherError):
        c.decrypt(c.encrypt(plaintext, context=context), context=other)


@given(plaintext=st.text(max_size=50), data=st.data())
def test_any_flipped_byte_fails(plaintext: str, data: st.DataObject) -> None:
    c = cipher()
    sealed = bytearray(c.encrypt(plaintext, context="patients.last_name:1"))
    position = data.draw(st.integers(0, len(sealed) - 1))
    bit = data.draw(st.integers(0, 7))
    sealed[position] ^= 1 << bit
    with pytest.raises(CipherError):
        c.decrypt(bytes(sealed), context="patients.last_name:1")


def test_ciphertext_names_its_key_after_a_version_byte() -> None:
    c = cipher("k2", k1=K1, k2=K2)
    sealed = c.encrypt("Smith", context="ctx")
    assert c.key_id_of(sealed) == "k2"
    assert sealed[0] == 1
    assert sealed[1 : 2 + sealed[1]] == b"\x02k2"
    assert c.current_key_id == "k2"


def test_encryption_is_randomised() -> None:
    c = cipher()
    assert c.encrypt("Smith", context="ctx") != c.encrypt("Smith", context="ctx")


def test_rotation_reads_old_ciphertexts_and_writes_with_the_new_key() -> None:
    old = cipher("k1", k1=K1).encrypt("Jane Doe", context="ctx")
    rotated = cipher("k2", k1=K1, k2=K2)
    assert rotated.decrypt(old, context="ctx") == "Jane Doe"
    assert rotated.key_id_of(old) == "k1"
    assert rotated.key_id_of(rotated.encrypt("Jane Doe", context="ctx")) == "k2"


def test_unknown_key_id_raises_cipher_error() -> None:
    sealed = cipher("k2", k1=K1, k2=K2).encrypt("Jane", context="ctx")
    with pytest.raises(CipherError, match="k2"):
        cipher("k1", k1=K1).decrypt(sealed, context="ctx")


def test_same_key_id_with_another_key_fails() -> None:
    sealed = cipher("k1", k1=K1).encrypt("Jane", context="ctx")
    with pytest.raises(CipherError):
        cipher("k1", k1=K2).decrypt(sealed, context="ctx")


@pytest.mark.parametrize("garbage", [b"", b"\x01", b"\x02\x02k1" + bytes(40), b"\x01\x02k1" + bytes(10)])
def test_malformed_ciphertext_raises_cipher_error(garbage: bytes) -> None:
    with pytest.raises(CipherError):
        cipher().decrypt(garbage, context="ctx")


@given(plaintext=st.text(min_size=4))
def test_plaintext_never_appears_in_the_ciphertext(plaintext: str) -> None:
    sealed = cipher().encrypt(plaintext, context="ctx")
    assert plaintext.encode() not in sealed


@pytest.mark.parametrize(
    ("keys", "current"),
    [({"k1": os.urandom(16)}, "k1"), ({"k1": K1}, "k2"), ({"": K1}, ""), ({"k\u00e9": K1}, "k\u00e9")],
)
def test_bad_key_material_is_refused(keys: dict[str, bytes], current: str) -> None:
    with pytest.raises(ValueError, match="key"):
        AesGcmFieldCipher(keys, current)
