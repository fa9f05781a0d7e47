"""Scores that pass or fail a criteria set for a realistic reason, and the evidence behind them.

Scores are made for the pinned set and checked with :func:`domain.evaluate.evaluate`, the same
function the council and the decision use, so a case meant to pass does pass. Evidence files
are the documents an issuer gives many applicants (a village chapter's confirmation list, a
learning centre's attendance sheet): one small PDF-like file per issuer, kind and year, stored
content-addressed in the blob store once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from application.adapters.blobs import BlobStore
from application.adapters.media import sniff
from application.clients.generator.plan import CasePlan
from domain.criteria import CriteriaSpec
from domain.evaluation import evaluate
from domain.glossary import IndicatorKind, TitleModel

HALF = Decimal("0.5")
#: (first day, days) within which the documents of a cycle are issued: before any case opens.
DOCUMENTS_ISSUED = {
    2024: (date(2024, 11, 1), 50),
    2025: (date(2025, 10, 1), 55),
    2026: (date(2026, 6, 1), 55),
}


def _tidy(score: Decimal) -> Decimal:
    """Whole scores without a trailing ".0", as a person would write them."""
    return score.quantize(Decimal(1)) if score == score.to_integral_value() else score


def _half_points(value: float, maximum: Decimal) -> Decimal:
    """``value`` to the nearest half point, at most ``maximum``."""
    return min(maximum, _tidy(Decimal(round(value * 2)) / 2))


def passing_scores(spec: CriteriaSpec, rng: random.Random) -> dict[str, Decimal]:
    scores = {
        i.code: Decimal(1)
        if i.kind is IndicatorKind.TARGET
        else _half_points(float(i.max_points) * rng.uniform(0.76, 1.0), i.max_points)
        for i in spec.indicators
    }
    points = [i for i in spec.indicators if i.kind is IndicatorKind.POINTS]
    while not evaluate(spec, scores).passed:
        room = [i for i in points if scores[i.code] < i.max_points]
        lowest = min(room, key=lambda i: scores[i.code] / i.max_points)
        scores[lowest.code] = _tidy(scores[lowest.code] + HALF)
    return scores


def failing_scores(
    spec: CriteriaSpec, rng: random.Random, *, near_miss: bool = False
) -> dict[str, Decimal]:
    """A near miss the set allows (one indicator under its floor, a mandatory target unmet, a
    total just short) or a clearly weak dossier; only a near miss with ``near_miss`` (the
    dossiers a complaint can turn round)."""
    points = [i for i in spec.indicators if i.kind is IndicatorKind.POINTS]
    rules = spec.rules
    floored = [i for i in points if rules.indicator_floors.get(i.code, rules.indicator_floor)]
    modes = ["weak"]
    modes += ["floor", "floor"] if floored else []
    modes += ["mandatory"] if rules.mandatory else []
    modes += ["short", "short"] if rules.min_total is not None else []
    if near_miss and len(modes) > 1:
        modes.remove("weak")
    while True:
        mode = rng.choice(modes)
        if mode == "weak":
            return {
                i.code: Decimal(0)
                if i.kind is IndicatorKind.TARGET
                else _half_points(float(i.max_points) * rng.uniform(0.2, 0.45), i.max_points)
                for i in spec.indicators
            }
        scores = passing_scores(spec, rng)
        if mode == "floor":
            indicator = rng.choice(floored)
            floor = rules.indicator_floors.get(indicator.code, rules.indicator_floor) or HALF
            scores[indicator.code] = _tidy(max(Decimal(0), floor - rng.choice((HALF, 1, 2))))
        elif mode == "mandatory":
            scores[rng.choice(rules.mandatory)] = Decimal(0)
        else:
            for i in points:
                scores[i.code] = _half_points(
                    float(i.max_points) * rng.uniform(0.5, 0.8), i.max_points
                )
        if not evaluate(spec, scores).passed:
            return scores


def appeal_revision(spec: CriteriaSpec, scores: dict[str, Decimal]) -> dict[str, Decimal]:
    """The fewest changes that make ``scores`` pass: what a reviewer corrects when a complaint
    shows evidence was overlooked (a target met, an indicator under its floor, a short total).

    Returns only the indicators that change, with their new scores.
    """
    revised = dict(scores)
    rules = spec.rules
    for code in rules.mandatory:
        if revised.get(code, Decimal(0)) <= 0:
            indicator = spec.indicator(code)
            revised[code] = (
                Decimal(1) if indicator is None else min(Decimal(1), indicator.max_points)
            )
    points = [i for i in spec.indicators if i.kind is IndicatorKind.POINTS]
    for indicator in points:
        floor = rules.indicator_floors.get(indicator.code, rules.indicator_floor)
        if floor is not None and revised[indicator.code] < floor:
            revised[indicator.code] = _tidy(floor)
    while not evaluate(spec, revised).passed:
        room = [i for i in points if revised[i.code] < i.max_points]
        if not room:
            break
        lowest = min(room, key=lambda i: revised[i.code] / i.max_points)
        revised[lowest.code] = _tidy(revised[lowest.code] + HALF)
    return {code: score for code, score in revised.items() if score != scores.get(code)}


def self_scores(
    spec: CriteriaSpec, reviewed: dict[str, Decimal], rng: random.Random
) -> dict[str, Decimal]:
    """Applicants often score themselves a little higher than the reviewer does."""
    scores = dict(reviewed)
    if rng.random() < 0.35:
        points = [i for i in spec.indicators if i.kind is IndicatorKind.POINTS]
        for indicator in rng.sample(points, min(2, len(points))):
            raised = scores[indicator.code] + rng.choice((HALF, Decimal(1)))
            scores[indicator.code] = min(indicator.max_points, _tidy(raised))
    return scores


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    kind: str
    issuer: str
    indicators: tuple[str, ...]
    digest: str
    size: int
    media_type: str
    issued_on: date


#: Who issues the evidence for each criterion of a model, in the order of its criteria.
_ISSUERS: dict[TitleModel, tuple[tuple[str, str], ...]] = {
    TitleModel.LEARNING_CITIZEN: (
        ("giay_xac_nhan", "Chi hội Khuyến học {village}"),
        ("danh_sach_diem_danh", "Trung tâm học tập cộng đồng {commune}"),
        ("giay_xac_nhan", "{employer}"),
    ),
    TitleModel.LEARNING_FAMILY: (
        ("giay_xac_nhan", "Trường Tiểu học {commune}"),
        ("danh_sach", "Chi hội Khuyến học {village}"),
        ("giay_xac_nhan", "Trưởng {village}"),
    ),
    TitleModel.LEARNING_UNIT: (("bao_cao_tu_danh_gia", "{employer}"),),
}
#: Models whose evidence is one document for every criterion (a unit's self-assessment report).
_ONE_DOCUMENT = {TitleModel.LEARNING_UNIT}


class EvidenceFiles:
    """The documents behind each case; each distinct file is written to the blob store once."""

    def __init__(self, blobs: BlobStore, rng: random.Random) -> None:
        self.blobs, self.rng = blobs, rng
        self._files: dict[tuple[str, str, int, tuple[str, ...]], EvidenceFile] = {}

    @property
    def count(self) -> int:
        return len(self._files)

    def for_case(self, plan: CasePlan, spec: CriteriaSpec) -> list[EvidenceFile]:
        """One file per criterion whose indicators need evidence (one report for a unit)."""
        by_criterion: dict[str, list[str]] = {}
        for indicator in spec.indicators:
            if indicator.evidence_required:
                key = "" if plan.model in _ONE_DOCUMENT else indicator.criterion
                by_criterion.setdefault(key, []).append(indicator.code)
        subject = plan.subject
        commune = plan.handler.unit.name
        village = f"{subject.village.name}, {commune}" if subject.village else commune
        employer = subject.organisation or f"Ban công tác Mặt trận {village}"
        issuers = _ISSUERS[plan.model]
        files = []
        for index, codes in enumerate(by_criterion.values()):
            kind, template = issuers[index % len(issuers)]
            issuer = template.format(village=village, commune=commune, employer=employer)
            files.append(self._file(kind, issuer, plan.cycle, tuple(codes)))
        return files

    def _file(self, kind: str, issuer: str, year: int, codes: tuple[str, ...]) -> EvidenceFile:
        key = (kind, issuer, year, codes)
        known = self._files.get(key)
        if known is not None:
            return known
        first, days = DOCUMENTS_ISSUED[year]
        issued_on = first + timedelta(days=self.rng.randrange(days))
        content = (
            b"%PDF-1.4\n% Hoctap Ledger: tai lieu mo phong (generated)\n"
            + f"% {kind} | {issuer} | {issued_on.isoformat()} | chi so {', '.join(codes)}\n".encode()
            + b"%%EOF\n"
        )
        made = EvidenceFile(
            kind, issuer, codes, self.blobs.put(content), len(content), sniff(content), issued_on
        )
        self._files[key] = made
        return made
