"""Reporting upward: compile a unit's statistics report, submit it, supersede it, verify it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID, uuid4

from application.adapters.read_models import ReadModels
from application.services.figures import figures_as_of, frozen_figures
from application.services.records import Recorded, Records, check_version
from application.services.scope import Scope, Scopes
from domain.base import CommandContext, acting
from domain.errors import InvalidInput, OutOfScope
from domain.reporting import StatisticsReport, figures_digest
from domain.structures import Structure, StructuresSpec
from domain.text import nfc


@dataclass(frozen=True)
class Reproduction:
    """A report's figures folded again from the log up to its cut-off."""

    report_id: UUID
    cut_off: int
    stored_digest: str
    recomputed_digest: str

    @property
    def matches(self) -> bool:
        return self.stored_digest == self.recomputed_digest


@dataclass(frozen=True)
class ReportingService:
    """Statistics reports: frozen figures, submitted upward, reproducible from the log."""

    records: Records
    scopes: Scopes
    #: The reporting structures in force (published rule data).
    structures: Callable[[], StructuresSpec]

    def compile_report(
        self,
        ctx: CommandContext,
        models: ReadModels,
        *,
        cycle_year: int,
        structure: str | None,
        model: str | None,
        unit_id: UUID | None,
    ) -> Recorded:
        """Freeze the unit's figures (nationwide ones with no unit) at a log position, rolled
        up under the structure named (None: the one in force today)."""
        with acting(ctx):
            self._reporting_scope(ctx, unit_id)
            structures = self.structures()
            chosen = (
                structures.named(structure)
                if structure
                else structures.in_force_on(self.records.today())
            )
            report = self._compile(models, cycle_year, chosen, model, unit_id, None)
            return self.records.save(report)

    def supersede_report(
        self,
        ctx: CommandContext,
        models: ReadModels,
        report_id: UUID,
        reason: str,
        expected_version: int | None = None,
    ) -> Recorded:
        """A corrected edition of a submitted report, with today's figures for the same unit,
        cycle, structure and title; the old edition names the new one."""
        with acting(ctx):
            previous = self.report_for(ctx, report_id, expected_version)
            if not reason.strip():
                raise InvalidInput("cần lý do thay thế báo cáo", field="reason")
            report = self._compile(
                models,
                previous.cycle_year,
                self._structure_of(previous),
                previous.model,
                previous.unit_id,
                previous,
            )
            previous.mark_superseded(report, nfc(reason))
            return self.records.save(report, previous)

    def _compile(
        self,
        models: ReadModels,
        cycle_year: int,
        structure: Structure,
        model: str | None,
        unit_id: UUID | None,
        previous: StatisticsReport | None,
    ) -> StatisticsReport:
        root = str(unit_id) if unit_id else None
        cut_off, figures = frozen_figures(models, cycle_year, structure, model, root)
        return StatisticsReport.compile(
            id=uuid4(),
            unit_id=unit_id,
            cycle_year=cycle_year,
            structure=structure.code,
            structure_day=structure.geography_day,
            model=model,
            cut_off=cut_off,
            figures=figures,
            supersedes=previous,
        )

    def _structure_of(self, report: StatisticsReport) -> Structure:
        """The structure a report rolled up under: its code, on the day it recorded (older
        reports recorded none: the published structure of that code)."""
        published = self.structures().named(report.structure)
        if report.structure_day is None:
            return published
        return replace(published, geography_day=report.structure_day)

    def submit_report(
        self,
        ctx: CommandContext,
        report_id: UUID,
        recipient: str,
        on: date | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        with acting(ctx):
            report = self.report_for(ctx, report_id, expected_version)
            report.submit(nfc(recipient), on or self.records.today())
            return self.records.save(report)

    def reproduce_report(
        self,
        ctx: CommandContext,
        models: ReadModels,
        report_id: UUID,
        progress: Callable[[int, int], None] | None = None,
    ) -> Reproduction:
        """Fold the log again up to the report's cut-off and compare the figures' digests."""
        report = self.report_for(ctx, report_id, reading=True)
        figures = figures_as_of(
            models.engine.source,
            report.cut_off,
            report.cycle_year,
            self._structure_of(report),
            report.model,
            str(report.unit_id) if report.unit_id else None,
            progress,
        )
        return Reproduction(report.id, report.cut_off, report.digest, figures_digest(figures))

    def report_for(
        self,
        ctx: CommandContext,
        report_id: UUID,
        expected_version: int | None = None,
        *,
        reading: bool = False,
        scope: Scope | None = None,
    ) -> StatisticsReport:
        """A report of the actor's unit or a unit below it (403 otherwise)."""
        report = self.records.get(StatisticsReport, report_id)
        scope = scope or self.scopes.scope(ctx)
        if not (
            scope.nationwide or (report.unit_id and self.scopes.reaches_unit(scope, report.unit_id))
        ):
            raise OutOfScope("báo cáo này nằm ngoài phạm vi của bạn", report_id=str(report_id))
        check_version(report, expected_version)
        return report

    def _reporting_scope(self, ctx: CommandContext, unit_id: UUID | None) -> Scope:
        if unit_id is None:
            return self.scopes.require_nationwide(ctx, "báo cáo toàn quốc")
        return self.scopes.require_unit(ctx, unit_id)
