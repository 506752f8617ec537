"""A first submit's snapshot is the patient as committed when it marks them: an edit just before it is in it."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.sqlalchemy.repositories.ivr_people import SqlAlchemyIvrPatients
from entrypoints.http.decoding import CONVERTER
from entrypoints.http.schemas.patients import UpdatePatientBody, patient_input
from ivr_domain.patients.use_cases import UpdatePatient
from ivr_domain.shared.actor import Role
from ivr_domain.shared.ids import PatientId
from tests.e2e.conftest import API, E2E
from tests.http import ivr_body, patient_body


def test_an_edit_committed_while_a_first_submit_runs_is_in_its_snapshot(
    e2e: E2E, monkeypatch: pytest.MonkeyPatch
) -> None:
    e2e.create_user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    doctor = e2e.login("doc@example.org")
    actor = e2e.container.authenticate()(doctor["Authorization"].removeprefix("Bearer ")).unwrap()
    patient = e2e.create_patient(doctor)
    ivr = e2e.client.post(f"{API}/ivrs", json=ivr_body(patient["id"]), headers=doctor).json()
    real = SqlAlchemyIvrPatients.mark_submitted

    def edited_first(self: SqlAlchemyIvrPatients, patient_id: PatientId) -> Any:
        # Another request renames the patient and commits just as the submit reaches the patient.
        monkeypatch.setattr(SqlAlchemyIvrPatients, "mark_submitted", real)
        body = CONVERTER.structure(patient_body(last_name="Renamed"), UpdatePatientBody)
        cmd = UpdatePatient(patient_id=patient_id, patient=patient_input(body))
        e2e.container.update_patient()(actor, cmd).unwrap()
        return real(self, patient_id)

    monkeypatch.setattr(SqlAlchemyIvrPatients, "mark_submitted", edited_first)
    submitted = e2e.client.post(f"{API}/ivrs/{ivr['id']}/submit", json={}, headers=doctor)

    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["patient_snapshot"]["last_name"] == "Renamed"
