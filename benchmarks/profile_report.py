"""Summarise a py-spy `--format raw` profile: where the server's CPU time goes.

    .venv/bin/python -m benchmarks.profile_report var/bench/postgresql/profile-list.txt [--top 25]

Each line of the input is one distinct stack (`outer;...;inner count`). Printed: the share of samples per
layer (attributed to the innermost frame's library, so each sample counts once), the functions with the
most self time, and the project's own functions by inclusive time (a sample counts for every project
function on its stack).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*):(?P<line>\d+)\)$")

# (label, substrings of the file path); the first match wins, tried from the innermost frame outwards.
LAYERS = (
    ("AES-GCM field decryption/encryption", ("field_cipher", "cryptography")),
    ("HMAC blind indexes", ("blind_index", "hmac.py")),
    ("patient row codec (decrypt calls, entity building)", ("patient_rows",)),
    ("PostgreSQL driver (psycopg)", ("psycopg",)),
    ("SQLite driver", ("sqlite3",)),
    ("SQLAlchemy Core (compile, execute, result rows)", ("sqlalchemy",)),
    ("attrs (entity construction, validators)", ("attr", "<attrs generated")),
    ("JSON encode/decode (msgspec, json)", ("msgspec", "json/")),
    ("structured logging (structlog, logging)", ("structlog", "logging/")),
    ("Litestar (routing, DI, request, response)", ("litestar",)),
    ("uvicorn / HTTP parsing", ("uvicorn", "httptools", "h11")),
    ("asyncio / uvloop event loop", ("asyncio", "uvloop")),
    ("thread handoff (anyio, threading, queues)", ("anyio", "threading.py", "concurrent", "queue.py")),
    ("JWT (PyJWT)", ("jwt",)),
    ("returns", ("returns",)),
    ("dependency-injector", ("dependency_injector",)),
    ("core (ivr_domain)", ("ivr_domain",)),
    ("SQL adapter (adapters.sqlalchemy)", ("adapters/sqlalchemy",)),
    ("other adapters", ("adapters/",)),
    ("HTTP entrypoint (entrypoints)", ("entrypoints",)),
    ("uuid, datetime, other standard library", ("uuid.py", "datetime", "enum.py", "python3.11/")),
)


def parse(path: Path) -> list[tuple[list[tuple[str, str]], int]]:
    """Return (frames outer-to-inner as (function, file), samples) per stack."""
    stacks = []
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line:
            continue
        text, _, count = line.rpartition(" ")
        frames = []
        for part in text.split(";"):
            match = _FRAME.match(part)
            frames.append((match["function"], match["file"]) if match else (part, ""))
        stacks.append((frames, int(count)))
    return stacks


def layer_of(frames: list[tuple[str, str]]) -> str:
    """Return the layer of the innermost frame that belongs to a known one."""
    for _, file in reversed(frames):
        for label, needles in LAYERS:
            if any(n in file for n in needles):
                return label
    return "other"


def is_project(file: str) -> bool:
    """Tell whether a frame is the project's own code."""
    return any(f"{p}/" in file for p in ("ivr_domain", "adapters", "entrypoints")) and "site-packages" not in file


def report(path: Path, top: int) -> str:
    """Return the printed summary of a profile."""
    stacks = parse(path)
    total = sum(n for _, n in stacks) or 1
    layers: Counter[str] = Counter()
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for frames, n in stacks:
        layers[layer_of(frames)] += n
        if frames:
            function, file = frames[-1]
            own[f"{function} ({Path(file).name})"] += n
        seen = {f"{function} ({Path(file).name})" for function, file in frames if is_project(file)}
        for name in seen:
            inclusive[name] += n
    lines = [f"{total:,} samples of the server process (GIL holder only: its CPU time)", "", "By layer (self time):"]
    lines += [f"  {100 * n / total:5.1f}%  {label}" for label, n in layers.most_common()]
    lines += ["", f"Top {top} functions by self time:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in own.most_common(top)]
    lines += ["", f"Top {top} project functions by inclusive time:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(top)]
    return "\n".join(lines)


def main() -> None:
    """Print the summary of one py-spy raw profile."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_report")
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    print(report(args.profile, args.top))


if __name__ == "__main__":
    main()
