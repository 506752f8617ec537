"""Serving the HTTP API."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.settings import load_settings


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default IVR_HOST or 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (default IVR_PORT or 8000).")] = None,
) -> None:
    """Serve the HTTP API until interrupted."""
    settings = load_settings()
    bind_host = host or settings.http.host
    bind_port = port or settings.http.port
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = create_app(build_container(settings))
    typer.echo(f"IVR platform API on http://{bind_host}:{bind_port}  (docs: http://{bind_host}:{bind_port}/schema)")
    uvicorn.run(app, host=bind_host, port=bind_port, access_log=False, log_config=None, server_header=False)
