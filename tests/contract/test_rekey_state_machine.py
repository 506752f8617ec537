"""Key rotation as random steps on SQLite and PostgreSQL: a server writes and reads on while keys are added and
the rotation runs in batches, is interrupted, resumed in a new process, or raced by an edit of the row it opened.

After every step: everything reads back as last written, each row's ciphertexts are under one key, the counts
`ivr keys status` shows match the rows, nothing written since the newest key is under an older one, and no
plaintext is in the database or the document folder.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa
from attrs import evolve
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    MultipleResults,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)
from returns.result import Success

from adapters.crypto import HmacBlindIndex, KeyFileFieldCipher, add_cipher_key, load_or_create_key_file
from adapters.crypto.keys import read_key_file
from adapters.sqlalchemy import SqlAlchemyUnitOfWork
from adapters.sqlalchemy.rekey import SqlAlchemyRekeyer
from adapters.sqlalchemy.tables import metadata
from adapters.storage import LocalFolderDocumentStore
from ivr_domain.ivr.documents import IvrDocument
from ivr_domain.ivr.model import HistoryEntry, Ivr
from ivr_domain.patients.documents import Document, DocumentKind
from ivr_domain.patients.model import Patient
from ivr_domain.shared.actor import Scope
from ivr_domain.shared.ids import DocumentId, IvrId, PatientId, UserId, new_id
from ivr_domain.shared.values import PersonName
from tests.contract import builders
from tests.contract.conftest import Backend, truncate
from tests.contract.stored import stored_values

ALL = Scope(everything=True)
SQL = [pytest.param("sqlite"), pytest.param("postgresql", marks=pytest.mark.postgres)]
MAX_DOCUMENT_BYTES = 1 << 20
# The tables the machine writes ciphertext to, and the entity each row belongs to (insurances: their patient).
ROW_OWNER = {"patients": "id", "patient_insurances": "patient_id", "ivrs": "id", "ivr_history": "id"}
# A prefix no clear column holds, and too long to turn up in random ciphertext: found in a raw row, it is a leak.
MARK = "ŔekeyCanary"
phi_text = st.text(max_size=12).map(lambda s: f"{MARK}{s}")
document_bytes = st.binary(max_size=300)
# The tables whose first row a run of batches opens the server saves in between (history notes never change).
RACES = st.sampled_from([(), ("patients",), ("ivrs",), ("patients", "ivrs")])


class _RacingCipher:
    """The rotation's cipher; the first row it opens of each raced table, the server saves before the rotation writes.

    Each table is re-encrypted in transactions of its own, so its first row opened is opened before that transaction
    writes anything (on SQLite a later save would wait for the rotation's write lock, then time out).
    """

    def __init__(self, inner: KeyFileFieldCipher, races: Iterable[str], save: Callable[[str, UUID], None]) -> None:
        self._inner = inner
        self._waiting = set(races)
        self._save = save

    @property
    def current_key_id(self) -> str:
        """Return the inner cipher's current key."""
        return self._inner.current_key_id

    def key_id_of(self, ciphertext: bytes) -> str:
        """Return the key a ciphertext names."""
        return self._inner.key_id_of(ciphertext)

    def encrypt(self, plaintext: str, *, context: str) -> bytes:
        """Encrypt with the inner cipher."""
        return self._inner.encrypt(plaintext, context=context)

    def decrypt(self, ciphertext: bytes, *, context: str) -> str:
        """Decrypt; for the first row of a raced table, let the server save that row first."""
        opened = self._inner.decrypt(ciphertext, context=context)
        table, _, rest = context.partition(".")
        if table in self._waiting:
            self._waiting.discard(table)
            self._save(table, UUID(rest.split(":")[1]))
        return opened


class _Rotation:
    """One `ivr keys rotate` process: its own cipher over the key file, rekeyer and document store."""

    def __init__(self, backend: Backend, keys_file: Path, documents: Path, index: HmacBlindIndex) -> None:
        assert backend.engine is not None
        self.cipher = KeyFileFieldCipher(keys_file, read_key_file(keys_file))
        keys, current = self.cipher.keys()
        self.rekeyer = SqlAlchemyRekeyer(backend.engine, cipher=self.cipher, blind_index=index)
        self.rekeyer.check_keys(sorted(keys))  # as the command does before it writes anything
        self.store = LocalFolderDocumentStore(documents, keys, current, follow=self.cipher.keys)

    def old_documents(self) -> list[DocumentId]:
        """Return the documents not under the current key, as the command finds them."""
        current = self.store.current_key_id
        return [d for key_id in self.store.key_ids() if key_id != current for d in self.store.documents_under(key_id)]


def _machine(backend: Backend) -> type[RuleBasedStateMachine]:
    assert backend.engine is not None
    engine = backend.engine

    class Rotation(RuleBasedStateMachine):
        patients = Bundle("patients")

        def __init__(self) -> None:
            super().__init__()
            truncate(engine)
            self.folder = Path(tempfile.mkdtemp(prefix="rekey-machine-"))
            self.keys_file = self.folder / "keys.json"
            self.documents = self.folder / "documents"
            ring, _ = load_or_create_key_file(self.keys_file)
            self.index = HmacBlindIndex(ring.blind_index_key)
            self._start_server()
            self.rotation: _Rotation | None = None
            self.practice = builders.practice()
            with self._uow() as u:
                u.practices.add(self.practice)
                u.commit()
            self.patient_model: dict[PatientId, Patient] = {}
            self.ivr_model: dict[IvrId, Ivr] = {}
            self.history_model: dict[IvrId, tuple[HistoryEntry, ...]] = {}
            self.document_model: dict[DocumentId, bytes] = {}
            self.document_table: dict[DocumentId, str] = {}  # which table records each document
            # (table, owner id) of everything the server wrote since the newest key was added: under that key.
            self.fresh: set[tuple[str, str]] = set()
            self.rotating = False  # a key was added since the last rotation finished

        def teardown(self) -> None:
            shutil.rmtree(self.folder, ignore_errors=True)

        def _start_server(self) -> None:
            """A server process: it follows the key file at once, and stores documents over the same keys."""
            ring = read_key_file(self.keys_file)
            self.server = KeyFileFieldCipher(self.keys_file, ring, check_every=0)
            self.server_store = LocalFolderDocumentStore(
                self.documents, ring.cipher_keys, ring.current_cipher_key_id, chunk_bytes=64, follow=self.server.keys
            )

        def _uow(self) -> SqlAlchemyUnitOfWork:
            return SqlAlchemyUnitOfWork(engine, cipher=self.server, blind_index=self.index)

        def _process(self) -> _Rotation:
            """The running rotation, or a new process resuming it."""
            if self.rotation is None:
                self.rotation = _Rotation(backend, self.keys_file, self.documents, self.index)
            return self.rotation

        def _wrote_patient(self, patient: Patient) -> None:
            self.patient_model[patient.id] = patient
            self.fresh |= {("patients", str(patient.id)), ("patient_insurances", str(patient.id))}

        def _wrote_ivr(self, ivr: Ivr) -> None:
            self.ivr_model[ivr.id] = ivr
            self.fresh.add(("ivrs", str(ivr.id)))

        def _save_patient(self, patient_id: PatientId, first: str, city: str) -> None:
            current = self.patient_model[patient_id]
            assert current.address is not None
            changed = evolve(
                current,
                name=PersonName(first=first, last=current.name.last),
                address=evolve(current.address, city=city),
                updated_at=builders.later(),
            )
            with self._uow() as u:
                result = u.patients.save(changed)
                u.commit()
            assert result == Success(evolve(changed, version=changed.version + 1))
            self._wrote_patient(result.unwrap())

        def _save_ivr(self, ivr_id: IvrId, notes: str) -> None:
            changed = evolve(self.ivr_model[ivr_id], content=builders.ivr_content(notes=notes))
            with self._uow() as u:
                result = u.ivrs.save(changed)
                u.commit()
            assert result == Success(evolve(changed, version=changed.version + 1))
            self._wrote_ivr(result.unwrap())

        @rule(target=patients, first=phi_text, last=phi_text, line1=phi_text, member_id=phi_text, payer=phi_text)
        def create_patient(self, first: str, last: str, line1: str, member_id: str, payer: str) -> PatientId:
            return self._add_patient(first, last, line1, member_id, payer)

        def _add_patient(self, first: str, last: str, line1: str, member_id: str, payer: str) -> PatientId:
            template = builders.patient(self.practice.id)
            assert template.address is not None
            primary, secondary = template.insurances
            patient = evolve(
                template,
                name=PersonName(first=first, last=last),
                address=evolve(template.address, line1=line1),
                insurances=(evolve(primary, member_id=member_id, payer_name=payer), secondary),
            )
            with self._uow() as u:
                u.patients.add(patient)
                u.commit()
            self._wrote_patient(patient)
            return patient.id

        @rule(patient_id=patients, first=phi_text, city=phi_text)
        def edit_patient(self, patient_id: PatientId, first: str, city: str) -> None:
            self._save_patient(patient_id, first, city)

        @initialize(
            target=patients, people=st.lists(st.tuples(phi_text, phi_text, document_bytes), min_size=1, max_size=3)
        )
        def seed(self, people: list[tuple[str, str, bytes]]) -> MultipleResults[PatientId]:
            """A few patients with an IVR and a document each, then a new key: the rotation has work from step one."""
            made = []
            for number, (first, last, data) in enumerate(people):
                patient_id = self._add_patient(first, last, line1=last, member_id=first, payer=last)
                self.create_ivr(patient_id=patient_id, notes=first, note=last)
                self.store_document(patient_id=patient_id, data=data, of_the_ivr=number % 2 == 1)
                made.append(patient_id)
            self.start_rotation()
            return multiple(*made)

        @rule(patient_id=patients, notes=phi_text, note=phi_text)
        def create_ivr(self, patient_id: PatientId, notes: str, note: str) -> None:
            patient = self.patient_model[patient_id]
            ivr = builders.ivr(
                self.practice.id,
                patient_id,
                content=builders.ivr_content(notes=notes),
                patient_snapshot=builders.patient_snapshot(patient),
            )
            entry = builders.history_entry(ivr.id, note=note)
            with self._uow() as u:
                u.ivrs.add(ivr)
                u.ivr_history.append(entry)
                u.commit()
            self._wrote_ivr(ivr)
            self.history_model[ivr.id] = (entry,)
            self.fresh.add(("ivr_history", str(entry.id)))

        @precondition(lambda self: self.ivr_model)
        @rule(pick=st.integers(0, 9), notes=phi_text)
        def edit_ivr(self, pick: int, notes: str) -> None:
            self._save_ivr(list(self.ivr_model)[pick % len(self.ivr_model)], notes)

        def _store(self, data: bytes, patient_id: PatientId) -> dict[str, Any]:
            """Put the bytes in the document store; return the metadata both kinds of document share."""
            document_id = DocumentId(new_id())
            assert isinstance(self.server_store.put(document_id, iter([data]), max_bytes=MAX_DOCUMENT_BYTES), Success)
            self.document_model[document_id] = data
            self.fresh.add(("documents", str(document_id)))
            return {
                "id": document_id,
                "patient_id": patient_id,
                "practice_id": self.practice.id,
                "kind": DocumentKind.WOUND_PHOTO,
                "content_type": "image/jpeg",
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "uploaded_by": UserId(new_id()),
                "created_at": builders.later(),
            }

        @rule(patient_id=patients, data=document_bytes, of_the_ivr=st.booleans())
        def store_document(self, patient_id: PatientId, data: bytes, of_the_ivr: bool) -> None:
            """A document of the patient, or of the patient's first IVR (both kinds share the document store)."""
            ivr_ids = [i.id for i in self.ivr_model.values() if i.patient_id == patient_id]
            with self._uow() as u:
                if of_the_ivr and ivr_ids:
                    ivr_document = IvrDocument(ivr_id=ivr_ids[0], **self._store(data, patient_id))
                    u.ivr_documents.add(ivr_document)
                    self.document_table[ivr_document.id] = "ivr_documents"
                else:
                    document = Document(**self._store(data, patient_id))
                    u.documents.add(document)
                    self.document_table[document.id] = "patient_documents"
                u.commit()

        @rule()
        def start_rotation(self) -> None:
            """A new current key (as `ivr keys rotate` adds when nothing is left, or an operator at any time)."""
            add_cipher_key(self.keys_file)
            self.rotating = True
            self.fresh.clear()
            self.rotation = None
            self._process()

        def _racing(self, races: tuple[str, ...], first: str, notes: str) -> tuple[SqlAlchemyRekeyer, list[int]]:
            """The rotation's rekeyer, raced by the server; and how many rows each of the server's saves moved."""
            saved: list[int] = []

            def save(table: str, owner: UUID) -> None:
                if table == "patients":
                    self._save_patient(PatientId(owner), first, city=first)
                    saved.append(1 + len(self.patient_model[PatientId(owner)].insurances))
                else:
                    self._save_ivr(IvrId(owner), notes)
                    saved.append(1)

            cipher = _RacingCipher(self._process().cipher, races, save)
            return SqlAlchemyRekeyer(engine, cipher=cipher, blind_index=self.index), saved

        @precondition(lambda self: self.rotating)
        @rule(batches=st.integers(1, 3), size=st.integers(1, 8), races=RACES, first=phi_text, notes=phi_text)
        def run_batches(self, batches: int, size: int, races: tuple[str, ...], first: str, notes: str) -> None:
            """A few batches, then a stop; the server saves the first row they open of each raced table."""
            rekeyer, saved = self._racing(races, first, notes)
            before = rekeyer.remaining()
            done = sum(rekeyer.rekey_batch(size) for _ in range(batches))
            # A row the server saved moved to the new key by that save, not by the rotation.
            assert rekeyer.remaining() == before - done - sum(saved)
            assert bool(done or saved) == (before > 0)

        @precondition(lambda self: self.rotating)
        @rule()
        def reencrypt_one_document(self) -> None:
            """One document moves to the current key (the command does documents after the rows)."""
            process = self._process()
            old = process.old_documents()
            if old:
                assert process.store.reencrypt(old[0])
                assert len(process.old_documents()) == len(old) - 1

        @precondition(lambda self: self.rotating)
        @rule(size=st.integers(1, 50), races=RACES, first=phi_text, notes=phi_text)
        def finish_rotation(self, size: int, races: tuple[str, ...], first: str, notes: str) -> None:
            """Rows in batches, then documents, as the command does; afterwards nothing is under an older key."""
            process = self._process()
            rekeyer, _ = self._racing(races, first, notes)
            while rekeyer.rekey_batch(size):
                pass
            for document_id in process.old_documents():
                assert process.store.reencrypt(document_id)
            assert process.rekeyer.remaining() == 0
            assert process.old_documents() == []
            self.rotating = False
            self.fresh |= {(table, owner) for table, owner, _ in self._raw_rows()}
            self.fresh |= {("documents", str(d)) for d in self.document_model}

        @rule()
        def restart(self) -> None:
            """Every process restarts: the server reads the key file anew, and a rotation resumes in a new process."""
            self._start_server()
            self.rotation = None

        def _raw_rows(self) -> Iterator[tuple[str, str, str]]:
            """Yield (table, owner id, key id) for each ciphertext row, its key read from the ciphertexts."""
            with engine.connect() as db:
                for name, owner in ROW_OWNER.items():
                    table = metadata.tables[name]
                    sealed = [c for c in table.columns if isinstance(c.type, sa.LargeBinary)]
                    for row in db.execute(sa.select(table.c[owner], *sealed)):
                        values = [bytes(v) for v in row[1:] if v is not None]
                        if not values:
                            continue
                        key_ids = {self.server.key_id_of(v) for v in values}
                        assert len(key_ids) == 1, f"{name} row of {row[0]} under {key_ids}"
                        yield name, str(row[0]), key_ids.pop()

        @invariant()
        def everything_reads_back_as_last_written(self) -> None:
            with self._uow() as u:
                for patient_id, patient in self.patient_model.items():
                    assert u.patients.get(patient_id, scope=ALL) == patient
                for ivr_id, ivr in self.ivr_model.items():
                    assert u.ivrs.get(ivr_id, scope=ALL) == ivr
                    assert u.ivr_history.of(ivr_id) == self.history_model[ivr_id]
            for document_id, data in self.document_model.items():
                assert b"".join(self.server_store.open(document_id)) == data

        @invariant()
        def the_counts_match_the_rows_and_fresh_writes_are_under_the_newest_key(self) -> None:
            ring = read_key_file(self.keys_file)
            current = ring.current_cipher_key_id
            assert self.server.current_key_id == current
            rows = list(self._raw_rows())
            for table, owner, key_id in rows:
                assert (table, owner) not in self.fresh or key_id == current, f"{table} {owner} under {key_id}"
            usage = SqlAlchemyRekeyer(engine, cipher=self.server, blind_index=self.index).usage(
                sorted(ring.cipher_keys)
            )
            for table in ROW_OWNER:
                found = Counter(key_id for name, _, key_id in rows if name == table)
                assert usage[table] == {key_id: found[key_id] for key_id in ring.cipher_keys} | {"other": 0}, table
            expected_rows = {
                "patients": len(self.patient_model),
                "patient_insurances": sum(len(p.insurances) for p in self.patient_model.values()),
                "ivrs": len(self.ivr_model),
                "ivr_history": sum(1 for h in self.history_model.values() for e in h if e.note is not None),
            }
            assert {table: sum(usage[table].values()) for table in ROW_OWNER} == expected_rows
            assert sum(usage["idempotency_records"].values()) == 0
            rekeyer = SqlAlchemyRekeyer(engine, cipher=self.server, blind_index=self.index)
            assert rekeyer.remaining() == sum(1 for _, _, key_id in rows if key_id != current)

            documents = self.server_store.key_ids()
            assert sum(documents.values()) == len(self.document_model)
            assert set(documents) <= set(ring.cipher_keys)
            assert rekeyer.document_tables(list(self.document_model)) == self.document_table
            for document_id in self.document_model:
                if ("documents", str(document_id)) in self.fresh:
                    assert document_id in set(self.server_store.documents_under(current))

        @invariant()
        def no_plaintext_is_stored(self) -> None:
            texts = {t for p in self.patient_model.values() for t in self._phi_of(p)}
            texts |= {i.content.notes for i in self.ivr_model.values() if i.content.notes}
            texts |= {e.note for h in self.history_model.values() for e in h if e.note}
            encoded = [t.encode() for t in texts if t.startswith(MARK)]  # the builders' defaults are not unique
            for table, column, raw in stored_values(engine):
                for text in encoded:
                    assert text not in raw, f"{text!r} in {table}.{column}"
            files = [p.read_bytes() for p in self.documents.rglob("*") if p.is_file()]
            for data in self.document_model.values():
                if len(data) >= 16:  # shorter random bytes could turn up in a ciphertext by chance
                    assert not any(data in content for content in files)

        @staticmethod
        def _phi_of(patient: Patient) -> tuple[str, ...]:
            address = patient.address
            insurance = patient.insurances[0]
            return (
                patient.name.first,
                patient.name.last,
                *((address.line1, address.city) if address else ()),
                insurance.member_id,
                insurance.payer_name,
            )

    return Rotation


@pytest.mark.parametrize("backend", SQL, indirect=True)
def test_rotation_keeps_every_value_readable_and_every_count_true(backend: Backend) -> None:
    run_state_machine_as_test(
        _machine(backend),
        settings=settings(
            max_examples=20,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
