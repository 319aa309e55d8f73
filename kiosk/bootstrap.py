"""The composition root: the only place that chooses real, mock or fake drivers.

`build(settings, mode)` with mode "hardware" (a Pi), "demo" (any laptop, no hardware) or
"test" (pytest). Driver modules are imported here, lazily, so `kiosk` itself never imports
gpiozero and demo mode runs where no GPIO library works.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.classify import StoreLookups
from kiosk.classify import classify as classify_scan
from kiosk.commands import open_store
from kiosk.config import Settings
from kiosk.errors import KioskError
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
    print_queue: Any = None
    print_listeners: list[Callable[[Any], None]] = field(default_factory=list)

    def close(self) -> None:
        self.indicator.off()
        self.indicator.close()   # the relay goes to its safe level first
        if self.print_queue is not None:
            self.print_queue.stop()
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


def escpos_queue(settings: Settings, store: Store, mode: str, folder: Path,
                 listeners: list[Callable[[Any], None]]) -> Any:
    """The ESC/POS printer behind a queue worker: printing never delays LED or screen."""
    from drivers.escpos_printer import printer_from_config
    from kiosk.print_queue import PrintQueue
    from kiosk.printdoc import media_for

    p = settings.printer
    printer = printer_from_config(p.connection, p.target, profile=p.profile,
                                  codepage=p.codepage, timeout_s=p.timeout_s,
                                  usb_in_ep=p.usb_in_ep, usb_out_ep=p.usb_out_ep,
                                  output_dir=str(folder), check_status=p.check_status)

    def tell(notice: Any) -> None:
        for listener in list(listeners):
            listener(notice)

    return PrintQueue(store, printer, max_attempts=p.max_attempts, on_notice=tell,
                      media=media_for(p.width_mm, p.media), codepage=p.codepage,
                      preview_dir=folder if mode == "demo" else None)


def print_sinks(settings: Settings, store: Store, queue: Any, folder: Path, mode: str
                ) -> tuple[Callable[[Receipt], None], Callable[[LabelRequest], None]]:
    """Receipts and labels go to the print queue; demo and tests also keep a text copy."""
    from kiosk.print_bridge import printable_label, printable_receipt

    text_receipt, text_label = file_sinks(folder)
    keep_text = mode in ("demo", "test")

    def receipt(record: Receipt) -> None:
        if keep_text:
            text_receipt(record)
        queue.enqueue_receipt(store, printable_receipt(record))

    def label(request: LabelRequest) -> None:
        if keep_text:
            text_label(request)
        queue.enqueue_label(store, printable_label(request, store.identity.site))

    return receipt, label


def build(settings: Settings, mode: str, *, pin_factory: Any = None,
          store: Store | None = None, station_mode: str | None = None) -> Runtime:
    if mode not in MODES:
        raise KioskError(f"unknown run mode {mode!r}; use one of {', '.join(MODES)}")
    store = store or open_store(settings)
    indicator = build_indicator(settings, pin_factory or pin_factory_for(settings, mode))
    folder = prints_dir(settings)
    listeners: list[Callable[[Any], None]] = []
    queue = escpos_queue(settings, store, mode, folder, listeners)
    receipt, label = print_sinks(settings, store, queue, folder, mode)
    station = Station(store, settings, indicator, print_receipt=receipt, print_label=label,
                      mode=station_mode)
    queue.start()
    lookups = StoreLookups(store)

    def classify(scan: Scan) -> Classified:
        return classify_scan(scan, lookups, settings)

    return Runtime(station, store, indicator, classify, folder, queue, listeners)


class HubScans:
    """The evdev scanner hub as a scan source: each decoded scan becomes a kiosk `Scan`."""

    def __init__(self, settings: Settings) -> None:
        from drivers.scanners import ScannerHub
        from kiosk.scanning import specs_of

        self.hub = ScannerHub(specs_of(settings))

    async def scans(self) -> AsyncIterator[Scan]:
        from kiosk.scanning import to_scan

        async with self.hub:
            async for spec, decoded in self.hub.scans():
                yield to_scan(decoded, spec.identity, spec.role)


def scan_source(settings: Settings, mode: str) -> Any:
    """evdev scanners on the Pi; the keyboard-fed queue in demo and tests."""
    if mode == "hardware":
        return HubScans(settings)
    from drivers.queue_scanner import QueueScanner

    return QueueScanner()
