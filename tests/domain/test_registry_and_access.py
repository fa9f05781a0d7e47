"""The registry (units, people, groups) and the bearer tokens of user accounts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.access import ApiToken, UserAccount
from domain.base import acting, ledger_id
from domain.errors import InvalidInput, NotAuthenticated, RuleViolation, UnitNotValid
from domain.glossary import Role, SubjectKind, UnitLevel
from domain.registry import (
    LAST_DISTRICT_DAY,
    AdministrativeUnit,
    Collective,
)
from tests.domain.helpers import (
    ADMIN,
    OFFICER,
    commune,
    establish,
    names,
    province,
    recorded,
    refused,
    registered_group,
    registered_person,
    when,
)

REGISTERED_ON = date(2025, 2, 1)
NOW = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)


# --- administrative units -------------------------------------------------------------------


def test_a_district_cannot_be_established_from_1_july_2025():
    refused(
        UnitNotValid,
        ADMIN,
        AdministrativeUnit.establish,
        code="H99",
        name="Huyện mới",
        level=UnitLevel.DISTRICT,
        unit_type="huyen",
        parent=province(),
        valid_from=date(2025, 7, 1),
        says="không thể lập đơn vị cấp huyện từ ngày 01/07/2025 (chính quyền hai cấp)",
    )


def test_a_district_established_before_the_reform_ends_on_30_june_2025():
    unit = when(
        ADMIN,
        AdministrativeUnit.establish,
        code="H02",
        name="Huyện cũ",
        level=UnitLevel.DISTRICT,
        unit_type="huyen",
        parent=province(),
        valid_from=date(2010, 1, 1),
    )
    [event] = recorded(unit)
    assert event.valid_to == LAST_DISTRICT_DAY == date(2025, 6, 30)
    assert not unit.is_valid_on(date(2025, 7, 1))


def test_a_village_must_sit_under_a_commune():
    refused(
        UnitNotValid,
        ADMIN,
        AdministrativeUnit.establish,
        code="TH99",
        name="Thôn 9",
        level=UnitLevel.VILLAGE,
        unit_type="thon",
        parent=province(),
        valid_from=date(2020, 1, 1),
        says="đơn vị village không thể trực thuộc đơn vị province",
    )


def test_a_commune_can_sit_directly_under_a_province():
    unit = establish("X02", UnitLevel.COMMUNE, province(), valid_from=date(2025, 7, 1))
    assert unit.parent_on(date(2025, 7, 1)) == province().id


# --- people and groups ----------------------------------------------------------------------


def test_a_household_is_registered_with_its_name_sealed():
    household = when(
        OFFICER,
        Collective.register,
        id=ledger_id("test-group", "h", 9),
        kind=SubjectKind.HOUSEHOLD,
        name=None,
        sealed="sealed:ten-ho",
        unit=commune(),
        organisation_type=None,
        on=REGISTERED_ON,
    )
    [event] = recorded(household)
    assert (event.kind, event.name, event.sealed) == ("household", None, "sealed:ten-ho")


def test_a_household_cannot_be_registered_with_its_name_in_plain_text():
    refused(
        InvalidInput,
        OFFICER,
        Collective.register,
        id=ledger_id("test-group", "h", 9),
        kind=SubjectKind.HOUSEHOLD,
        name="Hộ ông Nguyễn Văn A",
        sealed=None,
        unit=commune(),
        organisation_type=None,
        on=REGISTERED_ON,
        says="tên hộ gia đình là dữ liệu cá nhân và phải được niêm phong",
    )


def test_adding_a_person_to_a_household_records_it_on_both_sides():
    household, person = registered_group(SubjectKind.HOUSEHOLD), registered_person()
    when(OFFICER, household.add_member, person, "chủ hộ")
    [added] = recorded(household)
    [affiliated] = recorded(person)
    assert names([added, affiliated]) == ["MemberAdded", "Affiliated"]
    assert (added.member_id, added.member_kind, added.relation) == (person.id, "person", "chủ hộ")
    assert (affiliated.group_id, affiliated.group_kind) == (household.id, "household")
    assert person.households == {household.id}


def test_a_member_who_leaves_a_household_is_recorded_on_both_sides():
    household, person = registered_group(SubjectKind.HOUSEHOLD), registered_person()
    with acting(OFFICER.context("given-member")):
        household.add_member(person, "con")
    recorded(household, person)

    when(OFFICER, household.remove_member, person, date(2026, 5, 1), "Lập gia đình, tách hộ")

    [left] = recorded(household)
    [disaffiliated] = recorded(person)
    assert names([left, disaffiliated]) == ["MemberLeft", "Disaffiliated"]
    assert (left.member_id, left.effective_date, left.reason) == (
        person.id,
        date(2026, 5, 1),
        "Lập gia đình, tách hộ",
    )
    assert disaffiliated.group_id == household.id
    assert (household.members, person.households) == ({}, set())


def test_someone_who_is_not_a_member_cannot_leave_and_leaving_needs_a_reason():
    household, person = registered_group(SubjectKind.HOUSEHOLD), registered_person()
    refused(
        RuleViolation,
        OFFICER,
        household.remove_member,
        person,
        date(2026, 5, 1),
        "x",
        untouched=[household, person],
    )
    with acting(OFFICER.context("given-member")):
        household.add_member(person, "con")
    recorded(household, person)
    refused(
        InvalidInput,
        OFFICER,
        household.remove_member,
        person,
        date(2026, 5, 1),
        " ",
        untouched=[household, person],
    )


def test_a_clan_accepts_a_household():
    clan, household = registered_group(SubjectKind.CLAN), registered_group(SubjectKind.HOUSEHOLD)
    when(OFFICER, clan.add_member, household, None)
    assert names(recorded(clan, household)) == ["MemberAdded", "Affiliated"]
    assert household.affiliations == {clan.id: SubjectKind.CLAN}


def test_a_clan_refuses_a_person():
    clan, person = registered_group(SubjectKind.CLAN), registered_person()
    refused(
        InvalidInput,
        OFFICER,
        clan.add_member,
        person,
        None,
        untouched=[clan, person],
        says="clan không nhận thành viên loại person",
    )


@pytest.mark.parametrize("kind", [SubjectKind.CLAN, SubjectKind.ORGANISATION])
def test_a_clan_refuses_a_group_that_is_not_a_household(kind):
    clan, other = registered_group(SubjectKind.CLAN), registered_group(kind, number=2)
    refused(InvalidInput, OFFICER, clan.add_member, other, None, untouched=[clan, other])


def test_a_member_cannot_be_added_twice():
    household, person = registered_group(SubjectKind.HOUSEHOLD), registered_person()
    with acting(OFFICER.context("given-member")):
        household.add_member(person, "con")
    recorded(household, person)
    refused(
        RuleViolation,
        OFFICER,
        household.add_member,
        person,
        "con",
        untouched=[household, person],
        says="đã là thành viên",
    )


# --- bearer tokens --------------------------------------------------------------------------


def issued_token(expires_at: datetime = NOW + timedelta(days=30)) -> ApiToken:
    with acting(ADMIN.context("given-token")):
        user = UserAccount.create("can-bo.xa", [Role.COMMUNE_OFFICER], None, None)
        token = ApiToken.issue("f" * 64, user, expires_at, "máy trạm")
    token.collect_events()
    return token


def test_a_token_is_usable_until_it_expires():
    issued_token().check_usable(NOW)


def test_a_revoked_token_is_not_usable():
    token = issued_token()
    with acting(ADMIN.context("given-revoke")):
        token.revoke("Mất máy")
    with pytest.raises(NotAuthenticated):
        token.check_usable(NOW)


@pytest.mark.parametrize("expires_at", [NOW, NOW - timedelta(seconds=1)], ids=["now", "earlier"])
def test_an_expired_token_is_not_usable(expires_at):
    with pytest.raises(NotAuthenticated):
        issued_token(expires_at).check_usable(NOW)


def test_revoking_a_token_records_why():
    token = issued_token()
    when(ADMIN, token.revoke, "Mất máy")
    [event] = recorded(token)
    assert (names([event]), event.reason) == (["Revoked"], "Mất máy")


def test_a_deactivated_user_cannot_be_issued_a_token():
    with acting(ADMIN.context("given-user")):
        user = UserAccount.create("can-bo.xa", [Role.COMMUNE_OFFICER], None, None)
        user.deactivate("Nghỉ việc")
    refused(
        RuleViolation, ADMIN, ApiToken.issue, "e" * 64, user, NOW, None, says="tài khoản đã bị khóa"
    )


# --- moving a subject to another unit ---------------------------------------------------


def other_commune() -> AdministrativeUnit:
    return establish("X02", UnitLevel.COMMUNE, province())


def test_a_person_who_moves_is_recorded_in_the_new_commune_with_the_old_one_named():
    person = registered_person()
    before = person.unit_id
    destination = other_commune()

    when(OFFICER, person.relocate, destination, date(2026, 3, 1), "Chuyển nơi thường trú")

    [moved] = recorded(person)
    assert names([moved]) == ["Relocated"]
    assert (moved.from_unit_id, moved.unit_id) == (before, destination.id)
    assert (moved.target_group, moved.effective_date) == ("nong_dan", date(2026, 3, 1))
    assert moved.reason == "Chuyển nơi thường trú"
    assert person.unit_id == destination.id


def test_a_move_to_the_same_unit_or_to_a_unit_not_in_force_is_refused():
    person = registered_person()
    refused(
        RuleViolation,
        OFFICER,
        person.relocate,
        commune(),
        date(2026, 3, 1),
        "x",
        untouched=[person],
    )
    ended = establish("H09", UnitLevel.DISTRICT, province(), valid_from=date(2010, 1, 1))
    refused(
        UnitNotValid, OFFICER, person.relocate, ended, date(2026, 3, 1), "x", untouched=[person]
    )


def test_an_erased_person_is_not_moved():
    person = registered_person()
    when(ADMIN, person.erase_personal_data, "Yêu cầu xóa")
    person.collect_events()
    refused(
        RuleViolation,
        OFFICER,
        person.relocate,
        other_commune(),
        date(2026, 3, 1),
        "x",
        untouched=[person],
        says="dữ liệu cá nhân đã bị xóa",
    )


def test_a_household_moves_but_a_community_stays_with_its_village():
    household = registered_group(SubjectKind.HOUSEHOLD)
    when(OFFICER, household.relocate, other_commune(), date(2026, 3, 1), "Cả hộ chuyển đi")
    [moved] = recorded(household)
    assert (names([moved]), moved.kind) == (["Relocated"], "household")

    community = registered_group(SubjectKind.COMMUNITY)
    refused(
        RuleViolation,
        OFFICER,
        community.relocate,
        other_commune(),
        date(2026, 3, 1),
        "x",
        untouched=[community],
        says="cộng đồng học tập gắn với thôn của nó, không chuyển đơn vị được",
    )
