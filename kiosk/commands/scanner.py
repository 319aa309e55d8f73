"""replay, scanners, scan-test: tools for installing barcode scanners and badge readers."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.classify import Lookups, NoLookups, StoreLookups, classify
from kiosk.commands import open_store
from kiosk.config import ScannerSection, Settings, find_config, load_settings
from kiosk.errors import KioskError
from kiosk.scanning import spec_of, specs_of, to_scan
from kiosk.scans import Classified
from kiosk.text import visible

EV_KEY = 1  # linux/input-event-codes.h; kiosk/ does not import evdev


def register(subparsers: argparse._SubParsersAction) -> None:
    replay = subparsers.add_parser("replay", help="decode an evtest capture, one JSON line "
                                   "per scan")
    replay.add_argument("captures", nargs="+", metavar="CAPTURE",
                        help="text printed by `evtest`; several nodes of one device are "
                        "replayed together, each with its own buffer")
    replay.add_argument("--layout", type=layout_arg, default="us", help="us, gb, de, fr or it")
    replay.add_argument("--profile", type=profile_arg, default="",
                        help="control profile: a name or F8=GS,...")
    replay.add_argument("--terminators", type=terminators_arg, default=["enter", "kpenter"],
                        help="comma list of enter, kpenter, tab, lf ('' = none)")
    # The same bounds as [[scanners]] idle_framing_ms and abandon_ms.
    replay.add_argument("--idle-ms", type=milliseconds(5000), default=0,
                        help="idle framing, 0-5000 (0 = off)")
    replay.add_argument("--abandon-ms", type=milliseconds(60000), default=1000,
                        help="discard an unterminated scan after this long, up to 60000")
    replay.add_argument("--role", default="any", choices=("badge", "tool", "any"))
    replay.set_defaults(func=cmd_replay)

    scanners = subparsers.add_parser("scanners", help="list input devices and how to "
                                     "configure them")
    scanners.set_defaults(func=cmd_scanners)

    test = subparsers.add_parser("scan-test", help="print live scans from the configured "
                                 "scanners (Ctrl+C to stop)")
    test.add_argument("--seconds", type=float, default=0, help="stop after this long")
    test.set_defaults(func=cmd_scan_test)


# argparse `type=` checks: a bad value is a usage error naming the option, exit 2.

def layout_arg(text: str) -> str:
    from drivers.layouts import get_layout

    try:
        return get_layout(text).name
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def profile_arg(text: str) -> str:
    from drivers.profiles import parse_profile

    try:
        parse_profile(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def terminators_arg(text: str) -> list[str]:
    from drivers.profiles import parse_terminators

    names = [name.strip() for name in text.split(",") if name.strip()]
    try:
        parse_terminators(names)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return names


def milliseconds(maximum: int) -> Callable[[str], int]:
    def milliseconds_arg(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of ms") from None
        if not 0 <= value <= maximum:
            raise argparse.ArgumentTypeError(f"must be between 0 and {maximum} ms (got {value})")
        return value
    return milliseconds_arg


def _settings_and_lookups(args: argparse.Namespace) -> tuple[Settings, Lookups]:
    """The configuration and database if there are any; replay works without both."""
    path = find_config(getattr(args, "config", None))
    if not path.exists() and not getattr(args, "config", None):
        return Settings(), NoLookups()
    settings = load_settings(path)
    if not settings.kiosk.database_path.exists():
        return settings, NoLookups()
    return settings, StoreLookups(open_store(settings))


def result_json(classified: Classified, decoded: Any, node: str | None = None) -> dict[str, Any]:
    """One replay/scan-test line: the decoded text, flags and what it means."""
    out = {"text": decoded.text, "raw": decoded.raw, "symbology": decoded.symbology,
           "flags": list(decoded.flags), "notes": list(decoded.notes), "kind": classified.kind,
           "value": classified.value, "fields": classified.fields,
           "problem": classified.problem}
    return {**out, "node": node} if node else out


def cmd_replay(args: argparse.Namespace) -> int:
    from drivers.evtest import merge_by_time, read_capture
    from drivers.keymap import KeyDecoder

    settings, lookups = _settings_and_lookups(args)
    section = ScannerSection(name="replay", role=args.role, path="replay", layout=args.layout,
                             profile=args.profile, terminators=args.terminators,
                             idle_framing_ms=args.idle_ms, abandon_ms=max(args.abandon_ms, 50))
    spec = spec_of(section)
    try:
        captures = [read_capture(path) for path in args.captures]
    except OSError as exc:
        raise KioskError(f"cannot read the capture: {exc}") from None
    if not any(event.type == EV_KEY for capture in captures for event in capture.events):
        names = visible(", ".join(args.captures))
        raise KioskError(f"no key events found in {names} (is it the text `evtest` prints "
                         "for the scanner?)")
    decoders = [KeyDecoder(spec.layout, spec.profile, spec.framing) for _ in captures]
    names = [Path(p).name if len(captures) > 1 else None for p in args.captures]
    last = 0.0
    results: list[tuple[int, Any]] = []
    for index, event in merge_by_time(*(c.events for c in captures)):
        last = event.time
        for decoded in decoders[index].feed(event.type, event.code, event.value, event.time):
            results.append((index, decoded))
    for index, decoder in enumerate(decoders):  # let trailing idle/abandon timers expire
        results.extend((index, d) for d in decoder.poll(last + spec.framing.abandon_s + 3))
        for diagnostic in decoder.take_diagnostics():
            print(f"note: {diagnostic.kind}: {visible(diagnostic.detail)}", file=sys.stderr)
    for index, decoded in results:
        scan = to_scan(decoded, device=spec.identity, role=spec.role)
        print(json.dumps(result_json(classify(scan, lookups, settings), decoded, names[index]),
                         default=str))
    return 0


def cmd_scanners(args: argparse.Namespace) -> int:
    from drivers.evdev_backend import EvdevBackend
    from drivers.evdev_scanner import qualifies

    if not os.path.isdir("/dev/input"):
        print("There is no /dev/input on this machine, so no scanner can be read here "
              "(a container, or not Linux?). Run `kiosk scanners` on the kiosk itself.")
        return 0
    backend = EvdevBackend()
    nodes = backend.nodes()
    if not nodes:
        print("No input devices found in /dev/input. Plug the scanner in and run this again.")
        return 0
    links = backend.links()
    for info in nodes:
        keys, why = _keys_of(backend, info.path)
        if keys is None:
            fit = f"capabilities unknown ({why})"
        else:
            fit = "barcode scanner" if qualifies(keys, "tool") else \
                "numeric badge reader" if qualifies(keys, "badge") else "not a scanner"
        print(f"{info.path}  {visible(info.name)!r}  {info.vendor:04x}:{info.product:04x}"
              f"{'  serial ' + visible(info.uniq) if info.uniq else ''}  [{fit}]")
        for link in links.get(info.path, []):
            print(f"    link: {link}")
        by_id = [link for link in links.get(info.path, []) if "/by-id/" in link]
        suggestion = f'path = "{by_id[0]}"' if by_id else \
            f'vendor = "{info.vendor:04x}"  product = "{info.product:04x}"' + (
                f'  serial = "{visible(info.uniq)}"' if info.uniq else "")
        print(f"    config: [[scanners]]  {suggestion}")
    return 0


def _keys_of(backend: Any, path: str) -> tuple[set[int] | None, str]:
    try:
        node = backend.open(path)
    except PermissionError:
        return None, "permission denied: add this user to group 'input' or see docs/scanners.md"
    except OSError as exc:
        return None, exc.strerror or str(exc)
    try:
        return node.keys(), ""
    finally:
        node.close()


def cmd_scan_test(args: argparse.Namespace) -> int:
    settings, lookups = _settings_and_lookups(args)
    if not settings.scanners:
        print("No [[scanners]] are configured; `kiosk scanners` shows what to add.")
        return 1
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_scan_test(settings, lookups, args.seconds))
    return 0


async def _scan_test(settings: Settings, lookups: Lookups, seconds: float) -> None:
    from drivers.scanners import ScannerHub

    async with ScannerHub(specs_of(settings)) as hub:
        print(f"watching {len(hub.readers)} configured scanner(s); Ctrl+C to stop", flush=True)
        reader = asyncio.create_task(_print_scans(hub, settings, lookups))
        watcher = asyncio.create_task(_print_status_changes(hub))
        await asyncio.sleep(seconds or 10**9)
        reader.cancel()
        watcher.cancel()
        for identity, status in hub.statuses().items():
            print(f"{identity}: {status.state}: {visible(status.message)}")


async def _print_status_changes(hub: Any) -> None:
    """Say at once whether each scanner is attached, missing, busy or not permitted."""
    shown: dict[str, tuple[str, str]] = {}
    await asyncio.sleep(0.3)        # give the readers their first attempt
    while True:
        for identity, status in hub.statuses().items():
            now = (status.state, status.message)
            if shown.get(identity) != now:
                shown[identity] = now
                print(f"{identity}: {status.state}: {visible(status.message)}", flush=True)
        await asyncio.sleep(1.0)


async def _print_scans(hub: Any, settings: Settings, lookups: Lookups) -> None:
    async for spec, decoded in hub.scans():
        scan = to_scan(decoded, device=spec.identity, role=spec.role)
        print(json.dumps(result_json(classify(scan, lookups, settings), decoded),
                         default=str), flush=True)
