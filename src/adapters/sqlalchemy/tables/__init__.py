"""The schema: one MetaData for every table, shared by repositories and migrations, one module per context."""

from __future__ import annotations

from adapters.sqlalchemy.tables._metadata import metadata
from adapters.sqlalchemy.tables.audit import audit_log, audit_log_patients, audit_sealer
from adapters.sqlalchemy.tables.events import notifications, outbox, outbox_sequencer, processed_events
from adapters.sqlalchemy.tables.idempotency import idempotency_records
from adapters.sqlalchemy.tables.identity import assignments, practices, refresh_tokens, reset_tokens, sessions, users
from adapters.sqlalchemy.tables.ivrs import (
    IVR_QUEUE_RANK,
    ivr_documents,
    ivr_history,
    ivr_templates,
    ivrs,
    medical_justifications,
    reference_counters,
)
from adapters.sqlalchemy.tables.patients import patient_documents, patient_insurances, patients

__all__ = [
    "IVR_QUEUE_RANK",
    "assignments",
    "audit_log",
    "audit_log_patients",
    "audit_sealer",
    "idempotency_records",
    "ivr_documents",
    "ivr_history",
    "ivr_templates",
    "ivrs",
    "medical_justifications",
    "metadata",
    "notifications",
    "outbox",
    "outbox_sequencer",
    "patient_documents",
    "patient_insurances",
    "patients",
    "practices",
    "processed_events",
    "reference_counters",
    "refresh_tokens",
    "reset_tokens",
    "sessions",
    "users",
]
