"""IVRs, their history, documents, reference counters, templates and the justification library."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Uuid,
    case,
    literal_column,
    text,
)

from adapters.sqlalchemy.tables._metadata import metadata
from adapters.sqlalchemy.types import UtcDateTime, ordered_text

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
# is null for a global template; `name_key` is the name as `name_key()` folds it (case folded, spacing
# collapsed): the list's name filter matches it, and it is unique per practice and among global templates.
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
    Index(
        "uq_ivr_templates_practice_name_key",
        "practice_id",
        "name_key",
        unique=True,
        sqlite_where=text("practice_id IS NOT NULL"),
        postgresql_where=text("practice_id IS NOT NULL"),
    ),
    # NULLs are distinct in a unique index: the global templates need their own.
    Index(
        "uq_ivr_templates_global_name_key",
        "name_key",
        unique=True,
        sqlite_where=text("practice_id IS NULL"),
        postgresql_where=text("practice_id IS NULL"),
    ),
)

# The medical justification library: global, no PHI. `title_key` is the title as `name_key()` folds it,
# unique in the library.
medical_justifications = Table(
    "medical_justifications",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("title", ordered_text(200), nullable=False),
    Column("title_key", String(800), nullable=False, unique=True),
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
