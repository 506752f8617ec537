"""Key rotation in SQL: how many rows each cipher key still protects, and re-encryption under the current key.

Every PHI ciphertext starts with a header naming its key (`FieldCipher`), so the rows still under an old
key are found by that prefix, with no column of their own. A patient and its insurances are re-encrypted
together, an IVR's content document and a history row's note each alone, in batches of short transactions;
the version is compared so a concurrent edit (already written under the current key) is never overwritten,
and the work resumes where it stopped after an interruption.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, Engine, LargeBinary, func, literal, select, update

from adapters.sqlalchemy.idempotency import context_of
from adapters.sqlalchemy.repositories.ivr_rows import IvrCodec
from adapters.sqlalchemy.repositories.patient_rows import PatientCodec
from adapters.sqlalchemy.tables import (
    idempotency_records,
    ivr_documents,
    ivr_history,
    ivrs,
    patient_documents,
    patient_insurances,
    patients,
)
from ivr_domain.shared.ids import DocumentId
from ivr_domain.shared.ports import BlindIndex, FieldCipher

FORMAT_VERSION = 1

# One ciphertext column per table names the key of the whole row: they are all written together.
_PROBES: Mapping[str, ColumnElement[Any]] = {
    "patients": patients.c.first_name,
    "patient_insurances": patient_insurances.c.member_id,
    "ivrs": ivrs.c.content,
    "ivr_history": ivr_history.c.note,
    "idempotency_records": idempotency_records.c.response_body,
}


def holds_ciphertext(engine: Engine) -> bool:
    """Tell whether the database holds any PHI ciphertext (read without any key)."""
    with engine.connect() as db:
        return any(
            db.execute(select(literal(1)).select_from(column.table).where(column.is_not(None)).limit(1)).first()
            for column in _PROBES.values()
        )


def header(key_id: str) -> bytes:
    """Return the first bytes of every ciphertext made with a key."""
    encoded = key_id.encode("ascii")
    return bytes([FORMAT_VERSION, len(encoded)]) + encoded


def _under(column: ColumnElement[Any], key_id: str) -> ColumnElement[bool]:
    prefix = header(key_id)
    return func.substr(column, 1, len(prefix)) == literal(prefix, LargeBinary)


def _not_under(column: ColumnElement[Any], key_id: str) -> ColumnElement[bool]:
    prefix = header(key_id)
    return func.substr(column, 1, len(prefix)) != literal(prefix, LargeBinary)


class SqlAlchemyRekeyer:
    """Counts ciphertexts by key and re-encrypts old ones under the cipher's current key."""

    def __init__(self, engine: Engine, *, cipher: FieldCipher, blind_index: BlindIndex) -> None:
        """Work on this database with the platform's cipher (which knows every key still in use)."""
        self._engine = engine
        self._cipher = cipher
        self._codec = PatientCodec(cipher, blind_index)
        self._ivr_codec = IvrCodec(cipher)

    def usage(self, key_ids: Iterable[str]) -> dict[str, dict[str, int]]:
        """Return, per table, how many rows each key protects (`other` for keys not named)."""
        found: dict[str, dict[str, int]] = {}
        with self._engine.connect() as db:
            for table, column in _PROBES.items():
                count = select(func.count()).select_from(column.table).where(column.is_not(None))
                total = db.execute(count).scalar_one()
                counts = {key_id: db.execute(count.where(_under(column, key_id))).scalar_one() for key_id in key_ids}
                counts["other"] = total - sum(counts.values())
                found[table] = counts
        return found

    def check_keys(self, key_ids: Iterable[str]) -> None:
        """Open one stored row per table under each key; let the cipher's error out when the keys cannot.

        A rotation runs this before it writes anything: keys that are present but not the ones the data was
        sealed with would otherwise gain a new key in the key file, then fail on the first row.
        """
        with self._engine.connect() as db:

            def open_insurance(row: Mapping[Any, Any]) -> object:
                owner = db.execute(select(patients).where(patients.c.id == row["patient_id"])).one()
                return self._codec.patient(owner._mapping, [row])

            openers: Mapping[str, Callable[[Mapping[Any, Any]], object]] = {
                "patients": lambda row: self._codec.patient(row, []),
                "patient_insurances": open_insurance,
                "ivrs": lambda row: self._ivr_codec.open_content(row["id"], row["content"]),
                "ivr_history": lambda row: self._ivr_codec.open_note(row["id"], row["note"]),
                "idempotency_records": lambda row: self._cipher.decrypt(
                    bytes(row["response_body"]), context=context_of(row["user_id"], row["key"])
                ),
            }
            for key_id in key_ids:
                for table, column in _PROBES.items():
                    sample = db.execute(select(column.table).where(_under(column, key_id)).limit(1)).first()
                    if sample is not None:
                        openers[table](sample._mapping)

    def document_tables(self, document_ids: Iterable[DocumentId]) -> dict[DocumentId, str]:
        """Return the table recording each stored document (patient_documents or ivr_documents); others are left out."""
        wanted = list(document_ids)
        found: dict[DocumentId, str] = {}
        with self._engine.connect() as db:
            for table in (patient_documents, ivr_documents):
                for start in range(0, len(wanted), 500):
                    chunk = wanted[start : start + 500]
                    for document_id in db.execute(select(table.c.id).where(table.c.id.in_(chunk))).scalars():
                        found[DocumentId(document_id)] = table.name
        return found

    def remaining(self) -> int:
        """Count rows not yet under the current key."""
        current = self._cipher.current_key_id
        total = 0
        with self._engine.connect() as db:
            for column in _PROBES.values():
                stmt = select(func.count()).select_from(column.table).where(column.is_not(None))
                total += db.execute(stmt.where(_not_under(column, current))).scalar_one()
        return total

    def rekey_batch(self, limit: int) -> int:
        """Re-encrypt about `limit` rows not under the current key; return how many were rewritten.

        A patient is rewritten whole with its insurances (one version check covers them), so a batch may go past
        `limit` by the insurances of its last patients.
        """
        done = 0
        for step in (self._patients, self._ivrs, self._ivr_notes, self._idempotency_records):
            if done >= limit:
                break
            done += step(limit - done)
        return done

    def _patients(self, limit: int) -> int:
        current = self._cipher.current_key_id
        stale_patients = select(patients.c.id).where(_not_under(patients.c.first_name, current))
        stale_insurances = select(patient_insurances.c.patient_id).where(
            _not_under(patient_insurances.c.member_id, current)
        )
        ids = select(patients.c.id).where(patients.c.id.in_(stale_patients.union(stale_insurances))).limit(limit)
        rewritten = 0
        with self._engine.begin() as db:
            rows = [r._mapping for r in db.execute(select(patients).where(patients.c.id.in_(ids)))]
            for row in rows:
                insurances = [
                    r._mapping
                    for r in db.execute(select(patient_insurances).where(patient_insurances.c.patient_id == row["id"]))
                ]
                patient = self._codec.patient(row, insurances)
                values = {k: v for k, v in self._codec.patient_values(patient).items() if k in _PHI_PATIENT}
                # The version is compared, not raised: a concurrent edit already wrote under the current key.
                stmt = update(patients).where(patients.c.id == patient.id, patients.c.version == patient.version)
                if db.execute(stmt.values(**values)).rowcount != 1:
                    continue
                for insurance in patient.insurances:
                    sealed = self._codec.insurance_values(patient.id, insurance)
                    db.execute(
                        update(patient_insurances)
                        .where(
                            patient_insurances.c.patient_id == patient.id,
                            patient_insurances.c.rank == insurance.rank.value,
                        )
                        .values(**{k: v for k, v in sealed.items() if k in _PHI_INSURANCE})
                    )
                rewritten += 1 + len(patient.insurances)
        return rewritten

    def _ivrs(self, limit: int) -> int:
        current = self._cipher.current_key_id
        stmt = select(ivrs.c.id, ivrs.c.version, ivrs.c.content).where(_not_under(ivrs.c.content, current))
        rewritten = 0
        with self._engine.begin() as db:
            for row in db.execute(stmt.limit(limit)).all():
                sealed = self._ivr_codec.seal_content(row.id, self._ivr_codec.open_content(row.id, row.content))
                # The version is compared, not raised: a concurrent save already wrote under the current key.
                again = update(ivrs).where(ivrs.c.id == row.id, ivrs.c.version == row.version)
                rewritten += db.execute(again.values(content=sealed)).rowcount
        return rewritten

    def _ivr_notes(self, limit: int) -> int:
        current = self._cipher.current_key_id
        note = ivr_history.c.note
        stmt = select(ivr_history.c.id, note).where(note.is_not(None), _not_under(note, current)).limit(limit)
        with self._engine.begin() as db:
            rows = db.execute(stmt).all()
            for row in rows:
                # History rows are never changed once written: nothing can race this rewrite.
                sealed = self._ivr_codec.seal_note(row.id, self._ivr_codec.open_note(row.id, row.note))
                db.execute(update(ivr_history).where(ivr_history.c.id == row.id).values(note=sealed))
        return len(rows)

    def _idempotency_records(self, limit: int) -> int:
        current = self._cipher.current_key_id
        body = idempotency_records.c.response_body
        stmt = select(idempotency_records).where(body.is_not(None), _not_under(body, current)).limit(limit)
        with self._engine.begin() as db:
            rows = [r._mapping for r in db.execute(stmt)]
            for row in rows:
                context = context_of(row["user_id"], row["key"])
                plain = self._cipher.decrypt(bytes(row["response_body"]), context=context)
                db.execute(
                    update(idempotency_records)
                    .where(idempotency_records.c.user_id == row["user_id"], idempotency_records.c.key == row["key"])
                    .values(response_body=self._cipher.encrypt(plain, context=context))
                )
        return len(rows)


_PHI_PATIENT = frozenset(c.name for c in patients.columns if isinstance(c.type, LargeBinary))
_PHI_INSURANCE = frozenset(c.name for c in patient_insurances.columns if isinstance(c.type, LargeBinary))
