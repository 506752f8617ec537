"""Two units of work saving the same version: exactly one wins, the other gets Conflict."""

from __future__ import annotations

import threading
import time

import pytest
from attrs import evolve
from returns.result import Failure, Result, Success

from ivr_domain.patients.model import Patient
from ivr_domain.shared.actor import Scope
from ivr_domain.shared.errors import Conflict
from tests.contract import builders
from tests.contract.conftest import Backend

ALL = Scope(everything=True)


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres), "memory"], indirect=True)
def test_concurrent_saves_of_one_version_one_wins(backend: Backend) -> None:
    uow = backend.fresh()
    practice = builders.practice()
    patient = builders.patient(practice.id)
    with uow() as u:
        u.practices.add(practice)
        u.patients.add(patient)
        u.commit()
    results: dict[str, Result[Patient, Conflict]] = {}
    with uow() as first, uow() as second:
        mine = first.patients.get(patient.id, scope=ALL)
        theirs = second.patients.get(patient.id, scope=ALL)
        assert mine is not None
        assert theirs is not None
        results["first"] = first.patients.save(evolve(mine, archived=True))

        def save_second() -> None:
            # on PostgreSQL this UPDATE waits for the first transaction's row lock
            results["second"] = second.patients.save(evolve(theirs, ivr_submitted=True))
            if isinstance(results["second"], Success):
                second.commit()

        worker = threading.Thread(target=save_second)
        worker.start()
        time.sleep(0.2)
        first.commit()
        worker.join(timeout=10)
        assert not worker.is_alive()
    assert isinstance(results["first"], Success)
    assert results["second"] == Failure(Conflict(entity="patient", id=str(patient.id)))
    with uow() as u:
        stored = u.patients.get(patient.id, scope=ALL)
        assert stored is not None
        assert (stored.archived, stored.ivr_submitted, stored.version) == (True, False, 2)
