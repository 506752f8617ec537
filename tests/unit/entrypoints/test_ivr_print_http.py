"""The printable IVR over HTTP: a PDF attachment with the no-store headers and ETag, and API.md's refusals."""

from __future__ import annotations

from typing import Any

import pytest

from ivr_domain.identity.model import User
from ivr_domain.shared.actor import Role
from ivr_domain.shared.audit import Outcome
from tests.http import assert_problem, ivr_body, patient_body
from tests.platform import Platform
from tests.unit.entrypoints.conftest import Client, login
from tests.unit.pdf.reading import pdf_text

IVRS = "/api/v1/ivrs"
Auth = dict[str, str]


@pytest.fixture
def ivr(client: Client, doctor_auth: Auth) -> dict[str, Any]:
    """A submitted IVR of the doctor's practice."""
    patient = client.post("/api/v1/patients", json=patient_body(), headers=doctor_auth)
    assert patient.status_code == 201, patient.text
    created = client.post(IVRS, json=ivr_body(patient.json()["id"]), headers=doctor_auth)
    assert created.status_code == 201, created.text
    submitted = client.post(f"{IVRS}/{created.json()['id']}/submit", json={}, headers=doctor_auth)
    assert submitted.status_code == 200, submitted.text
    return dict(submitted.json())


def test_the_pdf_is_an_attachment_named_by_reference_never_cached_and_tagged_with_the_version(
    client: Client, platform: Platform, doctor_auth: Auth, ivr: dict[str, Any]
) -> None:
    response = client.get(f"{IVRS}/{ivr['id']}/pdf", headers=doctor_auth)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'attachment; filename="{ivr["reference"]}.pdf"'
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["vary"] == "Authorization"
    assert response.headers["etag"] == f'"{ivr["version"]}"'
    assert response.headers["x-content-type-options"] == "nosniff"
    text = pdf_text(response.content)
    assert ivr["reference"] in text
    assert "Status submitted" in text
    assert "Name Sample, Ada" in text
    last = platform.audit()[0]
    assert (last.action, last.outcome, last.resource_id) == ("ivrs.print", Outcome.SUCCESS, ivr["id"])
    assert [str(p) for p in last.patient_ids] == [ivr["patient_id"]]


def test_the_masked_sales_view_is_403_and_the_refusal_is_audited(
    client: Client, platform: Platform, doctor: User, ivr: dict[str, Any]
) -> None:
    sales = platform.user("sales@example.org", Role.SALESPERSON)
    platform.assign(sales, doctor)
    auth = login(client, "sales@example.org")
    assert client.get(f"{IVRS}/{ivr['id']}", headers=auth).status_code == 200  # it sees the IVR, masked

    response = client.get(f"{IVRS}/{ivr['id']}/pdf", headers=auth)

    problem = assert_problem(response, 403)
    assert "Sample" not in response.text
    assert problem["status"] == 403
    last = platform.audit()[0]
    assert (last.action, last.outcome) == ("ivrs.print", Outcome.DENIED)
    assert [str(p) for p in last.patient_ids] == [ivr["patient_id"]]


def test_another_practice_gets_404_and_verification_staff_may_print_a_submitted_ivr(
    client: Client, platform: Platform, ivr: dict[str, Any]
) -> None:
    platform.user("other@example.org", Role.DOCTOR, practice="Shelbyville Foot Care")
    platform.user("staff@example.org", Role.IVR_STAFF)

    assert_problem(client.get(f"{IVRS}/{ivr['id']}/pdf", headers=login(client, "other@example.org")), 404)
    staff = client.get(f"{IVRS}/{ivr['id']}/pdf", headers=login(client, "staff@example.org"))
    assert staff.status_code == 200, staff.text


def test_without_a_token_401_and_a_bad_id_400_or_404(client: Client, doctor_auth: Auth, ivr: dict[str, Any]) -> None:
    assert_problem(client.get(f"{IVRS}/{ivr['id']}/pdf"), 401)
    assert_problem(client.get(f"{IVRS}/not-a-uuid/pdf", headers=doctor_auth), 400)
    assert_problem(client.get(f"{IVRS}/00000000-0000-7000-8000-000000000000/pdf", headers=doctor_auth), 404)


def test_the_schema_publishes_the_pdf_answer(client: Client) -> None:
    operation = client.get("/schema/openapi.json").json()["paths"]["/api/v1/ivrs/{ivr_id}/pdf"]["get"]

    assert set(operation["responses"]["200"]["content"]) == {"application/pdf"}
    assert {"401", "403", "404"} <= set(operation["responses"])
