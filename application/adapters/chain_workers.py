"""Checking a SQLite log's chain in worker processes, one range of events each.

``hoctap verify`` spends most of its time on three SHA-256 an event, which one interpreter
thread does one after another. A stored chain hash is compared with the hash recomputed
from the stored hash before it, so a range of rows can be checked on its own from its first
row onwards: each worker reads its range of notification ids from the database file (its
own read-only connection) and checks every row after the first with
:func:`domain.integrity.plain_chain`. The first row, the seam, is left to the caller, who
checks it against the last hash of the range before (:func:`join_range`); a range accepted
whole thus tells exactly what the sequential check would. Any range not accepted whole is
for the caller to check again in order (it names the problem as it always has).

This module imports only the standard library and the domain, so a worker starts quickly.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import islice
from multiprocessing import get_context
from operator import itemgetter
from typing import Any

from domain.integrity import ChainedRow, plain_chain

#: Workers at most, whatever the CPU count: more would only wait on the database file.
MAX_WORKERS = 4
#: Ranges this many times a worker's share, and no parallelism below this many events:
#: starting the workers costs about what checking this many events does.
PARALLEL_FROM = 40_000
#: Pages of a range handed to one worker.
RANGE_PAGES = 5

#: The largest notification id (SQLite's rowid) a range reaches when it has no end.
NO_END = 2**62


@dataclass(frozen=True)
class Source:
    """Where a worker reads the log: the database file and the two tables."""

    path: str
    events: str
    chain: str


@dataclass(frozen=True)
class Checked:
    """A range whose rows after the first are all plain: its first row (for the caller to
    check at the seam), the Merkle leaf hashes of the others, and the last hash and next
    position they reached."""

    first: ChainedRow
    leaves: list[bytes]
    last: bytes
    position: int


def chained_rows(
    cursor: sqlite3.Cursor, source: Source, after: int, limit: int, through: int = NO_END
) -> list[ChainedRow]:
    """Up to ``limit`` events after notification id ``after`` (and not after ``through``)
    with their chain rows, and the chain rows whose event is gone among them, in log order,
    as tuples (the fields of :class:`domain.integrity.ChainedEvent`). The cursor must
    return plain tuples."""
    page = (
        "SELECT c.position, e.rowid, e.originator_id, e.originator_version, e.topic, e.state,"
        f" c.hash FROM {source.events} e LEFT JOIN {source.chain} c"
        " ON c.notification_id = e.rowid AND c.notification_id > ?"
        " WHERE e.rowid > ? AND e.rowid <= ? ORDER BY e.rowid LIMIT ?"
    )
    orphans = (
        "SELECT c.position, c.notification_id, NULL, NULL, NULL, NULL, c.hash"
        f" FROM {source.chain} c WHERE c.notification_id > ? AND c.notification_id <= ?"
        f" AND NOT EXISTS (SELECT 1 FROM {source.events} e"
        " WHERE e.rowid = c.notification_id)"
    )
    chained = (
        f"SELECT count(*) FROM {source.chain} WHERE notification_id > ? AND notification_id <= ?"
    )
    cursor.execute(page, (after, after, through, limit))
    rows: list[Any] = cursor.fetchall()
    upper = rows[-1][1] if len(rows) == limit else through
    cursor.execute(chained, (after, upper))
    if cursor.fetchone()[0] > len(rows) - [r[0] for r in rows].count(None):
        cursor.execute(orphans, (after, upper))
        rows = sorted([*rows, *cursor.fetchall()], key=itemgetter(1))
    return rows


_connections: dict[str, sqlite3.Connection] = {}


def check_range(source: Source, after: int, through: int, page: int) -> Checked | None:
    """The rows with notification ids in (``after``, ``through``], read in pages of
    ``page`` in one read transaction, when every row after the first is plain (None
    otherwise, when the range is empty, or when the file cannot be read here: the caller
    then reads the range itself, as it always has)."""
    try:
        if source.path not in _connections:
            uri = f"file:{source.path}?mode=ro"
            _connections[source.path] = sqlite3.connect(uri, uri=True, isolation_level=None)
    except sqlite3.Error:
        return None
    connection = _connections[source.path]
    cursor = connection.cursor()
    try:
        cursor.execute("BEGIN")
        rows = chained_rows(cursor, source, after, page, through)
        if not rows:
            return None
        first, leaves = rows[0], list[bytes]()
        checked: tuple[bytes, int] | None = (first[6], first[0] + 1)
        rows = rows[1:]
        while checked is not None:
            checked = plain_chain(rows, *checked, leaves)
            if checked is None or (after := max(r[1] or 0 for r in rows or [first])) >= through:
                break
            if not (rows := chained_rows(cursor, source, after, page, through)):
                break
    except (TypeError, sqlite3.Error):  # the first row in an odd form, or a failed read
        return None
    finally:
        if connection.in_transaction:
            connection.commit()
        cursor.close()
    return None if checked is None else Checked(first, leaves, *checked)


def _quiet() -> None:
    """A worker writes nothing: a lock on a standard stream held by another thread of the
    parent when it forked would never be released in the worker."""
    sys.stdout = sys.stderr = None


def join_range(checked: Checked | None, previous: bytes, position: int) -> list[bytes] | None:
    """The leaf hashes of a range checked by a worker, when its first row continues the
    chain from ``previous`` at ``position`` (the range before it, checked): None when it
    does not, or when the worker did not accept the range."""
    if checked is None:
        return None
    leaves: list[bytes] = []
    if plain_chain([checked.first], previous, position, leaves) is None:
        return None
    return leaves + checked.leaves


def worker_count(total: int) -> int:
    """How many workers check a log of ``total`` events: 0 (check it in this process) for
    a small log or a single CPU."""
    workers = min(MAX_WORKERS, os.cpu_count() or 1)
    return workers if workers > 1 and total >= PARALLEL_FROM else 0


def checked_ranges(
    source: Source, total: int, workers: int, page: int
) -> Iterator[tuple[int, int, Checked | None]]:
    """(after, through, what its worker found) for ranges of ``page * RANGE_PAGES`` ids up
    to ``total``, in order; at most two ranges a worker are read ahead. Stopping early
    cancels the ranges not started.

    Workers are forked (a fork server or spawn would import the caller's main module again
    in each, about a second): call this only from a process whose other threads, if any,
    hold no lock a worker needs (``hoctap verify``: the progress bar's thread, which writes
    to the terminal; a worker drops its standard streams, the only thing they share).
    """
    size = page * RANGE_PAGES
    ranges = iter([(lo, min(lo + size, total)) for lo in range(0, total, size)])
    pool = ProcessPoolExecutor(workers, mp_context=get_context("fork"), initializer=_quiet)
    waiting: deque[tuple[tuple[int, int], Future[Checked | None]]] = deque()
    try:
        for bounds in islice(ranges, 2 * workers):
            waiting.append((bounds, pool.submit(check_range, source, *bounds, page)))
        while waiting:
            (after, through), future = waiting.popleft()
            for bounds in islice(ranges, 1):
                waiting.append((bounds, pool.submit(check_range, source, *bounds, page)))
            try:
                checked = future.result()
            except BrokenProcessPool:  # a worker died: this range and the rest, checked here
                checked = None
            yield after, through, checked
    finally:
        pool.shutdown(cancel_futures=True)
