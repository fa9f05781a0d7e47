"""``python -m ops.reliability <check>``: run one reliability check (or ``all``), print its
PASS/FAIL table, exit 1 when anything failed (2 when PostgreSQL is unreachable).

    .venv/bin/python -m ops.reliability gap-free
    .venv/bin/python -m ops.reliability crash
    .venv/bin/python -m ops.reliability conflicts
    .venv/bin/python -m ops.reliability backup
    .venv/bin/python -m ops.reliability idempotency
    .venv/bin/python -m ops.reliability cuts
    .venv/bin/python -m ops.reliability hostile
    .venv/bin/python -m ops.reliability all

Every check works in a scratch PostgreSQL schema (and a temporary folder) that it drops at
the end; ``--keep`` leaves them for inspection. Servers listen on loopback only.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from ops.reliability import backup, conflicts, crash, cuts, gap_free, hostile, idempotency
from ops.reliability.common import PG_URL, Report, postgres_problem, scratch_store


def _gap_free(args: argparse.Namespace) -> Report:
    with scratch_store("postgres", url=args.url, keep=args.keep) as scratch:
        return gap_free.run(scratch, gap_free.Params())


def _crash(args: argparse.Namespace) -> Report:
    with scratch_store("postgres", url=args.url, keep=args.keep) as scratch:
        return crash.run(scratch, crash.Params())


def _conflicts(args: argparse.Namespace) -> Report:
    with scratch_store("postgres", url=args.url, keep=args.keep) as scratch:
        return conflicts.run(scratch, conflicts.Params())


def _idempotency(args: argparse.Namespace) -> Report:
    with scratch_store("postgres", url=args.url, keep=args.keep) as scratch:
        return idempotency.run(scratch, idempotency.Params())


def _cuts(args: argparse.Namespace) -> Report:
    with scratch_store("postgres", url=args.url, keep=args.keep) as scratch:
        return cuts.run(scratch, cuts.Params())


def _hostile(args: argparse.Namespace) -> Report:
    with scratch_store("postgres", url=args.url, keep=args.keep) as scratch:
        return hostile.run(scratch, hostile.Params())


def _backup(args: argparse.Namespace) -> Report:
    return backup.run_both(backup.Params(), url=args.url, keep=args.keep)


CHECKS: dict[str, Callable[[argparse.Namespace], Report]] = {
    "gap-free": _gap_free,
    "crash": _crash,
    "conflicts": _conflicts,
    "backup": _backup,
    "idempotency": _idempotency,
    "cuts": _cuts,
    "hostile": _hostile,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.reliability", description=__doc__)
    parser.add_argument("check", choices=[*CHECKS, "all"])
    parser.add_argument("--url", default=PG_URL, help="PostgreSQL (a scratch schema is used)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch schema and folder")
    parser.add_argument("--markdown", type=Path, help="also write the tables to this file")
    args = parser.parse_args(argv)
    console = Console(width=None if sys.stdout.isatty() else 150)
    problem = postgres_problem(args.url)
    if problem:
        console.print(f"FAIL: {problem}", markup=False)
        return 2
    names = list(CHECKS) if args.check == "all" else [args.check]
    reports = []
    for name in names:
        started = time.monotonic()
        report = CHECKS[name](args)
        report.note(f"{name}: {time.monotonic() - started:.0f} s")
        report.print(console)
        reports.append(report)
    if args.markdown:
        args.markdown.write_text("\n".join(r.markdown() for r in reports), encoding="utf-8")
    return 0 if all(r.passed for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
