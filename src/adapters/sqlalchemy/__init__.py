"""SQLAlchemy Core persistence for SQLite and PostgreSQL: tables, repositories, unit of work, migrations."""

from adapters.sqlalchemy.engine import create_engine_for
from adapters.sqlalchemy.idempotency import SqlAlchemyIdempotencyStore
from adapters.sqlalchemy.uow import SqlAlchemyUnitOfWork

__all__ = ["SqlAlchemyIdempotencyStore", "SqlAlchemyUnitOfWork", "create_engine_for"]
