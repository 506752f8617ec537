"""The per-process session cache never outlives a change to the account it caches: deactivation, permissions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from litestar.testing import TestClient

from entrypoints.http.app import create_app
from ivr_domain.shared.actor import Role
from tests.platform import Platform, memory_platform
from tests.unit.entrypoints.conftest import Client, assert_problem, login, patient_body

ME = "/api/v1/auth/me"
USERS = "/api/v1/users"


@pytest.fixture
def cached(tmp_path: Path) -> Platform:
    """A platform whose processes trust a session for a minute without looking it up."""
    return memory_platform(
        tmp_path, now=datetime(2026, 11, 25, 9, 0, tzinfo=UTC), env={"IVR_SESSION_CACHE_SECONDS": "60"}
    )


@pytest.fixture
def cached_client(cached: Platform) -> Iterator[Client]:
    """A client of the app over that platform, with an administrator."""
    cached.user("admin@example.org", Role.ADMIN)
    with TestClient(create_app(cached.container)) as client:
        yield client


def test_deactivation_ends_a_cached_session_at_once(cached: Platform, cached_client: Client) -> None:
    sam = cached.user("sam@example.org", Role.SALESPERSON)
    admin_auth = login(cached_client, "admin@example.org")
    sam_auth = login(cached_client, "sam@example.org")
    assert cached_client.get(ME, headers=sam_auth).status_code == 200  # now in the cache
    assert cached_client.delete(f"{USERS}/{sam.id}", headers=admin_auth).status_code == 200
    assert_problem(cached_client.get(ME, headers=sam_auth), 401)
    assert cached_client.get(ME, headers=admin_auth).status_code == 200


def test_changed_permissions_apply_at_once_to_a_cached_session(cached: Platform, cached_client: Client) -> None:
    doctor = cached.user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    admin_auth = login(cached_client, "admin@example.org")
    doctor_auth = login(cached_client, "doc@example.org")
    assert "patients.write" in cached_client.get(ME, headers=doctor_auth).json()["permissions"]
    revoked = {"revocations": ["patients.write"]}
    assert cached_client.put(f"{USERS}/{doctor.id}/permissions", json=revoked, headers=admin_auth).status_code == 200
    assert_problem(cached_client.post("/api/v1/patients", json=patient_body(), headers=doctor_auth), 403)
    assert "patients.write" not in cached_client.get(ME, headers=doctor_auth).json()["permissions"]


def test_a_hierarchy_change_reaches_cached_sessions_at_once(cached: Platform, cached_client: Client) -> None:
    doctor = cached.user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    sam = cached.user("sam@example.org", Role.SALESPERSON)
    admin_auth = login(cached_client, "admin@example.org")
    doctor_auth = login(cached_client, "doc@example.org")
    sam_auth = login(cached_client, "sam@example.org")
    created = cached_client.post("/api/v1/patients", json=patient_body(), headers=doctor_auth)
    assert created.status_code == 201, created.text
    assert cached_client.get("/api/v1/patients", headers=sam_auth).json()["items"] == []  # cached, no reach yet

    assigned = cached_client.post(
        f"{USERS}/{sam.id}/assignments", json={"member_user_id": str(doctor.id)}, headers=admin_auth
    )
    assert assigned.status_code == 201, assigned.text

    reached = cached_client.get("/api/v1/patients", headers=sam_auth).json()["items"]
    assert [p["id"] for p in reached] == [created.json()["id"]]
