"""Rule documents as an administrator publishes them: each kind read by its own parser, the
content kept exactly as published, and a kind the ledger does not know refused."""

from __future__ import annotations

from datetime import date

import pytest

from domain.dates import DateOutOfRange
from domain.errors import InvalidInput
from domain.rules import (
    COMPLAINT_CLOCKS,
    PROGRAMME_TARGETS,
    REPORTING_STRUCTURES,
    RuleDocument,
    rule_document_id,
)
from tests.domain.helpers import ADMIN, names, recorded, refused, seed_content, when

SEEDS = {
    PROGRAMME_TARGETS: "targets-387-677.json",
    COMPLAINT_CLOCKS: "complaint-clocks-2011.json",
    REPORTING_STRUCTURES: "reporting-structures-2025.json",
}


def test_the_kinds_are_named_as_the_api_and_the_seed_name_them():
    assert (PROGRAMME_TARGETS, COMPLAINT_CLOCKS, REPORTING_STRUCTURES) == (
        "programme-targets",
        "complaint-clocks",
        "reporting-structures",
    )


@pytest.mark.parametrize("kind", SEEDS)
def test_publishing_records_the_kind_code_version_and_content_as_published(kind):
    content = seed_content(SEEDS[kind])
    document = when(ADMIN, RuleDocument.publish, kind, content, 3)
    [published] = recorded(document)
    assert names([published]) == ["Published"]
    assert (published.kind, published.code, published.version) == (kind, content["code"], 3)
    assert published.content == content
    assert published.originator_id == rule_document_id(kind, content["code"], 3)
    assert (document.kind, document.code, document.version_number) == (kind, content["code"], 3)
    assert document.content == content


def test_a_rule_document_s_id_is_a_known_answer():
    assert str(rule_document_id(PROGRAMME_TARGETS, "muc-tieu-chuong-trinh", 1)) == (
        "4fbe8342-76b1-5100-8ee5-2537670cf717"
    )
    assert rule_document_id(PROGRAMME_TARGETS, "a", 1) != rule_document_id(COMPLAINT_CLOCKS, "a", 1)
    assert rule_document_id(PROGRAMME_TARGETS, "a", 1) != rule_document_id(
        PROGRAMME_TARGETS, "b", 1
    )
    assert rule_document_id(PROGRAMME_TARGETS, "a", 1) != rule_document_id(
        PROGRAMME_TARGETS, "a", 2
    )


def test_the_content_kept_does_not_change_when_the_published_dictionary_does():
    content = seed_content(SEEDS[PROGRAMME_TARGETS])
    document = when(ADMIN, RuleDocument.publish, PROGRAMME_TARGETS, content, 1)
    content["targets"][0]["rate"] = 99
    content["code"] = "khac"
    assert document.content == seed_content(SEEDS[PROGRAMME_TARGETS])
    assert document.targets.targets[0].rate == 70


def test_each_kind_is_read_back_by_its_own_parser():
    targets = when(
        ADMIN, RuleDocument.publish, PROGRAMME_TARGETS, seed_content(SEEDS[PROGRAMME_TARGETS]), 1
    )
    clocks = when(
        ADMIN, RuleDocument.publish, COMPLAINT_CLOCKS, seed_content(SEEDS[COMPLAINT_CLOCKS]), 1
    )
    structures = when(
        ADMIN,
        RuleDocument.publish,
        REPORTING_STRUCTURES,
        seed_content(SEEDS[REPORTING_STRUCTURES]),
        1,
    )
    assert targets.targets.code == "muc-tieu-chuong-trinh"
    assert clocks.clocks.code == seed_content(SEEDS[COMPLAINT_CLOCKS])["code"]
    assert structures.structures.code == seed_content(SEEDS[REPORTING_STRUCTURES])["code"]


def test_a_kind_the_ledger_does_not_know_is_refused_naming_it():
    error = refused(
        InvalidInput,
        ADMIN,
        RuleDocument.publish,
        "muc-tieu",
        seed_content(SEEDS[PROGRAMME_TARGETS]),
        1,
        says="loại văn bản quy tắc không có: muc-tieu",
    )
    assert error.details == {"kind": "muc-tieu"}


@pytest.mark.parametrize("kind", [PROGRAMME_TARGETS, COMPLAINT_CLOCKS])
def test_a_document_taking_effect_before_2000_is_refused_as_out_of_range(kind):
    content = seed_content(SEEDS[kind]) | {"effective_from": "1999-12-31"}
    error = refused(DateOutOfRange, ADMIN, RuleDocument.publish, kind, content, 1)
    assert error.details["field"] == "effective_from"


def test_a_clock_holiday_outside_the_range_is_refused_naming_the_holiday():
    content = seed_content(SEEDS[COMPLAINT_CLOCKS])
    content["holidays"] = [*content.get("holidays", []), "2101-01-01"]
    error = refused(DateOutOfRange, ADMIN, RuleDocument.publish, COMPLAINT_CLOCKS, content, 1)
    assert error.details["field"] == "holidays.2101-01-01"
    assert date(2101, 1, 1).isoformat() in error.message
