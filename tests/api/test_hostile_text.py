"""Text and numbers at the edge: a control character, a lone surrogate or a digit of another
script is refused (422 naming the field) before anything is written, on every backend.

The field list is read from the app's own OpenAPI document, so a route added later is
covered without touching this file.
"""

from __future__ import annotations

import json
import unicodedata
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path as PathLib
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import JSONTranscoder
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from application.adapters.store import CheckedJSONTranscoder
from application.ledger import Ledger
from domain.base import CommandContext
from domain.errors import InvalidInput
from domain.glossary import Role, UnitLevel
from domain.text import refused_in
from tests.api.helpers import SEED, Api
from tests.api.test_scenario import registry
from tests.api.test_time_travel import open_citizen_case
from tests.test_cli import hoctap

CONSOLE = CommandContext("cli:test", Role.ADMINISTRATOR.value, "hostile-setup")
#: Refused in every text field, single- or multi-line: every Cc but TAB, LF and CR.
CONTROL = [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)] if chr(c) not in "\t\n\r"]
SURROGATES = [chr(c) for c in (0xD800, 0xDBFF, 0xDC00, 0xDFFF)]
NONCHARACTERS = ["\ufdd0", "\ufffe", "\uffff", "\U0010fffe"]
SAFE = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=4)
#: Each example sends one request per field; the fixture is reused, as nothing is written.
FEW = hypothesis_settings(
    max_examples=8,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # a failure lists every field it missed
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def hostile(refused: list[str]) -> st.SearchStrategy[str]:
    return st.builds(lambda a, bad, b: a + bad + b, SAFE, st.sampled_from(refused), SAFE)


# --- the string fields of every POST route, from OpenAPI ----------------------------------


Path = tuple[str | int, ...]


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def string_fields(
    schema: dict[str, Any], components: dict[str, Any], path: Path = ()
) -> Iterator[tuple[Path, bool]]:
    """(path, whether the field has its own pattern) of every free string in a body schema.

    A JSON object of any shape (criteria content, rules) yields a key inside it.
    """
    schema = _resolve(schema, components)
    options = [_resolve(option, components) for option in schema.get("anyOf", ())]
    numeric = any(option.get("type") in ("number", "integer") for option in options)
    for option in options:
        if numeric and option.get("type") == "string":  # a number sent as text (Decimal)
            yield path, True
        elif option.get("type") != "null":
            yield from string_fields(option, components, path)
    kind = schema.get("type")
    if kind == "string" and not {"format", "enum", "const", "contentMediaType"} & set(schema):
        yield path, "pattern" in schema
    elif kind == "array":
        yield from string_fields(schema["items"], components, (*path, 0))
    elif kind == "object":
        for name, sub in schema.get("properties", {}).items():
            yield from string_fields(sub, components, (*path, name))
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            yield from string_fields(extra, components, (*path, "x"))
        elif extra is True or (extra == {} and not schema.get("properties")):
            yield (*path, "x"), False


def post_fields(openapi: dict[str, Any]) -> list[tuple[str, str, Path, bool]]:
    """(route, media type, field path, has a pattern) for every POST body's string fields."""
    components = openapi["components"]["schemas"]
    found = []
    for route, operations in openapi["paths"].items():
        body = operations.get("post", {}).get("requestBody", {}).get("content", {})
        for media, content in body.items():
            for path, patterned in string_fields(content["schema"], components):
                found.append((route, media, path, patterned))
    return found


def nested(path: Path, value: Any) -> Any:
    """A body holding ``value`` at ``path`` (and nothing else)."""
    for step in reversed(path):
        value = [value] if isinstance(step, int) else {step: value}
    return value


def concrete(route: str, case_id: UUID) -> str:
    """The route with ids in its path: a real case (a route may look for it before reading
    the body), anything else a fresh id."""
    parts = route.replace("{case_id}", str(case_id)).split("/")
    return "/".join(str(uuid.uuid4()) if p.startswith("{") else p for p in parts)


@pytest.fixture
def everyone(api: Api) -> tuple[Api, UUID]:
    """A nationwide account holding every role (no route refuses it before reading the
    body), and a case."""
    ledger = api.ledger
    assert ledger is not None
    case_id = open_citizen_case(api)
    user = ledger.access.create_user(CONSOLE, "every-role", list(Role))
    api.tokens["every-role"] = ledger.access.issue_token(CONSOLE, user.id).token
    return api, case_id


def log_position(ledger: Ledger | None) -> int:
    assert ledger is not None
    return ledger.store.recorder.max_notification_id() or 0


def refused_at(response: Any, path: Path, patterned: bool) -> bool:
    """A 422 problem with an error at ``path`` for a refused character (or at a parent,
    naming the rest of the path: a JSON object checked as a whole)."""
    if response.status_code != 422:
        return False
    assert response.headers["content-type"].startswith("application/problem+json")
    wanted = ["body", *map(str, path)]
    errors = response.json().get("errors")
    for error in errors if isinstance(errors, list) else []:
        loc = error["loc"]
        if loc == wanted and (patterned or error["type"] == "refused_character"):
            return True
        rest = ".".join(wanted[len(loc) :])
        if wanted[: len(loc)] == loc and error["type"] == "refused_character" and rest:
            return error["msg"].startswith(f"{rest}: ")
    return False


def test_the_field_list_covers_every_kind_of_body(api: Api):
    fields = post_fields(api.client.app.openapi())
    routes = {route for route, *_ in fields}
    assert {"/persons", "/complaints", "/criteria-sets", "/cases/{case_id}/evidence"} <= routes
    assert ("/decisions", "application/json", ("rulings", 0, "reason"), False) in fields
    assert len(fields) > 60


@FEW
@given(data=st.data())
def test_every_string_field_of_every_post_route_refuses_control_characters(
    everyone: tuple[Api, UUID], data: st.DataObject
):
    api, case_id = everyone
    fields = post_fields(api.client.app.openapi())
    before = log_position(api.ledger)
    headers = api.headers("every-role", **{"If-Match": '"1"'})
    missed = []
    for route, media, path, patterned in fields:
        path_url = concrete(route, case_id)
        if media == "multipart/form-data":  # form fields are bytes on the wire: no surrogates
            text = data.draw(hostile(CONTROL + NONCHARACTERS), label=f"{route} {path}")
            form = {str(path[0]): text}
            response = api.client.post(path_url, data=form, headers=headers)
        else:
            refused = CONTROL + SURROGATES + NONCHARACTERS
            text = data.draw(hostile(refused), label=f"{route} {path}")
            body = json.dumps(nested(path, text))  # ensure_ascii: "\ud800" travels escaped
            sent = headers | {"Content-Type": "application/json"}
            response = api.client.post(path_url, content=body, headers=sent)
        if not refused_at(response, path, patterned):
            missed.append((route, path, repr(text), response.status_code, response.text[:300]))
    assert not missed
    assert log_position(api.ledger) == before


# --- what the edge lets through, and the last check in the store --------------------------


def test_single_line_fields_refuse_line_breaks_and_multi_line_ones_keep_them(api: Api):
    ids = registry(api)
    unit = f"/units/{ids['commune']}"
    for text in ("Xã\nHòa Bình", "Xã\tHòa Bình", "Xã\rHòa"):
        body = {"code": "X9", "name": text, "level": "commune", "unit_type": "xa"}
        body |= {"parent_id": str(ids["province"]), "valid_from": "2025-07-01"}
        response = api.post("admin", "/units", body, status=422)
        assert response.json()["errors"][0]["loc"] == ["body", "name"]
    reason = "Sáp nhập theo\nNghị quyết 1/2025\tđiều 2\r\n"
    api.post(
        "admin",
        f"{unit}/parent",
        {"parent_id": str(ids["province"]), "from_date": "2025-07-02", "reason": reason},
        status=200,
    )


@given(
    value=st.recursive(
        SAFE | st.integers() | st.booleans(),
        lambda inner: st.lists(inner) | st.dictionaries(SAFE, inner),
        max_leaves=8,
    )
)
def test_the_store_encodes_every_acceptable_value_exactly_as_the_library_does(value: Any):
    checked, plain = CheckedJSONTranscoder(), JSONTranscoder()
    assert checked.encode({"v": value}) == plain.encode({"v": value})


@pytest.mark.parametrize("bad", ["\x00", "\x1b", "\x7f", "\x85", "\ud800", "\uffff"])
def test_the_store_refuses_an_event_with_a_refused_character_whoever_sends_it(api: Api, bad: str):
    """A console command, the generator or a route added tomorrow without the types: the
    store's transcoder refuses the event, nothing is written, and the views keep folding."""
    ledger = api.ledger
    assert ledger is not None
    before = log_position(ledger)
    with pytest.raises(InvalidInput) as refused:
        ledger.registry.establish_unit(
            CONSOLE,
            code="T77",
            name=f"Tỉnh{bad}Lạ",
            level=UnitLevel.PROVINCE,
            unit_type="tinh",
            parent_id=None,
            valid_from=date(2008, 1, 1),
        )
    assert refused.value.details["field"] == "name"
    assert log_position(ledger) == before
    ids = registry(api)  # the next writes are folded: every view reaches the log's end
    position = log_position(ledger)
    api.get("admin", f"/standings?wait_for_position={position}")
    assert api.get("admin", f"/units/{ids['commune']}").json()["name"] == "Xã Hòa Bình"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/criteria-sets", '{"ma\\ud800": 1}'),
        ("/criteria-sets", '{"a": [{"b\\u0000": 1}]}'),
        ("/cases/{case}/self-assessment", '{"scores": {"\\ud800": 1}}'),
        ("/cases/{case}/review", '{"scores": {"1\\u001b[31m": 1}}'),
    ],
)
def test_an_error_that_names_a_hostile_key_still_answers_and_shows_it_harmlessly(
    everyone: tuple[Api, UUID], path: str, body: str
):
    """A problem that echoes what was sent writes each refused character as <U+XXXX> (or
    pydantic has replaced it): a lone surrogate cannot be UTF-8, and an escape sequence must
    not reach a terminal."""
    api, case_id = everyone
    headers = api.headers("every-role", **{"If-Match": '"1"', "Content-Type": "application/json"})
    url = path.format(case=case_id)
    response = api.client.post(url, content=body, headers=headers)
    assert response.status_code == 422, response.text
    assert refused_in(response.json()) is None


@pytest.mark.parametrize(
    "query",
    [
        "/standings?classification=a%00b",
        "/standings?cursor=%00",
        "/activity?actor_id=%C2%85",
        "/audit/reads?record_id=%00",
        "/audit/reads?kind=%1B",
    ],
)
def test_a_query_string_with_a_control_character_is_422_not_a_database_error(
    everyone: tuple[Api, UUID], query: str
):
    api, _ = everyone
    response = api.get("every-role", query, status=422)
    assert response.json()["errors"][0]["type"] == "refused_character"


# --- numbers: ASCII digits only, bounded ----------------------------------------------------

#: Digits of other scripts (Nd) and digit-like characters such as '²' (No), all of which
#: ``str.isdigit`` takes.
OTHER_DIGITS = st.characters(categories=("Nd", "No"), exclude_characters="0123456789")
ASCII_DIGITS = st.text("0123456789", max_size=3)


def on_the_wire(value: str) -> bytes:
    """A header as a client sends it: Latin-1 when it can be (so '²' arrives as '²'), else
    UTF-8 bytes (which the server reads as Latin-1)."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


@FEW
@given(
    version=st.one_of(
        st.builds(lambda a, d, b: a + d + b, ASCII_DIGITS, OTHER_DIGITS, ASCII_DIGITS),
        st.sampled_from(["²", "¹²", "1³"]),
        st.text("0123456789", min_size=19, max_size=6000),
    )
)
def test_if_match_with_other_digits_or_too_many_is_422_naming_the_header(api: Api, version: str):
    before = log_position(api.ledger)
    for header in (f'"{version}"', f'W/"{version}"', version):
        response = api.post(
            "admin",
            f"/tokens/{uuid.uuid4()}/revocation",
            {"reason": "Lộ mã"},
            headers=api.headers("admin") | {"If-Match": on_the_wire(header)},
        )
        assert response.status_code == 422, (header, response.text)
        assert response.json()["errors"]["header"] == "If-Match"
    assert log_position(api.ledger) == before


def test_if_match_in_ascii_digits_is_read_quoted_weak_or_bare(api: Api):
    token_id = api.post("admin", "/users/me/tokens", {}, status=201).json()["token_id"]
    path = f"/tokens/{token_id}/revocation"
    for stale in ('W/"7"', '"7"', "7", '"000000000000000007"', "999999999999999999"):
        headers = api.headers("admin", **{"If-Match": stale})
        api.post("admin", path, {"reason": "Lộ mã"}, headers=headers, status=412)
    headers = api.headers("admin", **{"If-Match": 'W/"1"'})
    api.post("admin", path, {"reason": "Lộ mã"}, headers=headers, status=200)


@pytest.mark.parametrize(
    "query",
    [
        "/standings?wait_for_position=%D9%A1%D9%A2",  # '١٢'
        "/standings?wait_for_position=%C2%B2",  # '²'
        "/standings?cycle_year=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96",  # '２０２６'
        "/audit/reads?after=" + "9" * 5000,
        "/activity?after=%E0%A5%A7",  # '१'
    ],
)
def test_a_number_in_a_query_string_takes_ascii_digits_only(everyone: tuple[Api, UUID], query: str):
    api, _ = everyone
    api.get("every-role", query, status=422)


#: A score written in ways ``Decimal()`` would read as a number: other digit scripts,
#: digit-like characters, grouping underscores, spaces, exponents.
UNPLAIN_SCORES = st.one_of(
    st.builds(lambda a, d, b: a + d + b, ASCII_DIGITS, OTHER_DIGITS, ASCII_DIGITS),
    st.sampled_from(["1_0", " 8", "8 ", "8\u00a0", "8e0", "+8", ".5", "8.", "0x8", "８", "8,5"]),
)


@FEW
@given(score=UNPLAIN_SCORES)
def test_a_score_sent_as_text_takes_plain_ascii_digits_only(everyone: tuple[Api, UUID], score: str):
    api, case_id = everyone
    before = log_position(api.ledger)
    scores = {str(code): "0" for code in range(1, 11)} | {"3": score}
    response = api.post(
        "every-role", f"/cases/{case_id}/self-assessment", {"scores": scores}, status=422
    )
    [error] = response.json()["errors"]
    assert (error["loc"], error["type"]) == (["body", "scores", "3"], "plain_number"), error
    assert log_position(api.ledger) == before


def test_a_score_sent_as_plain_text_or_as_a_number_is_read(everyone: tuple[Api, UUID]):
    api, case_id = everyone
    scores: dict[str, object] = {str(code): "0" for code in range(1, 11)}
    scores |= {"1": "8.5", "2": 7, "3": "-0"}
    api.post("lan", f"/cases/{case_id}/self-assessment", {"scores": scores}, status=200)
    indicators = api.get("lan", f"/cases/{case_id}").json()["indicators"]
    found = {i["code"]: i["self_score"] for i in indicators}
    assert found == {"1": "8.5", "2": "7"} | {str(code): "0" for code in range(3, 11)}


# --- CCCD ----------------------------------------------------------------------------------

#: The zero of every digit script Unicode has but ASCII (Arabic-Indic, Devanagari, fullwidth...).
ZEROS = [
    chr(c)
    for c in range(0x3A, 0x110000)
    if unicodedata.category(chr(c)) == "Nd" and unicodedata.digit(chr(c)) == 0
]


@FEW
@given(
    number=st.text("0123456789", min_size=12, max_size=12),
    zeros=st.lists(st.sampled_from(ZEROS), min_size=12, max_size=12),
    foreign=st.lists(st.booleans(), min_size=12, max_size=12),
)
def test_a_cccd_in_another_digit_script_is_refused_and_never_a_second_person(
    everyone: tuple[Api, UUID], number: str, zeros: list[str], foreign: list[bool]
):
    """A registered number written again with some digits of another script: 422 naming
    the CCCD, for registering and for looking up; nothing written."""
    api, case_id = everyone
    unit = api.get("admin", f"/cases/{case_id}").json()["unit_id"]
    body = {"cccd": number, "full_name": "Trần Văn Bình", "unit_id": unit}
    api.post("admin", "/persons", body)  # 201, or 409 when an earlier example drew it
    foreign[0] = foreign[0] or not any(foreign)
    spelt = "".join(
        chr(ord(zero) + int(d)) if other else d
        for d, zero, other in zip(number, zeros, foreign, strict=True)
    )
    before = log_position(api.ledger)
    for path in ("/persons", "/persons/lookup"):
        sent = body | {"cccd": spelt} if path == "/persons" else {"cccd": spelt}
        response = api.post("admin", path, sent, status=422)
        assert response.json()["errors"]["field"] == "cccd"
    assert log_position(api.ledger) == before


def test_a_cccd_still_reads_spaces_and_dots_between_ascii_digits(everyone: tuple[Api, UUID]):
    api, case_id = everyone
    unit = api.get("admin", f"/cases/{case_id}").json()["unit_id"]
    body = {"cccd": "001 090.000 123", "full_name": "Phạm Thị Lan", "unit_id": unit}
    assert api.post("admin", "/persons", body, status=409).json()["code"] == "version-conflict"


# --- person corrections ------------------------------------------------------------------


def correct(api: Api, person: UUID, changes: Any, status: int) -> Any:
    body = {"changes": changes, "reason": "Sai so với giấy khai sinh"}
    return api.post("admin", f"/persons/{person}/corrections", body, status=status).json()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"birth_date": "not-a-date"}, "birth_date"),
        ({"birth_date": "1899-12-31"}, "birth_date"),
        ({"birth_date": "2026-03-02"}, "birth_date"),  # tomorrow, on the tests' clock
        ({"birth_date": "0001-01-01"}, "birth_date"),
        ({"birth_date": "9999-12-31"}, "birth_date"),
        ({"full_name": "A" * 100_000}, "full_name"),
        ({"full_name": ""}, "full_name"),
        ({"full_name": None}, "full_name"),
        ({"gender": "n" * 33}, "gender"),
        ({"ethnicity": "Kinh\x00"}, "ethnicity"),
        ({"religion": "x" * 100_000}, "religion"),
        ({"nickname": "Bình"}, "nickname"),
        ({"cccd": "001090000999"}, "cccd"),
        ({"target_group": "can_bo"}, "target_group"),
        ("họ tên mới", "changes"),
    ],
)
def test_a_person_correction_with_a_bad_value_or_an_unknown_field_is_422_naming_it(
    api: Api, changes: Any, field: str
):
    person = registry(api)["person"]
    before = log_position(api.ledger)
    problem = correct(api, person, changes, 422)
    named = (
        [e.get("loc", [])[-1:] for e in problem["errors"]]
        if isinstance(problem["errors"], list)
        else [[problem["errors"].get("field")]]
    )
    assert [field] in named, problem
    assert log_position(api.ledger) == before


def test_a_person_correction_changes_only_the_fields_it_names(api: Api):
    ids = registry(api)
    correct(api, ids["person"], {"birth_date": "1990-12-01", "gender": None}, 200)
    details = api.get("admin", f"/persons/{ids['person']}").json()["details"]
    assert details["birth_date"] == "1990-12-01"
    assert details["gender"] is None
    assert details["full_name"] == "Phạm Thị Lan" and details["ethnicity"] == "Kinh"


# --- the console -------------------------------------------------------------------------


def test_a_console_command_refuses_a_control_character_in_one_plain_line(tmp_path: PathLib):
    var = tmp_path / "var"
    result = hoctap(var, "users", "create", "thanh\x1btra", "--role", "inspector")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Lỗi: username: có ký tự điều khiển"), lines
    criteria = json.loads((SEED / "criteria-cdht-can-bo.json").read_text(encoding="utf-8"))
    criteria["title"] += "\x00"
    broken = tmp_path / "bo-tieu-chi.json"
    broken.write_text(json.dumps(criteria), encoding="utf-8")
    result = hoctap(var, "criteria", "publish", str(broken))
    assert result.returncode == 1
    assert result.stderr.strip().startswith("Lỗi: bo-tieu-chi.json.title: có ký tự điều khiển")
