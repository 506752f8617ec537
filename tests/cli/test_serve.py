"""`ivr serve` as a real process: it answers over HTTP, stops cleanly, and logs JSON lines without PHI."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import pytest
import redis

from entrypoints.cli.commands.demo import DEMO_PASSWORD, PATIENTS
from tests.cli.conftest import Invoke
from tests.services import require_or_skip

REDIS_URL = os.environ.get("IVR_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

# Two workers each import the platform and load its code sets before the first answers: ≈ 5 s on an idle
# machine, past 30 s when other work takes both cores. A slow start is not what these tests examine.
READY_WITHIN_SECONDS = 90.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _ivr_command() -> list[str]:
    script = Path(sys.executable).with_name("ivr")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from entrypoints.cli.main import main; main()"]


def _wait_until_ready(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_WITHIN_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"ivr serve exited with {server.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/health/ready", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"ivr serve was not ready within {READY_WITHIN_SECONDS} s:\n{log.read_text()}")


def _json(line: str) -> object:
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        pytest.fail(f"ivr serve wrote a line that is not JSON: {line!r}")


@contextmanager
def _serving(
    cli_env: dict[str, str], log: Path, *args: str, env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Run `ivr serve ARGS` on a free port until ready; kill it (and any worker left) on the way out."""
    port = _free_port()
    full = {k: v for k, v in os.environ.items() if not k.startswith("IVR_")} | cli_env | {"IVR_PORT": str(port)}
    with log.open("wb") as sink:
        # The command is this checkout's own entry point, not outside input.
        process = subprocess.Popen(  # noqa: S603
            [*_ivr_command(), "serve", *args], env=full | (env or {}), stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_ready(base, process, log)
        yield base, process
    finally:
        children = _children(process.pid)
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        for child in children:
            with suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)


def _children(pid: int) -> list[int]:
    """Return the processes whose parent is `pid` (Linux /proc)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        with suppress(OSError):
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
            if fields.get("PPid", "").strip() == str(pid):
                found.append(int(status.parent.name))
    return found


def _workers(pid: int) -> list[int]:
    """Return the server's worker processes: children started by multiprocessing's spawn (not its resource tracker)."""
    workers = []
    for child in _children(pid):
        with suppress(OSError):
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                workers.append(child)
    return workers


@pytest.fixture
def server(
    ivr: Invoke, seeded: object, cli_env: dict[str, str], tmp_path: Path
) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    """`ivr serve` on a free port over the seeded database: its base URL, process and combined log."""
    log = tmp_path / "server.log"
    with _serving(cli_env, log) as (base, process):
        yield base, process, log


@pytest.mark.slow
def test_serve_answers_stops_cleanly_and_logs_json_without_phi(
    server: tuple[str, subprocess.Popen[bytes], Path],
) -> None:
    base, process, log = server
    with httpx.Client(base_url=base, timeout=5.0) as client:
        login = client.post("/api/v1/auth/login", json={"email": "doctor@demo.example.org", "password": DEMO_PASSWORD})
        assert login.status_code == 200, login.text
        token = login.json()["access_token"]
        patients = client.get("/api/v1/patients", headers={"Authorization": f"Bearer {token}"})
        openapi = client.get("/schema/openapi.json")

    assert patients.status_code == 200, patients.text
    listed = {(p["first_name"], p["last_name"]) for p in patients.json()["items"]}
    assert listed == {(first, last) for first, last, *_, doctor in PATIENTS if doctor == "doctor@demo.example.org"}
    assert openapi.status_code == 200
    assert openapi.json()["openapi"].startswith("3.1.")

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0, log.read_text()

    lines = [line for line in log.read_text().splitlines() if line.strip()]
    records = [_json(line) for line in lines]
    assert all(isinstance(r, dict) for r in records)
    assert not [r for r in records if r.get("level") in ("error", "critical")]
    assert records[-1].get("event", "").startswith("Finished server process")
    assert any(r.get("event") == "serving" for r in records)
    assert any(r.get("event") == "request" and r.get("path") == "/api/v1/patients" for r in records)
    phi = [first for first, *_ in PATIENTS] + [last for _, last, *_ in PATIENTS]
    phi += [member_id for *_, member_id, _ in PATIENTS] + [born.isoformat() for _, _, born, *_ in PATIENTS]
    leaked = [word for word in phi if re.search(rf"\b{re.escape(word)}\b", "\n".join(lines))]
    assert leaked == []


@pytest.mark.parametrize(
    ("args", "env", "public_url"),
    [
        pytest.param(("--host", "192.0.2.10", "--port", "8123"), {}, "http://192.0.2.10:8123", id="both-flags"),
        pytest.param(("--port", "8123"), {"IVR_HOST": "192.0.2.11"}, "http://192.0.2.11:8123", id="port-flag"),
        pytest.param(("--port", "8123"), {"IVR_PUBLIC_URL": "https://ivr.test"}, "https://ivr.test", id="set"),
    ],
)
def test_host_and_port_flags_move_the_default_public_url(
    ivr: Invoke, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], env: dict[str, str], public_url: str
) -> None:
    from entrypoints.cli.commands import server as command
    from entrypoints.container import Container, build_container
    from entrypoints.settings import Settings

    seen: dict[str, object] = {}

    def build(loaded: Settings) -> Container:
        seen["settings"] = loaded
        return build_container(loaded)

    monkeypatch.setattr(command, "build_container", build)
    monkeypatch.setattr(command.uvicorn, "run", lambda _app, **options: seen.update(options))
    monkeypatch.setattr(command.signal, "signal", lambda *_: None)  # the test process keeps its own handlers

    result = ivr("serve", *args, env=env)

    assert result.exit_code == 0, result.output
    loaded = seen["settings"]
    assert isinstance(loaded, Settings)
    assert loaded.http.public_url == public_url
    assert f"http://{seen['host']}:{seen['port']}" == f"http://{loaded.http.host}:{loaded.http.port}"
    assert seen["port"] == 8123


@pytest.mark.slow
def test_workers_share_the_port_and_stop_together(seeded: object, cli_env: dict[str, str], tmp_path: Path) -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        require_or_skip("Redis", str(exc))
    log = tmp_path / "server.log"
    with _serving(cli_env, log, "--workers", "2", env={"IVR_REDIS_URL": REDIS_URL}) as (base, process):
        workers = _workers(process.pid)
        login = httpx.post(
            f"{base}/api/v1/auth/login", json={"email": "doctor@demo.example.org", "password": DEMO_PASSWORD}
        )
        assert login.status_code == 200, login.text
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
        # A connection each, so the kernel may hand them to either worker; every one must be answered alike.
        listed = [httpx.get(f"{base}/api/v1/patients", headers=auth, timeout=5.0) for _ in range(6)]
        assert [r.status_code for r in listed] == [200] * 6
        assert len(workers) == 2, log.read_text()

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0, log.read_text()
        assert [w for w in workers if Path(f"/proc/{w}").exists()] == []

    records = [_json(line) for line in log.read_text().splitlines() if line.strip()]
    assert not [r for r in records if isinstance(r, dict) and r.get("level") in ("error", "critical")]
    assert any(isinstance(r, dict) and r.get("event") == "serving" and r.get("workers") == 2 for r in records)
    served = [r for r in records if isinstance(r, dict) and r.get("event") == "request"]
    assert len([r for r in served if r.get("path") == "/api/v1/patients"]) == 6


@pytest.mark.parametrize(
    ("env", "message"),
    [
        pytest.param({}, "IVR_WORKERS above 1 needs IVR_REDIS_URL", id="no-redis"),
        pytest.param({"IVR_DATABASE_URL": "memory", "IVR_REDIS_URL": REDIS_URL}, "needs a database", id="memory"),
    ],
)
def test_several_workers_need_a_database_and_redis(ivr: Invoke, env: dict[str, str], message: str) -> None:
    result = ivr("serve", "--workers", "2", env=env)
    assert result.exit_code == 1
    assert message in result.stderr


@pytest.mark.parametrize("workers", ["0", "65", "two"])
def test_the_worker_count_is_checked(ivr: Invoke, workers: str) -> None:
    result = ivr("serve", env={"IVR_WORKERS": workers, "IVR_REDIS_URL": REDIS_URL})
    assert result.exit_code == 1
    assert "IVR_WORKERS must be" in result.stderr
