"""Fixtures for the HTTP edge: the real app over the memory profile, and logged-in clients."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from entrypoints.http.app import create_app
from ivr_domain.identity.model import User
from ivr_domain.shared.actor import Role
from tests.platform import PASSWORD, Platform

Client = TestClient[Litestar]


@pytest.fixture
def app(platform: Platform) -> Litestar:
    """The HTTP application over the test platform's container."""
    return create_app(platform.container)


@pytest.fixture
def client(app: Litestar) -> Iterator[Client]:
    """An anonymous test client."""
    with TestClient(app) as test_client:
        yield test_client


def login(client: Client, email: str, password: str = PASSWORD) -> dict[str, str]:
    """Log in over HTTP and return the Authorization header of the session."""
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def admin(platform: Platform) -> User:
    """An administrator."""
    return platform.user("admin@example.org", Role.ADMIN, name="Ada Admin")


@pytest.fixture
def admin_auth(client: Client, admin: User) -> dict[str, str]:
    """The administrator's Authorization header."""
    return login(client, admin.email.value)


@pytest.fixture
def doctor(platform: Platform) -> User:
    """A doctor of the Springfield practice."""
    return platform.user("doctor@example.org", Role.DOCTOR, practice="Springfield Wound Clinic", name="Doc Tor")


@pytest.fixture
def doctor_auth(client: Client, doctor: User) -> dict[str, str]:
    """The doctor's Authorization header."""
    return login(client, doctor.email.value)


def patient_body(**overrides: Any) -> dict[str, Any]:
    """Return API.md's example patient, with overrides."""
    body: dict[str, Any] = {
        "first_name": "Ada",
        "last_name": "Sample",
        "date_of_birth": "1950-03-14",
        "sex": "female",
        "phone": "+1 217 555 0142",
        "email": "ada@example.org",
        "address": {
            "line1": "1 Main St",
            "line2": None,
            "city": "Springfield",
            "state": "IL",
            "postal_code": "62704",
        },
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
