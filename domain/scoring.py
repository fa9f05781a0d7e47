"""Scores and the evidence behind them: the checks every scoring step applies.

Pure functions over a criteria-set version, so the self-assessment, the review and each
revision check scores and evidence in exactly the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from domain.criteria import CriteriaSpec, Indicator
from domain.errors import (
    ComputedIndicator,
    EvidenceRequired,
    InvalidInput,
    ScoreOutOfRange,
    UnknownIndicator,
)
from domain.glossary import IndicatorKind
from domain.text import as_number


@dataclass(frozen=True)
class EvidenceItem:
    """One evidence file attached to a case: its digest, never its bytes."""

    evidence_id: UUID
    digest: str
    size: int
    media_type: str
    kind: str
    issuer: str
    issued_on: date
    indicators: tuple[str, ...]
    submitted_by: str
    superseded_by: UUID | None = None
    superseded: bool = False
    #: The plaintext digest sealed under the subject's key; None: a file stored in clear.
    sealed: str | None = None


@dataclass(frozen=True)
class CouncilSeat:
    user_id: str
    role: str  # chair | member | secretary
    conflict: str | None = None  # declared conflict of interest: this member does not vote


def indicator_of(spec: CriteriaSpec, code: str) -> Indicator:
    indicator = spec.indicator(code)
    if indicator is None:
        raise UnknownIndicator(f"chỉ số '{code}' không có trong bộ tiêu chí", indicator=code)
    return indicator


def checked_scores(
    spec: CriteriaSpec, scores: Mapping[str, Decimal], *, complete: bool
) -> dict[str, Decimal]:
    """Scores within 0..max (targets 0 or 1); with ``complete``, every indicator scored
    except the computed ones, which nobody may score by hand."""
    clean: dict[str, Decimal] = {}
    for code, raw in scores.items():
        indicator = indicator_of(spec, code)
        if indicator.computed is not None:
            raise ComputedIndicator(
                f"chỉ số {code} được tính từ sổ đăng ký danh hiệu, không chấm tay",
                indicator=code,
                measure=indicator.computed.measure,
            )
        try:
            score = as_number(raw)
        except ValueError:
            raise ScoreOutOfRange(f"điểm chỉ số {code} không phải là số", indicator=code) from None
        if not score.is_finite() or score < 0 or score > indicator.max_points:
            raise ScoreOutOfRange(
                f"điểm chỉ số {code} phải trong khoảng 0..{indicator.max_points}",
                indicator=code,
                max_points=str(indicator.max_points),
                found=str(raw),
            )
        if indicator.kind is IndicatorKind.TARGET and score not in (0, 1):
            raise ScoreOutOfRange(
                f"chỉ số {code} chỉ nhận 1 (đạt) hoặc 0 (không đạt)", indicator=code
            )
        clean[code] = Decimal(0) if score.is_zero() else score  # "-0" and "0.00" are 0
    if complete:
        missing = [i.code for i in spec.indicators if i.code not in clean and i.computed is None]
        if missing:
            raise InvalidInput("phải chấm đủ mọi chỉ số", missing=missing)
    return clean


def check_evidence_supports(
    spec: CriteriaSpec, scores: Mapping[str, Decimal], evidence: Iterable[EvidenceItem]
) -> None:
    """A score above 0 needs evidence where the indicator requires it."""
    supported = {code for item in evidence for code in item.indicators}
    for code, score in scores.items():
        indicator = spec.indicator(code)
        if indicator and indicator.evidence_required and score > 0 and code not in supported:
            raise EvidenceRequired(
                f"chỉ số {code} có điểm trên 0 cần ít nhất một minh chứng", indicator=code
            )
