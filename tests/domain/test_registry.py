"""The registry field by field: units established, moved and merged, people and groups
registered, corrected, erased and moved, and each refusal with its sentence and evidence."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.base import acting, ledger_id
from domain.errors import DateOutOfRange, InvalidInput, RuleViolation, UnitNotValid
from domain.glossary import SubjectKind, UnitLevel
from domain.registry import (
    AdministrativeUnit,
    Collective,
    Person,
    community_id_for,
    person_id_for,
    unit_id_for,
)
from tests.domain.helpers import (
    ADMIN,
    OFFICER,
    commune,
    district,
    establish,
    names,
    province,
    recorded,
    refused,
    registered_group,
    registered_person,
    when,
)

DAY = timedelta(days=1)
MERGED_ON = date(2025, 7, 1)
ON = date(2025, 2, 1)
NOT_IN_FORCE = "đơn vị hành chính không có hiệu lực"


def establishing(**fields):
    """Establish a unit as the administrator does (``fields`` replace the defaults)."""
    defaults = {
        "code": "X05",
        "name": "Xã Hồng Phong",
        "level": UnitLevel.COMMUNE,
        "unit_type": "xa",
        "parent": province(),
        "valid_from": date(2020, 1, 1),
    }
    return AdministrativeUnit.establish(**defaults | fields)


def test_the_ids_of_units_communities_and_early_persons_are_known_answers():
    assert (
        str(unit_id_for("X01")),
        str(community_id_for(unit_id_for("X01"))),
        str(person_id_for("0" * 64)),
    ) == (
        "38b57b08-b39b-5494-99ca-ed67152cd729",
        "726d7acc-4fa6-5d52-9f63-475b1ea56c5a",
        "60d55726-5b79-5eae-b151-54e6629b4ae0",
    )


# --- establishing a unit ---------------------------------------------------------------------


def test_an_established_unit_records_every_field_it_was_given():
    parent = province()
    unit = when(ADMIN, establishing, parent=parent, legal_basis="NQ 1686/NQ-UBTVQH15")
    [event] = recorded(unit)
    assert names([event]) == ["Established"]
    assert (event.originator_id, event.code, event.name) == (
        unit_id_for("X05"),
        "X05",
        "Xã Hồng Phong",
    )
    assert (event.level, event.unit_type, event.parent_id) == ("commune", "xa", parent.id)
    assert (event.valid_from, event.valid_to, event.legal_basis) == (
        date(2020, 1, 1),
        None,
        "NQ 1686/NQ-UBTVQH15",
    )
    assert (unit.code, unit.name, unit.level, unit.unit_type) == (
        "X05",
        "Xã Hồng Phong",
        UnitLevel.COMMUNE,
        "xa",
    )
    assert (unit.valid_from, unit.valid_to, unit.legal_basis) == (
        date(2020, 1, 1),
        None,
        "NQ 1686/NQ-UBTVQH15",
    )
    assert (unit.parents, unit.successor_id, unit.predecessor_ids) == (
        [(parent.id, date(2020, 1, 1))],
        None,
        [],
    )


def test_a_province_has_no_parent_on_any_day():
    unit = province()
    assert (unit.parents, unit.parent_on(date(2030, 1, 1))) == ([], None)


def test_a_unit_has_its_parent_from_its_first_day_and_none_before():
    unit = establish("X06", UnitLevel.COMMUNE, province(), valid_from=date(2020, 1, 1))
    assert unit.parent_on(date(2019, 12, 31)) is None
    assert unit.parent_on(date(2020, 1, 1)) == province().id


def test_a_unit_may_end_on_the_day_it_starts_but_not_before():
    unit = when(ADMIN, establishing, valid_to=date(2020, 1, 1))
    assert (unit.is_valid_on(date(2020, 1, 1)), unit.is_valid_on(date(2020, 1, 2))) == (True, False)
    error = refused(
        InvalidInput,
        ADMIN,
        establishing,
        valid_to=date(2019, 12, 31),
        says="valid_to phải sau valid_from",
    )
    assert error.details == {"field": "valid_to"}


def test_a_unit_is_refused_a_first_or_last_day_outside_the_process_range():
    for field, day in (("valid_from", date(1999, 12, 31)), ("valid_to", date(2101, 1, 1))):
        error = refused(DateOutOfRange, ADMIN, establishing, **{field: day})
        assert error.details["field"] == field


def test_a_district_may_start_on_30_june_2025_and_ends_that_day():
    unit = when(
        ADMIN, establishing, level=UnitLevel.DISTRICT, code="H05", valid_from=date(2025, 6, 30)
    )
    assert (unit.valid_from, unit.valid_to) == (date(2025, 6, 30), date(2025, 6, 30))


def test_a_district_refused_from_1_july_2025_names_the_day():
    error = refused(
        UnitNotValid, ADMIN, establishing, level=UnitLevel.DISTRICT, valid_from=MERGED_ON
    )
    assert error.details == {"valid_from": "2025-07-01"}


@pytest.mark.parametrize(
    ("valid_to", "kept"),
    [(date(2020, 12, 31), date(2020, 12, 31)), (date(2026, 1, 1), date(2025, 6, 30))],
    ids=["ended-earlier", "past-the-reform"],
)
def test_a_district_keeps_an_earlier_end_and_ends_by_30_june_2025(valid_to, kept):
    unit = when(ADMIN, establishing, level=UnitLevel.DISTRICT, code="H05", valid_to=valid_to)
    [event] = recorded(unit)
    assert (event.valid_to, unit.valid_to) == (kept, kept)


def test_a_unit_below_the_province_needs_a_parent():
    error = refused(
        UnitNotValid, ADMIN, establishing, parent=None, says="đơn vị commune cần đơn vị cấp trên"
    )
    assert error.details == {"level": "commune"}


def test_a_province_cannot_sit_under_another_unit():
    error = refused(
        UnitNotValid,
        ADMIN,
        establishing,
        level=UnitLevel.PROVINCE,
        says="đơn vị province không thể trực thuộc đơn vị province",
    )
    assert error.details == {"level": "province", "parent_level": "province"}


def test_a_unit_cannot_sit_under_a_parent_not_in_force_on_its_first_day():
    parent = district()  # 2010-01-01 to 2025-06-30
    error = refused(
        UnitNotValid,
        ADMIN,
        establishing,
        parent=parent,
        valid_from=MERGED_ON,
        says="đơn vị cấp trên Đơn vị H01 không còn hiệu lực vào ngày 2025-07-01",
    )
    assert error.details == {"parent_id": str(parent.id), "on": "2025-07-01"}
    unit = when(ADMIN, establishing, parent=parent, valid_from=date(2010, 1, 1))
    assert unit.parent_on(date(2010, 1, 1)) == parent.id


# --- a new parent ----------------------------------------------------------------------------


def test_changing_the_parent_records_it_from_its_day_and_keeps_the_old_one_before():
    old, new = district(), province()
    unit = establish("X07", UnitLevel.COMMUNE, old, valid_from=date(2015, 1, 1))
    when(ADMIN, unit.change_parent, new, MERGED_ON, "Bỏ cấp huyện")
    [event] = recorded(unit)
    assert names([event]) == ["ParentChanged"]
    assert (event.parent_id, event.from_date, event.reason) == (new.id, MERGED_ON, "Bỏ cấp huyện")
    assert unit.parents == [(old.id, date(2015, 1, 1)), (new.id, MERGED_ON)]
    assert (unit.parent_on(MERGED_ON - DAY), unit.parent_on(MERGED_ON)) == (old.id, new.id)


def test_a_new_parent_is_checked_as_a_first_one_is():
    unit = establish("X07", UnitLevel.COMMUNE, province(), valid_from=date(2015, 1, 1))
    village_parent = establish("TH07", UnitLevel.VILLAGE, commune())
    refused(
        UnitNotValid,
        ADMIN,
        unit.change_parent,
        village_parent,
        MERGED_ON,
        "x",
        untouched=[unit],
        says="đơn vị commune không thể trực thuộc đơn vị village",
    )
    refused(
        UnitNotValid,
        ADMIN,
        unit.change_parent,
        district(),
        MERGED_ON,
        "x",
        untouched=[unit],
        says="đơn vị cấp trên Đơn vị H01 không còn hiệu lực vào ngày 2025-07-01",
    )
    error = refused(DateOutOfRange, ADMIN, unit.change_parent, province(), date(2101, 1, 1), "x")
    assert error.details["field"] == "from_date"


def test_a_unit_not_in_force_on_the_day_gets_no_new_parent():
    unit = establish("X07", UnitLevel.COMMUNE, province(), valid_from=date(2026, 1, 1))
    error = refused(
        UnitNotValid,
        ADMIN,
        unit.change_parent,
        province(),
        date(2025, 12, 31),
        "x",
        untouched=[unit],
        says="đơn vị không còn hiệu lực vào ngày này",
    )
    assert error.details == {"on": "2025-12-31"}


# --- merging ---------------------------------------------------------------------------------


def merging_pair(old_from: date = date(2000, 1, 1), new_from: date = MERGED_ON):
    return (
        establish("X11", UnitLevel.COMMUNE, province(), valid_from=old_from),
        establish("X12", UnitLevel.COMMUNE, province(), valid_from=new_from),
    )


def test_a_merger_ends_the_old_unit_the_day_before_and_names_it_on_the_successor():
    old, new = merging_pair()
    when(ADMIN, old.merge_into, new, MERGED_ON, "NQ 1686/NQ-UBTVQH15")
    [merged] = recorded(old)
    [succession] = recorded(new)
    assert names([merged, succession]) == ["Merged", "SuccessionRecorded"]
    assert (merged.successor_id, merged.from_date, merged.legal_basis) == (
        new.id,
        MERGED_ON,
        "NQ 1686/NQ-UBTVQH15",
    )
    assert (succession.predecessor_ids, succession.from_date, succession.legal_basis) == (
        [old.id],
        MERGED_ON,
        "NQ 1686/NQ-UBTVQH15",
    )
    assert (merged.effective_date, succession.effective_date) == (MERGED_ON, MERGED_ON)
    assert (old.successor_id, old.valid_to) == (new.id, date(2025, 6, 30))
    assert new.predecessor_ids == [old.id]


def test_a_unit_is_merged_once():
    old, new = merging_pair()
    with acting(ADMIN.context("given-merged")):
        old.merge_into(new, MERGED_ON, "NQ")
    recorded(old, new)
    error = refused(
        RuleViolation,
        ADMIN,
        old.merge_into,
        new,
        MERGED_ON,
        "NQ",
        untouched=[old, new],
        says="đơn vị đã được sáp nhập",
    )
    assert error.details == {"unit_id": str(old.id)}


def test_a_unit_not_in_force_the_day_before_the_merger_is_not_merged():
    old, new = merging_pair(old_from=MERGED_ON)
    error = refused(
        UnitNotValid,
        ADMIN,
        old.merge_into,
        new,
        MERGED_ON,
        "NQ",
        untouched=[old, new],
        says="đơn vị không còn hiệu lực vào ngày trước khi sáp nhập",
    )
    assert error.details == {"unit_id": str(old.id), "from_date": "2025-07-01"}


def test_a_unit_in_force_only_the_day_before_the_merger_is_merged():
    old, new = merging_pair(old_from=MERGED_ON - DAY)
    when(ADMIN, old.merge_into, new, MERGED_ON, "NQ")
    assert names(recorded(old, new)) == ["Merged", "SuccessionRecorded"]


def test_a_unit_merges_only_into_one_of_its_level():
    old = establish("X11", UnitLevel.COMMUNE, province())
    error = refused(
        UnitNotValid,
        ADMIN,
        old.merge_into,
        province(),
        MERGED_ON,
        "NQ",
        untouched=[old],
        says="chỉ sáp nhập vào đơn vị cùng cấp",
    )
    assert error.details == {"level": "commune"}


def test_a_successor_not_yet_in_force_on_the_day_of_the_merger_is_refused():
    old, new = merging_pair(new_from=MERGED_ON + DAY)
    refused(
        UnitNotValid,
        ADMIN,
        old.merge_into,
        new,
        MERGED_ON,
        "NQ",
        untouched=[old, new],
        says="đơn vị kế thừa chưa có hiệu lực vào ngày sáp nhập",
    )


# --- people ----------------------------------------------------------------------------------

PERSON_ID = ledger_id("test-person", 1)


def registering_person(unit: AdministrativeUnit | None = None, on: date = ON) -> Person:
    return Person.register(
        id=PERSON_ID,
        cccd_hash="ab" * 32,
        sealed="sealed:ho-ten",
        target_group="cong_nhan",
        unit=unit or commune(),
        on=on,
    )


def test_a_registered_person_records_the_sealed_data_group_and_unit():
    person = when(OFFICER, registering_person)
    [event] = recorded(person)
    assert (event.originator_id, event.cccd_hash, event.sealed) == (
        PERSON_ID,
        "ab" * 32,
        "sealed:ho-ten",
    )
    assert (event.target_group, event.unit_id) == ("cong_nhan", commune().id)
    assert (person.cccd_hash, person.sealed, person.target_group, person.unit_id) == (
        "ab" * 32,
        "sealed:ho-ten",
        "cong_nhan",
        commune().id,
    )
    assert (person.affiliations, person.erased, person.households) == ({}, False, set())


def test_a_person_is_not_registered_in_a_unit_not_in_force():
    ended = district()
    error = refused(
        UnitNotValid, OFFICER, registering_person, ended, date(2026, 1, 1), says=NOT_IN_FORCE
    )
    assert error.details == {"unit_id": str(ended.id)}


def test_correcting_a_person_s_details_replaces_the_sealed_data():
    person = registered_person()
    when(OFFICER, person.correct_details, "sealed:ho-ten-moi", "Sai ngày sinh")
    [event] = recorded(person)
    assert names([event]) == ["DetailsCorrected"]
    assert (event.sealed, event.reason, person.sealed) == (
        "sealed:ho-ten-moi",
        "Sai ngày sinh",
        "sealed:ho-ten-moi",
    )


def test_an_erased_person_is_neither_corrected_nor_erased_again():
    person = registered_person()
    when(ADMIN, person.erase_personal_data, "Yêu cầu xóa")
    [event] = recorded(person)
    assert (names([event]), event.reason, person.erased) == (
        ["PersonalDataErased"],
        "Yêu cầu xóa",
        True,
    )
    for command, args in (
        (person.correct_details, ("s", "r")),
        (person.erase_personal_data, ("r",)),
    ):
        error = refused(
            RuleViolation,
            ADMIN,
            command,
            *args,
            untouched=[person],
            says="dữ liệu cá nhân đã bị xóa",
        )
        assert error.details == {"person_id": str(person.id)}


@pytest.mark.parametrize(
    "subject",
    [lambda: registered_person(), lambda: registered_group(SubjectKind.HOUSEHOLD)],
    ids=["person", "household"],
)
def test_a_move_to_the_same_unit_or_one_not_in_force_names_the_unit(subject):
    moving = subject()
    same = refused(
        RuleViolation,
        OFFICER,
        moving.relocate,
        commune(),
        date(2026, 3, 1),
        "x",
        untouched=[moving],
        says="hồ sơ đã thuộc đơn vị này",
    )
    assert same.details == {"unit_id": str(commune().id)}
    ended = district()
    gone = refused(
        UnitNotValid,
        OFFICER,
        moving.relocate,
        ended,
        date(2026, 3, 1),
        "x",
        untouched=[moving],
        says=NOT_IN_FORCE,
    )
    assert gone.details == {"unit_id": str(ended.id)}


# --- groups ----------------------------------------------------------------------------------

GROUP_ID = ledger_id("test-group", 1)


def registering_group(
    kind: SubjectKind = SubjectKind.ORGANISATION,
    name: str | None = "Trường THCS Hồng Phong",
    unit: AdministrativeUnit | None = None,
    on: date = ON,
) -> Collective:
    return Collective.register(
        id=GROUP_ID,
        kind=kind,
        name=name,
        sealed=None if kind is not SubjectKind.HOUSEHOLD else "sealed:ten-ho",
        unit=unit or commune(),
        organisation_type="truong_hoc",
        on=on,
    )


def test_a_registered_group_records_its_kind_name_unit_and_type():
    group = when(OFFICER, registering_group)
    [event] = recorded(group)
    assert (event.originator_id, event.kind, event.name, event.sealed) == (
        GROUP_ID,
        "organisation",
        "Trường THCS Hồng Phong",
        None,
    )
    assert (event.unit_id, event.organisation_type) == (commune().id, "truong_hoc")
    assert (group.kind, group.name, group.sealed) == (
        SubjectKind.ORGANISATION,
        "Trường THCS Hồng Phong",
        None,
    )
    assert (group.unit_id, group.organisation_type) == (commune().id, "truong_hoc")
    assert (group.members, group.affiliations) == ({}, {})


def test_a_registered_household_keeps_its_name_sealed():
    household = when(OFFICER, registering_group, SubjectKind.HOUSEHOLD, None)
    [event] = recorded(household)
    assert (event.sealed, household.sealed, household.name) == (
        "sealed:ten-ho",
        "sealed:ten-ho",
        None,
    )


def test_a_person_is_not_registered_as_a_group():
    error = refused(
        InvalidInput,
        OFFICER,
        registering_group,
        SubjectKind.PERSON,
        says="công dân đăng ký qua /persons",
    )
    assert error.details == {"kind": "person"}


def test_a_group_is_not_registered_in_a_unit_not_in_force():
    ended = district()
    error = refused(
        UnitNotValid,
        OFFICER,
        registering_group,
        unit=ended,
        on=date(2026, 1, 1),
        says=NOT_IN_FORCE,
    )
    assert error.details == {"unit_id": str(ended.id)}


def test_a_community_belongs_to_a_village_or_commune_never_a_district():
    refused(
        UnitNotValid,
        OFFICER,
        registering_group,
        SubjectKind.COMMUNITY,
        "Thôn Đông",
        district(),
        says="cộng đồng học tập gắn với thôn, tổ dân phố hoặc cấp xã",
    )
    community = when(OFFICER, registering_group, SubjectKind.COMMUNITY, "Thôn Đông")
    assert community.kind is SubjectKind.COMMUNITY
    organisation = when(OFFICER, registering_group, unit=district())
    assert organisation.unit_id == district().id


@pytest.mark.parametrize("name", [None, ""])
def test_a_group_other_than_a_household_needs_a_name(name):
    error = refused(InvalidInput, OFFICER, registering_group, name=name, says="cần tên")
    assert error.details == {"field": "name"}


def test_a_moved_group_records_both_units_its_kind_and_the_day():
    group = registered_group(SubjectKind.ORGANISATION)
    before, destination = group.unit_id, establish("X02", UnitLevel.COMMUNE, province())
    when(OFFICER, group.relocate, destination, date(2026, 3, 1), "Sáp nhập trường")
    [event] = recorded(group)
    assert (event.from_unit_id, event.unit_id, event.kind) == (
        before,
        destination.id,
        "organisation",
    )
    assert (event.effective_date, event.reason, group.unit_id) == (
        date(2026, 3, 1),
        "Sáp nhập trường",
        destination.id,
    )


def test_a_community_that_would_move_is_refused_naming_it():
    community = registered_group(SubjectKind.COMMUNITY)
    error = refused(RuleViolation, OFFICER, community.relocate, district(), date(2024, 3, 1), "x")
    assert error.details == {"collective_id": str(community.id)}


# --- members ---------------------------------------------------------------------------------


def test_an_organisation_takes_a_person_from_the_day_given():
    organisation, person = registered_group(SubjectKind.ORGANISATION), registered_person()
    when(OFFICER, organisation.add_member, person, "giáo viên", date(2025, 1, 15))
    [added] = recorded(organisation)
    [affiliated] = recorded(person)
    assert (added.member_id, added.member_kind, added.relation) == (
        person.id,
        "person",
        "giáo viên",
    )
    assert (added.effective_date, organisation.members) == (
        date(2025, 1, 15),
        {person.id: "giáo viên"},
    )
    assert (affiliated.group_id, affiliated.group_kind) == (organisation.id, "organisation")
    assert (person.affiliations, person.households) == (
        {organisation.id: SubjectKind.ORGANISATION},
        set(),
    )


def test_a_household_refuses_another_household_naming_both_kinds():
    household, other = (
        registered_group(SubjectKind.HOUSEHOLD),
        registered_group(SubjectKind.HOUSEHOLD, 2),
    )
    error = refused(
        InvalidInput,
        OFFICER,
        household.add_member,
        other,
        None,
        untouched=[household, other],
        says="household không nhận thành viên loại household",
    )
    assert error.details == {"group_kind": "household", "member_kind": "household"}


def test_a_community_takes_a_household_and_refuses_an_organisation():
    community = registered_group(SubjectKind.COMMUNITY)
    household, organisation = (
        registered_group(SubjectKind.HOUSEHOLD),
        registered_group(SubjectKind.ORGANISATION),
    )
    when(OFFICER, community.add_member, household, None)
    [added] = recorded(community)
    assert (added.member_kind, community.members) == ("household", {household.id: None})
    refused(
        InvalidInput,
        OFFICER,
        community.add_member,
        organisation,
        None,
        untouched=[community, organisation],
        says="community không nhận thành viên loại organisation",
    )


def test_a_member_added_twice_is_refused_naming_the_member():
    household, person = registered_group(SubjectKind.HOUSEHOLD), registered_person()
    with acting(OFFICER.context("given-member")):
        household.add_member(person, "con")
    recorded(household, person)
    error = refused(RuleViolation, OFFICER, household.add_member, person, "con")
    assert error.details == {"member_id": str(person.id)}


def test_a_household_that_leaves_a_clan_is_recorded_on_both_sides_with_the_day_and_reason():
    clan, household = registered_group(SubjectKind.CLAN), registered_group(SubjectKind.HOUSEHOLD)
    with acting(OFFICER.context("given-member")):
        clan.add_member(household, None)
    recorded(clan, household)
    when(OFFICER, clan.remove_member, household, date(2026, 5, 1), "Chuyển đi nơi khác")
    [left] = recorded(clan)
    [disaffiliated] = recorded(household)
    assert (left.member_id, left.effective_date, left.reason) == (
        household.id,
        date(2026, 5, 1),
        "Chuyển đi nơi khác",
    )
    assert (disaffiliated.group_id, disaffiliated.effective_date, disaffiliated.reason) == (
        clan.id,
        date(2026, 5, 1),
        "Chuyển đi nơi khác",
    )
    assert (clan.members, household.affiliations) == ({}, {})


def test_leaving_is_refused_for_a_non_member_and_without_a_reason_naming_what_is_missing():
    household, person = registered_group(SubjectKind.HOUSEHOLD), registered_person()
    stranger = refused(
        RuleViolation,
        OFFICER,
        household.remove_member,
        person,
        date(2026, 5, 1),
        "x",
        says="không phải thành viên",
    )
    assert stranger.details == {"member_id": str(person.id)}
    with acting(OFFICER.context("given-member")):
        household.add_member(person, "con")
    recorded(household, person)
    blank = refused(
        InvalidInput,
        OFFICER,
        household.remove_member,
        person,
        date(2026, 5, 1),
        " ",
        untouched=[household, person],
        says="cần lý do",
    )
    assert blank.details == {"field": "reason"}
