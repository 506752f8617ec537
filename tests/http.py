"""What the HTTP suites share: API.md's example patient body and the check of a problem answer's shape."""

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
