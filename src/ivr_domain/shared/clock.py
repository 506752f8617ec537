"""The Clock port and its system implementation; dates compare in the platform's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Protocol

from attrs import define


class Clock(Protocol):
    """Tells the time; the only way the core learns what time it is."""

    def now(self) -> datetime:
        """Return the current UTC-aware instant."""
        ...

    def today(self) -> date:
        """Return today's date in the platform's time zone."""
        ...


@define(frozen=True)
class SystemClock:
    """The wall clock."""

    zone: tzinfo = UTC

    def now(self) -> datetime:
        """Return the current UTC-aware instant."""
        return datetime.now(UTC)

    def today(self) -> date:
        """Return today's date in the platform's time zone."""
        return datetime.now(self.zone).date()


@define
class MovableClock:
    """A clock that stands still until moved: for tests, demos and replays."""

    current: datetime
    zone: tzinfo = UTC

    def now(self) -> datetime:
        """Return the instant the clock was set to."""
        return self.current

    def today(self) -> date:
        """Return the date of that instant in the platform's time zone."""
        return self.current.astimezone(self.zone).date()

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward."""
        self.current = self.current + delta
