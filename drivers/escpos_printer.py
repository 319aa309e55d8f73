"""Receipt printer over ESC/POS: build a job's bytes, send them over one connection.

    printer = printer_from_config("usb", "04b8:0e15", profile="TM-T20II",
                                  codepage="CP858", timeout_s=5)
    printer.send(printer.render(ops))      # blocking: call it from a worker thread

Connections: ``usb`` (VID:PID, explicit endpoints and a write timeout in ms,
because python-escpos' default 0 waits forever, ESC-05), ``network``
(host[:port], default 9100, connect/write timeout in seconds, ESC-06),
``serial`` (device[:baud]), ``file`` (a device node such as /dev/usb/lp0 or a
plain file) and ``dummy`` (keeps jobs in memory and, if given a folder, writes
each to a .bin file). The connection is opened per job and closed after it, so a
rebooted printer or a second client never leaves a dead socket behind.

Failures raise `PrinterError` subclasses whose text is meant for the screen.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import Any

from drivers.escpos_render import RenderError, load_escpos, render

CONNECTIONS = ("usb", "network", "serial", "file", "dummy")
DUMMY_KEEP = 100  # jobs the dummy connection keeps in memory (tests, previews)


class PrinterError(Exception):
    """A job could not be printed; the text says why in plain words."""


class PrinterOffline(PrinterError, ConnectionError):
    """The printer cannot be reached (unplugged, switched off, wrong address)."""


class PaperOut(PrinterError):
    """The printer reports that its paper roll is empty."""


class PrinterTimeout(PrinterError, TimeoutError):
    """The printer did not accept the job in time."""


class EscposPrinter:
    """Implements the kiosk's PrinterPort: `render(ops)`, `send(job)`, `is_ready()`."""

    def __init__(self, connection: str, target: str = "", *, profile: str = "TM-T20II",
                 codepage: str = "CP858", timeout_s: float = 5.0, usb_in_ep: int = 0x82,
                 usb_out_ep: int = 0x01, output_dir: str = "", check_status: bool = True) -> None:
        if connection not in CONNECTIONS:
            raise PrinterError(f"unknown printer connection {connection!r}; use one of "
                               f"{', '.join(CONNECTIONS)}")
        self.connection, self.target = connection, target
        self.profile, self.codepage, self.timeout_s = profile, codepage, timeout_s
        self.usb_in_ep, self.usb_out_ep = usb_in_ep, usb_out_ep
        self.output_dir = Path(output_dir) if output_dir else None
        self.check_status = check_status
        self.sent: list[bytes] = []  # dummy connection: the last DUMMY_KEEP jobs, in order

    def render(self, ops: list[dict[str, Any]]) -> bytes:
        return render(ops, profile=self.profile, codepage=self.codepage)

    def send(self, job: bytes) -> None:
        """Open, (check paper), write the whole job, close. Blocks up to about timeout_s."""
        if self.connection == "dummy":
            self._keep(job)
            return
        device = self.transport()
        try:
            self._open(device)
            if self.check_status and self.connection != "file":
                self._refuse_if_paper_out(device)
            device._raw(job)  # the one primitive every escpos transport implements
        except PrinterError:
            raise
        except Exception as exc:
            raise self._explain(exc) from exc
        finally:
            self._close(device)

    def is_ready(self) -> tuple[bool, str]:
        """(True, "ready") or (False, reason); "unknown" status counts as ready (ESC-12)."""
        if self.connection == "dummy":
            return True, "ready"
        device = self.transport()
        try:
            self._open(device)
            if self.connection != "file":
                self._refuse_if_paper_out(device)
            return True, "ready"
        except PrinterError as exc:
            return False, str(exc)
        except Exception as exc:
            return False, str(self._explain(exc))
        finally:
            self._close(device)

    def transport(self) -> Any:
        """A closed python-escpos printer object for this connection (keyword arguments only)."""
        printer = load_escpos()["printer"]
        if self.connection == "usb":
            vendor, product = parse_usb_target(self.target)
            return printer.Usb(idVendor=vendor, idProduct=product, usb_args={},
                               timeout=int(self.timeout_s * 1000), in_ep=self.usb_in_ep,
                               out_ep=self.usb_out_ep, profile=self.profile)
        if self.connection == "network":
            host, _, port = self.target.partition(":")
            return printer.Network(host=host, port=int(port or 9100), timeout=self.timeout_s,
                                   profile=self.profile)
        if self.connection == "serial":
            device, _, baud = self.target.partition(":")
            return printer.Serial(devfile=device, baudrate=int(baud or 9600),
                                  timeout=self.timeout_s, profile=self.profile)
        return printer.File(devfile=self.target, auto_flush=True, profile=self.profile)

    def _keep(self, job: bytes) -> None:
        self.sent.append(job)
        if len(self.sent) > DUMMY_KEEP:  # "dummy" is the default connection: a kiosk run
            del self.sent[:-DUMMY_KEEP]   # for months must not hold every receipt in memory
        if self.output_dir is not None:
            self.output_dir.mkdir(parents=True, exist_ok=True)
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
            (self.output_dir / f"job-{stamp}.bin").write_bytes(job)

    def _open(self, device: Any) -> None:
        try:
            device.open(raise_not_found=True)
        except Exception as exc:
            raise self._explain(exc) from exc
        if self.connection in ("usb", "network", "serial") and not device._device:
            raise PrinterOffline(f"printer not found at {self.connection} {self.target}")

    def _refuse_if_paper_out(self, device: Any) -> None:
        constants = load_escpos()["constants"]
        try:
            reply = device.query_status(constants.RT_STATUS_PAPER)
        except (OSError, AssertionError):  # includes socket and USB timeouts
            return  # no status channel or no answer: unknown, not "out" (ESC-12)
        if paper_state(bytes(reply or b"")) == "out":
            raise PaperOut("printer is out of paper")

    @staticmethod
    def _close(device: Any) -> None:
        # Closing a broken link must not hide the error that broke it.
        with contextlib.suppress(Exception):
            device.close()

    def _explain(self, exc: BaseException) -> PrinterError:
        text = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        where = f"{self.connection} {self.target}".strip()
        if isinstance(exc, RenderError):
            return PrinterError(str(exc))
        if isinstance(exc, TimeoutError) or "timed out" in text.lower() \
                or type(exc).__name__ == "USBTimeoutError":
            return PrinterTimeout(f"printer did not answer in {self.timeout_s:g} s ({where})")
        if getattr(exc, "errno", None) == 13 or "Access denied" in str(exc):
            return PrinterOffline(f"no permission to use the printer ({where}); install the "
                                  "udev rule from docs/printing.md")
        if type(exc).__name__ == "NoBackendError":
            return PrinterOffline("USB printing needs libusb: install the libusb-1.0-0 package")
        if isinstance(exc, RuntimeError) and "requires" in text:
            return PrinterOffline(f"printer support for {self.connection} is not installed: "
                                  f"{text}")
        return PrinterOffline(f"printer offline ({where}): {text}")


def paper_state(reply: bytes) -> str:
    """Decode DLE EOT 4: "ok", "near-end", "out" or "unknown" (never guessed as out).

    A valid status byte matches 0xx1xx10; bits 5-6 mean paper end, bits 2-3 near end.
    """
    if len(reply) != 1 or reply[0] & 0x93 != 0x12:
        return "unknown"
    if reply[0] & 0x60:
        return "out"
    if reply[0] & 0x0C:
        return "near-end"
    return "ok"


def parse_usb_target(target: str) -> tuple[int, int]:
    """"04b8:0e15" -> (0x04b8, 0x0e15)."""
    try:
        vendor, product = target.split(":")
        return int(vendor, 16), int(product, 16)
    except ValueError:
        raise PrinterError(f"printer target {target!r} is not a USB VID:PID such as "
                           "04b8:0e15 (see `lsusb`)") from None


def printer_from_config(connection: str, target: str, **options: Any) -> EscposPrinter:
    """The composition root's one call; options are the [printer] settings by name."""
    return EscposPrinter(connection, target, **options)
