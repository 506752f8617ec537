"""`ivr db backfill-ivr-payers`: IVRs submitted before migration 0011 get their clear payer id, once."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from adapters.sqlalchemy.tables import ivrs
from entrypoints.container import Container
from ivr_domain.ivr.model import IvrStatus
from tests.cli.conftest import Invoke
from tests.contract import builders


def test_the_backfill_fills_submitted_ivrs_and_leaves_drafts(
    ivr: Invoke, migrated: None, read_back: Callable[[], Container]
) -> None:
    built = read_back()
    practice = builders.practice()
    patient = builders.patient(practice.id)
    at = builders.later()
    submitted = builders.ivr(
        practice.id,
        patient.id,
        status=IvrStatus.SUBMITTED,
        patient_snapshot=builders.patient_snapshot(patient),
        submitted_at=at,
        last_submitted_at=at,
    )
    draft = builders.ivr(practice.id, patient.id)
    with built.uow() as uow:
        uow.practices.add(practice)
        uow.patients.add(patient)
        uow.ivrs.add(submitted)
        uow.ivrs.add(draft)
        uow.commit()
    # As rows written before the column existed: no payer id in clear.
    with built.engine().begin() as db:
        db.execute(sa.update(ivrs).values(payer_id=None))

    first = ivr("db", "backfill-ivr-payers", "--batch-size", "1")
    again = ivr("db", "backfill-ivr-payers")

    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines()[0] == "read 1 submitted IVRs without a payer id, filled 1"
    assert again.stdout.splitlines()[0] == "read 0 submitted IVRs without a payer id, filled 0"
    with read_back().engine().connect() as db:
        found = {row.id: row.payer_id for row in db.execute(sa.select(ivrs.c.id, ivrs.c.payer_id))}
    assert found == {submitted.id: patient.insurances[0].payer_id, draft.id: None}


def test_the_backfill_on_the_memory_store_has_nothing_to_do(ivr: Invoke) -> None:
    result = ivr("db", "backfill-ivr-payers", env={"IVR_DATABASE_URL": "memory"})

    assert result.exit_code == 0
    assert "memory store keeps no rows" in result.stdout
