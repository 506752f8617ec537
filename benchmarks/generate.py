"""Synthetic data for the benchmarks: practices, users of every role, a sales hierarchy, patients, and IVRs.

    .venv/bin/python -m benchmarks.generate --database-url postgresql+psycopg://postgres@127.0.0.1/ivr_bench \
        --data-dir var/bench/postgresql --patients 100000 --practices 200

The database is made fresh: on PostgreSQL it is dropped and created again (only a database whose name contains
"bench"); a SQLite file is deleted. The schema comes from the one Alembic chain. Accounts, practices and the
hierarchy go through the SQL unit of work's own repositories; patients are written in bulk, but every row is
built by the SQL adapter's own codec (`PatientCodec`) from a `Patient` the core's `parse_patient` validated:
PHI encrypted with the data directory's keys and bound to its row, blind indexes computed, exactly as the
application writes them. The server must then run with the same `IVR_DATA_DIR` (the keys live there).

Every account has the password `--password`. It is hashed once, with the parameters `IVR_PASSWORD_HASHING`
selects (the production OWASP ones by default), and that hash is stored for every account: logins are not
what the benchmarks measure, and one hash keeps generation fast without weakening the server's settings.
A manifest (`manifest.json` in the data directory) names the accounts the load scripts log in as.

With `--ivrs N`, N IVRs in a realistic status mix and `--submit-drafts` complete drafts follow the patients
(`benchmarks.ivr_data`, which says how they are built); the drafts' ids go to `submit-drafts.txt`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from returns.result import Success
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from adapters.sqlalchemy.migrate import upgrade
from adapters.sqlalchemy.repositories.patient_rows import PatientCodec
from adapters.sqlalchemy.tables import patient_insurances, patients
from benchmarks.ivr_data import write_ivrs
from benchmarks.synthetic import patient_input
from entrypoints.container import Container, build_container
from entrypoints.settings import load_settings
from ivr_domain.identity.model import Assignment, AssignmentKind, Practice, User
from ivr_domain.patients.model import Patient
from ivr_domain.patients.validation import parse_patient
from ivr_domain.shared.actor import SYSTEM_USER_ID, Role
from ivr_domain.shared.ids import AssignmentId, PatientId, PracticeId, UserId, new_id, uuid7
from ivr_domain.shared.values import Email

DEFAULT_PASSWORD = "bench-password-2026"
DOMAIN = "bench.example.org"
LIST_PRACTICE = "Bench List Clinic"
INTAKE_PRACTICE = "Bench Intake Clinic"
HISTORY_DAYS = 3 * 365
SUBMIT_DRAFTS = "submit-drafts.txt"  # the drafts submit-approve walks, one id a line


@contextmanager
def phase(name: str, timings: dict[str, float]) -> Iterator[None]:
    """Time a phase and print it when it ends."""
    started = time.perf_counter()
    print(f"{name} ...", flush=True)
    yield
    timings[name] = round(time.perf_counter() - started, 2)
    print(f"{name}: {timings[name]:.2f} s", flush=True)


def fresh_database(url: str) -> None:
    """Drop and create the PostgreSQL database of `url`, or delete the SQLite file."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            for suffix in ("", "-wal", "-shm"):
                Path(parsed.database + suffix).unlink(missing_ok=True)
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        return
    name = parsed.database or ""
    if "bench" not in name:
        raise SystemExit(f"refusing to drop database {name!r}: only a database named *bench* is recreated")
    admin = create_engine(
        parsed.set(drivername="postgresql+psycopg", database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


def _user(role: Role, email: str, name: str, password_hash: str, *, now: datetime, practice: PracticeId | None) -> User:
    return User(
        id=UserId(new_id()),
        email=Email(email),
        name=name,
        role=role,
        password_hash=password_hash,
        practice_id=practice,
        created_at=now,
        updated_at=now,
        password_changed_at=now,
    )


def _assignment(kind: AssignmentKind, manager: UserId, now: datetime, **member: Any) -> Assignment:
    return Assignment(
        id=AssignmentId(new_id()),
        kind=kind,
        manager_id=manager,
        effective_from=now,
        assigned_by=SYSTEM_USER_ID,
        **member,
    )


def identity(platform: Container, practice_count: int, password: str) -> dict[str, Any]:
    """Write practices, every role's accounts and the sales hierarchy in one transaction; return the roster."""
    password_hash = platform.hasher().hash(password)
    now = platform.clock().now()
    names = [LIST_PRACTICE, INTAKE_PRACTICE, *(f"Bench Practice {i:04d}" for i in range(2, practice_count))]
    practices = [Practice(id=PracticeId(new_id()), name=n, created_at=now, updated_at=now) for n in names]
    accounts: list[User] = []

    def account(role: Role, email: str, name: str, practice: PracticeId | None = None) -> User:
        user = _user(role, f"{email}@{DOMAIN}", name, password_hash, now=now, practice=practice)
        accounts.append(user)
        return user

    for i in range(2):
        account(Role.ADMIN, f"admin-{i}", f"Admin {i}")
        account(Role.LOGISTICS, f"logistics-{i}", f"Logistics {i}")
    staff = [account(Role.IVR_STAFF, f"staff-{i}", f"Verifier {i}") for i in range(5)]
    doctors = [account(Role.DOCTOR, f"doctor-{i:04d}", f"Dr. Bench {i:04d}", p.id) for i, p in enumerate(practices)]
    for i in range(2):
        account(Role.DOCTOR, f"nurse-{i:04d}", f"Nurse Bench {i:04d}", practices[i].id)
    edges: list[Assignment] = []
    salespeople: list[User] = []
    for m in range(2):
        master = account(Role.MASTER_DISTRIBUTOR, f"master-{m}", f"Master {m}")
        for d in range(3):
            distributor = account(Role.DISTRIBUTOR, f"distributor-{m}-{d}", f"Distributor {m}-{d}")
            edges.append(_assignment(AssignmentKind.DISTRIBUTOR_NETWORK, master.id, now, member_user_id=distributor.id))
            for s in range(3):
                seller = account(Role.SALESPERSON, f"sales-{m}-{d}-{s}", f"Seller {m}-{d}-{s}")
                edges.append(
                    _assignment(AssignmentKind.SALESPERSON_TEAM, distributor.id, now, member_user_id=seller.id)
                )
                salespeople.append(seller)
    # Every practice but the last tenth has a salesperson, so some practices are outside every hierarchy.
    for i, practice in enumerate(practices[: max(1, practice_count * 9 // 10)]):
        manager = salespeople[i % len(salespeople)].id
        edges.append(_assignment(AssignmentKind.DOCTOR_ASSIGNMENT, manager, now, member_practice_id=practice.id))
    with platform.uow() as uow:
        for practice in practices:
            uow.practices.add(practice)
        for user in accounts:
            if not isinstance(uow.users.add(user), Success):
                raise SystemExit(f"could not add {user.email.value}")
        for edge in edges:
            if not isinstance(uow.assignments.add(edge), Success):
                raise SystemExit("could not add an assignment")
        uow.commit()
    by_role: dict[str, int] = {}
    for user in accounts:
        by_role[user.role.value] = by_role.get(user.role.value, 0) + 1
    return {
        "practices": practices,
        "doctors": doctors,
        "staff": staff,
        "accounts_by_role": by_role,
        "assignments": len(edges),
    }


def practice_plan(rng: random.Random, count: int, practice_total: int, list_share: float) -> list[int]:
    """Return how many patients each practice gets: a fixed share for the first, the rest spread unevenly."""
    first = round(count * list_share) if practice_total > 1 else count
    weights = [rng.uniform(0.2, 1.8) for _ in range(practice_total - 1)]
    rest = count - first
    total = sum(weights) or 1.0
    sizes = [int(rest * w / total) for w in weights]
    if sizes:
        sizes[0] += rest - sum(sizes)
    return [first, *sizes]


def patient_rows(
    platform: Container,
    codec: PatientCodec,
    rng: random.Random,
    *,
    practice: PracticeId,
    creator: UserId,
    now: datetime,
) -> tuple[Patient, dict[str, Any], list[dict[str, Any]]]:
    """Validate a fictional patient as the core does, and encrypt it as the SQL adapter does."""
    today = now.date()
    details = parse_patient(patient_input(rng, today), platform.phones(), today).unwrap()
    created = now - timedelta(seconds=rng.randint(60, HISTORY_DAYS * 86_400))
    patient = Patient(
        id=PatientId(uuid7(int(created.timestamp() * 1000))),
        practice_id=practice,
        name=details.name,
        date_of_birth=details.date_of_birth,
        sex=details.sex,
        phone=details.phone,
        email=details.email,
        address=details.address,
        insurances=details.insurances,
        archived=rng.random() < 0.02,
        ivr_submitted=rng.random() < 0.3,
        created_by=creator,
        created_at=created,
        updated_at=created,
    )
    return patient, codec.patient_values(patient), [codec.insurance_values(patient.id, i) for i in patient.insurances]


def write_patients(
    platform: Container,
    plan: list[tuple[PracticeId, UserId, int]],
    batch: int,
    seed: int,
    keep: list[Patient] | None = None,
) -> int:
    """Insert the planned patients in batches, one transaction per batch; return how many insurances.

    The patients are appended to `keep` when the IVRs generated next need them (their snapshots).
    """
    codec = PatientCodec(platform.cipher(), platform.blind_index())
    rng = random.Random(seed)
    now = datetime.now(UTC)
    work = [(practice, creator) for practice, creator, n in plan for _ in range(n)]
    rng.shuffle(work)
    engine = platform.engine()
    total, insurances, started = len(work), 0, time.perf_counter()
    for start in range(0, total, batch):
        rows, coverage = [], []
        for practice, creator in work[start : start + batch]:
            patient, row, ins = patient_rows(platform, codec, rng, practice=practice, creator=creator, now=now)
            rows.append(row)
            if keep is not None:
                keep.append(patient)
            coverage.extend(ins)
        with engine.begin() as connection:
            connection.execute(patients.insert(), rows)
            connection.execute(patient_insurances.insert(), coverage)
        insurances += len(coverage)
        done = start + len(rows)
        if done % (batch * 10) == 0 or done == total:
            rate = done / (time.perf_counter() - started)
            print(f"  {done:>9,} / {total:,} patients ({rate:,.0f}/s)", flush=True)
    return insurances


def analyze(platform: Container) -> None:
    """Refresh planner statistics, as autovacuum would on a database in steady use."""
    engine = platform.engine()
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))


def main(argv: list[str] | None = None) -> None:
    """Generate a fresh benchmark database and its manifest."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--data-dir", type=Path, default=Path("var/bench"), help="keys and manifest live here")
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--practices", type=int, default=200)
    parser.add_argument(
        "--list-share", type=float, default=0.05, help="share of patients in the list doctor's practice"
    )
    parser.add_argument("--ivrs", type=int, default=0, help="IVRs in a realistic status mix (benchmarks.ivr_data)")
    parser.add_argument(
        "--submit-drafts", type=int, default=None, help="complete drafts for submit-approve (10,000 with --ivrs)"
    )
    parser.add_argument("--batch", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--password", default=DEFAULT_PASSWORD)
    args = parser.parse_args(argv)
    if args.practices < 2:
        parser.error("--practices must be at least 2 (the list practice and the intake practice)")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    (args.data_dir / "manifest.json").unlink(missing_ok=True)
    env = {**os.environ, "IVR_DATABASE_URL": args.database_url, "IVR_DATA_DIR": str(args.data_dir)}
    platform = build_container(load_settings(env))
    with phase("fresh database", timings):
        fresh_database(args.database_url)
    with phase("migrate", timings):
        upgrade(args.database_url)
    with phase("practices, accounts, hierarchy", timings):
        roster = identity(platform, args.practices, args.password)
    rng = random.Random(args.seed)
    sizes = practice_plan(rng, args.patients, args.practices, args.list_share)
    doctors: list[User] = roster["doctors"]
    plan = [(d.practice_id, d.id, n) for d, n in zip(doctors, sizes, strict=True) if d.practice_id is not None]
    drafts = args.submit_drafts if args.submit_drafts is not None else (10_000 if args.ivrs else 0)
    kept: list[Patient] | None = [] if args.ivrs or drafts else None
    with phase(f"{args.patients:,} patients", timings):
        insurances = write_patients(platform, plan, args.batch, args.seed, kept)
    ivr_counts: dict[str, int] = {}
    if kept is not None:
        with phase(f"{args.ivrs + drafts:,} IVRs", timings):
            ivr_counts, pool_ids = write_ivrs(
                platform,
                kept,
                count=args.ivrs,
                drafts=drafts,
                pool_practice=plan[1][0],
                staff=[u.id for u in roster["staff"]],
                doctors={
                    d.practice_id: d.id for d in doctors if d.practice_id is not None and "nurse" not in d.email.value
                },
                seed=args.seed,
                batch=args.batch,
            )
        (args.data_dir / SUBMIT_DRAFTS).write_text("".join(f"{ivr_id}\n" for ivr_id in pool_ids))
    with phase("analyze", timings):
        analyze(platform)
    platform.engine().dispose()
    elapsed = round(time.perf_counter() - started, 2)
    manifest = {
        "database_url": args.database_url,
        "generated_at": datetime.now(UTC).isoformat(),
        "patients": args.patients,
        "insurances": insurances,
        "practices": args.practices,
        "accounts_by_role": roster["accounts_by_role"],
        "assignments": roster["assignments"],
        "password": args.password,
        "password_hashing": platform.settings().password_hashing,
        "list_doctor": {"email": doctors[0].email.value, "practice": LIST_PRACTICE, "patients": sizes[0]},
        "create_doctor": {"email": doctors[1].email.value, "practice": INTAKE_PRACTICE, "patients": sizes[1]},
        # The IVR scenarios: the list doctor's practice holds its share of the IVRs; staff-0 reads the queue;
        # doctor-0001 submits the intake practice's drafts, which staff-1 takes into review and approves.
        "ivrs": args.ivrs,
        "ivrs_by_status": ivr_counts,
        "submit_drafts": drafts,
        "queue_staff": {"email": roster["staff"][0].email.value},
        "submit_doctor": {"email": doctors[1].email.value, "practice": INTAKE_PRACTICE},
        "reviewer": {"email": roster["staff"][1].email.value},
        "seconds": timings | {"total": elapsed},
    }
    (args.data_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    rate = args.patients / timings[f"{args.patients:,} patients"] if args.patients else 0
    print(
        f"generated {args.patients:,} patients ({insurances:,} insurances, {rate:,.0f} patients/s), "
        f"{sum(roster['accounts_by_role'].values())} accounts, {args.practices} practices in {elapsed:.1f} s; "
        f"list doctor {doctors[0].email.value} ({sizes[0]:,} patients in {LIST_PRACTICE})"
    )


if __name__ == "__main__":
    main()
