"""The world the reliability harnesses run in: a seeded crib, scanner captures, signal pins.

Shared by `bench/crash_trials.py`, `bench/soak.py`, `bench/reliability.py` and
tests/reliability. Everything here is real: a SQLite file with migrations, the demo crib plus
extra workers and tools, `evtest` captures parsed by `drivers.evtest`, the real `KeyDecoder`,
`kiosk.classify` and the real station built by `kiosk.bootstrap` with the gpiozero indicator on
`MockFactory` pins.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from gpiozero.pins.mock import MockFactory, MockPin

from drivers.encoder import keystrokes, type_scan
from drivers.evtest import read_capture
from drivers.keycodes import EV_MSC, EV_SYN
from drivers.keymap import KeyDecoder
from kiosk import bootstrap
from kiosk.bootstrap import Runtime
from kiosk.classify import StoreLookups, classify
from kiosk.clock import Clock
from kiosk.commands import scheme_of
from kiosk.config import Settings, parse_settings
from kiosk.demo import seed
from kiosk.records import add_asset, add_badge, add_person
from kiosk.scanning import to_scan
from kiosk.scans import Classified
from kiosk.store import Identity, Store

ROOT = Path(__file__).resolve().parent.parent
HID_FIXTURES = ROOT / "tests" / "fixtures" / "hid"
# Real captures mixed in as noise: odd keys, Ctrl chords, Alt codes, dropped events.
NOISE_CAPTURES = ("C5a.evtest", "C7.evtest", "C9a.evtest", "C14a.evtest", "C16a.evtest",
                  "GS1-1.evtest")
WORKERS = 6
TOOLS = 40
GREEN_PIN = 17
FRAME_S = 0.004   # scanner pacing between SYN frames when replaying a capture
START = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)


def settings_for(folder: Path, mqtt: dict[str, object] | None = None,
                 **station: object) -> Settings:
    return parse_settings({
        "kiosk": {"site": "HAM", "kiosk_id": "crib-1", "data_dir": str(folder), "mode": "crib"},
        "gpio": {"pin_factory": "mock", "green": GREEN_PIN},
        "station": {"location": "CRIB", "session_idle_s": 600, **station},
        **({"mqtt": mqtt} if mqtt else {}),
    }, source="reliability harness")


class ManualClock(Clock):
    """Time that only moves when told to (compressed-time soak); reports itself synchronized."""

    def __init__(self, start: dt.datetime = START) -> None:
        self.moment = start
        super().__init__(now=lambda: self.moment, synced=lambda: True)

    def advance(self, seconds: float) -> None:
        self.moment += dt.timedelta(seconds=seconds)


@dataclass
class Crib:
    badges: list[str]       # raw badge numbers of workers who may take the extra tools
    tools: list[str]        # inventory numbers they may take
    demo_badges: list[str]  # demo people: one blocked, qualifications of every kind


def open_store(settings: Settings, clock: Clock | None = None) -> Store:
    return Store(settings.kiosk.database_path, Identity("HAM", "crib-1"), clock=clock)


def seed_crib(store: Store, settings: Settings, names: dict[str, str] | None = None) -> Crib:
    """Demo crib plus WORKERS people and TOOLS drills nobody needs a qualification for.

    `names` overrides person names by employee number (hostile-input tests seed escapes).
    """
    scheme = scheme_of(settings)
    demo = seed(store, scheme)
    badges, tools = [], []
    for index in range(WORKERS):
        employee_no = f"W{index:03d}"
        name = (names or {}).get(employee_no, f"Worker {index}")
        add_person(store, employee_no=employee_no, name=name, department="Assembly")
        badges.append(f"00050{index:05d}")
        add_badge(store, employee_no=employee_no, raw=badges[-1])
    due = str((store.clock.now() + dt.timedelta(days=3000)).date())
    for index in range(TOOLS):
        tools.append(add_asset(store, scheme, name=f"Drill {index}", category="DRL",
                               location="CRIB", next_inspection_due=due))
    return Crib(badges, tools, demo["badges"])


def workload(crib: Crib, scans: int, rng: random.Random) -> list[str]:
    """A morning at the crib: badge, a few tools (some scanned twice = undo), next badge."""
    texts: list[str] = []
    while len(texts) < scans:
        texts.append(rng.choice(crib.badges if rng.random() < 0.9 else crib.demo_badges))
        for _ in range(rng.randint(1, 6)):
            texts.append(rng.choice(crib.tools))
    return texts[:scans]


# -- captures ---------------------------------------------------------------------------------

Event = tuple[int, int, int]


def capture_text(events: list[Event], start: float = 1700000000.0) -> str:
    """Events in the text format `evtest` prints, so they go through `drivers.evtest`."""
    lines = ["Input driver version is 1.0.1",
             "Input device ID: bus 0x3 vendor 0x5e0 product 0x1200 version 0x110",
             'Input device name: "Reliability Scanner"', "Testing ... (interrupt to exit)"]
    now = start
    for type_, code, value in events:
        stamp = f"Event: time {now:.6f},"
        if type_ == EV_SYN:
            lines.append(f"{stamp} -------------- SYN_REPORT ------------")
            now += FRAME_S
        elif type_ == EV_MSC:
            lines.append(f"{stamp} type 4 (EV_MSC), code 4 (MSC_SCAN), value {value:x}")
        else:
            lines.append(f"{stamp} type {type_} (EV_KEY), code {code} (KEY_?), value {value}")
    return "\n".join(lines) + "\n"


def write_capture(path: Path, texts: list[str], rng: random.Random, noise_every: int = 25) -> None:
    """Type `texts` as a US-layout scanner would, with real noisy captures mixed in."""
    strokes = keystrokes("us")
    noise = [[(e.type, e.code, e.value) for e in read_capture(str(HID_FIXTURES / name)).events]
             for name in NOISE_CAPTURES]
    events: list[Event] = []
    for index, text in enumerate(texts):
        events += type_scan(text, strokes)
        if noise_every and index % noise_every == noise_every - 1:
            events += rng.choice(noise)
    path.write_text(capture_text(events), encoding="utf-8")


def load_events(path: Path) -> list[Event]:
    return [(e.type, e.code, e.value) for e in read_capture(str(path)).events]


def scan_starts(events: list[Event]) -> list[int]:
    """Event indexes where a fresh decoder can start and decode whole scans."""
    decoder, starts, now = KeyDecoder(), [0], 0.0
    for index, (type_, code, value) in enumerate(events):
        if decoder.feed(type_, code, value, now) and index + 1 < len(events):
            starts.append(index + 1)
        if type_ == EV_SYN:
            now += FRAME_S
    return starts


def decoded_scans(events: list[Event], start: int = 0) -> Iterator[object]:
    """Replay events from `start` through a fresh KeyDecoder, forever (wrapping around)."""
    decoder, now, index = KeyDecoder(), 0.0, start
    while True:
        type_, code, value = events[index]
        yield from decoder.feed(type_, code, value, now)
        if type_ == EV_SYN:
            now += FRAME_S
            yield from decoder.poll(now)
        index = (index + 1) % len(events)


# -- the station ------------------------------------------------------------------------------

class SignalPin(MockPin):
    """A MockPin that tells waiting threads when it goes high and keeps a bounded history.

    gpiozero's MockPin appends every change to `states` forever; a 200,000-scan soak would
    measure that list instead of the kiosk, so only the last 64 changes are kept.
    """

    def __init__(self, factory: MockFactory, info: object) -> None:
        self.went_high = threading.Event()
        super().__init__(factory, info)
        self.states = deque(self.states, maxlen=64)

    def clear_states(self) -> None:
        super().clear_states()
        self.states = deque(self.states, maxlen=64)

    def _change_state(self, value: bool) -> bool:
        changed = super()._change_state(value)
        if value:
            self.went_high.set()
        return changed


def build_station(settings: Settings, store: Store) -> tuple[Runtime, SignalPin]:
    factory = MockFactory(pin_class=SignalPin)
    runtime = bootstrap.build(settings, "test", pin_factory=factory, store=store)
    return runtime, factory.pin(GREEN_PIN)


def classify_scan(decoded: object, store: Store, settings: Settings) -> Classified:
    return classify(to_scan(decoded), StoreLookups(store), settings)
