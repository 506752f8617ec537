"""Typed identifiers: time-ordered UUIDs (version 7) behind a NewType per entity."""

from __future__ import annotations

import os
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

_VERSION_7 = 0x7000
_VARIANT_RFC4122 = 0x8000000000000000


def uuid7(unix_ms: int | None = None) -> UUID:
    """Return an RFC 9562 version 7 UUID: 48 bits of Unix milliseconds, then randomness."""
    ms = time.time_ns() // 1_000_000 if unix_ms is None else unix_ms
    rand = int.from_bytes(os.urandom(10), "big")
    rand_a = (rand >> 62) & 0x0FFF
    rand_b = rand & 0x3FFFFFFFFFFFFFFF
    value = (ms & 0xFFFFFFFFFFFF) << 80 | (_VERSION_7 | rand_a) << 64 | _VARIANT_RFC4122 | rand_b
    return UUID(int=value)


def new_id() -> UUID:
    """Return a fresh time-ordered id for any entity."""
    return uuid7()
