"""Correct `Allow` on automatic OPTIONS answers.

Litestar 2.25 builds a path's OPTIONS handler with the methods known when the path's first handler was registered, so
a controller with GET and PUT on one path answers `Allow: GET, OPTIONS`; this wrapper writes the route's full set.
"""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.types import ASGIApp, Message, Receive, Scope, Send

_TYPED_PARAMETER = re.compile(r"\{(\w+):\w+\}")


class AllowHeaderFix:
    """Rewrites `Allow` on OPTIONS responses from the route table."""

    def __init__(self, app: ASGIApp, litestar: Litestar) -> None:
        self.app = app
        self.allowed = {
            _TYPED_PARAMETER.sub(r"{\1}", route.path): ", ".join(sorted(route.methods))
            for route in litestar.routes
            if isinstance(route, HTTPRoute)
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, fixing the header of an OPTIONS answer."""
        if scope["type"] != "http" or scope.get("method") != "OPTIONS":  # type: ignore[comparison-overlap]
            await self.app(scope, receive, send)
            return

        async def send_fixed(message: Message) -> None:
            allowed = self.allowed.get(str(scope.get("path_template", "")))
            if message["type"] == "http.response.start" and allowed is not None:
                headers = [h for h in message.get("headers", []) if bytes(h[0]).lower() != b"allow"]
                message["headers"] = [*headers, (b"allow", allowed.encode())]
            await send(message)

        await self.app(scope, receive, send_fixed)
