"""Patient documents: streamed multipart uploads, lists, and streamed downloads with their digest."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import PathParameter, SkipValidation
from litestar.response import Stream

from entrypoints.http.auth import BearerAuth
from entrypoints.http.controllers.document_transfers import DocumentIdPath, Sort, attachment, receive_upload
from entrypoints.http.controllers.support import BEARER, Cursor, Limit, ok, page_request
from entrypoints.http.headers import PHI_HEADERS
from entrypoints.http.openapi import BODY, PROTECTED, problem_responses
from entrypoints.http.schemas.documents import (
    DocumentOut,
    DocumentPage,
    DownloadOperation,
    UploadOperation,
    document_out,
)
from entrypoints.http.uploads import upload_guard
from ivr_domain.patients.documents import (
    GetDocumentHandler,
    ListDocumentsHandler,
    UploadDocumentHandler,
)
from ivr_domain.shared.ids import DocumentId, PatientId

PatientIdPath = Annotated[UUID, PathParameter(description="the patient's id")]


class DocumentsController(Controller):
    """A patient's documents, for the roles that see the patient in full; PHI, so nothing is cached."""

    path = "/api/v1/patients/{patient_id:str}/documents"
    tags = ["patients"]
    security = BEARER

    @post(
        "/",
        status_code=201,
        guards=[upload_guard],
        operation_class=UploadOperation,
        responses=problem_responses(*PROTECTED, *BODY, 404, 409),
    )
    async def upload_document(
        self,
        *,
        request: Request[Any, Any, Any],
        patient_id: PatientIdPath,
        bearer: SkipValidation[BearerAuth],
        upload_document: SkipValidation[UploadDocumentHandler],
    ) -> Response[DocumentOut]:
        """Upload a file (`kind`, then `file`) of at most the document limit; its type is read from its bytes."""
        document = await receive_upload(
            request, bearer, lambda actor, form: upload_document(actor, form.command(PatientId(patient_id)))
        )
        headers = {**PHI_HEADERS, "Location": f"/api/v1/patients/{patient_id}/documents/{document.id}"}
        return Response(document_out(document), status_code=201, headers=headers)

    @get("/", sync_to_thread=True, responses=problem_responses(*PROTECTED, 404))
    def list_documents(
        self,
        *,
        request: Request[Any, Any, Any],
        patient_id: PatientIdPath,
        bearer: SkipValidation[BearerAuth],
        list_documents: SkipValidation[ListDocumentsHandler],
        limit: Limit = 50,
        cursor: Cursor = None,
        sort: Sort = "-created_at",
    ) -> Response[DocumentPage]:
        """List a patient's documents, newest first by default."""
        actor = bearer.actor(request)
        page = ok(list_documents(actor, PatientId(patient_id), page_request(limit, cursor, sort)))
        out = DocumentPage(items=[document_out(d) for d in page.items], next_cursor=page.next_cursor)
        return Response(out, headers=PHI_HEADERS)

    @get(
        "/{document_id:str}",
        sync_to_thread=True,
        operation_class=DownloadOperation,
        responses=problem_responses(*PROTECTED, 404),
    )
    def download_document(
        self,
        *,
        request: Request[Any, Any, Any],
        patient_id: PatientIdPath,
        document_id: DocumentIdPath,
        bearer: SkipValidation[BearerAuth],
        get_document: SkipValidation[GetDocumentHandler],
    ) -> Stream:
        """Download a document as an attachment, streamed, with `Repr-Digest` of its bytes."""
        actor = bearer.actor(request)
        return attachment(ok(get_document(actor, PatientId(patient_id), DocumentId(document_id))))
