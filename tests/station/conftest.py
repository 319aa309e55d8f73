"""The station's world: the demo crib in a real SQLite file, gpiozero's MockFactory, and
scans as the classifier would hand them over."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gpiozero.pins.mock import MockFactory

from kiosk import bootstrap
from kiosk.badges import normalize_badge
from kiosk.bootstrap import Runtime
from kiosk.config import Settings, parse_settings
from kiosk.demo import seed
from kiosk.numbering import Scheme
from kiosk.scans import Classified, Scan
from kiosk.store import Store

ANNA, JIRI, OGAKI, BLOCKED = "0004011234", "0004015678", "0004019999", "0004020000"


def station_settings(tmp_path: Path, mode: str = "crib", **station: Any) -> Settings:
    return parse_settings({
        "kiosk": {"site": "HAM", "kiosk_id": "crib-1", "data_dir": str(tmp_path), "mode": mode},
        "gpio": {"pin_factory": "mock", "relay": 23, "relay_active_high": False},
        "station": {"location": "CRIB", **station},
    }, source="test")


@pytest.fixture
def mock_factory() -> Iterator[MockFactory]:
    factory = MockFactory()
    yield factory
    factory.reset()


@pytest.fixture
def world(store: Store, scheme: Scheme) -> dict[str, list[str]]:
    return seed(store, scheme)


@pytest.fixture
def make_runtime(tmp_path: Path, store: Store, world: dict, mock_factory: MockFactory):
    made: list[Runtime] = []

    def make(mode: str = "crib", **station: Any) -> Runtime:
        runtime = bootstrap.build(station_settings(tmp_path, mode, **station), "test",
                                  pin_factory=mock_factory, store=store)
        made.append(runtime)
        return runtime

    yield make
    for runtime in made:
        runtime.indicator.close()   # closing twice is harmless in gpiozero


def badge(raw: str) -> Classified:
    return Classified(Scan(raw, role="badge"), "badge", normalize_badge(raw))


def tool(number: str) -> Classified:
    return Classified(Scan(number, role="tool"), "asset", number)


def events(store: Store, event_type: str | None = None) -> list[dict[str, Any]]:
    rows = store.all("SELECT * FROM events ORDER BY seq")
    rows = [r for r in rows if event_type is None or r["type"] == event_type]
    for row in rows:
        row["payload"] = json.loads(row["payload"])
    return rows


def asset_row(store: Store, number: str) -> dict[str, Any]:
    row = store.one("SELECT * FROM assets WHERE number = ?", [number])
    assert row is not None
    return row


def pin_history(factory: MockFactory, pin: int) -> list[bool]:
    return [state.state for state in factory.pin(pin).states]


@pytest.fixture
def demo_app(tmp_path: Path):
    """The demo crib app (simulated scanner line and GPIO panel), closed afterwards."""
    from kiosk.ui.screenshots import make_app

    app = make_app("crib", True, tmp_path)
    yield app
    app.runtime.close()


def shown(app, widget_type) -> str:  # noqa: ANN001 - a Textual app and widget class
    """The plain text a widget of the current screen shows."""
    return app.screen.query_one(widget_type).render().plain
