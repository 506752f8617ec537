"""The audit anchors as a JSON-lines file: appended and fsynced after each sealed batch, never rewritten."""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime
from pathlib import Path

from ivr_domain.admin.ports import Anchor


class AnchorFileError(ValueError):
    """The anchor file cannot be read as anchors: itself a sign of tampering or damage."""


class FileAnchorLog:
    """Anchors in a file outside the database (mode 0600), one JSON object per line."""

    def __init__(self, path: Path) -> None:
        """Use the file at `path`, created on the first append."""
        self.path = path
        self._lock = threading.Lock()

    def append(self, anchor: Anchor) -> None:
        """Append one line and fsync it, so a head the database holds is never lost to a crash."""
        line = json.dumps(
            {"position": anchor.position, "chain_hash": anchor.chain_hash, "sealed_at": anchor.sealed_at.isoformat()},
            separators=(",", ":"),
        )
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(descriptor, (line + "\n").encode())
                os.fsync(descriptor)
            finally:
                os.close(descriptor)

    def read(self) -> list[Anchor]:
        """Return every anchor, oldest first; an unreadable line raises AnchorFileError with its number."""
        if not self.path.exists():
            return []
        try:
            text = self.path.read_text()
        except (OSError, UnicodeDecodeError) as exc:
            raise AnchorFileError(f"{self.path}: cannot be read ({type(exc).__name__})") from None
        anchors = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                position = data["position"]
                if isinstance(position, bool) or not isinstance(position, int):
                    raise TypeError("position")  # 1e999, true, "3": not a position
                anchors.append(
                    Anchor(
                        position=position,
                        chain_hash=str(data["chain_hash"]),
                        sealed_at=datetime.fromisoformat(data["sealed_at"]),
                    )
                )
            except (ValueError, KeyError, TypeError, RecursionError):
                raise AnchorFileError(f"{self.path}: line {number} is not an anchor") from None
        return anchors
