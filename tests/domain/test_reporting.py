"""Statistics reports: frozen at a cut-off, submitted once, corrected only by a new edition."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.base import acting
from domain.errors import InvalidInput, RuleViolation
from domain.glossary import Role
from domain.reporting import StatisticsReport, figures_digest
from tests.domain.helpers import Actor, names, recorded, refused, when

REPORTER = Actor("u-reporter", Role.REPORTING_OFFICER)
COMMUNE = UUID("00000000-0000-0000-0000-0000000000c1")
FIGURES: list[dict[str, Any]] = [{"unit_id": str(COMMUNE), "registered": 12, "recognised": 9}]


def compiled(
    figures: list[dict[str, Any]] = FIGURES, supersedes: StatisticsReport | None = None
) -> StatisticsReport:
    with acting(REPORTER.context("given-report")):
        report = StatisticsReport.compile(
            id=uuid4(),
            unit_id=COMMUNE,
            cycle_year=2026,
            structure="two_level",
            model=None,
            cut_off=140,
            figures=figures,
            supersedes=supersedes,
        )
    report.collect_events()
    return report


def submitted(report: StatisticsReport) -> StatisticsReport:
    with acting(REPORTER.context("given-submission")):
        report.submit("UBND tỉnh", date(2026, 12, 20))
    report.collect_events()
    return report


def test_a_compiled_report_freezes_its_figures_cut_off_and_their_digest():
    report = when(
        REPORTER,
        StatisticsReport.compile,
        id=uuid4(),
        unit_id=COMMUNE,
        cycle_year=2026,
        structure="two_level",
        model="cong_dan_hoc_tap",
        cut_off=140,
        figures=FIGURES,
    )
    [event] = recorded(report)
    assert names([event]) == ["Compiled"]
    assert (event.cut_off, event.figures, event.edition) == (140, FIGURES, 1)
    assert event.digest == figures_digest(FIGURES)
    assert figures_digest([{"recognised": 9, "registered": 12, "unit_id": str(COMMUNE)}]) == (
        event.digest
    )  # key order does not matter; values do
    assert figures_digest([{**FIGURES[0], "recognised": 8}]) != event.digest


def test_a_submitted_report_is_not_submitted_again():
    report = submitted(compiled())
    refused(
        RuleViolation,
        REPORTER,
        report.submit,
        "UBND tỉnh",
        date(2026, 12, 21),
        untouched=[report],
        says="báo cáo đã gửi thì không gửi lại: lập bản thay thế",
    )


def test_a_correction_is_a_new_edition_that_the_old_report_names():
    old = submitted(compiled())
    corrected = [{**FIGURES[0], "recognised": 10}]

    new = when(
        REPORTER, StatisticsReport.compile, **_same_as(old), figures=corrected, supersedes=old
    )
    when(REPORTER, old.mark_superseded, new, "Bổ sung hồ sơ công nhận muộn")

    [compiled_event] = recorded(new)
    [superseded_event] = recorded(old)
    assert (compiled_event.edition, compiled_event.supersedes_id) == (2, old.id)
    assert (superseded_event.by_id, superseded_event.reason) == (
        new.id,
        "Bổ sung hồ sơ công nhận muộn",
    )
    assert old.figures == FIGURES  # the first edition stays as it was sent


def test_only_a_submitted_report_of_the_same_scope_is_superseded_and_only_once():
    draft = compiled()
    refused(
        RuleViolation,
        REPORTER,
        StatisticsReport.compile,
        **_same_as(draft),
        figures=FIGURES,
        supersedes=draft,
    )
    sent = submitted(compiled())
    other_year = _same_as(sent) | {"cycle_year": 2025}
    refused(
        InvalidInput,
        REPORTER,
        StatisticsReport.compile,
        **other_year,
        figures=FIGURES,
        supersedes=sent,
    )
    second = compiled(supersedes=sent)
    with acting(REPORTER.context("given-supersession")):
        sent.mark_superseded(second, "Sửa số liệu")
    sent.collect_events()
    refused(
        RuleViolation,
        REPORTER,
        StatisticsReport.compile,
        **_same_as(sent),
        figures=FIGURES,
        supersedes=sent,
    )


def _same_as(report: StatisticsReport) -> dict[str, Any]:
    return {
        "id": uuid4(),
        "unit_id": report.unit_id,
        "cycle_year": report.cycle_year,
        "structure": report.structure,
        "model": report.model,
        "cut_off": 150,
    }


# --- what a report records -------------------------------------------------------------------

DAY = date(2026, 12, 1)


def test_a_compiled_report_records_every_field_of_its_scope():
    report_id = uuid4()
    report = when(
        REPORTER,
        StatisticsReport.compile,
        id=report_id,
        unit_id=COMMUNE,
        cycle_year=2026,
        structure="two_level",
        model="gia_dinh_hoc_tap",
        cut_off=0,
        figures=FIGURES,
        structure_day=DAY,
    )
    [event] = recorded(report)
    assert (event.originator_id, event.unit_id, event.cycle_year) == (report_id, COMMUNE, 2026)
    assert (event.structure, event.model, event.structure_day) == (
        "two_level",
        "gia_dinh_hoc_tap",
        DAY,
    )
    assert (event.cut_off, event.supersedes_id, event.edition) == (0, None, 1)
    assert (report.unit_id, report.cycle_year, report.structure, report.model) == (
        COMMUNE,
        2026,
        "two_level",
        "gia_dinh_hoc_tap",
    )
    assert (report.cut_off, report.figures, report.digest) == (0, FIGURES, event.digest)
    assert (report.supersedes_id, report.edition, report.structure_day) == (None, 1, DAY)
    assert (report.submitted, report.superseded_by) == (None, None)


def test_the_digest_is_sha256_of_the_figures_as_canonical_utf8_json():
    figures = [{"đơn_vị": "Xã Ân Thi", "b": 1, "a": [1, 2]}]
    canonical = '[{"a":[1,2],"b":1,"đơn_vị":"Xã Ân Thi"}]'.encode()
    assert figures_digest(figures) == hashlib.sha256(canonical).hexdigest()
    assert figures_digest(figures) == (
        "f8e5118667df3a48965c059cfeb3fb851896f2893df77a742f82c813d588cbf7"
    )


def test_a_negative_cut_off_is_refused():
    error = refused(
        InvalidInput,
        REPORTER,
        StatisticsReport.compile,
        id=uuid4(),
        unit_id=COMMUNE,
        cycle_year=2026,
        structure="two_level",
        model=None,
        cut_off=-1,
        figures=FIGURES,
        says="vị trí chốt số liệu không hợp lệ",
    )
    assert error.details == {"cut_off": -1}


def test_submitting_records_the_recipient_and_the_day_it_took_effect():
    report = compiled()
    when(REPORTER, report.submit, "UBND tỉnh Hưng Yên", date(2026, 12, 20))
    [event] = recorded(report)
    assert names([event]) == ["Submitted"]
    assert (event.recipient, event.submitted_on, event.effective_date) == (
        "UBND tỉnh Hưng Yên",
        date(2026, 12, 20),
        date(2026, 12, 20),
    )
    assert report.submitted == ("UBND tỉnh Hưng Yên", date(2026, 12, 20))


def test_a_report_is_not_submitted_to_nobody():
    report = compiled()
    error = refused(
        InvalidInput,
        REPORTER,
        report.submit,
        "  ",
        date(2026, 12, 20),
        untouched=[report],
        says="cần nơi nhận",
    )
    assert error.details == {"field": "recipient"}


def test_a_draft_is_not_superseded_but_compiled_again():
    draft = compiled()
    error = refused(
        RuleViolation,
        REPORTER,
        StatisticsReport.compile,
        **_same_as(draft),
        figures=FIGURES,
        supersedes=draft,
        says="chỉ thay thế báo cáo đã gửi; báo cáo chưa gửi thì lập lại",
    )
    assert error.details == {"report_id": str(draft.id)}


def test_a_report_already_superseded_is_not_superseded_again():
    sent = submitted(compiled())
    second = compiled(supersedes=sent)
    with acting(REPORTER.context("given-supersession")):
        sent.mark_superseded(second, "Sửa số liệu")
    sent.collect_events()
    assert sent.superseded_by == second.id
    error = refused(
        RuleViolation,
        REPORTER,
        sent.mark_superseded,
        compiled(supersedes=submitted(compiled())),
        "Sửa lần nữa",
        untouched=[sent],
        says="báo cáo này đã có bản thay thế",
    )
    assert error.details == {"report_id": str(sent.id), "by": str(second.id)}


OTHER_SCOPE = {
    "unit": {"unit_id": UUID("00000000-0000-0000-0000-0000000000c2")},
    "year": {"cycle_year": 2025},
    "structure": {"structure": "three_level"},
    "title": {"model": "cong_dan_hoc_tap"},
}


@pytest.mark.parametrize("other", OTHER_SCOPE.values(), ids=OTHER_SCOPE.keys())
def test_a_correction_of_another_scope_is_refused(other):
    sent = submitted(compiled())
    error = refused(
        InvalidInput,
        REPORTER,
        StatisticsReport.compile,
        **_same_as(sent) | other,
        figures=FIGURES,
        supersedes=sent,
        untouched=[sent],
        says="bản thay thế phải cùng đơn vị, năm, cấu trúc và danh hiệu",
    )
    assert error.details == {"report_id": str(sent.id)}


def test_each_correction_is_the_next_edition():
    first = submitted(compiled())
    second = submitted(compiled(supersedes=first))
    third = compiled(supersedes=second)
    assert (first.edition, second.edition, third.edition) == (1, 2, 3)
    assert third.supersedes_id == second.id


def test_a_second_submission_is_refused_naming_the_report():
    report = submitted(compiled())
    error = refused(RuleViolation, REPORTER, report.submit, "UBND tỉnh", date(2026, 12, 21))
    assert error.details == {"report_id": str(report.id)}


def test_a_report_of_one_title_is_superseded_by_a_correction_of_the_same_title():
    scope = _same_as(compiled()) | {"model": "gia_dinh_hoc_tap"}
    with acting(REPORTER.context("given-report")):
        old = StatisticsReport.compile(**scope, figures=FIGURES)
    submitted(old)
    new = when(
        REPORTER,
        StatisticsReport.compile,
        **scope | {"id": uuid4()},
        figures=FIGURES,
        supersedes=old,
    )
    when(REPORTER, old.mark_superseded, new, "Sửa số liệu")
    [superseded] = recorded(old)
    assert (superseded.by_id, old.superseded_by) == (new.id, new.id)
