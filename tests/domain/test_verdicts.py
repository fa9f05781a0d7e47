"""The verdict's published shape: what explanations, decisions and appeals show, to the key.

Known answers written out in full, so a renamed key, a dropped value or a changed wording in
``Verdict.as_dict`` fails here, in the domain, not only over HTTP.
"""

from __future__ import annotations

from decimal import Decimal

from domain.evaluation import evaluate
from tests.domain.helpers import CDHT, TT22, passing, scores, seed_spec, variant_spec

KEYS = ("rule", "indicator", "passed", "expected", "found")


def rows(*checks: tuple[object, ...]) -> list[dict[str, object]]:
    return [dict(zip(KEYS, check, strict=True)) for check in checks]


def test_a_failing_learning_citizen_assessment_is_itemised_check_by_check():
    spec = seed_spec(CDHT)
    given = scores(spec, 8, {"2": "4.99"})
    del given["3"]

    verdict = evaluate(spec, given).as_dict()

    assert verdict == {
        "total": "68.99",
        "max_total": "100",
        "passed": False,
        "classification": None,
        "classification_label": None,
        "checks": rows(
            ("all_scored", None, False, "mọi chỉ số đều được chấm", "3"),
            ("min_total", None, False, ">= 80", "68.99"),
            ("indicator_floor", "1", True, ">= 5", "8"),
            ("indicator_floor", "2", False, ">= 5", "4.99"),
            ("indicator_floor", "3", False, ">= 5", "0"),
            *(("indicator_floor", str(n), True, ">= 5", "8") for n in range(4, 11)),
        ),
    }


def test_a_unit_that_passes_is_classified_and_its_band_named():
    spec = seed_spec(TT22)

    verdict = evaluate(spec, passing(spec)).as_dict()

    assert verdict == {
        "total": "80.0",
        "max_total": "100",
        "passed": True,
        "classification": "kha",
        "classification_label": "Khá",
        "checks": rows(
            ("all_scored", None, True, "mọi chỉ số đều được chấm", "đủ"),
            ("band", None, True, "tot | kha | trung_binh", "kha"),
        ),
    }


def test_a_mandatory_indicator_at_zero_and_an_own_floor_are_named_with_what_was_found():
    spec = variant_spec(
        CDHT, suffix="bat-buoc", mandatory=["1"], indicator_floors={"2": "7"}, min_total="50"
    )
    given = scores(spec, 8, {"1": "0", "2": "6.5"})

    verdict = evaluate(spec, given).as_dict()

    assert verdict["passed"] is False
    assert verdict["total"] == str(Decimal("70.5"))
    assert verdict["checks"][:5] == rows(
        ("all_scored", None, True, "mọi chỉ số đều được chấm", "đủ"),
        ("min_total", None, True, ">= 50", "70.5"),
        ("indicator_floor", "1", False, ">= 5", "0"),
        ("mandatory", "1", False, "> 0", "0"),
        ("indicator_floor", "2", False, ">= 7", "6.5"),
    )
