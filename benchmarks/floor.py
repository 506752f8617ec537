"""The floor: what this machine allows the targets' requests when they do nothing but what the rules require.

    .venv/bin/python -m benchmarks.floor [--routes ...] [--connections 32] [--duration 20]

The targets (a page of 50 at 1,000 requests/s with p99 <= 60 ms at 32 connections; submit, start-review and
approve at p99 < 20 ms at 8 connections; one server process) are measured against the platform by
`benchmarks/run`. This script asks what any implementation could reach here. It serves a bare Litestar app
(no platform code on the request path apart from the field cipher) in one uvicorn process pinned to core 0,
drives it with wrk pinned to core 1 exactly as `benchmarks/run` does, over the same generated data, and
prints each route's figures. The patient routes:

- `/floor/reference`: the issue's own yardstick, "a plain Litestar + SQLAlchemy ORM + PostgreSQL page of
  50 with JWT": a bearer JWT checked, 50 patient rows loaded as ORM objects, their clear columns returned.
  Nothing decrypted, nothing audited.
- `/floor/core`: the same page through SQLAlchemy Core, still nothing decrypted or audited.
- `/floor/rules`: the least that the architecture's rules allow for the real list: a JWT checked, the page
  and its insurances in one Core query inside a transaction, every PHI field decrypted with the platform's
  own AES-GCM cipher, mapped straight to wire structs (no entities), one audit row naming the 50 patients
  appended in the same transaction (rule 9's minimum: no per-patient rows), the commit, msgspec encoding.
  The handler is synchronous and runs in the thread pool, as rule 4 says the core does.
- `/floor/envelope`: `rules` with the most radical storage change the rules still allow: each patient's PHI,
  insurances included, sealed as one AES-GCM ciphertext (a scratch table, `floor_patient_envelopes`, filled
  at start-up from the list practice's real rows), so a page is 50 rows and 50 decryptions, each decoded
  straight into the wire struct. The best case for a purpose-built read path.
- `/floor/envelope-psycopg`: `envelope` without SQLAlchemy: psycopg's own pool and prepared statements.
- `/floor/envelope-async`: the same with an async handler and psycopg's async pool on the event loop: no
  thread hand-off, which rule 4 (a synchronous core run in the thread pool) does not allow.

And, when the IVR data set (`var/bench/postgresql-ivrs`) exists, the IVR routes of `benchmarks/floor_ivrs.py`:

- `/floor/ivr-page`: a practice's page of 50 IVRs at its floor.
- `POST /api/v1/ivrs/{id}/submit`, `/start-review`, `/approve`: each action at its floor;
  `--routes submit-approve --connections 8` drives them with the platform benchmark's own wrk script and
  prints the per-action figures.

The app settles its heap before serving as `ivr serve` does (`entrypoints.http.serving.settle_heap`), so
garbage-collector pauses weigh on the tail as they do in the platform. PostgreSQL only. Everything it
writes goes to scratch tables (`floor_*`, the real tables' columns and indexes): the platform's tables and
its audit chain are never touched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jwt
import msgspec
import psycopg
from litestar import Litestar, Request, Response, get, post
from litestar.exceptions import NotAuthorizedException
from psycopg_pool import AsyncConnectionPool, ConnectionPool
from sqlalchemy import Connection, Engine, create_engine, select, text
from sqlalchemy.orm import DeclarativeBase, Session

from adapters.crypto.field_cipher import AesGcmFieldCipher
from adapters.crypto.keys import read_key_file
from adapters.sqlalchemy.tables import patients
from benchmarks.cpu import postgres_seconds, server_seconds
from benchmarks.floor_ivrs import action_route, page_route
from entrypoints.http.serving import settle_heap

ROOT = Path(__file__).resolve().parent.parent
SUBMIT_APPROVE = "submit, start-review, approve"
PAGE = 50
_SECRET = secrets.token_bytes(32)
_PATIENT_PHI = (
    "first_name", "last_name", "date_of_birth", "sex", "phone", "email",
    "address_line1", "address_line2", "address_city", "address_state", "address_postal_code",
)  # fmt: skip
_INSURANCE_PHI = (
    "payer_name", "payer_id", "member_id", "group_number",
    "subscriber_first_name", "subscriber_last_name", "subscriber_date_of_birth",
)  # fmt: skip
# Column names are constants: nothing from a request is formatted into the statement.
_PAGE_SQL = text(
    f"""
    SELECT p.id, p.created_at, p.updated_at, p.version, p.archived, {", ".join(f"p.{c}" for c in _PATIENT_PHI)},
           i.rank, i.plan_type, i.subscriber_relationship, {", ".join(f"i.{c}" for c in _INSURANCE_PHI)}
    FROM (SELECT * FROM patients WHERE practice_id = :practice AND NOT archived
          ORDER BY created_at DESC, id DESC LIMIT :limit) AS p
    LEFT JOIN patient_insurances AS i ON i.patient_id = p.id
    ORDER BY p.created_at DESC, p.id DESC, i.rank
    """  # noqa: S608
)
_ENVELOPE_SQL = text(
    f"""
    SELECT id, envelope FROM floor_patient_envelopes WHERE practice_id = :practice AND NOT archived
    ORDER BY created_at DESC, id DESC LIMIT {PAGE}
    """  # noqa: S608
)
_ENVELOPE_CONTEXT = "floor_patient_envelopes.envelope:"
_PATIENT_CONTEXTS = tuple(f"patients.{c}:" for c in _PATIENT_PHI)
_INSURANCE_CONTEXTS = tuple(f"patient_insurances.{c}:" for c in _INSURANCE_PHI)
_AUDIT_SQL = text(
    """
    INSERT INTO floor_audit_log (id, at, action, outcome, user_id, role, session_id, is_system, resource_type,
        patient_ids, changed_fields, reason, purpose, client_address, xact_id)
    VALUES (:id, :at, 'patients.list', 'success', :user, 'doctor', :session, false, 'patient',
        CAST(:patients AS json), '[]', '', 'treatment', :client, pg_current_xact_id()::text::bigint)
    """
)


class Insurance(msgspec.Struct):
    """An insurance as the list answers it."""

    rank: str
    plan_type: str
    subscriber_relationship: str
    payer_name: str | None
    payer_id: str | None
    member_id: str | None
    group_number: str | None
    subscriber_first_name: str | None
    subscriber_last_name: str | None
    subscriber_date_of_birth: str | None


class Patient(msgspec.Struct):
    """A patient as the list answers it."""

    id: uuid.UUID
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int
    archived: bool
    first_name: str | None
    last_name: str | None
    date_of_birth: str | None
    sex: str | None
    phone: str | None
    email: str | None
    address_line1: str | None
    address_line2: str | None
    address_city: str | None
    address_state: str | None
    address_postal_code: str | None
    insurances: list[Insurance]


class Base(DeclarativeBase):
    """ORM base of the reference route."""


class PatientRow(Base):
    """The patients table as an ORM class (the reference route's fetch)."""

    __table__ = patients


def _claims(request: Request[Any, Any, Any]) -> dict[str, Any]:
    header = request.headers.get("authorization", "")
    if not header.startswith("Bearer "):
        raise NotAuthorizedException()
    try:
        claims: dict[str, Any] = jwt.decode(header[7:], _SECRET, algorithms=["HS256"], audience="floor")
    except jwt.InvalidTokenError as error:
        raise NotAuthorizedException() from error
    return claims


def build_app(
    engine: Engine, cipher: AesGcmFieldCipher, practice: uuid.UUID, extra_routes: Sequence[Any] = ()
) -> Litestar:
    """Return the floor app over one engine, the bench keys and the list doctor's practice."""
    json_response = "application/json"

    @get("/health/ready", sync_to_thread=False)
    def ready() -> str:
        return "ok"

    @post("/floor/token", sync_to_thread=False)
    def token() -> str:
        now = int(time.time())
        claims = {"sub": str(uuid.uuid4()), "sid": str(uuid.uuid4()), "aud": "floor", "iat": now, "exp": now + 3600}
        return jwt.encode(claims, _SECRET, algorithm="HS256")

    @get("/floor/reference", sync_to_thread=True)
    def reference(request: Request[Any, Any, Any]) -> list[dict[str, Any]]:
        _claims(request)
        with Session(engine) as session:
            rows = session.scalars(
                select(PatientRow)
                .where(PatientRow.practice_id == practice, PatientRow.archived.is_(False))
                .order_by(PatientRow.created_at.desc(), PatientRow.id.desc())
                .limit(PAGE)
            ).all()
            return [
                {"id": r.id, "created_at": r.created_at, "updated_at": r.updated_at, "version": r.version} for r in rows
            ]

    core_page = (
        select(patients.c.id, patients.c.created_at, patients.c.updated_at, patients.c.version)
        .where(patients.c.practice_id == practice, patients.c.archived.is_(False))
        .order_by(patients.c.created_at.desc(), patients.c.id.desc())
        .limit(PAGE)
    )

    @get("/floor/core", sync_to_thread=True)
    def core(request: Request[Any, Any, Any]) -> Response[bytes]:
        _claims(request)
        with engine.connect() as connection:
            rows = connection.execute(core_page).all()
        page = [{"id": r[0], "created_at": r[1], "updated_at": r[2], "version": r[3]} for r in rows]
        return Response(msgspec.json.encode(page), media_type=json_response)

    def audit(
        connection: Connection, request: Request[Any, Any, Any], claims: dict[str, Any], page: list[Patient]
    ) -> None:
        connection.execute(_AUDIT_SQL, _audit_parameters(request, claims, page))

    @get("/floor/rules", sync_to_thread=True)
    def rules(request: Request[Any, Any, Any]) -> Response[bytes]:
        claims = _claims(request)
        with engine.begin() as connection:
            page = read_page(connection, cipher, practice)
            audit(connection, request, claims, page)
        return Response(msgspec.json.encode(page), media_type=json_response)

    decrypt = cipher.decrypt
    decode = msgspec.json.Decoder(Patient).decode

    @get("/floor/envelope", sync_to_thread=True)
    def envelope(request: Request[Any, Any, Any]) -> Response[bytes]:
        claims = _claims(request)
        with engine.begin() as connection:
            rows = connection.execute(_ENVELOPE_SQL, {"practice": practice}).all()
            page = [decode(decrypt(sealed, context=_ENVELOPE_CONTEXT + str(row_id))) for row_id, sealed in rows]
            audit(connection, request, claims, page)
        return Response(msgspec.json.encode(page), media_type=json_response)

    driver, startup, shutdown = _driver_routes(_psycopg_url(str(engine.url)), cipher, practice)
    routes = [ready, token, reference, core, rules, envelope, *driver, *extra_routes]
    return Litestar(routes, debug=False, on_startup=[startup], on_shutdown=[shutdown])


def _audit_parameters(request: Request[Any, Any, Any], claims: dict[str, Any], page: list[Patient]) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "at": dt.datetime.now(dt.UTC),
        "user": claims["sub"],
        "session": claims["sid"],
        "patients": json.dumps([str(p.id) for p in page]),
        "client": request.client.host if request.client else None,
    }


def _driver_routes(url: str, cipher: AesGcmFieldCipher, practice: uuid.UUID) -> tuple[list[Any], Any, Any]:
    """The envelope page straight on psycopg, sync (thread pool) and async: routes, start-up and shut-down hooks."""
    decrypt = cipher.decrypt
    decode = msgspec.json.Decoder(Patient).decode
    envelope_query = _ENVELOPE_SQL.text.replace(":practice", "%(practice)s")
    audit_query = _AUDIT_SQL.text
    for name in ("id", "at", "user", "session", "patients", "client"):
        audit_query = audit_query.replace(f":{name}", f"%({name})s")
    pool = ConnectionPool(url, min_size=4, max_size=10, open=True)
    async_pool = AsyncConnectionPool(url, min_size=4, max_size=10, open=False)

    @get("/floor/envelope-psycopg", sync_to_thread=True)
    def envelope_psycopg(request: Request[Any, Any, Any]) -> Response[bytes]:
        claims = _claims(request)
        with pool.connection() as connection:
            rows = connection.execute(envelope_query, {"practice": practice}, prepare=True).fetchall()
            page = [decode(decrypt(sealed, context=_ENVELOPE_CONTEXT + str(row_id))) for row_id, sealed in rows]
            connection.execute(audit_query, _audit_parameters(request, claims, page), prepare=True)
        return Response(msgspec.json.encode(page), media_type="application/json")

    @get("/floor/envelope-async")
    async def envelope_async(request: Request[Any, Any, Any]) -> Response[bytes]:
        claims = _claims(request)
        async with async_pool.connection() as connection:
            cursor = await connection.execute(envelope_query, {"practice": practice}, prepare=True)
            rows = await cursor.fetchall()
            page = [decode(decrypt(sealed, context=_ENVELOPE_CONTEXT + str(row_id))) for row_id, sealed in rows]
            await connection.execute(audit_query, _audit_parameters(request, claims, page), prepare=True)
        return Response(msgspec.json.encode(page), media_type="application/json")

    async def startup() -> None:
        await async_pool.open()

    async def shutdown() -> None:
        pool.close()
        await async_pool.close()

    return [envelope_psycopg, envelope_async], startup, shutdown


def _psycopg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def read_page(
    connection: Connection, cipher: AesGcmFieldCipher, practice: uuid.UUID, limit: int = PAGE
) -> list[Patient]:
    """Read a page of the practice's patients with their insurances, every PHI field decrypted."""
    decrypt = cipher.decrypt
    first_insurance_column = 5 + len(_PATIENT_PHI)

    def opened(row: Any, start: int, contexts: tuple[str, ...], row_id: str) -> list[str | None]:
        return [
            None if row[start + k] is None else decrypt(row[start + k], context=contexts[k] + row_id)
            for k in range(len(contexts))
        ]

    page: list[Patient] = []
    current: Patient | None = None
    row_id = ""
    for row in connection.execute(_PAGE_SQL, {"practice": practice, "limit": limit}):
        if current is None or current.id != row[0]:
            row_id = str(row[0])
            current = Patient(*row[:5], *opened(row, 5, _PATIENT_CONTEXTS, row_id), insurances=[])  # type: ignore[misc]
            page.append(current)
        if row[first_insurance_column] is not None:
            rank = row[first_insurance_column]
            cells = opened(row, first_insurance_column + 3, _INSURANCE_CONTEXTS, f"{row_id}:{rank}")
            kinds = row[first_insurance_column : first_insurance_column + 3]
            current.insurances.append(Insurance(*kinds, *cells))
    return page


def fill_envelopes(connection: Connection, cipher: AesGcmFieldCipher, practice: uuid.UUID) -> None:
    """Seal each of the practice's patients, insurances included, as one ciphertext in the scratch table."""
    connection.execute(
        text(
            "CREATE TABLE IF NOT EXISTS floor_patient_envelopes (id uuid PRIMARY KEY, practice_id uuid NOT NULL,"
            " archived boolean NOT NULL, created_at timestamptz NOT NULL, envelope bytea NOT NULL)"
        )
    )
    connection.execute(
        text(
            "CREATE INDEX IF NOT EXISTS ix_floor_patient_envelopes_page"
            " ON floor_patient_envelopes (practice_id, archived, created_at, id)"
        )
    )
    if connection.execute(text("SELECT count(*) FROM floor_patient_envelopes")).scalar_one():
        return
    rows = [
        {
            "id": patient.id,
            "practice": practice,
            "created_at": patient.created_at,
            "envelope": cipher.encrypt(
                msgspec.json.encode(patient).decode(), context=_ENVELOPE_CONTEXT + str(patient.id)
            ),
        }
        for patient in read_page(connection, cipher, practice, limit=1_000_000)
    ]
    connection.execute(
        text(
            "INSERT INTO floor_patient_envelopes (id, practice_id, archived, created_at, envelope)"
            " VALUES (:id, :practice, false, :created_at, :envelope)"
        ),
        rows,
    )
    connection.execute(text("ANALYZE floor_patient_envelopes"))


def app() -> Litestar:
    """uvicorn's factory: the floor app over the data directory in FLOOR_DATA_DIR."""
    data_dir = Path(os.environ["FLOOR_DATA_DIR"])
    manifest = json.loads((data_dir / "manifest.json").read_text())
    keys = read_key_file(data_dir / "keys.json")
    engine = create_engine(manifest["database_url"], pool_size=10, pool_pre_ping=True)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS floor_audit_log (LIKE audit_log INCLUDING ALL)"))
        practice = connection.execute(
            text("SELECT id FROM practices WHERE name = :name"), {"name": manifest["list_doctor"]["practice"]}
        ).scalar_one()
    cipher = AesGcmFieldCipher(keys.cipher_keys, keys.current_cipher_key_id)
    with engine.begin() as connection:
        fill_envelopes(connection, cipher, practice)
    floor = build_app(engine, cipher, practice, _ivr_routes(ivr_data_dir(data_dir)))
    settle_heap()
    return floor


def ivr_data_dir(data_dir: Path) -> Path:
    """Where the IVR data set lies beside the patient one (`benchmarks/run` makes both)."""
    return data_dir.parent / "postgresql-ivrs"


def _ivr_routes(data_dir: Path) -> list[Any]:
    """The IVR page and the three IVR actions over the IVR data set, when there is one."""
    if not (data_dir / "manifest.json").exists():
        return []
    manifest = json.loads((data_dir / "manifest.json").read_text())
    keys = read_key_file(data_dir / "keys.json")
    pool = ConnectionPool(_psycopg_url(manifest["database_url"]), min_size=4, max_size=10, open=True)
    cipher = AesGcmFieldCipher(keys.cipher_keys, keys.current_cipher_key_id)
    return [
        action_route(pool, cipher, _claims),
        page_route(pool, cipher, _claims, manifest["list_doctor"]["practice"]),
    ]


def _wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(120):
        if server.poll() is not None:
            raise SystemExit(f"the floor server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/health/ready", timeout=1):  # noqa: S310 (http on 127.0.0.1)
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the floor server did not become ready within 60 s")


def _wrk(base: str, route: str, token: str, *, seconds: int, connections: int, ivr_dir: Path) -> dict[str, Any]:
    env = {**os.environ, "BENCH_SCENARIO": "list", "BENCH_PATH": route, "BENCH_TOKEN": token}
    script, threads = "bench.lua", 1
    if route == SUBMIT_APPROVE:
        # The platform benchmark's own script: one connection per thread, each walking its drafts in order.
        script, threads = "submit_approve.lua", connections
        env |= {
            "BENCH_DOCTOR_TOKEN": token,
            "BENCH_REVIEWER_TOKEN": token,
            "BENCH_DRAFTS": str(_drafts_left(ivr_dir)),
            "BENCH_VALID_UNTIL": (dt.date.today() + dt.timedelta(days=180)).isoformat(),
            "BENCH_THREADS": str(connections),
        }
    command = ["taskset", "-c", "1", "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    command += ["--latency", "-s", str(ROOT / "benchmarks/wrk" / script), base]
    output = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout  # noqa: S603
    line = next(line for line in output.splitlines() if line.startswith("BENCH_RESULT "))
    result: dict[str, Any] = json.loads(line.removeprefix("BENCH_RESULT "))
    return result


def _drafts_left(data_dir: Path) -> Path:
    """Write the floor's IVRs still in draft (earlier runs and the warm-up took some) for the wrk script."""
    manifest = json.loads((data_dir / "manifest.json").read_text())
    with psycopg.connect(_psycopg_url(manifest["database_url"])) as connection:
        ids = [
            str(row[0]) for row in connection.execute("SELECT id FROM floor_ivrs WHERE status = 'draft' ORDER BY id")
        ]
    left = data_dir / "floor-drafts-left.txt"
    left.write_text("\n".join(ids) + "\n")
    return left


def _cpu(pid: int) -> tuple[float, float]:
    return server_seconds(pid), sum(postgres_seconds().values())


def main() -> None:
    """Serve the floor app on core 0, load each route with wrk on core 1, print and record the figures."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.floor")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var/bench/postgresql")
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument(
        "--routes", nargs="+", default=["reference", "core", "rules", "envelope", "envelope-psycopg", "envelope-async"]
    )
    args = parser.parse_args()
    if not (args.data_dir / "manifest.json").exists():
        raise SystemExit(f"no data set in {args.data_dir}: run `benchmarks/run list postgresql` once to make it")
    base = f"http://127.0.0.1:{args.port}"
    server_command = ["taskset", "-c", "0", sys.executable, "-m", "uvicorn", "--factory", "benchmarks.floor:app"]
    server_command += ["--host", "127.0.0.1", "--port", str(args.port), "--no-access-log", "--log-level", "warning"]
    server_command += ["--loop", "uvloop", "--http", "httptools"]
    env = {**os.environ, "FLOOR_DATA_DIR": str(args.data_dir), "PYTHONPATH": f"{ROOT}:{ROOT / 'src'}"}
    server = subprocess.Popen(server_command, env=env, cwd=ROOT)  # noqa: S603 (our own module)
    records = []
    try:
        _wait_ready(base, server)
        request = urllib.request.Request(f"{base}/floor/token", method="POST")  # noqa: S310
        with urllib.request.urlopen(request) as answer:  # noqa: S310
            token = answer.read().decode()
        ivr_dir = ivr_data_dir(args.data_dir)
        for route in args.routes:
            path = SUBMIT_APPROVE if route == "submit-approve" else f"/floor/{route}"
            _wrk(base, path, token, seconds=args.warmup, connections=args.connections, ivr_dir=ivr_dir)
            server_before, pg_before = _cpu(server.pid)
            result = _wrk(base, path, token, seconds=args.duration, connections=args.connections, ivr_dir=ivr_dir)
            server_after, pg_after = _cpu(server.pid)
            requests = max(result["requests"], 1)
            record = {
                "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "route": path,
                "connections": args.connections,
                **{k: result[k] for k in ("requests", "rps", "p50_ms", "p90_ms", "p99_ms", "non2xx", "socket_errors")},
                "server_cpu_ms_per_request": round((server_after - server_before) * 1000 / requests, 3),
                "postgres_cpu_ms_per_request": round((pg_after - pg_before) * 1000 / requests, 3),
            }
            if path == SUBMIT_APPROVE:
                record |= {"actions": result["actions"], "pool_exhausted": result["pool_exhausted"]}
            records.append(record)
            print(
                f"{path:<18} {record['rps']:8.1f} req/s  p50 {record['p50_ms']:7.2f}  p90 {record['p90_ms']:7.2f}"
                f"  p99 {record['p99_ms']:7.2f} ms  server {record['server_cpu_ms_per_request']:.2f} ms/req"
                f"  PostgreSQL {record['postgres_cpu_ms_per_request']:.2f} ms/req  non-2xx {record['non2xx']}",
                flush=True,
            )
            for action, figures in record.get("actions", {}).items():
                print(
                    f"  {action:<14} {figures['requests']:6d} requests  p50 {figures['p50_ms']:6.2f}"
                    f"  p90 {figures['p90_ms']:6.2f}  p99 {figures['p99_ms']:6.2f} ms",
                    flush=True,
                )
            if record.get("pool_exhausted"):
                print(f"  the drafts ran out ({record['pool_exhausted']} idle requests): the run is not a figure")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    with (ROOT / "var/bench/floor-results.jsonl").open("a") as out:
        for record in records:
            out.write(json.dumps(record) + "\n")
    if any(r["non2xx"] or r["socket_errors"] for r in records):
        raise SystemExit("some requests did not answer 2xx")


if __name__ == "__main__":
    main()
