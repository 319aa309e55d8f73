"""Read a CSV file the way spreadsheets really write them.

Handles UTF-8 with or without byte-order mark, UTF-16 with a mark, Windows-1252,
CRLF / LF / CR-only line ends, comma, semicolon or tab separators, and quoted
fields holding separators and line breaks. Every record keeps the physical line
it starts on, so errors can name file, line and column.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.errors import ImportProblem
from kiosk.text import visible


@dataclass(frozen=True)
class Record:
    line: int                # physical line the record starts on (1 = header)
    cells: dict[str, str]    # normalized header -> cell text


@dataclass
class Table:
    path: Path
    headers: list[str]       # as written in the file
    records: list[Record]
    notes: list[str] = field(default_factory=list)   # how the file was read
    problems: list[str] = field(default_factory=list)

    def column(self, key: str) -> int:
        """1-based column number of a normalized header."""
        return [header_key(h) for h in self.headers].index(key) + 1

    def where(self, line: int, key: str) -> str:
        """'file line N, column M (Header)' for error messages."""
        number = self.column(key)
        return f"{self.path.name} line {line}, column {number} ({self.headers[number - 1]})"


def header_key(header: str) -> str:
    """Headers match regardless of case and spacing ("Asset  Tag" == "asset tag")."""
    return " ".join(header.split()).casefold()


def decode(raw: bytes, name: str) -> tuple[str, str]:
    """(text, how it was read); refuses binary files with a hint."""
    if raw.startswith(b"PK\x03\x04"):
        raise ImportProblem(f"{name} is an Excel workbook, not CSV: open it and use "
                            "Save As > 'CSV UTF-8 (comma delimited)'")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "UTF-16 with byte-order mark"
    if b"\x00" in raw:
        raise ImportProblem(f"{name} contains NUL bytes: it is not a text (CSV) file")
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8", errors="strict"), "UTF-8 with byte-order mark"
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "Windows-1252 (not UTF-8)"
    except UnicodeDecodeError as exc:
        raise ImportProblem(
            f"{name}: byte 0x{raw[exc.start]:02x} at offset {exc.start} is neither UTF-8 nor "
            "Windows-1252; save the file as 'CSV UTF-8'") from None


def _separator(text: str) -> str:
    first_line = text.splitlines()[0] if text else ""
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","


def read_table(path: Path) -> Table:
    """Parse the whole file; structural problems go to `Table.problems`."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportProblem(f"cannot read {path}: {exc.strerror or exc}") from None
    text, encoding = decode(raw, path.name)
    if not text.strip():
        raise ImportProblem(f"{path.name} is empty")
    separator = _separator(text)
    names = {",": "comma", ";": "semicolon", "\t": "tab"}
    table = Table(path, [], [], notes=[f"read as {encoding}, {names[separator]}-separated"])
    # newline="" keeps CR, LF and CRLF as line ends and leaves breaks inside quotes alone.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    try:
        _fill(table, reader)
    except csv.Error as exc:
        raise ImportProblem(f"{path.name} line {reader.line_num}: broken CSV quoting "
                            f"({exc}); check for a stray double quote") from None
    return table


def _fill(table: Table, reader: csv.reader) -> None:
    table.headers = [h.strip() for h in next(reader)]
    keys = [header_key(h) for h in table.headers]
    doubled = sorted({k for k in keys if k and keys.count(k) > 1})
    if doubled:
        table.problems.append(f"{table.path.name} line 1: column(s) {', '.join(doubled)} "
                              "appear twice in the header")
    previous_end = reader.line_num
    for cells in reader:
        start, previous_end = previous_end + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue  # blank line, or a row of empty cells as spreadsheets leave at the end
        extra = [c for c in cells[len(keys):] if c.strip()]
        if extra:
            table.problems.append(
                f"{table.path.name} line {start}: {len(cells)} fields but the header has "
                f"{len(keys)} (extra: {visible(extra[0], 40)!r}); a separator inside a value "
                "needs double quotes around the value")
            continue
        padded = cells[: len(keys)] + [""] * (len(keys) - len(cells))
        table.records.append(Record(start, dict(zip(keys, padded, strict=True))))
