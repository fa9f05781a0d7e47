"""Every threshold of every published seed set, at its edge: exactly at it, and one hundredth
below it.

A verdict rule that moves by one comparison (``>=`` to ``>``) or one constant must fail here,
not only in the HTTP explanations. The scores are built from the rules themselves, so a seed
set added later is covered without a new test.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import pytest
from hypothesis import given as for_all
from hypothesis import strategies as st

from domain.criteria import CriteriaSpec
from domain.evaluation import evaluate
from domain.glossary import IndicatorKind
from tests.domain.helpers import CDHT, SEED_DIR, seed_spec, variant_spec

HUNDREDTH = Decimal("0.01")
SEEDS = sorted(p.name for p in SEED_DIR.glob("criteria-*.json"))


def floor_of(spec: CriteriaSpec, code: str) -> Decimal:
    floor = spec.rules.indicator_floors.get(code, spec.rules.indicator_floor)
    return Decimal(0) if floor is None else floor


def points(spec: CriteriaSpec) -> list[str]:
    return [i.code for i in spec.indicators if i.kind is IndicatorKind.POINTS]


def scores_adding_to(
    spec: CriteriaSpec, total: Decimal, pinned: Mapping[str, Decimal] | None = None
) -> dict[str, Decimal]:
    """Scores whose sum is ``total``: targets met, ``pinned`` as given, every other points
    indicator at its floor or above, filled in order up to its maximum."""
    pinned = dict(pinned or {})
    result: dict[str, Decimal] = {}
    for indicator in spec.indicators:
        if indicator.code in pinned:
            result[indicator.code] = pinned[indicator.code]
        elif indicator.kind is IndicatorKind.TARGET:
            result[indicator.code] = Decimal(1)
        elif indicator.kind is IndicatorKind.SHARE:  # a percentage, in no total
            result[indicator.code] = share_floor_of(spec, indicator.code)
        else:
            result[indicator.code] = max(floor_of(spec, indicator.code), HUNDREDTH)
    shares = {i.code for i in spec.indicators if i.kind is IndicatorKind.SHARE}
    rest = total - sum(v for k, v in result.items() if k not in shares)
    assert rest >= 0, f"{total} is below the floors of {spec.code}"
    for indicator in spec.indicators:
        if indicator.code in pinned or indicator.kind is not IndicatorKind.POINTS:
            continue
        room = indicator.max_points - result[indicator.code]
        step = min(room, rest)
        result[indicator.code] += step
        rest -= step
    assert rest == 0, f"{total} is above what {spec.code} can score"
    assert sum(v for k, v in result.items() if k not in shares) == total
    return result


def share_floor_of(spec: CriteriaSpec, code: str) -> Decimal:
    """A share's own floor (the set-wide floor is in points and does not apply to it)."""
    return spec.rules.indicator_floors.get(code, Decimal(0))


def shares(spec: CriteriaSpec) -> list[str]:
    return [i.code for i in spec.indicators if i.kind is IndicatorKind.SHARE]


def lowest_passing_total(spec: CriteriaSpec) -> Decimal:
    candidates = [spec.rules.min_total or Decimal(0)]
    recognised = [b.min_total for b in spec.rules.bands if b.code in spec.rules.recognised_bands]
    if recognised:
        candidates.append(min(recognised))
    floors = sum(
        max(floor_of(spec, i.code), HUNDREDTH) if i.kind is IndicatorKind.POINTS else Decimal(1)
        for i in spec.indicators
        if i.kind is not IndicatorKind.SHARE
    )
    return max(*candidates, floors)


def failed_rules(spec: CriteriaSpec, given: Mapping[str, Decimal]) -> list[tuple[str, str | None]]:
    return [(c.rule, c.indicator) for c in evaluate(spec, given).failures]


TOTALLED = [s for s in SEEDS if not seed_spec(s).rules.levels]
LEVELLED = [s for s in SEEDS if seed_spec(s).rules.levels]


@pytest.mark.parametrize("seed", TOTALLED)
def test_the_lowest_passing_total_passes_and_one_hundredth_less_fails_only_on_the_total(seed):
    spec = seed_spec(seed)
    lowest = lowest_passing_total(spec)
    assert failed_rules(spec, scores_adding_to(spec, lowest)) == []
    below = failed_rules(spec, scores_adding_to(spec, lowest - HUNDREDTH))
    expected = [("min_total", None)] if spec.rules.min_total is not None else [("band", None)]
    assert below == expected


def floored(seed: str) -> list[str]:
    """The points indicators under a floor, and the shares under one of their own."""
    spec = seed_spec(seed)
    return [c for c in points(spec) if floor_of(spec, c)] + [
        c for c in shares(spec) if share_floor_of(spec, c)
    ]


@pytest.mark.parametrize(
    ("seed", "code"), [(seed, code) for seed in SEEDS for code in floored(seed)]
)
def test_an_indicator_exactly_at_its_floor_passes_and_one_hundredth_below_fails_on_it(seed, code):
    spec = seed_spec(seed)
    floor = share_floor_of(spec, code) if code in shares(spec) else floor_of(spec, code)
    total = lowest_passing_total(spec) + 1
    assert failed_rules(spec, scores_adding_to(spec, total, {code: floor})) == []
    at_below = scores_adding_to(spec, total, {code: floor - HUNDREDTH})
    assert failed_rules(spec, at_below) == [("indicator_floor", code)]


def test_a_floor_set_for_one_indicator_overrides_the_common_floor_both_ways():
    spec = variant_spec(CDHT, suffix="san-rieng", indicator_floors={"1": 7, "2": 3})
    total = Decimal(85)
    assert failed_rules(spec, scores_adding_to(spec, total, {"1": Decimal(7)})) == []
    assert failed_rules(spec, scores_adding_to(spec, total, {"1": Decimal("6.99")})) == [
        ("indicator_floor", "1")
    ]
    assert failed_rules(spec, scores_adding_to(spec, total, {"2": Decimal(3)})) == []
    assert failed_rules(spec, scores_adding_to(spec, total, {"2": Decimal("2.99")})) == [
        ("indicator_floor", "2")
    ]


def test_a_mandatory_indicator_passes_at_one_hundredth_and_fails_at_zero():
    spec = variant_spec(CDHT, suffix="bat-buoc", mandatory=["3"], indicator_floor=None)
    assert failed_rules(spec, scores_adding_to(spec, Decimal(85), {"3": HUNDREDTH})) == []
    assert failed_rules(spec, scores_adding_to(spec, Decimal(85), {"3": Decimal(0)})) == [
        ("mandatory", "3")
    ]


@pytest.mark.parametrize("seed", [s for s in SEEDS if seed_spec(s).rules.bands])
def test_a_total_exactly_at_a_band_takes_it_and_one_hundredth_below_takes_the_next(seed):
    spec = seed_spec(seed)
    bands = sorted(spec.rules.bands, key=lambda b: b.min_total, reverse=True)
    for band, lower in zip(bands, [*bands[1:], None], strict=True):
        at = evaluate(spec, scores_adding_to(spec, band.min_total))
        below = evaluate(spec, scores_adding_to(spec, band.min_total - HUNDREDTH))
        assert at.band == band
        assert below.band == lower


@pytest.mark.parametrize(
    ("seed", "number"),
    [(seed, lv.number) for seed in LEVELLED for lv in seed_spec(seed).rules.levels],
)
def test_each_level_is_met_exactly_at_its_minimums_and_one_hundredth_below_is_the_level_under(
    seed, number
):
    """Sets with levels have no total to pass: each level's minimums are its thresholds."""
    spec = seed_spec(seed)
    level = spec.rules.levels[number - 1]
    at = {i.code: Decimal(0) for i in spec.indicators} | dict(level.minimums)
    assert evaluate(spec, at).level == level
    for code, minimum in level.minimums.items():
        indicator = spec.indicator(code)
        assert indicator is not None
        if indicator.kind is IndicatorKind.TARGET:
            continue  # a target is met or not: there is no hundredth below 1
        below = evaluate(spec, at | {code: minimum - HUNDREDTH}).level
        assert below is None or below.number < number, (code, below)


# --- a property whose examples pass about as often as they fail ------------------------------


@st.composite
def near_the_edges(draw: st.DrawFn) -> tuple[dict[str, Decimal], bool]:
    """CDHT scores drawn around the total and floor thresholds, with the expected verdict
    computed from the drawn numbers, not from the code under test."""
    spec = seed_spec(CDHT)
    assert spec.rules.min_total is not None and spec.rules.indicator_floor is not None
    minimum, floor = spec.rules.min_total, spec.rules.indicator_floor
    total = draw(
        st.sampled_from([minimum, minimum - HUNDREDTH, minimum + HUNDREDTH])
        | st.decimals(minimum - 5, spec.max_total, places=2)
    )
    code = draw(st.sampled_from(points(spec)))
    pinned = draw(
        st.sampled_from([floor, floor - HUNDREDTH, floor + HUNDREDTH])
        | st.decimals(floor - 1, Decimal(10), places=2)
    )
    others = total - pinned
    room = sum(i.max_points for i in spec.indicators if i.code != code)
    least = floor * (len(spec.indicators) - 1)
    others = min(max(others, least), room)
    given = scores_adding_to(spec, others + pinned, {code: pinned})
    expected = sum(given.values()) >= minimum and min(given.values()) >= floor
    return given, expected


@for_all(near_the_edges())
def test_a_cdht_verdict_passes_exactly_when_the_total_reaches_80_and_no_indicator_is_below_5(
    drawn,
):
    given, expected = drawn
    assert evaluate(seed_spec(CDHT), given).passed == expected


def test_the_edge_strategy_draws_passes_and_failures_alike():
    """The property above is only worth something if both answers come up often."""
    outcomes: list[bool] = []

    @for_all(near_the_edges())
    def collect(drawn: tuple[dict[str, Decimal], bool]) -> None:
        outcomes.append(drawn[1])

    collect()
    share = sum(outcomes) / len(outcomes)
    assert 0.25 <= share <= 0.75, f"{share:.0%} of {len(outcomes)} examples pass"
