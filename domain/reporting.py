"""Statistics reports sent upward: compiled at a log position, submitted once, never changed.

A report freezes the figures of one unit's statistics for a cycle (registered, assessed and
recognised per unit, rolled up under a declared structure) together with the log position
they were read at (the cut-off) and the SHA-256 of their canonical JSON. Anyone can later
fold the log up to that position again and compare digests: the figures are reproducible
from events as of the cut-off, whatever happened since.

Once submitted a report is immutable. A correction is a new report that supersedes it; the
old one stays readable and says by which one it was superseded.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any
from uuid import UUID

from domain.base import LedgerAggregate, LedgerCreated, aggregate_topic
from domain.errors import InvalidInput, RuleViolation


def figures_digest(figures: list[dict[str, Any]]) -> str:
    """SHA-256 of the figures as canonical JSON (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(figures, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@aggregate_topic("hoctap.StatisticsReport")
class StatisticsReport(LedgerAggregate):
    class Compiled(LedgerCreated):
        TOPIC = "hoctap.StatisticsReport.Compiled"
        unit_id: UUID | None
        cycle_year: int
        structure: str
        model: str | None
        cut_off: int
        figures: list[dict[str, Any]]
        digest: str
        supersedes_id: UUID | None
        edition: int
        #: The day whose unit tree the figures rolled up under (the structure's geography
        #: day when compiled); None in reports compiled before structures were published data.
        structure_day: date | None = None

    class Submitted(LedgerAggregate.Event):
        TOPIC = "hoctap.StatisticsReport.Submitted"
        recipient: str
        submitted_on: date

        def apply(self, report: StatisticsReport) -> None:
            report.submitted = (self.recipient, self.submitted_on)

    class Superseded(LedgerAggregate.Event):
        TOPIC = "hoctap.StatisticsReport.Superseded"
        by_id: UUID

        def apply(self, report: StatisticsReport) -> None:
            report.superseded_by = self.by_id

    def __init__(
        self,
        unit_id: UUID | None,
        cycle_year: int,
        structure: str,
        model: str | None,
        cut_off: int,
        figures: list[dict[str, Any]],
        digest: str,
        supersedes_id: UUID | None,
        edition: int,
        structure_day: date | None = None,
    ) -> None:
        self.unit_id = unit_id
        self.cycle_year = cycle_year
        self.structure = structure
        self.model = model
        self.cut_off = cut_off
        self.figures = figures
        self.digest = digest
        self.supersedes_id = supersedes_id
        self.edition = edition
        self.structure_day = structure_day
        self.submitted: tuple[str, date] | None = None
        self.superseded_by: UUID | None = None

    @classmethod
    def compile(
        cls,
        *,
        id: UUID,
        unit_id: UUID | None,
        cycle_year: int,
        structure: str,
        model: str | None,
        cut_off: int,
        figures: list[dict[str, Any]],
        supersedes: StatisticsReport | None = None,
        structure_day: date | None = None,
    ) -> StatisticsReport:
        """Freeze figures read at ``cut_off``; with ``supersedes``, as its next edition
        (same unit, cycle, structure and title; the earlier one must have been submitted)."""
        if cut_off < 0:
            raise InvalidInput("vị trí chốt số liệu không hợp lệ", cut_off=cut_off)
        if supersedes is not None:
            supersedes.check_supersedable_by(unit_id, cycle_year, structure, model)
        return cls._create(
            cls.Compiled,
            id=id,
            unit_id=unit_id,
            cycle_year=cycle_year,
            structure=structure,
            model=model,
            cut_off=cut_off,
            figures=figures,
            digest=figures_digest(figures),
            supersedes_id=supersedes.id if supersedes else None,
            edition=supersedes.edition + 1 if supersedes else 1,
            structure_day=structure_day,
        )

    def submit(self, recipient: str, on: date) -> None:
        if self.submitted is not None:
            raise RuleViolation(
                "báo cáo đã gửi thì không gửi lại: lập bản thay thế", report_id=str(self.id)
            )
        if self.superseded_by is not None:
            raise RuleViolation("báo cáo đã bị thay thế", report_id=str(self.id))
        if not recipient.strip():
            raise InvalidInput("cần nơi nhận", field="recipient")
        self.trigger_event(self.Submitted, recipient=recipient, submitted_on=on, effective_date=on)

    def check_supersedable_by(
        self, unit_id: UUID | None, cycle_year: int, structure: str, model: str | None
    ) -> None:
        if self.submitted is None:
            raise RuleViolation(
                "chỉ thay thế báo cáo đã gửi; báo cáo chưa gửi thì lập lại", report_id=str(self.id)
            )
        if self.superseded_by is not None:
            raise RuleViolation(
                "báo cáo này đã có bản thay thế", report_id=str(self.id), by=str(self.superseded_by)
            )
        if (self.unit_id, self.cycle_year, self.structure, self.model) != (
            unit_id,
            cycle_year,
            structure,
            model,
        ):
            raise InvalidInput(
                "bản thay thế phải cùng đơn vị, năm, cấu trúc và danh hiệu",
                report_id=str(self.id),
            )

    def mark_superseded(self, by: StatisticsReport, reason: str) -> None:
        """Record the new edition on the old one (saved together with the new one)."""
        self.check_supersedable_by(by.unit_id, by.cycle_year, by.structure, by.model)
        self.trigger_event(self.Superseded, by_id=by.id, reason=reason)
