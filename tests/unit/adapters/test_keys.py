"""Key material: the development key file and keys from settings."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest

from adapters.crypto import KeyMaterialError, KeyRing, keyring_from_settings, load_or_create_key_file


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_key_file_is_created_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "data" / "keys.json"
    ring, created = load_or_create_key_file(path)
    assert created
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(ring.cipher_keys[ring.current_cipher_key_id]) == 32
    assert len(ring.blind_index_key) >= 32
    assert len(ring.jwt_secret) >= 32
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_second_load_reads_the_same_keys(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    first, _ = load_or_create_key_file(path)
    second, created = load_or_create_key_file(path)
    assert not created
    assert second == first


def test_keys_are_random(tmp_path: Path) -> None:
    first, _ = load_or_create_key_file(tmp_path / "a.json")
    second, _ = load_or_create_key_file(tmp_path / "b.json")
    assert first.blind_index_key != second.blind_index_key
    assert first.jwt_secret != second.jwt_secret


def test_repr_shows_no_key_material(tmp_path: Path) -> None:
    ring, _ = load_or_create_key_file(tmp_path / "keys.json")
    assert repr(ring.jwt_secret) not in repr(ring)
    assert repr(ring.blind_index_key) not in repr(ring)


@pytest.mark.parametrize("content", ["not json", "[]", '{"version": 2}', '{"version": 1, "cipher_keys": {}}'])
def test_broken_key_file_raises(tmp_path: Path, content: str) -> None:
    path = tmp_path / "keys.json"
    path.write_text(content)
    with pytest.raises(KeyMaterialError):
        load_or_create_key_file(path)


def test_key_file_with_a_short_key_raises(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    load_or_create_key_file(path)
    document = json.loads(path.read_text())
    document["cipher_keys"]["k1"] = b64(os.urandom(16))
    path.write_text(json.dumps(document))
    with pytest.raises(KeyMaterialError, match="32 bytes"):
        load_or_create_key_file(path)


def test_settings_are_parsed() -> None:
    k1, k2, blind, secret = os.urandom(32), os.urandom(32), os.urandom(32), os.urandom(48)
    ring = keyring_from_settings(
        cipher_keys=f"k1:{b64(k1)}, k2:{b64(k2)}", current="k2", blind_index_key=b64(blind), jwt_secret=b64(secret)
    )
    assert ring == KeyRing(
        cipher_keys={"k1": k1, "k2": k2}, current_cipher_key_id="k2", blind_index_key=blind, jwt_secret=secret
    )


GOOD = b64(os.urandom(32))


@pytest.mark.parametrize(
    ("cipher_keys", "current", "blind", "secret", "message"),
    [
        ("", "k1", GOOD, GOOD, "no cipher keys"),
        (f"k1{GOOD}", "k1", GOOD, GOOD, "k1:<base64>"),
        (f":{GOOD}", "k1", GOOD, GOOD, "k1:<base64>"),
        (f"k1:{GOOD},k1:{GOOD}", "k1", GOOD, GOOD, "twice"),
        ("k1:not base64!", "k1", GOOD, GOOD, "not valid base64"),
        (f"k1:{b64(os.urandom(16))}", "k1", GOOD, GOOD, "32 bytes"),
        (f"k1:{GOOD}", "k2", GOOD, GOOD, "not among"),
        (f"k1:{GOOD}", "k1", b64(os.urandom(16)), GOOD, "blind index key must be at least 32 bytes"),
        (f"k1:{GOOD}", "k1", GOOD, b64(b"short"), "JWT secret must be at least 32 bytes"),
        (f"k1:{GOOD}", "k1", "", GOOD, "blind index key is empty"),
        (f"k1:{GOOD}", "k1", GOOD, "%%%", "JWT secret is not valid base64"),
    ],
)
def test_settings_errors(cipher_keys: str, current: str, blind: str, secret: str, message: str) -> None:
    with pytest.raises(KeyMaterialError, match=message):
        keyring_from_settings(cipher_keys=cipher_keys, current=current, blind_index_key=blind, jwt_secret=secret)


def test_blind_index_key_must_differ_from_cipher_keys() -> None:
    with pytest.raises(KeyMaterialError, match="differ"):
        keyring_from_settings(cipher_keys=f"k1:{GOOD}", current="k1", blind_index_key=GOOD, jwt_secret=GOOD)


def test_errors_never_contain_key_material() -> None:
    short = b64(os.urandom(16))
    with pytest.raises(KeyMaterialError) as raised:
        keyring_from_settings(cipher_keys=f"k1:{short}", current="k1", blind_index_key=GOOD, jwt_secret=GOOD)
    assert short not in str(raised.value)
