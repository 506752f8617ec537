"""Patients, their insurances and their documents' metadata."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Uuid,
)

from adapters.sqlalchemy.tables._metadata import metadata
from adapters.sqlalchemy.types import UtcDateTime

# PHI columns hold ciphertext only (LargeBinary); bi_* columns hold blind-index digests.
patients = Table(
    "patients",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False, index=True),
    Column("first_name", LargeBinary, nullable=False),
    Column("last_name", LargeBinary, nullable=False),
    Column("date_of_birth", LargeBinary, nullable=False),
    Column("sex", LargeBinary, nullable=False),
    Column("phone", LargeBinary),
    Column("email", LargeBinary),
    Column("address_line1", LargeBinary),
    Column("address_line2", LargeBinary),
    Column("address_city", LargeBinary),
    Column("address_state", LargeBinary),
    Column("address_postal_code", LargeBinary),
    Column("bi_last_dob", String(128), nullable=False, index=True),
    Column("bi_name_dob", String(128), nullable=False, index=True),
    Column("archived", Boolean, nullable=False),
    Column("ivr_submitted", Boolean, nullable=False),
    # no foreign key: patients may be created by the system actor, which has no row
    Column("created_by", Uuid, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_patients_created_at_id", "created_at", "id"),
    Index("ix_patients_updated_at_id", "updated_at", "id"),
    # The default list: scope (practice) and archived as equalities, then the keyset order. Without it the
    # page walks created_at backwards past every other practice's newer patients (docs/benchmarks.md).
    Index("ix_patients_practice_id_archived_created_at_id", "practice_id", "archived", "created_at", "id"),
)

patient_insurances = Table(
    "patient_insurances",
    metadata,
    Column("patient_id", Uuid, ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True),
    Column("rank", String(16), primary_key=True),
    Column("plan_type", String(32), nullable=False),
    Column("subscriber_relationship", String(16), nullable=False),
    Column("payer_name", LargeBinary, nullable=False),
    Column("payer_id", LargeBinary),
    Column("member_id", LargeBinary, nullable=False),
    Column("group_number", LargeBinary),
    Column("subscriber_first_name", LargeBinary),
    Column("subscriber_last_name", LargeBinary),
    Column("subscriber_date_of_birth", LargeBinary),
    Column("bi_member_id", String(128), nullable=False, index=True),
)

# Metadata only: the bytes live encrypted in the document store. No file name is kept (names carry PHI).
patient_documents = Table(
    "patient_documents",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("patient_id", Uuid, ForeignKey("patients.id"), nullable=False),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("content_type", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    # no foreign key: the system actor uploads too, and it has no row
    Column("uploaded_by", Uuid, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_patient_documents_patient_id_created_at_id", "patient_id", "created_at", "id"),
)
