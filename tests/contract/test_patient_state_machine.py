"""The patient repository behaves like a dict of versioned patients, step after random step."""

from __future__ import annotations

import pytest
from attrs import evolve
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from returns.result import Failure, Success

from ivr_domain.patients.model import Patient, Sex
from ivr_domain.patients.ports import PatientFilter
from ivr_domain.shared.actor import Scope
from ivr_domain.shared.errors import Conflict
from ivr_domain.shared.ids import PatientId
from ivr_domain.shared.paging import PageRequest
from tests.contract import builders
from tests.contract.conftest import Backend

ALL = Scope(everything=True)


def _machine(backend: Backend) -> type[RuleBasedStateMachine]:
    class PatientStore(RuleBasedStateMachine):
        ids = Bundle("ids")

        def __init__(self) -> None:
            super().__init__()
            self.uow = backend.fresh()
            self.practice = builders.practice()
            with self.uow() as u:
                u.practices.add(self.practice)
                u.commit()
            self.model: dict[PatientId, Patient] = {}

        @rule(target=ids, sex=st.sampled_from(Sex))
        def add(self, sex: Sex) -> PatientId:
            patient = builders.patient(self.practice.id, sex=sex)
            with self.uow() as u:
                u.patients.add(patient)
                u.commit()
            self.model[patient.id] = patient
            return patient.id

        @rule(patient_id=ids, submitted=st.booleans())
        def save_fresh(self, patient_id: PatientId, submitted: bool) -> None:
            changed = evolve(self.model[patient_id], ivr_submitted=submitted, updated_at=builders.later())
            with self.uow() as u:
                result = u.patients.save(changed)
                u.commit()
            assert result == Success(evolve(changed, version=changed.version + 1))
            self.model[patient_id] = evolve(changed, version=changed.version + 1)

        @rule(patient_id=ids, offset=st.sampled_from([-2, -1, 1, 5]))
        def save_stale(self, patient_id: PatientId, offset: int) -> None:
            stale = evolve(self.model[patient_id], version=self.model[patient_id].version + offset, archived=True)
            with self.uow() as u:
                assert u.patients.save(stale) == Failure(Conflict(entity="patient", id=str(patient_id)))
                u.commit()

        @rule(patient_id=ids)
        def archive(self, patient_id: PatientId) -> None:
            current = self.model[patient_id]
            with self.uow() as u:
                result = u.patients.save(evolve(current, archived=True))
                u.commit()
            assert isinstance(result, Success)
            self.model[patient_id] = result.unwrap()

        @rule(patient_id=ids)
        def get(self, patient_id: PatientId) -> None:
            with self.uow() as u:
                assert u.patients.get(patient_id, scope=ALL) == self.model[patient_id]

        @invariant()
        def unarchived_are_listed(self) -> None:
            with self.uow() as u:
                page = u.patients.list(scope=ALL, filters=PatientFilter(), page=PageRequest(limit=200))
            assert {p.id for p in page.items} == {p.id for p in self.model.values() if not p.archived}

    return PatientStore


@pytest.mark.parametrize("backend", ["memory", "sqlite"], indirect=True)
def test_patient_repository_matches_a_dict_model(backend: Backend) -> None:
    run_state_machine_as_test(
        _machine(backend),
        settings=settings(
            max_examples=15, stateful_step_count=12, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
