from __future__ import annotations

import json
import time
from collections import Counter
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from adapters.sqlalchemy.tables import audit_log, notifications, outbox
from ivr_domain.shared.actor import Role
from tests.e2e.conftest import API, E2E, PATIENTS, assert_problem, deliver
from tests.http import coverage_body, ivr_body

IVRS = f"{API}/ivrs"
N = f"{API}/notifications"
AUDIT = f"{API}/admin/audit-logs"


def act(e2e, auth, ivr, action, body=None):
    headers = {**auth, "If-Match": f'"{ivr["version"]}"'}
    r = e2e.client.post(f"{IVRS}/{ivr['id']}/{action}", json=body or {}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def notif_rows(e2e):
    with e2e.engine.connect() as db:
        return db.execute(sa.select(notifications.c.recipient_id, notifications.c.kind, notifications.c.event_id)).all()


def test_ivr_audience_and_replay(e2e: E2E) -> None:
    doc = e2e.create_user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    pid = e2e.client.get(f"{API}/users/{doc}", headers=e2e.admin_auth).json()["practice_id"]
    body = {"email": "doc2@example.org", "name": "T P", "role": "doctor", "password": "correct horse battery staple 1", "practice_id": pid}
    r = e2e.client.post(f"{API}/users", json=body, headers=e2e.admin_auth)
    print("doc2", r.status_code, r.text[:300])
    staff = e2e.create_user("staff@example.org", Role.IVR_STAFF)
    staff2 = e2e.create_user("staff2@example.org", Role.IVR_STAFF)
    sales = e2e.create_user("sales@example.org", Role.SALESPERSON)
    dist = e2e.create_user("dist@example.org", Role.DISTRIBUTOR)
    md = e2e.create_user("md@example.org", Role.MASTER_DISTRIBUTOR)
    e2e.assign(sales, doc)
    e2e.assign(dist, sales)
    e2e.assign(md, dist)
    d, s = e2e.login("doc@example.org"), e2e.login("staff@example.org")
    patient = e2e.create_patient(d)["id"]
    ivr = e2e.client.post(IVRS, json=ivr_body(patient), headers=d).json()
    ivr = act(e2e, d, ivr, "submit")
    ivr = act(e2e, s, ivr, "start-review")
    r = e2e.client.post(f"{IVRS}/{ivr['id']}/assign", json={"reviewer_id": staff2}, headers={**e2e.admin_auth})
    print("assign", r.status_code, r.text[:200])
    ivr = r.json()
    ivr = act(e2e, e2e.login("staff2@example.org"), ivr, "approve", {"coverages": [coverage_body()]})
    deliver(e2e)
    with e2e.engine.connect() as db:
        rows = db.execute(sa.select(outbox.c.name, outbox.c.position, outbox.c.dispatched_at, outbox.c.payload)).all()
    print("OUTBOX", [(r.name, r.position, r.dispatched_at is not None) for r in rows])
    ivr_rows = [r for r in rows if r.name.startswith("ivr.")]
    print("IVR EVENTS", len(ivr_rows))
    before = Counter((r.recipient_id, r.kind) for r in notif_rows(e2e))
    names = {doc: "doc", staff: "staff", staff2: "staff2", sales: "sales", dist: "dist", md: "md"}
    print("NOTIFS", sorted((names.get(str(k[0]), str(k[0])), k[1]) for k in before.elements()))
    # replay everything
    with e2e.engine.begin() as db:
        db.execute(sa.update(outbox).values(dispatched_at=None))
    res = e2e.container.event_dispatcher().replay()
    print("replay", res)
    deliver(e2e)
    after = Counter((r.recipient_id, r.kind) for r in notif_rows(e2e))
    assert after == before
    e2e.container.event_sequencer().sequence_all()
    with e2e.engine.connect() as db:
        pos = sorted(db.execute(sa.select(outbox.c.position)).scalars())
    print("POS", pos)
    assert pos == list(range(1, len(pos) + 1))
    # expiry
    e2e.advance(timedelta(days=800))
    n = e2e.container.expire_lapsed_ivrs()()
    print("expired", n)
    deliver(e2e)
    with e2e.engine.connect() as db:
        print("expire events", db.execute(sa.select(sa.func.count()).select_from(outbox).where(outbox.c.name == "ivr.status_changed")).scalar_one())
    print("NOTIFS2", sorted((names.get(str(r.recipient_id), "?"), r.kind) for r in notif_rows(e2e) if r.kind == "ivr_expired"))


def test_paging(e2e: E2E) -> None:
    dist = e2e.create_user("d@example.org", Role.DISTRIBUTOR)
    members = [e2e.create_user(f"s{n}@example.org", Role.SALESPERSON) for n in range(7)]
    for i, m in enumerate(members):
        e2e.assign(dist, m)
        if i % 3 == 0:
            e2e.advance(timedelta(seconds=1))
    deliver(e2e)
    auth = e2e.login("d@example.org")
    for sort in ("-created_at", "created_at"):
        for unread in (None, "true"):
            items, q = [], {"limit": "2", "sort": sort}
            if unread:
                q["unread"] = unread
            while True:
                r = e2e.client.get(N, params=q, headers=auth)
                assert r.status_code == 200, r.text
                b = r.json()
                items += b["items"]
                if b["next_cursor"] is None:
                    break
                q["cursor"] = b["next_cursor"]
            ids = [i["id"] for i in items]
            assert len(ids) == 7 and len(set(ids)) == 7, (sort, ids)
            keys = [(i["created_at"], i["id"]) for i in items]
            assert keys == sorted(keys, reverse=sort.startswith("-")), (sort, keys)
    one = items[0]
    r1 = e2e.client.post(f"{N}/{one['id']}/read", headers=auth).json()
    e2e.advance(timedelta(seconds=5))
    r2 = e2e.client.post(f"{N}/{one['id']}/read", headers=auth).json()
    print("READ", r1, r2)
    assert r1["read_at"] == r2["read_at"] and r2["version"] == 2
    for v in ("abc", "1", "yes", ""):
        r = e2e.client.get(N, params={"unread": v}, headers=auth)
        print("unread", repr(v), r.status_code, len(r.json().get("items", [])) if r.status_code == 200 else r.text[:120])
    for lim in ("0", "201", "200", "-1", "x"):
        r = e2e.client.get(N, params={"limit": lim}, headers=auth)
        print("limit", lim, r.status_code)
    r = e2e.client.post(f"{N}/read-all", headers=auth)
    print("readall", r.status_code, r.json())
    r = e2e.client.post(f"{N}/read-all", headers=auth, json={"x": 1})
    print("readall body", r.status_code, r.text[:100])
    r = e2e.client.post(f"{N}/{one['id'].upper()}/read", headers=auth)
    print("upper", r.status_code)
    # cursor from another sort
    r = e2e.client.get(N, params={"limit": "2"}, headers=auth)
    c = r.json()["next_cursor"]
    r = e2e.client.get(N, params={"limit": "2", "cursor": c, "sort": "created_at"}, headers=auth)
    print("cursor other sort", r.status_code, r.text[:200])
    with e2e.engine.connect() as db:
        acts = db.execute(sa.select(audit_log.c.action, audit_log.c.outcome).where(audit_log.c.action.like("notifications.%"))).all()
    print("AUDIT", Counter(acts))
