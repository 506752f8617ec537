"""What every owner's document routes share: parameters, receiving uploads, streaming downloads with their digest."""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain
from typing import Annotated, Any, TypeVar
from uuid import UUID

import anyio.to_thread
from litestar import Request
from litestar.params import PathParameter, QueryParameter
from litestar.response import Stream
from returns.result import Result

from entrypoints.http.auth import BearerAuth
from entrypoints.http.controllers.support import ok, sort_description
from entrypoints.http.headers import PHI_HEADERS
from entrypoints.http.schemas.documents import repr_digest
from entrypoints.http.uploads import BodyReader, UploadForm, boundary_of
from ivr_domain.shared.actor import Actor
from ivr_domain.shared.document_files import DOCUMENT_SORTS
from ivr_domain.shared.documents import Download, StoredDocument
from ivr_domain.shared.errors import DomainError

D = TypeVar("D", bound=StoredDocument)

DocumentIdPath = Annotated[UUID, PathParameter(description="the document's id")]
Sort = Annotated[str, QueryParameter(description=sort_description(*DOCUMENT_SORTS))]


async def receive_upload(
    request: Request[Any, Any, Any],
    bearer: BearerAuth,
    upload: Callable[[Actor, UploadForm], Result[D, DomainError]],
) -> D:
    """Run `upload` on the request's multipart form and return the stored document, or raise its problem."""
    boundary = boundary_of(request) or ""  # the guard refused anything else
    reader = BodyReader(request)

    def run() -> D:
        # In a worker thread: the core is synchronous, and the body is pulled from the event loop as it streams.
        actor = bearer.actor(request)
        form = UploadForm(boundary, reader.read)
        try:
            return ok(upload(actor, form))
        finally:
            form.drain()

    return await anyio.to_thread.run_sync(run)


def attachment(download: Download[D]) -> Stream:
    """Stream a document as an attachment, with its size, a download name and `Repr-Digest` of its bytes."""
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
