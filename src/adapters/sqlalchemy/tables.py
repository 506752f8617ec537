"""The schema: one MetaData for every table, shared by repositories and migrations."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Uuid,
    case,
    literal_column,
    text,
)

from adapters.sqlalchemy.types import UtcDateTime, ordered_text

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

practices = Table(
    "practices",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", ordered_text(200), nullable=False),
    Column("name_key", String(200), nullable=False, index=True),
    Column("npi", String(10)),
    Column("address_line1", String(200)),
    Column("address_line2", String(200)),
    Column("address_city", String(100)),
    Column("address_state", String(2)),
    Column("address_postal_code", String(10)),
    Column("phone", String(16)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_practices_created_at_id", "created_at", "id"),
    Index("ix_practices_name_id", "name", "id"),
)

users = Table(
    "users",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("email", ordered_text(254), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("role", String(32), nullable=False),
    Column("password_hash", String(512), nullable=False),
    Column("practice_id", Uuid, ForeignKey("practices.id"), index=True),
    Column("grants", JSON, nullable=False),
    Column("revocations", JSON, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("password_changed_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_users_created_at_id", "created_at", "id"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime),
    Column("end_reason", String(32)),
    Column("client_address", String(64)),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", String(128), primary_key=True),
    Column("session_id", Uuid, ForeignKey("sessions.id"), nullable=False, index=True),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime),
)

reset_tokens = Table(
    "reset_tokens",
    metadata,
    Column("token_hash", String(128), primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime),
)

assignments = Table(
    "assignments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("manager_id", Uuid, ForeignKey("users.id"), nullable=False, index=True),
    Column("member_user_id", Uuid, ForeignKey("users.id"), index=True),
    Column("member_practice_id", Uuid, ForeignKey("practices.id"), index=True),
    Column("effective_from", UtcDateTime, nullable=False),
    Column("effective_to", UtcDateTime),
    # no foreign key: the system actor assigns too, and it has no row
    Column("assigned_by", Uuid, nullable=False),
    Index(
        "uq_assignments_current_member_user",
        "member_user_id",
        unique=True,
        sqlite_where=text("effective_to IS NULL"),
        postgresql_where=text("effective_to IS NULL"),
    ),
    Index(
        "uq_assignments_current_member_practice",
        "member_practice_id",
        unique=True,
        sqlite_where=text("effective_to IS NULL"),
        postgresql_where=text("effective_to IS NULL"),
    ),
)

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

idempotency_records = Table(
    "idempotency_records",
    metadata,
    Column("user_id", Uuid, primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("request_hash", String(128), nullable=False),
    Column("status_code", Integer),
    Column("response_body", LargeBinary),
    Column("headers", JSON),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
    Column("completed", Boolean, nullable=False),
)

# Append-only. `seq` is insertion order (commit order on SQLite, one writer at a time); on PostgreSQL
# `xact_id` lets the sealer take only rows whose transaction is older than every running one.
# `position` and `chain_hash` are set once, by the sealer.
audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("id", Uuid, nullable=False, unique=True),
    Column("at", UtcDateTime, nullable=False),
    Column("action", String(64), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("user_id", Uuid),
    Column("role", String(32)),
    Column("session_id", Uuid),
    Column("is_system", Boolean, nullable=False),
    Column("resource_type", String(32), nullable=False),
    Column("resource_id", String(64)),
    Column("patient_ids", JSON, nullable=False),
    Column("changed_fields", JSON, nullable=False),
    Column("reason", String(64), nullable=False),
    Column("purpose", String(32), nullable=False),
    Column("client_address", String(64)),
    Column("user_agent", String(512)),
    Column("correlation_id", String(64)),
    Column("xact_id", BigInteger),
    Column("position", BigInteger, unique=True),
    Column("chain_hash", String(64)),
    Index("ix_audit_log_at_seq", "at", "seq"),
    Index("ix_audit_log_user_id_at", "user_id", "at"),
    Index(
        "ix_audit_log_unsealed",
        "xact_id",
        "seq",
        postgresql_where=text("position IS NULL"),
        sqlite_where=text("position IS NULL"),
    ),
)

# One row per patient an audited request touched: the access report and the patient filter read it.
audit_log_patients = Table(
    "audit_log_patients",
    metadata,
    Column("audit_seq", BigInteger().with_variant(Integer, "sqlite"), ForeignKey("audit_log.seq"), primary_key=True),
    Column("patient_id", Uuid, primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_audit_log_patients_patient_id_at", "patient_id", "at", "audit_seq"),
)

# One row; on SQLite a sealer updates it first, which takes the database's write lock, so two sealers
# (the server's timer and `ivr audit seal`) take turns. PostgreSQL uses an advisory lock instead.
audit_sealer = Table(
    "audit_sealer",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sealed_at", UtcDateTime),
)

# One row per domain event, inserted in the transaction of the change it reports. `seq` is insertion order;
# `position` is given later by the sequencer, densely, in commit order (on PostgreSQL only to rows whose
# `xact_id` is older than every running transaction, as the audit sealer does). The payload holds ids only.
outbox = Table(
    "outbox",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("id", Uuid, nullable=False, unique=True),
    Column("name", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("xact_id", BigInteger),
    Column("position", BigInteger, unique=True),
    Column("dispatched_at", UtcDateTime),
    Column("attempts", Integer, nullable=False),
    Index(
        "ix_outbox_unsequenced",
        "xact_id",
        "seq",
        postgresql_where=text("position IS NULL"),
        sqlite_where=text("position IS NULL"),
    ),
    Index(
        "ix_outbox_undispatched",
        "seq",
        postgresql_where=text("dispatched_at IS NULL"),
        sqlite_where=text("dispatched_at IS NULL"),
    ),
)

# One row; the SQLite sequencer updates it first to take the write lock (PostgreSQL: an advisory lock).
outbox_sequencer = Table(
    "outbox_sequencer",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sequenced_at", UtcDateTime),
)

# Which handler has taken which event; written in the handler's own transaction, so a redelivery does nothing.
processed_events = Table(
    "processed_events",
    metadata,
    Column("handler", String(64), primary_key=True),
    Column("event_id", Uuid, primary_key=True),
    Column("processed_at", UtcDateTime, nullable=False),
)

# In-app notifications: ids, kinds and times only, never PHI. The id follows from (event, recipient, kind).
notifications = Table(
    "notifications",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("recipient_id", Uuid, ForeignKey("users.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("subject_type", String(16), nullable=False),
    Column("subject_id", Uuid, nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("read_at", UtcDateTime),
    Index("ix_notifications_recipient_id_created_at_id", "recipient_id", "created_at", "id"),
    Index(
        "ix_notifications_unread",
        "recipient_id",
        "created_at",
        "id",
        postgresql_where=text("read_at IS NULL"),
        sqlite_where=text("read_at IS NULL"),
    ),
)

# One row per IVR. The columns lists filter, scope and sort by are clear and carry no PHI (ids, status,
# dates, priority, request type); everything else of the entity (the form, the patient snapshot, the
# coverages, the reviewer's messages) is one AES-GCM ciphertext of a JSON document in `content`, bound to
# the row: a page decrypts one envelope per IVR.
ivrs = Table(
    "ivrs",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("reference", String(32), nullable=False, unique=True),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False),
    Column("patient_id", Uuid, ForeignKey("patients.id"), nullable=False, index=True),
    Column("status", String(32), nullable=False),
    Column("priority", String(16), nullable=False),
    Column("request_type", String(32), nullable=False),
    Column("reviewer_id", Uuid, ForeignKey("users.id")),
    # no foreign key: the system actor may create too, and it has no row
    Column("created_by", Uuid, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("submitted_at", UtcDateTime),
    Column("last_submitted_at", UtcDateTime),
    Column("decided_at", UtcDateTime),
    Column("valid_until", Date),
    # The primary insurance's payer id as of the latest submit, in clear for the queue's filter (ADR 0006).
    Column("payer_id", String(50)),
    Column("content", LargeBinary, nullable=False),
    Column("version", Integer, nullable=False),
    # Each list shape: its equality (scope or filter) first, then the keyset order, so a page stops early.
    Index("ix_ivrs_created_at_id", "created_at", "id"),
    Index("ix_ivrs_updated_at_id", "updated_at", "id"),
    Index("ix_ivrs_practice_id_created_at_id", "practice_id", "created_at", "id"),
    Index("ix_ivrs_status_created_at_id", "status", "created_at", "id"),
    Index("ix_ivrs_reviewer_id_created_at_id", "reviewer_id", "created_at", "id"),
    # Verification staff reach only IVRs that were ever submitted: their list walks this partial index.
    Index(
        "ix_ivrs_submitted_created_at_id",
        "created_at",
        "id",
        postgresql_where=text("submitted_at IS NOT NULL"),
        sqlite_where=text("submitted_at IS NOT NULL"),
    ),
    Index("ix_ivrs_submitted_at_id", "submitted_at", "id"),
)

# The verification queue's order, urgent (0) first, as one expression with its constants inline: the
# repository orders by this very expression, so both databases walk these indexes and stop after a page
# (migration 0011). The status (and payer) are the equalities in front.
IVR_QUEUE_RANK = case((ivrs.c.priority == literal_column("'urgent'"), literal_column("0")), else_=literal_column("1"))
Index("ix_ivrs_queue_order", ivrs.c.status, IVR_QUEUE_RANK, ivrs.c.last_submitted_at, ivrs.c.id)
Index("ix_ivrs_payer_queue_order", ivrs.c.payer_id, ivrs.c.status, IVR_QUEUE_RANK, ivrs.c.last_submitted_at, ivrs.c.id)

# Append-only status changes. `reason` is a code (never PHI); `note` is the free text that came with the
# change, encrypted and bound to the row.
ivr_history = Table(
    "ivr_history",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("ivr_id", Uuid, ForeignKey("ivrs.id"), nullable=False),
    Column("from_status", String(32)),
    Column("to_status", String(32), nullable=False),
    Column("trigger", String(32), nullable=False),
    # no foreign key: the system actor expires IVRs, and it has no row
    Column("actor_id", Uuid, nullable=False),
    Column("actor_role", String(32)),
    Column("at", UtcDateTime, nullable=False),
    Column("reason", String(64)),
    Column("note", LargeBinary),
    Column("linked_ivr_id", Uuid),
    Index("ix_ivr_history_ivr_id_at_id", "ivr_id", "at", "id"),
)

# IVR documents: metadata only, like patient_documents (the bytes live encrypted in the same document store,
# so key rotation of the store covers them). No file name is kept (names carry PHI).
ivr_documents = Table(
    "ivr_documents",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("ivr_id", Uuid, ForeignKey("ivrs.id"), nullable=False),
    Column("patient_id", Uuid, ForeignKey("patients.id"), nullable=False, index=True),
    Column("practice_id", Uuid, ForeignKey("practices.id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("content_type", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    # no foreign key: the system actor uploads too, and it has no row
    Column("uploaded_by", Uuid, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_ivr_documents_ivr_id_created_at_id", "ivr_id", "created_at", "id"),
)

# The last people-facing number handed out per kind (`IVR`) and year; an upsert takes and bumps it in one
# statement, holding the row until the transaction ends, so two transactions never get the same number.
reference_counters = Table(
    "reference_counters",
    metadata,
    Column("kind", String(16), primary_key=True),
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("last", Integer, nullable=False),
)

# Templates carry no PHI (the core refuses patient fields), so their content is clear JSON. `practice_id`
# is null for a global template; `name_key` is the case-folded name the list's name filter matches.
ivr_templates = Table(
    "ivr_templates",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("practice_id", Uuid, ForeignKey("practices.id")),
    Column("name", ordered_text(200), nullable=False),
    Column("name_key", String(800), nullable=False),
    Column("content", JSON, nullable=False),
    # no foreign keys on the authors: the system actor (seed-demo) has no row
    Column("created_by", Uuid, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_by", Uuid, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_ivr_templates_practice_id_name_id", "practice_id", "name", "id"),
    Index("ix_ivr_templates_name_id", "name", "id"),
    Index("ix_ivr_templates_created_at_id", "created_at", "id"),
)

# The medical justification library: global, no PHI.
medical_justifications = Table(
    "medical_justifications",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("title", ordered_text(200), nullable=False),
    Column("wound_type", String(32), nullable=False),
    Column("hcpcs_code", String(5)),
    Column("text", String(5000), nullable=False),
    Column("created_by", Uuid, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_by", Uuid, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_medical_justifications_title_id", "title", "id"),
    Index("ix_medical_justifications_wound_type_title_id", "wound_type", "title", "id"),
)
