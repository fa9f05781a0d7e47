"""Statistics reports: frozen at a cut-off, submitted once, corrected only by a new edition."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

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
