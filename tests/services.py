"""Skipping or failing when a service a suite needs is not reachable."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def require_or_skip(name: str, reason: str) -> NoReturn:
    """Skip the test for a missing service, or fail it when IVR_REQUIRE_SERVICES=1 (CI)."""
    message = f"{name} unavailable: {reason}"
    if os.environ.get("IVR_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message} (IVR_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(message)
