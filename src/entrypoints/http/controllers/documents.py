"""Patient documents: streamed multipart uploads, lists, and streamed downloads with their digest."""

from __future__ import annotations

from itertools import chain
from typing import Annotated, Any
from uuid import UUID

import anyio.to_thread
from litestar import Controller, Request, Response, get, post
from litestar.params import PathParameter, QueryParameter, SkipValidation
from litestar.response import Stream

from entrypoints.http.auth import BearerAuth
from entrypoints.http.controllers.support import BEARER, Cursor, Limit, ok, page_request, sort_description
from entrypoints.http.headers import PHI_HEADERS
from entrypoints.http.openapi import BODY, PROTECTED, problem_responses
from entrypoints.http.schemas.documents import (
    DocumentOut,
    DocumentPage,
    DownloadOperation,
    UploadOperation,
    document_out,
    repr_digest,
)
from entrypoints.http.uploads import BodyReader, UploadForm, boundary_of, upload_guard
from ivr_domain.patients.documents import (
    DOCUMENT_SORTS,
    Document,
    GetDocumentHandler,
    ListDocumentsHandler,
    UploadDocumentHandler,
)
from ivr_domain.shared.ids import DocumentId, PatientId

PatientIdPath = Annotated[UUID, PathParameter(description="the patient's id")]
DocumentIdPath = Annotated[UUID, PathParameter(description="the document's id")]
Sort = Annotated[str, QueryParameter(description=sort_description(*DOCUMENT_SORTS))]


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
        boundary = boundary_of(request) or ""  # the guard refused anything else
        reader = BodyReader(request)

        def run() -> Document:
            # In a worker thread: the core is synchronous, and the body is pulled from the event loop as it streams.
            actor = bearer.actor(request)
            form = UploadForm(boundary, reader.read)
            try:
                return ok(upload_document(actor, form.command(PatientId(patient_id))))
            finally:
                form.drain()

        document = await anyio.to_thread.run_sync(run)
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
        download = ok(get_document(actor, PatientId(patient_id), DocumentId(document_id)))
        document = download.document
        chunks = download.chunks()
        # Read the first chunk now: a missing or tampered file fails before the status line is sent.
        first = next(chunks, b"")
        headers = {
            **PHI_HEADERS,
            "Content-Length": str(document.size),
            "Content-Disposition": f'attachment; filename="{document.filename}"',
            "Repr-Digest": repr_digest(document.sha256),
            "X-Content-Type-Options": "nosniff",
        }
        return Stream(chain((first,), chunks), media_type=document.content_type, headers=headers)
