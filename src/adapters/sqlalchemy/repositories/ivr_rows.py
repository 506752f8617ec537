"""IVR rows <-> entities: clear columns for lists and scope, everything else one encrypted JSON document per row.

The document is made with msgspec from the core's attrs classes (the core stays unaware of serialisation):
decimals as strings, dates and instants in ISO form, enums by value, tuples as lists. One AES-GCM envelope per row,
bound to `ivrs.content:<id>`, so a page of fifty IVRs opens fifty ciphertexts, not thousands of fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import msgspec
from attrs import frozen

from ivr_domain.ivr.coverage import Coverage
from ivr_domain.ivr.model import (
    HistoryEntry,
    InfoRequest,
    Ivr,
    IvrContent,
    IvrStatus,
    PatientSnapshot,
    Rejection,
)
from ivr_domain.shared.actor import Role
from ivr_domain.shared.ids import IvrHistoryId, IvrId, PatientId, PracticeId, UserId
from ivr_domain.shared.ports import FieldCipher

CONTENT_CONTEXT = "ivrs.content:"
NOTE_CONTEXT = "ivr_history.note:"

# Stored values to members by dict lookup (calling the enum class costs a microsecond each).
_STATUS = {member.value: member for member in IvrStatus}
_ROLE = {member.value: member for member in Role}


@frozen(kw_only=True)
class SealedIvr:
    """The part of an IVR kept encrypted: everything that is not a clear column."""

    content: IvrContent
    patient_initials: str
    patient_snapshot: PatientSnapshot | None
    info_request: InfoRequest | None
    prior_auth_note: str | None
    passed_prior_auth: bool
    coverages: tuple[Coverage, ...]
    rejection: Rejection | None
    code_set_version: str | None


# msgspec reads and writes the document straight from and to the attrs classes: about six times faster than
# cattrs over json for the fifty documents a page opens. It does not rerun attrs validators on the way in: a
# document is only ever what this codec wrote from a validated entity, under an authenticated cipher.
_ENCODER = msgspec.json.Encoder(decimal_format="string")
_DECODER = msgspec.json.Decoder(SealedIvr)


def seal_document(sealed: SealedIvr) -> str:
    """Return the JSON document of an IVR's encrypted part."""
    return _ENCODER.encode(sealed).decode()


def open_document(document: str) -> SealedIvr:
    """Rebuild an IVR's encrypted part from its JSON document."""
    return _DECODER.decode(document)


def _bytes(value: Any) -> bytes:
    # psycopg and sqlite3 hand back bytes already; anything else (a memoryview) is copied once.
    return value if type(value) is bytes else bytes(value)


class IvrCodec:
    """Encrypts and decrypts IVR and history rows."""

    def __init__(self, cipher: FieldCipher) -> None:
        """Use this cipher (it knows every key still in use)."""
        self._cipher = cipher

    def ivr_values(self, ivr: Ivr) -> dict[str, Any]:
        """Map an IVR to its row, its encrypted part sealed to the row."""
        sealed = SealedIvr(
            content=ivr.content,
            patient_initials=ivr.patient_initials,
            patient_snapshot=ivr.patient_snapshot,
            info_request=ivr.info_request,
            prior_auth_note=ivr.prior_auth_note,
            passed_prior_auth=ivr.passed_prior_auth,
            coverages=ivr.coverages,
            rejection=ivr.rejection,
            code_set_version=ivr.code_set_version,
        )
        return {
            "id": ivr.id,
            "reference": ivr.reference,
            "practice_id": ivr.practice_id,
            "patient_id": ivr.patient_id,
            "status": ivr.status.value,
            "priority": ivr.content.priority.value,
            "request_type": ivr.content.request_type.value,
            "reviewer_id": ivr.reviewer_id,
            "created_by": ivr.created_by,
            "created_at": ivr.created_at,
            "updated_at": ivr.updated_at,
            "submitted_at": ivr.submitted_at,
            "last_submitted_at": ivr.last_submitted_at,
            "decided_at": ivr.decided_at,
            "valid_until": ivr.valid_until,
            "payer_id": ivr.payer_id,
            "content": self.seal_content(ivr.id, seal_document(sealed)),
            "version": ivr.version,
        }

    def ivr(self, row: Mapping[Any, Any]) -> Ivr:
        """Map an IVR row to the entity, decrypting its document."""
        row_id = row["id"]
        sealed = open_document(self.open_content(row_id, row["content"]))
        reviewer = row["reviewer_id"]
        return Ivr(
            id=IvrId(row_id),
            reference=row["reference"],
            practice_id=PracticeId(row["practice_id"]),
            patient_id=PatientId(row["patient_id"]),
            patient_initials=sealed.patient_initials,
            status=_STATUS[row["status"]],
            content=sealed.content,
            created_by=UserId(row["created_by"]),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            reviewer_id=UserId(reviewer) if reviewer is not None else None,
            patient_snapshot=sealed.patient_snapshot,
            submitted_at=row["submitted_at"],
            last_submitted_at=row["last_submitted_at"],
            decided_at=row["decided_at"],
            info_request=sealed.info_request,
            prior_auth_note=sealed.prior_auth_note,
            passed_prior_auth=sealed.passed_prior_auth,
            coverages=sealed.coverages,
            valid_until=row["valid_until"],
            rejection=sealed.rejection,
            code_set_version=sealed.code_set_version,
            version=row["version"],
        )

    def open_content(self, ivr_id: UUID, ciphertext: Any) -> str:
        """Decrypt the content document of one IVR row."""
        return self._cipher.decrypt(_bytes(ciphertext), context=f"{CONTENT_CONTEXT}{ivr_id}")

    def seal_content(self, ivr_id: UUID, document: str) -> bytes:
        """Encrypt the content document of one IVR row under the current key."""
        return self._cipher.encrypt(document, context=f"{CONTENT_CONTEXT}{ivr_id}")

    def history_values(self, entry: HistoryEntry) -> dict[str, Any]:
        """Map a status change to its row, its note encrypted."""
        return {
            "id": entry.id,
            "ivr_id": entry.ivr_id,
            "from_status": entry.from_status.value if entry.from_status is not None else None,
            "to_status": entry.to_status.value,
            "trigger": entry.trigger,
            "actor_id": entry.actor_id,
            "actor_role": entry.actor_role.value if entry.actor_role is not None else None,
            "at": entry.at,
            "reason": None if entry.reason is None else str(entry.reason),
            "note": None if entry.note is None else self.seal_note(entry.id, entry.note),
            "linked_ivr_id": entry.linked_ivr_id,
        }

    def history(self, row: Mapping[Any, Any]) -> HistoryEntry:
        """Map a history row to the entry, decrypting its note."""
        row_id = row["id"]
        from_status, role, note = row["from_status"], row["actor_role"], row["note"]
        return HistoryEntry(
            id=IvrHistoryId(row_id),
            ivr_id=IvrId(row["ivr_id"]),
            from_status=_STATUS[from_status] if from_status is not None else None,
            to_status=_STATUS[row["to_status"]],
            trigger=row["trigger"],
            actor_id=UserId(row["actor_id"]),
            actor_role=_ROLE[role] if role is not None else None,
            at=row["at"],
            reason=row["reason"],
            note=self.open_note(row_id, note) if note is not None else None,
            linked_ivr_id=IvrId(row["linked_ivr_id"]) if row["linked_ivr_id"] is not None else None,
        )

    def open_note(self, entry_id: UUID, ciphertext: Any) -> str:
        """Decrypt the note of one history row."""
        return self._cipher.decrypt(_bytes(ciphertext), context=f"{NOTE_CONTEXT}{entry_id}")

    def seal_note(self, entry_id: UUID, note: str) -> bytes:
        """Encrypt the note of one history row under the current key."""
        return self._cipher.encrypt(note, context=f"{NOTE_CONTEXT}{entry_id}")
