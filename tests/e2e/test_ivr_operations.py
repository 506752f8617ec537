"""IVR operations end to end over HTTP on SQLite and PostgreSQL: the verification queue and its SLA on a moved
clock, an admin's reassignment of the reviewer, approvals that expire, and reverification links."""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import date, datetime, timedelta
from typing import Any

from procrastinate.exceptions import AlreadyEnqueued

from adapters.events import MAINTENANCE_QUEUE
from entrypoints.worker.jobs import EXPIRY_TASK, build_worker_app
from ivr_domain.shared.actor import Role
from tests.e2e.conftest import API, E2E, Headers, Launch, deliver, field_errors
from tests.e2e.test_ivr_workflow import act, kinds, moved
from tests.http import assert_problem, coverage_body, ivr_body

IVRS = f"{API}/ivrs"
PENDING = f"{IVRS}/pending"
AUDIT = f"{API}/admin/audit-logs"
HOUR = timedelta(hours=1)
TOKEN_REUSE = timedelta(minutes=5)
# Short enough that the embedded server's expiry timer runs many times while a test waits for it.
EXPIRY_TIMER = {"IVR_EXPIRY_SECONDS": "0.05"}


class Desk:
    """A practice with a doctor and a patient, and two verification specialists, logged in again as time moves."""

    EMAILS = {"doctor": "doc@example.org", "staff": "staff@example.org", "staff2": "staff2@example.org"}

    def __init__(self, e2e: E2E) -> None:
        """Open the accounts and the patient."""
        self.e2e = e2e
        self._sessions: dict[str, tuple[Headers, datetime]] = {}
        self.ids = {
            "doctor": e2e.create_user(self.EMAILS["doctor"], Role.DOCTOR, practice="Springfield Wound Clinic"),
            "staff": e2e.create_user(self.EMAILS["staff"], Role.IVR_STAFF),
            "staff2": e2e.create_user(self.EMAILS["staff2"], Role.IVR_STAFF),
        }
        self.patient = e2e.create_patient(self.auth("doctor"))["id"]

    def auth(self, who: str) -> Headers:
        """Return a live session: access tokens live ten minutes and the tests move the clock by hours, while
        logging in at every call would meet the login rate limit."""
        now = self.e2e.clock.now()
        held = self._sessions.get(who)
        if held is None or now - held[1] > TOKEN_REUSE:
            held = (self.e2e.login("admin@example.org" if who == "admin" else self.EMAILS[who]), now)
            self._sessions[who] = held
        return held[0]

    def submitted(self, **overrides: Any) -> dict[str, Any]:
        """Create and submit an IVR of the practice."""
        doctor = self.auth("doctor")
        created = self.e2e.client.post(IVRS, json=ivr_body(self.patient, **overrides), headers=doctor)
        assert created.status_code == 201, created.text
        return moved(act(self.e2e, doctor, created.json(), "submit"), "submitted")

    def approved(self, valid_until: str, **overrides: Any) -> dict[str, Any]:
        """Take a new IVR to approval, its coverage valid through `valid_until`."""
        ivr = self.submitted(**overrides)
        staff = self.auth("staff")
        ivr = moved(act(self.e2e, staff, ivr, "start-review"), "in_review")
        coverage = coverage_body(valid_until=valid_until)
        return moved(act(self.e2e, staff, ivr, "approve", {"coverages": [coverage]}), "approved")

    def get(self, ivr_id: str, who: str = "admin") -> dict[str, Any]:
        """Read one IVR as it stands."""
        response = self.e2e.client.get(f"{IVRS}/{ivr_id}", headers=self.auth(who))
        assert response.status_code == 200, response.text
        return dict(response.json())

    def history(self, ivr_id: str) -> list[dict[str, Any]]:
        """Read an IVR's history as the practice sees it."""
        response = self.e2e.client.get(f"{IVRS}/{ivr_id}/history", headers=self.auth("doctor"))
        assert response.status_code == 200, response.text
        return list(response.json()["items"])

    def audit(self, action: str) -> list[dict[str, Any]]:
        """Return the audit entries of one action, newest first."""
        response = self.e2e.client.get(AUDIT, params={"action": action, "limit": "200"}, headers=self.auth("admin"))
        assert response.status_code == 200, response.text
        return list(response.json()["items"])


def _queue(e2e: E2E, auth: Headers, **params: str) -> dict[str, Any]:
    response = e2e.client.get(PENDING, params=params, headers=auth)
    assert response.status_code == 200, response.text
    assert (response.headers["cache-control"], response.headers["vary"]) == ("no-store", "Authorization")
    return dict(response.json())


def _rows(page: dict[str, Any]) -> list[tuple[str, int, str]]:
    return [(item["id"], item["age_hours"], item["sla"]) for item in page["items"]]


def test_the_queue_orders_urgent_then_oldest_and_its_sla_follows_the_clock(e2e: E2E) -> None:
    desk = Desk(e2e)
    routine_old = desk.submitted()
    e2e.advance(HOUR)
    urgent = desk.submitted(priority="urgent")
    e2e.advance(HOUR)
    routine_young = desk.submitted()
    e2e.advance(timedelta(hours=22, minutes=30))  # waits: 24.5 h, 23.5 h, 22.5 h
    staff = desk.auth("staff")

    page = _queue(e2e, staff)
    assert _rows(page) == [(urgent["id"], 23, "ok"), (routine_old["id"], 24, "due"), (routine_young["id"], 22, "ok")]
    assert page["next_cursor"] is None
    assert page["items"][0]["reference"] == urgent["reference"]
    assert "patient_snapshot" in page["items"][0]

    e2e.advance(timedelta(hours=24))  # waits: 48.5 h, 47.5 h, 46.5 h
    staff = desk.auth("staff")
    assert _rows(_queue(e2e, staff)) == [
        (urgent["id"], 47, "due"),
        (routine_old["id"], 48, "overdue"),
        (routine_young["id"], 46, "due"),
    ]
    assert [i["id"] for i in _queue(e2e, staff, sla="overdue")["items"]] == [routine_old["id"]]
    assert [i["id"] for i in _queue(e2e, staff, sla="due")["items"]] == [urgent["id"], routine_young["id"]]
    assert [i["id"] for i in _queue(e2e, staff, priority="routine")["items"]] == [
        routine_old["id"],
        routine_young["id"],
    ]

    # Pages of one follow the same order, and the cursor survives the IVR it names leaving the queue.
    first = _queue(e2e, staff, limit="1")
    assert [i["id"] for i in first["items"]] == [urgent["id"]]
    moved(act(e2e, staff, desk.get(urgent["id"]), "start-review"), "in_review")
    rest = _queue(e2e, staff, limit="1", cursor=first["next_cursor"])
    assert [i["id"] for i in rest["items"]] == [routine_old["id"]]
    last = _queue(e2e, staff, limit="1", cursor=rest["next_cursor"])
    assert [i["id"] for i in last["items"]] == [routine_young["id"]]
    assert last["next_cursor"] is None

    # Other open statuses are asked for; the reviewer filter narrows them.
    in_review = _queue(e2e, staff, status="in_review", reviewer_id=desk.ids["staff"])
    assert [(i["id"], i["status"], i["reviewer_id"]) for i in in_review["items"]] == [
        (urgent["id"], "in_review", desk.ids["staff"])
    ]
    assert _queue(e2e, staff, status="in_review", reviewer_id=desk.ids["staff2"])["items"] == []
    both = _queue(e2e, staff, status="submitted,in_review")
    assert [i["id"] for i in both["items"]] == [urgent["id"], routine_old["id"], routine_young["id"]]
    assert_problem(e2e.client.get(PENDING, params={"status": "approved"}, headers=staff), 400)
    assert_problem(e2e.client.get(PENDING, headers=desk.auth("doctor")), 403)

    entries = desk.audit("ivrs.queue")
    assert {e["outcome"] for e in entries} == {"success", "denied", "invalid"}  # invalid: status=approved
    successes = [e for e in entries if e["outcome"] == "success"]
    # One entry per page names each patient shown once; the empty page names none.
    assert {tuple(e["patient_ids"]) for e in successes} == {(desk.patient,), ()}
    assert any(e["outcome"] == "denied" and e["role"] == "doctor" for e in entries)


def test_an_admin_reassigns_the_reviewer_who_is_told_and_takes_over(e2e: E2E) -> None:
    desk = Desk(e2e)
    staff, staff2 = desk.auth("staff"), desk.auth("staff2")
    ivr = moved(act(e2e, staff, desk.submitted(), "start-review"), "in_review")
    assert ivr["reviewer_id"] == desk.ids["staff"]
    assign = f"{IVRS}/{ivr['id']}/assign"

    assert_problem(e2e.client.post(assign, json={"reviewer_id": desk.ids["staff2"]}, headers=staff), 403)
    assert field_errors(e2e.client.post(assign, json={"reviewer_id": desk.ids["doctor"]}, headers=e2e.admin_auth)) == [
        ("reviewer_id", "must be an active verification staff member or admin")
    ]
    stale = {**e2e.admin_auth, "If-Match": f'"{ivr["version"] + 5}"'}
    assert_problem(e2e.client.post(assign, json={"reviewer_id": desk.ids["staff2"]}, headers=stale), 412)
    current = {**e2e.admin_auth, "If-Match": f'"{ivr["version"]}"'}
    response = e2e.client.post(assign, json={"reviewer_id": desk.ids["staff2"]}, headers=current)

    assert response.status_code == 200, response.text
    reassigned = response.json()
    assert (reassigned["status"], reassigned["reviewer_id"]) == ("in_review", desk.ids["staff2"])
    assert reassigned["version"] == ivr["version"] + 1
    assert response.headers["etag"] == f'"{reassigned["version"]}"'
    last = desk.history(ivr["id"])[-1]
    assert (last["from"], last["to"], last["trigger"], last["actor_role"]) == (
        "in_review",
        "in_review",
        "assign",
        "admin",
    )
    entry = desk.audit("ivrs.assign")[0]
    assert (entry["outcome"], entry["changed_fields"], entry["resource_id"]) == ("success", ["reviewer_id"], ivr["id"])
    deliver(e2e)
    assert kinds(e2e, staff2, ivr["id"]) == ["ivr_assigned"]
    assert kinds(e2e, staff, ivr["id"]) == []

    # The former reviewer may no longer act on it; the new one may.
    reject = {"reason_code": "other", "explanation": "Refused for the purpose of this test."}
    assert_problem(act(e2e, staff, reassigned, "reject", reject), 403)
    moved(act(e2e, staff2, reassigned, "reject", reject), "rejected")
    closed = e2e.client.post(assign, json={"reviewer_id": desk.ids["staff"]}, headers=e2e.admin_auth)
    assert "rejected" in assert_problem(closed, 409)["detail"]


def _inline(e2e: E2E) -> bool:
    return e2e.container.settings().events.dispatch != "procrastinate"


def _run_expiry_pass(e2e: E2E) -> None:
    """Run one expiry pass now: `ivr worker`'s job on PostgreSQL, on SQLite the pass the server's timer runs."""
    if _inline(e2e):
        e2e.container.expire_lapsed_ivrs()()
        return
    app = build_worker_app(e2e.container, periodic=True)

    async def run() -> None:
        async with app.open_async():
            # The worker's periodic deferrer may have queued one already; that one runs just the same.
            with contextlib.suppress(AlreadyEnqueued):
                await app.configure_task(EXPIRY_TASK).defer_async(timestamp=int(time.time()))
            await app.run_worker_async(
                queues=[MAINTENANCE_QUEUE], concurrency=1, wait=False, listen_notify=False,
                install_signal_handlers=False,
            )  # fmt: skip

    asyncio.run(run())


def _expired_by_the_platform(e2e: E2E, desk: Desk, ivr_id: str) -> str:
    """Let the platform expire what lapsed: on SQLite its own timer alone, on PostgreSQL the worker's job.

    Returns the IVR's status once it is `expired`, or as it stands after a few seconds.
    """
    if not _inline(e2e):
        _run_expiry_pass(e2e)
    deadline = time.monotonic() + 10
    while True:
        status = str(desk.get(ivr_id)["status"])
        if status == "expired" or time.monotonic() > deadline:
            return status
        time.sleep(0.02)


def test_an_approval_expires_the_day_after_its_valid_until_with_history_audit_and_notifications(
    launch: Launch,
) -> None:
    e2e = launch(EXPIRY_TIMER)
    desk = Desk(e2e)
    valid_until = date(2026, 12, 31)
    lapsing = desk.approved(valid_until.isoformat())
    lasting = desk.approved("2027-03-31")
    today = e2e.clock.now().date()

    e2e.advance(timedelta(days=(valid_until - today).days))  # on its last valid day
    _run_expiry_pass(e2e)
    assert desk.get(lapsing["id"])["status"] == "approved"
    e2e.advance(timedelta(days=1))
    assert _expired_by_the_platform(e2e, desk, lapsing["id"]) == "expired"

    assert desk.get(lasting["id"])["status"] == "approved"
    expired = desk.get(lapsing["id"], "doctor")
    assert (expired["allowed_actions"], expired["valid_until"]) == ([], valid_until.isoformat())
    last = desk.history(lapsing["id"])[-1]
    assert (last["from"], last["to"], last["trigger"], last["actor_role"]) == ("approved", "expired", "expire", None)
    entries = [e for e in desk.audit("ivrs.expire") if e["outcome"] == "success"]
    assert [(e["resource_id"], e["is_system"], e["patient_ids"]) for e in entries] == [
        (lapsing["id"], True, [desk.patient])
    ]
    deliver(e2e)
    assert "ivr_expired" in kinds(e2e, desk.auth("doctor"), lapsing["id"])
    assert "ivr_expired" in kinds(e2e, desk.auth("staff"), lapsing["id"])  # the reviewer
    # Expired is final: nothing moves it again, another pass changes nothing.
    assert_problem(act(e2e, desk.auth("staff"), expired, "approve", {"coverages": [coverage_body()]}), 409)
    _run_expiry_pass(e2e)
    assert len([h for h in desk.history(lapsing["id"]) if h["trigger"] == "expire"]) == 1


def test_a_reverification_links_both_histories(e2e: E2E) -> None:
    desk = Desk(e2e)
    renewed = desk.approved("2027-03-31")
    doctor = desk.auth("doctor")

    body = ivr_body(desk.patient, request_type="reverification", previous_ivr_id=renewed["id"])
    created = e2e.client.post(IVRS, json=body, headers=doctor)

    assert created.status_code == 201, created.text
    renewal = created.json()
    assert (renewal["request_type"], renewal["previous_ivr_id"]) == ("reverification", renewed["id"])
    first = desk.history(renewal["id"])[0]
    assert (first["trigger"], first["to"], first["linked_ivr_id"]) == ("create", "draft", renewed["id"])
    link = desk.history(renewed["id"])[-1]
    assert (link["trigger"], link["from"], link["to"], link["linked_ivr_id"]) == (
        "reverified",
        "approved",
        "approved",
        renewal["id"],
    )
    assert all(h["linked_ivr_id"] is None for h in desk.history(renewed["id"])[:-1])
    moved(act(e2e, doctor, renewal, "submit"), "submitted")

    # The renewed IVR must be one the caller sees, of the same patient; a plain new IVR takes no link.
    other_patient = e2e.create_patient(doctor, first_name="Grace", last_name="Other")["id"]
    elsewhere = ivr_body(other_patient, request_type="reverification", previous_ivr_id=renewed["id"])
    assert field_errors(e2e.client.post(IVRS, json=elsewhere, headers=doctor)) == [
        ("previous_ivr_id", "is not an IVR of this patient")
    ]
    plain = ivr_body(desk.patient, previous_ivr_id=renewed["id"])
    assert field_errors(e2e.client.post(IVRS, json=plain, headers=doctor)) == [
        ("previous_ivr_id", "applies only to a reverification")
    ]
