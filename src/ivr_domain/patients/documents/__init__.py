"""Patient documents: metadata in the unit of work, bytes in the document store, both scoped like the patient."""

from ivr_domain.patients.documents._model import (
    Document,
    DocumentRepository,
    DocumentsUnitOfWork,
    UploadDocument,
    may_read_documents,
    may_write_documents,
)
from ivr_domain.patients.documents._use_cases import GetDocumentHandler, ListDocumentsHandler, UploadDocumentHandler
from ivr_domain.shared.document_files import ACCEPTED_TYPES, DOCUMENT_SORTS
from ivr_domain.shared.documents import DocumentKind

__all__ = [
    "ACCEPTED_TYPES",
    "DOCUMENT_SORTS",
    "Document",
    "DocumentKind",
    "DocumentRepository",
    "DocumentsUnitOfWork",
    "GetDocumentHandler",
    "ListDocumentsHandler",
    "UploadDocument",
    "UploadDocumentHandler",
    "may_read_documents",
    "may_write_documents",
]
