"""Bulk approval end to end over HTTP on SQLite and PostgreSQL: one request mixing good and refused items."""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa

from adapters.sqlalchemy.tables import audit_log, ivr_history, outbox
from ivr_domain.shared.actor import Role
from tests.e2e.conftest import API, E2E, Headers, deliver
from tests.e2e.test_ivr_workflow import act, kinds, moved
from tests.http import coverage_body, ivr_body

IVRS = f"{API}/ivrs"
BULK = f"{IVRS}/bulk-approve"


def _ivr(e2e: E2E, doctor: Headers, patient_id: str, *, reviewer: Headers | None, submit: bool = True) -> Any:
    """Create an IVR; submit it; take it into review by `reviewer` when given."""
    created = e2e.client.post(IVRS, json=ivr_body(patient_id), headers=doctor)
    assert created.status_code == 201, created.text
    ivr = created.json()
    if submit:
        ivr = moved(act(e2e, doctor, ivr, "submit"), "submitted")
    if reviewer is not None:
        ivr = moved(act(e2e, reviewer, ivr, "start-review"), "in_review")
    return ivr


def _rows(e2e: E2E, ivr_id: str) -> tuple[int, int, list[tuple[str, str]]]:
    """Return an IVR's history rows, its events in the outbox, and its audit records (action, outcome)."""
    with e2e.engine.connect() as db:
        history = db.execute(
            sa.select(sa.func.count()).select_from(ivr_history).where(ivr_history.c.ivr_id == UUID(ivr_id))
        ).scalar_one()
        events = [row for row in db.execute(sa.select(outbox.c.payload)).scalars() if row.get("ivr_id") == ivr_id]
        audit = db.execute(
            sa.select(audit_log.c.action, audit_log.c.outcome)
            .where(audit_log.c.resource_id == ivr_id)
            .order_by(audit_log.c.seq)
        ).all()
    return history, len(events), [(action, outcome) for action, outcome in audit]


def _audit_intact(e2e: E2E) -> None:
    verifier = e2e.container.audit_verifier()
    deadline = time.monotonic() + 10  # PostgreSQL's safe horizon waits for any transaction still open
    while True:
        e2e.container.audit_sealer().seal_all()
        verdict = verifier.verify()
        if verdict.unsealed == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert verdict.intact, verdict.problems
    assert verdict.unsealed == 0


def test_one_request_approves_the_good_items_and_refuses_each_other_one_alone(e2e: E2E) -> None:
    e2e.create_user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    e2e.create_user("staff@example.org", Role.IVR_STAFF)
    e2e.create_user("staff2@example.org", Role.IVR_STAFF)
    doctor, staff = e2e.login("doc@example.org"), e2e.login("staff@example.org")
    other = e2e.login("staff2@example.org")
    patient_id = e2e.create_patient(doctor)["id"]
    good = [_ivr(e2e, doctor, patient_id, reviewer=staff) for _ in range(2)]
    stale = _ivr(e2e, doctor, patient_id, reviewer=staff)
    draft = _ivr(e2e, doctor, patient_id, reviewer=None, submit=False)
    invalid = _ivr(e2e, doctor, patient_id, reviewer=staff)
    waiting = _ivr(e2e, doctor, patient_id, reviewer=None)
    theirs = _ivr(e2e, doctor, patient_id, reviewer=other)
    deliver(e2e)
    ivrs = [good[0], stale, draft, invalid, waiting, theirs, good[1]]
    before = {ivr["id"]: _rows(e2e, ivr["id"]) for ivr in ivrs}

    def item(ivr: dict[str, Any], **overrides: Any) -> dict[str, Any]:
        return {"ivr_id": ivr["id"], "version": ivr["version"], "coverages": [coverage_body()], **overrides}

    items = [
        item(good[0]),
        item(stale, version=stale["version"] - 1),
        item(draft),
        item(invalid, coverages=[coverage_body(outcome="not_covered")]),
        item(waiting),
        item(theirs),
        {"ivr_id": good[1]["id"], "coverages": [coverage_body()]},  # no version: no If-Match check
        {"ivr_id": str(uuid4()), "coverages": [coverage_body()]},
    ]

    response = e2e.client.post(BULK, json={"items": items}, headers=staff)

    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["succeeded"], answer["failed"]) == (2, 6)
    results = answer["results"]
    assert [r["id"] for r in results] == [i["ivr_id"] for i in items]
    statuses = [None if r["ok"] else r["problem"]["status"] for r in results]
    assert statuses == [None, 412, 404, 422, 409, 403, None, 404]
    assert results[2]["problem"]["type"] == "/docs/problems/not_found"
    assert all(e["field"].startswith("items[3].coverages[0]") for e in results[3]["problem"]["errors"])
    assert results[4]["problem"]["state"] == "submitted"
    assert results[1]["problem"]["current_version"] == stale["version"]

    for ivr, result in zip(ivrs, results, strict=False):
        history, events, audit = _rows(e2e, ivr["id"])
        was_history, was_events, was_audit = before[ivr["id"]]
        shown = e2e.client.get(f"{IVRS}/{ivr['id']}", headers=staff if ivr is not draft else doctor).json()
        if result["ok"]:
            assert (history, events) == (was_history + 1, was_events + 1)
            assert audit == [*was_audit, ("ivrs.approve", "success")]
            assert (shown["status"], shown["version"]) == ("approved", result["version"])
        else:
            assert (history, events) == (was_history, was_events)
            assert audit[: len(was_audit)] == was_audit
            assert [action for action, _ in audit[len(was_audit) :]] == ["ivrs.approve"]
            assert audit[-1][1] != "success"
            assert shown["version"] == ivr["version"]

    deliver(e2e)
    for ivr in good:
        assert "ivr_approved" in kinds(e2e, doctor, ivr["id"])
    for ivr in (stale, invalid, waiting, theirs):
        assert "ivr_approved" not in kinds(e2e, doctor, ivr["id"])
    _audit_intact(e2e)


def test_a_repeated_ivr_refuses_the_whole_request_and_changes_nothing(e2e: E2E) -> None:
    e2e.create_user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    e2e.create_user("staff@example.org", Role.IVR_STAFF)
    doctor, staff = e2e.login("doc@example.org"), e2e.login("staff@example.org")
    ivr = _ivr(e2e, doctor, e2e.create_patient(doctor)["id"], reviewer=staff)
    counted = e2e.count_rows()
    item = {"ivr_id": ivr["id"], "coverages": [coverage_body()]}

    response = e2e.client.post(BULK, json={"items": [item, item]}, headers=staff)

    assert response.status_code == 422, response.text
    assert {e["field"] for e in response.json()["errors"]} == {"items[0].ivr_id", "items[1].ivr_id"}
    assert e2e.count_rows() == counted
    assert e2e.client.get(f"{IVRS}/{ivr['id']}", headers=staff).json()["status"] == "in_review"
