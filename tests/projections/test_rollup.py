"""Statistics roll up across the commune merger of 2025-07-01, under both structures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from application.adapters.read_models import ReadModels
from application.ledger import Ledger
from application.services.assessments import SeatRequest
from application.services.criteria import seed_structures
from application.services.decisions import RulingRequest
from application.services.records import VIETNAM, FixedClock
from application.settings import Settings
from domain.base import CommandContext
from domain.geography import covers
from domain.glossary import DecisionOutcome, Role, TitleModel, UnitLevel
from domain.registry import Person
from projections.statistics import Statistics
from projections.statistics.queries import Kept, Line, by_unit, report, unit_tree
from projections.units import Units
from projections.units.projection import UNITS

ADMIN = CommandContext("cli:test", Role.ADMINISTRATOR.value, "test")
MERGER = date(2025, 7, 1)

STRUCTURES = seed_structures()


@pytest.fixture
def world(settings: Settings, clock: FixedClock) -> Iterator[tuple[Ledger, ReadModels]]:
    ledger = Ledger(settings, clock=clock)
    models = ReadModels(settings, ledger.store)
    models.initialise()
    yield ledger, models
    models.close()
    ledger.close()


def unit(ledger: Ledger, code: str, level: UnitLevel, parent: UUID | None, since: date) -> UUID:
    return ledger.registry.establish_unit(
        ADMIN,
        code=code,
        name=f"Đơn vị {code}",
        level=level,
        unit_type=level.value,
        parent_id=parent,
        valid_from=since,
    ).id


def geography(ledger: Ledger) -> dict[str, UUID]:
    """P > D > {A > vA, B > vB} until 30/06/2025; then A and B merge into M under P."""
    p = unit(ledger, "P", UnitLevel.PROVINCE, None, date(2000, 1, 1))
    d = unit(ledger, "D", UnitLevel.DISTRICT, p, date(2000, 1, 1))
    a = unit(ledger, "A", UnitLevel.COMMUNE, d, date(2000, 1, 1))
    b = unit(ledger, "B", UnitLevel.COMMUNE, d, date(2000, 1, 1))
    va = unit(ledger, "vA", UnitLevel.VILLAGE, a, date(2000, 1, 1))
    vb = unit(ledger, "vB", UnitLevel.VILLAGE, b, date(2000, 1, 1))
    m = unit(ledger, "M", UnitLevel.COMMUNE, p, MERGER)
    ledger.registry.merge_units(ADMIN, [a, b], m, MERGER, "Nghị quyết sắp xếp 2025")
    for village in (va, vb):
        ledger.registry.change_unit_parent(
            ADMIN, village, m, MERGER, "Sau sắp xếp đơn vị hành chính"
        )
    return {"P": p, "D": d, "A": a, "B": b, "vA": va, "vB": vb, "M": m}


def users(ledger: Ledger) -> dict[str, CommandContext]:
    contexts = {}
    for name, role in (
        ("officer", Role.COMMUNE_OFFICER),
        ("reviewer", Role.REVIEWER),
        ("chair", Role.COUNCIL_MEMBER),
        ("signer", Role.SIGNER),
    ):
        user = ledger.access.create_user(ADMIN, f"u-{name}", [role])
        contexts[name] = CommandContext(str(user.id), role.value, f"t-{name}")
    return contexts


def citizen_case(ledger: Ledger, who: dict, unit_id: UUID, n: int, score: int) -> UUID:
    person = ledger.registry.register_person(
        ADMIN,
        cccd=f"0010900{n:05d}",
        full_name=f"Công dân {n}",
        birth_date=None,
        gender=None,
        ethnicity=None,
        target_group="nong_dan",
        unit_id=unit_id,
    ).id
    case = ledger.assessments.open_case(
        who["officer"], person, TitleModel.LEARNING_CITIZEN, 2025, date(2025, 3, 1)
    ).id
    for code in range(1, 11):
        ledger.assessments.attach_evidence(
            who["officer"],
            case,
            content=b"%PDF-1.4 mc",
            kind="xac_nhan",
            issuer="Chi hội",
            issued_on=date(2025, 2, 1),
            indicators=[str(code)],
        )
    scores = {str(i): Decimal(score) for i in range(1, 11)}
    ledger.assessments.self_assess(who["officer"], case, scores, date(2025, 3, 2))
    ledger.assessments.review(who["reviewer"], case, scores, on=date(2025, 3, 3))
    ledger.assessments.form_council(
        who["officer"],
        case,
        "Hội đồng",
        [SeatRequest(UUID(who["chair"].actor_id))],
        date(2025, 3, 4),
    )
    passed = score >= 8
    ledger.assessments.appraise(
        who["chair"],
        case,
        recommended=passed,
        votes_for=int(passed),
        votes_against=int(not passed),
        on=date(2025, 3, 5),
    )
    return case


def test_a_merged_commune_sums_its_predecessors_and_the_old_structure_keeps_them_apart(
    world, clock: FixedClock
):
    ledger, models = world
    clock.current = datetime(2025, 6, 1, 9, 0, tzinfo=VIETNAM)  # before the merger
    ledger.criteria.load_seed_criteria(ADMIN)
    where = geography(ledger)
    who = users(ledger)
    in_a = [citizen_case(ledger, who, where["vA"], n, 9) for n in range(3)]
    in_b = [citizen_case(ledger, who, where["B"], n, s) for n, s in ((10, 9), (11, 6))]
    ledger.decisions.issue_decision(
        who["signer"],
        number="5/QĐ-UBND",
        decided_on=date(2025, 3, 20),
        signer_title="Chủ tịch UBND huyện",
        authority_name="UBND huyện D",
        authority_unit_id=where["D"],
        legal_basis="244/QĐ-KHVN",
        rulings=[RulingRequest(c, DecisionOutcome.GRANTED) for c in [*in_a, in_b[0]]]
        + [RulingRequest(in_b[1], DecisionOutcome.REFUSED)],
    )
    models.catch_up()

    two = by_unit(
        report(models.engine, cycle_year=2025, structure=STRUCTURES.named("two_level")).lines
    )
    m, p = two[str(where["M"])], two[str(where["P"])]
    assert (m.registered, m.assessed, m.recognised) == (5, 5, 4)
    assert (p.registered, p.recognised) == (5, 4)
    assert str(where["A"]) not in two and str(where["D"]) not in two
    assert m.rate_of_registered == Decimal("80.00")
    assert m.parent_id == str(where["P"])

    three = by_unit(
        report(models.engine, cycle_year=2025, structure=STRUCTURES.named("three_level")).lines
    )
    a, b, d = three[str(where["A"])], three[str(where["B"])], three[str(where["D"])]
    assert (a.registered, a.recognised) == (3, 3)
    assert (b.registered, b.recognised) == (2, 1)
    assert (d.registered, d.recognised) == (5, 4)
    assert three[str(where["P"])].recognised == 4
    assert str(where["M"]) not in three
    assert a.parent_id == str(where["D"])
    assert three[str(where["vA"])].subjects == 3


def test_a_kept_report_follows_what_the_fold_writes_next(world, clock: FixedClock):
    """Reports keep their sums; the fold's next cases, a person registered and one who moves
    are in the next reports, which equal reports summed from nothing."""
    ledger, models = world
    clock.current = datetime(2025, 6, 1, 9, 0, tzinfo=VIETNAM)
    ledger.criteria.load_seed_criteria(ADMIN)
    where = geography(ledger)
    who = users(ledger)
    citizen_case(ledger, who, where["vA"], 1, 9)
    models.catch_up()
    structure = STRUCTURES.named("two_level")

    def reports() -> list[list[tuple[str, dict]]]:
        made = [
            report(models.engine, cycle_year=2025, structure=structure),
            report(
                models.engine,
                cycle_year=2025,
                structure=structure,
                root_id=str(where["P"]),
                depth=2,
            ),
            report(models.engine, cycle_year=2025, structure=structure, root_id=str(where["M"])),
        ]
        return [[(line.unit_id, figures(line)) for line in made.lines] for made in made]

    before = reports()
    citizen_case(ledger, who, where["vB"], 2, 6)
    mover = ledger.registry.register_person(
        ADMIN,
        cccd="001090099999",
        full_name="Người chuyển đến",
        birth_date=None,
        gender=None,
        ethnicity=None,
        target_group="cong_nhan",
        unit_id=where["vA"],
    ).id
    ledger.registry.relocate_subject(
        ADMIN, Person, mover, where["vB"], date(2025, 6, 1), "chuyển nơi ở"
    )
    models.catch_up()
    kept = reports()
    unit_tree(models.engine).__dict__.pop("_kept_sums")
    unit_tree(models.engine).__dict__.pop("_kept_rollups")
    assert kept == reports()  # summed and rolled up from nothing
    assert kept != before
    p = dict(kept[1])[str(where["P"])]
    assert (p["flags"][0], p["n"]) == (2, 3)


def two_villages(
    world: tuple[Ledger, ReadModels], clock: FixedClock, scores: tuple[int, int]
) -> tuple[dict[str, UUID], dict[str, CommandContext]]:
    """The merger geography with the seed criteria and a citizen's case in each village
    (scored as given), folded: the places and the users."""
    ledger, models = world
    clock.current = datetime(2025, 6, 1, 9, 0, tzinfo=VIETNAM)
    ledger.criteria.load_seed_criteria(ADMIN)
    where = geography(ledger)
    who = users(ledger)
    citizen_case(ledger, who, where["vA"], 1, scores[0])
    citizen_case(ledger, who, where["vB"], 2, scores[1])
    models.catch_up()
    return where, who


def test_a_kept_report_makes_again_only_the_lines_above_what_moved(world, clock: FixedClock):
    """Given a report of two villages' cases, when a case is added in one village, then the
    next report makes again that village's line and those above it only: the other
    village's line is the very line kept, and every figure is what a report rolled up from
    nothing says. When nothing moves, the report's lines are the kept ones."""
    ledger, models = world
    where, who = two_villages(world, clock, scores=(9, 9))
    structure = STRUCTURES.named("two_level")

    def lines() -> dict[str, Line]:
        made = report(models.engine, cycle_year=2025, structure=structure)
        return {line.unit_id: line for line in made.lines}

    first = lines()
    assert all(line is first[unit_id] for unit_id, line in lines().items())
    citizen_case(ledger, who, where["vB"], 3, 9)
    models.catch_up()
    then = lines()
    path = {str(where[name]) for name in ("vB", "M", "P")}
    assert {unit_id for unit_id in then if then[unit_id] is first[unit_id]} == set(then) - path
    assert str(where["vA"]) in set(then) - path
    assert then[str(where["P"])].registered == first[str(where["P"])].registered + 1
    tree = unit_tree(models.engine)
    tree.__dict__.pop("_kept_sums")
    tree.__dict__.pop("_kept_rollups")
    assert {u: figures(line) for u, line in then.items()} == {
        u: figures(line) for u, line in lines().items()
    }


def test_reports_are_the_same_when_little_may_be_kept(world, clock: FixedClock):
    """Given budgets that keep a summed row or line or two, when reports of every shape are
    asked for twice, then each is what a report with room to keep everything says, and what
    is kept stays within its budget (the rest is summed and rolled up anew)."""
    _, models = world
    where, _ = two_villages(world, clock, scores=(9, 6))

    def everything() -> list[list[tuple[str, dict]]]:
        made = []
        for name in ("two_level", "three_level"):
            for root in (None, str(where["P"]), str(where["M"]), str(where["vA"])):
                for depth in (None, 1, 2):
                    found = report(
                        models.engine,
                        cycle_year=2025,
                        structure=STRUCTURES.named(name),
                        root_id=root,
                        depth=depth,
                    )
                    made.append([(line.unit_id, figures(line)) for line in found.lines])
        return made

    roomy = everything()
    tree = unit_tree(models.engine)
    sums = tree.__dict__["_kept_sums"] = Kept(budget=3, largest=2)
    lines = tree.__dict__["_kept_rollups"] = Kept(budget=4, largest=3)
    assert everything() == roomy
    assert everything() == roomy
    assert 0 < sums.used <= 3 and 0 < lines.used <= 4


def seeded_rows(models: ReadModels, units: list[str]) -> None:
    """Count and subject rows in every unit (and one unregistered), straight into the view:
    what the roll-up reads, in more shapes than cases made through the domain would give."""
    engine, stats = models.engine, Statistics()
    generation = engine.ensure_live(stats)
    counts = engine.qualified(stats, generation, "counts")
    subjects = engine.qualified(stats, generation, "subjects")
    models_and_groups = [
        (TitleModel.LEARNING_CITIZEN.value, "nong_dan"),
        (TitleModel.LEARNING_CITIZEN.value, "cong_nhan"),
        (TitleModel.LEARNING_CITIZEN.value, None),
        (TitleModel.LEARNING_FAMILY.value, None),
    ]
    mark = engine.store.marks
    with engine.store.transaction() as cur:
        for n, unit_id in enumerate([*units, str(UUID(int=7))]):
            for year in (2024, 2025):
                for m, (model, group) in enumerate(models_and_groups):
                    registered = (n * 7 + m * 3 + year) % 11
                    cur.execute(
                        f"INSERT INTO {counts} VALUES ({mark(9)})",
                        (
                            f"{unit_id}|{model}|{year}|{group or ''}",
                            unit_id,
                            model,
                            year,
                            group,
                            registered,
                            registered // 2,
                            registered // 3,
                            n + 1,
                        ),
                    )
            for kind, group in (("person", "nong_dan"), ("person", ""), ("household", "")):
                cur.execute(
                    f"INSERT INTO {subjects} VALUES ({mark(6)})",
                    (f"{unit_id}|{kind}|{group}", unit_id, kind, group or None, 5 + n, n + 1),
                )


def reference(models: ReadModels, cycle_year: int, structure: str, model: str | None) -> dict:
    """The slow obvious roll-up: every row of the store added to each unit of its chain."""
    engine, stats = models.engine, Statistics()
    generation = engine.ensure_live(stats)
    tree, day = unit_tree(engine), STRUCTURES.named(structure).geography_day
    counts = engine.store.fetch_all(
        f"SELECT * FROM {engine.qualified(stats, generation, 'counts')}"
    )
    subjects = engine.store.fetch_all(
        f"SELECT * FROM {engine.qualified(stats, generation, 'subjects')}"
    )
    kind_of_model = {"cong_dan_hoc_tap": "person", "gia_dinh_hoc_tap": "household"}
    lines: dict[str, dict] = {}

    def line(unit_id: str) -> dict:
        return lines.setdefault(
            unit_id, {"flags": [0, 0, 0], "by_model": {}, "by_group": {}, "kinds": {}, "n": 0}
        )

    for row in counts:
        if row["cycle_year"] != cycle_year or (model and row["model"] != model):
            continue
        flags = [row["registered"], row["assessed"], row["recognised"]]
        for unit_id in tree.chain(row["unit_id"], day):
            target = line(unit_id)
            target["flags"] = [a + b for a, b in zip(target["flags"], flags, strict=True)]
            per_model = target["by_model"].setdefault(row["model"], [0, 0, 0])
            per_model[:] = [a + b for a, b in zip(per_model, flags, strict=True)]
            if row["model"] == "cong_dan_hoc_tap" and row["target_group"]:
                group = target["by_group"].setdefault(row["target_group"], [0, 0, 0, 0])
                group[:3] = [a + b for a, b in zip(group[:3], flags, strict=True)]
    for row in subjects:
        for unit_id in tree.chain(row["unit_id"], day):
            target = line(unit_id)
            kinds = target["kinds"]
            kinds[row["subject_kind"]] = kinds.get(row["subject_kind"], 0) + row["subjects"]
            if row["subject_kind"] == "person" and row["target_group"]:
                group = target["by_group"].setdefault(row["target_group"], [0, 0, 0, 0])
                group[3] += row["subjects"]
            if not model or row["subject_kind"] == kind_of_model[model]:
                target["n"] += row["subjects"]
    return lines


def figures(line: Line) -> dict:
    """A report line in the reference's shape."""
    return {
        "flags": [line.registered, line.assessed, line.recognised],
        "by_model": {
            k: [v["registered"], v["assessed"], v["recognised"]] for k, v in line.by_model.items()
        },
        "by_group": {
            k: [v["registered"], v["assessed"], v["recognised"], v["subjects"]]
            for k, v in line.by_group.items()
        },
        "kinds": line.subjects_by_kind,
        "n": line.subjects,
    }


@pytest.mark.parametrize("structure", ["two_level", "three_level"])
@pytest.mark.parametrize("model", [None, TitleModel.LEARNING_CITIZEN.value])
def test_a_communes_and_a_provinces_report_are_the_whole_stores_lines_of_their_units(
    world, structure: str, model: str | None
):
    ledger, models = world
    where = geography(ledger)
    q = unit(ledger, "Q", UnitLevel.PROVINCE, None, date(2000, 1, 1))
    c = unit(ledger, "C", UnitLevel.COMMUNE, q, date(2000, 1, 1))
    vc = unit(ledger, "vC", UnitLevel.VILLAGE, c, date(2000, 1, 1))
    models.catch_up()
    seeded_rows(models, [str(u) for u in [*where.values(), q, c, vc]])
    whole = report(
        models.engine, cycle_year=2025, structure=STRUCTURES.named(structure), model=model
    )
    slow = reference(models, 2025, structure, model)
    assert {line.unit_id: figures(line) for line in whole.lines} == slow
    assert "?" in [line.code for line in whole.lines]  # the unregistered unit's own line
    commune = "M" if structure == "two_level" else "A"
    for root in (where["P"], where[commune], q):
        part = report(
            models.engine,
            cycle_year=2025,
            structure=STRUCTURES.named(structure),
            model=model,
            root_id=str(root),
        )
        inside = unit_tree(models.engine).within(
            str(root), STRUCTURES.named(structure).geography_day
        )
        assert part.lines == [line for line in whole.lines if line.unit_id in inside]
        assert part.lines[0].unit_id == str(root)
        assert {line.unit_id for line in part.lines} < {line.unit_id for line in whole.lines}
        if root == where["P"]:  # nothing of the other province, nor of the unregistered unit
            assert not {str(q), str(c), str(vc), str(UUID(int=7))} & inside


@pytest.mark.parametrize("structure", ["two_level", "three_level"])
def test_a_report_cut_at_a_depth_has_the_full_reports_lines_down_to_it(world, structure: str):
    """What a statistics page asks for: the top and the units just below, each with the
    figures of everything under it, without lines for the deeper units."""
    ledger, models = world
    where = geography(ledger)
    models.catch_up()
    seeded_rows(models, [str(u) for u in where.values()])
    chosen = STRUCTURES.named(structure)
    chains = unit_tree(models.engine).chains(chosen.geography_day)
    left_out = 0
    for root in (None, str(where["P"]), str(where["D"])):
        whole = report(models.engine, cycle_year=2025, structure=chosen, root_id=root)
        top = len(chains[root]) if root else 1
        for depth in (1, 2, 3):
            cut = report(
                models.engine, cycle_year=2025, structure=chosen, root_id=root, depth=depth
            )
            kept = [
                line
                for line in whole.lines
                if len(chains.get(line.unit_id, (line.unit_id,))) < top + depth
            ]
            assert [(line.unit_id, figures(line)) for line in cut.lines] == [
                (line.unit_id, figures(line)) for line in kept
            ], (root, depth)
            assert cut.progress == whole.progress
            left_out += len(whole.lines) - len(cut.lines)
    assert left_out > 0  # some cut left lines out, so the comparison is not of equals only


def test_the_kept_subtrees_are_what_covers_says_for_every_unit_and_day(world):
    ledger, models = world
    geography(ledger)
    models.catch_up()
    tree = unit_tree(models.engine)
    for day in (date(2024, 1, 1), MERGER - timedelta(days=1), MERGER, date(2030, 1, 1)):
        for root in [*tree.units, str(UUID(int=9))]:
            expected = {u for u in tree.units if covers(root, u, day, tree.units.get)}
            assert tree.within(root, day) == expected, (root, day)
            chains = tree.chains(day)
            assert all(list(chains[u]) == tree.chain(u, day) for u in tree.units)
        assert tree.nested(day)


# --- the roll-up summed by the database against the chain walk, on random geographies ----

OLD = date(2000, 1, 1)
UNREGISTERED = "unregistered-unit"
MODELS_AND_GROUPS = [
    (TitleModel.LEARNING_CITIZEN.value, "nong_dan"),
    (TitleModel.LEARNING_CITIZEN.value, "cong_nhan"),
    (TitleModel.LEARNING_CITIZEN.value, None),
    (TitleModel.LEARNING_FAMILY.value, None),
]
SUBJECT_KINDS = [("person", "nong_dan"), ("person", None), ("household", None)]
#: Each example's units are written with positions above the last example's, so the kept
#: unit tree (checked by the view's newest position) is the example's own.
STAMPS = iter(range(1_000_000, 10**12, 1_000_000))


@st.composite
def geographies(draw: st.DrawFn) -> dict[str, dict]:
    """Units as the units view keeps them: provinces > districts > communes > villages from
    2000; then some communes merged into a new commune under a province on 01/07/2025, and
    some villages and communes moved to another parent, on that day or on another."""
    units: dict[str, dict] = {}

    def add(unit_id: str, level: str, parent: str | None, since: date = OLD) -> str:
        units[unit_id] = {
            "unit_id": unit_id,
            "code": unit_id.upper(),
            "name": f"Đơn vị {unit_id}",
            "level": level,
            "unit_type": level,
            "valid_from": since,
            "valid_to": None,
            "parents": [[parent, since.isoformat()]] if parent else [],
            "successor_id": None,
            "predecessor_ids": [],
        }
        return unit_id

    sizes = st.integers(1, 2)
    provinces = [add(f"p{i}", "province", None) for i in range(draw(sizes))]
    districts = [add(f"{p}d{i}", "district", p) for p in provinces for i in range(draw(sizes))]
    communes = [
        add(f"{d}c{i}", "commune", d) for d in districts for i in range(draw(st.integers(1, 3)))
    ]
    villages = [
        add(f"{c}v{i}", "village", c) for c in communes for i in range(draw(st.integers(0, 2)))
    ]
    merged = draw(st.lists(st.sampled_from(communes), unique=True, max_size=3))
    if merged:
        successor = add("m", "commune", draw(st.sampled_from(provinces)), MERGER)
        for commune in merged:
            units[commune] |= {"valid_to": MERGER - timedelta(days=1), "successor_id": successor}
        units[successor]["predecessor_ids"] = merged
        communes.append(successor)
    days = st.sampled_from([date(2020, 1, 1), MERGER, date(2026, 1, 1)])
    for moved, parents in ((villages, communes), (communes, districts)):
        if not moved:
            continue
        for unit_id in draw(st.lists(st.sampled_from(moved), unique=True, max_size=3)):
            parent, since = draw(st.sampled_from(parents)), draw(days)
            units[unit_id]["parents"].append([parent, since.isoformat()])
    return units


@st.composite
def stored_figures(draw: st.DrawFn, unit_ids: list[str]) -> tuple[list[tuple], list[tuple]]:
    """Count and subject rows as the statistics view keeps them (one per key)."""
    units = st.sampled_from([*unit_ids, UNREGISTERED])
    small = st.integers(0, 6)
    counts = draw(
        st.lists(
            st.tuples(units, st.sampled_from(MODELS_AND_GROUPS), st.sampled_from([2024, 2025])),
            unique=True,
            max_size=40,
        )
    )
    subjects = draw(
        st.lists(st.tuples(units, st.sampled_from(SUBJECT_KINDS)), unique=True, max_size=30)
    )
    return (
        [
            (f"{u}|{m}|{y}|{g or ''}", u, m, y, g, r, draw(small), draw(small))
            for u, (m, g), y in counts
            for r in [draw(small)]
        ],
        [(f"{u}|{k}|{g or ''}", u, k, g, draw(small)) for u, (k, g) in subjects],
    )


def stored(models: ReadModels, units: dict[str, dict], counts: list, subjects: list) -> None:
    """The example's units, counts and subjects, in place of the previous example's."""
    engine, stats, unit_view = models.engine, Statistics(), Units()
    tables = {
        "units": engine.qualified(unit_view, engine.ensure_live(unit_view), "units"),
        "counts": engine.qualified(stats, engine.ensure_live(stats), "counts"),
        "subjects": engine.qualified(stats, engine.ensure_live(stats), "subjects"),
    }
    stamp = next(STAMPS)
    marks = engine.store.marks
    with engine.store.transaction() as cur:
        for table in tables.values():
            cur.execute(f"DELETE FROM {table}")
        cur.executemany(
            f"INSERT INTO {tables['units']} VALUES ({marks(len(UNITS.columns))})",
            [
                UNITS.encode(row | {"position": stamp + n}, engine.store.dialect)
                for n, row in enumerate(units.values())
            ],
        )
        if counts:
            cur.executemany(
                f"INSERT INTO {tables['counts']} VALUES ({marks(9)})",
                [(*row, stamp) for row in counts],
            )
        if subjects:
            cur.executemany(
                f"INSERT INTO {tables['subjects']} VALUES ({marks(6)})",
                [(*row, stamp) for row in subjects],
            )


def moved(models: ReadModels, counts: list, subjects: list) -> int:
    """Rows changed or added as the fold changes them, each stamped with a position after
    every earlier one; units untouched. The position they carry."""
    engine, stats = models.engine, Statistics()
    generation = engine.ensure_live(stats)
    tables = {name: engine.qualified(stats, generation, name) for name in ("counts", "subjects")}
    stamp = next(STAMPS)
    marks, mark = engine.store.marks, engine.store.mark
    with engine.store.transaction() as cur:
        for name, key, rows in (
            ("counts", "counter_key", counts),
            ("subjects", "subject_key", subjects),
        ):
            for row in rows:
                cur.execute(f"DELETE FROM {tables[name]} WHERE {key} = {mark}", [row[0]])
                cur.execute(
                    f"INSERT INTO {tables[name]} VALUES ({marks(len(row) + 1)})", (*row, stamp)
                )
    return stamp


@hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_summed_roll_up_is_every_row_added_up_its_chain_on_random_geographies(
    world, data: st.DataObject
):
    """Whatever the tree, the mergers and the moves: each line of a report (whole, for a
    unit, cut at a depth; both structures; all titles or one) is the sum of the rows whose
    unit's chain on the structure's day passes by the line's unit. Then rows change and new
    ones come, as the fold writes them, and the same reports, from the sums they kept and
    redid where rows moved, still are."""
    _, models = world
    units = data.draw(geographies())
    counts, subjects = data.draw(stored_figures(list(units)))
    stored(models, units, counts, subjects)
    tree = unit_tree(models.engine)
    assert set(tree.units) == set(units)
    roots = [None, *data.draw(st.lists(st.sampled_from(list(units)), max_size=3))]
    reports_add_up(models, units, roots)
    moved(models, *data.draw(stored_figures(list(units))))
    reports_add_up(models, units, roots)
    assert unit_tree(models.engine) is tree  # the same tree: its kept sums were redone
    kept = tree.__dict__["_kept_sums"].items()
    assert kept
    for (summing, _), _ in kept:  # and every kept sum is as of its table's newest row
        [(newest,)] = models.engine.store.fetch_values(f"SELECT MAX(position) FROM {summing.table}")
        assert {sums.position for (s, _), sums in kept if s == summing} == {newest or 0}


def reports_add_up(models: ReadModels, units: dict[str, dict], roots: list[str | None]) -> None:
    tree = unit_tree(models.engine)
    for structure in (STRUCTURES.named("two_level"), STRUCTURES.named("three_level")):
        day, chains = structure.geography_day, tree.chains(structure.geography_day)
        for model in (None, TitleModel.LEARNING_CITIZEN.value):
            whole = report(models.engine, cycle_year=2025, structure=structure, model=model)
            assert {line.unit_id: figures(line) for line in whole.lines} == reference(
                models, 2025, structure.code, model
            )
            for root in roots:
                inside = tree.within(root, day) if root else set(units) | {UNREGISTERED}
                top = len(chains[root]) if root else 1
                for depth in (None, 1, 2):
                    cut = report(
                        models.engine,
                        cycle_year=2025,
                        structure=structure,
                        model=model,
                        root_id=root,
                        depth=depth,
                    )
                    kept = [
                        (line.unit_id, figures(line))
                        for line in whole.lines
                        if line.unit_id in inside
                        and (depth is None or len(chains.get(line.unit_id, "?")) < top + depth)
                    ]
                    assert [(line.unit_id, figures(line)) for line in cut.lines] == kept
