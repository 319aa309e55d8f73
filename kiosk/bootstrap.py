"""The composition root: the only place that chooses real, mock or fake drivers.

`build(settings, mode)` with mode "hardware" (a Pi), "demo" (any laptop, no hardware) or
"test" (pytest). Driver modules are imported here, lazily, so `kiosk` itself never imports
gpiozero and demo mode runs where no GPIO library works.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.commands import open_store
from kiosk.config import Settings
from kiosk.errors import KioskError
from kiosk.lookup_classify import classify_by_lookup
from kiosk.outcome import LabelRequest, Receipt, receipt_text
from kiosk.scans import Classified, Scan
from kiosk.station import Station
from kiosk.store import Store
from kiosk.text import visible

MODES = ("hardware", "demo", "test")


@dataclass
class Runtime:
    """Everything the app (or a headless loop) needs, and how to shut it down safely."""

    station: Station
    store: Store
    indicator: Any
    classify: Callable[[Scan], Classified]
    prints_dir: Path

    def close(self) -> None:
        self.indicator.off()
        self.indicator.close()   # the relay goes to its safe level first
        self.store.close()


def pin_factory_for(settings: Settings, mode: str) -> Any:
    """lgpio on a Pi (unless config says mock); gpiozero's MockFactory for demo and tests."""
    if mode == "hardware" and settings.gpio.pin_factory == "lgpio":
        try:
            from gpiozero.pins.lgpio import LGPIOFactory
        except ImportError as exc:
            raise KioskError(f"the lgpio library is missing ({exc}); install python3-lgpio "
                             "or set [gpio] pin_factory = \"mock\"") from exc
        return LGPIOFactory()
    from gpiozero.pins.mock import MockFactory

    return MockFactory()


def build_indicator(settings: Settings, pin_factory: Any) -> Any:
    from drivers.gpio_indicator import GpioIndicator, IndicatorPins

    gpio = settings.gpio
    pins = IndicatorPins(gpio.green, gpio.red, gpio.amber, gpio.buzzer, gpio.relay,
                         gpio.relay_active_high, gpio.relay_pulse_s)
    return GpioIndicator(pins, pin_factory)


def prints_dir(settings: Settings) -> Path:
    return Path(settings.printer.output_dir) if settings.printer.output_dir else (
        settings.data_dir / "prints")


def file_sinks(folder: Path) -> tuple[Callable[[Receipt], None], Callable[[LabelRequest], None]]:
    """Receipts and labels saved as text files (demo, tests, and until ESC/POS is wired)."""
    from drivers.recording import FilePrinter

    printer = FilePrinter(folder)

    def receipt(record: Receipt) -> None:
        printer.save(f"receipt-{record.transaction_id}", receipt_text(record))

    def label(request: LabelRequest) -> None:
        printer.save(f"label-{request.number}", f"{visible(request.number)}\n"
                     f"{visible(request.name)}\nQR: {visible(request.qr)}\n")

    return receipt, label


def build(settings: Settings, mode: str, *, pin_factory: Any = None,
          store: Store | None = None, station_mode: str | None = None) -> Runtime:
    if mode not in MODES:
        raise KioskError(f"unknown run mode {mode!r}; use one of {', '.join(MODES)}")
    store = store or open_store(settings)
    indicator = build_indicator(settings, pin_factory or pin_factory_for(settings, mode))
    folder = prints_dir(settings)
    receipt, label = file_sinks(folder)
    station = Station(store, settings, indicator, print_receipt=receipt, print_label=label,
                      mode=station_mode)
    badge_format = settings.scanners[0].badge_format if settings.scanners else "decimal"

    def classify(scan: Scan) -> Classified:
        return classify_by_lookup(scan, store, badge_format)

    return Runtime(station, store, indicator, classify, folder)
