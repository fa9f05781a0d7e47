"""What a witness remembers: the last checkpoint it cosigned per log, and fork evidence.

One small JSON file (``{origin: cosigned note}``), replaced whole under an exclusive lock so
checking the old size and storing the new checkpoint are one step, even across processes
(tlog-witness requires it: otherwise two requests could roll the log back). Evidence goes
to a directory beside it, one JSON file per refusal that shows a fork.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any


class WitnessStateFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.evidence_dir = path.with_name(path.name + ".bang-chung")
        self._thread_lock = threading.Lock()

    @contextmanager
    def locked(self) -> Iterator[dict[str, str]]:
        """The state, exclusively; what the block leaves in the dict is written back."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with self._thread_lock, lock_path.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                state = self.read()
                before = dict(state)
                yield state
                if state != before:
                    self._write(state)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def read(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        data: dict[str, str] = json.loads(self.path.read_text(encoding="utf-8"))
        return data

    def _write(self, state: dict[str, str]) -> None:
        partial = self.path.with_name(self.path.name + ".tmp")
        partial.write_text(json.dumps(state, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(partial, self.path)

    def record(self, evidence: dict[str, Any], now: datetime) -> Path:
        """Keep the evidence of a fork; returns the file written."""
        self.evidence_dir.mkdir(parents=True, exist_ok=True)
        stamp = now.strftime("%Y%m%dT%H%M%S%f")
        path = self.evidence_dir / f"{stamp}-{evidence['kind']}.json"
        path.write_text(json.dumps(evidence, ensure_ascii=False, indent=2), encoding="utf-8")
        return path
