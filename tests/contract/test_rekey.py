"""Key rotation on SQLite and PostgreSQL: patients, IVRs and history notes move to the new key in batches, resumably,
while a server reads and writes on."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from uuid import uuid4

import pytest
from attrs import evolve, frozen
from sqlalchemy import ColumnElement, select, update

from adapters.crypto import (
    AesGcmFieldCipher,
    CipherError,
    HmacBlindIndex,
    KeyFileFieldCipher,
    add_cipher_key,
    load_or_create_key_file,
)
from adapters.crypto.keys import read_key_file
from adapters.sqlalchemy import SqlAlchemyUnitOfWork
from adapters.sqlalchemy.idempotency import SqlAlchemyIdempotencyStore
from adapters.sqlalchemy.rekey import SqlAlchemyRekeyer
from adapters.sqlalchemy.tables import idempotency_records, ivr_history, ivrs, patient_insurances, patients
from ivr_domain.ivr.model import HistoryEntry, Ivr, IvrStatus
from ivr_domain.patients.model import Patient
from ivr_domain.shared.actor import Scope
from ivr_domain.shared.ids import IvrId, UserId
from ivr_domain.shared.ports import FieldCipher, StoredResponse
from tests.contract import builders
from tests.contract.conftest import Backend, truncate

ALL = Scope(everything=True)
SQL = [pytest.param("sqlite"), pytest.param("postgresql", marks=pytest.mark.postgres)]


@frozen(kw_only=True)
class Stored:
    """What a 'server' wrote: patients, an IVR for each, and each IVR's history (one note, one without)."""

    patients: list[Patient]
    ivrs: list[Ivr]
    history: dict[IvrId, tuple[HistoryEntry, ...]]


def _stored(backend: Backend, tmp_path: Path, count: int) -> tuple[KeyFileFieldCipher, HmacBlindIndex, Stored]:
    """Patients, IVRs and history written by a 'server' whose cipher follows the key file."""
    assert backend.engine is not None
    truncate(backend.engine)
    ring, _ = load_or_create_key_file(tmp_path / "keys.json")
    server_cipher = KeyFileFieldCipher(tmp_path / "keys.json", ring, check_every=0)
    index = HmacBlindIndex(ring.blind_index_key)
    practice = builders.practice()
    patients = [builders.patient(practice.id) for _ in range(count)]
    ivrs = [builders.ivr(practice.id, p.id, patient_snapshot=builders.patient_snapshot(p)) for p in patients]
    history = {
        ivr.id: (
            builders.history_entry(ivr.id, from_status=None, to_status=IvrStatus.DRAFT, trigger="create", note=None),
            builders.history_entry(ivr.id),
        )
        for ivr in ivrs
    }
    with SqlAlchemyUnitOfWork(backend.engine, cipher=server_cipher, blind_index=index) as uow:
        uow.practices.add(practice)
        for patient in patients:
            uow.patients.add(patient)
        for ivr in ivrs:
            uow.ivrs.add(ivr)
            for entry in history[ivr.id]:
                uow.ivr_history.append(entry)
        uow.commit()
    return server_cipher, index, Stored(patients=patients, ivrs=ivrs, history=history)


def _read_all(backend: Backend, cipher: FieldCipher, index: HmacBlindIndex, stored: Stored) -> Stored:
    assert backend.engine is not None
    with SqlAlchemyUnitOfWork(backend.engine, cipher=cipher, blind_index=index) as uow:
        patients = [uow.patients.get(p.id, scope=ALL) for p in stored.patients]
        ivrs = [uow.ivrs.get(i.id, scope=ALL) for i in stored.ivrs]
        history = {i.id: uow.ivr_history.of(i.id) for i in stored.ivrs}
    return Stored(patients=patients, ivrs=ivrs, history=history)  # type: ignore[arg-type]


def _rows(count: int) -> int:
    """Ciphertext-bearing rows of `_stored`: a patient, its two insurances, its IVR and one history note."""
    return count * (1 + 2 + 1 + 1)


@pytest.mark.parametrize("backend", SQL, indirect=True)
def test_rotation_in_interrupted_batches_keeps_every_row_readable(backend: Backend, tmp_path: Path) -> None:
    server, index, stored = _stored(backend, tmp_path, count=7)
    assert len(stored.patients[0].insurances) == 2
    add_cipher_key(tmp_path / "keys.json")
    rotation = KeyFileFieldCipher(tmp_path / "keys.json", read_key_file(tmp_path / "keys.json"))
    assert backend.engine is not None
    rekeyer = SqlAlchemyRekeyer(backend.engine, cipher=rotation, blind_index=index)
    assert rekeyer.remaining() == _rows(7)
    assert rekeyer.usage(["k1", "k2"])["ivrs"] == {"k1": 7, "k2": 0, "other": 0}
    assert rekeyer.usage(["k1", "k2"])["ivr_history"] == {"k1": 7, "k2": 0, "other": 0}  # notes only

    assert rekeyer.rekey_batch(4) > 0  # then "interrupted": a new rekeyer resumes from what is left
    assert 0 < rekeyer.remaining() < _rows(7)
    assert _read_all(backend, server, index, stored) == stored  # the server reads old and new ciphertexts
    resumed = SqlAlchemyRekeyer(backend.engine, cipher=rotation, blind_index=index)
    while resumed.usage(["k2"])["ivrs"]["k2"] == 0:
        assert resumed.rekey_batch(3) > 0
    assert 0 < resumed.usage(["k1"])["ivrs"]["k1"] < 7  # IVRs half rotated: both keys read
    assert _read_all(backend, server, index, stored) == stored
    while resumed.rekey_batch(3):
        pass

    assert resumed.remaining() == 0
    usage = resumed.usage(["k1", "k2"])
    assert usage["patients"] == {"k1": 0, "k2": 7, "other": 0}
    assert usage["ivrs"] == {"k1": 0, "k2": 7, "other": 0}
    assert usage["ivr_history"] == {"k1": 0, "k2": 7, "other": 0}
    assert _read_all(backend, server, index, stored) == stored
    assert server.current_key_id == "k2"  # the server noticed the new key file: new writes use k2


@pytest.mark.parametrize("backend", SQL, indirect=True)
def test_a_concurrent_edit_is_never_overwritten_by_the_rotation(backend: Backend, tmp_path: Path) -> None:
    server, index, stored = _stored(backend, tmp_path, count=1)
    add_cipher_key(tmp_path / "keys.json")
    assert backend.engine is not None
    rekeyer = SqlAlchemyRekeyer(backend.engine, cipher=server, blind_index=index)
    with SqlAlchemyUnitOfWork(backend.engine, cipher=server, blind_index=index) as uow:
        patient = uow.patients.get(stored.patients[0].id, scope=ALL)
        assert patient is not None
        edited = uow.patients.save(evolve(patient, archived=True)).unwrap()
        uow.commit()
    while rekeyer.rekey_batch(10):
        pass
    assert _read_all(backend, server, index, stored).patients == [edited]


class _SaveWhileRotating:
    """The rotation's cipher; when it opens an IVR's content, a server saves that IVR before the rotation writes."""

    def __init__(self, inner: KeyFileFieldCipher, save: Callable[[], None]) -> None:
        self._inner = inner
        self._save: Callable[[], None] | None = save

    @property
    def current_key_id(self) -> str:
        return self._inner.current_key_id

    def key_id_of(self, ciphertext: bytes) -> str:
        return self._inner.key_id_of(ciphertext)

    def encrypt(self, plaintext: str, *, context: str) -> bytes:
        return self._inner.encrypt(plaintext, context=context)

    def decrypt(self, ciphertext: bytes, *, context: str) -> str:
        opened = self._inner.decrypt(ciphertext, context=context)
        if self._save is not None and context.startswith("ivrs.content:"):
            save, self._save = self._save, None
            save()
        return opened


@pytest.mark.parametrize("backend", SQL, indirect=True)
def test_an_ivr_saved_between_the_rotations_read_and_write_keeps_the_save(backend: Backend, tmp_path: Path) -> None:
    server, index, stored = _stored(backend, tmp_path, count=1)
    (ivr,) = stored.ivrs
    add_cipher_key(tmp_path / "keys.json")
    assert backend.engine is not None
    engine = backend.engine
    rotation = KeyFileFieldCipher(tmp_path / "keys.json", read_key_file(tmp_path / "keys.json"))
    changed = evolve(ivr, content=builders.ivr_content(notes="Changed while the rotation ran"))
    saved: list[Ivr] = []

    def save_on_the_server() -> None:
        with SqlAlchemyUnitOfWork(engine, cipher=server, blind_index=index) as uow:
            saved.append(uow.ivrs.save(changed).unwrap())
            uow.commit()

    rekeyer = SqlAlchemyRekeyer(engine, cipher=_SaveWhileRotating(rotation, save_on_the_server), blind_index=index)
    while rekeyer.rekey_batch(10):
        pass

    assert len(saved) == 1
    assert _read_all(backend, server, index, stored).ivrs == saved
    assert rekeyer.remaining() == 0  # the server wrote its save under the new key already


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


def _with_an_idempotent_answer(backend: Backend, cipher: FieldCipher) -> None:
    assert backend.engine is not None
    store = SqlAlchemyIdempotencyStore(backend.engine, cipher=cipher)
    user_id, now = UserId(uuid4()), builders.later()
    store.claim(user_id=user_id, key="create-1", request_hash="h", now=now, ttl_seconds=60)
    store.complete(user_id=user_id, key="create-1", response=StoredResponse(status=201, body=b'{"id": 1}'))


@pytest.mark.parametrize("backend", SQL, indirect=True)
def test_the_keys_that_sealed_the_data_open_a_sample_of_every_table(backend: Backend, tmp_path: Path) -> None:
    server, index, _ = _stored(backend, tmp_path, count=2)
    _with_an_idempotent_answer(backend, server)
    assert backend.engine is not None
    rekeyer = SqlAlchemyRekeyer(backend.engine, cipher=server, blind_index=index)
    assert all(counts["k1"] for counts in rekeyer.usage(["k1"]).values())  # every table has a row to open

    rekeyer.check_keys(["k1", "k2"])  # a key nothing is under is no failure


@pytest.mark.parametrize("backend", SQL, indirect=True)
def test_keys_that_did_not_seal_the_data_are_found_out(backend: Backend, tmp_path: Path) -> None:
    _, index, _ = _stored(backend, tmp_path, count=1)
    foreign = AesGcmFieldCipher({"k1": os.urandom(32)}, "k1")
    assert backend.engine is not None

    with pytest.raises(CipherError):
        SqlAlchemyRekeyer(backend.engine, cipher=foreign, blind_index=index).check_keys(["k1"])


PROBED = [patients.c.first_name, patient_insurances.c.member_id, ivrs.c.content, ivr_history.c.note]


@pytest.mark.parametrize("backend", SQL, indirect=True)
@pytest.mark.parametrize("column", [*PROBED, idempotency_records.c.response_body], ids=lambda c: c.table.name)
def test_a_damaged_sample_of_any_table_is_found_out(
    backend: Backend, tmp_path: Path, column: ColumnElement[bytes]
) -> None:
    server, index, _ = _stored(backend, tmp_path, count=1)
    _with_an_idempotent_answer(backend, server)
    assert backend.engine is not None
    with backend.engine.begin() as db:
        sealed = db.execute(select(column).where(column.is_not(None)).limit(1)).scalar_one()
        damaged = bytes(sealed[:-1]) + bytes([sealed[-1] ^ 1])  # the tag no longer matches
        db.execute(update(column.table).where(column.is_not(None)).values({column.name: damaged}))

    with pytest.raises(CipherError, match="failed authentication"):
        SqlAlchemyRekeyer(backend.engine, cipher=server, blind_index=index).check_keys(["k1"])
