"""The audit store on every backend: append in the transaction, search, seal into a chain, detect tampering."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
import sqlalchemy as sa

from adapters.files import FileAnchorLog
from adapters.sqlalchemy.tables import audit_log, audit_log_patients
from ivr_domain.admin.audit_chain import AuditSealer, AuditVerifier, Finding
from ivr_domain.admin.ports import AuditQuery
from ivr_domain.shared.actor import Purpose, Role
from ivr_domain.shared.audit import AuditEntry, Outcome
from ivr_domain.shared.clock import MovableClock
from ivr_domain.shared.ids import AuditId, PatientId, SessionId, UserId, new_id
from ivr_domain.shared.paging import PageRequest
from tests.contract.conftest import Backend, UowFactory

KEY = b"k" * 32
T0 = datetime(2026, 11, 26, 9, 0, 0, 123456, tzinfo=UTC)
NEWEST_FIRST = PageRequest(sort="-at", limit=100)


def entry(n: int = 0, **changes: object) -> AuditEntry:
    """Return a fully populated entry, `n` seconds after T0."""
    values: dict[str, object] = {
        "id": AuditId(new_id()),
        "at": T0 + timedelta(seconds=n),
        "action": "patients.read",
        "outcome": Outcome.SUCCESS,
        "user_id": UserId(new_id()),
        "role": Role.DOCTOR,
        "session_id": SessionId(new_id()),
        "resource_type": "patient",
        "resource_id": str(new_id()),
        "patient_ids": (PatientId(new_id()), PatientId(new_id())),
        "changed_fields": ("address", "phone"),
        "reason": "",
        "purpose": Purpose.TREATMENT,
        "client_address": "203.0.113.7",
        "user_agent": "pytest",
        "correlation_id": "c0ffee",
    }
    values.update(changes)
    return AuditEntry(**values)  # type: ignore[arg-type]


def append(uow: UowFactory, *entries: AuditEntry) -> None:
    """Append entries in one committed transaction."""
    with uow() as u:
        for e in entries:
            u.audit.append(e)
        u.commit()


def chain(uow: UowFactory, tmp_path: Path) -> tuple[AuditSealer, AuditVerifier]:
    """A sealer and a verifier sharing one anchor file."""
    anchors = FileAnchorLog(tmp_path / "anchors.jsonl")
    clock = MovableClock(T0)
    return (
        AuditSealer(uow=uow, key=KEY, anchors=anchors, clock=clock, batch=4),
        AuditVerifier(uow=uow, key=KEY, anchors=anchors, batch=3),
    )


def seal_settled(sealer: AuditSealer, expected: int) -> int:
    """Seal until `expected` entries are sealed or ten seconds pass.

    On PostgreSQL the safe horizon is cluster-wide: any transaction still open on the server, in any
    database, holds newer entries back until it ends, so a busy shared server needs a moment.
    """
    sealed, deadline = 0, time.monotonic() + 10
    while True:
        sealed += sealer.seal_all()
        if sealed >= expected or time.monotonic() > deadline:
            return sealed
        time.sleep(0.05)


def test_entries_commit_with_their_transaction_and_read_back_whole(uow: UowFactory) -> None:
    kept = entry(1)
    append(uow, kept)
    with uow() as u:
        u.audit.append(entry(2))  # rolled back: never committed
    with uow() as u:
        found = u.audit_records.search(AuditQuery(), NEWEST_FIRST)
    assert found.items == (kept,)


def test_search_filters_and_pages_newest_first(uow: UowFactory) -> None:
    doctor, patient = UserId(new_id()), PatientId(new_id())
    mine = [entry(n, user_id=doctor, patient_ids=(patient,)) for n in range(5)]
    denied = entry(10, outcome=Outcome.DENIED, reason="not_found", action="patients.update")
    append(uow, *mine, denied, entry(20))
    with uow() as u:
        records = u.audit_records
        assert records.search(AuditQuery(user_id=doctor), NEWEST_FIRST).items == tuple(reversed(mine))
        assert records.search(AuditQuery(patient_id=patient), NEWEST_FIRST).items == tuple(reversed(mine))
        assert records.search(AuditQuery(outcome=Outcome.DENIED), NEWEST_FIRST).items == (denied,)
        assert records.search(AuditQuery(action="patients.update"), NEWEST_FIRST).items == (denied,)
        window = AuditQuery(since=T0 + timedelta(seconds=1), until=T0 + timedelta(seconds=3))
        assert records.search(window, NEWEST_FIRST).items == (mine[2], mine[1])
        first = records.search(AuditQuery(user_id=doctor), PageRequest(sort="-at", limit=2))
        assert first.items == (mine[4], mine[3])
        assert first.next_cursor is not None
        rest = records.search(AuditQuery(user_id=doctor), PageRequest(sort="-at", limit=10, cursor=first.next_cursor))
        assert rest.items == (mine[2], mine[1], mine[0])
        assert rest.next_cursor is None


def test_sealing_builds_one_dense_chain_that_verifies(uow: UowFactory, tmp_path: Path) -> None:
    sealer, verifier = chain(uow, tmp_path)
    append(uow, *(entry(n) for n in range(10)))
    assert seal_settled(sealer, 10) == 10
    append(uow, *(entry(n) for n in range(10, 13)))
    assert seal_settled(sealer, 3) == 3
    assert sealer.seal_all() == 0
    report = verifier.verify()
    assert report.intact, report.problems
    assert (report.sealed, report.unsealed, report.head, report.anchors) == (13, 0, 13, 4)
    with uow() as u:
        positions = [s.position for s in u.audit_records.sealed(0, 100)]
    assert positions == list(range(1, 14))


def test_unsealed_entries_are_counted_not_reported(uow: UowFactory, tmp_path: Path) -> None:
    sealer, verifier = chain(uow, tmp_path)
    append(uow, entry(1), entry(2))
    seal_settled(sealer, 2)
    append(uow, entry(3))
    report = verifier.verify()
    assert report.intact
    assert (report.sealed, report.unsealed) == (2, 1)


# SQLite has no try-lock: a second sealer waits for the first one's commit (its busy timeout).
@pytest.mark.parametrize("backend", ["memory", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_a_second_sealer_finds_the_lock_taken_and_seals_nothing(backend: Backend, tmp_path: Path) -> None:
    uow = backend.fresh()
    sealer, _ = chain(uow, tmp_path)
    append(uow, entry(1))
    with uow() as holder:
        assert holder.audit_records.lock_for_sealing()
        busy = sealer.seal_batch()
    assert (busy.busy, busy.sealed) == (True, 0)
    assert seal_settled(sealer, 1) == 1


# Tampering is done to stored rows, so these run on the databases.
SQL = [pytest.param("sqlite"), pytest.param("postgresql", marks=pytest.mark.postgres)]


def _sealed_log(backend: Backend, tmp_path: Path, count: int = 10) -> tuple[sa.Engine, AuditVerifier]:
    uow = backend.fresh()
    sealer, verifier = chain(uow, tmp_path)
    append(uow, *(entry(n) for n in range(count)))
    assert seal_settled(sealer, count) == count
    assert verifier.verify().intact
    assert backend.engine is not None
    return backend.engine, verifier


def _delete(db: sa.Connection, where: sa.ColumnElement[bool]) -> None:
    """Delete entries as a forger would: their patient rows first, which the foreign key demands."""
    doomed = sa.select(audit_log.c.seq).where(where)
    db.execute(sa.delete(audit_log_patients).where(audit_log_patients.c.audit_seq.in_(doomed)))
    db.execute(sa.delete(audit_log).where(where))


def _findings(verifier: AuditVerifier) -> set[tuple[Finding, int]]:
    return {(p.finding, p.position) for p in verifier.verify().problems}


@pytest.mark.parametrize("backend", SQL, indirect=True)
def test_an_edited_entry_is_detected(backend: Backend, tmp_path: Path) -> None:
    engine, verifier = _sealed_log(backend, tmp_path)
    with engine.begin() as db:
        db.execute(sa.update(audit_log).where(audit_log.c.position == 5).values(outcome="denied"))
    assert _findings(verifier) == {(Finding.ALTERED, 5)}


@pytest.mark.parametrize("backend", SQL, indirect=True)
def test_an_entry_inserted_in_the_middle_is_detected(backend: Backend, tmp_path: Path) -> None:
    engine, verifier = _sealed_log(backend, tmp_path)
    with engine.begin() as db:
        forged = db.execute(sa.select(audit_log).where(audit_log.c.position == 5)).one()._asdict()
        # Make room at 6 by moving the later entries up, as a forger must, then put a copy there.
        for position in range(10, 5, -1):
            db.execute(sa.update(audit_log).where(audit_log.c.position == position).values(position=position + 1))
        forged.update(seq=None, id=new_id(), position=6)
        del forged["seq"]
        db.execute(sa.insert(audit_log).values(**forged))
    # Every moved entry breaks the chain (its position is hashed in), and the anchors at 8 and 10 disagree.
    expected = {(Finding.ALTERED, p) for p in range(6, 12)} | {(Finding.ANCHOR_MISMATCH, p) for p in (8, 10)}
    assert _findings(verifier) == expected


@pytest.mark.parametrize("backend", SQL, indirect=True)
def test_a_deleted_entry_is_detected(backend: Backend, tmp_path: Path) -> None:
    engine, verifier = _sealed_log(backend, tmp_path)
    with engine.begin() as db:
        _delete(db, audit_log.c.position == 5)
    assert _findings(verifier) == {(Finding.MISSING, 5), (Finding.ALTERED, 6)}


@pytest.mark.parametrize("backend", SQL, indirect=True)
def test_a_truncated_tail_is_detected_by_the_anchors(backend: Backend, tmp_path: Path) -> None:
    engine, verifier = _sealed_log(backend, tmp_path)
    with engine.begin() as db:
        _delete(db, audit_log.c.position > 7)
    # Batches of four anchor positions 4, 8 and 10: the last two now name entries that are gone.
    assert _findings(verifier) == {(Finding.TRUNCATED, 8), (Finding.TRUNCATED, 10)}


@pytest.mark.parametrize("backend", SQL, indirect=True)
def test_a_damaged_anchor_file_is_reported(backend: Backend, tmp_path: Path) -> None:
    _, verifier = _sealed_log(backend, tmp_path)
    with (tmp_path / "anchors.jsonl").open("a") as anchors:
        anchors.write("not an anchor\n")
    assert (Finding.ANCHORS_UNREADABLE, 0) in _findings(verifier)


Where = sa.ColumnElement[bool]


def _first_index_row(db: sa.Connection, where: Where) -> tuple[int, UUID]:
    """One `audit_log_patients` row of the entry picked by `where`."""
    seq = sa.select(audit_log.c.seq).where(where).scalar_subquery()
    rows = sa.select(audit_log_patients.c.audit_seq, audit_log_patients.c.patient_id)
    audit_seq, patient_id = db.execute(rows.where(audit_log_patients.c.audit_seq == seq).limit(1)).one()
    return audit_seq, patient_id


def _drop_one(db: sa.Connection, where: Where) -> None:
    """Hide one patient's access from the access report."""
    seq, patient_id = _first_index_row(db, where)
    index = audit_log_patients.c
    db.execute(sa.delete(audit_log_patients).where(index.audit_seq == seq, index.patient_id == patient_id))


def _add_one(db: sa.Connection, where: Where) -> None:
    """Make the access report show an access that never happened."""
    seq, _ = _first_index_row(db, where)
    db.execute(sa.insert(audit_log_patients).values(audit_seq=seq, patient_id=new_id(), at=T0))


def _swap_one(db: sa.Connection, where: Where) -> None:
    """Move one access onto another patient."""
    seq, patient_id = _first_index_row(db, where)
    index = audit_log_patients.c
    db.execute(
        sa.update(audit_log_patients)
        .where(index.audit_seq == seq, index.patient_id == patient_id)
        .values(patient_id=new_id())
    )


@pytest.mark.parametrize("backend", SQL, indirect=True)
@pytest.mark.parametrize(
    ("tamper", "lacks", "holds"), [(_drop_one, 1, 0), (_add_one, 0, 1), (_swap_one, 1, 1)], ids=["drop", "add", "swap"]
)
def test_a_tampered_patient_index_is_reported_with_counts_only(
    backend: Backend, tmp_path: Path, tamper: Callable[[sa.Connection, Where], None], lacks: int, holds: int
) -> None:
    engine, verifier = _sealed_log(backend, tmp_path)
    with engine.begin() as db:
        tamper(db, audit_log.c.position == 5)
        entry_id = db.execute(sa.select(audit_log.c.id).where(audit_log.c.position == 5)).scalar_one()
    (problem,) = verifier.verify().problems
    assert (problem.finding, problem.position) == (Finding.INDEX_MISMATCH, 5)
    counts = f"the patient index lacks {lacks} of its patient ids and holds {holds} more"
    assert problem.detail == f"entry {entry_id}: {counts}"  # counts, never a patient id


@pytest.mark.parametrize("backend", SQL, indirect=True)
def test_an_entry_index_is_checked_once_the_entry_is_sealed(backend: Backend, tmp_path: Path) -> None:
    uow = backend.fresh()
    sealer, verifier = chain(uow, tmp_path)
    late = entry(1)
    append(uow, late)
    assert backend.engine is not None
    with backend.engine.begin() as db:
        _drop_one(db, audit_log.c.id == late.id)
    before = verifier.verify()
    assert before.intact
    assert before.unsealed == 1
    assert seal_settled(sealer, 1) == 1
    assert _findings(verifier) == {(Finding.INDEX_MISMATCH, 1)}


def test_entries_naming_none_to_fifty_patients_verify_intact(uow: UowFactory, tmp_path: Path) -> None:
    sealer, verifier = chain(uow, tmp_path)
    counts = [0, 50, 1, 0, 2, 50, 0, 3] * 4  # across many of the verifier's batches of three
    append(uow, *(entry(n, patient_ids=tuple(PatientId(new_id()) for _ in range(k))) for n, k in enumerate(counts)))
    assert seal_settled(sealer, len(counts)) == len(counts)
    report = verifier.verify()
    assert report.intact, report.problems
    assert report.sealed == len(counts)
    with uow() as u:
        sealed = u.audit_records.sealed(0, 100)
    assert [len(s.indexed_patient_ids) for s in sealed] == counts


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_sealing_skips_transactions_still_running_and_takes_them_once_committed(
    backend: Backend, tmp_path: Path
) -> None:
    uow = backend.fresh()
    sealer, verifier = chain(uow, tmp_path)
    slow = entry(1)
    with uow() as open_transaction:
        open_transaction.audit.append(slow)
        append(uow, entry(2))  # committed after `slow` began, with a later transaction id
        assert sealer.seal_all() == 0  # `slow` still runs: nothing at or above its transaction is settled
        open_transaction.commit()
    assert seal_settled(sealer, 2) == 2
    with uow() as u:
        assert u.audit_records.sealed(0, 10)[0].entry == slow
    assert verifier.verify().intact


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_concurrent_writers_and_sealers_never_cause_a_false_alarm(backend: Backend, tmp_path: Path) -> None:
    uow = backend.fresh()
    sealer, verifier = chain(uow, tmp_path)
    writers, per_writer = 6, 25
    stop = threading.Event()
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for n in range(per_writer):
                append(uow, entry(n))
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)

    def seal() -> None:
        try:
            while not stop.is_set():
                sealer.seal_batch()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(writers)]
    sealers = [threading.Thread(target=seal) for _ in range(2)]
    for t in threads + sealers:
        t.start()
    for t in threads:
        t.join(timeout=60)
    stop.set()
    for t in sealers:
        t.join(timeout=60)
    assert not errors
    seal_settled(sealer, writers * per_writer)
    report = verifier.verify()
    assert report.intact, report.problems
    assert (report.sealed, report.unsealed) == (writers * per_writer, 0)
