"""Print the pool drafts (`submit-drafts.txt`) that are still drafts: what the next submit-approve run may use.

.venv/bin/python -m benchmarks.drafts --database-url URL --data-dir var/bench/postgresql-ivrs > drafts.txt
"""

from __future__ import annotations

import argparse
from pathlib import Path
from uuid import UUID

from sqlalchemy import select

from adapters.sqlalchemy import create_engine_for
from adapters.sqlalchemy.tables import ivrs
from benchmarks.generate import SUBMIT_DRAFTS


def main(argv: list[str] | None = None) -> None:
    """Print, one a line and in the generated order, the pool's ids whose IVR is still a draft."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.drafts", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    pool = [UUID(line) for line in (args.data_dir / SUBMIT_DRAFTS).read_text().split()]
    engine = create_engine_for(args.database_url)
    try:
        with engine.connect() as db:
            drafts = set(db.execute(select(ivrs.c.id).where(ivrs.c.status == "draft")).scalars())
    finally:
        engine.dispose()
    print("\n".join(str(ivr_id) for ivr_id in pool if ivr_id in drafts))


if __name__ == "__main__":
    main()
