"""Patient rows <-> entities: PHI encrypted per column and bound to its row, blind indexes for search."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any, TypeVar

from ivr_domain.patients.model import (
    Insurance,
    MaskedPatient,
    Patient,
    Sex,
    Subscriber,
    SubscriberRelationship,
)
from ivr_domain.shared.ids import PatientId, PracticeId, UserId
from ivr_domain.shared.insurance import InsuranceRank, PlanType
from ivr_domain.shared.ports import BlindIndex, FieldCipher
from ivr_domain.shared.values import Address, Email, PersonName, Phone, normalise_for_match

_ADDRESS = ("line1", "line2", "city", "state", "postal_code")
# Insurances come back primary first; a dict lookup, since listing the enum per row showed in list profiles.
_RANK_ORDER = {rank.value: index for index, rank in enumerate(InsuranceRank)}

# The encrypted columns a read opens, in the order `patient` and `_insurance` unpack them, each with the
# start of its context (`table.column:`; the row id completes it). Decoding a page opens hundreds of fields:
# one loop over precomputed prefixes costs a fraction of a closure call and an f-string per field.
_PATIENT_PHI = (
    "first_name", "last_name", "date_of_birth", "sex", "phone", "email",
    *(f"address_{part}" for part in _ADDRESS),
)  # fmt: skip
_INSURANCE_PHI = (
    "payer_name", "payer_id", "member_id", "group_number",
    "subscriber_first_name", "subscriber_last_name", "subscriber_date_of_birth",
)  # fmt: skip
_PATIENT_CONTEXTS = tuple((column, f"patients.{column}:") for column in _PATIENT_PHI)
_INSURANCE_CONTEXTS = tuple((column, f"patient_insurances.{column}:") for column in _INSURANCE_PHI)
_NAME_CONTEXTS = _PATIENT_CONTEXTS[:2]  # first_name, last_name: all a masked view opens

# Stored enum values to members by dict lookup (calling the enum class costs a microsecond each).
_SEX = {member.value: member for member in Sex}
_RANK = {member.value: member for member in InsuranceRank}
_PLAN = {member.value: member for member in PlanType}
_RELATIONSHIP = {member.value: member for member in SubscriberRelationship}

_Seal = Callable[[str, str | None], bytes | None]
E = TypeVar("E")


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
        first, last, born, sex, phone, email, line1, line2, city, state, postal_code = self._open(
            row, _PATIENT_CONTEXTS, row_id
        )
        address = None
        if line1 is not None:
            address = Address(
                line1=line1, line2=line2, city=_text(city), state=_text(state), postal_code=_text(postal_code)
            )
        if len(insurance_rows) > 1:
            insurance_rows = sorted(insurance_rows, key=lambda r: _RANK_ORDER[r["rank"]])
        return Patient(
            id=patient_id,
            practice_id=PracticeId(row["practice_id"]),
            name=PersonName(first=_text(first), last=_text(last)),
            date_of_birth=date.fromisoformat(_text(born)),
            sex=_member(_SEX, Sex, _text(sex)),
            phone=Phone(phone) if phone is not None else None,
            email=Email(email) if email is not None else None,
            address=address,
            insurances=tuple(self._insurance(row_id, r) for r in insurance_rows),
            archived=row["archived"],
            ivr_submitted=row["ivr_submitted"],
            created_by=UserId(row["created_by"]),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            version=row["version"],
        )

    def masked(self, row: Mapping[Any, Any]) -> MaskedPatient:
        """Map a masked read's row to the view, opening only the two names its initials come from."""
        patient_id = PatientId(row["id"])
        first, last = self._open(row, _NAME_CONTEXTS, str(patient_id))
        return MaskedPatient(
            id=patient_id,
            practice_id=PracticeId(row["practice_id"]),
            initials=PersonName(first=_text(first), last=_text(last)).initials,
            archived=row["archived"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            version=row["version"],
        )

    def _insurance(self, patient_id: str, row: Mapping[Any, Any]) -> Insurance:
        rank = row["rank"]
        payer_name, payer_id, member_id, group_number, sub_first, sub_last, sub_born = self._open(
            row, _INSURANCE_CONTEXTS, f"{patient_id}:{rank}"
        )
        subscriber = None
        if sub_last is not None:
            name = PersonName(first=_text(sub_first), last=sub_last)
            subscriber = Subscriber(name=name, date_of_birth=date.fromisoformat(_text(sub_born)))
        return Insurance(
            rank=_member(_RANK, InsuranceRank, rank),
            payer_name=_text(payer_name),
            member_id=_text(member_id),
            plan_type=_member(_PLAN, PlanType, row["plan_type"]),
            subscriber_relationship=_member(_RELATIONSHIP, SubscriberRelationship, row["subscriber_relationship"]),
            payer_id=payer_id,
            group_number=group_number,
            subscriber=subscriber,
        )

    def _open(self, row: Mapping[Any, Any], columns: tuple[tuple[str, str], ...], row_id: str) -> list[str | None]:
        """Decrypt a row's PHI columns, each bound to its table, column and row."""
        decrypt = self._cipher.decrypt
        opened: list[str | None] = []
        for column, context in columns:
            sealed = row[column]
            if sealed is None:
                opened.append(None)
                continue
            # psycopg and sqlite3 hand back bytes already; anything else (a memoryview) is copied once.
            if type(sealed) is not bytes:
                sealed = bytes(sealed)
            opened.append(decrypt(sealed, context=context + row_id))
        return opened

    def _sealer(self, table: str, row_id: str) -> _Seal:
        cipher = self._cipher

        def seal(column: str, value: str | None) -> bytes | None:
            if value is None:
                return None
            return cipher.encrypt(value, context=f"{table}.{column}:{row_id}")

        return seal


def _text(value: str | None) -> str:
    if value is None:
        raise ValueError("a required PHI column is empty")
    return value


def _member(members: Mapping[str, E], enum: Callable[[str], E], value: str) -> E:
    """Return the member stored as `value`; an unknown value raises as calling the enum would."""
    found = members.get(value)
    return found if found is not None else enum(value)
