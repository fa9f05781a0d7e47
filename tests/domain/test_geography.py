"""Which unit stands for which on a day, and the chain of units above it: the one answer that
roll-ups, scoped authorisation and jurisdiction all ask, over plain unit facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from domain.geography import chain, covers, standing_for

OLD = date(2025, 6, 30)  # the last day of the three-level government
NEW = date(2025, 7, 1)  # the first day of the two-level government
START = date(2000, 1, 1)


@dataclass(frozen=True)
class Unit:
    """Unit facts as the geography reads them; ``parents`` lists (from, parent) in order."""

    valid_from: date = START
    valid_to: date | None = None
    successor_id: str | None = None
    parents: tuple[tuple[date, str | None], ...] = ()

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def parent_on(self, day: date) -> str | None:
        current = None
        for since, parent in self.parents:
            if since <= day:
                current = parent
        return current


#: Province T; district H ended with the district level; commune X1 merged into X9 under T;
#: commune C moved from under H to under T; village V stayed under X1 (so under X9 now).
UNITS = {
    "T": Unit(),
    "H": Unit(valid_to=OLD, parents=((START, "T"),)),
    "X1": Unit(valid_to=OLD, successor_id="X9", parents=((START, "H"),)),
    "X9": Unit(valid_from=NEW, parents=((NEW, "T"),)),
    "C": Unit(parents=((START, "H"), (NEW, "T"))),
    "V": Unit(parents=((START, "X1"),)),
}


def lookup(unit_id: str) -> Unit | None:
    return UNITS.get(unit_id)


def test_a_unit_stands_for_itself_up_to_its_last_day_and_for_its_successor_after():
    assert standing_for("X1", OLD, lookup) == "X1"
    assert standing_for("X1", NEW, lookup) == "X9"


def test_successions_are_followed_to_the_unit_in_force():
    units = {
        "A": Unit(valid_to=date(2010, 12, 31), successor_id="B"),
        "B": Unit(valid_from=date(2011, 1, 1), valid_to=OLD, successor_id="C"),
        "C": Unit(valid_from=NEW),
    }
    assert standing_for("A", date(2011, 1, 1), units.get) == "B"
    assert standing_for("A", NEW, units.get) == "C"


def test_a_unit_ended_without_a_successor_and_an_unknown_unit_stand_for_themselves():
    assert standing_for("H", NEW, lookup) == "H"
    assert standing_for("?", NEW, lookup) == "?"
    assert chain("?", NEW, lookup) == ["?"]


def test_successions_that_loop_end_where_the_loop_closes():
    units = {
        "A": Unit(valid_to=OLD, successor_id="B"),
        "B": Unit(valid_to=OLD, successor_id="A"),
    }
    assert standing_for("A", NEW, units.get) == "A"
    assert standing_for("B", NEW, units.get) == "B"


def test_the_chain_of_a_village_is_the_one_of_the_day_asked_about():
    assert chain("V", OLD, lookup) == ["V", "X1", "H", "T"]
    assert chain("V", NEW, lookup) == ["V", "X9", "T"]


def test_a_unit_that_moved_is_chained_under_its_parent_of_that_day():
    assert chain("C", OLD, lookup) == ["C", "H", "T"]
    assert chain("C", NEW, lookup) == ["C", "T"]


def test_a_unit_created_after_the_day_stays_itself_under_the_parent_it_was_created_with():
    assert chain("X9", OLD, lookup) == ["X9", "T"]


def test_parents_that_loop_are_chained_once():
    units = {"P1": Unit(parents=((START, "P2"),)), "P2": Unit(parents=((START, "P1"),))}
    assert chain("P1", NEW, units.get) == ["P1", "P2"]


COVERS = {
    "itself": ("V", "V", NEW, True),
    "an unknown unit itself": ("?", "?", NEW, True),
    "a village under the province": ("T", "V", NEW, True),
    "a merged commune's village, under the new commune": ("X9", "V", NEW, True),
    "the merged commune itself, from the day it merged": ("X9", "X1", NEW, True),
    "the merged commune, before it merged": ("X9", "X1", OLD, False),
    "the ended district, after it ended": ("H", "V", NEW, False),
    "the ended district, on its last day": ("H", "V", OLD, True),
    "a village does not cover its commune": ("V", "X1", OLD, False),
}


@pytest.mark.parametrize(("root", "unit", "day", "answer"), COVERS.values(), ids=COVERS.keys())
def test_a_unit_covers_itself_what_lies_below_it_and_what_merged_into_it(root, unit, day, answer):
    assert covers(root, unit, day, lookup) is answer
