"""In-memory unit of work, repositories and stores, for tests, demos and embedding."""

from adapters.memory.anchors import InMemoryAnchorLog
from adapters.memory.document_store import InMemoryDocumentStore
from adapters.memory.idempotency import InMemoryIdempotencyStore
from adapters.memory.store import InMemoryStore
from adapters.memory.uow import InMemoryUnitOfWork

__all__ = [
    "InMemoryAnchorLog",
    "InMemoryDocumentStore",
    "InMemoryIdempotencyStore",
    "InMemoryStore",
    "InMemoryUnitOfWork",
]
