"""CPU seconds used so far by the server and by PostgreSQL: `python -m benchmarks.cpu SERVER_PID`.

Prints one JSON object, `{"server": s, "postgres": {pid: s}, "machine_busy": s, "machine_total": s}`: the
server's user + system time (all its threads, and its worker processes with `--workers`), that of every
process named `postgres` by pid, and
the machine's busy and total CPU time from /proc/stat. benchmarks/run reads it before and after the
measured part and counts, for PostgreSQL, what each process present at the end used since the first
reading (all of it for a process started since); a process that exited in between is missed, which a
pooled server's few long-lived connections make negligible. CPU per request is the figure a busy machine
disturbs least.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


def _process_seconds(stat: str) -> float:
    # Fields after the command name (which may hold spaces, so split after its closing parenthesis).
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime


def server_seconds(pid: int) -> float:
    """Return the CPU seconds the server used: its process (every thread) and its live children (workers)."""
    total = _process_seconds(Path(f"/proc/{pid}/stat").read_text())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or entry.name == str(pid):
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if stat[stat.rindex(")") + 2 :].split()[1] == str(pid):  # the parent's pid follows the state
            total += _process_seconds(stat)
    return total


def postgres_seconds() -> dict[str, float]:
    """Return the CPU seconds used by each running process named `postgres`, by pid."""
    found: dict[str, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if stat[stat.index("(") + 1 : stat.rindex(")")] == "postgres":
            found[entry.name] = _process_seconds(stat)
    return found


def machine_seconds() -> tuple[float, float]:
    """Return the machine's busy and total CPU seconds since boot (all cores)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    total = sum(values)
    idle = values[3] + values[4]  # idle, iowait
    return (total - idle) / _TICK, total / _TICK


def main() -> None:
    """Print the readings for the server whose pid is the first argument."""
    busy, total = machine_seconds()
    print(
        json.dumps(
            {
                "server": server_seconds(int(sys.argv[1])),
                "postgres": postgres_seconds(),
                "machine_busy": busy,
                "machine_total": total,
            }
        )
    )


if __name__ == "__main__":
    main()
