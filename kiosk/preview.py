"""Draw a print job (the same operations the printer gets) as a PNG with Pillow.

One image pixel is one printer dot (576 dots = 80 mm paper at 203 dpi), so QR
modules and Code 128 bars have the size they will have on paper and a barcode
reader can decode the preview. Used by demo mode, `kiosk print-test`, the docs
and the tests.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import qrcode
from barcode import Code128
from PIL import Image, ImageDraw, ImageFont

from kiosk.printdoc import MEDIA, Barcode, Cut, Feed, Media, Op, Qr, Text

_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
LINE_DOTS = 24  # font A: 12 x 24 dots
MARGIN = 6


@cache
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "DejaVuSansMono-Bold.ttf" if bold else "DejaVuSansMono.ttf"
    for folder in _FONT_DIRS:
        if (folder / name).exists():
            return ImageFont.truetype(str(folder / name), 19 * size)
    return ImageFont.load_default(size=19 * size)


def render_preview(ops: list[Op], media: Media | str = "80") -> Image.Image:
    """A white strip as wide as the paper with every operation drawn in order."""
    media = MEDIA[media] if isinstance(media, str) else media
    parts = [_part(op, media.dots) for op in ops]
    height = sum(p.height for p in parts) + 2 * MARGIN
    sheet = Image.new("L", (media.dots, height), 255)
    y = MARGIN
    for part in parts:
        sheet.paste(part, ((media.dots - part.width) // 2, y))
        y += part.height
    return sheet


def save_preview(ops: list[Op], path: Path | str, media: Media | str = "80") -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    render_preview(ops, media).save(path, format="PNG")
    return path


def _part(op: Op, width: int) -> Image.Image:
    if isinstance(op, Text):
        return _text(op, width)
    if isinstance(op, Qr):
        return _qr(op)
    if isinstance(op, Barcode):
        return _barcode(op)
    if isinstance(op, Feed):
        return Image.new("L", (width, LINE_DOTS * op.lines), 255)
    if isinstance(op, Cut):
        strip = Image.new("L", (width, LINE_DOTS * op.feed_lines), 255)
        ImageDraw.Draw(strip).line((0, strip.height - 2, width, strip.height - 2), fill=160,
                                   width=1)  # where the cutter goes
        return strip
    raise TypeError(f"cannot preview {op!r}")


def _text(op: Text, width: int) -> Image.Image:
    font = _font(op.size, op.bold)
    strip = Image.new("L", (width, LINE_DOTS * op.size), 255)
    draw = ImageDraw.Draw(strip)
    text_width = draw.textlength(op.text, font=font)
    x = {"left": MARGIN, "center": (width - text_width) / 2,
         "right": width - MARGIN - text_width}[op.align]
    draw.text((max(x, 0), 0), op.text, font=font, fill=0)
    return strip


def _qr(op: Qr) -> Image.Image:
    code = qrcode.QRCode(box_size=op.module, border=4,
                         error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(op.content)
    code.make(fit=True)
    return code.make_image().get_image().convert("L")


def _barcode(op: Barcode) -> Image.Image:
    pattern = Code128(op.data).build()[0]
    quiet = 10 * op.module
    bars_width = len(pattern) * op.module + 2 * quiet
    font = _font(1, False)
    strip = Image.new("L", (bars_width, op.height + LINE_DOTS + 4), 255)
    draw = ImageDraw.Draw(strip)
    for index, bit in enumerate(pattern):
        if bit == "1":
            left = quiet + index * op.module
            draw.rectangle((left, 0, left + op.module - 1, op.height - 1), fill=0)
    text_width = draw.textlength(op.data, font=font)
    draw.text(((bars_width - text_width) / 2, op.height + 2), op.data, font=font, fill=0)
    return strip
