"""The app one server process serves: built, its code sets loaded, its start-up heap settled.

`ivr serve` builds it in its own process; with several workers, uvicorn calls `worker_app` in each one.
"""

from __future__ import annotations

import gc

from litestar import Litestar

from entrypoints.container import Container, build_container
from entrypoints.http.app import create_app
from entrypoints.settings import load_settings

# Allocations (net of frees) between two young-generation collections; Python's default is 700.
GC_YOUNG_THRESHOLD = 10_000


def settle_heap() -> None:
    """Take what start-up built (modules, the app, its schema, code sets) out of the garbage collector's sight.

    A full collection walks every tracked object; with everything the server loads that took about 100 ms,
    and under load the objects of requests in flight, promoted collection after collection, started one
    every second or two: the 100 ms latency spikes and nearly a tenth of the CPU (docs/benchmarks.md).
    Frozen objects are never collected again, so this runs once, when start-up garbage is gone. A request
    allocates thousands of objects, nearly all freed by reference counting; collecting the young generation
    every 700 net allocations caught the objects of requests in flight and promoted them for nothing.
    """
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


def serving_app(container: Container) -> Litestar:
    """Return the HTTP app of a container, ready to serve: code sets loaded, heap settled."""
    app = create_app(container)
    container.code_sets().load()
    settle_heap()
    return app


def worker_app() -> Litestar:
    """Return the app of one of several server processes (uvicorn's factory): settings from the environment."""
    return serving_app(build_container(load_settings()))
