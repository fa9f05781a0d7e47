"""Running read models: exactly once, in batches, rebuildable blue/green.

A projection is a set of tables and a pure step that folds one event into the rows it
touches. The engine reads the event log in pages, prefetches the rows a page touches, folds
the page in memory, then writes the changed rows *and* the projection's position in one
transaction. The position is advanced with a compare-and-set, so two runners of the same
projection can never apply an event twice: the slower one's transaction rolls back.

Each projection has generations of tables (``standings_g3_cases``). Exactly one generation is
live and serves reads; a rebuild fills a new generation while the live one keeps serving, then
switches over in one transaction and drops the old tables.
"""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from projections.store import ViewStore, is_missing_table

Row = dict[str, Any]
STATE_TABLE = "projection_generations"


@dataclass(frozen=True)
class Table:
    """One table of a read model; ``key`` is its single-column primary key."""

    name: str
    key: str
    columns: tuple[str, ...]
    dates: frozenset[str] = frozenset()
    decimals: frozenset[str] = frozenset()
    jsons: frozenset[str] = frozenset()
    bools: frozenset[str] = frozenset()
    timestamps: frozenset[str] = frozenset()

    def encode(self, row: Row, dialect: str) -> list[Any]:
        """The row's values in column order, as ``dialect`` stores them."""
        encoders = self._sqlite_encoders if dialect == "sqlite" else self._plain_encoders
        values: list[Any] = []
        for column, encoder in encoders:
            value = row.get(column)
            values.append(value if value is None or encoder is None else encoder(value))
        return values

    def decode(self, raw: Row) -> Row:
        """A stored row with its typed columns as Python values again (JSON, dates, times,
        decimals, booleans); only those columns are visited."""
        row = dict(raw)
        for column, decoder in self._decoders:
            value = row.get(column)
            if value is not None:
                row[column] = decoder(value)
        return row

    # Per table, once: which columns need converting and how (a view's rows are many).

    @cached_property
    def _decoders(self) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
        typed = self.jsons | self.dates | self.timestamps | self.decimals | self.bools
        return tuple((column, self._decoder(column)) for column in sorted(typed))

    def _decoder(self, column: str) -> Callable[[Any], Any]:
        if column in self.jsons:
            return _when_text(json.loads)
        if column in self.dates:
            return _when_text(date.fromisoformat)
        if column in self.timestamps:
            return _when_text(datetime.fromisoformat)
        if column in self.decimals:
            return _decimal
        return bool

    @cached_property
    def _plain_encoders(self) -> tuple[tuple[str, Callable[[Any], Any] | None], ...]:
        return tuple(
            (column, _json_text if column in self.jsons else None) for column in self.columns
        )

    @cached_property
    def _sqlite_encoders(self) -> tuple[tuple[str, Callable[[Any], Any] | None], ...]:
        return tuple((column, self._sqlite_encoder(column)) for column in self.columns)

    def _sqlite_encoder(self, column: str) -> Callable[[Any], Any] | None:
        if column in self.jsons:
            return _json_text
        if column in self.dates or column in self.timestamps:
            return _isoformat
        if column in self.decimals:
            return str
        if column in self.bools:
            return int
        return None


def _when_text(parse: Callable[[str], Any]) -> Callable[[Any], Any]:
    """``parse`` for stored text; a value the driver already typed is kept as it is."""
    return lambda value: parse(value) if isinstance(value, str) else value


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value))


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _isoformat(value: Any) -> str:
    text: str = value.isoformat()
    return text


@dataclass(frozen=True)
class Envelope:
    """An event as a projection sees it: its log position and recording time."""

    position: int
    topic: str
    event: Any

    @property
    def recorded_at(self) -> datetime:
        stamp: datetime = self.event.timestamp
        return stamp


class EventSource(Protocol):
    """The event log, read in order (implemented by the application over its store)."""

    def read(self, after: int, limit: int, topics: frozenset[str]) -> tuple[list[Envelope], int]:
        """Events after a position whose topic is wanted, and the last position scanned."""

    def max_position(self) -> int: ...

    def recorded_at(self, position: int) -> datetime | None: ...


class UpTo:
    """An event source that ends at ``last``: a view folded from it is the view as of that
    position (statistics reports reproduce their figures this way)."""

    def __init__(self, source: EventSource, last: int) -> None:
        self.source = source
        self.last = last

    def read(self, after: int, limit: int, topics: frozenset[str]) -> tuple[list[Envelope], int]:
        if after >= self.last:
            return [], after
        envelopes, scanned = self.source.read(after, limit, topics)
        return [e for e in envelopes if e.position <= self.last], min(scanned, self.last)

    def max_position(self) -> int:
        return min(self.source.max_position(), self.last)

    def recorded_at(self, position: int) -> datetime | None:
        return self.source.recorded_at(position)


class Rows:
    """The rows a page of events touches: prefetched, changed in memory, written once.

    A row that ``keys()`` could not name in advance is loaded on first use by ``loader``.
    """

    def __init__(
        self, tables: dict[str, Table], loader: Callable[[str, str], Row | None] | None = None
    ) -> None:
        self._tables = tables
        self._loader = loader
        self._rows: dict[str, dict[str, Row | None]] = {name: {} for name in tables}
        self.dirty: dict[str, set[str]] = {name: set() for name in tables}

    def preload(self, table: str, rows: dict[str, Row | None]) -> None:
        for key, row in rows.items():
            self._rows[table].setdefault(key, row)

    def known(self, table: str, key: str) -> bool:
        return key in self._rows[table]

    def get(self, table: str, key: str) -> Row | None:
        if key not in self._rows[table]:
            if self._loader is None:
                raise KeyError(f"{table}:{key} was not prefetched: list it in keys()")
            self._rows[table][key] = self._loader(table, key)
        row = self._rows[table][key]
        return dict(row) if row is not None else None

    def put(self, table: str, row: Row) -> None:
        key = str(row[self._tables[table].key])
        self._rows[table][key] = row
        self.dirty[table].add(key)

    def delete(self, table: str, key: str) -> None:
        self._rows[table][key] = None
        self.dirty[table].add(key)

    def changes(self, table: str) -> tuple[list[Row], list[str]]:
        rows = self._rows[table]
        upserts = [r for k in sorted(self.dirty[table]) if (r := rows[k]) is not None]
        deletes = [k for k in sorted(self.dirty[table]) if rows[k] is None]
        return upserts, deletes


Evolve = Callable[[Row | None, Envelope], Row | None]


@dataclass(frozen=True)
class RowPerAggregate:
    """The fold of a view that keeps one row per aggregate in ``table``, keyed by its id:
    the event's row is read, passed through the pure ``evolve`` and written back (nothing is
    written when ``evolve`` answers None: an event for a row that was never opened)."""

    table: str
    evolve: Evolve

    def keys(self, envelope: Envelope) -> Iterable[tuple[str, str]]:
        yield self.table, str(envelope.event.originator_id)

    def apply(self, envelope: Envelope, rows: Rows) -> None:
        row = self.evolve(rows.get(self.table, str(envelope.event.originator_id)), envelope)
        if row is not None:
            rows.put(self.table, row)


class Projection(ABC):
    """A read model: tables, the topics it reads, and a pure fold of events into rows."""

    name: str
    version: int = 1  # bump when the rows an event produces change: the runner rebuilds
    tables: tuple[Table, ...]
    topics: frozenset[str]

    @abstractmethod
    def keys(self, envelope: Envelope) -> Iterable[tuple[str, str]]:
        """The (table, key) rows this event reads, so a page can prefetch them at once."""

    @abstractmethod
    def apply(self, envelope: Envelope, rows: Rows) -> None:
        """Fold one event into the rows (pure: no I/O, no clock)."""

    folder: Path  # where schema.sqlite.sql and schema.postgres.sql live

    def ddl(self, dialect: str) -> str:
        return (self.folder / f"schema.{dialect}.sql").read_text(encoding="utf-8")


@dataclass
class Status:
    name: str
    generation: int | None
    version: int | None
    position: int
    log_position: int
    lag_events: int
    lag_seconds: float


@dataclass
class Engine:
    """Runs projections against one view store and one event source."""

    store: ViewStore
    source: EventSource
    projections: dict[str, Projection] = field(default_factory=dict)
    page_size: int = 1000

    # --- tables and generations ------------------------------------------------------

    def create_state_table(self) -> None:
        with self.store.transaction() as cur:
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {self.store.qualified(STATE_TABLE)} ("
                " name TEXT NOT NULL, generation INTEGER NOT NULL, version INTEGER NOT NULL,"
                " position BIGINT NOT NULL DEFAULT 0, live INTEGER NOT NULL DEFAULT 0,"
                " PRIMARY KEY (name, generation))"
            )

    def table_name(self, projection: Projection, generation: int, table: str) -> str:
        return f"{projection.name}_g{generation}_{table}"

    def qualified(self, projection: Projection, generation: int, table: str) -> str:
        return self.store.qualified(self.table_name(projection, generation, table))

    def _create_generation(self, projection: Projection, generation: int, cur: Any) -> None:
        ddl = projection.ddl(self.store.dialect)
        names = {t.name: self.qualified(projection, generation, t.name) for t in projection.tables}
        prefix = f"{projection.name}_g{generation}"
        for statement in ddl.format(prefix=prefix, **names).split(";"):
            if statement.strip():
                cur.execute(statement)
        cur.execute(
            f"INSERT INTO {self.store.qualified(STATE_TABLE)} (name, generation, version,"
            f" position, live) VALUES ({self.store.marks(5)})",
            (projection.name, generation, projection.version, 0, 0),
        )

    def _drop_generation(self, projection: Projection, generation: int, cur: Any) -> None:
        for table in projection.tables:
            cur.execute(
                f"DROP TABLE IF EXISTS {self.qualified(projection, generation, table.name)}"
            )
        cur.execute(
            f"DELETE FROM {self.store.qualified(STATE_TABLE)} WHERE name = {self.store.mark}"
            f" AND generation = {self.store.mark}",
            (projection.name, generation),
        )

    def generations(self, name: str) -> list[Row]:
        return self.store.fetch_all(
            f"SELECT generation, version, position, live FROM {self.store.qualified(STATE_TABLE)}"
            f" WHERE name = {self.store.mark} ORDER BY generation",
            (name,),
        )

    def live_generation(self, name: str) -> int | None:
        live = [g for g in self.generations(name) if g["live"]]
        return int(live[0]["generation"]) if live else None

    def live_version(self, name: str) -> int | None:
        live = [g for g in self.generations(name) if g["live"]]
        return int(live[0]["version"]) if live else None

    def ensure_live(self, projection: Projection) -> int:
        """The live generation, creating the first one (empty, at position 0) if none."""
        live = self.live_generation(projection.name)
        if live is not None:
            return live
        with self.store.transaction() as cur:
            self._create_generation(projection, 1, cur)
            cur.execute(
                f"UPDATE {self.store.qualified(STATE_TABLE)} SET live = 1"
                f" WHERE name = {self.store.mark} AND generation = 1",
                (projection.name,),
            )
        return 1

    def position(self, name: str, generation: int) -> int:
        for row in self.generations(name):
            if row["generation"] == generation:
                return int(row["position"])
        raise LookupError(f"projection {name} has no generation {generation}")

    # --- folding pages of events ---------------------------------------------------

    def step(self, projection: Projection, generation: int, page_size: int | None = None) -> int:
        """Fold the next page of events into one generation; returns how many were read."""
        start = self.position(projection.name, generation)
        envelopes, scanned = self.source.read(start, page_size or self.page_size, projection.topics)
        if scanned <= start:
            return 0
        tables = {t.name: t for t in projection.tables}

        def load(table: str, key: str) -> Row | None:
            spec = tables[table]
            found = self.store.fetch_all(
                f"SELECT * FROM {self.qualified(projection, generation, table)}"
                f" WHERE {spec.key} = {self.store.mark}",
                (key,),
            )
            return spec.decode(found[0]) if found else None

        rows = Rows(tables, load)
        self._prefetch(projection, generation, envelopes, rows)
        for envelope in envelopes:
            projection.apply(envelope, rows)
        self._write(projection, generation, rows, start, scanned)
        return len(envelopes) or 1

    def _prefetch(
        self, projection: Projection, generation: int, envelopes: Sequence[Envelope], rows: Rows
    ) -> None:
        wanted: dict[str, set[str]] = {}
        for envelope in envelopes:
            for table, key in projection.keys(envelope):
                wanted.setdefault(table, set()).add(key)
        tables = {t.name: t for t in projection.tables}
        for table, keys in wanted.items():
            spec = tables[table]
            found: dict[str, Row | None] = dict.fromkeys(keys)
            ordered = sorted(keys)
            for chunk in range(0, len(ordered), 500):
                part = ordered[chunk : chunk + 500]
                sql = (
                    f"SELECT * FROM {self.qualified(projection, generation, table)}"
                    f" WHERE {spec.key} IN ({self.store.marks(len(part))})"
                )
                for raw in self.store.fetch_all(sql, part):
                    found[str(raw[spec.key])] = spec.decode(raw)
            rows.preload(table, found)

    def _write(
        self, projection: Projection, generation: int, rows: Rows, start: int, end: int
    ) -> None:
        with self.store.transaction() as cur:
            cur.execute(
                f"UPDATE {self.store.qualified(STATE_TABLE)} SET position = {self.store.mark}"
                f" WHERE name = {self.store.mark} AND generation = {self.store.mark}"
                f" AND position = {self.store.mark}",
                (end, projection.name, generation, start),
            )
            if cur.rowcount != 1:
                raise ConcurrentRunner(projection.name, generation, start)
            for table in projection.tables:
                upserts, deletes = rows.changes(table.name)
                target = self.qualified(projection, generation, table.name)
                if upserts:
                    columns = ", ".join(table.columns)
                    updates = ", ".join(
                        f"{c} = excluded.{c}" for c in table.columns if c != table.key
                    )
                    cur.executemany(
                        f"INSERT INTO {target} ({columns}) VALUES"
                        f" ({self.store.marks(len(table.columns))})"
                        f" ON CONFLICT ({table.key}) DO UPDATE SET {updates}",
                        [table.encode(r, self.store.dialect) for r in upserts],
                    )
                if deletes:
                    cur.executemany(
                        f"DELETE FROM {target} WHERE {table.key} = {self.store.mark}",
                        [(k,) for k in deletes],
                    )

    def catch_up(self, projection: Projection, generation: int | None = None) -> int:
        """Fold every event not yet folded into the (live) generation; returns the count."""
        target = generation if generation is not None else self.ensure_live(projection)
        total = 0
        while (count := self.step(projection, target)) > 0:
            total += count
        return total

    # --- rebuild, check, status ----------------------------------------------------

    def rebuild(
        self,
        projection: Projection,
        progress: Callable[[int, int], None] | None = None,
        page_size: int = 5000,
    ) -> int:
        """Fill a new generation from zero while the live one serves, then switch over."""
        existing = self.generations(projection.name)
        generation = max((int(g["generation"]) for g in existing), default=0) + 1
        with self.store.transaction() as cur:
            self._create_generation(projection, generation, cur)
        target = self.source.max_position()
        while self.step(projection, generation, page_size) > 0:
            if progress:
                progress(self.position(projection.name, generation), target)
        with self.store.transaction() as cur:
            cur.execute(
                f"UPDATE {self.store.qualified(STATE_TABLE)} SET live ="
                f" CASE WHEN generation = {self.store.mark} THEN 1 ELSE 0 END"
                f" WHERE name = {self.store.mark}",
                (generation, projection.name),
            )
            for old in existing:
                self._drop_generation(projection, int(old["generation"]), cur)
        return generation

    def rows(self, projection: Projection, generation: int, table: str) -> dict[str, Row]:
        spec = next(t for t in projection.tables if t.name == table)
        raw = self.store.fetch_all(f"SELECT * FROM {self.qualified(projection, generation, table)}")
        return {str(r[spec.key]): spec.decode(r) for r in raw}

    def check(self, projection: Projection) -> list[Difference]:
        """Compare the live view with a fresh rebuild; every differing row is listed."""
        live = self.ensure_live(projection)
        existing = self.generations(projection.name)
        scratch = max(int(g["generation"]) for g in existing) + 1
        with self.store.transaction() as cur:
            self._create_generation(projection, scratch, cur)
        try:
            while self.step(projection, scratch, 5000) > 0:
                pass
            self.catch_up(projection, live)
            differences: list[Difference] = []
            for table in projection.tables:
                differences.extend(
                    compare(
                        table.name,
                        self.rows(projection, live, table.name),
                        self.rows(projection, scratch, table.name),
                    )
                )
            return differences
        finally:
            with self.store.transaction() as cur:
                self._drop_generation(projection, scratch, cur)

    def status(self, projection: Projection, now: datetime) -> Status:
        log_position = self.source.max_position()
        try:
            generation = self.live_generation(projection.name)
        except Exception as error:
            if not is_missing_table(error):
                raise
            generation = None
        if generation is None:
            return Status(projection.name, None, None, 0, log_position, log_position, 0.0)
        row = next(g for g in self.generations(projection.name) if g["generation"] == generation)
        position = int(row["position"])
        oldest = self.source.recorded_at(position) if position < log_position else None
        lag_seconds = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0
        return Status(
            projection.name,
            generation,
            int(row["version"]),
            position,
            log_position,
            max(0, log_position - position),
            lag_seconds,
        )

    def wait_for(self, position: int, timeout: float, names: Iterable[str] | None = None) -> bool:
        """Read-your-writes: wait (bounded) until the live views have folded ``position``."""
        deadline = time.monotonic() + timeout
        wanted = list(names) if names is not None else list(self.projections)
        while True:
            behind = [n for n in wanted if self._live_position(n) < position]
            if not behind:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)

    def _live_position(self, name: str) -> int:
        live = [g for g in self.generations(name) if g["live"]]
        return int(live[0]["position"]) if live else 0


class ConcurrentRunner(RuntimeError):
    """Another runner folded the same events first; this page was rolled back."""

    def __init__(self, name: str, generation: int, position: int) -> None:
        super().__init__(f"{name} g{generation}: position {position} moved under us")


@dataclass(frozen=True)
class Difference:
    table: str
    key: str
    live: Row | None
    rebuilt: Row | None

    def columns(self) -> list[str]:
        live, rebuilt = self.live or {}, self.rebuilt or {}
        return sorted(c for c in set(live) | set(rebuilt) if live.get(c) != rebuilt.get(c))


def compare(table: str, live: dict[str, Row], rebuilt: dict[str, Row]) -> Iterator[Difference]:
    for key in sorted(set(live) | set(rebuilt)):
        if live.get(key) != rebuilt.get(key):
            yield Difference(table, key, live.get(key), rebuilt.get(key))
