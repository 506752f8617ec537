"""Patients: PHI, so every answer is no-store; lists filter on non-PHI fields, searches take a body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.params import FromQuery, PathParameter, QueryParameter, RawBody, SkipValidation

from entrypoints.http.auth import BearerAuth
from entrypoints.http.controllers.support import (
    BEARER,
    Cursor,
    IfMatch,
    Instant,
    Limit,
    checks_before_fields,
    instant,
    ok,
    page_request,
    sort_description,
    writer,
)
from entrypoints.http.decoding import decode_in_order, parse_json, with_body
from entrypoints.http.headers import PHI_HEADERS, expected_version, object_headers
from entrypoints.http.idempotency import Idempotency
from entrypoints.http.openapi import BODY, PROTECTED, problem_responses
from entrypoints.http.problems import RefusalContext
from entrypoints.http.schemas.patients import (
    CreatePatientBody,
    PatientMatches,
    PatientPage,
    PatientViewOut,
    UpdatePatientBody,
    patient_input,
    patient_out,
)
from ivr_domain.patients.policy import may_read, may_write
from ivr_domain.patients.ports import PATIENT_SORTS, MemberIdSearch, NameAndBirthDate, PatientFilter, PatientSearch
from ivr_domain.patients.use_cases import (
    ArchivePatient,
    ArchivePatientHandler,
    CreatePatient,
    CreatePatientHandler,
    GetPatientHandler,
    ListPatientsHandler,
    SearchPatientsHandler,
    UpdatePatient,
    UpdatePatientHandler,
)
from ivr_domain.shared.actor import Actor
from ivr_domain.shared.ids import PatientId, PracticeId

PatientIdPath = Annotated[UUID, PathParameter(description="the patient's id")]
Sort = Annotated[str, QueryParameter(description=sort_description(*PATIENT_SORTS))]


def _writer(actor: Actor, action: str) -> Callable[[], RefusalContext]:
    """Return the 403 check of a patient create: its 422 is then that create's refusal."""
    return writer(may_write(actor), action, "patient")


def _search(body: RawBody, actor: Actor) -> PatientSearch:
    """Decode a search body after the search's 403, so that its 422 is the search's refusal, audited."""
    parsed = parse_json(body)
    target: type[PatientSearch] = (
        MemberIdSearch if isinstance(parsed, dict) and "member_id" in parsed else NameAndBirthDate
    )
    return decode_in_order(body, target, writer(may_read(actor), "patients.search", "patient"))


class PatientsController(Controller):
    """Patients of the practices in the caller's reach, in the projection their role allows."""

    path = "/api/v1/patients"
    tags = ["patients"]
    security = BEARER

    @get("/", sync_to_thread=True, responses=problem_responses(*PROTECTED))
    def list_patients(
        self,
        *,
        request: Request[Any, Any, Any],
        bearer: SkipValidation[BearerAuth],
        list_patients: SkipValidation[ListPatientsHandler],
        archived: FromQuery[bool] = False,
        practice_id: FromQuery[UUID | None] = None,
        created_from: Instant = None,
        created_to: Instant = None,
        limit: Limit = 50,
        cursor: Cursor = None,
        sort: Sort = "-created_at",
    ) -> Response[PatientPage]:
        """List patients; archived ones only with archived=true."""
        filters = PatientFilter(
            archived=archived,
            practice_id=PracticeId(practice_id) if practice_id else None,
            created_from=instant(created_from, "created_from", end_of_day=False),
            created_to=instant(created_to, "created_to", end_of_day=True),
        )
        actor = bearer.actor(request)
        page = ok(list_patients(actor, filters, page_request(limit, cursor, sort)))
        out = PatientPage(items=[patient_out(p) for p in page.items], next_cursor=page.next_cursor)
        return Response(out, headers=PHI_HEADERS)

    @post(
        "/",
        sync_to_thread=True,
        status_code=201,
        **with_body(CreatePatientBody),
        responses=problem_responses(*PROTECTED, *BODY, 409),
    )
    def create_patient(
        self,
        *,
        request: Request[Any, Any, Any],
        body: RawBody,
        bearer: SkipValidation[BearerAuth],
        create_patient: SkipValidation[CreatePatientHandler],
        idempotency: SkipValidation[Idempotency],
    ) -> Response[PatientViewOut]:
        """Register a patient; a likely duplicate answers 409 with its id unless allow_duplicate is true."""
        actor = bearer.actor(request)

        def create() -> Response[Any]:
            new = decode_in_order(body, CreatePatientBody, _writer(actor, "patients.create"))
            practice_id = PracticeId(new.practice_id) if new.practice_id else None
            cmd = CreatePatient(
                patient=patient_input(new), practice_id=practice_id, allow_duplicate=new.allow_duplicate
            )
            view = ok(create_patient(actor, cmd))
            headers = {**object_headers(view.version, phi=True), "Location": f"{self.path}/{view.id}"}
            return Response(patient_out(view), status_code=201, headers=headers)

        return idempotency.run(request, actor, body, create, action="patients.create")

    @post(
        "/search",
        sync_to_thread=True,
        status_code=200,
        **with_body(NameAndBirthDate, MemberIdSearch),
        responses=problem_responses(*PROTECTED, *BODY),
    )
    def search_patients(
        self,
        *,
        request: Request[Any, Any, Any],
        body: RawBody,
        bearer: SkipValidation[BearerAuth],
        search_patients: SkipValidation[SearchPatientsHandler],
    ) -> Response[PatientMatches]:
        """Find patients by exact last name and date of birth (first name optional), or by member id."""
        actor = bearer.actor(request)
        found = ok(search_patients(actor, _search(body, actor)))
        return Response(PatientMatches(items=[patient_out(p) for p in found]), headers=PHI_HEADERS)

    @get("/{patient_id:str}", sync_to_thread=True, responses=problem_responses(*PROTECTED, 404))
    def get_patient(
        self,
        *,
        request: Request[Any, Any, Any],
        patient_id: PatientIdPath,
        bearer: SkipValidation[BearerAuth],
        get_patient: SkipValidation[GetPatientHandler],
    ) -> Response[PatientViewOut]:
        """Read one patient."""
        view = ok(get_patient(bearer.actor(request), PatientId(patient_id)))
        return Response(patient_out(view), headers=object_headers(view.version, phi=True))

    @put(
        "/{patient_id:str}",
        sync_to_thread=True,
        **with_body(UpdatePatientBody),
        responses=problem_responses(*PROTECTED, *BODY, 404, 409, 412),
    )
    def update_patient(
        self,
        *,
        request: Request[Any, Any, Any],
        patient_id: PatientIdPath,
        body: RawBody,
        bearer: SkipValidation[BearerAuth],
        update_patient: SkipValidation[UpdatePatientHandler],
        get_patient: SkipValidation[GetPatientHandler],
        if_match: IfMatch = None,
    ) -> Response[PatientViewOut]:
        """Replace a patient's details."""
        actor = bearer.actor(request)
        version = expected_version(if_match)

        before_fields = checks_before_fields(
            lambda: get_patient.peek(actor, PatientId(patient_id)),
            entity="patient",
            resource_id=PatientId(patient_id),
            action="patients.update",
            allowed=lambda _: may_write(actor),
            expected_version=version,
            patients=(PatientId(patient_id),),
        )
        new = decode_in_order(body, UpdatePatientBody, before_fields)
        cmd = UpdatePatient(
            patient_id=PatientId(patient_id),
            patient=patient_input(new),
            expected_version=version,
            allow_duplicate=new.allow_duplicate,
        )
        view = ok(update_patient(actor, cmd))
        return Response(patient_out(view), headers=object_headers(view.version, phi=True))

    @delete(
        "/{patient_id:str}",
        sync_to_thread=True,
        status_code=200,
        responses=problem_responses(*PROTECTED, 404, 409, 412),
    )
    def archive_patient(
        self,
        *,
        request: Request[Any, Any, Any],
        patient_id: PatientIdPath,
        bearer: SkipValidation[BearerAuth],
        archive_patient: SkipValidation[ArchivePatientHandler],
        if_match: IfMatch = None,
    ) -> Response[PatientViewOut]:
        """Archive a patient: hidden from lists, never deleted."""
        actor = bearer.actor(request)
        cmd = ArchivePatient(patient_id=PatientId(patient_id), expected_version=expected_version(if_match))
        view = ok(archive_patient(actor, cmd))
        return Response(patient_out(view), headers=object_headers(view.version, phi=True))
