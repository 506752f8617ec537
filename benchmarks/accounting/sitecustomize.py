"""CPU accounting inside the benchmarked server, loaded only when asked for (docs/benchmarks.md).

    PYTHONPATH=benchmarks/accounting BENCH_DURATION=10s benchmarks/run list postgresql
    grep '"account"' var/bench/postgresql/server.log

Python imports `sitecustomize` at start-up from the path, so the server started by benchmarks/run loads
this file (its environment passes through). It wraps a few functions to add up the CPU time of the thread
that runs them, and times garbage collections; at exit it writes one JSON line per item to stderr (the
server log). The server's total CPU per request, printed by benchmarks/run, is the sum to compare with.
Sampling profilers disagreed with these direct readings here (py-spy attributed 9-15% to msgspec encoding,
which costs 0.09 ms of 3.5 ms), so the stage figures come from this.
"""

from __future__ import annotations

import atexit
import gc
import json
import sys
import time
from collections.abc import Callable
from typing import Any

_totals: dict[str, list[float]] = {}


def _add(label: str, seconds: float) -> None:
    entry = _totals.setdefault(label, [0, 0.0, 0.0])
    entry[0] += 1
    entry[1] += seconds
    entry[2] = max(entry[2], seconds)


def _wrap(owner: Any, name: str, label: str) -> None:
    original: Callable[..., Any] = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return original(*args, **kwargs)
        finally:
            _add(label, time.thread_time() - started)

    setattr(owner, name, timed)


_collecting: dict[int, float] = {}
_frozen: list[bool] = []


def _collections(phase: str, info: dict[str, Any]) -> None:
    # Start-up (imports, `settle_heap`'s own collection) is left out: only the server's steady state counts.
    # `get_freeze_count` walks the whole frozen generation, so it is asked only until the freeze happened.
    if not _frozen:
        if not gc.get_freeze_count():
            return
        _frozen.append(True)
    generation = info["generation"]
    if phase == "start":
        _collecting[generation] = time.perf_counter()
    elif generation in _collecting:
        _add(f"gc generation {generation} (wall)", time.perf_counter() - _collecting.pop(generation))


def _report() -> None:
    for label, (calls, seconds, longest) in sorted(_totals.items()):
        line = {"event": "account", "what": label, "calls": int(calls), "total_ms": round(seconds * 1000, 1)}
        line |= {"per_call_ms": round(seconds * 1000 / max(calls, 1), 3), "longest_ms": round(longest * 1000, 2)}
        sys.stderr.write(json.dumps(line) + "\n")


def _install() -> None:
    # Imported here, not at the top: this module loads first in every process on the path.
    from litestar.response.base import Response  # noqa: PLC0415

    from ivr_domain.admin.audit_chain import AuditSealer  # noqa: PLC0415
    from ivr_domain.patients.use_cases._reads import ListPatientsHandler  # noqa: PLC0415
    from ivr_domain.patients.use_cases._writes import CreatePatientHandler  # noqa: PLC0415

    _wrap(ListPatientsHandler, "__call__", "list use case (list, audit, commit, projection)")
    _wrap(CreatePatientHandler, "__call__", "create use case")
    _wrap(AuditSealer, "seal_all", "audit sealer pass")
    _wrap(Response, "to_asgi_response", "response rendering (msgspec encoding included)")
    gc.callbacks.append(_collections)
    atexit.register(_report)


# Every Python process benchmarks/run starts sees the path; only the server (`ivr serve`) is accounted.
if "serve" in sys.argv[1:2]:
    _install()
