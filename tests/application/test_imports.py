"""Importing a village workbook on SQLite and PostgreSQL: a dry run reports exactly the
seeded mistakes, nothing is written until the file is clean, the clean file imports once,
again it writes nothing, a corrected file adds only what is new, and a cut-off run resumes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from application.clients.generator.workbook import VillageRows, village_workbook, with_mistakes
from application.ledger import Ledger
from application.services import imports as imports_module
from application.services.assessments import AssessmentService
from application.services.imports import ImportService
from application.services.records import VIETNAM, FixedClock, Records
from application.services.registry import RegistryService
from application.settings import Settings
from domain.base import CommandContext
from domain.errors import InvalidInput, OutOfScope
from domain.glossary import Role, SubjectKind, TitleModel, UnitLevel
from domain.imports import Import, clan_id_for, household_id_for
from domain.registry import Collective, Person, community_id_for, unit_id_for
from tests.application.test_personal_data import forms_of, stored_states
from tests.conftest import make_settings

ADMIN = CommandContext("cli:test", "administrator", "test")
VILLAGES = ("XA1-T01", "XA1-T02", "XA1-T03")
ELSEWHERE_CCCD = "031088999999"  # another province: never generated here


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    schema = request.getfixturevalue("pg_schema") if request.param == "postgres" else None
    return make_settings(request.param, tmp_path / "var", schema)


@pytest.fixture
def ledger(settings: Settings) -> Iterator[Ledger]:
    clock = FixedClock(datetime(2026, 12, 6, 9, 0, tzinfo=VIETNAM))
    the_ledger = Ledger(settings, clock=clock)
    establish_geography(the_ledger)
    yield the_ledger
    the_ledger.close()


def unit(ledger: Ledger, code: str, level: UnitLevel, parent: str | None) -> UUID:
    return ledger.registry.establish_unit(
        ADMIN,
        code=code,
        name=f"Đơn vị {code}",
        level=level,
        unit_type=level.value,
        parent_id=unit_id_for(parent) if parent else None,
        valid_from=date(2020, 1, 1),
    ).id


def establish_geography(ledger: Ledger) -> None:
    unit(ledger, "TINH", UnitLevel.PROVINCE, None)
    unit(ledger, "XA1", UnitLevel.COMMUNE, "TINH")
    unit(ledger, "XA2", UnitLevel.COMMUNE, "TINH")
    for code in VILLAGES:
        unit(ledger, code, UnitLevel.VILLAGE, "XA1")
    unit(ledger, "XA2-T01", UnitLevel.VILLAGE, "XA2")
    ledger.registry.register_person(
        ADMIN,
        cccd=ELSEWHERE_CCCD,
        full_name="Người Xã Khác",
        birth_date=date(1988, 1, 1),
        gender="nam",
        ethnicity="Kinh",
        target_group=None,
        unit_id=unit_id_for("XA2-T01"),
    )


def log_size(ledger: Ledger) -> int:
    return ledger.store.recorder.max_notification_id() or 0  # type: ignore[attr-defined]


def persons_of(ledger: Ledger, rows: VillageRows) -> dict[str, Person]:
    found = {p["cccd"]: ledger.registry.registered_person(p["cccd"]) for p in rows.persons}
    return {cccd: person for cccd, person in found.items() if person is not None}


def households_of(ledger: Ledger, rows: VillageRows) -> int:
    ids = [
        household_id_for(unit_id_for(h["village_code"]), h["household_code"])
        for h in rows.households
    ]
    return sum(1 for i in ids if ledger.records.find(Collective, i) is not None)


COMMUNE = unit_id_for("XA1")


def test_a_village_file_with_seeded_mistakes_reports_exactly_them_then_imports_once(
    ledger: Ledger, settings: Settings
) -> None:
    rows = village_workbook(VILLAGES, households=700)
    spoiled, mistakes = with_mistakes(rows, 30, registered_elsewhere=ELSEWHERE_CCCD)
    assert len(rows.persons) + len(rows.households) > 2500
    before = log_size(ledger)

    dry = ledger.imports.check(ADMIN, COMMUNE, spoiled.content())

    found = sorted((e.sheet, e.row, e.column) for e in dry.report.errors)
    assert found == sorted((m.sheet, m.row, m.column) for m in mistakes)
    assert {m.kind for m in mistakes} >= {"registered-elsewhere", "duplicate-cccd"}
    with pytest.raises(InvalidInput):
        ledger.imports.run(ADMIN, COMMUNE, spoiled.content())
    assert log_size(ledger) == before  # nothing written while the file has mistakes

    content = rows.content()
    outcome = ledger.imports.run(ADMIN, COMMUNE, content)

    total = len(rows.persons) + len(rows.households)
    assert (outcome.accepted, outcome.unchanged) == (total, 0)
    assert outcome.created == total
    registered = persons_of(ledger, rows)
    assert len(registered) == len(rows.persons)
    assert len({p.id for p in registered.values()}) == len(rows.persons)
    head = registered[rows.persons[0]["cccd"]]
    household_id = household_id_for(unit_id_for(rows.persons[0]["village_code"]), "H00001")
    assert ledger.records.get(Collective, household_id).members[head.id] == "chu_ho"
    assert ledger.vault.unseal(head.id, head.sealed)["full_name"] == rows.persons[0]["full_name"]
    record = ledger.records.get(Import, outcome.import_id)
    assert record.completed and record.row_count == total
    assert record.digest == outcome.digest
    assert ledger.records.history(head.id)[0].causation_id == str(outcome.import_id)
    after_first = log_size(ledger)

    again = ledger.imports.run(ADMIN, COMMUNE, content)

    assert again.already_done and again.created == 0
    assert log_size(ledger) == after_first


def test_a_corrected_file_adds_only_the_rows_that_are_new(ledger: Ledger) -> None:
    rows = village_workbook(VILLAGES, households=40)
    first = VillageRows(
        rows.households[:30], [p for p in rows.persons if p["household_code"] <= "H00030"]
    )
    ledger.imports.run(ADMIN, COMMUNE, first.content())
    before = log_size(ledger)

    outcome = ledger.imports.run(ADMIN, COMMUNE, rows.content())

    new = len(rows.persons) - len(first.persons) + 10
    assert (outcome.accepted, outcome.created) == (new, new)
    assert outcome.unchanged == len(first.persons) + 30
    assert len(persons_of(ledger, rows)) == len(rows.persons)
    assert log_size(ledger) > before


def test_a_person_moved_into_a_household_by_a_corrected_file_becomes_a_member(
    ledger: Ledger,
) -> None:
    rows = village_workbook(VILLAGES, households=3)
    loose = VillageRows(rows.households, [dict(p) for p in rows.persons])
    loose.persons[-1].update(household_code=None, relation=None)
    ledger.imports.run(ADMIN, COMMUNE, loose.content())

    outcome = ledger.imports.run(ADMIN, COMMUNE, rows.content())

    assert (outcome.accepted, outcome.created) == (1, 0)
    person = persons_of(ledger, rows)[rows.persons[-1]["cccd"]]
    assert len(person.households) == 1


def registrations_of(rows: VillageRows, year: int) -> list[dict[str, Any]]:
    people = [
        {"title": "Công dân học tập", "cycle_year": year, "cccd": p["cccd"]}
        for p in rows.persons
        if p["target_group"] in ("Nông dân", "Cán bộ", "Công nhân")
    ]
    households = [{"title": "Gia đình học tập", "cycle_year": year} | h for h in rows.households]
    return people + households


def test_yearly_registrations_open_one_case_per_title_and_year_once(ledger: Ledger) -> None:
    ledger.criteria.load_seed_criteria(ADMIN)
    rows = village_workbook(VILLAGES, households=4)
    rows.registrations = registrations_of(rows, 2026)
    content = rows.content()

    dry = ledger.imports.check(ADMIN, COMMUNE, content)
    outcome = ledger.imports.run(ADMIN, COMMUNE, content, checked=dry)

    assert dry.report.errors == [], dry.report.errors[:3]
    total = len(rows.persons) + len(rows.households) + len(rows.registrations)
    assert (outcome.accepted, outcome.created) == (total, total)
    person = persons_of(ledger, rows)[rows.registrations[0]["cccd"]]
    case = ledger.assessments.latest_case(person.id, TitleModel.LEARNING_CITIZEN, 2026)
    assert case is not None
    assert ledger.records.history(case.id)[0].causation_id == str(outcome.import_id)
    household = household_id_for(unit_id_for(rows.households[0]["village_code"]), "H00001")
    assert ledger.assessments.latest_case(household, TitleModel.LEARNING_FAMILY, 2026)

    rows.registrations.append(
        {"title": "Công dân học tập", "cycle_year": 2027, "cccd": person_cccd(rows)}
    )
    again = ledger.imports.run(ADMIN, COMMUNE, rows.content())

    assert (again.accepted, again.created) == (1, 1)
    assert again.unchanged == total


def test_households_join_their_village_clan_once_and_a_corrected_file_adds_one(
    ledger: Ledger,
) -> None:
    rows = village_workbook(VILLAGES, households=6)
    for household in rows.households[:4]:
        household["clan"] = "Dòng họ  Phạm"  # the same clan in each village, spacing aside
    ledger.imports.run(ADMIN, COMMUNE, rows.content())

    clans = {
        h["village_code"]: clan_id_for(unit_id_for(h["village_code"]), "dòng họ phạm")
        for h in rows.households[:4]
    }
    members = {
        code: set(ledger.records.get(Collective, clan).members) for code, clan in clans.items()
    }
    assert sum(len(m) for m in members.values()) == 4
    assert ledger.records.get(Collective, clans[rows.households[0]["village_code"]]).name == (
        "Dòng họ Phạm"
    )

    rows.households[5]["clan"] = "Dòng họ Phạm"
    outcome = ledger.imports.run(ADMIN, COMMUNE, rows.content())

    fifth = rows.households[5]
    assert outcome.accepted == 1
    clan = clan_id_for(unit_id_for(fifth["village_code"]), "Dòng họ Phạm")
    household = household_id_for(unit_id_for(fifth["village_code"]), fifth["household_code"])
    assert household in ledger.records.get(Collective, clan).members


def test_clans_and_villages_registered_for_titles_report_a_mistake_then_open_cases_once(
    ledger: Ledger,
) -> None:
    ledger.criteria.load_seed_criteria(ADMIN)
    rows = village_workbook(VILLAGES, households=6)
    for household in rows.households[:3]:
        household["clan"] = "Dòng họ Phạm"
    clan_villages = sorted({h["village_code"] for h in rows.households[:3]})
    rows.registrations = [
        {
            "title": "Dòng họ học tập",
            "cycle_year": 2026,
            "village_code": code,
            "clan": "dòng họ PHẠM",
        }
        for code in clan_villages
    ] + [
        {"title": "Cộng đồng học tập", "cycle_year": 2026, "village_code": code}
        for code in VILLAGES
    ]
    known = ledger.registry.register_collective(  # registered before, as the demo does
        ADMIN,
        kind=SubjectKind.COMMUNITY,
        name="Cộng đồng thôn Ba",
        unit_id=unit_id_for(VILLAGES[2]),
    ).id
    spoiled = VillageRows(rows.households, rows.persons, [dict(r) for r in rows.registrations])
    spoiled.registrations[0]["clan"] = "Dòng họ Vũ"  # a clan the village does not have
    before = log_size(ledger)

    dry = ledger.imports.check(ADMIN, COMMUNE, spoiled.content())

    assert [(e.sheet, e.row, e.column) for e in dry.report.errors] == [
        ("Đăng ký danh hiệu", 2, "Dòng họ")
    ]
    with pytest.raises(InvalidInput):
        ledger.imports.run(ADMIN, COMMUNE, spoiled.content())
    assert log_size(ledger) == before

    content = rows.content()  # kept: the workbook's timestamp changes each write
    outcome = ledger.imports.run(ADMIN, COMMUNE, content)

    cases = len(rows.registrations)
    records = len(rows.persons) + len(rows.households) + len(clan_villages)
    assert outcome.created == records + cases + len(VILLAGES) - 1  # and two new communities
    for code in clan_villages:
        clan = clan_id_for(unit_id_for(code), "Dòng họ Phạm")
        case = ledger.assessments.latest_case(clan, TitleModel.LEARNING_CLAN, 2026)
        assert case is not None and case.subject_kind is SubjectKind.CLAN
        assert ledger.records.history(case.id)[0].causation_id == str(outcome.import_id)
    for code in VILLAGES:
        community = ledger.records.get(Collective, community_id_for(unit_id_for(code)))
        assert community.kind is SubjectKind.COMMUNITY and community.unit_id == unit_id_for(code)
        assert ledger.assessments.latest_case(community.id, TitleModel.LEARNING_COMMUNITY, 2026)
    assert community_id_for(unit_id_for(VILLAGES[2])) == known
    assert ledger.records.get(Collective, known).name == "Cộng đồng thôn Ba"
    first = community_id_for(unit_id_for(VILLAGES[0]))
    assert ledger.records.get(Collective, first).name == f"Cộng đồng Đơn vị {VILLAGES[0]}"
    assert ledger.records.history(first)[0].causation_id == str(outcome.import_id)
    after = log_size(ledger)

    again = ledger.imports.run(ADMIN, COMMUNE, content)

    assert again.already_done and again.created == 0
    assert log_size(ledger) == after

    rows.registrations.append(  # another file: only the new title and year writes
        {"title": "Cộng đồng học tập", "cycle_year": 2027, "village_code": VILLAGES[0]}
    )
    corrected = ledger.imports.run(ADMIN, COMMUNE, rows.content())

    assert (corrected.accepted, corrected.created) == (1, 1)
    assert ledger.assessments.latest_case(first, TitleModel.LEARNING_COMMUNITY, 2027)
    assert ledger.assessments.latest_case(first, TitleModel.LEARNING_COMMUNITY, 2026).attempt == 1


def person_cccd(rows: VillageRows) -> str:
    return str(rows.registrations[0]["cccd"])


class CrashingRegistry(RegistryService):
    """Stops the process (an error that is not a refusal) at the n-th batch."""

    calls: list[int] = []  # noqa: RUF012 (counted across the frozen instances)
    crash_at = 2

    def register_batch(self, ctx: CommandContext, **batch: Any) -> Any:
        self.calls.append(1)
        if len(self.calls) == self.crash_at:
            raise RuntimeError("mất điện")
        return super().register_batch(ctx, **batch)


class CrashingRecords(Records):
    """Stops the process inside a batch: after the CCCDs were enrolled, before the save."""

    def save(self, *aggregates: Any) -> Any:
        if any(isinstance(a, Person) for a in aggregates):
            raise RuntimeError("mất kết nối")
        return super().save(*aggregates)


def test_an_import_cut_off_between_batches_resumes_where_it_stopped(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports_module, "BATCH_ROWS", 20)
    monkeypatch.setattr(CrashingRegistry, "calls", [])  # counted afresh on each backend
    rows = village_workbook(VILLAGES, households=30)
    content = rows.content()  # once: each save of a workbook stamps its time in it
    crashing = CrashingRegistry(ledger.records, ledger.scopes, ledger.vault)
    with pytest.raises(RuntimeError):
        ImportService(
            ledger.records, ledger.scopes, crashing, ledger.criteria, ledger.assessments
        ).run(ADMIN, COMMUNE, content)
    halfway = len(persons_of(ledger, rows)) + households_of(ledger, rows)
    assert 0 < halfway < len(rows.persons)

    outcome = ledger.imports.run(ADMIN, COMMUNE, content)

    assert len(persons_of(ledger, rows)) == len(rows.persons)
    record = ledger.records.get(Import, outcome.import_id)
    assert record.completed
    assert outcome.accepted == len(rows.persons) + len(rows.households)
    assert outcome.created == len(rows.persons) + len(rows.households) - halfway
    assert households_of(ledger, rows) == len(rows.households)


def test_numbers_enrolled_by_a_batch_cut_off_before_its_save_are_taken_up_again(
    ledger: Ledger,
) -> None:
    rows = village_workbook(VILLAGES, households=5)
    records = CrashingRecords(ledger.store, ledger.clock)
    registry = RegistryService(records, ledger.scopes, ledger.vault)
    with pytest.raises(RuntimeError):
        ImportService(records, ledger.scopes, registry, ledger.criteria, ledger.assessments).run(
            ADMIN, COMMUNE, rows.content()
        )
    assert persons_of(ledger, rows) == {}

    outcome = ledger.imports.run(ADMIN, COMMUNE, rows.content())

    assert outcome.created == len(rows.persons) + len(rows.households)
    assert len(persons_of(ledger, rows)) == len(rows.persons)


def test_an_import_cut_off_after_registering_a_community_opens_its_case_on_resume(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.criteria.load_seed_criteria(ADMIN)
    rows = village_workbook(VILLAGES, households=2)
    rows.registrations = [
        {"title": "Cộng đồng học tập", "cycle_year": 2026, "village_code": VILLAGES[0]}
    ]
    content = rows.content()
    community = community_id_for(unit_id_for(VILLAGES[0]))
    open_case = AssessmentService.open_case

    def cut_off(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("mất điện")  # after the community, before its case

    monkeypatch.setattr(AssessmentService, "open_case", cut_off)
    with pytest.raises(RuntimeError):
        ledger.imports.run(ADMIN, COMMUNE, content)
    assert ledger.records.find(Collective, community) is not None
    monkeypatch.setattr(AssessmentService, "open_case", open_case)

    outcome = ledger.imports.run(ADMIN, COMMUNE, content)

    assert ledger.records.get(Import, outcome.import_id).completed
    assert len(ledger.records.history(community)) == 1  # registered once
    case = ledger.assessments.latest_case(community, TitleModel.LEARNING_COMMUNITY, 2026)
    assert case is not None and case.attempt == 1
    assert outcome.created == 1  # the case: the community was there already


def test_imported_personal_data_is_never_stored_in_plaintext(
    ledger: Ledger, settings: Settings
) -> None:
    rows = village_workbook(VILLAGES, households=3)
    ledger.imports.run(ADMIN, COMMUNE, rows.content())

    everything = b"\n".join(stored_states(ledger, settings))
    for row in rows.persons:
        for secret in (row["cccd"], row["full_name"]):
            for form in forms_of(secret):
                assert form not in everything, f"{secret!r} found in the stored events"
    for household in rows.households:
        assert household["name"].encode() not in everything


def test_an_officer_of_another_commune_cannot_import_or_check(ledger: Ledger) -> None:
    user = ledger.access.create_user(
        ADMIN, "canbo_xa2", [Role.COMMUNE_OFFICER], unit_id_for("XA2"), None
    )
    officer = CommandContext(str(user.id), Role.COMMUNE_OFFICER.value, "t")
    rows = village_workbook(VILLAGES, households=2)

    with pytest.raises(OutOfScope):
        ledger.imports.check(officer, COMMUNE, rows.content())


def test_each_import_records_the_template_its_rows_came_from(ledger: Ledger) -> None:
    ledger.criteria.load_seed_criteria(ADMIN)
    rows = village_workbook(VILLAGES, households=2)
    households = ledger.imports.run(ADMIN, COMMUNE, rows.content())
    yearly = VillageRows(registrations=registrations_of(rows, 2026))

    registrations = ledger.imports.run(ADMIN, COMMUNE, yearly.content())

    assert registrations.created == len(yearly.registrations)
    assert ledger.records.get(Import, households.import_id).template == "households"
    assert ledger.records.get(Import, registrations.import_id).template == "registrations"
