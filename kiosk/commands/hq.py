"""`kiosk publish` (the outbox publisher as its own service) and `kiosk hq` (fleet consumer)."""

from __future__ import annotations

import argparse
import json
import signal
import socket
import threading
from pathlib import Path
from typing import Any

from kiosk import link
from kiosk.commands import open_store, print_json, settings_from
from kiosk.config import Settings
from kiosk.errors import KioskError
from kiosk.hq import HqConsumer, gaps, holdings, open_hq_db, where_is
from kiosk.link_status import outbox_status
from kiosk.text import visible


def register(subparsers: argparse._SubParsersAction) -> None:
    pub = subparsers.add_parser("publish", help="send queued events to headquarters (runs "
                                "until stopped); --status shows the outbox")
    pub.add_argument("--status", action="store_true", help="print the outbox state and exit")
    pub.set_defaults(func=cmd_publish)

    hq = subparsers.add_parser("hq", help="headquarters: consume the fleet's events, answer "
                               "questions across sites")
    hq_sub = hq.add_subparsers(dest="hq_command", metavar="ACTION", required=True)
    run = hq_sub.add_parser("run", help="consume events until stopped (start several to "
                            "share the load)")
    run.add_argument("--instance", type=int, default=1, help="number of this process on this "
                     "host (1, 2, ...): keeps its MQTT session across restarts")
    run.set_defaults(func=cmd_hq_run)
    where = hq_sub.add_parser("where", help="where is asset X")
    where.add_argument("asset")
    where.set_defaults(func=cmd_hq_where)
    holds = hq_sub.add_parser("holds", help="what does person Y hold")
    holds.add_argument("employee_no")
    holds.set_defaults(func=cmd_hq_holds)
    gap = hq_sub.add_parser("gaps", help="missing sequence ranges per kiosk")
    gap.set_defaults(func=cmd_hq_gaps)
    kiosks = hq_sub.add_parser("kiosks", help="last status of every kiosk")
    kiosks.set_defaults(func=cmd_hq_kiosks)


def _until_signalled() -> threading.Event:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def cmd_publish(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    store = open_store(settings)
    if args.status:
        print_json(outbox_status(store))
        return 0
    if not settings.mqtt.enabled:
        raise KioskError("mqtt.enabled is false in the configuration; nothing to publish")
    publisher = link.outbox_publisher(settings, store)
    stop = _until_signalled()
    publisher.start()
    print(f"publishing to {settings.mqtt.host}:{settings.mqtt.port}", flush=True)
    while not stop.wait(1.0):
        if publisher.error is not None:
            raise KioskError(f"the publisher stopped: {publisher.error}")
    publisher.stop()
    return 0


def hq_db_path(settings: Settings) -> Path:
    path = Path(settings.hq.database)
    return path if path.is_absolute() else settings.data_dir / path


def hq_consumer(settings: Settings, instance: int = 1) -> HqConsumer:
    # A stable id: a restarted process resumes its persistent session and with it the share
    # of events the broker queued for it meanwhile.
    client_id = settings.hq.client_id or f"hq-{socket.gethostname()}-{instance}"
    options = link.mqtt_options(
        settings, client_id=client_id, manual_ack=True,
        subscriptions=HqConsumer.subscriptions(settings.mqtt.prefix, settings.hq.share_group))
    return HqConsumer(hq_db_path(settings), link.mqtt_client(options),
                      prefix=settings.mqtt.prefix, gap_grace_s=settings.hq.gap_grace_s)


def cmd_hq_run(args: argparse.Namespace) -> int:
    if args.instance < 1:
        raise KioskError("--instance must be 1 or more")
    consumer = hq_consumer(settings_from(args), args.instance)
    stop = _until_signalled()
    consumer.start()
    print(f"consuming into {consumer.db_path}", flush=True)
    stop.wait()
    consumer.stop()
    return 0


def _show(rows: list[dict[str, Any]] | dict[str, Any]) -> None:
    # JSON escapes C0 controls itself; visible() also catches DEL and C1 (untrusted HQ data).
    text = json.dumps(rows, ensure_ascii=False, indent=2)
    print("\n".join(visible(line) for line in text.splitlines()))


def cmd_hq_where(args: argparse.Namespace) -> int:
    found = where_is(open_hq_db(hq_db_path(settings_from(args))), args.asset.strip().upper())
    if found is None:
        raise KioskError(f"headquarters has no event about asset {args.asset!r}")
    _show(found)
    return 0


def cmd_hq_holds(args: argparse.Namespace) -> int:
    _show(holdings(open_hq_db(hq_db_path(settings_from(args))), args.employee_no.strip()))
    return 0


def cmd_hq_gaps(args: argparse.Namespace) -> int:
    found = gaps(open_hq_db(hq_db_path(settings_from(args))))
    _show(found)
    return 1 if found else 0


def cmd_hq_kiosks(args: argparse.Namespace) -> int:
    db = open_hq_db(hq_db_path(settings_from(args)))
    rows = db.execute("SELECT site, kiosk, state, last_seq, seen_at, status FROM kiosks "
                      "ORDER BY site, kiosk").fetchall()
    _show([{"site": r[0], "kiosk": r[1], "state": r[2], "last_seq": r[3], "seen_at": r[4],
            "status": json.loads(r[5])} for r in rows])
    return 0
