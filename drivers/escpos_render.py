"""Print operations (plain dicts) -> ESC/POS bytes with python-escpos 3.1.

python-escpos is imported lazily through `load_escpos()`, which keeps its import
side effects out of our process (ESC-02): version 3.1 calls
`logging.basicConfig()` (a stderr handler on the root logger, which would make
our own logging set-up a no-op and draw on the Textual screen) and creates a new
/tmp directory per import for its capabilities pickle. We point
ESCPOS_CAPABILITIES_PICKLE_DIR at one fixed cache folder, stop the import's
mkdtemp() call from creating a folder, and remove any root handler it added.

Rendering uses the Dummy printer with an explicit profile and a forced code
page: `ESC @` (init), `ESC t n` once, then only bytes of that code page.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import pickle
import platform
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

from anyascii import anyascii

log = logging.getLogger(__name__)

PICKLE_DIR_ENV = "ESCPOS_CAPABILITIES_PICKLE_DIR"
_escpos: dict[str, ModuleType] = {}


def escpos_cache_dir() -> Path:
    """$ESCPOS_CAPABILITIES_PICKLE_DIR, else $XDG_CACHE_HOME (or ~/.cache)/crib-kiosk/escpos."""
    if os.environ.get(PICKLE_DIR_ENV):
        return Path(os.environ[PICKLE_DIR_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "crib-kiosk" / "escpos"


def load_escpos() -> dict[str, ModuleType]:
    """Import python-escpos once, without its root logging handler or new temp folders."""
    if _escpos:
        return _escpos
    cache = escpos_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)  # escpos opens the pickle file without creating it
    drop_unreadable_cache(cache)
    os.environ[PICKLE_DIR_ENV] = str(cache)
    root = logging.getLogger()
    before = list(root.handlers)
    # capabilities.py evaluates `environ.get(..., mkdtemp())`: the default argument
    # runs even when the variable is set, so a new empty /tmp folder appears on
    # every start. It binds `mkdtemp` at import time; hand it our folder instead.
    real_mkdtemp = tempfile.mkdtemp
    tempfile.mkdtemp = lambda *args, **kwargs: str(cache)  # type: ignore[assignment]
    try:
        import escpos.constants
        import escpos.exceptions
        import escpos.printer
    finally:
        tempfile.mkdtemp = real_mkdtemp
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
    _escpos.update(printer=escpos.printer, exceptions=escpos.exceptions,
                   constants=escpos.constants)
    return _escpos


def drop_unreadable_cache(cache: Path) -> None:
    """Remove a capabilities pickle that cannot be loaded.

    escpos writes it in place on first import; a kiosk killed (power cut, SIGKILL) during
    that write leaves an empty or truncated file, and from then on every import fails with
    "Ran out of input" and no receipt ever prints. Found by the crash trials
    (docs/reliability.md). Without the file escpos rebuilds it from its JSON.
    """
    path = cache / f"{platform.python_version()}.capabilities.pickle"
    try:
        with path.open("rb") as handle:
            pickle.load(handle)  # noqa: S301 - our own cache file, written by python-escpos
    except FileNotFoundError:
        return
    except Exception:  # EOFError, UnpicklingError, ...: anything unreadable goes
        log.warning("removing unreadable python-escpos cache %s", path)
        path.unlink(missing_ok=True)


class RenderError(ValueError):
    """A job cannot be turned into ESC/POS bytes (unknown profile, code page or operation)."""


def make_dummy(profile: str) -> Any:
    printer_mod = load_escpos()["printer"]
    try:
        return printer_mod.Dummy(profile=profile)
    except Exception as exc:  # escpos raises its own NotSupported/KeyError variants
        raise RenderError(f"printer profile {profile!r} is unknown to python-escpos: "
                          f"{exc}") from exc


def render(ops: list[dict[str, Any]], *, profile: str, codepage: str) -> bytes:
    """Bytes of one job: init, code page, the operations in order."""
    printer = make_dummy(profile)
    printer.hw("INIT")
    select_codepage(printer, codepage)
    # escpos prints notes ("Using hardware barcode renderer") to stdout, which is
    # the kiosk screen on tty1; keep them in the log instead.
    chatter = io.StringIO()
    escpos_error = load_escpos()["exceptions"].Error
    with contextlib.redirect_stdout(chatter):
        styler = _Styler(printer)
        try:
            for op in ops:
                _apply(printer, styler, op, codepage)
        except escpos_error as exc:  # e.g. ImageWidthError: paper narrower than the job
            raise RenderError(f"the job does not fit printer profile {profile}: {exc}") from exc
        styler.apply()
    if chatter.getvalue().strip():
        log.debug("python-escpos said: %s", chatter.getvalue().strip())
    return bytes(printer.output)


def select_codepage(printer: Any, codepage: str) -> None:
    """Send `ESC t n` for `codepage` and keep it (no automatic switching).

    MagicEncode remembers the last table it sent and would skip the command after
    an INIT; forgetting it makes escpos send `ESC t n` again (ESC-07).
    """
    printer.magic.encoding = None
    try:
        # force_encoding() itself skips this check and fails with a bare KeyError.
        printer.magic.encoder.get_encoding_name(codepage)
        printer.charcode(codepage)
    except (ValueError, KeyError) as exc:
        raise RenderError(f"code page {codepage} is not available in this printer profile: "
                          f"{exc}") from exc


def printable(printer: Any, text: str, codepage: str) -> str:
    """Last line of defence: no control bytes, nothing escpos would print as '?'."""
    encoder = printer.magic.encoder
    out = []
    for char in text:
        if ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(" ")
        elif encoder.can_encode(codepage, char):
            out.append(char)
        else:
            out.append(anyascii(char) or "?")
    return "".join(out)


class _Styler:
    """Sends a style command only when it changes, keeping jobs small (ESC a, ESC E, GS !)."""

    def __init__(self, printer: Any) -> None:
        self.printer = printer
        self.align, self.bold, self.size = "left", False, 1

    def apply(self, *, align: str = "left", bold: bool = False, size: int = 1) -> None:
        if align != self.align:
            self.printer.set(align=align)
        if bold != self.bold:
            self.printer.set(bold=bold)
        if size != self.size:
            self.printer.set(custom_size=True, width=size, height=size)
        self.align, self.bold, self.size = align, bold, size


def _apply(printer: Any, styler: _Styler, op: dict[str, Any], codepage: str) -> None:
    kind = op.get("op")
    if kind == "text":
        styler.apply(align=op.get("align", "left"), bold=bool(op.get("bold")),
                     size=int(op.get("size", 1)))
        printer.text(printable(printer, op["text"], codepage) + "\n")
    elif kind == "qr":
        styler.apply(align="center")
        if printer.profile.supports("qrCode"):
            # Native GS ( k; escpos' center flag would raise with it (ESC-10): align first.
            printer.qr(op["content"], size=int(op.get("module", 6)), native=True)
        else:
            # Raster is slow on the cheap printers that need it (ESC-13): 3-dot modules
            # (0.375 mm at 203 dpi) still scan with a 2D imager and keep jobs small.
            _centred_image(printer, qr_image(op["content"], min(int(op.get("module", 6)), 3)))
    elif kind == "barcode":
        styler.apply(align="center")
        _barcode(printer, op)
    elif kind == "feed":
        printer.ln(int(op.get("lines", 1)))
    elif kind == "cut":
        styler.apply()
        printer.ln(int(op.get("feed_lines", 4)))
        _cut(printer)
    else:
        raise RenderError(f"unknown print operation {kind!r}")


def _barcode(printer: Any, op: dict[str, Any]) -> None:
    size = {"height": int(op.get("height", 80)), "width": int(op.get("module", 2))}
    # GS w takes 2-6 dots per module; thinner codes (long numbers on 58 mm) go as an image.
    if printer.profile.supports("barcodeB") and size["width"] >= 2:
        # Printer-side Code 128 (GS k 73); escpos needs the code set prefix (ESC-09).
        printer.barcode("{B" + op["data"], "CODE128", **size, pos="BELOW", font="A",
                        align_ct=False, function_type="B", check=True)
    else:
        _centred_image(printer, code128_image(op["data"], size["width"], size["height"]))
        printer.text(op["data"] + "\n")


def code128_image(data: str, module_dots: int, height_dots: int) -> Any:
    """Code 128 as a 1-bit image (whole dots per module) for printers without GS k.

    escpos 3.1's software path sizes modules in millimetres from a guessed DPI and
    fails on 58 mm paper; python-barcode gives the module pattern, we draw it.
    """
    from barcode import Code128
    from PIL import Image, ImageDraw

    pattern = Code128(data).build()[0]
    quiet = 10 * module_dots
    image = Image.new("1", (len(pattern) * module_dots + 2 * quiet, height_dots), 1)
    draw = ImageDraw.Draw(image)
    for index, bit in enumerate(pattern):
        if bit == "1":
            left = quiet + index * module_dots
            draw.rectangle((left, 0, left + module_dots - 1, height_dots - 1), fill=0)
    return image


def qr_image(content: str, module_dots: int) -> Any:
    """QR code as an image, for printers without GS ( k (ESC-10: small modules, level L)."""
    import qrcode

    code = qrcode.QRCode(box_size=module_dots, border=2,
                         error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(content)
    code.make(fit=True)
    return code.make_image().get_image().convert("1")


def _centred_image(printer: Any, image: Any) -> None:
    """Raster image centred by a white left margin only.

    escpos' center=True pads both sides to the full paper width, which doubles the
    bytes sent to a slow printer; the right margin is never needed.
    """
    from PIL import Image

    paper = printer.profile.profile_data["media"]["width"]["pixels"]
    left = max((int(paper) - image.width) // 2, 0) if str(paper).isdigit() else 0
    padded = Image.new("1", (image.width + left, image.height), 1)
    padded.paste(image.convert("1"), (left, 0))
    printer.image(padded, center=False)


def _cut(printer: Any) -> None:
    # cut(feed=True) feeds a fixed 6 lines; we feed ourselves, then cut (partial if possible).
    constants = load_escpos()["constants"]
    if printer.profile.supports("paperPartCut"):
        printer._raw(constants.PAPER_PART_CUT)
    elif printer.profile.supports("paperFullCut"):
        printer._raw(constants.PAPER_FULL_CUT)
