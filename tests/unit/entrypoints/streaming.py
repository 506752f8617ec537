"""Sending a body to the ASGI app one piece at a time, as a slow client does (the test client sends it whole)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import anyio
from attrs import define, field
from returns.result import Result

from ivr_domain.shared.documents import DocumentStore, StoredContent
from ivr_domain.shared.errors import TooLarge
from ivr_domain.shared.ids import DocumentId

BOUNDARY = "ivr-test-boundary-7MA4YWxkTrZu0gW"


def part_head(name: str, filename: str | None) -> bytes:
    """Return the delimiter and headers that open one part."""
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
    return f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()


def multipart(parts: Iterable[tuple[str, str | None, bytes]]) -> bytes:
    """Return a multipart/form-data body of (name, filename, content) parts, in order."""
    body = b"".join(part_head(name, filename) + content + b"\r\n" for name, filename, content in parts)
    return body + f"--{BOUNDARY}--\r\n".encode()


@define
class Answer:
    """What the app answered."""

    status: int = 0
    body: bytes = b""


@define
class Progress:
    """How many body pieces the client has sent, and how many it had sent when each chunk reached the store."""

    sent: int = 0
    seen_at: list[int] = field(factory=list)


@define
class WatchedStore:
    """A document store that notes, for every chunk it receives, how far the client had got."""

    inner: DocumentStore
    progress: Progress

    def put(
        self, document_id: DocumentId, chunks: Iterable[bytes], *, max_bytes: int
    ) -> Result[StoredContent, TooLarge]:
        def watched() -> Iterator[bytes]:
            for chunk in chunks:
                self.progress.seen_at.append(self.progress.sent)
                yield chunk

        return self.inner.put(document_id, watched(), max_bytes=max_bytes)

    def open(self, document_id: DocumentId) -> Iterator[bytes]:
        return self.inner.open(document_id)

    def delete(self, document_id: DocumentId) -> None:
        self.inner.delete(document_id)


def post_in_pieces(
    app: Any, path: str, headers: Mapping[str, str], pieces: Iterable[bytes], progress: Progress
) -> Answer:
    """POST a multipart body, one piece per ASGI `http.request` message, counting pieces in `progress`."""
    answer = Answer()
    source = iter(pieces)

    async def receive() -> dict[str, Any]:
        piece = next(source, None)
        if piece is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        progress.sent += 1
        return {"type": "http.request", "body": piece, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")

    all_headers = {**headers, "content-type": f"multipart/form-data; boundary={BOUNDARY}"}
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in all_headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    anyio.run(app, scope, receive, send)
    return answer


def upload_pieces(kind: bytes, file_pieces: Iterable[bytes]) -> Iterator[bytes]:
    """Yield a document upload body: the kind part, then the file part piece by piece, then the closing delimiter."""
    yield part_head("kind", None) + kind + b"\r\n" + part_head("file", "scan.pdf")
    yield from file_pieces
    yield f"\r\n--{BOUNDARY}--\r\n".encode()
