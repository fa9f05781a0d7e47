"""The annual report: registered, assessed and recognised per unit, rolled up the tree.

Counts are kept per unit as recorded; a report picks a structure (the day whose geography it
uses) and adds each unit's counts to the unit standing for it that day and to every ancestor.
Merged communes therefore sum into their successor under the two-level structure, and stay
apart under the three-level one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from domain.glossary import SUBJECT_OF_MODEL, TitleModel
from domain.registry import TWO_LEVEL_GOVERNMENT_FROM
from domain.targets import TargetsSpec
from projections.engine import Engine
from projections.statistics.projection import Statistics
from projections.units.projection import UNITS, Units
from projections.units.tree import UnitTree

THREE_LEVEL_DAY = date(2025, 6, 30)
TWO_LEVEL_DAY = TWO_LEVEL_GOVERNMENT_FROM


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
    structure: str  # "two_level" | "three_level"
    structure_day: date
    cycle_year: int
    model: str | None
    lines: list[Line]
    progress: list[Progress] = field(default_factory=list)


def _rate(part: int, whole: int) -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def structure_day(structure: str) -> date:
    if structure == "two_level":
        return TWO_LEVEL_DAY
    if structure == "three_level":
        return THREE_LEVEL_DAY
    raise ValueError("structure: 'two_level' hoặc 'three_level'")


def unit_tree(engine: Engine) -> UnitTree:
    """The geography, read once and kept until the units view changes (a count and the last
    position it folded tell): every scoped list needs it, and a country has ~55,000 units."""
    units = Units()
    table = engine.qualified(units, engine.ensure_live(units), "units")
    [stamp] = engine.store.fetch_all(f"SELECT COUNT(*) AS n, MAX(position) AS p FROM {table}")
    seen = (stamp["n"], stamp["p"])
    trees: dict[str, tuple[tuple[Any, ...], UnitTree]] = engine.__dict__.setdefault(
        "_unit_trees", {}
    )
    cached = trees.get(table)
    if cached is not None and cached[0] == seen:
        return cached[1]
    tree = UnitTree(UNITS.decode(r) for r in engine.store.fetch_all(f"SELECT * FROM {table}"))
    trees[table] = (seen, tree)
    return tree


def report(
    engine: Engine,
    *,
    cycle_year: int,
    structure: str = "two_level",
    model: str | None = None,
    root_id: str | None = None,
    targets: TargetsSpec | None = None,
) -> Report:
    day = structure_day(structure)
    tree = unit_tree(engine)
    stats = Statistics()
    generation = engine.ensure_live(stats)
    mark = engine.store.mark
    params: list[object] = [cycle_year]
    sql = f"SELECT * FROM {engine.qualified(stats, generation, 'counts')} WHERE cycle_year = {mark}"
    if model:
        sql += f" AND model = {mark}"
        params.append(model)
    counts = engine.store.fetch_all(sql, params)
    subjects = engine.store.fetch_all(
        f"SELECT * FROM {engine.qualified(stats, generation, 'subjects')}"
    )
    inside = tree.within(root_id, day) if root_id is not None else None
    if inside is not None:  # a row rolls up into the root's subtree only if it lies inside it
        counts = [r for r in counts if r["unit_id"] in inside]
        subjects = [r for r in subjects if r["unit_id"] in inside]
    kinds = {SUBJECT_OF_MODEL[TitleModel(model)].value} if model else None
    empty = {"registered": 0, "assessed": 0, "recognised": 0, "subjects": 0}

    lines: dict[str, Line] = {}

    def line(unit_id: str) -> Line:
        if unit_id not in lines:
            unit = tree.units.get(unit_id)
            parent = None
            if unit is not None:
                parent = tree.chain(unit_id, day)[1] if len(tree.chain(unit_id, day)) > 1 else None
            lines[unit_id] = Line(
                unit_id=unit_id,
                code=unit.code if unit else "?",
                name=unit.name if unit else "(đơn vị chưa đăng ký)",
                level=unit.level if unit else "?",
                parent_id=parent,
            )
        return lines[unit_id]

    for row in counts:
        for unit_id in tree.chain(row["unit_id"], day):
            target = line(unit_id)
            for flag in ("registered", "assessed", "recognised"):
                setattr(target, flag, getattr(target, flag) + int(row[flag]))
            per_model = target.by_model.setdefault(
                row["model"], {"registered": 0, "assessed": 0, "recognised": 0}
            )
            for flag in per_model:
                per_model[flag] += int(row[flag])
            if row["model"] == TitleModel.LEARNING_CITIZEN.value and row["target_group"]:
                group = target.by_group.setdefault(row["target_group"], dict(empty))
                for flag in ("registered", "assessed", "recognised"):
                    group[flag] += int(row[flag])
    for row in subjects:
        for unit_id in tree.chain(row["unit_id"], day):
            target = line(unit_id)
            kind = row["subject_kind"]
            target.subjects_by_kind[kind] = target.subjects_by_kind.get(kind, 0) + int(
                row["subjects"]
            )
            if kind == "person" and row["target_group"]:
                group = target.by_group.setdefault(row["target_group"], dict(empty))
                group["subjects"] += int(row["subjects"])
            if kinds is None or kind in kinds:
                target.subjects += int(row["subjects"])

    chosen: list[Line] = list(lines.values())
    if inside is not None:
        chosen = [v for v in lines.values() if v.unit_id in inside]
    ordered = sorted(chosen, key=lambda v: (_depth(tree, v.unit_id, day), v.code))
    scope = (
        [v for v in ordered if v.unit_id == root_id]
        if root_id
        else [v for v in ordered if v.parent_id is None]
    )
    progress = _progress(scope, targets, cycle_year, model) if targets else []
    return Report(structure, day, cycle_year, model, list(ordered), progress)


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


def _depth(tree: UnitTree, unit_id: str, day: date) -> int:
    return len(tree.chain(unit_id, day)) if unit_id in tree.units else 99


def by_unit(lines: list[Line]) -> dict[str, Line]:
    return {line.unit_id: line for line in lines}


def totals(lines: list[Line]) -> dict[str, int]:
    result: dict[str, int] = defaultdict(int)
    for item in lines:
        if item.parent_id is None:
            for flag in ("registered", "assessed", "recognised", "subjects"):
                result[flag] += getattr(item, flag)
    return dict(result)
