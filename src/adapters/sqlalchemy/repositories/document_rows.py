"""What the SQL tables of documents share, whoever owns them: the common columns, and reading and paging rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Connection, RowMapping, Table, select

from adapters.sqlalchemy.repositories.common import cut_page, keyset
from ivr_domain.shared.documents import DocumentKind, StoredDocument
from ivr_domain.shared.ids import DocumentId, PatientId, PracticeId, UserId
from ivr_domain.shared.paging import Page, PageRequest

D = TypeVar("D", bound=StoredDocument)


def document_values(document: StoredDocument) -> dict[str, Any]:
    """Return the columns every document's row has."""
    return {
        "id": document.id,
        "patient_id": document.patient_id,
        "practice_id": document.practice_id,
        "kind": document.kind.value,
        "content_type": document.content_type,
        "size": document.size,
        "sha256": document.sha256,
        "uploaded_by": document.uploaded_by,
        "created_at": document.created_at,
    }


def document_fields(row: RowMapping) -> dict[str, Any]:
    """Return the fields every document has, read from its row."""
    return {
        "id": DocumentId(row["id"]),
        "patient_id": PatientId(row["patient_id"]),
        "practice_id": PracticeId(row["practice_id"]),
        "kind": DocumentKind(row["kind"]),
        "content_type": row["content_type"],
        "size": row["size"],
        "sha256": row["sha256"],
        "uploaded_by": UserId(row["uploaded_by"]),
        "created_at": row["created_at"],
    }


class DocumentRows(Generic[D]):
    """One owner's document metadata in its table, on one connection's transaction."""

    def __init__(
        self,
        connection: Connection,
        table: Table,
        *,
        read: Callable[[RowMapping], D],
        values: Callable[[D], dict[str, Any]],
    ) -> None:
        """Work within the unit of work's transaction on `table`, its rows read and written by `read` and `values`."""
        self._db = connection
        self._table = table
        self._read = read
        self._values = values

    def add(self, document: D) -> None:
        """Store a new document's metadata."""
        self._db.execute(self._table.insert().values(**self._values(document)))

    def _get(self, document_id: DocumentId, owned: ColumnElement[bool]) -> D | None:
        stmt = select(self._table).where(self._table.c.id == document_id, owned)
        row = self._db.execute(stmt).mappings().first()
        return self._read(row) if row is not None else None

    def _list(self, page: PageRequest, *where: ColumnElement[bool]) -> Page[D]:
        table = self._table
        stmt = keyset(select(table).where(*where), page, {"created_at": table.c.created_at}, table.c.id)
        items = [self._read(r) for r in self._db.execute(stmt).mappings()]
        return cut_page(items, page, {"created_at": lambda d: d.created_at}, lambda d: d.id)
