"""Liveness and readiness, without authentication and without PHI."""

from __future__ import annotations

from collections.abc import Callable

import msgspec
from attrs import frozen
from litestar import Controller, Response, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import SkipValidation


@frozen
class Readiness:
    """The container's readiness check: database reachable and migrations current."""

    check: Callable[[], tuple[bool, str]]


class HealthOut(msgspec.Struct, kw_only=True):
    """Whether the process (or its dependencies) can serve."""

    status: str
    detail: str | None = None


class HealthController(Controller):
    """Probes for orchestrators and load balancers."""

    path = "/health"
    tags = ["health"]

    @get("/live")
    async def live(self) -> HealthOut:
        """Answer while the process is up."""
        return HealthOut(status="ok")

    @get(
        "/ready", sync_to_thread=True, responses={503: ResponseSpec(data_container=HealthOut, description="Not ready")}
    )
    def ready(self, *, readiness: SkipValidation[Readiness]) -> Response[HealthOut]:
        """Answer 200 when the database is reachable and migrations are current, else 503."""
        is_ready, detail = readiness.check()
        if is_ready:
            return Response(HealthOut(status="ok", detail=detail))
        return Response(HealthOut(status="unavailable", detail=detail), status_code=503, headers={"Retry-After": "5"})
