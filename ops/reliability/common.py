"""What every reliability check shares: a scratch store, real processes, and the verdict table.

A check never touches a store someone uses: PostgreSQL checks work in a fresh schema (dropped
afterwards unless kept), SQLite checks in a fresh folder. Servers and runners are started as
real processes (``python -m cli ...``) on loopback ports chosen by the kernel, with the same
secrets passed through the environment, so a restarted process reads what the killed one
wrote. Each check reports rows of (what, passed, evidence) and the table is printed with rich.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx2 as httpx
import psycopg
from rich.console import Console
from rich.table import Table

from application.settings import Settings

PG_URL = os.environ.get("HOCTAP_TEST_DATABASE_URL", "postgresql://root@127.0.0.1:5432/test")
HOCTAP = [sys.executable, "-m", "cli"]
REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Outcome:
    """One line of a verdict: what was checked, whether it held, and the evidence."""

    what: str
    passed: bool
    detail: str


@dataclass
class Report:
    """The outcomes of one check, in the order they were established."""

    title: str
    outcomes: list[Outcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def expect(self, what: str, passed: bool, detail: str = "") -> bool:
        self.outcomes.append(Outcome(what, bool(passed), detail))
        return bool(passed)

    def note(self, text: str) -> None:
        """A figure worth printing that is not a pass/fail (counts, timings)."""
        self.notes.append(text)

    @property
    def passed(self) -> bool:
        return bool(self.outcomes) and all(o.passed for o in self.outcomes)

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.passed]

    def markdown(self) -> str:
        """The same verdicts as a Markdown table (for docs/reliability.md)."""
        lines = [f"**{self.title}**: {'PASS' if self.passed else 'FAIL'}", ""]
        lines += ["| check | result | evidence |", "|---|---|---|"]
        for o in self.outcomes:
            detail = o.detail.replace("|", "\\|").replace("\n", " ")
            lines.append(f"| {o.what} | {'PASS' if o.passed else '**FAIL**'} | {detail} |")
        lines += ["", *(f"- {text}" for text in self.notes), ""]
        return "\n".join(lines)

    def print(self, console: Console | None = None) -> None:
        console = console or Console()
        table = Table(title=self.title, show_lines=False)
        table.add_column("check")
        table.add_column("result", justify="center")
        table.add_column("evidence", overflow="fold")
        for outcome in self.outcomes:
            verdict = "[green]PASS[/green]" if outcome.passed else "[bold red]FAIL[/bold red]"
            table.add_row(outcome.what, verdict, outcome.detail)
        console.print(table)
        for text in self.notes:
            console.print(f"  {text}", markup=False, highlight=False)
        overall = "[green]PASS[/green]" if self.passed else "[bold red]FAIL[/bold red]"
        console.print(f"{self.title}: {overall}")


def free_port() -> int:
    """A loopback port nobody listens on (the kernel picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_problem(url: str = PG_URL) -> str | None:
    """None when the server answers, else why not."""
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"PostgreSQL unreachable at {url}: {exc}".strip()
    return None


@dataclass
class Scratch:
    """A throw-away store and the settings and environment every process of a check shares."""

    settings: Settings
    env: dict[str, str]
    var_dir: Path
    schema: str | None

    def with_schema(self, schema: str) -> Scratch:
        """The same secrets and folder, on another PostgreSQL schema (a restored copy)."""
        settings = self.settings.model_copy(update={"database_schema": schema})
        return Scratch(
            settings, self.env | {"HOCTAP_DATABASE_SCHEMA": schema}, self.var_dir, schema
        )

    def with_var_dir(self, var_dir: Path) -> Scratch:
        """The same secrets, on another SQLite folder (a restored copy)."""
        settings = self.settings.model_copy(update={"var_dir": var_dir})
        return Scratch(settings, self.env | {"HOCTAP_VAR_DIR": str(var_dir)}, var_dir, None)


def _secrets() -> dict[str, str]:
    return {
        "master_key": base64.b64encode(secrets.token_bytes(32)).decode(),
        "lookup_secret": secrets.token_urlsafe(24),
        "signing_key": base64.b64encode(secrets.token_bytes(32)).decode(),
    }


@contextmanager
def scratch_store(
    backend: str, *, url: str = PG_URL, keep: bool = False, lock_timeout: int = 30
) -> Iterator[Scratch]:
    """A fresh PostgreSQL schema (or SQLite folder) with its own secrets, removed afterwards.

    The lock timeout is raised above the default 5 s because the checks queue many writers
    on the events table's lock on purpose, some of them holding it for a while.
    """
    var_dir = Path(tempfile.mkdtemp(prefix="hoctap-reliability-"))
    schema = f"rel_{uuid.uuid4().hex[:12]}" if backend == "postgres" else None
    keys = _secrets()
    common: dict[str, Any] = {
        "environment": "test",
        "var_dir": var_dir,
        "rate_limit_per_second": 0,
        "lock_timeout_seconds": lock_timeout,
        **keys,
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOCTAP_")} | {
        "HOCTAP_ENVIRONMENT": "test",
        "HOCTAP_VAR_DIR": str(var_dir),
        "HOCTAP_MASTER_KEY": keys["master_key"],
        "HOCTAP_LOOKUP_SECRET": keys["lookup_secret"],
        "HOCTAP_SIGNING_KEY": keys["signing_key"],
        "HOCTAP_RATE_LIMIT_PER_SECOND": "0",
        "HOCTAP_LOCK_TIMEOUT_SECONDS": str(lock_timeout),
        "PYTHONUNBUFFERED": "1",
        "COLUMNS": "400",  # rich wraps at 80 columns otherwise: one message, one line
    }
    if schema is not None:
        settings = Settings(database_url=url, database_schema=schema, **common)
        env |= {"HOCTAP_DATABASE_URL": url, "HOCTAP_DATABASE_SCHEMA": schema}
    else:
        settings = Settings(store="sqlite", **common)
    try:
        yield Scratch(settings, env, var_dir, schema)
    finally:
        if not keep:
            if schema is not None:
                drop_schemas(url, schema, f"{schema}_restored")
            shutil.rmtree(var_dir, ignore_errors=True)


def drop_schemas(url: str, *schemas: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for name in schemas:
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def hoctap(scratch: Scratch, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """Run the ``hoctap`` command as an operator would, on the scratch store."""
    return subprocess.run(
        [*HOCTAP, *args],
        env=scratch.env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def summary(result: subprocess.CompletedProcess[str]) -> str:
    """The line that says how a ``hoctap`` command ended: its error, else its last line."""
    lines = [line.strip() for line in (result.stdout + result.stderr).splitlines()]
    lines = [line for line in lines if line]
    errors = [line for line in lines if line.startswith("Lỗi")]
    chosen = errors[0] if errors else (lines[-1] if lines else "")
    return chosen[:400]


def check_every_view(report: Report, scratch: Scratch, names: list[str]) -> None:
    """``hoctap projections check <name>`` for each view: zero differing rows, exit 0."""
    for name in names:
        result = hoctap(scratch, "projections", "check", name)
        report.expect(
            f"hoctap projections check {name}",
            result.returncode == 0,
            summary(result),
        )


def check_verified_and_views(report: Report, scratch: Scratch, names: list[str]) -> None:
    """``hoctap verify`` passes, then :func:`check_every_view`."""
    verified = hoctap(scratch, "verify")
    report.expect(
        "hoctap verify (chain row for every event, checkpoints)",
        verified.returncode == 0,
        summary(verified),
    )
    check_every_view(report, scratch, names)


def log_shape(store: Any) -> str:
    """How many events the log holds against its highest notification id (ids are drawn from
    a sequence: an insert that rolls back — a refused conflict, a killed transaction — leaves
    a gap there, while the hash chain's positions stay 1..N)."""
    with store.recorder.datastore.transaction(commit=False) as cur:
        cur.execute(f"SELECT count(*) AS n FROM {_events_table(store)}")
        row = cur.fetchone()
    count = int(row["n"] if isinstance(row, dict) else row[0])
    top = store.recorder.max_notification_id() or 0
    return f"{count} events; highest notification id {top} ({top - count} ids unused)"


def _events_table(store: Any) -> str:
    recorder = store.recorder
    schema = getattr(recorder.datastore, "schema", None)
    table = recorder.events_table_name
    return f'"{schema}"."{table}"' if schema else table


class Process:
    """A long-running ``hoctap`` process (API or projection runner) with its output in a file."""

    def __init__(
        self, scratch: Scratch, name: str, *args: str, command: tuple[str, ...] = ()
    ) -> None:
        self.name = name
        self.log_path = scratch.var_dir / f"{name}.log"
        self._log: IO[bytes] = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            [*(command or HOCTAP), *args],
            env=scratch.env,
            cwd=REPO,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def kill9(self) -> int | None:
        """SIGKILL: no shutdown hook, no flush, no rollback by the process itself."""
        self.popen.kill()
        self.popen.wait(timeout=30)
        return self.popen.returncode

    def stop(self) -> None:
        """Ask politely (SIGTERM), then SIGKILL after a grace period."""
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)
        self._log.close()

    def tail(self, lines: int = 15) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


class Api(Process):
    """``hoctap serve`` on a loopback port."""

    def __init__(
        self, scratch: Scratch, port: int, name: str = "api", *, faulty: bool = False
    ) -> None:
        """``faulty``: the API that dies before storing an Idempotency-Key (faulty_api.py)."""
        if faulty:
            command = (sys.executable, "-m", "ops.reliability.faulty_api")
            super().__init__(scratch, name, str(port), command=command)
        else:
            super().__init__(scratch, name, "serve", "--host", "127.0.0.1", "--port", str(port))
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.tail()}")
            try:
                if httpx.get(f"{self.base_url}/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f} s:\n{self.tail()}")


class Runner(Process):
    """``hoctap projections run``: the read models' own process on PostgreSQL."""

    def __init__(self, scratch: Scratch, page_size: int = 1000, name: str = "runner") -> None:
        super().__init__(scratch, name, "projections", "run", "--page-size", str(page_size))
