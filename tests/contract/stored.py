"""What a database holds, read raw: for tests that look for plaintext where only ciphertext may be."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa

from adapters.sqlalchemy.tables import metadata


def stored_values(engine: sa.Engine) -> Iterator[tuple[str, str, bytes]]:
    """Yield (table, column, bytes) for every non-null value of every table."""
    with engine.connect() as db:
        for table in metadata.sorted_tables:
            for row in db.execute(sa.select(table)):
                for column, value in row._mapping.items():
                    if value is not None:
                        raw = bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
                        yield table.name, column, raw
