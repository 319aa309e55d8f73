"""`kiosk doctor`: one pass/fail line per part of the kiosk, each with what to do.

Checks run in order and each is independent, so one broken part never hides
another. Device and broker checks go through small probes (`drivers.probes`)
passed in as plain functions, so tests and the composition root can swap them.
Exit status: 1 when any check failed, 0 otherwise (warnings do not fail).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk import backup as backups
from kiosk.clock import Clock
from kiosk.config import PrinterSection, ScannerSection, Settings, find_config, load_settings
from kiosk.errors import ConfigError, StoreError
from kiosk.text import visible

OK, WARN, FAIL = "ok", "warn", "FAIL"
WRITE_PROBE_BYTES = 64 * 1024
DEFAULT_PRINTER_PORT = 9100


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str
    fix: str = ""


@dataclass(frozen=True)
class Limits:
    min_free_mb: int = 200
    timeout_s: float = 3.0
    backlog_warn_rows: int = 1000
    backlog_fail_age_h: float = 24.0


@dataclass(frozen=True)
class Probes:
    """The device and network probes; defaults come from `drivers.probes`."""

    tcp_reachable: Callable[..., Any]
    paper_status: Callable[..., Any]
    usb_present: Callable[..., Any]
    input_grabbable: Callable[..., Any]
    find_input: Callable[..., list[str]]
    pin_factory: Callable[..., Any]
    mqtt_connack: Callable[..., Any]


def default_probes() -> Probes:
    from drivers import probes  # lazily: it reaches evdev, gpiozero and paho

    return Probes(probes.tcp_reachable, probes.network_paper_status, probes.usb_device_present,
                  probes.input_device_grabbable, probes.find_input_by_usb,
                  probes.pin_factory_works, probes.mqtt_connack)


def run_checks(config_path: str | None, limits: Limits | None = None,
               probes: Probes | None = None, clock: Clock | None = None) -> list[Check]:
    limits = limits or Limits()
    path = find_config(config_path)
    try:
        settings = load_settings(path)
    except ConfigError as exc:
        return [Check("config", FAIL, "; ".join(exc.problems),
                      f"fix {path} (see config/kiosk.example.toml)")]
    probes = probes or default_probes()
    checks = [Check("config", OK, f"{path} is valid")]
    database_ok = check_database(settings, checks)
    checks.append(check_disk(settings.data_dir, limits.min_free_mb))
    checks.append(check_clock(clock or Clock()))
    checks.extend(check_scanner(s, probes) for s in settings.scanners)
    checks.append(check_gpio(settings, probes))
    checks.extend(check_printer(settings.printer, settings.data_dir, probes, limits))
    checks.append(check_broker(settings, probes, limits))
    if database_ok:
        checks.append(check_outbox(settings, limits))
    return checks


def check_database(settings: Settings, checks: list[Check]) -> bool:
    path = settings.kiosk.database_path
    if not path.exists():
        checks.append(Check("database", FAIL, f"no database at {path}",
                            "run `kiosk init` (or `kiosk restore BACKUP`)"))
        return False
    verdict = backups.verify(path)
    if not verdict.ok:
        checks.append(Check("database", FAIL, f"{path}: {'; '.join(verdict.problems)}",
                            "stop kiosk.service, then `kiosk restore` the newest backup"))
        return False
    checks.append(Check("database", OK, f"{path}: integrity ok, {verdict.events} events"))
    if verdict.pending:
        checks.append(Check("schema", WARN, f"not yet applied: {', '.join(verdict.pending)}",
                            "run `kiosk init` (kiosk.service does this when it starts)"))
    else:
        checks.append(Check("schema", OK, f"up to date ({verdict.applied[-1]})"))
    return True


def check_disk(folder: Path, min_free_mb: int) -> Check:
    fix = "free space on the data partition: delete old backups or logs"
    try:
        free_mb = shutil.disk_usage(folder).free // (1024 * 1024)
    except OSError as exc:
        return Check("disk", FAIL, f"cannot look at {folder}: {exc.strerror}",
                     f"create {folder} and give the kiosk user write access")
    problem = write_probe(folder)
    if problem:
        return Check("disk", FAIL, f"cannot write to {folder}: {problem}", fix)
    if free_mb < min_free_mb:
        return Check("disk", FAIL, f"only {free_mb} MB free in {folder} "
                     f"(need {min_free_mb} MB)", fix)
    return Check("disk", OK, f"{free_mb} MB free in {folder}, writable")


def write_probe(folder: Path) -> str:
    """Write, fsync and delete a small file; '' when that worked, else why not."""
    probe = folder / f".doctor-write-probe-{os.getpid()}"
    try:
        with open(probe, "wb") as handle:
            handle.write(b"\0" * WRITE_PROBE_BYTES)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        return exc.strerror or str(exc)
    finally:
        probe.unlink(missing_ok=True)
    return ""


def check_clock(clock: Clock) -> Check:
    if clock.synced():
        return Check("clock", OK, "system clock is synchronized")
    return Check("clock", WARN, "system clock is not synchronized; events are marked "
                 "clock_synced=false", "check the network and `timedatectl timesync-status`")


def check_scanner(scanner: ScannerSection, probes: Probes) -> Check:
    name = f"scanner {visible(scanner.name)}"
    paths = [scanner.path] if scanner.path else probes.find_input(
        scanner.vendor, scanner.product, scanner.serial)
    if not paths:
        return Check(name, FAIL, f"no input device {scanner.vendor}:{scanner.product} found",
                     "plug the scanner in; `kiosk udev-rules` shows the expected match")
    result = probes.input_grabbable(paths[0])
    if result.ok:
        return Check(name, OK, result.detail)
    if result.busy:
        return Check(name, WARN, result.detail, "fine while kiosk.service runs; otherwise "
                     "find the holder with `fuser -v " + paths[0] + "`")
    return Check(name, FAIL, result.detail, "check the cable, the path in the config and "
                 "that the udev rule gives the kiosk group access")


def check_gpio(settings: Settings, probes: Probes) -> Check:
    result = probes.pin_factory(settings.gpio.pin_factory)
    fix = "" if result.ok else ("install python3-lgpio and make sure the kiosk user may "
                                "open /dev/gpiochip*")
    return Check("gpio", OK if result.ok else FAIL, result.detail, fix)


def check_printer(printer: PrinterSection, data_dir: Path, probes: Probes,
                  limits: Limits) -> list[Check]:
    kind = printer.connection
    if kind == "network":
        host, _, port = printer.target.partition(":")
        port_no = int(port) if port.isdigit() else DEFAULT_PRINTER_PORT
        reach = probes.tcp_reachable(host, port_no, limits.timeout_s)
        if not reach.ok:
            return [Check("printer", FAIL, reach.detail, "switch the printer on and check "
                          "its network cable and address")]
        paper = probes.paper_status(host, port_no, limits.timeout_s)
        return [Check("printer", OK, reach.detail),
                Check("paper", OK if paper.ok else FAIL, paper.detail,
                      "" if paper.ok else "load a new paper roll")]
    if kind == "usb":
        vendor, _, product = printer.target.partition(":")
        found = probes.usb_present(vendor, product)
        return [Check("printer", OK if found.ok else FAIL, found.detail,
                      "" if found.ok else "plug in and switch on the printer")]
    if kind == "serial":
        present = Path(printer.target).exists()
        return [Check("printer", OK if present else FAIL,
                      f"{printer.target} {'exists' if present else 'does not exist'}",
                      "" if present else "plug in the serial adapter")]
    folder = Path(printer.target).parent if kind == "file" else Path(
        printer.output_dir or data_dir / "prints")
    folder_ok = folder.is_dir() and os.access(folder, os.W_OK)
    return [Check("printer", OK if folder_ok else FAIL,
                  f"{kind} printer writes to {folder}"
                  + ("" if folder_ok else " which is missing or not writable"),
                  "" if folder_ok else f"create {folder} writable by the kiosk user")]


def check_broker(settings: Settings, probes: Probes, limits: Limits) -> Check:
    mqtt = settings.mqtt
    if not mqtt.enabled:
        return Check("broker", OK, "publishing is switched off (mqtt.enabled = false)")
    password = ""
    if mqtt.password_file:
        try:
            password = Path(mqtt.password_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            return Check("broker", FAIL, f"cannot read {mqtt.password_file}: {exc.strerror}",
                         "make the password file readable by the kiosk user")
    result = probes.mqtt_connack(mqtt.host, mqtt.port, username=mqtt.username,
                                 password=password, protocol=mqtt.protocol, tls=mqtt.tls,
                                 ca_file=mqtt.ca_file, cert_file=mqtt.cert_file,
                                 key_file=mqtt.key_file, timeout_s=limits.timeout_s)
    if result.ok:
        return Check("broker", OK, result.detail)
    fix = ("check mqtt.username and the password file with headquarters"
           if result.code is not None else "check the network, mqtt.host and mqtt.port")
    return Check("broker", FAIL, result.detail, fix)


def check_outbox(settings: Settings, limits: Limits) -> Check:
    try:
        conn = backups.open_existing(settings.kiosk.database_path)
        try:
            rows, oldest = conn.execute("SELECT count(*), min(created_at) FROM outbox"
                                        ).fetchone()
        finally:
            conn.close()
    except (sqlite3.Error, StoreError) as exc:
        return Check("outbox", FAIL, f"cannot read the outbox: {exc}", "run `kiosk doctor` "
                     "again once the database and disk checks pass")
    if not rows:
        return Check("outbox", OK, "every event has been delivered")
    age_h = (dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(oldest)).total_seconds() / 3600
    detail = f"{rows} events waiting, oldest from {oldest} ({age_h:.1f} h ago)"
    fix = "check that kiosk-publish.service runs and the broker is reachable"
    if settings.mqtt.enabled and age_h > limits.backlog_fail_age_h:
        return Check("outbox", FAIL, detail, fix)
    if rows > limits.backlog_warn_rows:
        return Check("outbox", WARN, detail, fix)
    return Check("outbox", OK, detail)


def print_report(checks: list[Check], out: Callable[[str], None] = print) -> int:
    width = max(len(c.name) for c in checks)
    for check in checks:
        out(f"[{check.status:^4}] {visible(check.name):<{width}}  {visible(check.detail)}")
        if check.fix and check.status != OK:
            out(f"       {'':<{width}}  -> {visible(check.fix)}")
    failed = [c for c in checks if c.status == FAIL]
    out(f"{len(failed)} problem(s) found" if failed else "all checks passed")
    return 1 if failed else 0
