"""Row counts of a benchmark database, as one JSON object: `python -m benchmarks.inspect_db --database-url URL`.

benchmarks/run reads it to tell whether generated data is present, and whether requests wrote audit entries.
Exits 1 when the database cannot be read (absent, or not migrated).
"""

from __future__ import annotations

import argparse
import json
import sys

from sqlalchemy import func, select

from adapters.sqlalchemy import create_engine_for
from adapters.sqlalchemy.tables import audit_log, audit_log_patients, patient_insurances, patients, users

TABLES = {
    "patients": patients,
    "patient_insurances": patient_insurances,
    "users": users,
    "audit_log": audit_log,
    "audit_log_patients": audit_log_patients,
}


def counts(url: str) -> dict[str, int]:
    """Return the number of rows of each table the benchmarks look at."""
    engine = create_engine_for(url)
    try:
        with engine.connect() as connection:
            return {
                name: connection.execute(select(func.count()).select_from(t)).scalar_one() for name, t in TABLES.items()
            }
    finally:
        engine.dispose()


def main() -> None:
    """Print the counts, or exit 1 when the database cannot be read."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.inspect_db")
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    try:
        found = counts(args.database_url)
    except Exception as exc:  # absent database, missing tables: the caller regenerates
        print(json.dumps({"error": type(exc).__name__}))
        sys.exit(1)
    print(json.dumps(found))


if __name__ == "__main__":
    main()
