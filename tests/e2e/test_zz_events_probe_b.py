from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from adapters.sqlalchemy.tables import audit_log, audit_log_patients
from ivr_domain.shared.actor import Role
from tests.e2e.conftest import API, E2E, PATIENTS, assert_problem

AUDIT = f"{API}/admin/audit-logs"
N = f"{API}/notifications"


def seal(e2e):
    v = e2e.container.audit_verifier()
    deadline = time.monotonic() + 10
    while True:
        e2e.container.audit_sealer().seal_all()
        r = v.verify()
        if r.unsealed == 0 or time.monotonic() > deadline:
            return r
        time.sleep(0.05)


def summary(r):
    return (r.intact, r.sealed, r.unsealed, r.anchors, r.head, [(p.finding.value, p.position) for p in r.problems])


def entries(e2e, **params):
    out, q = [], {"limit": "3", **params}
    while True:
        r = e2e.client.get(AUDIT, params=q, headers=e2e.admin_auth)
        assert r.status_code == 200, r.text
        b = r.json()
        out += b["items"]
        if b["next_cursor"] is None:
            return out
        q["cursor"] = b["next_cursor"]


def test_chain(e2e: E2E) -> None:
    e2e.create_user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    doctor = e2e.login("doc@example.org")
    patient = e2e.create_patient(doctor)["id"]
    for _ in range(3):
        e2e.client.get(f"{PATIENTS}/{patient}", headers=doctor)
    r = seal(e2e)
    print("SEALED", summary(r))
    path = e2e.container.settings().audit.anchor_file
    original = path.read_text()
    print("ANCHORS", original)
    v = e2e.container.audit_verifier()
    # blank lines
    path.write_text("\n\n" + original.replace("\n", "\n\n") + "   \n")
    print("blank", summary(v.verify()))
    for garbage in ["garbage", "{}", "[]", "null", '{"position": 1e999, "chain_hash": "x", "sealed_at": "2026-01-01"}',
                    '{"position": true, "chain_hash": "x", "sealed_at": "2026-01-01"}',
                    '{"position": 2, "chain_hash": "' + "a" * 64 + '", "sealed_at": "2026-01-01T00:00:00+00:00"}',
                    '{"position": 0, "chain_hash": "x", "sealed_at": "2026-01-01"}',
                    '{"position": 9999, "chain_hash": "x", "sealed_at": "2026-01-01"}',
                    '[' * 100000]:
        path.write_text(original + garbage + "\n")
        try:
            print("garbage", garbage[:60], summary(v.verify()))
        except BaseException as exc:
            print("garbage CRASH", garbage[:60], type(exc).__name__, exc)
    path.write_text(original)
    # new unsealed entries
    e2e.client.get(f"{PATIENTS}/{patient}", headers=doctor)
    print("unsealed pending", summary(v.verify()))
    r = seal(e2e)
    head = r.head
    # delete patient link rows: access report hides them
    report_before = e2e.client.get(f"{PATIENTS}/{patient}/access-report", params={"limit": 200}, headers=doctor).json()["items"]
    with e2e.engine.begin() as db:
        db.execute(sa.delete(audit_log_patients).where(audit_log_patients.c.patient_id == patient))
    report_after = e2e.client.get(f"{PATIENTS}/{patient}/access-report", params={"limit": 200}, headers=doctor).json()["items"]
    print("access report before/after link deletion", len(report_before), len(report_after), summary(seal(e2e)))
    # delete middle
    with e2e.engine.begin() as db:
        db.execute(sa.update(audit_log).where(audit_log.c.position == 3).values(position=head + 100))
    print("moved pos 3 to end", summary(v.verify()))
    with e2e.engine.begin() as db:
        db.execute(sa.update(audit_log).where(audit_log.c.position == head + 100).values(position=3))
    print("restored", summary(v.verify()))
    # unseal the tail
    with e2e.engine.begin() as db:
        db.execute(sa.update(audit_log).where(audit_log.c.position >= head - 1).values(position=None, chain_hash=None, action="users.read"))
    print("unsealed tail", summary(v.verify()))
    print("resealed", summary(seal(e2e)))


def test_search(e2e: E2E) -> None:
    doc_id = e2e.create_user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    doctor = e2e.login("doc@example.org")
    p1 = e2e.create_patient(doctor)["id"]
    e2e.advance(timedelta(hours=1))
    p2 = e2e.create_patient(doctor, first_name="Zed")["id"]
    e2e.advance(timedelta(hours=1))
    for _ in range(4):
        e2e.client.get(f"{PATIENTS}/{p1}", headers=doctor)
    e2e.client.post(f"{N}/not-a-uuid/read", headers=doctor)
    e2e.client.get(N, params={"unread": "maybe"}, headers=doctor)
    with e2e.engine.connect() as db:
        rows = db.execute(sa.select(audit_log)).mappings().all()
    allitems = entries(e2e)
    # exclude audit.search self entries which grow
    def check(params, pred):
        got = {e["id"] for e in entries(e2e, **params)}
        with e2e.engine.connect() as db:
            rows = db.execute(sa.select(audit_log)).mappings().all()
        want = {str(r["id"]) for r in rows if pred(r)}
        extra, missing = got - want, want - got
        print("search", params, len(got), len(want), "extra", len(extra), "missing", len(missing))
    check({"user_id": doc_id}, lambda r: str(r["user_id"]) == doc_id)
    check({"action": "patients.read"}, lambda r: r["action"] == "patients.read")
    check({"outcome": "denied"}, lambda r: r["outcome"] == "denied")
    check({"outcome": "invalid"}, lambda r: r["outcome"] == "invalid")
    check({"patient_id": p1}, lambda r: p1 in r["patient_ids"])
    check({"patient_id": p2}, lambda r: p2 in r["patient_ids"])
    start = e2e.clock.now()
    check({"since": "2026-11-25T10:00:00Z"}, lambda r: r["at"] >= start.replace(hour=10, minute=0, second=0, microsecond=0) and r["action"] != "audit.search")
    check({"since": "2026-11-25T10:00:00+00:00", "until": "2026-11-25T11:00:00Z"}, lambda r: start.replace(hour=10, minute=0, second=0, microsecond=0) <= r["at"] < start.replace(hour=11, minute=0, second=0, microsecond=0))
    check({"until": "2026-11-25"}, lambda r: False)
    r = e2e.client.get(AUDIT, params={"since": "2026-11-25", "until": "2026-11-25"}, headers=e2e.admin_auth)
    print("same day", r.status_code)
    print("notif audit", [(e["action"], e["outcome"], e["reason"]) for e in entries(e2e, user_id=doc_id) if e["action"].startswith("notif")])
    rep = e2e.client.get(f"{PATIENTS}/{p1}/access-report", params={"limit": 200}, headers=doctor).json()["items"]
    with e2e.engine.connect() as db:
        rows = db.execute(sa.select(audit_log)).mappings().all()
    want = {str(r["id"]) for r in rows if p1 in r["patient_ids"]}
    print("report", len(rep), len(want), want - {e["id"] for e in rep})
    print("report actions", sorted(e["action"] for e in rep))
