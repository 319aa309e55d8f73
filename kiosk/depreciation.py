"""Straight-line depreciation: what an asset is worth on the books today.

The purchase cost falls in equal steps per day over the category's useful life
and never below zero. Without a cost, a purchase date or a useful life there
is no book value, and `book_value` says which one is missing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class BookValue:
    value: float | None        # None when it cannot be computed
    reason: str                # how it was computed, or what is missing

    def __str__(self) -> str:
        return self.reason if self.value is None else f"{self.value:.2f} ({self.reason})"


def book_value(cost: float | None, purchased: str | dt.date | None, life_years: int | None,
               on: dt.date) -> BookValue:
    """Book value on day `on`; ISO text is accepted for the purchase date."""
    missing = [what for what, value in (("purchase cost", cost), ("purchase date", purchased),
                                        ("useful life of the category", life_years))
               if value in (None, "")]
    if missing:
        return BookValue(None, f"unknown: no {' and no '.join(missing)}")
    if isinstance(purchased, str):
        purchased = dt.date.fromisoformat(purchased)
    if life_years <= 0:
        return BookValue(0.0, "written off at once (useful life 0 years)")
    elapsed = max((on - purchased).days, 0)
    remaining = max(0.0, 1 - elapsed / (life_years * DAYS_PER_YEAR))
    value = round(cost * remaining, 2)
    return BookValue(value, f"straight-line over {life_years} years from {purchased}, "
                            f"cost {cost:.2f}")
