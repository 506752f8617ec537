"""Patient rows <-> entities: PHI encrypted per column and bound to its row, blind indexes for search."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from ivr_domain.patients.model import (
    Insurance,
    InsuranceRank,
    Patient,
    PlanType,
    Sex,
    Subscriber,
    SubscriberRelationship,
)
from ivr_domain.shared.ids import PatientId, PracticeId, UserId
from ivr_domain.shared.ports import BlindIndex, FieldCipher
from ivr_domain.shared.values import Address, Email, PersonName, Phone, normalise_for_match

_ADDRESS = ("line1", "line2", "city", "state", "postal_code")
# Insurances come back primary first; a dict lookup, since listing the enum per row showed in list profiles.
_RANK_ORDER = {rank.value: index for index, rank in enumerate(InsuranceRank)}

_Seal = Callable[[str, str | None], bytes | None]
_Open = Callable[[str], str | None]


def normalise_member_id(member_id: str) -> str:
    """Fold a member id for matching: as any text, and without spaces or hyphens."""
    return normalise_for_match(member_id).replace(" ", "").replace("-", "")


class PatientCodec:
    """Encrypts and decrypts patient rows and computes their blind indexes."""

    def __init__(self, cipher: FieldCipher, blind_index: BlindIndex) -> None:
        """Use these keys."""
        self._cipher = cipher
        self._index = blind_index

    def last_dob(self, last: str, born: date) -> str:
        """Digest of the normalised last name and birth date."""
        return self._index.digest(f"{normalise_for_match(last)}|{born.isoformat()}", purpose="patient.last_dob")

    def name_dob(self, first: str, last: str, born: date) -> str:
        """Digest of the normalised first and last names and birth date."""
        value = f"{normalise_for_match(first)}|{normalise_for_match(last)}|{born.isoformat()}"
        return self._index.digest(value, purpose="patient.name_dob")

    def member_id(self, member_id: str) -> str:
        """Digest of a normalised member id."""
        return self._index.digest(normalise_member_id(member_id), purpose="insurance.member_id")

    def patient_values(self, patient: Patient) -> dict[str, Any]:
        """Map a patient to its row, PHI encrypted."""
        seal = self._sealer("patients", str(patient.id))
        address = patient.address
        values: dict[str, Any] = {
            "id": patient.id,
            "practice_id": patient.practice_id,
            "first_name": seal("first_name", patient.name.first),
            "last_name": seal("last_name", patient.name.last),
            "date_of_birth": seal("date_of_birth", patient.date_of_birth.isoformat()),
            "sex": seal("sex", patient.sex.value),
            "phone": seal("phone", patient.phone.e164 if patient.phone else None),
            "email": seal("email", patient.email.value if patient.email else None),
            "bi_last_dob": self.last_dob(patient.name.last, patient.date_of_birth),
            "bi_name_dob": self.name_dob(patient.name.first, patient.name.last, patient.date_of_birth),
            "archived": patient.archived,
            "ivr_submitted": patient.ivr_submitted,
            "created_by": patient.created_by,
            "created_at": patient.created_at,
            "updated_at": patient.updated_at,
            "version": patient.version,
        }
        for part in _ADDRESS:
            values[f"address_{part}"] = seal(f"address_{part}", getattr(address, part) if address else None)
        return values

    def insurance_values(self, patient_id: PatientId, insurance: Insurance) -> dict[str, Any]:
        """Map one insurance to its row, PHI encrypted."""
        seal = self._sealer("patient_insurances", f"{patient_id}:{insurance.rank.value}")
        subscriber = insurance.subscriber
        return {
            "patient_id": patient_id,
            "rank": insurance.rank.value,
            "plan_type": insurance.plan_type.value,
            "subscriber_relationship": insurance.subscriber_relationship.value,
            "payer_name": seal("payer_name", insurance.payer_name),
            "payer_id": seal("payer_id", insurance.payer_id),
            "member_id": seal("member_id", insurance.member_id),
            "group_number": seal("group_number", insurance.group_number),
            "subscriber_first_name": seal("subscriber_first_name", subscriber.name.first if subscriber else None),
            "subscriber_last_name": seal("subscriber_last_name", subscriber.name.last if subscriber else None),
            "subscriber_date_of_birth": seal(
                "subscriber_date_of_birth", subscriber.date_of_birth.isoformat() if subscriber else None
            ),
            "bi_member_id": self.member_id(insurance.member_id),
        }

    def patient(self, row: Mapping[Any, Any], insurance_rows: Sequence[Mapping[Any, Any]]) -> Patient:
        """Map a patient row and its insurance rows to the entity, decrypting PHI."""
        patient_id = PatientId(row["id"])
        row_id = str(patient_id)
        open_ = self._opener("patients", row_id, row)
        address = None
        if row["address_line1"] is not None:
            address = Address(
                line1=_text(open_("address_line1")),
                line2=open_("address_line2"),
                city=_text(open_("address_city")),
                state=_text(open_("address_state")),
                postal_code=_text(open_("address_postal_code")),
            )
        phone, email = open_("phone"), open_("email")
        ranked = sorted(insurance_rows, key=lambda r: _RANK_ORDER[r["rank"]])
        return Patient(
            id=patient_id,
            practice_id=PracticeId(row["practice_id"]),
            name=PersonName(first=_text(open_("first_name")), last=_text(open_("last_name"))),
            date_of_birth=date.fromisoformat(_text(open_("date_of_birth"))),
            sex=Sex(_text(open_("sex"))),
            phone=Phone(phone) if phone is not None else None,
            email=Email(email) if email is not None else None,
            address=address,
            insurances=tuple(self._insurance(row_id, r) for r in ranked),
            archived=row["archived"],
            ivr_submitted=row["ivr_submitted"],
            created_by=UserId(row["created_by"]),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            version=row["version"],
        )

    def _insurance(self, patient_id: str, row: Mapping[Any, Any]) -> Insurance:
        open_ = self._opener("patient_insurances", f"{patient_id}:{row['rank']}", row)
        subscriber = None
        if row["subscriber_last_name"] is not None:
            subscriber = Subscriber(
                name=PersonName(first=_text(open_("subscriber_first_name")), last=_text(open_("subscriber_last_name"))),
                date_of_birth=date.fromisoformat(_text(open_("subscriber_date_of_birth"))),
            )
        return Insurance(
            rank=InsuranceRank(row["rank"]),
            payer_name=_text(open_("payer_name")),
            member_id=_text(open_("member_id")),
            plan_type=PlanType(row["plan_type"]),
            subscriber_relationship=SubscriberRelationship(row["subscriber_relationship"]),
            payer_id=open_("payer_id"),
            group_number=open_("group_number"),
            subscriber=subscriber,
        )

    def _sealer(self, table: str, row_id: str) -> _Seal:
        cipher = self._cipher

        def seal(column: str, value: str | None) -> bytes | None:
            if value is None:
                return None
            return cipher.encrypt(value, context=f"{table}.{column}:{row_id}")

        return seal

    def _opener(self, table: str, row_id: str, row: Mapping[Any, Any]) -> _Open:
        decrypt = self._cipher.decrypt

        def open_(column: str) -> str | None:
            sealed = row[column]
            if sealed is None:
                return None
            # psycopg and sqlite3 hand back bytes already; anything else (a memoryview) is copied once.
            if type(sealed) is not bytes:
                sealed = bytes(sealed)
            return decrypt(sealed, context=f"{table}.{column}:{row_id}")

        return open_


def _text(value: str | None) -> str:
    if value is None:
        raise ValueError("a required PHI column is empty")
    return value
