"""The IVR workflow end to end over HTTP, on SQLite (in-process events) and PostgreSQL (procrastinate jobs)."""

from __future__ import annotations

import time
from typing import Any

from ivr_domain.shared.actor import Role
from tests.e2e.conftest import API, E2E, Headers, assert_problem, deliver
from tests.http import coverage_body, ivr_body

IVRS = f"{API}/ivrs"
NOTIFICATIONS = f"{API}/notifications"
VALID_UNTIL = coverage_body()["valid_until"]


def act(e2e: E2E, auth: Headers, ivr: dict[str, Any], action: str, body: dict[str, Any] | None = None) -> Any:
    """Post a workflow action with the IVR's current version as If-Match."""
    headers = {**auth, "If-Match": f'"{ivr["version"]}"'}
    return e2e.client.post(f"{IVRS}/{ivr['id']}/{action}", json=body or {}, headers=headers)


def moved(response: Any, status: str) -> dict[str, Any]:
    """Check an action's answer and return the IVR in its new state."""
    assert response.status_code == 200, response.text
    ivr: dict[str, Any] = response.json()
    assert ivr["status"] == status
    assert response.headers["etag"] == f'"{ivr["version"]}"'
    return ivr


def kinds(e2e: E2E, auth: Headers, ivr_id: str) -> list[str]:
    """Return the kinds of the caller's notifications about one IVR, sorted (the test clock stands still)."""
    response = e2e.client.get(NOTIFICATIONS, params={"limit": "200"}, headers=auth)
    assert response.status_code == 200, response.text
    return sorted(n["kind"] for n in response.json()["items"] if n["subject_id"] == ivr_id)


def test_a_practice_and_verification_staff_take_an_ivr_from_draft_to_approval(e2e: E2E) -> None:
    doctor_id = e2e.create_user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    e2e.create_user("other@example.org", Role.DOCTOR, practice="Shelbyville Clinic")
    e2e.create_user("staff@example.org", Role.IVR_STAFF)
    sales_id = e2e.create_user("sales@example.org", Role.SALESPERSON)
    e2e.assign(sales_id, doctor_id)
    doctor, staff = e2e.login("doc@example.org"), e2e.login("staff@example.org")
    sales, other = e2e.login("sales@example.org"), e2e.login("other@example.org")

    patient = e2e.create_patient(doctor)["id"]
    created = e2e.client.post(IVRS, json=ivr_body(patient), headers=doctor)
    assert created.status_code == 201, created.text
    ivr = created.json()
    assert created.headers["location"] == f"{IVRS}/{ivr['id']}"
    assert ivr["status"] == "draft"
    assert ivr["reference"].startswith("IVR-2026-")
    assert "submit" in ivr["allowed_actions"]
    assert_problem(e2e.client.get(f"{IVRS}/{ivr['id']}", headers=staff), 404)  # a draft is the practice's alone

    ivr = moved(act(e2e, doctor, ivr, "submit"), "submitted")
    ivr = moved(act(e2e, staff, ivr, "start-review"), "in_review")
    ivr = moved(
        act(
            e2e, staff, ivr, "request-info", {"message": "Attach current wound measurements", "due_date": "2026-12-01"}
        ),
        "info_requested",
    )

    edited = ivr_body(patient, notes="Measured again on 26 Nov: 4 x 3 cm.")
    response = e2e.client.put(f"{IVRS}/{ivr['id']}", json=edited, headers={**doctor, "If-Match": f'"{ivr["version"]}"'})
    assert response.status_code == 200, response.text
    ivr = response.json()
    assert ivr["notes"] == "Measured again on 26 Nov: 4 x 3 cm."
    ivr = moved(act(e2e, doctor, ivr, "resubmit"), "submitted")

    ivr = moved(act(e2e, staff, ivr, "start-review"), "in_review")
    ivr = moved(
        act(e2e, staff, ivr, "require-prior-auth", {"note": "Plan requires PA for Q4186"}), "pending_prior_auth"
    )
    no_pa = act(e2e, staff, ivr, "approve", {"coverages": [coverage_body()]})
    assert "coverages[0].prior_auth_number" in {e["field"] for e in assert_problem(no_pa, 422)["errors"]}
    approved = act(e2e, staff, ivr, "approve", {"coverages": [coverage_body(prior_auth_number="PA-778812")]})
    ivr = moved(approved, "approved")
    assert ivr["valid_until"] == VALID_UNTIL
    assert ivr["allowed_actions"] == []

    masked = e2e.client.get(f"{IVRS}/{ivr['id']}", headers=sales)
    assert masked.status_code == 200, masked.text
    seen = masked.json()
    assert seen["status"] == "approved"
    assert not {"wounds", "diagnosis_codes", "notes", "patient_snapshot"} & seen.keys()
    assert "Sample" not in masked.text
    assert "1EG4TE5MK73" not in masked.text
    assert_problem(e2e.client.get(f"{IVRS}/{ivr['id']}", headers=other), 404)

    history = e2e.client.get(f"{IVRS}/{ivr['id']}/history", headers=doctor)
    assert history.status_code == 200, history.text
    assert [(h["from"], h["to"]) for h in history.json()["items"]] == [
        (None, "draft"),
        ("draft", "submitted"),
        ("submitted", "in_review"),
        ("in_review", "info_requested"),
        ("info_requested", "submitted"),
        ("submitted", "in_review"),
        ("in_review", "pending_prior_auth"),
        ("pending_prior_auth", "approved"),
    ]

    deliver(e2e)
    # The doctor made the submits, staff the rest: nobody is told of their own change.
    assert kinds(e2e, doctor, ivr["id"]) == sorted(
        ["ivr_in_review", "ivr_info_requested", "ivr_in_review", "ivr_pending_prior_auth", "ivr_approved"]
    )
    assert kinds(e2e, sales, ivr["id"]) == sorted(
        [
            "ivr_submitted",
            "ivr_in_review",
            "ivr_info_requested",
            "ivr_submitted",
            "ivr_in_review",
            "ivr_pending_prior_auth",
            "ivr_approved",
        ]
    )
    assert kinds(e2e, staff, ivr["id"]) == ["ivr_submitted"]  # the resubmit, once they were the reviewer

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


# Every trigger, and a body that would be valid for it, so that a 409 can only come from the state.
ACTIONS: dict[str, dict[str, Any]] = {
    "submit": {},
    "start-review": {},
    "request-info": {"message": "Attach current wound measurements"},
    "resubmit": {},
    "require-prior-auth": {},
    "approve": {"coverages": [coverage_body(prior_auth_number="PA-1")]},
    "reject": {"reason_code": "other", "explanation": "Refused for the purpose of this test."},
}
ALLOWED_FROM = {
    "draft": {"submit"},
    "submitted": {"start-review"},
    "in_review": {"request-info", "require-prior-auth", "approve", "reject"},
    "info_requested": {"resubmit"},
    "pending_prior_auth": {"approve", "reject"},
    "approved": set(),
    "rejected": set(),
    "cancelled": set(),
}
PATHS = {  # how to bring a fresh IVR into each state: (who, action) steps after create
    "draft": [],
    "submitted": [("doctor", "submit")],
    "in_review": [("doctor", "submit"), ("admin", "start-review")],
    "info_requested": [("doctor", "submit"), ("admin", "start-review"), ("admin", "request-info")],
    "pending_prior_auth": [("doctor", "submit"), ("admin", "start-review"), ("admin", "require-prior-auth")],
    "approved": [("doctor", "submit"), ("admin", "start-review"), ("admin", "approve")],
    "rejected": [("doctor", "submit"), ("admin", "start-review"), ("admin", "reject")],
    "cancelled": [("doctor", "cancel")],
}


def test_every_action_from_every_state_it_is_not_allowed_in_answers_409_and_changes_nothing(e2e: E2E) -> None:
    e2e.create_user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    doctor = e2e.login("doc@example.org")
    actors = {"doctor": doctor, "admin": e2e.admin_auth}
    patient = e2e.create_patient(doctor)["id"]
    for state, steps in PATHS.items():
        response = e2e.client.post(IVRS, json=ivr_body(patient), headers=doctor)
        assert response.status_code == 201, response.text
        ivr = response.json()
        for who, action in steps:
            if action == "cancel":
                answer = e2e.client.delete(f"{IVRS}/{ivr['id']}", headers=actors[who])
            else:
                answer = act(e2e, actors[who], ivr, action, ACTIONS[action])
            assert answer.status_code == 200, answer.text
            ivr = answer.json()
        assert ivr["status"] == state
        before = e2e.count_rows()
        for action, body in ACTIONS.items():
            if action in ALLOWED_FROM[state]:
                continue
            # The admin passes every permission and reviewer check, so only the state can refuse.
            refused = act(e2e, e2e.admin_auth, ivr, action, body)
            problem = assert_problem(refused, 409)
            assert state in problem["detail"], problem
        if state not in {"draft", "submitted", "info_requested"}:
            assert_problem(e2e.client.delete(f"{IVRS}/{ivr['id']}", headers=e2e.admin_auth), 409)
        assert e2e.count_rows() == before
        current = e2e.client.get(f"{IVRS}/{ivr['id']}", headers=e2e.admin_auth).json()
        assert (current["status"], current["version"]) == (state, ivr["version"])
