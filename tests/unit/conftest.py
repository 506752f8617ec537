"""Fixtures for the core's unit tests: the real container on the memory profile, a movable clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.platform import Platform, memory_platform


@pytest.fixture
def platform(tmp_path: Path) -> Platform:
    """A platform on the memory profile whose clock stands at 2026-11-25 09:00 UTC."""
    return memory_platform(tmp_path, now=datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
