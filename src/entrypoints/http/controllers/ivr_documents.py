"""IVR documents: streamed multipart uploads, lists by kind, and streamed downloads with their digest."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery, PathParameter, SkipValidation
from litestar.response import Stream

from entrypoints.http.auth import BearerAuth
from entrypoints.http.controllers.document_transfers import DocumentIdPath, Sort, attachment, receive_upload
from entrypoints.http.controllers.support import BEARER, Cursor, Limit, ok, page_request
from entrypoints.http.headers import PHI_HEADERS
from entrypoints.http.openapi import BODY, PROTECTED, problem_responses
from entrypoints.http.schemas.documents import DownloadOperation, UploadOperation
from entrypoints.http.schemas.ivr_documents import IvrDocumentOut, IvrDocumentPage, ivr_document_out
from entrypoints.http.uploads import upload_guard
from ivr_domain.ivr.documents import UploadIvrDocument
from ivr_domain.ivr.use_cases.documents import (
    GetIvrDocumentHandler,
    ListIvrDocumentsHandler,
    UploadIvrDocumentHandler,
)
from ivr_domain.shared.documents import DocumentKind
from ivr_domain.shared.ids import DocumentId, IvrId

IvrIdPath = Annotated[UUID, PathParameter(description="the IVR's id")]


class IvrDocumentsController(Controller):
    """An IVR's documents, for the roles that see the IVR in full; PHI, so nothing is cached."""

    path = "/api/v1/ivrs/{ivr_id:str}/documents"
    tags = ["ivrs"]
    security = BEARER

    @post(
        "/",
        status_code=201,
        guards=[upload_guard],
        operation_class=UploadOperation,
        responses=problem_responses(*PROTECTED, *BODY, 404, 409),
    )
    async def upload_ivr_document(
        self,
        *,
        request: Request[Any, Any, Any],
        ivr_id: IvrIdPath,
        bearer: SkipValidation[BearerAuth],
        upload_ivr_document: SkipValidation[UploadIvrDocumentHandler],
    ) -> Response[IvrDocumentOut]:
        """Add a file (`kind`, then `file`) to an IVR; its type is read from its bytes; 409 once the IVR is closed."""
        document = await receive_upload(
            request,
            bearer,
            lambda actor, form: upload_ivr_document(actor, UploadIvrDocument(ivr_id=IvrId(ivr_id), file=form.upload())),
        )
        headers = {**PHI_HEADERS, "Location": f"/api/v1/ivrs/{ivr_id}/documents/{document.id}"}
        return Response(ivr_document_out(document), status_code=201, headers=headers)

    @get("/", sync_to_thread=True, responses=problem_responses(*PROTECTED, 404))
    def list_ivr_documents(
        self,
        *,
        request: Request[Any, Any, Any],
        ivr_id: IvrIdPath,
        bearer: SkipValidation[BearerAuth],
        list_ivr_documents: SkipValidation[ListIvrDocumentsHandler],
        kind: FromQuery[DocumentKind | None] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
        sort: Sort = "-created_at",
    ) -> Response[IvrDocumentPage]:
        """List an IVR's documents, newest first by default, of one kind when `kind` is given."""
        actor = bearer.actor(request)
        page = ok(list_ivr_documents(actor, IvrId(ivr_id), page_request(limit, cursor, sort), kind=kind))
        out = IvrDocumentPage(items=[ivr_document_out(d) for d in page.items], next_cursor=page.next_cursor)
        return Response(out, headers=PHI_HEADERS)

    @get(
        "/{document_id:str}",
        sync_to_thread=True,
        operation_class=DownloadOperation,
        responses=problem_responses(*PROTECTED, 404),
    )
    def download_ivr_document(
        self,
        *,
        request: Request[Any, Any, Any],
        ivr_id: IvrIdPath,
        document_id: DocumentIdPath,
        bearer: SkipValidation[BearerAuth],
        get_ivr_document: SkipValidation[GetIvrDocumentHandler],
    ) -> Stream:
        """Download an IVR document as an attachment, streamed, with `Repr-Digest` of its bytes."""
        actor = bearer.actor(request)
        return attachment(ok(get_ivr_document(actor, IvrId(ivr_id), DocumentId(document_id))))
