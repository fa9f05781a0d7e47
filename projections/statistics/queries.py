"""The annual report: registered, assessed and recognised per unit, rolled up the tree.

Counts are kept per unit as recorded; a report picks a published structure
(:mod:`domain.structures`: the day whose geography it uses) and adds each unit's counts to the unit standing for it that day and to every ancestor.
Merged communes therefore sum into their successor under the two-level structure, and stay
apart under the three-level one.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Generic, TypeVar

from domain.glossary import SUBJECT_OF_MODEL, TitleModel
from domain.structures import Structure
from domain.targets import TargetsSpec
from projections.engine import Engine
from projections.statistics.projection import Statistics
from projections.units.projection import UNITS, Units
from projections.units.tree import UnitTree

K = TypeVar("K")
V = TypeVar("V")


class Rates:
    """Recognised over registered and over all subjects, in percent to two decimals."""

    recognised: int
    registered: int
    subjects: int

    @property
    def rate_of_registered(self) -> Decimal | None:
        return _rate(self.recognised, self.registered)

    @property
    def rate_of_subjects(self) -> Decimal | None:
        return _rate(self.recognised, self.subjects)


@dataclass
class Line(Rates):
    unit_id: str
    code: str
    name: str
    level: str
    parent_id: str | None
    registered: int = 0
    assessed: int = 0
    recognised: int = 0
    subjects: int = 0
    by_model: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Công dân học tập by target group: registered, assessed, recognised and subjects.
    by_group: dict[str, dict[str, int]] = field(default_factory=dict)
    subjects_by_kind: dict[str, int] = field(default_factory=dict)

    def groups(self, labels: Mapping[str, str]) -> list[GroupFigures]:
        """Công dân học tập per target group, with rates, in the order of ``labels`` (the
        published criteria sets' groups), then any group no set names, by code."""
        order = {code: index for index, code in enumerate(labels)}
        return [
            GroupFigures(code, labels.get(code, code), **counts)
            for code, counts in sorted(
                self.by_group.items(), key=lambda item: (order.get(item[0], len(order)), item[0])
            )
        ]


@dataclass(frozen=True)
class GroupFigures(Rates):
    """One target group's line of the table a province publishes (domain.md §2.3)."""

    code: str
    label: str
    registered: int = 0
    assessed: int = 0
    recognised: int = 0
    subjects: int = 0


@dataclass(frozen=True)
class Progress:
    """How far a scope is towards one programme target."""

    model: str
    target_groups: tuple[str, ...]
    year: int
    target_rate: Decimal
    basis: str
    note: str | None
    recognised: int
    population: int

    @property
    def achieved_rate(self) -> Decimal | None:
        return _rate(self.recognised, self.population)

    @property
    def reached(self) -> bool | None:
        achieved = self.achieved_rate
        return None if achieved is None else achieved >= self.target_rate


@dataclass
class Report:
    structure: str  # the published structure's code ("two_level", "three_level", …)
    structure_day: date  # the day whose unit tree the figures rolled up under
    cycle_year: int
    model: str | None
    lines: list[Line]
    progress: list[Progress] = field(default_factory=list)


def _rate(part: int, whole: int) -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def unit_tree(engine: Engine) -> UnitTree:
    """The geography, read once and kept until the units view changes: every scoped list
    needs it, and a country has ~55,000 units. The view only ever writes a row with the
    position of the event that changed it, so its newest position (indexed) tells a change."""
    units = Units()
    table = engine.qualified(units, engine.ensure_live(units), "units")
    [stamp] = engine.store.fetch_values(f"SELECT MAX(position) FROM {table}")
    trees: dict[str, tuple[tuple[Any, ...], UnitTree]] = engine.__dict__.setdefault(
        "_unit_trees", {}
    )
    cached = trees.get(table)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    tree = UnitTree(UNITS.decode(r) for r in engine.store.fetch_all(f"SELECT * FROM {table}"))
    trees[table] = (stamp, tree)
    return tree


#: Report line tables kept per unit tree (each a JSON text of up to one entry per unit).
LINE_TABLES_KEPT = 64
EMPTY_GROUP = {"registered": 0, "assessed": 0, "recognised": 0, "subjects": 0}
EMPTY_MODEL = {"registered": 0, "assessed": 0, "recognised": 0}
CITIZEN = TitleModel.LEARNING_CITIZEN.value
FLAG_SUMS = ("registered", "assessed", "recognised")


def report(
    engine: Engine,
    *,
    cycle_year: int,
    structure: Structure,
    model: str | None = None,
    root_id: str | None = None,
    targets: TargetsSpec | None = None,
    depth: int | None = None,
) -> Report:
    """Each unit's figures for the cycle, rolled up the tree of the published ``structure``
    (its geography day): every unit, or ``root_id`` and the units that roll up to it.

    ``depth`` keeps lines only that many levels down from the report's top (1: the top
    alone; 2: with the units just below, what a statistics page shows); a deeper unit's rows
    count straight in its ancestor at that depth, so those lines hold the same figures as in
    the full report, made without a line per village.

    The database does the summing: the report sends, as one JSON parameter, which line each
    unit's rows count in (the unit standing for it on the day, or its ancestor at the cut
    depth; made once per unit tree, day, unit and depth), and reads back one sum per line,
    title and group (``GROUP BY``). For one unit only the rows of the units inside it are
    read (a join from those units on the ``unit_id`` index): a row reaches a unit's line only
    through the unit it was recorded in, and that unit lies inside. The work is therefore
    proportional to the unit asked for, not to the store, and Python sees a row per line
    rather than a row per stored counter.

    Those sums are kept between requests, per unit tree, table, filter and shape of report
    (:func:`_kept_summed`): a report whose rows did not move since sums only the lines whose
    units' rows did (often none), so a province's statistics page stops costing its rows.
    The lines rolled up from them are kept too (:func:`_kept_rolled_up`): only the lines
    above what moved are added up again.
    """
    day = structure.geography_day
    tree = unit_tree(engine)
    stats = Statistics()
    generation = engine.ensure_live(stats)
    chains = tree.chains(day)
    deepest = None
    if depth is not None:
        top = len(chains.get(root_id) or tree.chain(root_id, day)) if root_id else 1
        deepest = top + max(depth, 1) - 1
    places = line_table(tree, day, root_id, deepest)
    mark = engine.store.mark
    where = [f"t.cycle_year = {mark}"]
    params: list[object] = [cycle_year]
    if model:
        where.append(f"t.model = {mark}")
        params.append(model)
    shape = (day, root_id, deepest)
    counted = Summing(
        engine.qualified(stats, generation, "counts"),
        ("model", "target_group"),
        FLAG_SUMS,
        tuple(where),
        tuple(params),
    )
    people = Summing(
        engine.qualified(stats, generation, "subjects"),
        ("subject_kind", "target_group"),
        ("subjects",),
    )
    # both tables' newest positions in one round trip, read before either is summed
    [(newest_count, newest_subject)] = engine.store.fetch_values(
        f"SELECT (SELECT MAX(position) FROM {counted.table}),"
        f" (SELECT MAX(position) FROM {people.table})"
    )
    counts = _kept_summed(engine, tree, counted, shape, places, int(newest_count or 0))
    subjects = _kept_summed(engine, tree, people, shape, places, int(newest_subject or 0))
    kinds = frozenset({SUBJECT_OF_MODEL[TitleModel(model)].value}) if model else None
    lines = _kept_rolled_up(tree, day, (counted, people, shape, kinds), counts, subjects)
    inside = tree.within(root_id, day) if root_id is not None else None

    def level_of(line: Line) -> int:
        return len(chains[line.unit_id]) if line.unit_id in tree.units else 99

    chosen = [v for v in lines.values() if inside is None or v.unit_id in inside]
    ordered = sorted(chosen, key=lambda v: (level_of(v), v.code, v.unit_id))
    scope = (
        [v for v in ordered if v.unit_id == root_id]
        if root_id
        else [v for v in ordered if v.parent_id is None]
    )
    progress = _progress(scope, targets, cycle_year, model) if targets else []
    return Report(structure.code, day, cycle_year, model, ordered, progress)


def line_table(tree: UnitTree, day: date, root_id: str | None, deepest: int | None) -> str:
    """Which line each unit's rows count in, as a JSON object: the unit standing for it on
    ``day``, or, with ``deepest``, its ancestor of that chain length when its chain is
    longer. For ``root_id``: every unit inside it; for the whole store: only the units whose
    line is not themselves (a unit left out, registered or not, counts in its own line).
    Made once per tree, day, unit and depth: the tree is new when the units view changes."""
    kept: dict[tuple[date, str | None, int | None], str] = tree.__dict__.setdefault(
        "_line_tables", {}
    )
    found = kept.get((day, root_id, deepest))
    if found is not None:
        return found
    chains = tree.chains(day)
    units = tree.within(root_id, day) if root_id is not None else tree.units
    places: dict[str, str] = {}
    for unit_id in units:
        chain = chains.get(unit_id) or tuple(tree.chain(unit_id, day))
        below = len(chain) - deepest if deepest is not None else 0
        place = chain[max(below, 0)]
        if root_id is not None or place != unit_id:
            places[unit_id] = place
    if len(kept) >= LINE_TABLES_KEPT:
        kept.clear()
    found = kept[(day, root_id, deepest)] = json.dumps(places, separators=(",", ":"))
    return found


#: The line table as rows (unit_id, line_id), from the one JSON parameter.
LINE_ROWS = {
    "sqlite": "SELECT key AS unit_id, value AS line_id FROM json_each({mark})",
    "postgres": "SELECT key AS unit_id, value AS line_id FROM json_each_text({mark}::json)",
}


@dataclass(frozen=True)
class Summing:
    """What a report sums from one table: grouped by ``keys``, the ``sums``, of the rows
    meeting ``where`` (SQL with the store's marks) with ``params``."""

    table: str
    keys: tuple[str, ...]
    sums: tuple[str, ...]
    where: tuple[str, ...] = ()
    params: tuple[object, ...] = ()


@dataclass(frozen=True, eq=False)
class KeptSums:
    """A report's summed rows by line, as of the newest row ``position`` they include;
    ``kept`` when they stay for the next request (a shape summing too many rows does not).
    A line whose rows were not summed again keeps the very same tuple of rows, so what
    changed between two of these is found by identity."""

    position: int
    by_line: Mapping[str, tuple[tuple[Any, ...], ...]]
    kept: bool = True

    @property
    def rows(self) -> list[tuple[Any, ...]]:
        return [row for rows in self.by_line.values() for row in rows]

    def changed_since(self, earlier: KeptSums) -> set[str]:
        """The lines whose rows are not the very rows of ``earlier``'s."""
        if earlier is self:
            return set()
        before, after = earlier.by_line, self.by_line
        return {
            line for line in before.keys() | after.keys() if before.get(line) is not after.get(line)
        }


class Kept(Generic[K, V]):
    """What reports keep between requests for one unit tree, within a budget: each entry
    costs its size (its summed rows, or its lines), and the least recently used go first
    when the budget is spent, so a process's memory is bounded by what is kept, not by how
    many reports were asked for. An entry larger than ``largest`` is not kept."""

    def __init__(self, budget: int, largest: int) -> None:
        self.budget, self.largest, self.used = budget, largest, 0
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: K, value: V, size: int) -> bool:
        """Keep ``value`` (in place of what ``key`` had); False when too large to keep."""
        if size > self.largest:
            return False
        with self._lock:
            replaced = self._entries.pop(key, None)
            self.used += size - (replaced[1] if replaced else 0)
            self._entries[key] = (value, size)
            while self.used > self.budget:
                _, (_, freed) = self._entries.popitem(last=False)
                self.used -= freed
        return True

    def items(self) -> list[tuple[K, V]]:
        with self._lock:
            return [(key, value) for key, (value, _) in self._entries.items()]

    def __len__(self) -> int:
        return len(self._entries)


#: Summed rows kept per unit tree (all tables, filters and report shapes together), and the
#: most one shape may keep: a shape summing more rows (the whole country's full report) is
#: summed anew each time instead. A summed row is a tuple of six small values.
SUMMED_ROWS_KEPT = 200_000
SUMMED_ROWS_KEPT_EACH = 50_000
#: Report lines kept per unit tree (a line holds its figures per title and target group).
LINES_KEPT = 20_000


def _kept_summed(
    engine: Engine,
    tree: UnitTree,
    summing: Summing,
    shape: tuple[date, str | None, int | None],
    places: str,
    newest: int,
) -> KeptSums:
    """``_summed`` for a report's shape (day, root, depth), kept between requests: the rows
    of a table only change by the fold, which stamps each row it writes with its event's
    position, so the units whose rows moved since the kept sums are those with a newer
    position (indexed), and only their lines are summed again. ``newest`` is the table's
    newest position, read before the sums, so a row written meanwhile is summed again next
    time, never missed. The kept sums live with the unit tree: a new tree (the units view
    changed) starts anew."""
    kept_all: Kept[tuple[Summing, tuple[Any, ...]], KeptSums] = tree.__dict__.setdefault(
        "_kept_sums", Kept(SUMMED_ROWS_KEPT, SUMMED_ROWS_KEPT_EACH)
    )
    key = (summing, shape)
    kept = kept_all.get(key)
    inside_only = shape[1] is not None
    if kept is None:
        rows = _summed(engine, summing, places, inside_only=inside_only)
        made = KeptSums(newest, _by_line(rows))
        if not kept_all.put(key, made, len(rows)):
            made = replace(made, kept=False)
        return made
    if newest > kept.position:
        kept = _redone(engine, summing, places, kept, newest, inside_only=inside_only)
        kept_all.put(key, kept, sum(map(len, kept.by_line.values())))
    return kept


def _by_line(rows: list[tuple[Any, ...]]) -> dict[str, tuple[tuple[Any, ...], ...]]:
    grouped: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        grouped[row[0]].append(row)
    return {line: tuple(found) for line, found in grouped.items()}


def _redone(
    engine: Engine,
    summing: Summing,
    places: str,
    kept: KeptSums,
    newest: int,
    *,
    inside_only: bool,
) -> KeptSums:
    """``kept`` with the lines of the units whose rows moved after its position summed anew
    (a new object: another thread may be reading the old one)."""
    store = engine.store
    # no DISTINCT: SQLite would then scan the unit_id index for its order, not seek here
    moved = {
        unit
        for (unit,) in store.fetch_values(
            f"SELECT unit_id FROM {summing.table} WHERE position > {store.mark} ORDER BY position",
            [kept.position],
        )
    }
    line_of: dict[str, str] = json.loads(places)
    if inside_only:
        lines = {line_of[unit] for unit in moved if unit in line_of}
    else:  # the whole store: a unit the table does not name counts in its own line
        lines = {line_of.get(unit, unit) for unit in moved}
    if not lines:
        return KeptSums(newest, kept.by_line)
    again = {unit: line for unit, line in line_of.items() if line in lines}
    if not inside_only:
        again |= {line: line for line in lines if line not in line_of}
    rows = _summed(engine, summing, json.dumps(again, separators=(",", ":")), inside_only=True)
    by_line = {line: found for line, found in kept.by_line.items() if line not in lines}
    return KeptSums(newest, by_line | _by_line(rows))


def _summed(
    engine: Engine, summing: Summing, places: str, *, inside_only: bool
) -> list[tuple[Any, ...]]:
    """``(line id, *keys, *sums)``: the rows of the table that match, summed per line (as
    ``places`` says) and keys. With ``inside_only``, the rows of the units ``places`` names
    only; otherwise every row, in its own unit's line unless ``places`` names another."""
    store = engine.store
    table, keys, sums = summing.table, summing.keys, summing.sums
    where, params = summing.where, summing.params
    lines = LINE_ROWS[store.dialect].format(mark=store.mark)
    grouped = ", ".join(f"t.{k}" for k in keys)
    summed = ", ".join(f"SUM(t.{s})" for s in sums)
    if inside_only:
        line, joined = "m.line_id", f"m JOIN {table} t ON t.unit_id = m.unit_id"
    else:
        line = "COALESCE(m.line_id, t.unit_id)"
        joined = f"{table} t LEFT JOIN m ON m.unit_id = t.unit_id"
    conditions = f" WHERE {' AND '.join(where)}" if where else ""
    sql = (
        f"WITH m AS MATERIALIZED ({lines})"
        f" SELECT {line}, {grouped}, {summed} FROM {joined}{conditions}"
        f" GROUP BY {line}, {grouped}"
    )
    return store.fetch_values(sql, [places, *params])


@dataclass(frozen=True, eq=False)
class RolledUp:
    """A report's lines rolled up from ``counts`` and ``subjects``, with the lines just
    below each line (its children among them)."""

    counts: KeptSums
    subjects: KeptSums
    lines: Mapping[str, Line]
    children: Mapping[str, tuple[str, ...]]


def _kept_rolled_up(
    tree: UnitTree,
    day: date,
    key: tuple[Summing, Summing, tuple[date, str | None, int | None], frozenset[str] | None],
    counts: KeptSums,
    subjects: KeptSums,
) -> Mapping[str, Line]:
    """:func:`_rolled_up`, kept with the sums it was made from (per unit tree and ``key``:
    both summings, the report's shape and the subject kinds counted). When neither sum
    moved, the kept lines are the report's. When some lines' rows were summed again, only
    those lines and their ancestors are made again, deepest first, each from its own rows
    and its children's lines; every other line is the kept object. A line that appears or
    goes, or parents with a cycle, roll everything up anew. Lines are never changed once
    made: another thread may be reading them."""
    kinds = key[3]
    if not (counts.kept and subjects.kept):
        return _rolled_up(tree, day, counts, subjects, kinds)
    kept_all: Kept[Any, RolledUp] = tree.__dict__.setdefault(
        "_kept_rollups", Kept(LINES_KEPT, LINES_KEPT)
    )
    kept = kept_all.get(key)
    if kept is not None and kept.counts is counts and kept.subjects is subjects:
        return kept.lines
    lines: Mapping[str, Line] | None = None
    if kept is not None and tree.nested(day):
        changed = counts.changed_since(kept.counts) | subjects.changed_since(kept.subjects)
        lines = (
            _rolled_again(tree, day, kept, changed, counts, subjects, kinds)
            if changed
            else kept.lines
        )
    children: Mapping[str, tuple[str, ...]]
    if lines is None:
        lines = _rolled_up(tree, day, counts, subjects, kinds)
        below: dict[str, list[str]] = defaultdict(list)
        for line in lines.values():
            if line.parent_id is not None:
                below[line.parent_id].append(line.unit_id)
        children = {parent: tuple(found) for parent, found in below.items()}
    else:  # made again from a kept entry: the lines' places have not moved
        children = kept.children if kept is not None else {}
    kept_all.put(key, RolledUp(counts, subjects, lines, children), len(lines))
    return lines


def _rolled_again(
    tree: UnitTree,
    day: date,
    kept: RolledUp,
    changed: set[str],
    counts: KeptSums,
    subjects: KeptSums,
    kinds: frozenset[str] | None,
) -> dict[str, Line] | None:
    """``kept``'s lines with the ``changed`` lines (their own rows summed again) and their
    ancestors made anew; None when a changed line is new or has no rows left."""
    lines = kept.lines
    if any(
        line not in lines or (line not in counts.by_line and line not in subjects.by_line)
        for line in changed
    ):
        return None
    again: set[str] = set()
    for changed_line in changed:
        line: str | None = changed_line
        while line is not None and line not in again:
            again.add(line)
            line = lines[line].parent_id
    chains = tree.chains(day)
    made = dict(lines)
    for unit_id in sorted(again, key=lambda u: -len(chains.get(u) or tree.chain(u, day))):
        old = lines[unit_id]
        fresh = made[unit_id] = Line(old.unit_id, old.code, old.name, old.level, old.parent_id)
        _add_rows(fresh, counts.by_line.get(unit_id, ()), subjects.by_line.get(unit_id, ()), kinds)
        for child in kept.children.get(unit_id, ()):
            _add_line(fresh, made[child])
    return made


def _rolled_up(
    tree: UnitTree,
    day: date,
    counts: KeptSums,
    subjects: KeptSums,
    kinds: frozenset[str] | None,
) -> dict[str, Line]:
    """A line per unit that a summed row counts in (each row names its line) and for each
    of that unit's ancestors on ``day``, each with the sum of the rows below it."""
    chains = tree.chains(day)
    units = tree.units

    def links(unit_id: str) -> tuple[str, ...]:
        found = chains.get(unit_id)
        return found if found is not None else tuple(tree.chain(unit_id, day))

    lines: dict[str, Line] = {}

    def line(unit_id: str) -> Line:
        found = lines.get(unit_id)
        if found is None:
            unit = units.get(unit_id)
            chain = links(unit_id) if unit is not None else ()
            found = lines[unit_id] = Line(
                unit_id=unit_id,
                code=unit.code if unit else "?",
                name=unit.name if unit else "(đơn vị chưa đăng ký)",
                level=unit.level if unit else "?",
                parent_id=chain[1] if len(chain) > 1 else None,
            )
        return found

    # first each line's own figures (the rows counted in it), summed by the database
    for unit_id in dict.fromkeys([*counts.by_line, *subjects.by_line]):
        _add_rows(
            line(unit_id), counts.by_line.get(unit_id, ()), subjects.by_line.get(unit_id, ()), kinds
        )
    own = list(lines)
    if tree.nested(day):
        # a parent's chain is the rest of its child's: deepest first, each line into its
        # parent's, and every line ends with the rows of every unit whose chain passes by it
        above: set[str] = set()  # lines whose ancestors all have a line already
        for unit_id in own:
            for link in links(unit_id)[1:]:
                if link in above:
                    break
                line(link)
                above.add(link)
        for child in sorted(lines.values(), key=lambda v: -len(links(v.unit_id))):
            if child.parent_id is not None:
                _add_line(lines[child.parent_id], child)
        return lines
    # a cycle in the parents: each unit's own rows to every unit of its chain, one by one
    alone = {unit_id: _copy(lines[unit_id]) for unit_id in own}
    for unit_id, figures in alone.items():
        for link in links(unit_id)[1:]:
            _add_line(line(link), figures)
    return lines


def _add_rows(
    target: Line,
    counts: tuple[tuple[Any, ...], ...],
    subjects: tuple[tuple[Any, ...], ...],
    kinds: frozenset[str] | None,
) -> None:
    """A line's own summed rows (``(line, title, group, registered, assessed,
    recognised)`` and ``(line, kind, group, subjects)``) into its figures; subjects count
    in its total only when of ``kinds`` (all when None)."""
    for _, model, group, registered, assessed, recognised in counts:
        _add_counts(target, model, group, int(registered), int(assessed), int(recognised))
    for _, kind, group, number in subjects:
        _add_subjects(target, kind, group, int(number), kinds is None or kind in kinds)


def _add_counts(
    target: Line, model: str, group: str | None, registered: int, assessed: int, recognised: int
) -> None:
    target.registered += registered
    target.assessed += assessed
    target.recognised += recognised
    _add_three(target.by_model, model, registered, assessed, recognised, EMPTY_MODEL)
    if model == CITIZEN and group:
        _add_three(target.by_group, group, registered, assessed, recognised, EMPTY_GROUP)


def _add_three(
    table: dict[str, dict[str, int]],
    key: str,
    registered: int,
    assessed: int,
    recognised: int,
    empty: Mapping[str, int],
) -> None:
    """One row's figures into the per-title or per-group column ``key`` (the hot loop of a
    report: no dictionary is made for the row itself)."""
    found = _column(table, key, empty)
    found["registered"] += registered
    found["assessed"] += assessed
    found["recognised"] += recognised


def _column(table: dict[str, dict[str, int]], key: str, empty: Mapping[str, int]) -> dict[str, int]:
    """The figures of column ``key`` (a title or a target group), started as ``empty``."""
    found = table.get(key)
    if found is None:
        found = table[key] = dict(empty)
    return found


def _add_figures(
    table: dict[str, dict[str, int]],
    key: str,
    figures: Mapping[str, int],
    empty: Mapping[str, int] | None = None,
) -> None:
    """Add ``figures`` to ``table[key]``, which starts as ``empty`` (or as zeros of the same
    names) when absent: one rule for a line's per-title and per-group columns."""
    found = _column(table, key, empty if empty is not None else dict.fromkeys(figures, 0))
    for name, number in figures.items():
        found[name] += number


def _add_subjects(target: Line, kind: str, group: str | None, number: int, counted: bool) -> None:
    target.subjects_by_kind[kind] = target.subjects_by_kind.get(kind, 0) + number
    if kind == "person" and group:
        _column(target.by_group, group, EMPTY_GROUP)["subjects"] += number
    if counted:
        target.subjects += number


def _add_line(target: Line, source: Line) -> None:
    """Add one line's figures to another's."""
    target.registered += source.registered
    target.assessed += source.assessed
    target.recognised += source.recognised
    target.subjects += source.subjects
    for key, figures in source.by_model.items():
        _add_figures(target.by_model, key, figures)
    for key, figures in source.by_group.items():
        _add_figures(target.by_group, key, figures)
    for kind, number in source.subjects_by_kind.items():
        target.subjects_by_kind[kind] = target.subjects_by_kind.get(kind, 0) + number


def summed(lines: list[Line], *, unit_id: str, code: str, name: str, level: str) -> Line:
    """One line holding the figures of ``lines`` added up (a national line from the
    provinces' top lines, each read from its own store)."""
    total = Line(unit_id=unit_id, code=code, name=name, level=level, parent_id=None)
    for line in lines:
        _add_line(total, line)
    return total


def _copy(line: Line) -> Line:
    return replace(
        line,
        by_model={k: dict(v) for k, v in line.by_model.items()},
        by_group={k: dict(v) for k, v in line.by_group.items()},
        subjects_by_kind=dict(line.subjects_by_kind),
    )


def _progress(
    scope: list[Line], targets: TargetsSpec, cycle_year: int, model: str | None
) -> list[Progress]:
    """Each target of the cycle against the recognised share of the scope's subjects."""
    result = []
    for title in TitleModel:
        if model and title.value != model:
            continue
        for target in targets.for_year(title, cycle_year):
            if target.target_groups:
                groups = [line.by_group.get(g, {}) for line in scope for g in target.target_groups]
                recognised = sum(g.get("recognised", 0) for g in groups)
                population = sum(g.get("subjects", 0) for g in groups)
            else:
                kind = SUBJECT_OF_MODEL[title].value
                recognised = sum(
                    line.by_model.get(title.value, {}).get("recognised", 0) for line in scope
                )
                population = sum(line.subjects_by_kind.get(kind, 0) for line in scope)
            result.append(
                Progress(
                    title.value,
                    target.target_groups,
                    target.year,
                    target.rate,
                    target.basis,
                    target.note,
                    recognised,
                    population,
                )
            )
    return result


def by_unit(lines: list[Line]) -> dict[str, Line]:
    return {line.unit_id: line for line in lines}


def totals(lines: list[Line]) -> dict[str, int]:
    result: dict[str, int] = defaultdict(int)
    for item in lines:
        if item.parent_id is None:
            for flag in ("registered", "assessed", "recognised", "subjects"):
                result[flag] += getattr(item, flag)
    return dict(result)
