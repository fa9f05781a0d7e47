"""Every refusal over HTTP is an RFC 9457 problem with the right status, and writes nothing."""

from __future__ import annotations

import unicodedata
from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from application.ledger import Ledger
from application.services.access import token_digest
from application.services.records import FixedClock
from domain.access import ApiToken, UserAccount
from domain.base import CommandContext, acting
from domain.glossary import Role
from tests.api.helpers import Api, seed_content
from tests.api.test_scenario import open_citizen_case, publish_sets, registry, staff

PROBLEM = "application/problem+json"


@pytest.fixture
def env(api: Api, ledger: Ledger) -> tuple[Api, Ledger]:
    return api, ledger


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:hoctap:problem:{code}"
    assert body["title"] and body["detail"] and body["instance"]
    return body


def officer_opens_a_citizen_case(api: Api) -> tuple[dict[str, UUID], UUID]:
    api.created("admin", "/criteria-sets", seed_content("criteria-cdht-can-bo.json"))
    ids = registry(api)
    api.user("officer", ["commune_officer"])
    case = {"subject_id": str(ids["person"]), "model": "cong_dan_hoc_tap", "cycle_year": 2026}
    return ids, api.created("officer", "/cases", case)


def log_position(ledger: Ledger) -> int:
    return ledger.store.recorder.max_notification_id() or 0


def test_a_request_without_a_token_is_refused_with_401(env):
    api, _ = env
    response = api.client.get("/criteria-sets")
    assert_problem(response, 401, "not-authenticated")
    assert response.headers["www-authenticate"] == "Bearer"


def test_an_unknown_token_is_refused_with_401(env):
    api, _ = env
    response = api.client.get("/criteria-sets", headers={"Authorization": "Bearer htl_nope"})
    assert_problem(response, 401, "not-authenticated")


def test_a_token_names_its_account_and_one_naming_another_is_unknown(env):
    api, _ = env
    officer = api.user("officer", ["commune_officer"])
    admin = api.get("admin", "/users/me").json()["id"]
    token = api.tokens["officer"]
    assert token.startswith(f"htl_{officer.hex}.")
    swapped = token.replace(officer.hex, UUID(admin).hex)
    response = api.client.get("/users/me", headers={"Authorization": f"Bearer {swapped}"})
    assert_problem(response, 401, "not-authenticated")


def test_a_token_issued_before_tokens_named_their_account_still_works(env):
    api, ledger = env
    officer = api.user("officer", ["commune_officer"])
    old_style = "htl_" + "x" * 43
    with acting(CommandContext("cli:test", Role.ADMINISTRATOR.value, "old-token")):
        account = ledger.records.get(UserAccount, officer)
        expires = ledger.clock.now() + timedelta(days=1)
        ledger.records.save(ApiToken.issue(token_digest(old_style), account, expires, "cũ"))
    response = api.client.get("/users/me", headers={"Authorization": f"Bearer {old_style}"})
    assert response.status_code == 200 and response.json()["username"] == "officer"


def test_a_revoked_token_is_refused_at_once(env):
    api, ledger = env
    api.user("officer", ["commune_officer"])
    me = api.get("officer", "/users/me").json()
    token_id = ledger.access.authenticate(api.tokens["officer"]).token_id
    api.post("admin", f"/tokens/{token_id}/revocation", {"reason": "Nghỉ việc"}, status=200)
    assert_problem(api.get("officer", "/users/me", status=None), 401, "not-authenticated")
    assert me["username"] == "officer"


def test_an_expired_token_is_refused(env, clock: FixedClock):
    api, _ = env
    api.user("officer", ["commune_officer"])
    clock.advance(days=31)
    assert_problem(api.get("officer", "/users/me", status=None), 401, "not-authenticated")


def test_a_role_that_may_not_act_is_refused_with_403_and_nothing_is_written(env):
    api, ledger = env
    api.user("citizen", ["citizen"])
    before = log_position(ledger)
    response = api.post("citizen", "/criteria-sets", seed_content("criteria-cdht-can-bo.json"))
    body = assert_problem(response, 403, "permission-denied")
    assert body["errors"]["required"] == ["administrator"]
    assert log_position(ledger) == before


def test_an_unknown_case_is_404(env):
    api, _ = env
    assert_problem(api.get("admin", f"/cases/{uuid4()}", status=None), 404, "not-found")


def test_malformed_input_is_422_naming_the_field(env):
    api, _ = env
    body = assert_problem(
        api.post("admin", "/units", {"code": "X", "level": "galaxy"}), 422, "validation-error"
    )
    fields = {".".join(e["loc"]) for e in body["errors"]}
    assert "body.level" in fields and "body.name" in fields


def test_a_client_cannot_choose_the_actor_of_an_event(env):
    api, ledger = env
    response = api.post(
        "admin",
        "/units",
        {
            "code": "T9",
            "name": "Tỉnh",
            "level": "province",
            "unit_type": "tinh",
            "valid_from": "2020-01-01",
            "actor_id": "someone-else",
        },
    )
    assert_problem(response, 422, "validation-error")
    created = api.client.post(
        "/units",
        json={
            "code": "T9",
            "name": "Tỉnh",
            "level": "province",
            "unit_type": "tinh",
            "valid_from": "2020-01-01",
        },
        headers=api.headers("admin", **{"X-Request-ID": "req-42", "X-Correlation-ID": "flow-7"}),
    )
    assert created.status_code == 201, created.text
    unit_id = UUID(created.json()["id"])
    [event] = [
        ledger.store.mapper.to_domain_event(n)
        for n in ledger.store.recorder.select_notifications(start=None, limit=1000)
        if n.originator_id == unit_id
    ]
    admin = ledger.access.authenticate(api.tokens["admin"])
    assert event.actor_id == str(admin.user_id)
    assert event.actor_role == "administrator"
    assert (event.correlation_id, event.causation_id) == ("flow-7", "req-42")


def test_an_invalid_criteria_set_is_422_and_names_what_is_wrong(env):
    api, _ = env
    content = seed_content("criteria-cdht-can-bo.json")
    content["rules"]["recognised_bands"] = ["xuat_sac"]
    body = assert_problem(api.post("admin", "/criteria-sets", content), 422, "invalid-criteria-set")
    assert "xuat_sac" in body["detail"]


def test_registering_the_same_cccd_twice_is_a_conflict(env):
    api, ledger = env
    ids = registry(api)
    before = log_position(ledger)
    again = api.post(
        "admin",
        "/persons",
        {
            "cccd": "001090000123",
            "full_name": "Người khác",
            "unit_id": str(ids["commune"]),
        },
    )
    assert_problem(again, 409, "version-conflict")
    assert log_position(ledger) == before


def test_a_rule_violation_is_409_with_the_rule_and_its_evidence(env):
    api, _ = env
    ids, case_id = officer_opens_a_citizen_case(api)
    scores = {str(i): "9" for i in range(1, 11)}
    body = assert_problem(
        api.post("officer", f"/cases/{case_id}/self-assessment", {"scores": scores}),
        409,
        "evidence-required",
    )
    assert body["errors"]["indicator"] == "1"
    again = api.post(
        "officer",
        "/cases",
        {
            "subject_id": str(ids["person"]),
            "model": "cong_dan_hoc_tap",
            "cycle_year": 2026,
        },
    )
    assert_problem(again, 409, "case-already-open")


def test_a_stale_if_match_fails_its_precondition(env):
    api, _ = env
    _ids, case_id = officer_opens_a_citizen_case(api)
    read = api.get("officer", f"/cases/{case_id}")
    assert read.headers["etag"] == '"1"'
    stale = api.client.post(
        f"/cases/{case_id}/withdrawal",
        json={"reason": "Không tiếp tục"},
        headers=api.headers("officer", **{"If-Match": '"7"'}),
    )
    assert_problem(stale, 412, "precondition-failed")
    fresh = api.client.post(
        f"/cases/{case_id}/withdrawal",
        json={"reason": "Không tiếp tục"},
        headers=api.headers("officer", **{"If-Match": read.headers["etag"]}),
    )
    assert fresh.status_code == 200 and fresh.headers["etag"] == '"2"'


def test_a_write_to_an_existing_record_without_if_match_is_428_and_writes_nothing(env):
    api, ledger = env
    _ids, case_id = officer_opens_a_citizen_case(api)
    before = log_position(ledger)
    missing = api.client.post(
        f"/cases/{case_id}/withdrawal",
        json={"reason": "Không tiếp tục"},
        headers=api.headers("officer"),
    )
    body = assert_problem(missing, 428, "precondition-required")
    assert body["errors"] == {"header": "If-Match"}
    assert log_position(ledger) == before


def test_a_user_issues_reads_and_revokes_their_own_tokens(env):
    api, _ = env
    api.user("officer", ["commune_officer"])
    api.user("other", ["commune_officer"])
    issued = api.post("officer", "/users/me/tokens", {"ttl_hours": 2, "label": "điện thoại"})
    assert issued.status_code == 201 and issued.headers["etag"] == '"1"'
    second = issued.json()
    phone = {"Authorization": f"Bearer {second['token']}"}
    assert api.client.get("/users/me", headers=phone).json()["username"] == "officer"
    info = api.get("officer", f"/tokens/{second['token_id']}").json()
    assert info["label"] == "điện thoại" and info["revoked"] is False
    assert "token" not in info  # the token itself is shown once, at issue
    someone_else = api.client.post(
        f"/tokens/{second['token_id']}/revocation",
        json={"reason": "Không phải của tôi"},
        headers=api.headers("other", **{"If-Match": '"1"'}),
    )
    assert_problem(someone_else, 403, "permission-denied")
    revoked = api.client.post(
        f"/tokens/{second['token_id']}/revocation",
        json={"reason": "Mất điện thoại"},
        headers=api.headers("officer", **{"If-Match": '"1"'}),
    )
    assert revoked.status_code == 200, revoked.text
    assert_problem(api.client.get("/users/me", headers=phone), 401, "not-authenticated")
    assert api.get("officer", "/users/me").json()["username"] == "officer"  # the first still works
    too_long = api.post("officer", "/users/me/tokens", {"ttl_hours": 24 * 365})
    assert_problem(too_long, 422, "invalid-input")  # a stolen token cannot mint a lasting one


def test_evidence_of_an_unaccepted_kind_is_415_whatever_its_name(env):
    api, _ = env
    _ids, case_id = officer_opens_a_citizen_case(api)
    response = api.upload("officer", case_id, b"MZ\x90\x00\x03\x00\x00\x00\xff\xff", "1")
    assert_problem(response, 415, "unsupported-media-type")


def test_evidence_downloads_only_while_its_digest_matches(env):
    api, ledger = env
    _ids, case_id = officer_opens_a_citizen_case(api)
    upload = api.upload("officer", case_id, b"%PDF-1.4 chung chi tin hoc", "5")
    location = upload.headers["location"]
    download = api.get("officer", location)
    assert download.content == b"%PDF-1.4 chung chi tin hoc"
    assert download.headers["content-type"] == "application/pdf"
    case = api.get("officer", f"/cases/{case_id}").json()
    ledger.blobs.path_of(case["evidence"][0]["digest"]).write_bytes(b"%PDF-1.4 forged")
    assert_problem(api.get("officer", location, status=None), 500, "evidence-corrupted")


def test_a_person_record_hides_personal_data_from_roles_without_need(env):
    api, _ = env
    ids = registry(api)
    api.user("signer", ["signer"])
    api.user("officer", ["commune_officer"])
    assert api.get("signer", f"/persons/{ids['person']}").json()["details"] is None
    details = api.get("officer", f"/persons/{ids['person']}").json()["details"]
    assert details["full_name"] == "Phạm Thị Lan"


def test_a_citizen_may_not_open_a_case_for_someone_else(env):
    api, ledger = env
    api.created("admin", "/criteria-sets", seed_content("criteria-cdht-can-bo.json"))
    ids = registry(api)
    console = CommandContext("cli:test", Role.ADMINISTRATOR.value, "t")
    other = ledger.registry.register_person(
        console,
        cccd="001090000999",
        full_name="Người khác",
        birth_date=None,
        gender=None,
        ethnicity=None,
        target_group="can_bo",
        unit_id=ids["commune"],
    )
    api.user("lan", ["citizen"], person_id=ids["person"])
    response = api.post(
        "lan",
        "/cases",
        {
            "subject_id": str(other.id),
            "model": "cong_dan_hoc_tap",
            "cycle_year": 2026,
        },
    )
    assert_problem(response, 403, "out-of-scope")
    mine = api.post(
        "lan",
        "/cases",
        {
            "subject_id": str(ids["person"]),
            "model": "cong_dan_hoc_tap",
            "cycle_year": 2026,
        },
    )
    assert mine.status_code == 201
    assert UUID(mine.json()["id"])


def test_text_is_stored_nfc_normalised_whatever_form_it_arrives_in(env):
    api, _ = env
    decomposed = unicodedata.normalize("NFD", "Tỉnh Hòa Bình")
    unit_id = api.created(
        "admin",
        "/units",
        {
            "code": "HB",
            "name": decomposed,
            "level": "province",
            "unit_type": "tinh",
            "valid_from": "2008-01-01",
        },
    )
    name = api.get("admin", f"/units/{unit_id}").json()["name"]
    assert name == unicodedata.normalize("NFC", "Tỉnh Hòa Bình") != decomposed


def test_an_evidence_id_the_case_does_not_hold_is_404_and_a_superseded_one_409(api: Api):
    publish_sets(api)
    ids = registry(api)
    staff(api, ids)
    case_id = open_citizen_case(api, ids["person"])
    evidence = api.get("officer", f"/cases/{case_id}").json()["evidence"]
    first = evidence[0]["evidence_id"]
    unknown = uuid4()

    assert_problem(
        api.get("lan", f"/cases/{case_id}/evidence/{unknown}", status=None), 404, "not-found"
    )
    gone = f"/cases/{case_id}/evidence/{unknown}/supersession"
    assert_problem(api.post("lan", gone, {"reason": "nhầm"}), 404, "not-found")
    twice = f"/cases/{case_id}/evidence/{first}/supersession"
    assert api.post("lan", twice, {"reason": "nhầm tệp"}).status_code == 200
    assert_problem(api.post("lan", twice, {"reason": "nhầm tệp"}), 409, "evidence-not-usable")
