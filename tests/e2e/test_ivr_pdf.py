"""The printable IVR end to end over HTTP on SQLite and PostgreSQL: the PDF's text, its headers, who may print."""

from __future__ import annotations

from ivr_domain.shared.actor import Role
from tests.e2e.conftest import API, E2E
from tests.e2e.test_ivr_workflow import act, moved
from tests.http import assert_problem, coverage_body, ivr_body
from tests.unit.pdf.reading import pdf_text

IVRS = f"{API}/ivrs"
AUDIT = f"{API}/admin/audit-logs"


def test_an_approved_ivr_prints_with_its_coverage_and_the_sales_chain_may_not_print_it(e2e: E2E) -> None:
    doctor_id = e2e.create_user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    e2e.create_user("other@example.org", Role.DOCTOR, practice="Shelbyville Clinic")
    e2e.create_user("staff@example.org", Role.IVR_STAFF)
    sales_id = e2e.create_user("sales@example.org", Role.SALESPERSON)
    e2e.assign(sales_id, doctor_id)
    doctor, staff = e2e.login("doc@example.org"), e2e.login("staff@example.org")
    sales, other = e2e.login("sales@example.org"), e2e.login("other@example.org")
    patient = e2e.create_patient(doctor, first_name="Zoë", last_name="Łukasiewicz-Ωμέγα")["id"]
    created = e2e.client.post(IVRS, json=ivr_body(patient, notes="Failed 6 weeks of standard care. ✓"), headers=doctor)
    assert created.status_code == 201, created.text
    ivr = created.json()

    draft = e2e.client.get(f"{IVRS}/{ivr['id']}/pdf", headers=doctor)
    assert draft.status_code == 200, draft.text
    draft_text = pdf_text(draft.content)
    assert "Status draft" in draft_text
    assert "Coverage" not in draft_text

    ivr = moved(act(e2e, doctor, ivr, "submit"), "submitted")
    ivr = moved(act(e2e, staff, ivr, "start-review"), "in_review")
    coverage = coverage_body(prior_auth_required=True, prior_auth_number="PA-778812", copay="15.00")
    ivr = moved(act(e2e, staff, ivr, "approve", {"coverages": [coverage]}), "approved")

    response = e2e.client.get(f"{IVRS}/{ivr['id']}/pdf", headers=doctor)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'attachment; filename="{ivr["reference"]}.pdf"'
    assert (response.headers["cache-control"], response.headers["vary"]) == ("no-store", "Authorization")
    assert response.headers["etag"] == f'"{ivr["version"]}"'
    text = pdf_text(response.content)
    for expected in (
        ivr["reference"],
        "Status approved",
        "Name Springfield Wound Clinic",  # the practice
        "Name Jane Doe NPI 1234567893",  # the physician
        "NPI 1558598797",  # the facility
        "Name Łukasiewicz-Ωμέγα, Zoë",  # the patient as snapshotted at submit, in DejaVu Sans
        "Member id 1EG4TE5MK73",
        "Site left heel",
        "E11.621 primary L97.422 secondary",
        "Application CPT 15275",
        "Q4186 size 4x4 cm, quantity 4",
        "Failed 6 weeks of standard care. ✓",
        "Signed by Jane Doe",
        "Prior auth number PA-778812",
        "Copay 15.00",
        f"Valid until {coverage['valid_until']}",
    ):
        assert expected in text, (expected, text)

    masked = e2e.client.get(f"{IVRS}/{ivr['id']}/pdf", headers=sales)
    assert "Zo" not in assert_problem(masked, 403)["detail"]
    assert_problem(e2e.client.get(f"{IVRS}/{ivr['id']}/pdf", headers=other), 404)
    assert_problem(e2e.client.get(f"{IVRS}/{ivr['id']}/pdf"), 401)

    trail = e2e.client.get(AUDIT, params={"action": "ivrs.print", "limit": "200"}, headers=e2e.admin_auth)
    assert trail.status_code == 200, trail.text
    outcomes = sorted(entry["outcome"] for entry in trail.json()["items"])
    assert outcomes == ["denied", "denied", "success", "success"]
    assert all(patient in entry["patient_ids"] for entry in trail.json()["items"] if entry["outcome"] == "success")
