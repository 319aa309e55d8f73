"""Calendar dates typed by people or exported by spreadsheets.

A column of dates is read with ONE format for the whole column, chosen from
the formats that fit every value. `03/04/2024` fits both day/month and
month/day; when a column has only such values the caller's preference decides
and the choice is reported, never made silently.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from kiosk.errors import KioskError


@dataclass(frozen=True)
class DateFormat:
    pattern: str   # strptime pattern
    label: str     # words shown to people
    order: str     # "iso", "dmy" or "mdy": which preference picks it among look-alikes


FORMATS = (
    DateFormat("%Y-%m-%d", "year-month-day (ISO 8601)", "iso"),
    DateFormat("%Y/%m/%d", "year/month/day", "iso"),
    DateFormat("%d.%m.%Y", "day.month.year", "dmy"),
    DateFormat("%d.%m.%y", "day.month.2-digit year", "dmy"),
    DateFormat("%d/%m/%Y", "day/month/year", "dmy"),
    DateFormat("%d/%m/%y", "day/month/2-digit year", "dmy"),
    DateFormat("%d-%m-%Y", "day-month-year", "dmy"),
    DateFormat("%m/%d/%Y", "month/day/year (US)", "mdy"),
    DateFormat("%m/%d/%y", "month/day/2-digit year (US)", "mdy"),
)
# Spreadsheets append a midnight time to dates ("2024-03-18 00:00:00", "1/23/2023 0:00").
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_SERIAL = re.compile(r"^\d{5}(\.\d+)?$")


class DateProblem(KioskError, ValueError):
    """A date that cannot be read, or a column mixing formats."""


def parse_iso_day(text: str, what: str = "date") -> dt.date:
    """A date typed as YYYY-MM-DD; anything else is refused in words."""
    try:
        return dt.datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise DateProblem(f"{what} {text!r} is not a date like 2026-12-31 "
                          "(year-month-day)") from None


def _try(fmt: DateFormat, text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(_TIME_SUFFIX.sub("", text.strip()), fmt.pattern).date()
    except ValueError:
        return None


def is_serial(text: str) -> bool:
    """A spreadsheet's day count (45000 = 2023-03-15) where a date should be."""
    return bool(_SERIAL.match(text.strip()))


def why_not_a_date(text: str) -> str:
    """Plain words for a value that fits no known date format."""
    if is_serial(text):
        return (f"{text!r} looks like a spreadsheet date serial number; format the column "
                "as a date before exporting")
    return (f"{text!r} is not a date in a known format (e.g. 2024-03-18, 18.03.2024, "
            "3/18/2024)")


def choose_format(values: Sequence[str], prefer: str = "dmy") -> DateFormat | None:
    """The format for a whole column: fits every non-empty value; None if none fits all.

    Among several that fit, ISO wins, then `prefer` ("dmy" or "mdy").
    """
    filled = [v for v in values if v.strip()]
    if not filled:
        return None
    fitting = [f for f in FORMATS if all(_try(f, v) is not None for v in filled)]
    if not fitting:
        return None
    ranked = sorted(fitting, key=lambda f: (f.order != "iso", f.order != prefer))
    return ranked[0]


def is_ambiguous(values: Sequence[str], chosen: DateFormat) -> bool:
    """True when another format of a different order reads the same column differently."""
    filled = [v for v in values if v.strip()]
    for other in FORMATS:
        if other.order == chosen.order:
            continue
        readings = [_try(other, v) for v in filled]
        if all(r is not None for r in readings) and readings != [_try(chosen, v) for v in filled]:
            return True
    return False


def parse_with_or_none(fmt: DateFormat, text: str) -> dt.date | None:
    return _try(fmt, text)


def parse_with(fmt: DateFormat, text: str) -> dt.date:
    day = _try(fmt, text)
    if day is None:
        raise DateProblem(f"{text!r} does not match the column's format {fmt.label}")
    return day


def best_single_format(values: Sequence[str]) -> DateFormat | None:
    """The format that reads most values, used to point at the odd ones out."""
    filled = [v for v in values if v.strip()]
    scored = [(sum(_try(f, v) is not None for v in filled), f) for f in FORMATS]
    count, fmt = max(scored, key=lambda pair: pair[0])
    return fmt if count else None
