"""IVR templates: a practice's pre-filled IVR forms and the global ones; no PHI.

A static path under `/api/v1/ivrs`: Litestar matches the `templates` segment before `/{ivr_id}`, so these
requests never reach the IVR routes. Writes whose body cannot be decoded still answer API.md's
earlier refusals first (404 scope, 403 role or practice, 412 stale If-Match).
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.params import FromQuery, PathParameter, QueryParameter, RawBody, SkipValidation

from entrypoints.http.auth import BearerAuth
from entrypoints.http.controllers.support import (
    BEARER,
    Cursor,
    IfMatch,
    Limit,
    checks_before_fields,
    ok,
    page_request,
    writer,
)
from entrypoints.http.decoding import with_body
from entrypoints.http.headers import expected_version, object_headers
from entrypoints.http.idempotency import Idempotency
from entrypoints.http.openapi import BODY, PROTECTED, problem_responses
from entrypoints.http.schemas.ivr_templates import (
    TemplateBody,
    TemplateOut,
    TemplatePage,
    decode_template,
    template_out,
)
from ivr_domain.ivr.templates import policy
from ivr_domain.ivr.templates.model import TemplateFilter, TemplateScope
from ivr_domain.ivr.templates.template_cases import (
    CREATE,
    RESOURCE,
    UPDATE,
    CreateTemplate,
    CreateTemplateHandler,
    DeleteTemplate,
    DeleteTemplateHandler,
    UpdateTemplate,
    UpdateTemplateHandler,
)
from ivr_domain.ivr.templates.template_reads import GetTemplateHandler, ListTemplatesHandler
from ivr_domain.shared.ids import IvrTemplateId, PracticeId

TemplateIdPath = Annotated[UUID, PathParameter(description="the template's id")]
_ON_ONE = (*PROTECTED, 404, 409, 412)


TemplateSort = Annotated[
    str,
    QueryParameter(description="one of name, -name, created_at, -created_at, updated_at, -updated_at (default name)"),
]


class IvrTemplatesController(Controller):
    """Pre-filled IVR forms: a practice's own (its doctors manage them) and global ones (admins manage them)."""

    path = "/api/v1/ivrs/templates"
    tags = ["ivr templates"]
    security = BEARER

    @get("/", sync_to_thread=True, responses=problem_responses(*PROTECTED))
    def list_templates(
        self,
        *,
        request: Request[Any, Any, Any],
        bearer: SkipValidation[BearerAuth],
        list_ivr_templates: SkipValidation[ListTemplatesHandler],
        template_scope: Annotated[
            TemplateScope | None, QueryParameter(name="scope", description="global or practice templates only")
        ] = None,
        practice_id: FromQuery[UUID | None] = None,
        name: Annotated[str | None, QueryParameter(description="part of the name, any case", max_length=200)] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
        sort: TemplateSort = "name",
    ) -> Response[TemplatePage]:
        """List the templates the caller can see: their practice's and the global ones."""
        filters = TemplateFilter(
            scope=template_scope, practice_id=PracticeId(practice_id) if practice_id else None, name=name
        )
        page = ok(list_ivr_templates(bearer.actor(request), filters, page_request(limit, cursor, sort)))
        return Response(TemplatePage(items=[template_out(t) for t in page.items], next_cursor=page.next_cursor))

    @post(
        "/",
        sync_to_thread=True,
        status_code=201,
        **with_body(TemplateBody),
        responses=problem_responses(*PROTECTED, *BODY, 409),
    )
    def create_template(
        self,
        *,
        request: Request[Any, Any, Any],
        body: RawBody,
        bearer: SkipValidation[BearerAuth],
        create_ivr_template: SkipValidation[CreateTemplateHandler],
        idempotency: SkipValidation[Idempotency],
    ) -> Response[TemplateOut]:
        """Create a template of the caller's practice, or (admins) a global one or one of a named practice."""
        actor = bearer.actor(request)

        def create() -> Response[Any]:
            raw = decode_template(body, writer(policy.may_manage_in(actor, actor.practice_id), CREATE, RESOURCE))
            template = ok(create_ivr_template(actor, CreateTemplate(template=raw)))
            headers = {**object_headers(template.version), "Location": f"{self.path}/{template.id}"}
            return Response(template_out(template), status_code=201, headers=headers)

        return idempotency.run(request, actor, body, create, action=CREATE)

    @get("/{template_id:str}", sync_to_thread=True, responses=problem_responses(*PROTECTED, 404))
    def get_template(
        self,
        *,
        request: Request[Any, Any, Any],
        template_id: TemplateIdPath,
        bearer: SkipValidation[BearerAuth],
        get_ivr_template: SkipValidation[GetTemplateHandler],
    ) -> Response[TemplateOut]:
        """Read one template; another practice's answers 404."""
        template = ok(get_ivr_template(bearer.actor(request), IvrTemplateId(template_id)))
        return Response(template_out(template), headers=object_headers(template.version))

    @put(
        "/{template_id:str}",
        sync_to_thread=True,
        **with_body(TemplateBody),
        responses=problem_responses(*_ON_ONE, *BODY),
    )
    def update_template(
        self,
        *,
        request: Request[Any, Any, Any],
        template_id: TemplateIdPath,
        body: RawBody,
        bearer: SkipValidation[BearerAuth],
        get_ivr_template: SkipValidation[GetTemplateHandler],
        update_ivr_template: SkipValidation[UpdateTemplateHandler],
        if_match: IfMatch = None,
    ) -> Response[TemplateOut]:
        """Replace a template's name and content (its practice stays)."""
        actor = bearer.actor(request)
        version = expected_version(if_match)
        checks = checks_before_fields(
            lambda: get_ivr_template.peek(actor, IvrTemplateId(template_id)),
            entity=RESOURCE,
            resource_id=template_id,
            action=UPDATE,
            allowed=lambda template: policy.may_manage(actor, template),
            expected_version=version,
        )
        raw = decode_template(body, checks)
        cmd = UpdateTemplate(template_id=IvrTemplateId(template_id), template=raw, expected_version=version)
        template = ok(update_ivr_template(actor, cmd))
        return Response(template_out(template), headers=object_headers(template.version))

    @delete("/{template_id:str}", sync_to_thread=True, status_code=204, responses=problem_responses(*_ON_ONE))
    def delete_template(
        self,
        *,
        request: Request[Any, Any, Any],
        template_id: TemplateIdPath,
        bearer: SkipValidation[BearerAuth],
        delete_ivr_template: SkipValidation[DeleteTemplateHandler],
        if_match: IfMatch = None,
    ) -> None:
        """Delete a template; IVRs made from it keep their content."""
        actor = bearer.actor(request)  # 401 before a malformed If-Match's 400
        cmd = DeleteTemplate(template_id=IvrTemplateId(template_id), expected_version=expected_version(if_match))
        ok(delete_ivr_template(actor, cmd))
