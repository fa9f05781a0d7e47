"""The Import aggregate: who imported which file where, which rows it accepted, and that a
completed import takes no more rows."""

from __future__ import annotations

import pytest

from domain.base import ledger_id
from domain.errors import RuleViolation
from domain.imports import (
    PERSONS,
    Import,
    SheetKind,
    clan_id_for,
    household_id_for,
    import_id_for,
    template_of,
)
from tests.domain.helpers import OFFICER, names, recorded, refused, when

COMMUNE = ledger_id("administrative-unit", "XA1")
DIGEST = "ab" * 32


def started() -> Import:
    record = when(
        OFFICER, Import.start, unit_id=COMMUNE, digest=DIGEST, row_count=4, template="households"
    )
    recorded(record)
    return record


def test_an_import_is_named_by_its_commune_and_file_and_says_who_started_it() -> None:
    record = when(
        OFFICER, Import.start, unit_id=COMMUNE, digest=DIGEST, row_count=4, template="households"
    )

    (event,) = recorded(record)
    assert record.id == import_id_for(COMMUNE, DIGEST)
    assert (event.actor_id, event.digest, event.row_count) == ("u-officer", DIGEST, 4)


def test_the_same_file_in_another_commune_is_another_import() -> None:
    other = ledger_id("administrative-unit", "XA2")

    assert import_id_for(COMMUNE, DIGEST) != import_id_for(other, DIGEST)


def test_accepted_rows_are_recorded_per_sheet_and_counted_on_completion() -> None:
    record = started()

    when(OFFICER, record.accept_rows, SheetKind.HOUSEHOLDS, [2], 1)
    when(OFFICER, record.accept_rows, SheetKind.PERSONS, [2, 3], 2)
    when(OFFICER, record.accept_rows, SheetKind.PERSONS, [], 0)  # nothing new: no event
    when(OFFICER, record.complete, unchanged=1)

    events = recorded(record)
    assert names(events) == ["RowsAccepted", "RowsAccepted", "Completed"]
    assert (events[2].accepted, events[2].unchanged) == (3, 1)
    assert record.accepted == {"households": {2}, "persons": {2, 3}} and record.completed


def test_a_completed_import_accepts_no_more_rows() -> None:
    record = started()
    when(OFFICER, record.complete, unchanged=4)
    recorded(record)

    refused(
        RuleViolation,
        OFFICER,
        record.accept_rows,
        SheetKind.PERSONS,
        [5],
        1,
        untouched=[record],
        says="lần nhập này đã hoàn tất",
    )


def test_a_household_code_names_the_same_household_whatever_its_case() -> None:
    village = ledger_id("administrative-unit", "XA1-T01")

    assert household_id_for(village, "h001") == household_id_for(village, "H001")
    assert household_id_for(village, "H001") != household_id_for(COMMUNE, "H001")


@pytest.mark.parametrize(
    ("present", "template"),
    [
        ({SheetKind.HOUSEHOLDS, SheetKind.PERSONS}, "households"),
        ({SheetKind.HOUSEHOLDS}, "households"),
        ({SheetKind.PERSONS}, "persons"),
        ({SheetKind.REGISTRATIONS}, "registrations"),
        ({SheetKind.PERSONS, SheetKind.REGISTRATIONS}, "persons+registrations"),
        ({SheetKind.HOUSEHOLDS, SheetKind.REGISTRATIONS}, "households+registrations"),
    ],
)
def test_an_import_records_the_template_that_holds_the_sheets_it_read(present, template):
    assert template_of(present) == template


VILLAGE = ledger_id("administrative-unit", "XA1-T01")


def test_the_ids_of_an_import_an_imported_household_and_clan_are_known_answers() -> None:
    assert (
        str(import_id_for(COMMUNE, DIGEST)),
        str(household_id_for(VILLAGE, "H001")),
        str(clan_id_for(VILLAGE, "Dòng họ Nguyễn")),
    ) == (
        "05edfe0f-c82c-503a-8991-8d9181fdda1b",
        "cfe332c9-f8bf-5c4f-9fb9-43a1fa387196",
        "71e4c8c5-5cf2-5543-ba48-9d2f0d26434a",
    )


def test_a_clan_named_with_other_case_or_spacing_is_the_same_clan() -> None:
    assert clan_id_for(VILLAGE, "  dòng HỌ   Nguyễn ") == clan_id_for(VILLAGE, "Dòng họ Nguyễn")
    assert clan_id_for(VILLAGE, "Dòng họ Trần") != clan_id_for(VILLAGE, "Dòng họ Nguyễn")


def test_a_started_import_records_its_commune_file_size_and_template() -> None:
    record = when(
        OFFICER, Import.start, unit_id=COMMUNE, digest=DIGEST, row_count=4, template="households"
    )
    (event,) = recorded(record)
    assert (event.unit_id, event.template) == (COMMUNE, "households")
    assert (record.unit_id, record.digest, record.row_count, record.template) == (
        COMMUNE,
        DIGEST,
        4,
        "households",
    )
    assert (record.accepted, record.completed) == ({}, False)


def test_a_batch_records_its_sheet_rows_and_how_many_records_it_created() -> None:
    record = started()
    when(OFFICER, record.accept_rows, SheetKind.PERSONS, [2, 3], 5)
    (event,) = recorded(record)
    assert (event.sheet, event.rows, event.created) == ("persons", [2, 3], 5)


def test_a_completed_import_is_not_completed_again_and_the_refusal_names_it() -> None:
    record = started()
    when(OFFICER, record.complete, unchanged=4)
    recorded(record)
    error = refused(RuleViolation, OFFICER, record.complete, 0, untouched=[record])
    assert error.details == {"import_id": str(record.id)}


def test_a_sheet_s_column_is_found_by_its_key() -> None:
    assert PERSONS.column("cccd").header == "Số CCCD"
    assert PERSONS.column("household_code").required is False
