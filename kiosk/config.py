"""Typed, validated configuration read from one TOML file.

Every section is a frozen dataclass. Field metadata carries the bounds, the
allowed choices and a one-line help text; `load_settings` walks the TOML tree
against these dataclasses and reports *every* problem at once, each with its
key path and a hint ("did you mean ..." for unknown keys). Later issues add
their own sections in the same style: a dataclass here plus an entry in
`Settings`.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.errors import ConfigError

DEFAULT_CONFIG_PATH = Path("/etc/crib-kiosk/kiosk.toml")


def opt(default: Any, help: str, *, choices: tuple[Any, ...] = (), minimum: float | None = None,
        maximum: float | None = None, secret: bool = False) -> Any:
    """A documented config field with optional bounds."""
    meta = {"help": help, "choices": choices, "min": minimum, "max": maximum, "secret": secret}
    if isinstance(default, list | dict):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class KioskSection:
    site: str = opt("", "Site code, part of every event and of inventory numbers (e.g. HAM).")
    kiosk_id: str = opt("", "Unique id of this kiosk within the fleet (e.g. crib-1).")
    mode: str = opt("crib", "What this station does.", choices=("crib", "gate", "returns"))
    data_dir: str = opt("/var/lib/crib-kiosk", "Folder for the database, documents and prints.")
    database: str = opt("", "SQLite file; empty means <data_dir>/kiosk.db.")
    busy_timeout_ms: int = opt(10000, "How long a writer waits for a lock.", minimum=100,
                               maximum=60000)
    attachment_max_mb: int = opt(50, "Largest file `kiosk asset attach` accepts, in MB.",
                                 minimum=1, maximum=4096)

    @property
    def database_path(self) -> Path:
        return Path(self.database) if self.database else Path(self.data_dir) / "kiosk.db"


@dataclass(frozen=True)
class NumberingSection:
    scheme: str = opt("{site}-{category}-{yy}{seq:05}{check}",
                      "Inventory number template; tokens: site kiosk category location "
                      "department yyyy yy seq:N check.")
    check: str = opt("damm", "Check character method.",
                     choices=("damm", "mod37-36", "mod37-2", "none"))
    reserved_block: list[int] = opt([], "Optional [first, last] sequence block reserved for "
                                        "this kiosk, when the scheme has no site/kiosk token.")


@dataclass(frozen=True)
class ScannerSection:
    name: str = opt("scanner", "A name shown in messages.")
    role: str = opt("any", "What this reader scans.", choices=("badge", "tool", "any"))
    path: str = opt("", "Stable device link, e.g. /dev/input/by-id/usb-...-event-kbd.")
    vendor: str = opt("", "USB vendor id (hex), used when no path is given.")
    product: str = opt("", "USB product id (hex).")
    serial: str = opt("", "USB serial, to tell twin scanners apart.")
    layout: str = opt("us", "Keyboard layout the scanner is set to.",
                      choices=("us", "gb", "de", "fr", "it"))
    profile: str = opt("", "Control profile mapping function keys to control characters.")
    terminators: list[str] = opt(["enter", "kpenter"], "Keys that end a scan "
                                 "(enter, kpenter, tab, lf).")
    idle_framing_ms: int = opt(0, "End a scan after this much silence (0 = off; for scanners "
                               "without a suffix).", minimum=0, maximum=5000)
    abandon_ms: int = opt(2000, "Discard an unterminated partial scan after this long.",
                          minimum=50, maximum=60000)
    badge_format: str = opt("decimal", "How this reader prints card numbers.",
                            choices=("decimal", "hex", "hex-reversed", "facility-card", "text"))


@dataclass(frozen=True)
class PrinterSection:
    connection: str = opt("dummy", "How the receipt printer is reached.",
                          choices=("usb", "network", "serial", "file", "dummy"))
    target: str = opt("", "usb: VID:PID; network: host[:port]; serial: device; file: path.")
    profile: str = opt("TM-T20II", "python-escpos printer profile.")
    width_mm: int = opt(80, "Paper width.", choices=(58, 80))
    codepage: str = opt("CP858", "Code page text is sent in (CP858 has the euro sign).")
    timeout_s: float = opt(5.0, "Give up on one print job after this long.", minimum=0.5,
                           maximum=120)
    output_dir: str = opt("", "Where the file/dummy printer saves jobs; empty means "
                              "<data_dir>/prints.")
    media: str = opt("roll", "Paper: a receipt roll (cut after each job) or die-cut label "
                             "stock (no cut).", choices=("roll", "label"))
    usb_in_ep: int = opt(0x82, "USB IN endpoint (from `lsusb -v`).", minimum=0x81, maximum=0x8F)
    usb_out_ep: int = opt(0x01, "USB OUT endpoint (from `lsusb -v`).", minimum=0x01,
                          maximum=0x0F)
    check_status: bool = opt(True, "Ask the printer for paper status before each job "
                                   "(usb, network, serial).")
    max_attempts: int = opt(5, "Tries per print job before it waits for a reprint.", minimum=1,
                            maximum=50)


@dataclass(frozen=True)
class GpioSection:
    pin_factory: str = opt("lgpio", "gpiozero pin factory.", choices=("lgpio", "mock"))
    green: int = opt(17, "BCM pin of the green LED.", minimum=0, maximum=27)
    red: int = opt(27, "BCM pin of the red LED.", minimum=0, maximum=27)
    amber: int = opt(-1, "BCM pin of the amber LED (-1 = none).", minimum=-1, maximum=27)
    buzzer: int = opt(22, "BCM pin of the buzzer (-1 = none).", minimum=-1, maximum=27)
    relay: int = opt(-1, "BCM pin of the gate relay (-1 = none).", minimum=-1, maximum=27)
    relay_active_high: bool = opt(True, "Relay input polarity.")
    relay_pulse_s: float = opt(1.0, "How long the relay opens the gate.", minimum=0.1,
                               maximum=10)


@dataclass(frozen=True)
class MqttSection:
    enabled: bool = opt(False, "Publish events to headquarters.")
    host: str = opt("localhost", "Broker host name.")
    port: int = opt(1883, "Broker port (8883 for TLS).", minimum=1, maximum=65535)
    protocol: str = opt("5", "MQTT protocol version.", choices=("5", "3.1.1"))
    prefix: str = opt("crib", "Topic prefix.")
    username: str = opt("", "User name.")
    password_file: str = opt("", "File holding the password (never put it here).")
    tls: bool = opt(False, "Use TLS.")
    ca_file: str = opt("", "CA certificate file for TLS.")
    cert_file: str = opt("", "Client certificate for TLS.")
    key_file: str = opt("", "Client key for TLS.")
    keepalive_s: int = opt(30, "Keep-alive interval.", minimum=5, maximum=600)
    inflight: int = opt(20, "Events in flight awaiting PUBACK.", minimum=1, maximum=1000)
    heartbeat_s: int = opt(60, "Status heartbeat interval.", minimum=5, maximum=3600)
    client_id: str = opt("", "MQTT client id; empty means <site>-<kiosk_id>. Must be unique.")
    reconnect_min_s: float = opt(1.0, "First reconnect delay; doubles up to reconnect_max_s.",
                                 minimum=0.1, maximum=60)
    reconnect_max_s: float = opt(30.0, "Longest reconnect delay.", minimum=0.1, maximum=600)
    session_expiry_s: int = opt(604800, "How long the broker keeps commands for an offline "
                                "kiosk (persistent session; 0 = clean session).", minimum=0,
                                maximum=4294967295)
    max_queued: int = opt(1000, "Bound of paho's in-memory queue (the outbox holds the rest).",
                          minimum=10, maximum=60000)
    poll_ms: int = opt(10, "How often the publisher looks for new outbox rows.", minimum=1,
                       maximum=5000)


@dataclass(frozen=True)
class HqSection:
    database: str = opt("hq.db", "SQLite file of the headquarters consumer (`kiosk hq`).")
    share_group: str = opt("hq", "Shared-subscription group; every `kiosk hq` process in the "
                                 "group gets a share of the events.")
    client_id: str = opt("", "MQTT client id of this HQ process; empty means "
                             "hq-<host>-<instance> (`kiosk hq run --instance N`).")
    gap_grace_s: float = opt(10.0, "Ask a kiosk to resend a missing seq range after it has "
                                   "been missing this long.", minimum=0.1, maximum=86400)


@dataclass(frozen=True)
class StationSection:
    session_idle_s: int = opt(30, "Close a crib session after this much inactivity.",
                              minimum=5, maximum=600)
    gate_window_s: int = opt(10, "Badge and tool at the gate must be scanned within this time.",
                             minimum=2, maximum=120)
    gate_allows_department: bool = opt(False, "Gate lets a tool leave with anyone of the "
                                              "holder's department.")
    item_limit: int = opt(10, "Default number of items one person may hold.", minimum=1,
                          maximum=1000)
    block_when_overdue: bool = opt(True, "Refuse checkout while the person holds overdue items.")
    due_soon_days: int = opt(14, "Due list shows inspections due within this many days.",
                             minimum=0, maximum=365)
    label_url: str = opt("", "QR content of labels, e.g. https://assets.example.com/a/{number}; "
                             "empty = the plain number.")
    location: str = opt("", "Location code of this station; returned tools land here.")
    pin_attempts: int = opt(3, "Wrong attendant PINs before the PIN screen closes.", minimum=1,
                            maximum=10)


@dataclass(frozen=True)
class LoggingSection:
    level: str = opt("INFO", "Least severe level logged.",
                     choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    file: str = opt("", "Log file used outside systemd while the UI owns the screen; empty "
                        "means <data_dir>/kiosk.log. Under systemd logs go to the journal.")


@dataclass(frozen=True)
class Settings:
    kiosk: KioskSection = field(default_factory=KioskSection)
    numbering: NumberingSection = field(default_factory=NumberingSection)
    scanners: list[ScannerSection] = field(default_factory=list)
    printer: PrinterSection = field(default_factory=PrinterSection)
    gpio: GpioSection = field(default_factory=GpioSection)
    mqtt: MqttSection = field(default_factory=MqttSection)
    station: StationSection = field(default_factory=StationSection)
    logging: LoggingSection = field(default_factory=LoggingSection)
    hq: HqSection = field(default_factory=HqSection)
    source: str = ""

    @property
    def data_dir(self) -> Path:
        return Path(self.kiosk.data_dir)


SECTION_TYPES: dict[str, Any] = {
    name: hint for name, hint in typing.get_type_hints(Settings).items() if name != "source"
}


def find_config(explicit: str | None) -> Path:
    """--config, then $KIOSK_CONFIG, then /etc/crib-kiosk/kiosk.toml."""
    if explicit:
        return Path(explicit)
    if os.environ.get("KIOSK_CONFIG"):
        return Path(os.environ["KIOSK_CONFIG"])
    return DEFAULT_CONFIG_PATH


def load_settings(path: Path | str) -> Settings:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"file not found; copy config/kiosk.example.toml to {path} "
                           "or pass --config FILE"], str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"cannot read the file: {exc}"], str(path)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"not valid TOML: {exc}"], str(path)) from None
    return _paths_relative_to(parse_settings(data, source=str(path)), path.parent)


def _paths_relative_to(settings: Settings, folder: Path) -> Settings:
    """A relative data_dir or database is taken from the config file's folder, not from
    wherever the command happens to be run."""
    kiosk = settings.kiosk
    changes = {name: str(folder / value) for name in ("data_dir", "database")
               if (value := getattr(kiosk, name)) and not Path(value).is_absolute()}
    if not changes:
        return settings
    return dataclasses.replace(settings, kiosk=dataclasses.replace(kiosk, **changes))


def parse_settings(data: dict[str, Any], source: str = "") -> Settings:
    """Validate a TOML document; raise ConfigError listing every problem."""
    problems: list[str] = []
    sections: dict[str, Any] = {}
    for key, value in data.items():
        if key not in SECTION_TYPES:
            problems.append(_unknown(key, key, SECTION_TYPES))
            continue
        if key == "scanners":
            sections[key] = _parse_scanner_list(value, problems)
        else:
            sections[key] = _parse_section(key, SECTION_TYPES[key], value, problems)
    settings = Settings(**{k: v for k, v in sections.items() if v is not None}, source=source)
    problems.extend(cross_checks(settings))
    if problems:
        raise ConfigError(problems, source)
    return settings


def _parse_scanner_list(value: Any, problems: list[str]) -> list[ScannerSection]:
    if not isinstance(value, list):
        problems.append("scanners: expected a list of [[scanners]] tables")
        return []
    parsed = []
    for index, item in enumerate(value):
        section = _parse_section(f"scanners[{index}]", ScannerSection, item, problems)
        if section is not None:
            parsed.append(section)
    return parsed


def _parse_section(path: str, cls: type, value: Any, problems: list[str]) -> Any:
    if not isinstance(value, dict):
        problems.append(f"{path}: expected a table like [{path}]")
        return None
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for key, raw in value.items():
        if key not in fields:
            problems.append(_unknown(f"{path}.{key}", key, fields))
            continue
        ok, converted, why = _check_value(hints[key], fields[key].metadata, raw)
        if ok:
            kwargs[key] = converted
        else:
            problems.append(f"{path}.{key}: {why} ({fields[key].metadata.get('help', '')})")
    return cls(**kwargs)


def _check_value(hint: Any, meta: Any, raw: Any) -> tuple[bool, Any, str]:
    origin = typing.get_origin(hint)
    if origin is list:
        (item_type,) = typing.get_args(hint)
        if not isinstance(raw, list) or not all(_is_type(item_type, x) for x in raw):
            return False, None, f"expected a list of {item_type.__name__}, got {raw!r}"
        return True, list(raw), ""
    if isinstance(hint, types.UnionType):
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    if hint is float and isinstance(raw, int) and not isinstance(raw, bool):
        raw = float(raw)
    if not _is_type(hint, raw):
        return False, None, f"expected {_type_word(hint)}, got {raw!r}"
    choices = meta.get("choices") or ()
    if choices and raw not in choices:
        close = difflib.get_close_matches(str(raw), [str(c) for c in choices], n=1)
        hint_text = f"; did you mean {close[0]!r}?" if close else ""
        return False, None, f"{raw!r} is not one of {', '.join(map(repr, choices))}{hint_text}"
    low, high = meta.get("min"), meta.get("max")
    if low is not None and raw < low:
        return False, None, f"{raw!r} is below the minimum {low}"
    if high is not None and raw > high:
        return False, None, f"{raw!r} is above the maximum {high}"
    return True, raw, ""


def _is_type(hint: Any, raw: Any) -> bool:
    if hint is int:
        return isinstance(raw, int) and not isinstance(raw, bool)
    if hint is float:
        return isinstance(raw, int | float) and not isinstance(raw, bool)
    return isinstance(raw, hint)


def _type_word(hint: Any) -> str:
    return {str: "text", int: "a whole number", float: "a number", bool: "true or false"}.get(
        hint, getattr(hint, "__name__", str(hint)))


def _unknown(path: str, key: str, known: Any) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(known)}"
    return f"{path}: unknown key{hint}"


def cross_checks(settings: Settings) -> list[str]:
    """Checks that span fields; each returns a sentence with the key path."""
    from kiosk.numbering import scheme_problems

    problems = []
    if not settings.kiosk.site:
        problems.append("kiosk.site: missing; set the site code, e.g. site = \"HAM\"")
    if not settings.kiosk.kiosk_id:
        problems.append("kiosk.kiosk_id: missing; give this kiosk a unique id, e.g. \"crib-1\"")
    problems.extend(scheme_problems(settings.numbering))
    for index, scanner in enumerate(settings.scanners):
        if not scanner.path and not (scanner.vendor and scanner.product):
            problems.append(f"scanners[{index}]: give either path = \"/dev/input/by-id/...\" or "
                            "vendor and product (see `kiosk scanners`)")
        bad = [t for t in scanner.terminators if t not in ("enter", "kpenter", "tab", "lf")]
        if bad:
            problems.append(f"scanners[{index}].terminators: unknown {bad}; use enter, kpenter, "
                            "tab or lf")
    if settings.printer.connection in ("usb", "network", "serial", "file") and not \
            settings.printer.target:
        problems.append(f"printer.target: required for connection = "
                        f"\"{settings.printer.connection}\"")
    pins = [p for p in (settings.gpio.green, settings.gpio.red, settings.gpio.amber,
                        settings.gpio.buzzer, settings.gpio.relay) if p >= 0]
    if len(pins) != len(set(pins)):
        problems.append("gpio: two devices share one pin; give each LED, buzzer and relay its "
                        "own BCM pin")
    if settings.mqtt.tls and settings.mqtt.ca_file and not Path(settings.mqtt.ca_file).exists():
        problems.append(f"mqtt.ca_file: {settings.mqtt.ca_file} does not exist")
    if settings.mqtt.password_file and not Path(settings.mqtt.password_file).exists():
        problems.append(f"mqtt.password_file: {settings.mqtt.password_file} does not exist")
    return problems


def describe_fields() -> list[tuple[str, str, Any]]:
    """(key path, help, default) for every field, for docs and the example-file test."""
    rows = []
    for section, cls in SECTION_TYPES.items():
        inner = typing.get_args(cls)[0] if typing.get_origin(cls) is list else cls
        for f in dataclasses.fields(inner):
            default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
            rows.append((f"{section}.{f.name}", f.metadata.get("help", ""), default))
    return rows
