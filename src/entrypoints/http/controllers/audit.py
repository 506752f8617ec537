"""The audit log over HTTP: the auditors' search, and one patient's access report."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.params import FromQuery, PathParameter, QueryParameter, SkipValidation

from entrypoints.http.auth import BearerAuth
from entrypoints.http.controllers.support import BEARER, Cursor, Instant, Limit, instant, ok, page_request
from entrypoints.http.headers import PHI_HEADERS
from entrypoints.http.openapi import PROTECTED, problem_responses
from entrypoints.http.schemas.audit import AuditPage, audit_entry_out
from ivr_domain.admin.ports import AuditQuery
from ivr_domain.admin.use_cases import AccessReportHandler, SearchAuditLogHandler
from ivr_domain.shared.audit import AuditEntry, Outcome
from ivr_domain.shared.ids import PatientId, UserId
from ivr_domain.shared.paging import Page

Sort = Annotated[str, QueryParameter(description="at (oldest first) or -at (newest first, the default)")]
Action = Annotated[
    str | None, QueryParameter(description="an action slug, e.g. patients.read", max_length=64, pattern=r"^[a-z_.]+$")
]


def _page(found: Page[AuditEntry]) -> Response[AuditPage]:
    out = AuditPage(items=[audit_entry_out(e) for e in found.items], next_cursor=found.next_cursor)
    # Entries hold ids, not PHI, but which patients someone touched is itself sensitive.
    return Response(out, headers=PHI_HEADERS)


class AuditController(Controller):
    """Search the audit log (audit.read)."""

    path = "/api/v1/admin/audit-logs"
    tags = ["audit"]
    security = BEARER

    @get("/", sync_to_thread=True, responses=problem_responses(*PROTECTED))
    def search_audit_log(
        self,
        *,
        request: Request[Any, Any, Any],
        bearer: SkipValidation[BearerAuth],
        search_audit_log: SkipValidation[SearchAuditLogHandler],
        user_id: FromQuery[UUID | None] = None,
        patient_id: FromQuery[UUID | None] = None,
        action: Action = None,
        outcome: Annotated[Outcome | None, QueryParameter(description="how the request ended")] = None,
        since: Instant = None,
        until: Instant = None,
        limit: Limit = 50,
        cursor: Cursor = None,
        sort: Sort = "-at",
    ) -> Response[AuditPage]:
        """Find audit entries by user, patient, action, outcome and time range (since inclusive, until exclusive)."""
        query = AuditQuery(
            user_id=UserId(user_id) if user_id else None,
            patient_id=PatientId(patient_id) if patient_id else None,
            action=action,
            outcome=outcome,
            since=instant(since, "since", end_of_day=False),
            until=instant(until, "until", end_of_day=True),
        )
        actor = bearer.actor(request)
        return _page(ok(search_audit_log(actor, query, page_request(limit, cursor, sort))))


class AccessReportController(Controller):
    """Every recorded access to one patient's data."""

    path = "/api/v1/patients"
    tags = ["audit"]
    security = BEARER

    @get("/{patient_id:str}/access-report", sync_to_thread=True, responses=problem_responses(*PROTECTED, 404))
    def access_report(
        self,
        *,
        request: Request[Any, Any, Any],
        patient_id: Annotated[UUID, PathParameter(description="the patient's id")],
        bearer: SkipValidation[BearerAuth],
        access_report: SkipValidation[AccessReportHandler],
        limit: Limit = 50,
        cursor: Cursor = None,
        sort: Sort = "-at",
    ) -> Response[AuditPage]:
        """List who accessed the patient's data, when, what they did, why, and how it ended."""
        actor = bearer.actor(request)
        return _page(ok(access_report(actor, PatientId(patient_id), page_request(limit, cursor, sort))))
