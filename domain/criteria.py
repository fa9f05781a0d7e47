"""Criteria sets (bộ tiêu chí) as versioned data, and the catalogue that says which is in force.

A published set never changes; a change is a new version that supersedes it. The content is
validated here once, when an administrator publishes it, and afterwards read as
:class:`CriteriaSpec` value objects by the assessment rules and :mod:`domain.evaluation`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any, TypeGuard
from uuid import UUID

from domain.base import LedgerAggregate, LedgerCreated, aggregate_topic, ledger_id
from domain.dates import check_process_dates, iso_day
from domain.errors import CriteriaSetNotInForce, InvalidCriteriaSet, InvalidLevelSet, RuleViolation
from domain.glossary import IndicatorKind, TitleModel
from domain.text import as_number

#: What the ledger can compute itself: the share of a unit's members holding a title.
COMPUTED_MEASURES = frozenset({"member_share"})
#: A minimum age a set may ask of the members it counts ("từ 15 tuổi trở lên"): a whole number
#: of years from 1 (0 would filter nothing) to 120 (no one older is registered).
MIN_AGE_RANGE = range(1, 121)


@dataclass(frozen=True)
class Computed:
    """How a computed indicator is obtained: ``measure`` over holders of ``title``, among the
    members who had reached ``min_age`` years on the day counted (all members when None)."""

    measure: str  # member_share
    title: TitleModel
    min_age: int | None = None


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    kind: IndicatorKind
    max_points: Decimal
    evidence_required: bool
    evidence: tuple[str, ...] = ()
    criterion: str = ""
    computed: Computed | None = None  # None: scored by people; else recorded from the register


@dataclass(frozen=True)
class Level:
    """One level (mức độ) of a level set: met when every minimum is reached."""

    number: int
    label: str
    minimums: Mapping[str, Decimal]  # indicator code -> least score (target: 1; share: %)


@dataclass(frozen=True)
class Band:
    code: str
    label: str
    min_total: Decimal


@dataclass(frozen=True)
class ThresholdRules:
    min_total: Decimal | None
    indicator_floor: Decimal | None
    indicator_floors: Mapping[str, Decimal]
    mandatory: tuple[str, ...]
    bands: tuple[Band, ...]  # highest first
    recognised_bands: tuple[str, ...]
    validity_years: int
    public_notice_required: bool
    notice_days: int | None
    levels: tuple[Level, ...] = ()  # lowest first; a unit is recognised at the highest it meets
    #: Where the validity period comes from, as published (a source, or that none was found
    #: and the period is an assumption until one is): explanations quote it.
    validity_basis: str | None = None


@dataclass(frozen=True)
class CriteriaSpec:
    """The content of one published version of a criteria set."""

    code: str
    title: str
    model: TitleModel
    target_group: str | None
    target_group_label: str | None
    level: int | None
    legal_basis: str
    issuer: str
    effective_from: date
    effective_to: date | None
    indicators: tuple[Indicator, ...]
    rules: ThresholdRules
    sources: tuple[str, ...] = ()
    #: Published to show the process (minh họa), not the law: every page and export says so.
    illustrative: bool = False
    set_id: UUID | None = None  # the published version this content belongs to
    version: int | None = None

    @property
    def computed_indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.computed is not None)

    def indicator(self, code: str) -> Indicator | None:
        return next((i for i in self.indicators if i.code == code), None)

    @property
    def max_total(self) -> Decimal:
        return sum(
            (i.max_points for i in self.indicators if i.kind is not IndicatorKind.SHARE),
            Decimal(0),
        )


def _whole(value: Any) -> TypeGuard[int]:
    """A whole number, and not a boolean (JSON true is no count of days)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _decimal(value: Any, where: str) -> Decimal:
    try:
        number = as_number(value)
    except ValueError as exc:
        raise InvalidCriteriaSet(f"{where}: '{value}' không phải là số", field=where) from exc
    if not number.is_finite() or number < 0:
        raise InvalidCriteriaSet(f"{where}: phải là số không âm", field=where)
    return number


def _date(value: Any, where: str) -> date:
    try:
        return iso_day(value)
    except ValueError as exc:
        raise InvalidCriteriaSet(f"{where}: '{value}' không phải ngày (YYYY-MM-DD)") from exc


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidCriteriaSet(f"{where}.{key}: bắt buộc, là chuỗi không rỗng", field=key)
    return value.strip()


def parse_spec(data: Mapping[str, Any]) -> CriteriaSpec:
    """Validate an administrator's criteria set and return it as value objects.

    Raises :class:`InvalidCriteriaSet` naming the first field that is wrong.
    """
    try:
        model = TitleModel(str(data.get("model")))
    except ValueError as exc:
        allowed = ", ".join(m.value for m in TitleModel)
        raise InvalidCriteriaSet(f"model: phải là một trong {allowed}", field="model") from exc
    indicators: list[Indicator] = []
    criteria = data.get("criteria")
    if not isinstance(criteria, list) or not criteria:
        raise InvalidCriteriaSet("criteria: cần ít nhất một tiêu chí", field="criteria")
    for c_index, criterion in enumerate(criteria):
        where = f"criteria[{c_index}]"
        if not isinstance(criterion, Mapping):
            raise InvalidCriteriaSet(f"{where}: phải là một đối tượng", field=where)
        c_code = _text(criterion, "code", where)
        items = criterion.get("indicators")
        if not isinstance(items, list) or not items:
            raise InvalidCriteriaSet(f"{where}.indicators: cần ít nhất một chỉ số", field=where)
        for i_index, item in enumerate(items):
            indicators.append(_parse_indicator(item, f"{where}.indicators[{i_index}]", c_code))
    codes = [i.code for i in indicators]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise InvalidCriteriaSet(f"mã chỉ số bị trùng: {', '.join(duplicates)}", field="criteria")
    rules = _parse_rules(data.get("rules") or {}, set(codes))
    levels = _parse_levels((data.get("rules") or {}).get("levels"), indicators)
    rules = replace(rules, levels=levels)
    effective_from = _date(data.get("effective_from"), "effective_from")
    effective_to = data.get("effective_to")
    end = _date(effective_to, "effective_to") if effective_to else None
    if end is not None and end < effective_from:
        raise InvalidCriteriaSet("effective_to phải sau effective_from", field="effective_to")
    level = data.get("level")
    if level is not None and (not _whole(level) or level < 1):
        raise InvalidCriteriaSet("level: phải là số nguyên dương", field="level")
    illustrative = data.get("illustrative", False)
    if not isinstance(illustrative, bool):
        raise InvalidCriteriaSet("illustrative: true hoặc false", field="illustrative")
    return CriteriaSpec(
        code=_text(data, "code", "set"),
        title=_text(data, "title", "set"),
        model=model,
        target_group=data.get("target_group") or None,
        target_group_label=data.get("target_group_label") or None,
        level=level,
        legal_basis=_text(data, "legal_basis", "set"),
        issuer=_text(data, "issuer", "set"),
        effective_from=effective_from,
        effective_to=end,
        indicators=tuple(indicators),
        rules=rules,
        sources=tuple(str(s) for s in data.get("sources") or ()),
        illustrative=illustrative,
    )


def _parse_indicator(item: Any, where: str, criterion: str) -> Indicator:
    if not isinstance(item, Mapping):
        raise InvalidCriteriaSet(f"{where}: phải là một đối tượng", field=where)
    try:
        kind = IndicatorKind(item.get("kind", IndicatorKind.POINTS))
    except ValueError as exc:
        raise InvalidCriteriaSet(
            f"{where}.kind: 'points', 'target' hoặc 'share'", field=where
        ) from exc
    computed = _parse_computed(item.get("computed"), where)
    if (kind is IndicatorKind.SHARE) != (computed is not None):
        raise InvalidCriteriaSet(
            f"{where}: chỉ số tỷ lệ (share) phải được tính (computed), và ngược lại",
            field=where,
            problem="computed-kind",
        )
    if kind is IndicatorKind.TARGET:
        max_points = Decimal(1)
    elif kind is IndicatorKind.SHARE:
        max_points = Decimal(100)
    else:
        max_points = _decimal(item.get("max_points"), f"{where}.max_points")
        if max_points == 0:
            raise InvalidCriteriaSet(f"{where}.max_points: phải lớn hơn 0", field=where)
    evidence = item.get("evidence") or ()
    if not isinstance(evidence, list | tuple):
        raise InvalidCriteriaSet(f"{where}.evidence: phải là danh sách", field=where)
    return Indicator(
        code=_text(item, "code", where),
        name=_text(item, "name", where),
        kind=kind,
        max_points=max_points,
        evidence_required=bool(item.get("evidence_required", False)),
        evidence=tuple(str(e) for e in evidence),
        criterion=criterion,
        computed=computed,
    )


def _parse_computed(value: Any, where: str) -> Computed | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or value.get("measure") not in COMPUTED_MEASURES:
        raise InvalidCriteriaSet(
            f"{where}.computed: cần measure là một trong {', '.join(sorted(COMPUTED_MEASURES))}",
            field=where,
            problem="computed-measure",
        )
    try:
        title = TitleModel(str(value.get("title")))
    except ValueError as exc:
        raise InvalidCriteriaSet(
            f"{where}.computed.title: không phải danh hiệu", field=where, problem="computed-title"
        ) from exc
    min_age = _min_age(value.get("min_age"), where)
    return Computed(measure=str(value["measure"]), title=title, min_age=min_age)


def _min_age(value: Any, where: str) -> int | None:
    """A JSON whole number of years in :data:`MIN_AGE_RANGE`, or absent: not a boolean, not
    a fraction, not text (so no "١٥" or "１５", which Python's ``int`` would read as 15)."""
    if value is None:
        return None
    if not _whole(value) or value not in MIN_AGE_RANGE:
        raise InvalidCriteriaSet(
            f"{where}.computed.min_age: phải là số nguyên từ {MIN_AGE_RANGE.start} đến "
            f"{MIN_AGE_RANGE.stop - 1} (số tuổi tròn)",
            field=where,
            problem="computed-min-age",
        )
    return value


def _parse_levels(value: Any, indicators: list[Indicator]) -> tuple[Level, ...]:
    """Levels numbered 1, 2, … in order; each names at least one known indicator with a
    minimum within its range, and each keeps every target of the level below, no lower, so
    that meeting a level implies meeting every level under it."""
    if value is None:
        return ()
    if not isinstance(value, list) or not value:
        raise InvalidLevelSet("rules.levels: cần ít nhất một mức", problem="levels-empty")
    by_code = {i.code: i for i in indicators}
    levels: list[Level] = []
    for index, item in enumerate(value):
        where = f"rules.levels[{index}]"
        if not isinstance(item, Mapping):
            raise InvalidLevelSet(f"{where}: phải là một đối tượng", problem="level-shape")
        number = item.get("level")
        if not _whole(number) or number != index + 1:
            raise InvalidLevelSet(
                f"{where}.level: các mức phải đánh số 1, 2, … theo thứ tự",
                problem="level-order",
                expected=index + 1,
                found=number,
            )
        minimums_raw = item.get("minimums")
        if not isinstance(minimums_raw, Mapping) or not minimums_raw:
            raise InvalidLevelSet(
                f"{where}.minimums: mỗi mức cần ít nhất một chỉ tiêu", problem="level-no-targets"
            )
        minimums: dict[str, Decimal] = {}
        for code, raw in minimums_raw.items():
            indicator = by_code.get(str(code))
            if indicator is None:
                raise InvalidLevelSet(
                    f"{where}.minimums: chỉ số '{code}' không có trong bộ",
                    problem="level-unknown-indicator",
                    indicator=str(code),
                )
            minimum = _decimal(raw, f"{where}.minimums.{code}")
            if minimum > indicator.max_points or (
                indicator.kind is IndicatorKind.TARGET and minimum != 1
            ):
                raise InvalidLevelSet(
                    f"{where}.minimums.{code}: vượt quá giá trị tối đa của chỉ số",
                    problem="level-minimum-out-of-range",
                    indicator=str(code),
                    max_points=str(indicator.max_points),
                )
            minimums[str(code)] = minimum
        if levels:
            below = levels[-1]
            weaker = sorted(
                c for c, m in below.minimums.items() if minimums.get(c, Decimal(-1)) < m
            )
            if weaker:
                raise InvalidLevelSet(
                    f"{where}: mức cao hơn phải giữ mọi chỉ tiêu của mức dưới, không thấp hơn",
                    problem="level-weaker-than-below",
                    level=number,
                    indicators=weaker,
                )
        label = item.get("label")
        levels.append(
            Level(
                number=number,
                label=str(label).strip() if label else f"Mức độ {number}",
                minimums=minimums,
            )
        )
    return tuple(levels)


def _parse_rules(rules: Mapping[str, Any], codes: set[str]) -> ThresholdRules:
    floors = {
        str(k): _decimal(v, f"rules.indicator_floors.{k}")
        for k, v in (rules.get("indicator_floors") or {}).items()
    }
    mandatory = tuple(str(m) for m in rules.get("mandatory") or ())
    unknown = sorted((set(floors) | set(mandatory)) - codes)
    if unknown:
        raise InvalidCriteriaSet(
            f"rules: chỉ số không có trong bộ: {', '.join(unknown)}",
            field="rules.indicator_floors" if set(floors) - codes else "rules.mandatory",
            indicators=unknown,
        )
    bands = tuple(
        sorted(
            (
                Band(
                    code=_text(b, "code", "rules.bands"),
                    label=_text(b, "label", "rules.bands"),
                    min_total=_decimal(b.get("min_total"), "rules.bands.min_total"),
                )
                for b in rules.get("bands") or ()
            ),
            key=lambda b: b.min_total,
            reverse=True,
        )
    )
    recognised = tuple(str(b) for b in rules.get("recognised_bands") or ())
    missing = sorted(set(recognised) - {b.code for b in bands})
    if missing:
        raise InvalidCriteriaSet(
            f"rules.recognised_bands: không có hạng {', '.join(missing)}",
            field="rules.recognised_bands",
            bands=missing,
        )
    validity = rules.get("validity_years", 1)
    if not _whole(validity) or validity < 1:
        raise InvalidCriteriaSet("rules.validity_years: số nguyên dương", field="validity_years")
    basis = rules.get("validity_basis")
    if basis is not None and not (isinstance(basis, str) and basis.strip()):
        raise InvalidCriteriaSet("rules.validity_basis: văn bản không rỗng", field="validity_basis")
    notice_days = rules.get("notice_days")
    notice_required = bool(rules.get("public_notice_required", False))
    if notice_required and (not _whole(notice_days) or notice_days < 1):
        raise InvalidCriteriaSet(
            "rules.notice_days: bắt buộc khi cần niêm yết", field="notice_days"
        )
    min_total = rules.get("min_total")
    floor = rules.get("indicator_floor")
    return ThresholdRules(
        min_total=_decimal(min_total, "rules.min_total") if min_total is not None else None,
        indicator_floor=_decimal(floor, "rules.indicator_floor") if floor is not None else None,
        indicator_floors=floors,
        mandatory=mandatory,
        bands=bands,
        recognised_bands=recognised,
        validity_years=validity,
        validity_basis=basis.strip() if basis is not None else None,
        public_notice_required=notice_required,
        notice_days=notice_days if notice_required else None,
    )


def criteria_set_id(code: str, version: int) -> UUID:
    return ledger_id("criteria-set", code, version)


@aggregate_topic("hoctap.CriteriaSet")
class CriteriaSet(LedgerAggregate):
    """One immutable published version of a criteria set."""

    class Published(LedgerCreated):
        TOPIC = "hoctap.CriteriaSet.Published"
        code: str
        version: int
        content: dict[str, Any]
        supersedes: UUID | None

    class Superseded(LedgerAggregate.Event):
        TOPIC = "hoctap.CriteriaSet.Superseded"
        superseded_by: UUID
        superseded_from: date

        def apply(self, aggregate: CriteriaSet) -> None:
            aggregate.superseded_by = self.superseded_by
            aggregate.superseded_from = self.superseded_from

    def __init__(
        self, code: str, version: int, content: dict[str, Any], supersedes: UUID | None
    ) -> None:
        self.code = code
        self.set_version = version  # not `version`: that is the aggregate's own counter
        self.content = content
        self.supersedes = supersedes
        self.superseded_by: UUID | None = None
        self.superseded_from: date | None = None

    @classmethod
    def publish(cls, content: dict[str, Any], version: int, supersedes: UUID | None) -> CriteriaSet:
        spec = parse_spec(content)  # refuses invalid content before anything is recorded
        check_process_dates(effective_from=spec.effective_from, effective_to=spec.effective_to)
        content = copy.deepcopy(content)  # published content never changes, whoever held it
        return cls._create(
            cls.Published,
            id=criteria_set_id(spec.code, version),
            code=spec.code,
            version=version,
            content=content,
            supersedes=supersedes,
        )

    @property
    def spec(self) -> CriteriaSpec:
        return replace(parse_spec(self.content), set_id=self.id, version=self.set_version)

    def supersede(self, by: UUID, effective_from: date) -> None:
        check_process_dates(effective_from=effective_from)
        if self.superseded_by is not None:
            raise RuleViolation("bộ tiêu chí này đã được thay thế", criteria_set_id=str(self.id))
        self.trigger_event(self.Superseded, superseded_by=by, superseded_from=effective_from)


CATALOGUE_ID = ledger_id("criteria-catalogue")


@dataclass(frozen=True)
class CatalogueEntry:
    set_id: UUID
    code: str
    version: int
    model: str
    target_group: str | None
    level: int | None
    effective_from: date
    effective_to: date | None
    superseded_from: date | None

    def in_force_on(self, day: date) -> bool:
        if day < self.effective_from:
            return False
        if self.effective_to is not None and day > self.effective_to:
            return False
        return self.superseded_from is None or day < self.superseded_from


@aggregate_topic("hoctap.CriteriaCatalogue")
class CriteriaCatalogue(LedgerAggregate):
    """The register of every published criteria-set version: which one is in force when.

    Publishing writes the new set and its catalogue entry in one transaction, so the
    catalogue's version also serialises concurrent publications.
    """

    class Started(LedgerCreated):
        TOPIC = "hoctap.CriteriaCatalogue.Started"

    class Listed(LedgerAggregate.Event):
        TOPIC = "hoctap.CriteriaCatalogue.Listed"
        set_id: UUID
        code: str
        version: int
        model: str
        target_group: str | None
        level: int | None
        effective_from: date
        effective_to: date | None

        def apply(self, aggregate: CriteriaCatalogue) -> None:
            if self.version > 1:
                previous = aggregate.latest(self.code)
                if previous is not None:
                    aggregate.entries[aggregate.entries.index(previous)] = CatalogueEntry(
                        **{**vars(previous), "superseded_from": self.effective_from}
                    )
            aggregate.entries.append(
                CatalogueEntry(
                    set_id=self.set_id,
                    code=self.code,
                    version=self.version,
                    model=self.model,
                    target_group=self.target_group,
                    level=self.level,
                    effective_from=self.effective_from,
                    effective_to=self.effective_to,
                    superseded_from=None,
                )
            )

    def __init__(self) -> None:
        self.entries: list[CatalogueEntry] = []

    @classmethod
    def start(cls) -> CriteriaCatalogue:
        return cls._create(cls.Started, id=CATALOGUE_ID)

    def latest(self, code: str) -> CatalogueEntry | None:
        versions = [e for e in self.entries if e.code == code]
        return max(versions, key=lambda e: e.version) if versions else None

    def add_entry(self, published: CriteriaSet) -> None:
        spec = published.spec
        latest = self.latest(spec.code)
        expected = 1 if latest is None else latest.version + 1
        if published.set_version != expected:
            raise RuleViolation(
                f"phiên bản tiếp theo của bộ {spec.code} phải là {expected}",
                code=spec.code,
                expected=expected,
                found=published.set_version,
            )
        if latest is not None and spec.effective_from <= latest.effective_from:
            raise RuleViolation(
                "phiên bản mới phải có hiệu lực sau phiên bản trước",
                code=spec.code,
                previous_effective_from=latest.effective_from.isoformat(),
            )
        self.trigger_event(
            self.Listed,
            set_id=published.id,
            code=spec.code,
            version=published.set_version,
            model=spec.model.value,
            target_group=spec.target_group,
            level=spec.level,
            effective_from=spec.effective_from,
            effective_to=spec.effective_to,
        )

    def in_force(
        self, model: TitleModel, target_group: str | None, level: int | None, on: date
    ) -> CatalogueEntry:
        """The set version in force for this model, group and level on a date."""
        matches = [
            e
            for e in self.entries
            if e.model == model.value
            and e.target_group == target_group
            and e.level == level
            and e.in_force_on(on)
        ]
        if not matches:
            raise CriteriaSetNotInForce(
                "không có bộ tiêu chí nào có hiệu lực cho mô hình, nhóm đối tượng và mức này",
                model=model.value,
                target_group=target_group,
                level=level,
                on=on.isoformat(),
            )
        return max(matches, key=lambda e: (e.effective_from, e.version))

    def entries_for(self, codes: Iterable[str] | None = None) -> list[CatalogueEntry]:
        wanted = set(codes) if codes is not None else None
        return [e for e in self.entries if wanted is None or e.code in wanted]
