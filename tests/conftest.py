"""Fixtures that build the world: a real SQLite file with migrations applied."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kiosk.clock import Clock
from kiosk.config import Settings, parse_settings
from kiosk.numbering import Scheme, parse_scheme
from kiosk.store import Identity, Store

FIXTURES = Path(__file__).parent / "fixtures"


class FrozenClock(Clock):
    """A clock the test moves by hand; reports itself synchronized."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.moment = start or dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
        super().__init__(now=lambda: self.moment, synced=lambda: True)

    def advance(self, **delta: float) -> None:
        self.moment += dt.timedelta(**delta)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return parse_settings({
        "kiosk": {"site": "HAM", "kiosk_id": "crib-1", "data_dir": str(tmp_path)},
        "gpio": {"pin_factory": "mock"},
    }, source="test")


@pytest.fixture
def store(tmp_path: Path, clock: FrozenClock) -> Store:
    db = Store(tmp_path / "kiosk.db", Identity("HAM", "crib-1"), clock=clock)
    yield db
    db.close()


@pytest.fixture
def scheme() -> Scheme:
    return parse_scheme("{site}-{category}-{yy}{seq:05}{check}", "damm")
