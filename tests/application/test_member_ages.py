"""A household's share of members aged 15 or over holding Công dân học tập, counted from the
register with dates of birth unsealed in the application, on SQLite and PostgreSQL.

The world: the demo (its citizen Nguyễn Thị Hoa, born 1990, holds Công dân học tập from
2026-03-02; the seed's second version of the illustrative Gia đình học tập set, in force from
2027-01-01, has share indicator 2.3 counting members aged 15 or over), and a household of six: Hoa; a child of 14; a
girl who turns 15 on 31 December 2026 itself; a man whose personal data is erased; a man
registered with no date of birth; and a woman who left in November. Its 2026 case is opened
and computed on 5 January 2027.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from application.adapters.read_models import ReadModels
from application.clients.demo import COLLECTIVE_SCORES, SYSTEM, load_demo
from application.clients.explanation import _Wording, explain
from application.ledger import Ledger
from application.services.assessments import SeatRequest
from application.services.decisions import RulingRequest
from application.services.records import VIETNAM, FixedClock
from application.settings import Settings
from domain.access import ReadTrail, read_trail_id_for
from domain.assessment import AssessmentCase
from domain.base import CommandContext
from domain.errors import AuthorityNotCompetent, InvalidInput
from domain.glossary import DecisionOutcome, Role, SubjectKind, TitleModel
from domain.registry import AdministrativeUnit
from projections.standings.queries import list_cases

SHARE = "2.3"
DECIDED_ON = date(2027, 2, 5)
DEMO_USERS = ("demo-village", "demo-reviewer", "demo-council-1", "demo-council-2", "demo-signer")


@dataclass
class World:
    ledger: Ledger
    models: ReadModels
    officer: CommandContext
    people: dict[str, UUID]
    household: UUID
    case_id: UUID


def person(ledger: Ledger, village: UUID, cccd: str, name: str, born: date | None) -> UUID:
    return ledger.registry.register_person(
        SYSTEM,
        cccd=cccd,
        full_name=name,
        birth_date=born,
        gender=None,
        ethnicity="Kinh",
        target_group=None,
        unit_id=village,
    ).id


@pytest.fixture
def world(settings: Settings) -> Iterator[World]:
    clock = FixedClock(datetime(2026, 11, 20, 9, tzinfo=VIETNAM))
    ledger = Ledger(settings, clock=clock)
    users = load_demo(ledger)
    hoa = ledger.records.get(AssessmentCase, _citizen_case(ledger)).subject_id
    village = ledger.registry.find_person_by_cccd("001090000001").unit_id
    people = {
        "hoa": hoa,
        "child": person(ledger, village, "001212000011", "Phạm Minh Khôi", date(2012, 1, 1)),
        "turning": person(ledger, village, "001311000012", "Phạm Thu Trang", date(2011, 12, 31)),
        "erased": person(ledger, village, "001080000013", "Phạm Văn Đức", date(1980, 3, 3)),
        "unknown": person(ledger, village, "001075000014", "Phạm Văn Toàn", None),
        "left": person(ledger, village, "001170000015", "Lê Thị Mai", date(1970, 7, 7)),
    }
    household = ledger.registry.register_collective(
        SYSTEM, kind=SubjectKind.HOUSEHOLD, name="Hộ ông Phạm Văn Đức", unit_id=village
    ).id
    for key, member in people.items():
        ledger.registry.add_member(SYSTEM, household, member, "chu_ho" if key == "hoa" else None)
    ledger.registry.remove_member(
        SYSTEM, household, people["left"], date(2026, 11, 20), "Chuyển đi nơi khác"
    )
    ledger.registry.erase_person(SYSTEM, people["erased"], "Yêu cầu xóa dữ liệu cá nhân")
    officer = CommandContext(str(users["demo-commune"]), Role.COMMUNE_OFFICER.value, "t-ages")
    clock.advance(days=46)  # 2027-01-05: the 2026 data period has ended
    case = ledger.assessments.open_case(
        officer, household, TitleModel.LEARNING_FAMILY, 2026, date(2027, 1, 5)
    )
    models = ReadModels(settings, ledger.store)
    models.initialise()
    models.catch_up()
    yield World(ledger, models, officer, people, household, case.id)
    models.close()
    ledger.close()


def _citizen_case(ledger: Ledger) -> UUID:
    """The demo citizen's granted case (the only person's case of the demo)."""
    models = ReadModels(ledger.settings, ledger.store)
    models.initialise()
    models.catch_up()
    try:
        rows = list_cases(models.engine, status="granted").items
        return next(
            UUID(str(r["case_id"])) for r in rows if r["model"] == TitleModel.LEARNING_CITIZEN.value
        )
    finally:
        models.close()


def compute(world: World) -> AssessmentCase.MemberShareComputed:
    world.ledger.assessments.compute_member_share(
        world.officer, world.models, world.case_id, SHARE, wait_seconds=10
    )
    [*_, event] = world.ledger.records.history(world.case_id)
    assert isinstance(event, AssessmentCase.MemberShareComputed)
    return event


def test_the_seed_lists_both_versions_of_the_family_set_and_seeding_again_adds_none(
    world: World,
):
    catalogue = world.ledger.criteria.catalogue()
    assert catalogue is not None
    family = [e for e in catalogue.entries if e.code == "MINH-HOA/GDHT/2022"]
    assert [(e.version, e.effective_from) for e in family] == [
        (1, date(2022, 7, 1)),
        (2, date(2027, 1, 1)),
    ]
    assert world.ledger.criteria.load_seed_criteria(SYSTEM) == []
    case = world.ledger.records.get(AssessmentCase, world.case_id)
    assert world.ledger.criteria.spec_of(case).version == 2


def test_the_share_counts_members_of_15_on_31_december_and_those_of_unknown_age(world: World):
    event = compute(world)
    # counted: Hoa (holder), the girl who turned 15 that day, the erased man, the man with no
    # date of birth; left out: the child of 14 (under age) and the woman who left
    assert (event.min_age, event.as_of) == (15, date(2026, 12, 31))
    assert (event.numerator, event.denominator, event.share) == (1, 4, Decimal(25))
    assert (event.under_age, event.unknown_age) == (1, 2)
    assert world.ledger.records.get(AssessmentCase, world.case_id).scores[SHARE] == Decimal(25)


def test_a_member_who_joins_after_31_december_is_not_counted_for_that_year(world: World):
    village = world.ledger.registry.find_person_by_cccd("001090000001").unit_id
    late = person(world.ledger, village, "001085000017", "Võ Văn Hậu", date(1985, 1, 1))
    world.ledger.registry.add_member(SYSTEM, world.household, late, None)  # on 2027-01-05
    world.models.catch_up()
    event = compute(world)
    assert (event.numerator, event.denominator, event.under_age, event.unknown_age) == (1, 4, 1, 2)


def test_the_event_names_no_one_and_holds_no_date_of_birth(world: World):
    event = compute(world)
    stored = json.dumps(vars(event), default=str, ensure_ascii=False)
    for secret in ("2011-12-31", "2012-01-01", "1990-04-12", "1970-07-07", "Phạm", "Hoa"):
        assert secret not in stored
    assert not {str(m) for m in world.people.values()} & set(stored.split('"'))


def test_each_members_date_of_birth_read_is_in_the_officers_read_trail(world: World):
    compute(world)
    trail_id = read_trail_id_for(world.officer.actor_id, world.ledger.records.today())
    views = [e for e in world.ledger.records.history(trail_id) if isinstance(e, ReadTrail.Viewed)]
    members_at_end = {k: v for k, v in world.people.items() if k != "left"}
    assert {v.record_id for v in views} == {str(m) for m in members_at_end.values()}
    assert {v.kind for v in views} == {"person"}
    assert all(SHARE in (v.detail or "") and str(world.case_id) in (v.detail or "") for v in views)


def test_the_explanation_states_the_age_the_day_and_the_members_of_unknown_age(world: World):
    event = compute(world)
    values = vars(event) | {"who": "cán bộ xã", "title_label": "Công dân học tập"}
    said = _Wording("vi")("member_share_aged", **values)
    assert said.startswith("Ngày 05/01/2027, cán bộ xã ghi chỉ số 2.3: trong 4 thành viên từ đủ")
    assert "15 tuổi trở lên vào ngày 31/12/2026 (kể cả 2 thành viên không rõ ngày sinh" in said
    assert "có 1 người đạt danh hiệu Công dân học tập, tỷ lệ 25,00%" in said
    assert "Không tính 1 thành viên chưa đủ 15 tuổi." in said
    english = _Wording("en")("member_share_aged", **values)
    assert "of the 4 members aged 15 or over on 2026-12-31 (including 2 whose" in english
    assert "), 1 held the Công dân học tập title, a share of 25.00%" in english


def test_the_child_of_14_is_counted_the_next_year_when_the_adults_have_left(world: World):
    ledger, adults = world.ledger, ("hoa", "turning", "erased", "unknown")
    for key in adults:
        ledger.registry.remove_member(
            SYSTEM, world.household, world.people[key], date(2027, 1, 5), "Tách hộ"
        )
    world.models.catch_up()
    # they left after the end of the period: they still count for 2026
    assert compute(world).denominator == 4
    clock = ledger.clock
    assert isinstance(clock, FixedClock)
    clock.advance(days=365)  # 2028-01-05
    later = ledger.assessments.open_case(
        world.officer, world.household, TitleModel.LEARNING_FAMILY, 2027, date(2028, 1, 5)
    )
    world.models.catch_up()
    ledger.assessments.compute_member_share(
        world.officer, world.models, later.id, SHARE, wait_seconds=10
    )
    [*_, event] = ledger.records.history(later.id)
    assert (event.numerator, event.denominator, event.under_age, event.unknown_age) == (0, 1, 0, 0)
    assert event.as_of == date(2027, 12, 31)


def test_a_household_of_children_only_has_no_one_to_count(world: World):
    ledger = world.ledger
    village = ledger.registry.find_person_by_cccd("001090000001").unit_id
    baby = person(ledger, village, "001224000016", "Phạm Gia Bảo", date(2024, 2, 29))
    family = ledger.registry.register_collective(
        SYSTEM, kind=SubjectKind.HOUSEHOLD, name="Hộ bé Phạm Gia Bảo", unit_id=village
    ).id
    ledger.registry.add_member(SYSTEM, family, baby, "chu_ho")  # joins on 2027-01-05
    clock = ledger.clock
    assert isinstance(clock, FixedClock)
    clock.advance(days=365)  # 2028-01-05: the 2027 data period has ended
    case = ledger.assessments.open_case(
        world.officer, family, TitleModel.LEARNING_FAMILY, 2027, date(2028, 1, 5)
    )
    world.models.catch_up()
    with pytest.raises(InvalidInput) as refused:
        ledger.assessments.compute_member_share(
            world.officer, world.models, case.id, SHARE, wait_seconds=10
        )
    assert (refused.value.details["min_age"], refused.value.details["under_age"]) == (15, 1)


def appraised(world: World) -> dict[str, UUID]:
    """The household's 2026 case under version 2 through to the council's appraisal (not
    recommended: 25% of members aged 15 or over is under 40%); the demo users' ids."""
    ledger, case_id = world.ledger, world.case_id
    clock = ledger.clock
    assert isinstance(clock, FixedClock)
    compute(world)  # on 2027-01-05
    clock.advance(days=40)  # 2027-02-14
    users = {u: ledger.access.user_by_name(u).id for u in DEMO_USERS}
    village = CommandContext(str(users["demo-village"]), Role.VILLAGE_OFFICER.value, "t")
    spec = ledger.criteria.spec_of(ledger.records.get(AssessmentCase, case_id))
    ledger.assessments.attach_evidence(
        village,
        case_id,
        content=b"Bien ban xac nhan cua thon Dong 2026\n",
        kind="giay_xac_nhan",
        issuer="Ban công tác Mặt trận thôn Đông",
        issued_on=date(2026, 12, 20),
        indicators=[i.code for i in spec.indicators if i.evidence_required],
    )
    scores = {k: Decimal(v) for k, v in COLLECTIVE_SCORES[TitleModel.LEARNING_FAMILY].items()}
    ledger.assessments.self_assess(village, case_id, scores, date(2027, 1, 10))
    reviewer = CommandContext(str(users["demo-reviewer"]), Role.REVIEWER.value, "t")
    ledger.assessments.review(reviewer, case_id, scores, None, "Đủ minh chứng", date(2027, 1, 15))
    ledger.assessments.post_notice(
        world.officer, case_id, date(2027, 1, 16), date(2027, 1, 26), "Nhà văn hóa thôn Đông"
    )
    ledger.assessments.close_notice(world.officer, case_id, date(2027, 1, 26), 0, None)
    ledger.assessments.form_council(
        world.officer,
        case_id,
        "Hội đồng xét công nhận năm 2026",
        [SeatRequest(users["demo-council-1"], "chair"), SeatRequest(users["demo-council-2"])],
        date(2027, 1, 27),
    )
    chair = CommandContext(str(users["demo-council-1"]), Role.COUNCIL_MEMBER.value, "t")
    votes = {"votes_for": 0, "votes_against": 2, "remarks": "Tỷ lệ chỉ số 2.3 dưới 40%"}
    ledger.assessments.appraise(chair, case_id, recommended=False, on=date(2027, 2, 1), **votes)
    return users


def refuse_household(world: World, signer: UUID, authority: UUID) -> None:
    world.ledger.decisions.issue_decision(
        CommandContext(str(signer), Role.SIGNER.value, "t"),
        number="05/QĐ-UBND-AGES",
        decided_on=DECIDED_ON,
        signer_title="Chủ tịch UBND",
        authority_name="UBND",
        authority_unit_id=authority,
        legal_basis="Bộ tiêu chí Gia đình học tập (minh họa)",
        rulings=[RulingRequest(world.case_id, DecisionOutcome.REFUSED, "Chưa đạt chỉ số 2.3")],
    )


def commune_of(world: World) -> UUID:
    case = world.ledger.records.get(AssessmentCase, world.case_id)
    commune = world.ledger.records.get(AdministrativeUnit, case.unit_id).parent_on(DECIDED_ON)
    assert commune is not None
    return commune


def test_a_household_refused_under_the_40_percent_floor_is_explained_in_percent(world: World):
    users = appraised(world)
    refuse_household(world, users["demo-signer"], commune_of(world))
    said = [
        s.text
        for section in explain(world.ledger, world.case_id).sections
        for s in section.statements
    ]
    assert any(
        s.startswith("Ngày 05/01/2027,") and "từ đủ 15 tuổi trở lên vào ngày 31/12/2026" in s
        for s in said
    )
    assert any("tỷ lệ ở chỉ số 2.3 từ 40% trở lên" in s for s in said)
    assert any(s.startswith("Tỷ lệ (%) ở chỉ số 2.3: yêu cầu ≥ 40") for s in said)


def test_the_province_is_not_the_competent_level_for_a_household(world: World):
    appraised(world)
    ledger = world.ledger
    province = ledger.records.get(AdministrativeUnit, commune_of(world)).parent_on(DECIDED_ON)
    assert province is not None
    signer = ledger.access.create_user(SYSTEM, "signer-tinh", [Role.SIGNER], province).id
    before = ledger.store.recorder.max_notification_id()
    with pytest.raises(AuthorityNotCompetent) as refused:
        refuse_household(world, signer, province)
    assert refused.value.details["competent_level"] == "commune"
    assert ledger.store.recorder.max_notification_id() == before
    assert ledger.records.get(AssessmentCase, world.case_id).status.value == "appraised"
