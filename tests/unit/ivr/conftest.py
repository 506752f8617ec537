"""Fixtures of the IVR tests: the platform's clock stands at the builders' NOW, and a world to act in."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.platform import Platform, memory_platform
from tests.unit.ivr.builders import NOW
from tests.unit.ivr.world import World, build_world


@pytest.fixture
def platform(tmp_path: Path) -> Platform:
    """A platform on the memory profile whose clock stands at the builders' NOW."""
    return memory_platform(tmp_path, now=NOW)


@pytest.fixture
def world(platform: Platform) -> World:
    """Everyone of `world.PEOPLE`, the sales chain over the doctor's practice, and one patient."""
    return build_world(platform)
