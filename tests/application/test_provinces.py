"""Many provinces, one deployment: three real stores (three SQLite folders, or three
PostgreSQL schemas of this test's own), one provinces file, one ``Provinces``."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from application.clients.generator import generate
from application.clients.provinces import Provinces, read_provinces
from application.services.access import new_token
from application.services.records import VIETNAM
from application.settings import Settings, SettingsError
from domain.access import ApiToken
from domain.base import CommandContext, acting
from domain.errors import (
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RuleViolation,
)
from domain.glossary import Role, UnitLevel
from domain.registry import AdministrativeUnit
from projections.statistics.queries import report
from tests.api.helpers import seed_content
from tests.conftest import PG_URL, make_settings
from tests.provinces import (
    AFTER_EVERYTHING,
    CODES,
    CONSOLE,
    NAMES,
    Deployment,
    chain_size,
    deployment,
    provinces,
    write_provinces,
)

__all__ = ["deployment", "provinces"]  # fixtures


def establish_province_unit(provinces: Provinces, code: str, name: str) -> uuid.UUID:
    return (
        provinces.ledger_for(code)
        .registry.establish_unit(
            CONSOLE,
            code=code,
            name=name,
            level=UnitLevel.PROVINCE,
            unit_type="tinh",
            parent_id=None,
            valid_from=date(2025, 7, 1),
        )
        .id
    )


def test_each_province_has_a_store_of_its_own(deployment: Deployment, provinces: Provinces):
    settings = [p.settings for p in read_provinces(deployment.base)]
    assert len({s.log_origin for s in settings}) == 3
    assert len({s.var_dir for s in settings}) == 3
    if deployment.schemas:
        assert [s.database_schema for s in settings] == list(deployment.schemas.values())
    unit = establish_province_unit(provinces, "31", "Thành phố Hải Phòng")

    assert provinces.province_of_unit(unit) == "31"
    assert provinces.ledger_for_unit(unit) is provinces.ledger_for("31")
    assert chain_size(provinces, "31") == 1
    assert chain_size(provinces, "01") == chain_size(provinces, "79") == 0
    with pytest.raises(NotFound):
        provinces.province_of_unit(uuid.uuid4())


def test_a_case_registered_in_one_province_is_not_in_another(provinces: Provinces):
    generate(provinces.ledger_for("01"), 30, 7)
    hanoi, haiphong = provinces.ledger_for("01"), provinces.ledger_for("31")
    opened = [
        uuid.UUID(str(n.originator_id))
        for n in hanoi.store.recorder.select_notifications(start=None, limit=100_000)
        if n.topic == "hoctap.AssessmentCase.Opened"
    ]
    assert opened
    assert len(hanoi.records.load_all(opened)) == len(opened)
    assert haiphong.records.load_all(opened) == {}
    views = provinces.open_read_models(catch_up=True)
    try:
        for code in ("31", "79"):
            result = report(
                views[code].engine,
                cycle_year=2025,
                structure=provinces.ledger_for(code).criteria.structures().named("two_level"),
            )
            assert result.lines == []
    finally:
        for models in views.values():
            models.close()


def test_every_store_verifies_on_its_own_and_signs_under_its_own_origin(provinces: Provinces):
    for code, name in zip(CODES, NAMES, strict=True):
        establish_province_unit(provinces, code, name)
    generate(provinces.ledger_for("79"), 20, 5)
    notes = {}
    for code in CODES:
        auditor = provinces.ledger_for(code).auditor
        checkpoint = auditor.make_checkpoint(AFTER_EVERYTHING)
        notes[code] = checkpoint
        verified = auditor.verify()
        assert verified.ok, (code, verified.problem)
        assert verified.events == chain_size(provinces, code)
        assert verified.checkpoints == 1
    assert chain_size(provinces, "79") > chain_size(provinces, "01") == 1
    origins = {provinces.ledger_for(code).settings.log_origin for code in CODES}
    assert origins == {f"hoctap.example/ledger/{code}" for code in CODES}


def test_a_rule_published_nationally_is_in_every_store(provinces: Provinces):
    provinces.load_seed_criteria(CONSOLE)
    content = seed_content("criteria-cdht-nong-dan.json", min_total=85)
    content["effective_from"] = "2027-01-01"
    sizes = {code: chain_size(provinces, code) for code in CODES}

    published = provinces.publish_criteria_set(CONSOLE, content)

    assert sorted(published) == list(CODES)
    for code in CODES:
        catalogue = provinces.ledger_for(code).criteria.catalogue()
        assert catalogue is not None
        latest = catalogue.latest(content["code"])
        assert latest is not None and latest.version == 2
        assert latest.set_id == published[code].id
        assert chain_size(provinces, code) > sizes[code]
    # the same national rule, the same id in every store (ids follow the code and version)
    assert len({r.id for r in published.values() if r is not None}) == 1


def test_publishing_a_national_rule_again_completes_the_stores_that_lack_it(
    provinces: Provinces,
):
    provinces.load_seed_criteria(CONSOLE)
    content = seed_content("criteria-cdht-nong-dan.json", min_total=85)
    content["effective_from"] = "2027-01-01"
    provinces.ledger_for("31").criteria.publish_criteria_set(CONSOLE, content)  # one got it
    sizes = {code: chain_size(provinces, code) for code in CODES}

    published = provinces.publish_criteria_set(CONSOLE, content)

    assert published["31"] is None
    assert chain_size(provinces, "31") == sizes["31"]
    for code in ("01", "79"):
        assert published[code] is not None
        assert chain_size(provinces, code) > sizes[code]
    again = provinces.publish_criteria_set(CONSOLE, content)
    assert again == dict.fromkeys(CODES)
    for code in CODES:
        catalogue = provinces.ledger_for(code).criteria.catalogue()
        assert catalogue is not None
        latest = catalogue.latest(content["code"])
        assert latest is not None and latest.version == 2


def test_the_national_report_is_the_sum_of_the_provinces_reports(provinces: Provinces):
    for code, seed, scale in (("01", 3, 40), ("31", 4, 25), ("79", 5, 15)):
        generate(provinces.ledger_for(code), scale, seed)
    views = provinces.open_read_models(catch_up=True)
    try:
        for year in (2024, 2025, 2026):
            national = provinces.national_report(views, cycle_year=year)
            one_by_one = provinces.national_report(views, cycle_year=year, workers=1)
            expected = {"registered": 0, "assessed": 0, "recognised": 0, "subjects": 0}
            by_model: dict[str, int] = {}
            for code in CODES:
                ledger = provinces.ledger_for(code)
                whole = report(  # the province's full report, every line, no depth
                    views[code].engine,
                    cycle_year=year,
                    structure=ledger.criteria.structures().in_force_on(ledger.records.today()),
                )
                tops = [line for line in whole.lines if line.parent_id is None]
                assert len(tops) == 1  # the generated province
                for key in expected:
                    expected[key] += getattr(tops[0], key)
                for title, counts in tops[0].by_model.items():
                    by_model[title] = by_model.get(title, 0) + counts["recognised"]
                [mine] = [p for p in national.provinces if p.code == code]
                assert mine.lines[0].registered == tops[0].registered
            total = national.total
            assert {key: getattr(total, key) for key in expected} == expected
            assert {k: v["recognised"] for k, v in total.by_model.items()} == by_model
            assert expected["registered"] > 0
            assert one_by_one.total == national.total
    finally:
        for models in views.values():
            models.close()


def test_a_unit_registered_in_two_stores_is_refused_as_a_route(provinces: Provinces):
    generate(provinces.ledger_for("01"), 10, 1)
    generate(provinces.ledger_for("31"), 10, 2)  # the generator names its province MP01 too
    ledger = provinces.ledger_for("01")
    [province] = [
        uuid.UUID(str(n.originator_id))
        for n in ledger.store.recorder.select_notifications(start=None, limit=100_000)
        if n.topic == "hoctap.AdministrativeUnit.Established"
    ][:1]
    with pytest.raises(RuleViolation) as refused:
        provinces.ledger_for_unit(province)
    assert refused.value.details["provinces"] == ["01", "31"]


def unit_ids(provinces: Provinces, code: str) -> set[uuid.UUID]:
    ledger = provinces.ledger_for(code)
    return {
        uuid.UUID(str(n.originator_id))
        for n in ledger.store.recorder.select_notifications(start=None, limit=100_000)
        if n.topic == "hoctap.AdministrativeUnit.Established"
    }


def test_stores_generated_for_their_provinces_hold_their_own_units_and_route_each(
    provinces: Provinces,
):
    """Given each store generated as its own province (its code as the number), then no
    unit is in two stores, each unit routes to the store that made it, and a store asked
    to generate its province again is refused."""
    for code in ("01", "31"):
        generate(provinces.ledger_for(code), 12, 1, province=int(code))
    units = {code: unit_ids(provinces, code) for code in ("01", "31")}
    assert units["01"] and units["31"] and not units["01"] & units["31"]
    for code, ids in units.items():
        assert {provinces.province_of_unit(unit_id) for unit_id in ids} == {code}
    names = {
        code: {
            unit.code
            for unit in provinces.ledger_for(code).records.load_all(list(units[code])).values()
            if isinstance(unit, AdministrativeUnit)
        }
        for code in units
    }
    assert len(names["01"]) == len(units["01"])
    assert all(name.startswith("MP01") for name in names["01"])
    assert all(name.startswith("MP31") for name in names["31"])
    with pytest.raises(RuleViolation, match="tỉnh MP31"):
        generate(provinces.ledger_for("31"), 12, 2, province=31)


@pytest.mark.parametrize("number", [0, 100, -1])
def test_a_province_number_outside_1_to_99_is_refused_before_anything_is_written(
    provinces: Provinces, number: int
):
    before = chain_size(provinces, "01")
    with pytest.raises(InvalidInput, match="số tỉnh phải từ 1 đến 99"):
        generate(provinces.ledger_for("01"), 12, 1, province=number)
    assert chain_size(provinces, "01") == before


def test_a_national_account_and_its_token_work_in_every_province_until_revoked(
    provinces: Provinces,
):
    """Given a nationwide account created in every store and one token issued for it, then
    every province authenticates the token as that account; creating the account again
    changes nothing; once revoked, every province refuses the token."""
    made = provinces.create_national_account(CONSOLE, "bo-gddt", [Role.REPORTING_OFFICER])
    assert sorted(made) == sorted(CODES) and all(made.values())
    again = provinces.create_national_account(CONSOLE, "bo-gddt", [Role.REPORTING_OFFICER])
    assert set(again.values()) == {None}
    issued = provinces.issue_national_token(CONSOLE, "bo-gddt", 24, "Bộ GD&ĐT")
    assert issued.token.startswith("htl_") and issued.token not in str(issued.recorded)
    for code in CODES:
        who = provinces.ledger_for(code).access.authenticate(issued.token)
        assert (who.username, who.unit_id, who.roles) == ("bo-gddt", None, ("reporting_officer",))
        assert who.token_id == issued.token_id
    revoked = provinces.revoke_national_token(CONSOLE, issued.token_id, "hết nhiệm vụ")
    assert all(revoked.values())
    assert set(provinces.revoke_national_token(CONSOLE, issued.token_id, "lần hai").values()) == {
        None
    }
    for code in CODES:
        with pytest.raises(NotAuthenticated, match="thu hồi"):
            provinces.ledger_for(code).access.authenticate(issued.token)


def test_a_national_account_whose_name_is_taken_in_one_province_is_written_nowhere(
    provinces: Provinces,
):
    unit = establish_province_unit(provinces, "31", "Thành phố Hải Phòng")
    provinces.ledger_for("31").access.create_user(
        CONSOLE, "bo-gddt", [Role.REPORTING_OFFICER], unit
    )
    before = {code: chain_size(provinces, code) for code in CODES}
    with pytest.raises(RuleViolation, match="tỉnh 31 đã có tài khoản bo-gddt khác"):
        provinces.create_national_account(CONSOLE, "bo-gddt", [Role.REPORTING_OFFICER])
    assert {code: chain_size(provinces, code) for code in CODES} == before


def test_a_national_token_is_usable_everywhere_or_nowhere(provinces: Provinces):
    """A province without the account: refused before any store is written. A province
    whose copy of the account is locked refuses the token half-way: the provinces that
    kept it revoke it, so it opens no province."""
    provinces.ledger_for("01").access.create_user(CONSOLE, "thanh-tra", [Role.INSPECTOR])
    before = {code: chain_size(provinces, code) for code in CODES}
    with pytest.raises(NotFound, match="tỉnh 31 chưa có tài khoản toàn quốc thanh-tra"):
        provinces.issue_national_token(CONSOLE, "thanh-tra")
    assert {code: chain_size(provinces, code) for code in CODES} == before
    provinces.create_national_account(CONSOLE, "thanh-tra", [Role.INSPECTOR])
    locked = provinces.ledger_for("79")
    account = locked.access.user_by_name("thanh-tra")
    with acting(CONSOLE):
        account.deactivate("khóa thử")
        locked.records.save(account)
    with pytest.raises(RuleViolation, match="tài khoản đã bị khóa"):
        provinces.issue_national_token(CONSOLE, "thanh-tra")
    tokens = [
        provinces.ledger_for(code).records.find(ApiToken, token_id)
        for code in ("01", "31")
        for token_id in issued_tokens(provinces, code)
    ]
    assert len(tokens) == 2 and all(token is not None and token.revoked for token in tokens)


def issued_tokens(provinces: Provinces, code: str) -> list[uuid.UUID]:
    return [
        uuid.UUID(str(n.originator_id))
        for n in provinces.ledger_for(code).store.recorder.select_notifications(
            start=None, limit=100_000
        )
        if n.topic == "hoctap.ApiToken.Issued"
    ]


@pytest.mark.parametrize(
    "token",
    [
        "htl_" + "0" * 32 + "." + "a" * 43,  # another account's id
        "htl_" + "a" * 43,  # no account id
        "htl_{id}." + "a" * 42,  # one character short
        "htl_{id}." + "a" * 42 + "\x00",
        "htl_{id}." + "a" * 42 + "é",
    ],
)
def test_a_token_made_elsewhere_must_be_shaped_for_its_account(provinces: Provinces, token: str):
    ledger = provinces.ledger_for("01")
    account = ledger.access.create_user(CONSOLE, "bo-gddt", [Role.REPORTING_OFFICER]).id
    before = chain_size(provinces, "01")
    expires = datetime(2100, 1, 1, tzinfo=VIETNAM)
    with pytest.raises(InvalidInput, match="không đúng dạng"):
        ledger.access.record_token(CONSOLE, account, token.format(id=account.hex), expires)
    officer = CommandContext("u:1", Role.REPORTING_OFFICER.value, "x")
    with pytest.raises(PermissionDenied):
        ledger.access.record_token(officer, account, new_token(account), expires)
    assert chain_size(provinces, "01") == before


BAD_FILES = [
    (
        [{"code": "01", "name": "Hà Nội"}, {"code": "01", "name": "Hải Phòng"}],
        "mã tỉnh 01 xuất hiện hai lần",
    ),
    (
        [
            {"code": "01", "name": "Hà Nội", "database_schema": "chung"},
            {"code": "31", "name": "Hải Phòng", "database_schema": "chung"},
        ],
        "tỉnh 01 và 31 cùng một kho",
    ),
    ([{"code": "٠١", "name": "Hà Nội"}], "phải gồm đúng 2 chữ số 0-9"),
    ([{"code": "０1", "name": "Hà Nội"}], "phải gồm đúng 2 chữ số 0-9"),
    ([{"code": "01", "name": "Hà\x1bNội"}], "tên tỉnh có ký tự không được phép"),
    ([{"code": "01", "name": "Hà Nội", "schema": "x"}], "provinces.0.schema"),
    ([], "danh sách tỉnh rỗng"),
    (
        [
            {"code": "01", "name": "Hà Nội", "log_origin": "a.example/x"},
            {"code": "31", "name": "Hải Phòng", "log_origin": "a.example/x"},
        ],
        "tỉnh 01 và 31 cùng tên nhật ký",
    ),
]


@pytest.mark.parametrize(("entries", "said"), BAD_FILES)
def test_a_bad_provinces_file_is_refused_with_one_clear_line(
    tmp_path: Path, entries: list[dict[str, Any]], said: str
):
    file = write_provinces(tmp_path / "tinh.json", entries)
    settings = make_settings("sqlite", tmp_path / "var").model_copy(
        update={"provinces_file": file, "database_url": PG_URL, "store": "auto"}
    )

    with pytest.raises(SettingsError) as refused:
        read_provinces(settings)

    message = str(refused.value)
    assert said in message
    assert "\n" not in message and message.startswith("HOCTAP_PROVINCES_FILE ")


def test_a_provinces_file_that_is_not_json_is_refused(tmp_path: Path):
    file = tmp_path / "tinh.json"
    file.write_text("{provinces", encoding="utf-8")
    settings = make_settings("sqlite", tmp_path / "var").model_copy(update={"provinces_file": file})
    with pytest.raises(SettingsError, match="không đọc được"):
        read_provinces(settings)


def test_an_empty_provinces_setting_is_one_store(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HOCTAP_PROVINCES_FILE", "")
    assert Settings().provinces_file is None


def folded(provinces: Provinces, models: Any, code: str) -> bool:
    """Every view of province ``code`` has folded its whole log (read, not folded here)."""
    size = chain_size(provinces, code)
    statuses = models[code].statuses(datetime.now(VIETNAM))
    return all(s.position == size and s.lag_events == 0 for s in statuses)


def wait_until_folded(provinces: Provinces, models: Any, codes: tuple[str, ...]) -> None:
    deadline = time.monotonic() + 60
    while not all(folded(provinces, models, code) for code in codes):
        assert time.monotonic() < deadline, "the views were not folded within 60 s"
        time.sleep(0.1)


def test_one_process_folds_every_provinces_views_in_a_loop_per_province(provinces: Provinces):
    loops = provinces.start_read_models()
    try:
        threads = [t for t in threading.enumerate() if t.name == "hoctap-projections"]
        assert len(threads) >= len(CODES)
        before = {code: chain_size(provinces, code) for code in CODES}

        establish_province_unit(provinces, "31", "Thành phố Hải Phòng")
        establish_province_unit(provinces, "79", "Thành phố Hồ Chí Minh")

        assert chain_size(provinces, "31") > before["31"]
        assert chain_size(provinces, "79") > before["79"]
        wait_until_folded(provinces, loops, CODES)
        assert chain_size(provinces, "01") == before["01"]  # nothing to fold there
    finally:
        for models in loops.values():
            models.close()
