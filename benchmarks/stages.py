"""Where one list request's time goes, in-process and one request at a time (no concurrency, no wrk).

    .venv/bin/python -m benchmarks.stages --data-dir var/bench/postgresql [--requests 2000]

Uses the generated data and the manifest's list doctor. Each stage runs in batches; the best batch is
reported (the least disturbed by other work on the machine), as wall time and this process's CPU time.
The last line sends `--requests` list requests through the whole ASGI app (Litestar's test client:
routing, auth with the session cache, the handler in the thread pool, encoding, the access log).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
from litestar.testing import TestClient
from sqlalchemy import select

from adapters.sqlalchemy.repositories.patient_rows import PatientCodec
from adapters.sqlalchemy.tables import patient_insurances, patients
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.http.schemas.patients import PatientPage, patient_out
from entrypoints.http.serving import settle_heap
from entrypoints.settings import load_settings
from ivr_domain.identity.use_cases.auth import Login
from ivr_domain.patients import policy
from ivr_domain.patients.ports import PatientFilter
from ivr_domain.shared.paging import PageRequest


def best(label: str, work: Callable[[], Any], *, batches: int = 5, per_batch: int = 100) -> None:
    """Run `work` in batches and print the best batch's mean wall and CPU time per call."""
    work()
    walls, cpus = [], []
    for _ in range(batches):
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(per_batch):
            work()
        walls.append((time.perf_counter() - wall) / per_batch * 1000)
        cpus.append((time.process_time() - cpu) / per_batch * 1000)
    print(f"  {label:<58} {min(walls):7.3f} ms wall {min(cpus):7.3f} ms CPU")


def main() -> None:
    """Print the cost of each stage of a list request."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stages")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    manifest = json.loads((args.data_dir / "manifest.json").read_text())
    env = {
        **os.environ,
        "IVR_DATABASE_URL": manifest["database_url"],
        "IVR_DATA_DIR": str(args.data_dir),
        "IVR_SESSION_CACHE_SECONDS": "5",
        "IVR_AUDIT_SEAL_SECONDS": "0",
        "IVR_LOG_LEVEL": "WARNING",
    }
    platform = build_container(load_settings(env))
    login = Login(email=manifest["list_doctor"]["email"], password=manifest["password"], client_address="127.0.0.1")
    token = platform.login()(login).unwrap().access_token
    actor = platform.authenticate()(token).unwrap()
    filters, page = PatientFilter(), PageRequest(limit=50, cursor=None, sort="-created_at")
    handler, trail, uow = platform.list_patients(), platform.audit_trail(), platform.uow
    codec = PatientCodec(platform.cipher(), platform.blind_index())

    def listed() -> Any:
        with uow() as work:
            return work.patients.list(scope=actor.scope, filters=filters, page=page)

    found = listed()
    ids = [p.id for p in found.items]
    with platform.engine().connect() as connection:
        rows = [r._mapping for r in connection.execute(select(patients).where(patients.c.id.in_(ids)))]
        by_patient: dict[Any, list[Any]] = defaultdict(list)
        for ins in connection.execute(select(patient_insurances).where(patient_insurances.c.patient_id.in_(ids))):
            by_patient[ins.patient_id].append(ins._mapping)
    fields = sum(
        sum(1 for k, v in r.items() if isinstance(v, bytes))
        + sum(isinstance(v, bytes) for i in by_patient[r["id"]] for v in i.values())
        for r in rows
    )

    def audited() -> None:
        with uow() as work:
            work.audit.append(trail.entry(actor, "patients.list", resource_type="patient", patients=tuple(ids)))
            work.commit()

    def encoded() -> bytes:
        views = [policy.project(actor, p) for p in found.items]
        return msgspec.json.encode(PatientPage(items=[patient_out(v) for v in views], next_cursor=found.next_cursor))

    app = create_app(platform)
    settle_heap()  # as `ivr serve` does before serving: start-up objects frozen, young-generation threshold raised
    backend = manifest["database_url"].split(":")[0]
    print(f"{backend}, {manifest['patients']:,} patients; page of {len(ids)} ({fields} encrypted fields)")
    best("authenticate a token (session cache miss: once per 5 s)", lambda: platform.authenticate()(token))
    best("repository list: page with its insurances (one query) + decode", listed)
    best(
        f"  of which decoding {len(rows)} rows ({fields} AES-GCM decrypts)",
        lambda: [codec.patient(r, by_patient[r["id"]]) for r in rows],
    )
    best("audit entry (1 + 50 rows; one statement on PostgreSQL) and commit", audited)
    best("projection and JSON encoding (msgspec)", encoded)
    best("list use case (handler: list + audit + projection)", lambda: handler(actor, filters, page))
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as client:
        client.get("/api/v1/patients?limit=50", headers=headers)
        per_batch = max(1, args.requests // 5)
        best(f"whole HTTP request through the ASGI app ({5 * per_batch} requests)",
             lambda: client.get("/api/v1/patients?limit=50", headers=headers), per_batch=per_batch)  # fmt: skip
    platform.engine().dispose()


if __name__ == "__main__":
    main()
