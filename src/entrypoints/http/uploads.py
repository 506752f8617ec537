"""Streaming multipart uploads: the body read part by part in a worker thread, the file never held whole.

Litestar's own form parsing spools every file part to a `SpooledTemporaryFile` (memory up to 1 MiB,
then the system temp folder) before the handler runs: PHI in plaintext on disk, and the whole file
received before anyone checked who sent it. Here the handler authenticates first, then parses the
body with the same `multipart` library as it arrives and hands the file's chunks straight to the core,
which encrypts them into the document store; at most one network chunk is in memory.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Iterator
from typing import Any, TypeAlias

import anyio.from_thread
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException
from litestar.handlers import BaseRouteHandler
from multipart import (  # type: ignore[import-untyped]  # the library ships no type information
    MultipartError,
    MultipartSegment,
    PushMultipartParser,
    parse_options_header,
)

from entrypoints.http.problems import ProblemError
from ivr_domain.patients.documents import UploadDocument
from ivr_domain.shared.documents import UploadedFile, UploadRefused
from ivr_domain.shared.errors import FieldError, ValidationFailed
from ivr_domain.shared.ids import PatientId

FORM_OVERHEAD_BYTES = 64 * 1024
"""Room for part headers and the text fields beside the file, on top of the file size limit."""

_MAX_TEXT_BYTES = 256
_MAX_PARTS = 8
_TEXT_FIELDS = ("kind",)

Event: TypeAlias = "MultipartSegment | bytes | None"


def boundary_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """Return the multipart boundary of a `multipart/form-data` request, None for any other body."""
    media_type, options = parse_options_header(connection.headers.get("content-type", ""))
    boundary = options.get("boundary", "")
    return boundary if media_type == "multipart/form-data" and 0 < len(boundary) <= 70 else None


async def upload_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Answer 415 for a body that is not multipart, 413 for an announced length past the limit: before 401."""
    if boundary_of(connection) is None:
        raise ProblemError(
            415,
            "unsupported_media_type",
            "Unsupported media type",
            "the body must be multipart/form-data with a boundary",
            extra={"allowed": ["multipart/form-data"]},
        )
    limit = getattr(handler, "resolve_request_max_body_size", lambda: None)()
    length = connection.headers.get("content-length", "")
    if limit is not None and length.isdigit() and int(length) > limit:
        raise ProblemError(
            413, "request_entity_too_large", "Request entity too large", "the request body is larger than the limit"
        )


def _not_multipart() -> ProblemError:
    return ProblemError.bad_request("body_not_multipart", "the request body is not valid multipart/form-data")


class BodyReader:
    """The request body as a blocking `read()`, for code in an anyio worker thread (the event loop reads)."""

    def __init__(self, request: Request[Any, Any, Any]) -> None:
        """Read from the request's own stream, which enforces the route's body size limit."""
        self._stream: AsyncGenerator[bytes, None] = request.stream()
        self._done = False

    def read(self) -> bytes:
        """Return the next piece of the body, or b"" at its end."""
        if self._done:
            return b""
        chunk = anyio.from_thread.run(self._next)
        self._done = not chunk
        return chunk

    async def _next(self) -> bytes:
        try:
            return await anext(self._stream)
        except StopAsyncIteration:
            return b""


class UploadForm:
    """A document upload form: `kind` then `file`, read in order; any other part is refused (422)."""

    def __init__(self, boundary: str, read: Callable[[], bytes]) -> None:
        """Parse lazily from a blocking reader."""
        self._events = self._parse(boundary, read)

    @staticmethod
    def _parse(boundary: str, read: Callable[[], bytes]) -> Iterator[Event]:
        try:
            with PushMultipartParser(boundary, max_segment_count=_MAX_PARTS) as parser:
                while not parser.closed:
                    yield from parser.parse(read())
        except MultipartError:
            raise _not_multipart() from None

    def command(self, patient_id: PatientId) -> UploadDocument:
        """Read a patient document's form: the text fields up to the file part, then the file as it streams."""
        upload = self.upload()
        return UploadDocument(patient_id=patient_id, kind=upload.kind, content=upload.content, problems=upload.problems)

    def upload(self) -> UploadedFile:
        """Read the text fields up to the file part; the upload's content streams the file from there."""
        fields: dict[str, str] = {}
        problems: list[FieldError] = []
        for event in self._events:
            if not isinstance(event, MultipartSegment):
                raise _not_multipart()  # the parser yields a segment before any body bytes
            name = event.name
            if name == "file":
                content = self._file_chunks()
                return UploadedFile(kind=fields.get("kind"), content=content, problems=tuple(problems))
            value = self._text()
            if name not in _TEXT_FIELDS:
                problems.append(FieldError(field=name[:64], message="is not a known field"))
            elif name in fields:
                problems.append(FieldError(field=name, message="is given more than once"))
            elif value is None:
                problems.append(
                    FieldError(field=name, message=f"must be UTF-8 text of at most {_MAX_TEXT_BYTES} bytes")
                )
            else:
                fields[name] = value
        return UploadedFile(kind=fields.get("kind"), content=None, problems=tuple(problems))

    def _text(self) -> str | None:
        value = b""
        for event in self._events:
            if event is None:
                break
            if isinstance(event, bytes) and len(value) <= _MAX_TEXT_BYTES:
                value += event
        try:
            return value.decode("utf-8") if len(value) <= _MAX_TEXT_BYTES else None
        except UnicodeDecodeError:
            return None

    def _file_chunks(self) -> Iterator[bytes]:
        for event in self._events:
            if event is None:
                break
            if isinstance(event, bytes):
                yield event
        # Whatever follows the file comes too late to be part of this upload: refuse it, keep nothing.
        for event in self._events:
            if isinstance(event, MultipartSegment):
                raise UploadRefused(ValidationFailed.single(event.name[:64], _late(event.name)))

    def drain(self) -> None:
        """Read what is left of the body, so the client hears the answer; stop quietly at any fault or the limit."""
        try:
            for _ in self._events:
                pass
        except (ProblemError, HTTPException):
            return


def _late(name: str) -> str:
    if name in _TEXT_FIELDS:
        return "must come before file"
    return "is given more than once" if name == "file" else "is not a known field"
