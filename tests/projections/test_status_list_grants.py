"""Which changes count against which grant when a status list is made (pure grouping)."""

from __future__ import annotations

from projections.register.queries import grants_with_later


def row(case: str, position: int, change: str) -> dict[str, object]:
    return {"case_id": case, "position": position, "change": change}


def test_each_grant_in_range_gets_the_later_changes_of_its_own_case_only():
    rows = [
        row("a", 5, "refused"),  # before the grant: not counted
        row("a", 10, "granted"),
        row("a", 20, "revoked"),
        row("b", 11, "granted"),
        row("b", 30, "granted"),  # granted again, outside the range: supersedes b@11
        row("c", 3, "granted"),  # outside the range
        row("c", 12, "revoked"),
        row("d", 14, "granted"),
    ]
    grouped = grants_with_later(rows, 10, 20)
    assert [
        (g["case_id"], g["position"], [c["position"] for c in later]) for g, later in grouped
    ] == [
        ("a", 10, [20]),
        ("b", 11, [30]),
        ("d", 14, []),
    ]


def test_of_two_grants_of_one_case_the_first_sees_its_replacement_the_second_the_rest():
    rows = [row("a", 10, "granted"), row("a", 12, "granted"), row("a", 15, "revoked")]
    grouped = grants_with_later(rows, 0, 100)
    assert [[c["position"] for c in later] for _, later in grouped] == [[12], [15]]
