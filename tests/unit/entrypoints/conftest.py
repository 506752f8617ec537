"""Fixtures for the HTTP edge: the real app over the memory profile, and logged-in clients."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from entrypoints.http.app import create_app
from ivr_domain.identity.model import User
from ivr_domain.shared.actor import Role
from tests.http import assert_problem, patient_body  # noqa: F401 -- re-exported to the suite's tests
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
