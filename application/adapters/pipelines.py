"""Syncing a psycopg pipeline that holds a large write without hanging.

psycopg 3.3's ``Pipeline.sync()`` sends its queued commands, then waits for their results.
It stops flushing as soon as its command queue is empty, even when libpq's output buffer
still holds the end of the last message (a multi-megabyte INSERT does not fit the socket in
one go). The server, still reading that message, sends nothing; psycopg, waiting for a
result, never flushes again: both wait for ever (the backend shows ``ClientRead``). libpq
flushes on read (PQconsumeInput), so small writes get through; one INSERT of ~5 MB or more
(``hoctap demo generate --scale 20000``) hung. psycopg fixed this for leaving a pipeline
(issue #685), not for ``sync()``.

So before syncing, everything libpq holds is sent here, reading the server's replies
meanwhile so that neither side blocks on a full socket.
"""

from __future__ import annotations

from typing import Any

from psycopg import Connection, Pipeline, generators


def send_all(conn: Connection[Any]) -> None:
    """Flush libpq's output buffer to the server, reading replies as they come.

    ``generators.send`` loops ``PQflush`` until nothing is left, waiting for the socket to
    be readable or writable and consuming input when it is readable (the results stay in
    libpq for the pipeline to fetch); ``conn.wait`` drives it as psycopg drives its own
    generators (interrupts cancel the query). Both are undocumented psycopg internals: see
    the note at the psycopg pin in pyproject.toml.
    """
    conn.wait(generators.send(conn.pgconn))


def sync(conn: Connection[Any], pipeline: Pipeline) -> None:
    """``pipeline.sync()``, once everything already queued has reached the server."""
    send_all(conn)
    pipeline.sync()
