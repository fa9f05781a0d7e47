"""A throwaway store for a benchmark: a PostgreSQL schema or a SQLite folder, removed after.

    with scratch_settings("postgres", url, prefix="hoctap-verify-") as settings:
        ledger = Ledger(settings)
        ...

and :func:`grow`, which appends synthetic events through the chained recorder in batches of
1,000, each batch's chain rows and tiles in its transaction, as every save.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import mkdtemp
from typing import Any, Literal
from uuid import uuid4

import psycopg
from eventsourcing.persistence import StoredEvent

from application.ledger import Ledger
from application.settings import Settings

DEFAULT_URL = "postgresql://root@127.0.0.1:5432/test"
#: The project's CLI, beside the interpreter running the benchmark.
HOCTAP = Path(sys.executable).with_name("hoctap")
BATCH = 1000
Store = Literal["postgres", "sqlite"]


@contextmanager
def scratch_settings(
    store: str, url: str = DEFAULT_URL, prefix: str = "hoctap-bench-"
) -> Iterator[Settings]:
    """Settings for a fresh store; the schema (PostgreSQL) and the var folder are removed
    when the block ends, however it ends. Close what you opened on it inside the block."""
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    var = Path(mkdtemp(prefix=prefix))
    try:
        if store == "postgres":
            yield Settings(database_url=url, database_schema=schema, var_dir=var)
        else:
            yield Settings(var_dir=var)
    finally:
        shutil.rmtree(var, ignore_errors=True)
        if store == "postgres":
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def grow(ledger: Ledger, count: int, pad: int = 0) -> None:
    """Append ``count`` one-event aggregates (``pad`` bytes of filler in each state)."""
    recorder: Any = ledger.store.recorder
    filler = b"x" * pad
    for start in range(0, count, BATCH):
        recorder.insert_events(
            [
                StoredEvent(uuid4(), 1, "bench.Synthetic", b'{"n": %d, "pad": "%s"}' % (n, filler))
                for n in range(start, start + min(BATCH, count - start))
            ]
        )


def generated_province(var: Path, scale: int) -> None:
    """A province of about ``scale`` cases made by ``hoctap demo generate`` into ``var``
    (SQLite), unless one is there already: later runs reuse it."""
    if (var / "hoctap.sqlite").exists():
        return
    started = time.perf_counter()
    subprocess.run(
        [str(HOCTAP), "demo", "generate", "--scale", str(scale)],
        env={"HOCTAP_VAR_DIR": str(var), "PATH": "/usr/bin:/bin"},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"generated {scale:,} cases in {time.perf_counter() - started:.0f} s")
