"""The legal clocks of complaints (Law on Complaints 2011), computed from stored dates.

The periods are data (a rule document an administrator publishes); this module only counts.
Counting follows the usual rule for periods in days: the day the period starts from is not
counted, counting begins the next day, and the deadline is the last counted day. Days lost
to an objective obstacle (illness, disaster, travel for work or study...) are excluded from
the complainant's own periods, each day at most once, so an obstacle moves a deadline by
exactly its length. Periods counted in working days skip Saturdays, Sundays and the holidays
the rules list.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from domain.dates import iso_day
from domain.errors import InvalidInput

FILING = "filing"
ACCEPTANCE = "acceptance"
FIRST_RESOLUTION = "first_resolution"
SECOND_FILING = "second_filing"
SECOND_RESOLUTION = "second_resolution"
PERIOD_NAMES = (FILING, ACCEPTANCE, FIRST_RESOLUTION, SECOND_FILING, SECOND_RESOLUTION)

#: Periods that run against the complainant: their obstacles are excluded.
COMPLAINANT_PERIODS = frozenset({FILING, SECOND_FILING})


class InvalidClockRules(InvalidInput):
    code = "invalid-clock-rules"


@dataclass(frozen=True)
class Period:
    name: str
    days: int
    complex_days: int | None
    remote_days: int | None
    remote_complex_days: int | None
    working_days: bool
    basis: str

    def length(self, *, complex_case: bool, remote: bool) -> int:
        """The number of days for a case that is (or not) complex and in a remote area."""
        if remote and complex_case and self.remote_complex_days is not None:
            return self.remote_complex_days
        if remote and self.remote_days is not None:
            return self.remote_days
        if complex_case and self.complex_days is not None:
            return self.complex_days
        return self.days


@dataclass(frozen=True)
class ClockRules:
    code: str
    title: str
    legal_basis: str
    effective_from: date
    periods: dict[str, Period]
    holidays: frozenset[date]

    @cached_property
    def weekday_holidays(self) -> list[int]:
        """The holidays on Mondays to Fridays as sorted ordinals (weekends are skipped anyway)."""
        return sorted(d.toordinal() for d in self.holidays if d.weekday() < 5)


@dataclass(frozen=True)
class Obstacle:
    """Days lost to an objective obstacle, both ends included."""

    first_day: date
    last_day: date
    kind: str


#: No period of the law runs for months on end; a longer one is a typing error in the rules.
MAX_PERIOD_DAYS = 366


def _whole(value: Any, where: str, required: bool = True) -> int | None:
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_PERIOD_DAYS:
        raise InvalidClockRules(
            f"{where}: số ngày nguyên dương, tối đa {MAX_PERIOD_DAYS}", field=where
        )
    return value


def _holiday(item: Any) -> date:
    """A listed holiday: ``"2026-02-17"`` or ``{"date": "2026-02-17", "name": "Tết Nguyên Đán"}``
    (the name is for readers). Only the extended ISO form with ASCII digits is a date here."""
    day = item.get("date") if isinstance(item, dict) else item
    if isinstance(day, date):
        raise ValueError(f"ngày nghỉ lễ phải viết YYYY-MM-DD: {day!r}")
    return iso_day(day)


def parse_clock_rules(content: dict[str, Any]) -> ClockRules:
    try:
        code = str(content["code"]).strip()
        title = str(content["title"]).strip()
        legal_basis = str(content["legal_basis"]).strip()
        effective_from = iso_day(content["effective_from"])
        raw_periods = content["periods"]
        holidays = frozenset(_holiday(item) for item in content.get("holidays") or ())
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidClockRules(
            f"cần code, title, legal_basis, effective_from, periods ({exc})"
        ) from exc
    missing = [name for name in PERIOD_NAMES if name not in raw_periods]
    if missing or not code:
        raise InvalidClockRules(f"thiếu thời hạn: {', '.join(missing)}", missing=missing)
    periods = {}
    for name in PERIOD_NAMES:
        item = raw_periods[name]
        periods[name] = Period(
            name=name,
            days=_whole(item.get("days"), f"periods.{name}.days") or 0,
            complex_days=_whole(item.get("complex_days"), f"{name}.complex_days", False),
            remote_days=_whole(item.get("remote_days"), f"{name}.remote_days", False),
            remote_complex_days=_whole(
                item.get("remote_complex_days"), f"{name}.remote_complex_days", False
            ),
            working_days=item.get("unit", "days") == "working_days",
            basis=str(item.get("basis", legal_basis)),
        )
    return ClockRules(code, title, legal_basis, effective_from, periods, holidays)


def deadline(
    rules: ClockRules,
    period_name: str,
    start: date,
    *,
    complex_case: bool = False,
    remote: bool = False,
    obstacles: Iterable[Obstacle] = (),
) -> date:
    """The last day of a period that starts from ``start``.

    Counted without walking the days: whole stretches between obstacles at once, weeks by
    division, holidays by bisection; the cost grows with the number of obstacles and holidays,
    never with the length of the period or the distance between the dates.
    """
    period = rules.periods[period_name]
    remaining = period.length(complex_case=complex_case, remote=remote)
    lost = _merged(obstacles) if period_name in COMPLAINANT_PERIODS else []
    holidays = rules.weekday_holidays if period.working_days else None
    day = start
    for first, last in lost:
        if last <= day:
            continue
        free_until = first.toordinal() - 1  # the last day before this obstacle
        if free_until > day.toordinal():
            counted = _counted(day.toordinal(), free_until, holidays)
            if remaining <= counted:
                break
            remaining -= counted
        day = last
    return date.fromordinal(_nth_counted(day.toordinal(), remaining, holidays))


def _merged(obstacles: Iterable[Obstacle]) -> list[tuple[date, date]]:
    """The obstacles as sorted intervals that neither overlap nor touch."""
    merged: list[tuple[date, date]] = []
    for obstacle in sorted(obstacles, key=lambda o: o.first_day):
        if obstacle.last_day < obstacle.first_day:
            continue  # an empty obstacle loses no day
        if merged and obstacle.first_day.toordinal() <= merged[-1][1].toordinal() + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], obstacle.last_day))
        else:
            merged.append((obstacle.first_day, obstacle.last_day))
    return merged


# Ordinal 1 (0001-01-01) is a Monday, so ``(ordinal - 1) % 7`` is the weekday (0 = Monday).


def _weekdays_through(ordinal: int) -> int:
    """How many Mondays to Fridays there are from ordinal 1 up to ``ordinal`` included."""
    weeks, extra = divmod(ordinal, 7)
    return weeks * 5 + min(extra, 5)


def _weekday_number(count: int) -> int:
    """The ordinal of the ``count``-th Monday to Friday from ordinal 1 (the inverse of the above)."""
    weeks, extra = divmod(count - 1, 5)
    return weeks * 7 + extra + 1


def _counted(after: int, through: int, holidays: list[int] | None) -> int:
    """How many days count in ``(after, through]``: every day, or working days only."""
    if holidays is None:
        return through - after
    weekdays = _weekdays_through(through) - _weekdays_through(after)
    return weekdays - (bisect_right(holidays, through) - bisect_right(holidays, after))


def _nth_counted(after: int, n: int, holidays: list[int] | None) -> int:
    """The ordinal of the ``n``-th counted day after ``after`` (no obstacle in the way)."""
    if holidays is None:
        return after + n
    day = _weekday_number(_weekdays_through(after) + n)
    next_holiday = bisect_right(holidays, after)
    while next_holiday < len(holidays) and holidays[next_holiday] <= day:
        day = _weekday_number(_weekdays_through(day) + 1)  # one more day for each holiday passed
        next_holiday += 1
    return day
