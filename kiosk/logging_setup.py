"""Structured logging that never lands on the screen and never holds a badge number.

Where logs go (`choose_destination`):
- under systemd (``INVOCATION_ID`` or ``JOURNAL_STREAM`` set) to the journal, with fields
  (``systemd.journal`` when importable, else the journal's native datagram socket);
- otherwise to a JSON-lines file when the UI owns the terminal (Textual draws on stderr,
  TUI-02), or to stderr for one-shot commands.

`BadgeRedactor` sits on every handler: badge numbers (long digit runs, facility-card pairs,
long hex runs, and any ``extra`` field whose name mentions a badge) become ``<badge>`` before a
record is formatted, including exception text.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import struct
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

JOURNAL_SOCKET = Path("/run/systemd/journal/socket")
REDACTED = "<badge>"

_TOKEN = re.compile(r"[0-9A-Za-z](?:[0-9A-Za-z:/,\-]*[0-9A-Za-z])?")
_DECIMAL_BADGE = re.compile(r"\d{5,}")
_FACILITY_CARD = re.compile(r"\d{1,3}[-:/,]\d{3,5}")
_HEX_BADGE = re.compile(r"(?=.*\d)[0-9A-Fa-f]{8,}")
# Attributes every LogRecord has; anything else came in through `extra=`.
_STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName"}
_PRIORITY = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3,
             logging.CRITICAL: 2}


def redact(text: str) -> str:
    """`text` with everything that looks like a badge number replaced by <badge>.

    Inventory numbers (HAM-T-2600012), timestamps and ULIDs mix letters and
    separators and are kept; over-redacting a plain long number is the safe side.
    """
    def replace(match: re.Match[str]) -> str:
        token = match.group()
        if (_DECIMAL_BADGE.fullmatch(token) or _FACILITY_CARD.fullmatch(token)
                or _HEX_BADGE.fullmatch(token)):
            return REDACTED
        return token
    return _TOKEN.sub(replace, text)


def extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS}


class BadgeRedactor(logging.Filter):
    """Rewrites a record in place so no handler can see a badge number."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.exc_info = None  # the redacted exc_text is what gets printed
        for key, value in extras(record).items():
            if "badge" in key.lower() or "card" in key.lower():
                setattr(record, key, REDACTED)
            elif isinstance(value, str):
                setattr(record, key, redact(value))
        return True


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, extras, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}",
            "level": record.levelname, "logger": record.name, "msg": record.getMessage()}
        entry.update(extras(record))
        if record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


class JournalSocketHandler(logging.Handler):
    """journald's native protocol over its datagram socket (no systemd-python needed).

    See systemd's "Native Journal Protocol": KEY=value lines, or for values
    containing a newline: KEY, newline, 64-bit little-endian length, value, newline.
    """

    def __init__(self, identifier: str, path: Path = JOURNAL_SOCKET) -> None:
        super().__init__()
        self.identifier = identifier
        self.path = str(path)
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)

    def fields(self, record: logging.LogRecord) -> dict[str, str]:
        message = record.getMessage()
        if record.exc_text:
            message = f"{message}\n{record.exc_text}"
        fields = {"MESSAGE": message, "PRIORITY": str(_PRIORITY.get(record.levelno, 6)),
                  "SYSLOG_IDENTIFIER": self.identifier, "LOGGER": record.name,
                  "CODE_FILE": record.pathname, "CODE_LINE": str(record.lineno),
                  "CODE_FUNC": record.funcName}
        for key, value in extras(record).items():
            fields["KIOSK_" + re.sub(r"[^A-Z0-9_]", "_", key.upper())] = str(value)
        return fields

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._socket.sendto(encode_journal_fields(self.fields(record)), self.path)
        except OSError:
            self.handleError(record)

    def close(self) -> None:
        self._socket.close()
        super().close()


def encode_journal_fields(fields: Mapping[str, str]) -> bytes:
    parts = []
    for key, value in fields.items():
        data = value.encode("utf-8", "replace")
        if b"\n" in data:
            parts.append(key.encode() + b"\n" + struct.pack("<Q", len(data)) + data + b"\n")
        else:
            parts.append(key.encode() + b"=" + data + b"\n")
    return b"".join(parts)


def under_systemd(env: Mapping[str, str]) -> bool:
    return bool(env.get("INVOCATION_ID") or env.get("JOURNAL_STREAM"))


def choose_destination(env: Mapping[str, str], *, ui_owns_terminal: bool,
                       journal_socket: Path = JOURNAL_SOCKET) -> str:
    """"journal", "file" or "stderr"."""
    if under_systemd(env) and journal_socket.exists():
        return "journal"
    return "file" if ui_owns_terminal else "stderr"


def make_handler(destination: str, *, program: str, log_file: Path,
                 journal_socket: Path = JOURNAL_SOCKET) -> logging.Handler:
    if destination == "journal":
        try:
            from systemd.journal import JournalHandler  # type: ignore[import-not-found]
            return JournalHandler(SYSLOG_IDENTIFIER=program)
        except ImportError:
            return JournalSocketHandler(program, journal_socket)
    if destination == "file":
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(log_file, encoding="utf-8")
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLinesFormatter())
    return handler


def setup_logging(*, program: str = "crib-kiosk", ui_owns_terminal: bool, log_file: Path,
                  level: str = "INFO", env: Mapping[str, str] | None = None,
                  journal_socket: Path = JOURNAL_SOCKET) -> logging.Handler:
    """Replace every root handler (python-escpos adds one on stderr, ESC-02) with ours."""
    env = os.environ if env is None else env
    destination = choose_destination(env, ui_owns_terminal=ui_owns_terminal,
                                     journal_socket=journal_socket)
    handler = make_handler(destination, program=program, log_file=log_file,
                           journal_socket=journal_socket)
    handler.addFilter(BadgeRedactor())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.captureWarnings(True)  # warnings.warn would otherwise print on stderr = the screen
    return handler


def handlers_on_terminal() -> list[logging.Handler]:
    """Root handlers that would write onto a terminal (must be empty while the UI runs)."""
    found = []
    for handler in logging.getLogger().handlers:
        stream = getattr(handler, "stream", None)
        if stream is not None and hasattr(stream, "isatty") and stream.isatty():
            found.append(handler)
    return found
