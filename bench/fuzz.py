"""Hypothesis fuzzing of the whole path, counted instead of asserted (for the bench table).

Inside one running Textual app (`App.run_test`), each case goes: random key events ->
KeyDecoder -> kiosk.classify -> station -> `KioskApp.present` (the same call the scan loop
makes) -> what the status panel, session list and prompt render. Hostile text cases skip the
decoder (a scan can carry any text: HQ, CSV, a keyboard wedge in another layout). A case
fails as a *crash* if anything raises or the station answers "system error" (its net for an
unexpected exception), and as an *escape* if a rendered widget holds a C0/C1/ESC character.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gpiozero.pins.mock import MockFactory
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bench.hostile import ESCAPES, hostile_text, shown_is_safe
from bench.reliability_world import open_store, seed_crib, settings_for
from drivers.keycodes import EV_KEY, EV_MSC, EV_SYN, SYN_DROPPED, SYN_REPORT
from drivers.keymap import KeyDecoder
from drivers.queue_scanner import QueueScanner
from kiosk import bootstrap
from kiosk.classify import StoreLookups, classify
from kiosk.scanning import to_scan
from kiosk.scans import Scan
from kiosk.ui.app import KioskApp
from kiosk.ui.widgets import Prompt, SessionList, StatusPanel

KEY_EVENT = st.one_of(
    st.tuples(st.just(EV_KEY), st.integers(0, 0x2FF), st.sampled_from([0, 1, 1, 2])),
    st.tuples(st.just(EV_SYN), st.sampled_from([SYN_REPORT, SYN_REPORT, SYN_DROPPED]),
              st.just(0)),
    st.tuples(st.just(EV_MSC), st.just(4), st.integers(0, 0xFFFFFFFF)))
ROLES = st.sampled_from(["any", "tool", "badge"])


@dataclass
class FuzzReport:
    cases: int = 0           # Hypothesis examples (a key stream may decode to 0..n scans)
    scans: int = 0
    crashes: int = 0
    escapes: int = 0
    examples: list[str] = field(default_factory=list)


class Target:
    """One app over a seeded crib whose worker names are escape payloads."""

    def __init__(self, folder: Path) -> None:
        self.config = settings_for(folder)
        self.store = open_store(self.config)
        names = {f"W{i:03d}": payload for i, (payload, _) in enumerate(ESCAPES[:5])}
        self.world = seed_crib(self.store, self.config, names=names)
        self.runtime = bootstrap.build(self.config, "test", pin_factory=MockFactory(),
                                       store=self.store)
        self.app = KioskApp(self.runtime, QueueScanner())
        self.report = FuzzReport()

    def case(self, scan: Scan) -> None:
        self.report.scans += 1
        try:
            classified = classify(scan, StoreLookups(self.store), self.config)
            outcome = self.runtime.station.scan(classified)
            self.app.present(outcome)
            shown = " ".join(self.app.screen.query_one(w).render().plain
                             for w in (StatusPanel, SessionList, Prompt))
        except Exception as exc:  # counted, not raised: the bench reports every failure
            self._note("crash", scan, repr(exc))
            return
        if outcome.code == "system-error":
            self._note("crash", scan, "station answered system error")
        if not shown_is_safe(shown.replace("\n", " ")):
            self._note("escape", scan, shown[:120])

    def _note(self, kind: str, scan: Scan, detail: str) -> None:
        if kind == "crash":
            self.report.crashes += 1
        else:
            self.report.escapes += 1
        if len(self.report.examples) < 5:
            self.report.examples.append(f"{kind}: {scan.text[:60]!r}: {detail}")

    def close(self) -> None:
        self.runtime.close()


def _fuzz_settings(cases: int) -> settings:
    return settings(max_examples=cases, deadline=None, database=None,
                    phases=[Phase.generate], suppress_health_check=list(HealthCheck))


def run_cases(target: Target, text_cases: int, stream_cases: int) -> None:
    """Blocking: call from inside `app.run_test()` so the widgets are mounted."""
    badges = target.world.badges

    @_fuzz_settings(text_cases)
    @given(text=hostile_text(), role=ROLES, badge_first=st.booleans())
    def texts(text: str, role: str, badge_first: bool) -> None:
        target.report.cases += 1
        if badge_first:   # inside a session refusals are listed on screen too
            target.case(Scan(badges[len(text) % len(badges)]))
        target.case(Scan(text, role=role))

    @_fuzz_settings(stream_cases)
    @given(events=st.lists(KEY_EVENT, max_size=300))
    def streams(events: list[tuple[int, int, int]]) -> None:
        target.report.cases += 1
        decoder, now, decoded = KeyDecoder(), 0.0, []
        for type_, code, value in events:
            decoded += decoder.feed(type_, code, value, now)
            now += 0.004
        for scan in decoded + decoder.poll(now + 5):
            target.case(to_scan(scan))

    texts()
    streams()


async def fuzz_app(folder: Path, text_cases: int, stream_cases: int) -> FuzzReport:
    target = Target(folder)
    try:
        async with target.app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            run_cases(target, text_cases, stream_cases)
            await pilot.pause()
            if not target.app.is_running:
                target.report.crashes += 1
    finally:
        target.close()
    return target.report
