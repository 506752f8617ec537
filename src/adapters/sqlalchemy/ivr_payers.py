"""The one-off fill of `ivrs.payer_id` for IVRs submitted before the column existed (migration 0011).

The payer id lives in the encrypted patient snapshot, which SQL cannot read: each row is opened through the
platform's own codec and cipher, outside the migration (which has no keys). Batches of short transactions
walk the rows by id, so the work resumes where it stopped and the platform keeps serving meanwhile; the
version is compared, so an IVR saved concurrently (which wrote its own, newer payer id) is left as it is.
"""

from __future__ import annotations

from uuid import UUID

from attrs import frozen
from sqlalchemy import Engine, Integer, Uuid, bindparam, func, select, update

from adapters.sqlalchemy.repositories.ivr_rows import IvrCodec
from adapters.sqlalchemy.tables import ivrs
from ivr_domain.shared.ports import FieldCipher

_WITHOUT_PAYER = (ivrs.c.payer_id.is_(None), ivrs.c.last_submitted_at.is_not(None))
_PENDING = (
    select(ivrs)
    .where(*_WITHOUT_PAYER, ivrs.c.id > bindparam("after", type_=Uuid))
    .order_by(ivrs.c.id)
    .limit(bindparam("limit", type_=Integer))
)
_FILL = (
    update(ivrs)
    .where(ivrs.c.id == bindparam("match_id"), ivrs.c.version == bindparam("match_version"))
    .values(payer_id=bindparam("payer"))
)
_COUNT = select(func.count()).select_from(ivrs).where(*_WITHOUT_PAYER)


@frozen(kw_only=True)
class PayerBackfill:
    """What one fill did: rows read, and rows given a payer id (the rest have no primary payer id, or were saved)."""

    examined: int
    filled: int


class SqlAlchemyPayerBackfill:
    """Fills `ivrs.payer_id` from the decrypted snapshot of IVRs submitted before the column existed."""

    def __init__(self, engine: Engine, *, cipher: FieldCipher) -> None:
        """Work on this database with the platform's cipher (which knows every key still in use)."""
        self._engine = engine
        self._codec = IvrCodec(cipher)

    def remaining(self) -> int:
        """Count submitted IVRs without a payer id (some have none to give: no primary payer id)."""
        with self._engine.connect() as db:
            return int(db.execute(_COUNT).scalar_one())

    def run(self, *, batch_size: int = 500) -> PayerBackfill:
        """Walk every submitted IVR without a payer id once, filling it where the snapshot names one."""
        after = UUID(int=0)
        examined = filled = 0
        while True:
            with self._engine.begin() as db:
                rows = db.execute(_PENDING, {"after": after, "limit": batch_size}).mappings().all()
                for row in rows:
                    # The core says which payer an IVR has (`Ivr.payer_id`), from its decrypted snapshot.
                    payer = self._codec.ivr(row).payer_id
                    if payer is not None:
                        values = {"match_id": row["id"], "match_version": row["version"], "payer": payer}
                        filled += db.execute(_FILL, values).rowcount
            examined += len(rows)
            if len(rows) < batch_size:
                return PayerBackfill(examined=examined, filled=filled)
            after = rows[-1]["id"]
