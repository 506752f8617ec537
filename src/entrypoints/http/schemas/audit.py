"""Audit entries as the API shows them: ids, names of fields, outcomes — never PHI values."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from entrypoints.http.schemas.common import utc
from ivr_domain.shared.audit import AuditEntry


class AuditEntryOut(msgspec.Struct, kw_only=True):
    """One audited request."""

    id: UUID
    at: datetime
    action: str
    outcome: str
    reason: str
    user_id: UUID | None
    role: str | None
    session_id: UUID | None
    is_system: bool
    resource_type: str
    resource_id: str | None
    patient_ids: list[UUID]
    changed_fields: list[str]
    purpose: str
    client_address: str | None
    user_agent: str | None
    correlation_id: str | None


class AuditPage(msgspec.Struct, kw_only=True):
    """A page of audit entries, newest first unless sorted otherwise."""

    items: list[AuditEntryOut]
    next_cursor: str | None


def audit_entry_out(entry: AuditEntry) -> AuditEntryOut:
    """Render an entry."""
    return AuditEntryOut(
        id=entry.id,
        at=utc(entry.at),
        action=entry.action,
        outcome=entry.outcome.value,
        reason=entry.reason,
        user_id=entry.user_id,
        role=entry.role.value if entry.role else None,
        session_id=entry.session_id,
        is_system=entry.is_system,
        resource_type=entry.resource_type,
        resource_id=entry.resource_id,
        patient_ids=list(entry.patient_ids),
        changed_fields=list(entry.changed_fields),
        purpose=entry.purpose.value,
        client_address=entry.client_address,
        user_agent=entry.user_agent,
        correlation_id=entry.correlation_id,
    )
