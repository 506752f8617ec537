"""Key rotation on SQLite and PostgreSQL: rows move to the new key in batches, resumably, while a server reads on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from attrs import evolve

from adapters.crypto import HmacBlindIndex, KeyFileFieldCipher, add_cipher_key, load_or_create_key_file
from adapters.crypto.keys import read_key_file
from adapters.sqlalchemy import SqlAlchemyUnitOfWork
from adapters.sqlalchemy.rekey import SqlAlchemyRekeyer
from ivr_domain.patients.model import Patient
from ivr_domain.shared.actor import Scope
from tests.contract import builders
from tests.contract.conftest import Backend, truncate

ALL = Scope(everything=True)
SQL = [pytest.param("sqlite"), pytest.param("postgresql", marks=pytest.mark.postgres)]


def _stored(backend: Backend, tmp_path: Path, count: int) -> tuple[KeyFileFieldCipher, HmacBlindIndex, list[Patient]]:
    """Patients written by a 'server' whose cipher follows the key file."""
    assert backend.engine is not None
    truncate(backend.engine)
    ring, _ = load_or_create_key_file(tmp_path / "keys.json")
    server_cipher = KeyFileFieldCipher(tmp_path / "keys.json", ring, check_every=0)
    index = HmacBlindIndex(ring.blind_index_key)
    practice = builders.practice()
    stored = [builders.patient(practice.id) for _ in range(count)]
    with SqlAlchemyUnitOfWork(backend.engine, cipher=server_cipher, blind_index=index) as uow:
        uow.practices.add(practice)
        for patient in stored:
            uow.patients.add(patient)
        uow.commit()
    return server_cipher, index, stored


def _read_all(backend: Backend, cipher: KeyFileFieldCipher, index: HmacBlindIndex, stored: list[Patient]) -> list:
    assert backend.engine is not None
    with SqlAlchemyUnitOfWork(backend.engine, cipher=cipher, blind_index=index) as uow:
        return [uow.patients.get(p.id, scope=ALL) for p in stored]


@pytest.mark.parametrize("backend", SQL, indirect=True)
def test_rotation_in_interrupted_batches_keeps_every_patient_readable(backend: Backend, tmp_path: Path) -> None:
    server, index, stored = _stored(backend, tmp_path, count=7)
    add_cipher_key(tmp_path / "keys.json")
    rotation = KeyFileFieldCipher(tmp_path / "keys.json", read_key_file(tmp_path / "keys.json"))
    assert backend.engine is not None
    rekeyer = SqlAlchemyRekeyer(backend.engine, cipher=rotation, blind_index=index)
    rows = 7 * (1 + len(stored[0].insurances))
    assert rekeyer.remaining() == rows

    assert rekeyer.rekey_batch(4) > 0  # then "interrupted": a new rekeyer resumes from what is left
    assert 0 < rekeyer.remaining() < rows
    assert _read_all(backend, server, index, stored) == stored  # the server reads old and new ciphertexts
    resumed = SqlAlchemyRekeyer(backend.engine, cipher=rotation, blind_index=index)
    while resumed.rekey_batch(3):
        pass

    assert resumed.remaining() == 0
    assert resumed.usage(["k1", "k2"])["patients"] == {"k1": 0, "k2": 7, "other": 0}
    assert _read_all(backend, server, index, stored) == stored
    assert server.current_key_id == "k2"  # the server noticed the new key file: new writes use k2


@pytest.mark.parametrize("backend", SQL, indirect=True)
def test_a_concurrent_edit_is_never_overwritten_by_the_rotation(backend: Backend, tmp_path: Path) -> None:
    server, index, stored = _stored(backend, tmp_path, count=1)
    add_cipher_key(tmp_path / "keys.json")
    assert backend.engine is not None
    rekeyer = SqlAlchemyRekeyer(backend.engine, cipher=server, blind_index=index)
    with SqlAlchemyUnitOfWork(backend.engine, cipher=server, blind_index=index) as uow:
        patient = uow.patients.get(stored[0].id, scope=ALL)
        assert patient is not None
        edited = uow.patients.save(evolve(patient, archived=True)).unwrap()
        uow.commit()
    while rekeyer.rekey_batch(10):
        pass
    assert _read_all(backend, server, index, stored) == [edited]


def test_the_server_cipher_follows_the_key_file(tmp_path: Path) -> None:
    ring, _ = load_or_create_key_file(tmp_path / "keys.json")
    server = KeyFileFieldCipher(tmp_path / "keys.json", ring, check_every=3600)
    old = server.encrypt("Ada", context="c")
    other = KeyFileFieldCipher(tmp_path / "keys.json", ring, check_every=0)
    add_cipher_key(tmp_path / "keys.json")
    new = KeyFileFieldCipher(tmp_path / "keys.json", read_key_file(tmp_path / "keys.json")).encrypt("Bo", context="c")
    # Within its check interval the server still writes k1, but it reads k2 at once (an unknown key re-reads).
    assert server.decrypt(new, context="c") == "Bo"
    assert server.decrypt(old, context="c") == "Ada"
    assert server.current_key_id == "k2"
    assert other.current_key_id == "k2"
    assert os.stat(tmp_path / "keys.json").st_mode & 0o777 == 0o600
