"""NameBook: what a reader sees in place of an id, on every backend. Full names for the
roles that read personal data (each such read recorded), an initial for everyone else,
"đã xóa" once a person is erased; accounts by user name, units by name."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from uuid import UUID, uuid4

import pytest

from application.clients.demo import load_demo
from application.ledger import Ledger
from application.services.records import VIETNAM, FixedClock
from application.settings import Settings
from domain.access import ReadTrail, read_trail_id_for, user_id_for
from domain.base import CommandContext
from domain.glossary import Role, SubjectKind


@pytest.fixture
def demo(settings: Settings, clock: FixedClock) -> Iterator[Ledger]:
    clock.current = datetime(2026, 4, 1, 9, 0, tzinfo=VIETNAM)  # after the demo's decisions
    ledger = Ledger(settings, clock=clock)
    load_demo(ledger)
    yield ledger
    ledger.close()


def reader(ledger: Ledger, username: str) -> tuple[CommandContext, tuple[Role, ...], UUID | None]:
    user = ledger.access.user_by_name(username)
    ctx = CommandContext(str(user.id), user.roles[0].value, "test-names")
    return ctx, tuple(user.roles), user.person_id


def citizen_id(ledger: Ledger) -> UUID:
    person = ledger.access.user_by_name("demo-citizen").person_id
    assert person is not None
    return person


def views_today(ledger: Ledger, ctx: CommandContext) -> int:
    trail = ledger.records.find(ReadTrail, read_trail_id_for(ctx.actor_id, ledger.records.today()))
    return trail.views if trail else 0


def test_an_officer_reads_the_full_name_and_the_read_is_recorded(demo: Ledger):
    ctx, roles, _ = reader(demo, "demo-commune")
    names = demo.names.names(ctx, [citizen_id(demo)], roles=roles)
    assert names == {citizen_id(demo): "Nguyễn Thị Hoa"}
    assert views_today(demo, ctx) == 1


def test_a_council_member_sees_only_an_initial_and_nothing_is_recorded(demo: Ledger):
    ctx, roles, _ = reader(demo, "demo-council-1")
    assert demo.names.names(ctx, [citizen_id(demo)], roles=roles) == {citizen_id(demo): "H."}
    assert views_today(demo, ctx) == 0


def test_a_citizen_reads_her_own_name_without_a_read_record(demo: Ledger):
    ctx, roles, person = reader(demo, "demo-citizen")
    assert demo.names.names(ctx, [citizen_id(demo)], roles=roles, person_id=person) == {
        citizen_id(demo): "Nguyễn Thị Hoa"
    }
    assert views_today(demo, ctx) == 0


def test_an_erased_person_shows_as_erased_to_everyone(demo: Ledger):
    console = CommandContext("cli:test", Role.ADMINISTRATOR.value, "erase")
    person = demo.registry.register_person(
        console,
        cccd="001099000123",
        full_name="Vũ Văn Hải",
        birth_date=date(1999, 1, 1),
        gender="nam",
        ethnicity="Kinh",
        target_group="nong_dan",
        unit_id=demo.access.user_by_name("demo-village").unit_id,  # type: ignore[arg-type]
    ).id
    demo.registry.erase_person(console, person, "Yêu cầu xóa dữ liệu cá nhân")
    for username in ("demo-commune", "demo-council-1"):
        ctx, roles, _ = reader(demo, username)
        assert demo.names.names(ctx, [person], roles=roles) == {person: "đã xóa"}


def test_a_household_name_is_personal_but_an_organisation_name_is_public(demo: Ledger):
    console = CommandContext("cli:test", Role.ADMINISTRATOR.value, "names")
    unit = demo.access.user_by_name("demo-village").unit_id
    assert unit is not None
    household = demo.registry.register_collective(
        console, kind=SubjectKind.HOUSEHOLD, name="Hộ ông Lê Văn Tâm", unit_id=unit
    ).id
    school = demo.registry.register_collective(
        console, kind=SubjectKind.ORGANISATION, name="Trường THCS Đông", unit_id=unit
    ).id
    ctx, roles, _ = reader(demo, "demo-council-1")
    assert demo.names.names(ctx, [household, school], roles=roles) == {
        household: "T.",
        school: "Trường THCS Đông",
    }


def test_accounts_show_their_user_name_units_their_name_and_unknown_ids_nothing(demo: Ledger):
    ctx, roles, _ = reader(demo, "demo-council-1")
    unit = demo.access.user_by_name("demo-commune").unit_id
    assert unit is not None
    stranger = uuid4()
    names = demo.names.names(ctx, [user_id_for("demo-signer"), unit, stranger, None], roles=roles)
    assert names == {user_id_for("demo-signer"): "demo-signer", unit: "Xã An Bình"}
