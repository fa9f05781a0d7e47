"""The read models of one process: their view store, the event log as their source, and the
loop that keeps them up to date (a thread inside the API on the embedded default, or the
``hoctap projections run`` process)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import psycopg

from application.adapters.backends import backend_for
from application.adapters.store import HoctapStore
from application.settings import Settings
from domain.errors import DomainError, InvalidInput
from projections.catalogue import all_projections
from projections.engine import ConcurrentRunner, Engine, Envelope, Status
from projections.store import ViewStore

log = logging.getLogger("hoctap.projections")


class ViewsBehind(DomainError):
    """The views have not reached the position a reader asked for, within the time allowed."""

    code = "views-behind"


class StoreEventSource:
    """The event log read in order, decoding only the events a projection wants."""

    def __init__(self, store: HoctapStore) -> None:
        self.store = store

    def read(self, after: int, limit: int, topics: frozenset[str]) -> tuple[list[Envelope], int]:
        items = self.store.recorder.select_notifications(
            start=after, limit=limit, inclusive_of_start=False
        )
        if not items:
            return [], after
        wanted = [
            Envelope(n.id, n.topic, self.store.mapper.to_domain_event(n))
            for n in items
            if not topics or n.topic in topics
        ]
        return wanted, items[-1].id

    def max_position(self) -> int:
        return self.store.recorder.max_notification_id() or 0

    def recorded_at(self, position: int) -> datetime | None:
        items = self.store.recorder.select_notifications(
            start=position, limit=1, inclusive_of_start=False
        )
        if not items:
            return None
        event: Any = self.store.mapper.to_domain_event(items[0])
        stamp: datetime = event.timestamp
        return stamp


#: The longest pause between two attempts of a runner that keeps failing.
MAX_PAUSE_SECONDS = 10.0


class Backoff:
    """Pauses after consecutive failures: 0.25 s, doubling up to :data:`MAX_PAUSE_SECONDS`."""

    def __init__(self, first: float = 0.25) -> None:
        self.first = first
        self.failures = 0

    def next(self) -> float:
        self.failures += 1
        return float(min(self.first * 2 ** (self.failures - 1), MAX_PAUSE_SECONDS))

    def recovered(self) -> bool:
        """A round succeeded: True when it ends a run of failures."""
        failed, self.failures = self.failures, 0
        return failed > 0


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or "no message"
    return f"{type(error).__name__}: {text[:300]}"


def _closed(conn: psycopg.Connection[Any] | None) -> None:
    """Close a connection that may already be broken."""
    if conn is not None:
        try:
            conn.close()
        except Exception as error:  # a broken socket: nothing left to release
            log.debug("closing the listener: %s", error)


def open_view_store(settings: Settings) -> ViewStore:
    return backend_for(settings).view_store()


class ReadModels:
    def __init__(
        self,
        settings: Settings,
        store: HoctapStore,
        every: Callable[[], object] | None = None,
    ) -> None:
        """``every``: a periodic job (scheduled checkpoints), run by :meth:`run` every
        ``settings.checkpoint_every_seconds``."""
        self._backend = backend_for(settings)
        self.views = self._backend.view_store()
        self.engine = Engine(self.views, StoreEventSource(store), all_projections())
        self._settings = settings
        self._store = store
        self._every = every
        self._last_periodic = time.monotonic()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._stop = threading.Event()
        self._wake = threading.Event()
        #: A reader of this process waits for a position: fold even if another process leads.
        self._wanted = threading.Event()
        self._lock = threading.Lock()
        self._leadership = self._backend.leadership()

    def initialise(self) -> None:
        """Create the state table and each projection's first generation (once)."""
        with self._backend.ddl_lock():
            self.engine.create_state_table()
            for projection in self.engine.projections.values():
                self.engine.ensure_live(projection)

    def catch_up(self) -> int:
        """Fold every new event into every live view; returns how many events were folded."""
        total = 0
        with self._lock:
            for projection in self.engine.projections.values():
                try:
                    if self.engine.live_version(projection.name) not in (None, projection.version):
                        log.warning("%s changed shape: rebuilding it blue/green", projection.name)
                        self.engine.rebuild(projection)
                    total += self.engine.catch_up(projection)
                except ConcurrentRunner as race:
                    log.info("another runner is ahead: %s", race)
        return total

    def run(self, poll_seconds: float = 0.2) -> None:
        """Keep the views up to date until :meth:`stop`: folding while this process leads
        (application/adapters/leadership.py) or one of its readers waits for a position.

        On PostgreSQL the loop also wakes on the store's NOTIFY, so views follow commands
        from other processes within milliseconds; polling remains the safety net. Any failure
        (a lost LISTEN connection, a fold whose read or write connection was cut, a database
        restart) is logged on one line and retried after a pause that doubles up to
        :data:`MAX_PAUSE_SECONDS`; the listener is opened again. Only :meth:`stop` ends it.
        """
        listener: psycopg.Connection[Any] | None = None
        pauses = Backoff()
        try:
            while not self._stop.is_set():
                try:
                    listener = listener or self._listen()
                    wanted = self._wanted.is_set()
                    self._wanted.clear()
                    if self._leadership.holds(listener) or wanted:
                        self.catch_up()
                    self._periodic()
                    self._stop.wait(self._settings.fold_every_seconds)
                    self._wait(listener, poll_seconds)
                    if pauses.recovered():
                        log.warning("projection runner: connected again, folding")
                except Exception as error:
                    _closed(listener)
                    listener = None
                    pause = pauses.next()
                    log.warning("projection runner: %s; again in %.1f s", _one_line(error), pause)
                    self._stop.wait(pause)
        finally:
            self._leadership.release()
            _closed(listener)

    def _periodic(self) -> None:
        period = self._settings.checkpoint_every_seconds
        if self._every is None or period <= 0:
            return
        if time.monotonic() - self._last_periodic < period:
            return
        self._last_periodic = time.monotonic()
        try:
            self._every()
        except Exception:
            log.exception("scheduled job failed; will try again next period")

    def _listen(self) -> psycopg.Connection[Any] | None:
        return self._backend.listener(self._store)

    def _wait(self, listener: psycopg.Connection[Any] | None, seconds: float) -> None:
        if listener is None or self._wake.is_set():
            self._wake.wait(seconds)
        else:
            for _ in listener.notifies(timeout=seconds, stop_after=1):
                break
        self._wake.clear()

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, name="hoctap-projections", daemon=True)
        self._thread.start()

    def nudge(self) -> None:
        """A command was saved: fold it soon."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def close(self) -> None:
        """Stop folding and release the views' connections (a second close does nothing)."""
        self.stop()
        if not self._closed:
            self._closed = True
            self.views.close()

    def require(self, position: int, timeout: float, names: Iterable[str] | None = None) -> None:
        """Read-your-writes: wait (bounded) until every view (or those ``names``) has folded
        ``position``: a read of one view need not wait for the slowest."""
        last = self.engine.source.max_position()
        if position > last:
            raise InvalidInput(
                "vị trí này chưa có trong nhật ký", wait_for_position=position, log_position=last
            )
        self._wanted.set()
        self.nudge()
        if not self.engine.wait_for(position, timeout, names):
            raise ViewsBehind(
                "mô hình đọc chưa cập nhật tới vị trí này, hãy thử lại sau giây lát",
                wait_for_position=position,
            )

    def statuses(self, now: datetime) -> list[Status]:
        return [self.engine.status(p, now) for p in self.engine.projections.values()]
