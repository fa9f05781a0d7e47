"""The date types every request uses: the ranges of :mod:`domain.dates`, refused at the edge.

A date outside its range is a 422 problem naming the field, before any clock counts or any
date arithmetic can overflow; the domain refuses the same dates for the console and the
generator.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from annotated_types import Ge, Le
from pydantic import AfterValidator, WithJsonSchema

from domain.dates import EARLIEST_BIRTH_DAY, EARLIEST_PROCESS_DAY, LAST_PROCESS_DAY


def _dates(
    earliest: date,
    latest: date,
    example: str,
    latest_text: str | None = None,
    kind: str = "date",
) -> WithJsonSchema:
    """The range in OpenAPI, which has no bounds of its own for dates, and an example."""
    last = latest_text or latest.isoformat()
    return WithJsonSchema(
        {
            "type": "string",
            "format": kind,
            "formatMinimum": earliest.isoformat(),
            "formatMaximum": latest.isoformat(),
            "description": f"Từ {earliest.isoformat()} đến {last}",
            "examples": [example],
        }
    )


#: A day of the process: received, learnt of, accepted, decided, effective, valid from...
ProcessDate = Annotated[
    date,
    Ge(EARLIEST_PROCESS_DAY),
    Le(LAST_PROCESS_DAY),
    _dates(EARLIEST_PROCESS_DAY, LAST_PROCESS_DAY, "2026-03-01"),
]
#: A date of birth; the service also refuses one after today.
BirthDate = Annotated[
    date,
    Ge(EARLIEST_BIRTH_DAY),
    Le(LAST_PROCESS_DAY),
    _dates(EARLIEST_BIRTH_DAY, LAST_PROCESS_DAY, "1987-05-04", "hôm nay"),
]
#: The day a document offered as evidence was issued (it may be older than the ledger).
DocumentDate = Annotated[
    date,
    Ge(EARLIEST_BIRTH_DAY),
    Le(LAST_PROCESS_DAY),
    _dates(EARLIEST_BIRTH_DAY, LAST_PROCESS_DAY, "2026-01-15"),
]


def _within_process_range(instant: datetime) -> datetime:
    if not EARLIEST_PROCESS_DAY <= instant.date() <= LAST_PROCESS_DAY:
        raise ValueError(
            f"thời điểm ngoài khoảng {EARLIEST_PROCESS_DAY.isoformat()} … "
            f"{LAST_PROCESS_DAY.isoformat()}"
        )
    return instant


#: An instant of the log (as of, known at, since, until), on a day of the process range.
ProcessInstant = Annotated[
    datetime,
    AfterValidator(_within_process_range),
    _dates(EARLIEST_PROCESS_DAY, LAST_PROCESS_DAY, "2026-03-01T09:00:00+07:00", kind="date-time"),
]
