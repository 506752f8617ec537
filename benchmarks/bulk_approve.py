"""Bulk approval benchmark: one `POST /api/v1/ivrs/bulk-approve` of 500 IVRs, timed over several rounds.

    .venv/bin/python -m benchmarks.bulk_approve                      # PostgreSQL, then SQLite
    .venv/bin/python -m benchmarks.bulk_approve --backend postgresql --rounds 7

Each backend gets a fresh database (`ivr_bench_bulk` on PostgreSQL, only a name containing "bench" is dropped;
a SQLite file under var/bench/bulk-sqlite) made by the generator's own code: accounts and practices through
the unit of work, patients through `PatientCodec`, and `rounds x items` IVRs in review through the IVR
generator (`IvrFactory`: content validated by the core, rows made by `IvrCodec`), all reviewed by one
verification specialist. The server is `ivr serve`, one process pinned to core 0 on 127.0.0.1 (as
`benchmarks/run` starts it); this client runs on core 1. A warm-up request comes first, then each round sends
a fresh `items` IVRs in one request with httpx and prints its wall time and the time per item; the summary
gives min, median and max. Issue 5's target: 500 items under 2 s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import attrs
import httpx

from adapters.sqlalchemy.migrate import upgrade
from adapters.sqlalchemy.repositories.ivr_rows import IvrCodec
from benchmarks.cpu import server_seconds
from benchmarks.generate import DEFAULT_PASSWORD, analyze, fresh_database, identity, write_patients
from benchmarks.ivr_data import IvrFactory, finish, insert
from benchmarks.synthetic import coverage
from entrypoints.container import build_container
from entrypoints.settings import load_settings
from ivr_domain.ivr.model import Ivr, IvrStatus
from ivr_domain.patients.model import Patient

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/ivr_bench_bulk"
BULK = "/api/v1/ivrs/bulk-approve"
WARM_UP_ITEMS = 50


def database_url(backend: str, data_dir: Path, postgres_url: str) -> str:
    """Return the database of a backend's bulk data set."""
    return postgres_url if backend == "postgresql" else f"sqlite:///{data_dir / 'ivr.db'}"


def _wire(value: Any) -> Any:
    """Write a core value as the JSON an HTTP client sends (dates ISO, money as decimal strings)."""
    match value:
        case Enum():
            return value.value
        case Decimal():
            return str(value)
        case date():
            return value.isoformat()
    return value


def approval_item(ivr: Ivr, valid_until: date) -> dict[str, Any]:
    """Return the bulk item approving one IVR: a covered result per verified insurance of its snapshot."""
    assert ivr.patient_snapshot is not None  # IVRs in review were submitted
    held = {i.rank: i for i in ivr.patient_snapshot.insurances}
    coverages = [
        attrs.asdict(
            coverage(rank, held[rank].payer_name, held[rank].plan_type, valid_until),
            value_serializer=lambda _, __, v: _wire(v),
        )
        for rank in ivr.content.insurance_ranks
    ]
    return {"ivr_id": str(ivr.id), "version": ivr.version, "coverages": coverages}


def generate(url: str, data_dir: Path, *, count: int, seed: int) -> tuple[str, list[Ivr]]:
    """Make a fresh database with `count` IVRs in review by one specialist; return their email and the IVRs."""
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "IVR_DATABASE_URL": url, "IVR_DATA_DIR": str(data_dir)}
    platform = build_container(load_settings(env))
    fresh_database(url)
    upgrade(url)
    roster = identity(platform, 2, DEFAULT_PASSWORD)
    reviewer = roster["staff"][1]
    doctors = {d.practice_id: d.id for d in roster["doctors"] if d.practice_id is not None}
    kept: list[Patient] = []
    plan = [(practice, doctor, 200) for practice, doctor in doctors.items()]
    write_patients(platform, plan, 2_000, seed, kept)
    live = [p for p in kept if not p.archived]
    rng = random.Random(seed)
    factory = IvrFactory(rng, codes=platform.code_sets(), now=datetime.now(UTC), staff=[reviewer.id], doctors=doctors)
    made = [factory.ivr(lambda: rng.choice(live), IvrStatus.IN_REVIEW) for _ in range(count)]
    codec = IvrCodec(platform.cipher())
    engine = platform.engine()
    for start in range(0, len(made), 1_000):
        insert(engine, codec, made[start : start + 1_000])
    finish(engine, factory.references(), plan[1][0])
    analyze(platform)
    engine.dispose()
    return reviewer.email.value, [ivr for ivr, _ in made]


@contextmanager
def server(url: str, data_dir: Path, port: int) -> Iterator[tuple[str, int]]:
    """Run `ivr serve` pinned to core 0 on 127.0.0.1 until the block ends; yield its base URL and pid."""
    env = {
        **os.environ,
        "IVR_DATABASE_URL": url,
        "IVR_DATA_DIR": str(data_dir),
        "IVR_LOG_LEVEL": "INFO",
        "IVR_SESSION_CACHE_SECONDS": "5",
        "IVR_AUDIT_SEAL_SECONDS": "5",
    }
    base = f"http://127.0.0.1:{port}"
    command = ["taskset", "-c", "0", str(ROOT / ".venv/bin/ivr"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with (data_dir / "server.log").open("wb") as log:
        process = subprocess.Popen(command, env=env, stderr=log, stdout=log)  # noqa: S603 (our own CLI)
        try:
            _wait_ready(base, process)
            yield base, process.pid  # taskset execs the server: the same process
        finally:
            process.send_signal(2)  # SIGINT: uvicorn's graceful stop
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped (exit {process.returncode}); see its server.log")
        try:
            if httpx.get(f"{base}/health/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit("the server did not become ready within 60 s")


def _profiler(pid: int, data_dir: Path) -> subprocess.Popen[bytes]:
    """Start py-spy sampling the server, raw stacks into the data directory."""
    command = [str(ROOT / ".venv/bin/py-spy"), "record", "--pid", str(pid), "--format", "raw", "--rate", "250"]
    command += ["--output", str(data_dir / "profile-bulk.txt")]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    time.sleep(1)  # py-spy attaches before the measured rounds start
    return process


def one_round(client: httpx.Client, auth: dict[str, str], items: list[dict[str, Any]]) -> float:
    """Send one bulk request; check every item was approved; return its wall time in seconds."""
    started = time.perf_counter()
    response = client.post(BULK, json={"items": items}, headers=auth)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"bulk approval answered {response.status_code}: {response.text[:500]}")
    answer = response.json()
    if answer["succeeded"] != len(items):
        refused = next(r["problem"] for r in answer["results"] if not r["ok"])
        raise SystemExit(f"{answer['failed']} of {len(items)} items were refused, e.g. {refused}")
    return elapsed


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    """Generate the data set of a backend, serve it, and time the rounds; return the figures."""
    data_dir = ROOT / "var/bench" / f"bulk-{backend}"
    url = database_url(backend, data_dir, args.postgres_url)
    print(f"== {backend}: generating {WARM_UP_ITEMS + args.rounds * args.items} IVRs in review", flush=True)
    email, ivrs = generate(url, data_dir, count=WARM_UP_ITEMS + args.rounds * args.items, seed=args.seed)
    until = datetime.now(UTC).date() + timedelta(days=200)
    items = [approval_item(ivr, until) for ivr in ivrs]
    batches = [items[:WARM_UP_ITEMS]] + [
        items[WARM_UP_ITEMS + r * args.items : WARM_UP_ITEMS + (r + 1) * args.items] for r in range(args.rounds)
    ]
    times: list[float] = []
    cpu: list[float] = []  # the server's CPU seconds per round: what a busy, shared machine disturbs least
    with server(url, data_dir, args.port) as (base, pid), httpx.Client(base_url=base, timeout=120) as client:
        login = client.post("/api/v1/auth/login", json={"email": email, "password": DEFAULT_PASSWORD})
        login.raise_for_status()
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
        one_round(client, auth, batches[0])  # warm-up: first-use costs are not what is measured
        profiler = _profiler(pid, data_dir) if args.profile else None
        for number, batch in enumerate(batches[1:], start=1):
            cpu_before = server_seconds(pid)
            seconds = one_round(client, auth, batch)
            cpu.append(server_seconds(pid) - cpu_before)
            times.append(seconds)
            print(
                f"  round {number}: {len(batch)} items in {seconds:.3f} s ({seconds * 1000 / len(batch):.2f} ms/item), "
                f"server CPU {cpu[-1]:.2f} s"
            )
        if profiler is not None:
            profiler.send_signal(2)  # py-spy writes its profile when interrupted
            profiler.wait(timeout=60)
            print(f"  profile: {data_dir / 'profile-bulk.txt'} (python -m benchmarks.profile_report)")
    load = os.getloadavg()
    figures = {
        "scenario": "bulk-approve",
        "backend": backend,
        "items": args.items,
        "rounds": args.rounds,
        "seconds": {"min": min(times), "median": statistics.median(times), "max": max(times)},
        "ms_per_item_median": statistics.median(times) * 1000 / args.items,
        "server_cpu_seconds_median": statistics.median(cpu),
        "loadavg": [round(x, 2) for x in load],
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    s = figures["seconds"]
    print(
        f"  {backend}: {args.items} items: min {s['min']:.3f} s, median {s['median']:.3f} s, max {s['max']:.3f} s "
        f"({figures['ms_per_item_median']:.2f} ms/item median), server CPU {statistics.median(cpu):.2f} s median; "
        f"load average {' '.join(map(str, figures['loadavg']))}"
    )
    return figures


def main(argv: Sequence[str] | None = None) -> None:
    """Run the bulk approval benchmark on the chosen backends."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bulk_approve", description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("postgresql", "sqlite", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_BULK_PORT", "8775")))
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_BULK_URL", POSTGRES_URL))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", action="store_true", help="sample the server with py-spy during the rounds")
    args = parser.parse_args(argv)
    if args.rounds < 1 or not 1 <= args.items <= 500:
        parser.error("--rounds must be at least 1 and --items 1 to 500")
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {1})  # the server has core 0 to itself
    backends = ("postgresql", "sqlite") if args.backend == "both" else (args.backend,)
    results = ROOT / "var/bench/bulk-results.jsonl"
    results.parent.mkdir(parents=True, exist_ok=True)
    for backend in backends:
        figures = run_backend(backend, args)
        with results.open("a") as out:
            out.write(json.dumps(figures) + "\n")


if __name__ == "__main__":
    main()
