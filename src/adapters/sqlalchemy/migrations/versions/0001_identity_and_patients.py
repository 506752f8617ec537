"""Identity and patients: the first schema, created whole.

Instants are `DateTime(timezone=True)`; the adapter stores UTC (naive text on SQLite).
PHI columns are ciphertext (LargeBinary); `bi_*` columns are blind-index digests.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 21:00:41.820246
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_records",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=128), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "key", name=op.f("pk_idempotency_records")),
    )
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idempotency_records_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "practices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "name",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("npi", sa.String(length=10), nullable=True),
        sa.Column("address_line1", sa.String(length=200), nullable=True),
        sa.Column("address_line2", sa.String(length=200), nullable=True),
        sa.Column("address_city", sa.String(length=100), nullable=True),
        sa.Column("address_state", sa.String(length=2), nullable=True),
        sa.Column("address_postal_code", sa.String(length=10), nullable=True),
        sa.Column("phone", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practices")),
    )
    with op.batch_alter_table("practices", schema=None) as batch_op:
        batch_op.create_index("ix_practices_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index("ix_practices_name_id", ["name", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_practices_name_key"), ["name_key"], unique=False)

    op.create_table(
        "patients",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("practice_id", sa.Uuid(), nullable=False),
        sa.Column("first_name", sa.LargeBinary(), nullable=False),
        sa.Column("last_name", sa.LargeBinary(), nullable=False),
        sa.Column("date_of_birth", sa.LargeBinary(), nullable=False),
        sa.Column("sex", sa.LargeBinary(), nullable=False),
        sa.Column("phone", sa.LargeBinary(), nullable=True),
        sa.Column("email", sa.LargeBinary(), nullable=True),
        sa.Column("address_line1", sa.LargeBinary(), nullable=True),
        sa.Column("address_line2", sa.LargeBinary(), nullable=True),
        sa.Column("address_city", sa.LargeBinary(), nullable=True),
        sa.Column("address_state", sa.LargeBinary(), nullable=True),
        sa.Column("address_postal_code", sa.LargeBinary(), nullable=True),
        sa.Column("bi_last_dob", sa.String(length=128), nullable=False),
        sa.Column("bi_name_dob", sa.String(length=128), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("ivr_submitted", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["practice_id"], ["practices.id"], name=op.f("fk_patients_practice_id_practices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
    )
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patients_bi_last_dob"), ["bi_last_dob"], unique=False)
        batch_op.create_index(batch_op.f("ix_patients_bi_name_dob"), ["bi_name_dob"], unique=False)
        batch_op.create_index("ix_patients_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_patients_practice_id"), ["practice_id"], unique=False)
        batch_op.create_index("ix_patients_updated_at_id", ["updated_at", "id"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "email",
            sa.String(length=254).with_variant(sa.String(length=254, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.String(length=512), nullable=False),
        sa.Column("practice_id", sa.Uuid(), nullable=True),
        sa.Column("grants", sa.JSON(), nullable=False),
        sa.Column("revocations", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["practice_id"], ["practices.id"], name=op.f("fk_users_practice_id_practices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index("ix_users_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_users_practice_id"), ["practice_id"], unique=False)

    op.create_table(
        "assignments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("manager_id", sa.Uuid(), nullable=False),
        sa.Column("member_user_id", sa.Uuid(), nullable=True),
        sa.Column("member_practice_id", sa.Uuid(), nullable=True),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("effective_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assigned_by", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["manager_id"], ["users.id"], name=op.f("fk_assignments_manager_id_users")),
        sa.ForeignKeyConstraint(
            ["member_practice_id"], ["practices.id"], name=op.f("fk_assignments_member_practice_id_practices")
        ),
        sa.ForeignKeyConstraint(["member_user_id"], ["users.id"], name=op.f("fk_assignments_member_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignments_manager_id"), ["manager_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignments_member_practice_id"), ["member_practice_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignments_member_user_id"), ["member_user_id"], unique=False)
        batch_op.create_index(
            "uq_assignments_current_member_practice",
            ["member_practice_id"],
            unique=True,
            sqlite_where=sa.text("effective_to IS NULL"),
            postgresql_where=sa.text("effective_to IS NULL"),
        )
        batch_op.create_index(
            "uq_assignments_current_member_user",
            ["member_user_id"],
            unique=True,
            sqlite_where=sa.text("effective_to IS NULL"),
            postgresql_where=sa.text("effective_to IS NULL"),
        )

    op.create_table(
        "patient_insurances",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("rank", sa.String(length=16), nullable=False),
        sa.Column("plan_type", sa.String(length=32), nullable=False),
        sa.Column("subscriber_relationship", sa.String(length=16), nullable=False),
        sa.Column("payer_name", sa.LargeBinary(), nullable=False),
        sa.Column("payer_id", sa.LargeBinary(), nullable=True),
        sa.Column("member_id", sa.LargeBinary(), nullable=False),
        sa.Column("group_number", sa.LargeBinary(), nullable=True),
        sa.Column("subscriber_first_name", sa.LargeBinary(), nullable=True),
        sa.Column("subscriber_last_name", sa.LargeBinary(), nullable=True),
        sa.Column("subscriber_date_of_birth", sa.LargeBinary(), nullable=True),
        sa.Column("bi_member_id", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_patient_insurances_patient_id_patients"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("patient_id", "rank", name=op.f("pk_patient_insurances")),
    )
    with op.batch_alter_table("patient_insurances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patient_insurances_bi_member_id"), ["bi_member_id"], unique=False)

    op.create_table(
        "reset_tokens",
        sa.Column("token_hash", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_reset_tokens_user_id_users")),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_reset_tokens")),
    )
    with op.batch_alter_table("reset_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reset_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=True),
        sa.Column("client_address", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "refresh_tokens",
        sa.Column("token_hash", sa.String(length=128), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], name=op.f("fk_refresh_tokens_session_id_sessions")),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_refresh_tokens")),
    )
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refresh_tokens_session_id"), ["session_id"], unique=False)


def downgrade() -> None:
    for table in (
        "refresh_tokens",
        "sessions",
        "reset_tokens",
        "patient_insurances",
        "assignments",
        "users",
        "patients",
        "practices",
        "idempotency_records",
    ):
        op.drop_table(table)
