"""The dates the ledger accepts: one documented range for every date a command brings in.

Process dates (a complaint learnt of, received, accepted, resolved; a case opened, assessed,
decided; a notice posted and closed; a council formed; an obstacle; a move; a unit's validity;
the day rules take effect...) lie within 2000-01-01 … 2100-12-31. The lower bound is older than
anything the ledger serves: the learning-society titles date from the 2010s (Decision 281 of
2014, Circular 22 of 2020, the Law on Complaints of 2011 in force from 2012-07-01), and the
oldest units the demo and the generator establish are valid from 2008-01-01; tests start units
at 2000-01-01. The upper bound keeps every computed deadline, validity and expiry far from the
end of the calendar, and matches the cycle years (2000 … 2100) the API accepts.

Birth dates lie within 1900-01-01 … today (no living person was born earlier, nobody is born
tomorrow); documents offered as evidence (a diploma, a certificate) within 1900-01-01 …
2100-12-31, since one may be older than the ledger.

A date outside its range is refused with :class:`~domain.errors.DateOutOfRange` naming the
field, so the API, the console and the data generator all refuse it the same way, and no clock
ever counts across centuries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from domain.errors import DateOutOfRange

EARLIEST_PROCESS_DAY = date(2000, 1, 1)
LAST_PROCESS_DAY = date(2100, 12, 31)
EARLIEST_BIRTH_DAY = date(1900, 1, 1)

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_day(value: object) -> date:
    """A day in a published document: ``YYYY-MM-DD`` with ASCII digits (a ``date`` passes as
    it is). ValueError otherwise: ``20250701``, ``2025-W27-2`` and ``２０２５-07-01`` are read
    by ``date.fromisoformat`` or look like dates to a reader, and are not dates here."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        raise ValueError(f"ngày phải viết YYYY-MM-DD: {value!r}")
    return date.fromisoformat(value)


@dataclass(frozen=True)
class DateRange:
    """Both ends included."""

    earliest: date
    latest: date

    def check(self, day: date, field: str) -> date:
        """``day`` itself, or :class:`DateOutOfRange` naming ``field``."""
        if not self.earliest <= day <= self.latest:
            raise DateOutOfRange(
                f"{field}: ngày {day.isoformat()} ngoài khoảng chấp nhận "
                f"{self.earliest.isoformat()} … {self.latest.isoformat()}",
                field=field,
                value=day.isoformat(),
                earliest=self.earliest.isoformat(),
                latest=self.latest.isoformat(),
            )
        return day


PROCESS_DATES = DateRange(EARLIEST_PROCESS_DAY, LAST_PROCESS_DAY)
DOCUMENT_DATES = DateRange(EARLIEST_BIRTH_DAY, LAST_PROCESS_DAY)


def birth_dates(today: date) -> DateRange:
    return DateRange(EARLIEST_BIRTH_DAY, today)


def check_process_dates(**days: date | None) -> None:
    """Refuse the first of the named dates that lies outside the process range."""
    for field, day in days.items():
        if day is not None:
            PROCESS_DATES.check(day, field)


def age_reached(born: date, years: int, on: date) -> bool:
    """Whether someone born on ``born`` is ``years`` old or more on ``on``: the birthday
    itself counts ("đủ 15 tuổi" on the fifteenth birthday). Born on 29 February, the
    birthday of a common year is 1 March: the age is never reached before the person has
    lived every day of it."""
    try:
        birthday = born.replace(year=born.year + years)
    except ValueError:  # 29 February in a common year
        birthday = date(born.year + years, 3, 1)
    return on >= birthday
