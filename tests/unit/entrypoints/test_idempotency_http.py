"""Idempotency-Key on creates: replay, mismatch and in-progress answers."""

from __future__ import annotations

from ivr_domain.identity.model import User
from ivr_domain.shared.ports import ClaimState
from tests.platform import Platform
from tests.unit.entrypoints.conftest import Client, assert_problem, patient_body

PATIENTS = "/api/v1/patients"


def test_the_same_key_and_body_replay_the_first_answer(client: Client, doctor_auth: dict[str, str]) -> None:
    headers = {**doctor_auth, "Idempotency-Key": "create-ada-1"}
    first = client.post(PATIENTS, json=patient_body(), headers=headers)
    again = client.post(PATIENTS, json=patient_body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["cache-control"] == "no-store"
    assert len(client.get(PATIENTS, headers=doctor_auth).json()["items"]) == 1


def _last_audit(platform: Platform) -> tuple[str, str, str]:
    store = platform.container.memory_store()
    entry = store.audit.rows[-1].entry
    return entry.action, entry.outcome.value, entry.reason


def test_the_same_key_with_another_body_is_422_and_audited(
    client: Client, platform: Platform, doctor_auth: dict[str, str]
) -> None:
    headers = {**doctor_auth, "Idempotency-Key": "k-2"}
    assert client.post(PATIENTS, json=patient_body(), headers=headers).status_code == 201
    assert_problem(client.post(PATIENTS, json=patient_body(first_name="Bea"), headers=headers), 422)
    assert _last_audit(platform) == ("patients.create", "invalid", "idempotency_key_reused")


def test_a_key_still_running_is_409(
    client: Client, platform: Platform, doctor: User, doctor_auth: dict[str, str]
) -> None:
    import hashlib
    import json

    body = json.dumps(patient_body()).encode()
    digest = hashlib.sha256(b"POST\n" + PATIENTS.encode() + b"\n" + body).hexdigest()
    claim = platform.container.idempotency().claim(
        user_id=doctor.id, key="k-3", request_hash=digest, now=platform.clock.now(), ttl_seconds=3600
    )
    assert claim.state is ClaimState.NEW
    headers = {**doctor_auth, "Idempotency-Key": "k-3", "content-type": "application/json"}
    assert_problem(client.post(PATIENTS, content=body, headers=headers), 409)
    assert _last_audit(platform) == ("patients.create", "invalid", "idempotency_in_progress")


def test_keys_are_per_user_and_failures_are_replayed_too(
    client: Client, doctor_auth: dict[str, str], admin_auth: dict[str, str]
) -> None:
    bad = patient_body(date_of_birth="2999-01-01")
    first = client.post(PATIENTS, json=bad, headers={**doctor_auth, "Idempotency-Key": "k-4"})
    second = client.post(PATIENTS, json=bad, headers={**doctor_auth, "Idempotency-Key": "k-4"})
    assert first.status_code == second.status_code == 422
    other = client.post(PATIENTS, json=bad, headers={**admin_auth, "Idempotency-Key": "k-4"})
    assert other.status_code == 422
    assert other.json()["correlation_id"] != first.json()["correlation_id"]
