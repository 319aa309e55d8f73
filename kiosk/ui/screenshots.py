"""Scripted scenes of the kiosk, used by the snapshot tests and to draw docs/screens/*.svg.

    python -m kiosk.ui.screenshots docs/screens

Each scene runs the real app over a freshly seeded demo crib with a fixed clock, so the
pictures are the same on every run.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import tempfile
from pathlib import Path
from typing import Any

from kiosk import bootstrap
from kiosk.clock import Clock
from kiosk.commands import scheme_of
from kiosk.demo import DEMO_PIN, PEOPLE, demo_settings, seed
from kiosk.store import Identity, Store

FIXED_NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
ANNA, JIRI, OGAKI = (p[3] for p in PEOPLE[:3])
# Tools by their place in kiosk.demo.TOOLS; `play` turns them into the seeded numbers.
DRILL, TORQUE_OVERDUE, GRINDER, TABLET = "tool:0", "tool:3", "tool:6", "tool:7"
PIN_CLICKS = [("click", f"#key-{digit}") for digit in DEMO_PIN] + [("click", "#key-ok")]

SCENES: dict[str, tuple[str, bool, list[tuple[str, ...]]]] = {
    "crib-idle": ("crib", True, []),
    "crib-session": ("crib", False, [("scan", ANNA), ("scan", DRILL), ("scan", TORQUE_OVERDUE)]),
    "crib-refused": ("crib", False, [("scan", JIRI), ("scan", DRILL)]),
    "gate-allowed": ("gate", False, [("scan", OGAKI), ("scan", TABLET)]),
    "gate-stop": ("gate", False, [("scan", ANNA), ("scan", TABLET)]),
    "returns-batch": ("returns", False, [("scan", GRINDER), ("scan", TABLET),
                                         ("click", "#touch-damaged")]),
    "attendant-pin": ("crib", False, [("click", "#touch-attendant"), ("scan", ANNA)]),
    "attendant-due-list": ("crib", False, [("click", "#touch-attendant"), ("scan", ANNA),
                                           *PIN_CLICKS, ("click", "#touch-due")]),
}


def make_app(mode: str, demo: bool, folder: Path) -> Any:
    """The kiosk app over a new demo crib in `folder`, with the clock stopped at FIXED_NOW."""
    from drivers.queue_scanner import QueueScanner
    from kiosk.ui.app import KioskApp

    settings = demo_settings(folder)
    clock = Clock(now=lambda: FIXED_NOW, synced=lambda: True)
    store = Store(settings.kiosk.database_path, Identity("HAM", "crib-1"), clock=clock)
    numbers = seed(store, scheme_of(settings))["assets"]
    runtime = bootstrap.build(settings, "test", store=store, station_mode=mode)
    samples = {"badge": [ANNA], "tool": numbers}
    app = KioskApp(runtime, QueueScanner(), demo=demo, samples=samples, tick_s=3600)
    app.tool_numbers = numbers
    return app


def number_of(app: Any, target: str) -> str:
    """A scene's "tool:N" as the seeded inventory number; anything else as it is."""
    if target.startswith("tool:"):
        return app.tool_numbers[int(target.removeprefix("tool:"))]
    return target


async def play(app: Any, pilot: Any, steps: list[tuple[str, ...]]) -> None:
    """Run a scene's steps, waiting for each scan to be handled and shown."""
    for kind, target, *_ in steps:
        if kind == "scan":
            expected = app.handled + 1
            app.scanner.put(number_of(app, target))
            while app.handled < expected:
                await pilot.pause()
        else:
            await pilot.click(target)
        await pilot.pause()
    # A pointer left over a just-clicked button shows it hovered or not depending on timing.
    await pilot.hover(None, offset=(0, 0))
    await pilot.pause()
    app.runtime.indicator.off()    # a still-blinking mirror would differ run to run


async def save_scene(name: str, out_dir: Path, size: tuple[int, int]) -> Path:
    mode, demo, steps = SCENES[name]
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(mode, demo, Path(folder))
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await play(app, pilot, steps)
            await pilot.pause()
            path = Path(app.save_screenshot(f"{name}.svg", str(out_dir)))
        app.runtime.close()
    return path


def main(argv: list[str]) -> int:
    out_dir = Path(argv[0] if argv else "docs/screens")
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in SCENES:
        print(asyncio.run(save_scene(name, out_dir, (100, 30))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
