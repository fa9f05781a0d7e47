"""Evaluate scores against a criteria set: the one function behind decisions, explanations
and appeals, so that they can never disagree.

Pure: no clock, no storage. Every threshold verdict is itemised with what was expected and
what was found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from domain.criteria import Band, CriteriaSpec, Indicator, Level, ThresholdRules
from domain.glossary import IndicatorKind


@dataclass(frozen=True)
class Check:
    """One threshold rule applied to one set of scores."""

    rule: str  # min_total | indicator_floor | mandatory | band | all_scored | level
    passed: bool
    expected: str
    found: str
    indicator: str | None = None
    #: Explains without deciding: a level above the one met is no failure of the set.
    informative: bool = False


@dataclass(frozen=True)
class Verdict:
    total: Decimal
    max_total: Decimal
    band: Band | None
    checks: tuple[Check, ...]
    level: Level | None = None  # the highest level met, in a set with levels
    levelled: bool = False  # the set has levels: the shape then says which one was met

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks if not c.informative)

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed and not c.informative)

    def as_dict(self) -> dict[str, object]:
        shape = self._as_dict()
        if self.levelled:
            shape["level"] = self.level.number if self.level else None
            shape["level_label"] = self.level.label if self.level else None
        return shape

    def _as_dict(self) -> dict[str, object]:
        return {
            "total": str(self.total),
            "max_total": str(self.max_total),
            "passed": self.passed,
            "classification": self.band.code if self.band else None,
            "classification_label": self.band.label if self.band else None,
            "checks": [
                {
                    "rule": c.rule,
                    "indicator": c.indicator,
                    "passed": c.passed,
                    "expected": c.expected,
                    "found": c.found,
                }
                for c in self.checks
            ],
        }


def total_of(spec: CriteriaSpec, scores: Mapping[str, Decimal]) -> Decimal:
    """Totals are computed from indicator scores, never typed in (shares are no points)."""
    return sum(
        (
            scores.get(i.code, Decimal(0))
            for i in spec.indicators
            if i.kind is not IndicatorKind.SHARE
        ),
        Decimal(0),
    )


def level_met(level: Level, scores: Mapping[str, Decimal]) -> bool:
    return all(scores.get(code, Decimal(-1)) >= m for code, m in level.minimums.items())


def _level_checks(spec: CriteriaSpec, scores: Mapping[str, Decimal]) -> list[Check]:
    """One check per level (itemised: each target and what was found) and one for the set:
    a set with levels is passed when at least its first level is met."""
    checks = []
    for level in spec.rules.levels:
        expected = "; ".join(f"{c} >= {m}" for c, m in level.minimums.items())
        found = "; ".join(f"{c} = {scores.get(c, '-')}" for c in level.minimums)
        checks.append(
            Check(
                f"level_{level.number}",
                level_met(level, scores),
                expected,
                found,
                informative=True,
            )
        )
    return checks


def classify(spec: CriteriaSpec, total: Decimal) -> Band | None:
    return next((b for b in spec.rules.bands if total >= b.min_total), None)


def _floor(rules: ThresholdRules, indicator: Indicator) -> Decimal | None:
    """The least score an indicator must reach: points under the set's floor or its own; a
    computed share only under a floor of its own (a percentage: the set-wide floor is in
    points, not per cent); a target under none (it is met or not)."""
    if indicator.kind is IndicatorKind.POINTS:
        return rules.indicator_floors.get(indicator.code, rules.indicator_floor)
    if indicator.kind is IndicatorKind.SHARE:
        return rules.indicator_floors.get(indicator.code)
    return None


def evaluate(spec: CriteriaSpec, scores: Mapping[str, Decimal]) -> Verdict:
    """Apply every threshold rule of ``spec`` to ``scores`` (indicator code -> score)."""
    rules = spec.rules
    total = total_of(spec, scores)
    checks: list[Check] = []
    unscored = [i.code for i in spec.indicators if i.code not in scores]
    checks.append(
        Check("all_scored", not unscored, "mọi chỉ số đều được chấm", ", ".join(unscored) or "đủ")
    )
    if rules.min_total is not None:
        checks.append(
            Check("min_total", total >= rules.min_total, f">= {rules.min_total}", str(total))
        )
    for indicator in spec.indicators:
        score = scores.get(indicator.code, Decimal(0))
        floor = _floor(rules, indicator)
        if floor is not None:
            checks.append(
                Check("indicator_floor", score >= floor, f">= {floor}", str(score), indicator.code)
            )
        if indicator.code in rules.mandatory:
            checks.append(Check("mandatory", score > 0, "> 0", str(score), indicator.code))
    band = classify(spec, total)
    level: Level | None = None
    if rules.levels:
        level_checks = _level_checks(spec, scores)
        met = [lv for lv, c in zip(rules.levels, level_checks, strict=True) if c.passed]
        level = met[-1] if met else None
        checks.append(
            Check(
                "level",
                level is not None,
                f">= {rules.levels[0].label}",
                level.label if level else "-",
            )
        )
        checks.extend(level_checks)
    if rules.recognised_bands:
        checks.append(
            Check(
                "band",
                band is not None and band.code in rules.recognised_bands,
                " | ".join(rules.recognised_bands),
                band.code if band else "-",
            )
        )
    return Verdict(
        total=total,
        max_total=spec.max_total,
        band=band,
        checks=tuple(checks),
        level=level,
        levelled=bool(rules.levels),
    )
