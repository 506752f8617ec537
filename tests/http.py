"""What the HTTP suites share: API.md's example bodies and the check of a problem answer's shape."""

from __future__ import annotations

from typing import Any


def patient_body(**overrides: Any) -> dict[str, Any]:
    """Return API.md's example patient, with overrides."""
    body: dict[str, Any] = {
        "first_name": "Ada",
        "last_name": "Sample",
        "date_of_birth": "1950-03-14",
        "sex": "female",
        "phone": "+1 217 555 0142",
        "email": "ada@example.org",
        "address": {"line1": "1 Main St", "line2": None, "city": "Springfield", "state": "IL", "postal_code": "62704"},
        "insurances": [
            {
                "rank": "primary",
                "payer_name": "Medicare Part B",
                "payer_id": "00952",
                "member_id": "1EG4TE5MK73",
                "group_number": None,
                "plan_type": "medicare",
                "subscriber_relationship": "self",
            }
        ],
    }
    body.update(overrides)
    return body


def ivr_body(patient_id: str, **overrides: Any) -> dict[str, Any]:
    """Return API.md's example IVR, signed, so that it can be submitted while the test clock is in late 2026."""
    body: dict[str, Any] = {
        "patient_id": patient_id,
        "request_type": "new",
        "priority": "routine",
        "insurance_ranks": ["primary"],
        "physician": {
            "name": "Jane Doe",
            "npi": "1234567893",
            "specialty": "podiatry",
            "tin": "12-3456789",
            "ptan": None,
        },
        "facility": {
            "name": "Springfield Wound Clinic",
            "npi": "1558598797",
            "tin": "12-3456789",
            "place_of_service": "11",
            "address": {
                "line1": "2 Oak Ave",
                "line2": None,
                "city": "Springfield",
                "state": "IL",
                "postal_code": "62704",
            },
            "in_snf": False,
            "hospice": False,
            "part_a_stay": False,
        },
        "wounds": [
            {
                "type": "diabetic_foot_ulcer",
                "location_category": "face_hands_feet",
                "site": "left heel",
                "laterality": "left",
                "length_cm": "4.0",
                "width_cm": "3.0",
                "depth_cm": "0.5",
                "duration_weeks": 6,
                "prior_therapies": ["offloading", "moist dressings"],
            }
        ],
        "diagnosis_codes": [{"code": "E11.621", "primary": True}, {"code": "L97.422", "primary": False}],
        "application_cpt_codes": ["15275"],
        "anticipated_first_service_date": "2026-12-15",
        "planned_applications": 4,
        "products": [{"hcpcs_code": "Q4186", "size": "4x4 cm", "quantity": 4}],
        "signature": {"signer_name": "Jane Doe", "signed_at": "2026-11-20T14:00:00Z"},
        "notes": "Failed 6 weeks of standard care.",
    }
    body.update(overrides)
    return body


def coverage_body(**overrides: Any) -> dict[str, Any]:
    """Return API.md's example coverage result, with every field an approval takes."""
    body: dict[str, Any] = {
        "insurance_rank": "primary",
        "active": True,
        "plan_name": "Medicare Part B",
        "plan_type": "medicare",
        "effective_date": "2026-01-01",
        "end_date": None,
        "network_status": "in_network",
        "outcome": "covered",
        "deductible_total": "257.00",
        "deductible_remaining": "0.00",
        "out_of_pocket_max": None,
        "out_of_pocket_remaining": None,
        "coinsurance_percent": "20",
        "copay": "0.00",
        "prior_auth_required": False,
        "prior_auth_number": None,
        "approved_units": 4,
        "approved_from": "2026-12-01",
        "approved_to": "2027-02-28",
        "verification_method": "portal",
        "call_reference": "REF123",
        "payer_representative": None,
        "valid_until": "2027-03-31",
    }
    body.update(overrides)
    return body


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """Check the RFC 9457 shape of a problem answer and return its document."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail", "instance", "correlation_id"} <= problem.keys()
    assert problem["status"] == status
    assert problem["instance"] == response.request.url.path
    assert problem["correlation_id"] == response.headers["x-correlation-id"]
    return problem
