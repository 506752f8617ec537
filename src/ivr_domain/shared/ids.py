"""Typed identifiers: time-ordered UUIDs (version 7) behind a NewType per entity."""

from __future__ import annotations

import os
import threading
import time
from typing import NewType
from uuid import UUID

UserId = NewType("UserId", UUID)
PracticeId = NewType("PracticeId", UUID)
PatientId = NewType("PatientId", UUID)
SessionId = NewType("SessionId", UUID)
AssignmentId = NewType("AssignmentId", UUID)
EventId = NewType("EventId", UUID)
AuditId = NewType("AuditId", UUID)
DocumentId = NewType("DocumentId", UUID)
NotificationId = NewType("NotificationId", UUID)
IvrId = NewType("IvrId", UUID)
IvrHistoryId = NewType("IvrHistoryId", UUID)
IvrTemplateId = NewType("IvrTemplateId", UUID)
JustificationId = NewType("JustificationId", UUID)

_VERSION_7 = 0x7000
_VARIANT_RFC4122 = 0x8000000000000000
_COUNTER_MAX = 0x0FFF

# RFC 9562 method 1: within one millisecond the 12 `rand_a` bits count up, so the ids this process
# makes sort in the order it made them (history rows written in one instant keep their order).
_lock = threading.Lock()
_last_ms = 0
_counter = 0


def _next_tick() -> tuple[int, int]:
    global _last_ms, _counter  # noqa: PLW0603 - the process-wide monotonic state RFC 9562 describes
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms > _last_ms:
            _last_ms, _counter = ms, int.from_bytes(os.urandom(2), "big") & 0x07FF  # room to count up
        elif _counter < _COUNTER_MAX:
            _counter += 1
        else:
            _last_ms, _counter = _last_ms + 1, 0
        return _last_ms, _counter


def uuid7(unix_ms: int | None = None) -> UUID:
    """Return an RFC 9562 version 7 UUID: 48 bits of Unix milliseconds, a counter, then randomness.

    Without `unix_ms` the ids of this process increase strictly; with it, the 12 counter bits are random.
    """
    if unix_ms is None:
        ms, rand_a = _next_tick()
    else:
        ms, rand_a = unix_ms, int.from_bytes(os.urandom(2), "big") & _COUNTER_MAX
    rand_b = int.from_bytes(os.urandom(8), "big") & 0x3FFFFFFFFFFFFFFF
    value = (ms & 0xFFFFFFFFFFFF) << 80 | (_VERSION_7 | rand_a) << 64 | _VARIANT_RFC4122 | rand_b
    return UUID(int=value)


def new_id() -> UUID:
    """Return a fresh time-ordered id for any entity."""
    return uuid7()
