"""What reports keep between requests stays within its budget, least recently used out."""

from __future__ import annotations

from collections import OrderedDict

from hypothesis import given
from hypothesis import strategies as st

from projections.statistics.queries import Kept

KEYS = st.sampled_from("abcdef")
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("put"), KEYS, st.integers(0, 12)),
        st.tuples(st.just("get"), KEYS, st.just(0)),
    ),
    max_size=60,
)


def test_the_least_recently_used_entry_goes_first_when_the_budget_is_spent():
    kept: Kept[str, str] = Kept(budget=10, largest=8)
    assert kept.put("a", "A", 4) and kept.put("b", "B", 4)
    assert kept.get("a") == "A"  # a is now the most recently used
    assert kept.put("c", "C", 4)
    assert [key for key, _ in kept.items()] == ["a", "c"] and kept.used == 8
    assert not kept.put("d", "D", 9)  # larger than any entry may be: not kept, nothing out
    assert [key for key, _ in kept.items()] == ["a", "c"] and kept.get("d") is None
    assert kept.put("a", "A2", 1)  # in place of a: its size counted once
    assert kept.items() == [("c", "C"), ("a", "A2")] and kept.used == 5


@given(OPERATIONS)
def test_whatever_is_asked_the_kept_entries_are_those_of_a_plain_lru_within_budget(operations):
    """Against a reference: an ordered dict, newest use last, oldest dropped while over."""
    kept: Kept[str, tuple[str, int]] = Kept(budget=20, largest=10)
    model: OrderedDict[str, tuple[str, int]] = OrderedDict()
    for operation, key, size in operations:
        if operation == "get":
            assert kept.get(key) == model.get(key)
            if key in model:
                model.move_to_end(key)
            continue
        value = (key, size)
        assert kept.put(key, value, size) == (size <= 10)
        if size <= 10:
            model.pop(key, None)
            model[key] = value
            while sum(v[1] for v in model.values()) > 20:
                model.popitem(last=False)
        assert kept.items() == list(model.items())
        assert kept.used == sum(v[1] for v in model.values()) <= 20
