"""Programme targets (Decisions 387 and 677) as an administrator publishes them: numbers
are read only when written plainly, and every refusal names the entry."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

import pytest

from domain.targets import InvalidTargets, parse_targets
from tests.domain.helpers import SEED_DIR, assert_readable


def seed() -> dict[str, Any]:
    return json.loads((SEED_DIR / "targets-387-677.json").read_text(encoding="utf-8"))


def with_first(**changes: Any) -> dict[str, Any]:
    content = copy.deepcopy(seed())
    content["targets"][0].update(changes)
    return content


def test_the_published_targets_are_read_with_their_rates_and_years():
    spec = parse_targets(seed())
    first = seed()["targets"][0]
    assert (spec.targets[0].year, spec.targets[0].rate) == (
        int(first["year"]),
        Decimal(str(first["rate"])),
    )


def test_a_year_and_rate_written_as_ascii_text_are_read_as_numbers():
    spec = parse_targets(with_first(year="2030", rate="72.5"))
    assert (spec.targets[0].year, spec.targets[0].rate) == (2030, Decimal("72.5"))


WRONG = {
    "year in Arabic-Indic digits": {"year": "٢٠٣٠"},
    "year in fullwidth digits": {"year": "２０３０"},
    "year as true": {"year": True},
    "year with a fraction": {"year": 2030.5},
    "rate in Arabic-Indic digits": {"rate": "٧٠"},
    "rate with an underscore": {"rate": "7_0"},
    "rate as NaN": {"rate": float("nan")},
    "rate as infinity": {"rate": float("inf")},
    "rate of 0": {"rate": 0},
    "rate above 100": {"rate": "100.01"},
    "rate as true": {"rate": True},
}


@pytest.mark.parametrize("changes", WRONG.values(), ids=WRONG.keys())
def test_a_target_written_any_other_way_is_refused_naming_its_entry(changes):
    with pytest.raises(InvalidTargets) as refused:
        parse_targets(with_first(**changes))
    assert refused.value.details == {"index": 0}
    assert refused.value.message.startswith("targets[0]")
    assert_readable(refused.value)
