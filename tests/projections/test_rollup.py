"""Statistics roll up across the commune merger of 2025-07-01, under both structures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from application.adapters.read_models import ReadModels
from application.ledger import Ledger
from application.services.assessments import SeatRequest
from application.services.decisions import RulingRequest
from application.services.records import VIETNAM, FixedClock
from application.settings import Settings
from domain.base import CommandContext
from domain.glossary import DecisionOutcome, Role, TitleModel, UnitLevel
from projections.statistics.queries import by_unit, report

ADMIN = CommandContext("cli:test", Role.ADMINISTRATOR.value, "test")
MERGER = date(2025, 7, 1)


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

    two = by_unit(report(models.engine, cycle_year=2025, structure="two_level").lines)
    m, p = two[str(where["M"])], two[str(where["P"])]
    assert (m.registered, m.assessed, m.recognised) == (5, 5, 4)
    assert (p.registered, p.recognised) == (5, 4)
    assert str(where["A"]) not in two and str(where["D"]) not in two
    assert m.rate_of_registered == Decimal("80.00")
    assert m.parent_id == str(where["P"])

    three = by_unit(report(models.engine, cycle_year=2025, structure="three_level").lines)
    a, b, d = three[str(where["A"])], three[str(where["B"])], three[str(where["D"])]
    assert (a.registered, a.recognised) == (3, 3)
    assert (b.registered, b.recognised) == (2, 1)
    assert (d.registered, d.recognised) == (5, 4)
    assert three[str(where["P"])].recognised == 4
    assert str(where["M"]) not in three
    assert a.parent_id == str(where["D"])
    assert three[str(where["vA"])].subjects == 3
