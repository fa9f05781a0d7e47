"""What a refusal leaves behind: no evidence file, and no sign of records out of reach.

* An upload the case or the complaint refuses leaves no file (files are shared by content:
  one another record names stays).
* A CCCD look-up outside the caller's scope answers exactly as for a number never
  registered; a registration that collides names the existing person only to those who
  may read them.
"""

from __future__ import annotations

import base64
import uuid
from pathlib import Path

import pytest

from application.ledger import Ledger
from tests.api.helpers import Api
from tests.api.test_complaints import complain, refused_citizen
from tests.api.test_errors import officer_opens_a_citizen_case
from tests.api.test_scenario import registry, second_commune


def blob_files(ledger: Ledger) -> set[Path]:
    root = ledger.blobs.root
    return (
        {p for p in root.rglob("*") if p.is_file() and p.name != ".lock"}
        if root.exists()
        else set()
    )


def unique_pdf() -> bytes:
    return b"%PDF-1.4\n% " + uuid.uuid4().hex.encode()


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"indicators": "99"}, "unknown-indicator"),
        ({"indicators": "1", "issued_on": "2026-12-31"}, "date-out-of-order"),
    ],
)
def test_an_evidence_upload_the_case_refuses_leaves_no_file(
    api: Api, ledger: Ledger, form: dict[str, str], code: str
):
    _, case = officer_opens_a_citizen_case(api)
    before = blob_files(ledger)
    refused = api.upload("officer", case, unique_pdf(), **form)
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == code
    assert blob_files(ledger) == before


def test_a_refused_upload_of_a_file_another_record_names_leaves_that_file(api: Api, ledger: Ledger):
    _, case = officer_opens_a_citizen_case(api)
    content = unique_pdf()
    kept = api.upload("officer", case, content, "1")
    assert kept.status_code == 201, kept.text
    assert api.upload("officer", case, content, "99").status_code == 409
    read = api.client.get(kept.headers["location"], headers=api.headers("officer"))
    assert read.status_code == 200 and read.content == content


def test_a_complaint_refused_as_late_leaves_no_attachment(api: Api, ledger: Ledger):
    world = refused_citizen(api)
    before = blob_files(ledger)
    attachment = {"content_base64": base64.b64encode(unique_pdf()).decode(), "kind": "don"}
    late = complain(api, world, "2025-11-01", attachments=[attachment])
    assert late.status_code == 409, late.text
    assert late.json()["code"] == "step-too-late"
    assert blob_files(ledger) == before


# --- CCCD: outside the scope is the same as unknown ---------------------------------------


@pytest.fixture
def two_communes(api: Api) -> dict[str, uuid.UUID]:
    """Person 001090000123 lives in X01; staff and a citizen of X02 look from outside."""
    ids = registry(api)
    neighbour = second_commune(api, ids["province"])
    api.user("officer-x01", ["commune_officer"], unit_id=ids["commune"])
    api.user("officer-x02", ["commune_officer"], unit_id=neighbour)
    api.user("reviewer-x02", ["reviewer"], unit_id=neighbour)
    api.user("province", ["commune_officer"], unit_id=ids["province"])
    return ids | {"neighbour": neighbour}


def lookup(api: Api, who: str, cccd: str):  # type: ignore[no-untyped-def]
    return api.post(who, "/persons/lookup", {"cccd": cccd})


@pytest.mark.parametrize("outsider", ["officer-x02", "reviewer-x02"])
def test_a_cccd_outside_the_scope_looks_exactly_like_one_never_registered(
    api: Api, two_communes: dict[str, uuid.UUID], outsider: str
):
    registered = lookup(api, outsider, "001090000123")
    unknown = lookup(api, outsider, "001090000999")
    assert registered.status_code == unknown.status_code == 404
    assert registered.json() == unknown.json()
    assert lookup(api, "officer-x01", "001090000123").status_code == 200


def register(api: Api, who: str, unit: uuid.UUID):  # type: ignore[no-untyped-def]
    body = {"cccd": "001090000123", "full_name": "Người Trùng Số", "unit_id": str(unit)}
    return api.post(who, "/persons", body)


def test_a_colliding_registration_does_not_name_a_person_the_caller_cannot_reach(
    api: Api, two_communes: dict[str, uuid.UUID]
):
    outside = register(api, "officer-x02", two_communes["neighbour"])
    assert outside.status_code == 409, outside.text
    assert str(two_communes["person"]) not in outside.text


@pytest.mark.parametrize("insider", ["officer-x01", "province"])
def test_a_colliding_registration_names_the_person_to_those_who_may_read_them(
    api: Api, two_communes: dict[str, uuid.UUID], insider: str
):
    inside = register(api, insider, two_communes["commune"])
    assert inside.status_code == 409, inside.text
    assert inside.json()["errors"]["person_id"] == str(two_communes["person"])
