"""The audit chain reports exactly the tampering done to it, step after random step.

Entries are appended and sealed in random batches (a sealer may also "crash" between its commit and its anchor),
then at most once per example a forger with write access to the database, but not the key, edits, re-hashes,
deletes, forges or truncates sealed rows, or damages the anchor file. The model knows the positions, the anchors
and the tampering; every step checks the verifier's counts and the kinds of its findings against it. A forger
deleting an entry also deletes its patient index rows (the foreign key demands it); the index is otherwise left
alone. Appending and sealing go on after the tampering, and must never make the verdict intact again, with one
exception by design: entries sealed after the last anchor (the crash) can be truncated unseen.
"""

from __future__ import annotations

import math
import shutil
import tempfile
import time
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from adapters.files import FileAnchorLog
from adapters.sqlalchemy.tables import audit_log, audit_log_patients
from ivr_domain.admin.audit_chain import AuditSealer, AuditVerifier, Finding
from ivr_domain.admin.ports import Anchor
from ivr_domain.shared.actor import Purpose, Role
from ivr_domain.shared.audit import AuditEntry, Outcome
from ivr_domain.shared.clock import MovableClock
from ivr_domain.shared.ids import AuditId, PatientId, SessionId, UserId, new_id
from tests.contract.conftest import Backend, UowFactory

KEY = b"k" * 32
T0 = datetime(2026, 11, 26, 9, 0, 0, 123456, tzinfo=UTC)
# On PostgreSQL any transaction running on the server, in any database, holds newer entries back from the
# sealer until it ends; the machine waits that long (at most this) before sealing, so sealing is deterministic.
SETTLE_SECONDS = 10
HELD_BACK = (
    sa.select(sa.func.count())
    .select_from(audit_log)
    .where(
        audit_log.c.position.is_(None),
        audit_log.c.xact_id >= sa.text("pg_snapshot_xmin(pg_current_snapshot())::text::bigint"),
    )
)

ACTIONS = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), min_size=1, max_size=64)
ENTRIES = st.lists(
    st.tuples(ACTIONS, st.sampled_from(Outcome), st.lists(st.uuids(), max_size=5, unique=True)),
    min_size=1,
    max_size=4,
)
# Whatever is appended, no line of it reads as an anchor.
GARBAGE = st.one_of(
    st.sampled_from(
        [
            b"not an anchor\n",
            b'{"position": 1e999, "chain_hash": "00", "sealed_at": "2026-11-26T09:00:00+00:00"}\n',
            b'{"position": true, "chain_hash": "00", "sealed_at": "2026-11-26T09:00:00+00:00"}\n',
            b"\xff\xfe",
        ]
    ),
    st.text(min_size=1, max_size=20).filter(str.strip).map(str.encode),
)
SEALINGS = ["seal_one_batch", "seal_everything", "seal_but_die_before_anchoring"]
# Content columns a forger may edit; `patient_ids` alone also makes the patient index disagree.
EDITABLE = ["action", "outcome", "patient_ids", "reason", "at", "is_system"]


class AnchorNotWritten(RuntimeError):
    """The sealer's process died after its commit, before its anchor reached the file."""


class SealerAnchors:
    """The anchor file as the sealer sees it: records what the sealer appends, and can fail one append."""

    def __init__(self, file: FileAnchorLog) -> None:
        self.file = file
        self.appended: list[Anchor] = []
        self.fail_next = False

    def append(self, anchor: Anchor) -> None:
        if self.fail_next:
            self.fail_next = False
            raise AnchorNotWritten
        self.file.append(anchor)
        self.appended.append(anchor)

    def read(self) -> list[Anchor]:
        return self.file.read()


def _entry(n: int, action: str, outcome: Outcome, patients: list[UUID]) -> AuditEntry:
    return AuditEntry(
        id=AuditId(new_id()),
        at=T0 + timedelta(seconds=n, microseconds=n),
        action=action,
        outcome=outcome,
        user_id=UserId(new_id()),
        role=Role.DOCTOR,
        session_id=SessionId(new_id()),
        resource_type="patient",
        resource_id=str(n),
        patient_ids=tuple(PatientId(p) for p in patients),
        changed_fields=("phone",),
        purpose=Purpose.TREATMENT,
        client_address="203.0.113.7",
        user_agent="pytest",
        correlation_id="c0ffee",
    )


def _changed(column: str, value: Any) -> Any:
    """Another value for a content column, never the same one."""
    if column == "action":
        return "x" if value != "x" else "y"
    if column == "outcome":
        return Outcome.DENIED.value if value != Outcome.DENIED.value else Outcome.SUCCESS.value
    if column == "patient_ids":
        return value[1:] if value else [str(new_id())]  # hide an access, or invent one
    if column == "reason":
        return value + "!" if len(value) < 64 else value[:-1]
    if column == "at":
        return value + timedelta(seconds=1)
    return not value


def _batch_heads(head: int, sealed: int, batch: int) -> list[int]:
    """The positions sealing `sealed` entries after `head` anchors: each batch's last."""
    return [min(head + k * batch, head + sealed) for k in range(1, math.ceil(sealed / batch) + 1)]


def _untampered(machine: Any) -> bool:
    """Tamper once, with a sealed entry to tamper with."""
    return not machine.tampered and machine.head > 0


def _untampered_with_two(machine: Any) -> bool:
    """Tamper once, with an entry to delete before the last."""
    return not machine.tampered and machine.head > 1


def _settle(engine: sa.Engine) -> None:
    """Wait until no running transaction holds an unsealed entry back from the sealer (PostgreSQL only)."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while engine.dialect.name == "postgresql" and time.monotonic() < deadline:
        with engine.connect() as db:
            if not db.execute(HELD_BACK).scalar_one():
                return
        time.sleep(0.05)


def _row(db: sa.Connection, position: int) -> dict[str, Any]:
    return dict(db.execute(sa.select(audit_log).where(audit_log.c.position == position)).one()._mapping)


def _forge(db: sa.Connection, position: int, copied: int) -> None:
    """Insert a copy of the row at `copied`, as another entry with its chain value, at `position`."""
    forged = _row(db, copied)
    del forged["seq"]
    forged.update(id=new_id(), patient_ids=[], position=position)
    db.execute(sa.insert(audit_log).values(**forged))


def _delete(engine: sa.Engine, where: sa.ColumnElement[bool]) -> None:
    """Delete entries as a forger must: their patient index rows first, which the foreign key demands."""
    doomed = sa.select(audit_log.c.seq).where(where)
    with engine.begin() as db:
        db.execute(sa.delete(audit_log_patients).where(audit_log_patients.c.audit_seq.in_(doomed)))
        db.execute(sa.delete(audit_log).where(where))


def _machine(backend: Backend) -> type[RuleBasedStateMachine]:
    assert backend.engine is not None
    engine = backend.engine

    class AuditChain(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.uow = backend.fresh()
            self.folder = Path(tempfile.mkdtemp(prefix="audit-chain-"))
            self.anchor_file = self.folder / "anchors.jsonl"
            self.anchors = SealerAnchors(FileAnchorLog(self.anchor_file))
            self.verifier = AuditVerifier(uow=self.uow, key=KEY, anchors=FileAnchorLog(self.anchor_file), batch=3)
            self.appended = 0
            self.sealed_by_sealer = 0
            self.rows = 0  # sealed rows in the table, forged ones included
            self.head = 0  # the highest position in the table
            self.anchored: list[int] = []  # every anchor's position, oldest first
            self.anchors_damaged = False
            self.tampered = False
            self.found: frozenset[Finding] = frozenset()  # what the one tampering must be reported as
            self.tolerated: frozenset[Finding] = frozenset()  # what it may also be reported as
            self.cut: list[int] = []  # positions of anchors whose entries a truncation deleted

        def teardown(self) -> None:
            shutil.rmtree(self.folder, ignore_errors=True)

        def expected(self) -> set[Finding]:
            """The finding kinds the model predicts now."""
            kinds = set(self.found)
            # A cut anchor beyond the head names a position the table no longer holds; one at or below it
            # names a position refilled by later sealing, with another chain value.
            kinds.update(
                Finding.TRUNCATED if position > self.head else Finding.ANCHOR_MISMATCH for position in self.cut
            )
            return kinds

        def tampered_with(self, found: set[Finding], tolerated: frozenset[Finding] = frozenset()) -> None:
            self.tampered, self.found, self.tolerated = True, frozenset(found), tolerated

        def sealer(self, batch: int) -> AuditSealer:
            return AuditSealer(uow=self.uow, key=KEY, anchors=self.anchors, clock=MovableClock(T0), batch=batch)

        def pending(self) -> int:
            return self.appended - self.sealed_by_sealer

        def sealed(self, count: int, anchors: list[int], batch: int | None) -> None:
            """Take `count` newly sealed entries into the model, checking the anchors written for them: one per
            batch of `batch` entries, or none when the sealer died before writing its anchor (`batch` None)."""
            assert anchors == ([] if batch is None else _batch_heads(self.head, count, batch))
            self.head += count
            self.rows += count
            self.sealed_by_sealer += count
            self.anchored += anchors

        # --- what the platform does

        @initialize(
            rounds=st.lists(st.tuples(ENTRIES, st.integers(1, 6), st.sampled_from(SEALINGS)), min_size=1, max_size=4)
        )
        def a_sealed_chain(self, rounds: list[tuple[list[tuple[str, Outcome, list[UUID]]], int, str]]) -> None:
            for entries, batch, sealing in rounds:
                self.append(entries)
                getattr(self, sealing)(batch)

        @rule(entries=ENTRIES)
        def append(self, entries: list[tuple[str, Outcome, list[UUID]]]) -> None:
            with self.uow() as u:
                for action, outcome, patients in entries:
                    self.appended += 1
                    u.audit.append(_entry(self.appended, action, outcome, patients))
                u.commit()

        @rule(batch=st.integers(1, 6))
        def seal_one_batch(self, batch: int) -> None:
            expected, before = min(batch, self.pending()), len(self.anchors.appended)
            _settle(engine)
            result = self.sealer(batch).seal_batch()
            assert (result.busy, result.sealed) == (False, expected)
            assert (result.head.position if result.head else 0) == self.head + expected
            self.sealed(expected, [a.position for a in self.anchors.appended[before:]], batch=batch)

        @rule(batch=st.integers(1, 6))
        def seal_everything(self, batch: int) -> None:
            expected, before = self.pending(), len(self.anchors.appended)
            _settle(engine)
            assert self.sealer(batch).seal_all() == expected
            self.sealed(expected, [a.position for a in self.anchors.appended[before:]], batch=batch)

        @rule(batch=st.integers(1, 6))
        def seal_but_die_before_anchoring(self, batch: int) -> None:
            expected = min(batch, self.pending())
            _settle(engine)
            self.anchors.fail_next = bool(expected)
            with pytest.raises(AnchorNotWritten) if expected else nullcontext():
                self.sealer(batch).seal_batch()
            self.sealed(expected, [], batch=None)

        # --- what a forger does, once per example, to sealed entries or the anchors

        @precondition(_untampered)
        @rule(data=st.data())
        def edit_an_entry(self, data: st.DataObject) -> None:
            position = data.draw(st.integers(1, self.head), label="position")
            column = data.draw(st.sampled_from(EDITABLE), label="column")
            with engine.begin() as db:
                value = _row(db, position)[column]
                db.execute(
                    sa.update(audit_log)
                    .where(audit_log.c.position == position)
                    .values({column: _changed(column, value)})
                )
            index = frozenset({Finding.INDEX_MISMATCH}) if column == "patient_ids" else frozenset()
            self.tampered_with({Finding.ALTERED}, tolerated=index)

        @precondition(_untampered)
        @rule(data=st.data())
        def change_a_chain_value(self, data: st.DataObject) -> None:
            position = data.draw(st.integers(1, self.head), label="position")
            with engine.begin() as db:
                old = _row(db, position)["chain_hash"]
                new = ("1" if old[0] == "0" else "0") + old[1:]
                db.execute(sa.update(audit_log).where(audit_log.c.position == position).values(chain_hash=new))
            self.tampered_with({Finding.ALTERED} | ({Finding.ANCHOR_MISMATCH} if position in self.anchored else set()))

        @precondition(_untampered_with_two)
        @rule(data=st.data())
        def delete_an_entry_in_the_middle(self, data: st.DataObject) -> None:
            position = data.draw(st.integers(1, self.head - 1), label="position")
            _delete(engine, audit_log.c.position == position)
            self.rows -= 1
            # The gap, and the next entry, whose chain value was computed from the deleted one's.
            self.tampered_with({Finding.MISSING, Finding.ALTERED})

        @precondition(_untampered)
        @rule(data=st.data())
        def truncate_the_tail(self, data: st.DataObject) -> None:
            count = data.draw(st.integers(1, self.head), label="count")
            _delete(engine, audit_log.c.position > self.head - count)
            self.head -= count
            self.rows -= count
            self.cut = [position for position in self.anchored if position > self.head]
            self.tampered_with(set())  # the cut anchors tell, if any: entries sealed after the last anchor go unseen

        @precondition(_untampered)
        @rule(data=st.data())
        def forge_an_entry_after_the_head(self, data: st.DataObject) -> None:
            copied = data.draw(st.integers(1, self.head), label="copied")
            gap = data.draw(st.integers(0, 2), label="gap")
            with engine.begin() as db:
                _forge(db, self.head + 1 + gap, copied)
            self.tampered_with({Finding.ALTERED} | ({Finding.MISSING} if gap else set()))
            self.head += 1 + gap
            self.rows += 1

        @precondition(_untampered)
        @rule(data=st.data())
        def forge_an_entry_in_the_middle(self, data: st.DataObject) -> None:
            position = data.draw(st.integers(1, self.head), label="position")
            with engine.begin() as db:
                # Make room by moving the later entries up one by one (positions are unique), then copy in.
                for moved in range(self.head, position - 1, -1):
                    db.execute(sa.update(audit_log).where(audit_log.c.position == moved).values(position=moved + 1))
                _forge(db, position, position + 1)
            # Every moved entry breaks the chain (its position is hashed in); the copy keeps the chain value
            # anchored at its position, but the anchors above it now name other chain values.
            moved_anchor = any(position < anchor <= self.head for anchor in self.anchored)
            self.tampered_with({Finding.ALTERED} | ({Finding.ANCHOR_MISMATCH} if moved_anchor else set()))
            self.head += 1
            self.rows += 1

        @precondition(_untampered)
        @rule(data=st.data())
        def forge_an_entry_before_the_first(self, data: st.DataObject) -> None:
            position = data.draw(st.integers(-2, 0), label="position")
            with engine.begin() as db:
                _forge(db, position, 1)
            # A position behind the walk is an inserted row, and no chain value the forger can compute holds
            # there; the genuine chain from 1 up is walked as before, so nothing else is reported.
            self.tampered_with({Finding.ALTERED, Finding.DUPLICATE})
            self.rows += 1

        @precondition(_untampered)
        @rule(data=st.data())
        def damage_the_anchor_file(self, data: st.DataObject) -> None:
            with self.anchor_file.open("ab") as anchors:
                anchors.write(data.draw(GARBAGE, label="garbage"))
            self.anchors_damaged = True
            self.tampered_with({Finding.ANCHORS_UNREADABLE})

        @precondition(_untampered)
        @rule(data=st.data())
        def forge_a_repeated_position(self, data: st.DataObject) -> None:
            position = data.draw(st.integers(1, self.head), label="position")
            with pytest.raises(sa.exc.IntegrityError), engine.begin() as db:
                _forge(db, position, position)
            # Refused by the table's unique position: nothing was tampered with.

        # --- what the verifier must say

        @invariant()
        def the_verdict_matches_the_model(self) -> None:
            report = self.verifier.verify()
            kinds = {problem.finding for problem in report.problems}
            expected = self.expected()
            assert expected <= kinds <= expected | self.tolerated, report.problems
            assert report.intact == (not expected)
            assert (report.sealed, report.unsealed, report.head) == (self.rows, self.pending(), self.head)
            assert report.anchors == (0 if self.anchors_damaged else len(self.anchored))
            if not self.tampered:
                assert report.sealed + report.unsealed == self.appended
                assert report.head == report.sealed

        @invariant()
        def the_anchor_file_holds_every_anchor_written(self) -> None:
            if not self.anchors_damaged:
                assert [a.position for a in FileAnchorLog(self.anchor_file).read()] == self.anchored

    return AuditChain


# Tampering is done to stored rows: the memory adapter has none, so these run on the databases.
SQL = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.mark.parametrize("backend", SQL, indirect=True)
def test_the_verifier_reports_exactly_the_tampering_done(backend: Backend) -> None:
    run_state_machine_as_test(
        _machine(backend),
        settings=settings(
            max_examples=20, stateful_step_count=25, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )


# Two cases the machine finds only now and then in its twenty examples, pinned down.


def _sealed_chain(backend: Backend, tmp_path: Path, count: int) -> tuple[AuditSealer, AuditVerifier, sa.Engine]:
    assert backend.engine is not None
    uow, anchors = backend.fresh(), FileAnchorLog(tmp_path / "anchors.jsonl")
    sealer = AuditSealer(uow=uow, key=KEY, anchors=anchors, clock=MovableClock(T0))
    _append_and_seal(uow, sealer, backend.engine, count)
    return sealer, AuditVerifier(uow=uow, key=KEY, anchors=anchors), backend.engine


def _append_and_seal(uow: UowFactory, sealer: AuditSealer, engine: sa.Engine, count: int) -> None:
    with uow() as u:
        for n in range(count):
            u.audit.append(_entry(n, "patients.read", Outcome.SUCCESS, []))
        u.commit()
    _settle(engine)
    assert sealer.seal_all() == count


def _kinds(verifier: AuditVerifier) -> set[Finding]:
    return {problem.finding for problem in verifier.verify().problems}


@pytest.mark.parametrize("backend", SQL, indirect=True)
def test_an_entry_forged_before_the_first_position_is_reported(backend: Backend, tmp_path: Path) -> None:
    _, verifier, engine = _sealed_chain(backend, tmp_path, 2)
    with engine.begin() as db:
        _forge(db, 0, 1)  # the audit search shows it like any genuine entry
    assert _kinds(verifier) == {Finding.ALTERED, Finding.DUPLICATE}


@pytest.mark.parametrize("backend", SQL, indirect=True)
def test_a_truncated_tail_stays_reported_once_its_positions_are_sealed_again(backend: Backend, tmp_path: Path) -> None:
    sealer, verifier, engine = _sealed_chain(backend, tmp_path, 1)
    _delete(engine, audit_log.c.position == 1)
    assert _kinds(verifier) == {Finding.TRUNCATED}
    # The next entry is sealed at the same position and anchored there: two anchors name position 1.
    _append_and_seal(sealer.uow, sealer, engine, 1)
    assert _kinds(verifier) == {Finding.ANCHOR_MISMATCH}
