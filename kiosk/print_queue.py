"""Print jobs in SQLite, printed by one worker thread, so printing never delays a scan.

The station commits its transaction first, then calls `enqueue()`: the job row
(`print_jobs`, operations as JSON) is durable before anything touches the
printer. The worker thread owns its own database connection (SQL-02), renders
and sends each due job, and records the outcome. A failure (printer offline,
paper out, timeout) marks the job ``failed`` with the reason, schedules a retry
with growing back-off, and tells the UI through `on_notice` with the text
"receipt not printed: <reason>". After `max_attempts` the job stays ``failed``
until someone reprints it (`reprint()`), which adds a new job; nothing is deleted.

`on_notice` runs on the worker thread: a Textual app must hop back with
`App.call_from_thread` (TUI-05).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from kiosk.clock import iso
from kiosk.errors import NotFound
from kiosk.preview import save_preview
from kiosk.printdoc import MEDIA, Media, Op, from_primitives, to_primitives
from kiosk.receipt import Label, Receipt, label_ops, receipt_ops
from kiosk.store import Store

log = logging.getLogger(__name__)

BACKOFF_S = (5.0, 15.0, 60.0, 300.0)


class JobPrinter(Protocol):
    """What the queue needs from a printer driver (drivers.escpos_printer.EscposPrinter)."""

    def render(self, ops: list[dict[str, Any]]) -> bytes: ...
    def send(self, job: bytes) -> None: ...


@dataclass(frozen=True)
class PrintNotice:
    """What the screen shows after a job: printed, or not printed and why."""

    job_id: int
    kind: str
    printed: bool
    text: str


def notice_text(kind: str, printed: bool, reason: str = "") -> str:
    word = "label" if kind == "label" else "receipt"
    return f"{word} printed" if printed else f"{word} not printed: {reason}"


class PrintQueue:
    def __init__(self, store: Store, printer: JobPrinter, *, max_attempts: int = 5,
                 backoff_s: Sequence[float] = BACKOFF_S,
                 on_notice: Callable[[PrintNotice], None] | None = None,
                 media: Media | None = None, codepage: str = "CP858",
                 preview_dir: Path | None = None) -> None:
        self._store = store
        self.media = media or MEDIA["80"]
        self.codepage = codepage
        self.preview_dir = preview_dir  # demo mode: a PNG of every printed job
        self._printer = printer
        self.max_attempts = max_attempts
        self._backoff = tuple(backoff_s)
        self._on_notice = on_notice
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.notices: deque[PrintNotice] = deque(maxlen=100)

    # -- called from the station / UI thread with that thread's Store ----------------

    def enqueue(self, store: Store, ops: list[Op], *, kind: str, title: str = "",
                media: str = "80", reprint_of: int | None = None) -> int:
        """Record a job (in the caller's open transaction, or its own); wake the worker."""
        row = {"kind": kind, "title": title, "ops": json.dumps(to_primitives(ops),
                                                             ensure_ascii=False),
               "media": media, "status": "pending", "attempts": 0,
               "created_at": iso(store.clock.now()), "next_attempt_at": "",
               "reprint_of": reprint_of}
        sql = ("INSERT INTO print_jobs(kind, title, ops, media, status, attempts, created_at, "
               "next_attempt_at, reprint_of) VALUES (:kind, :title, :ops, :media, :status, "
               ":attempts, :created_at, :next_attempt_at, :reprint_of)")
        if store.db.conn.in_transaction:
            job_id = store.db.execute(sql, row).lastrowid
        else:
            with store.transaction():
                job_id = store.db.execute(sql, row).lastrowid
        self._wake.set()
        return int(job_id)

    def enqueue_receipt(self, store: Store, receipt: Receipt) -> int:
        """Lay out and queue a receipt the station handed over after its commit."""
        return self.enqueue(store, receipt_ops(receipt, self.media, self.codepage),
                            kind=receipt.kind, title=receipt.employee_no,
                            media=self.media.name)

    def enqueue_label(self, store: Store, label: Label) -> int:
        return self.enqueue(store, label_ops(label, self.media, self.codepage), kind="label",
                            title=label.number, media=self.media.name)

    def reprint(self, store: Store, job_id: int) -> int:
        """Queue the same job again (attendant mode); the old row keeps its history."""
        old = store.one("SELECT kind, title, ops, media FROM print_jobs WHERE id = ?", [job_id])
        if old is None:
            raise NotFound(f"there is no print job {job_id}")
        with store.transaction():
            new_id = store.db.execute(
                "INSERT INTO print_jobs(kind, title, ops, media, status, attempts, created_at, "
                "next_attempt_at, reprint_of) VALUES (?, ?, ?, ?, 'pending', 0, ?, '', ?)",
                [old["kind"], old["title"], old["ops"], old["media"],
                 iso(store.clock.now()), job_id]).lastrowid
        self._wake.set()
        return int(new_id)

    # -- the worker -------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="print-queue", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def kick(self) -> None:
        """Look for due jobs now (after the clock moved or the printer came back)."""
        self._wake.set()

    def _run(self) -> None:
        db = self._store.another()
        try:
            while not self._stopping.is_set():
                self._wake.clear()
                try:
                    wait = self.run_due(db)
                except Exception:  # e.g. the disk is full: keep the worker alive, try later
                    log.exception("print queue could not read or update its jobs")
                    wait = self._backoff[0] if self._backoff else 5.0
                if not self._stopping.is_set():
                    self._wake.wait(wait)
        finally:
            db.close()

    def run_due(self, db: Store) -> float | None:
        """Print every due job once; return seconds until the next retry (None: none left)."""
        while not self._stopping.is_set():
            now = iso(db.clock.now())
            job = db.one("SELECT * FROM print_jobs WHERE status IN ('pending', 'failed') "
                         "AND attempts < ? AND next_attempt_at <= ? ORDER BY id LIMIT 1",
                         [self.max_attempts, now])
            if job is None:
                break
            self._attempt(db, job)
        upcoming = db.one("SELECT MIN(next_attempt_at) AS at FROM print_jobs WHERE status = "
                          "'failed' AND attempts < ?", [self.max_attempts])
        if not upcoming or not upcoming["at"]:
            return None
        due = dt.datetime.fromisoformat(upcoming["at"].replace("Z", "+00:00"))
        return max((due - db.clock.now()).total_seconds(), 0.05)

    def _attempt(self, db: Store, job: dict[str, Any]) -> None:
        attempts = job["attempts"] + 1
        try:
            payload = self._printer.render(json.loads(job["ops"]))
            self._printer.send(payload)
        except Exception as exc:  # noqa: BLE001 - any printer fault must leave the job queued
            reason = str(exc) or type(exc).__name__
            permanent = isinstance(exc, ValueError)  # a job that cannot be rendered won't improve
            self._failed(db, job, attempts, reason, permanent)
            return
        now = iso(db.clock.now())
        with db.transaction():
            db.db.execute("UPDATE print_jobs SET status = 'printed', attempts = ?, error = NULL, "
                          "printed_at = ?, updated_at = ? WHERE id = ?",
                          [attempts, now, now, job["id"]])
        if self.preview_dir is not None:
            self._save_preview(job)
        self._tell(PrintNotice(job["id"], job["kind"], True, notice_text(job["kind"], True)))

    def _save_preview(self, job: dict[str, Any]) -> None:
        try:
            save_preview(from_primitives(json.loads(job["ops"])),
                         Path(self.preview_dir) / f"job-{job['id']}.png",
                         MEDIA.get(job["media"] or "", self.media))
        except Exception:  # a preview is a convenience; the job is printed
            log.exception("could not save the preview of print job %s", job["id"])

    def _failed(self, db: Store, job: dict[str, Any], attempts: int, reason: str,
                permanent: bool) -> None:
        now = db.clock.now()
        delay = self._backoff[min(attempts, len(self._backoff)) - 1] if self._backoff else 0
        with db.transaction():
            db.db.execute(
                "UPDATE print_jobs SET status = 'failed', attempts = ?, error = ?, "
                "updated_at = ?, next_attempt_at = ? WHERE id = ?",
                [self.max_attempts if permanent else attempts, reason, iso(now),
                 iso(now + dt.timedelta(seconds=delay)), job["id"]])
        log.warning("print job %s failed (attempt %s): %s", job["id"], attempts, reason)
        self._tell(PrintNotice(job["id"], job["kind"], False,
                               notice_text(job["kind"], False, reason)))

    def _tell(self, notice: PrintNotice) -> None:
        self.notices.append(notice)
        if self._on_notice is None:
            return
        try:
            self._on_notice(notice)
        except Exception:  # a broken listener must not stop printing (Mopidy listener rule)
            log.exception("print notice listener failed")


def list_jobs(store: Store, status: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Newest jobs first, for attendant mode and `kiosk print-jobs`."""
    where, params = ("WHERE status = ?", [status]) if status else ("", [])
    return store.all(f"SELECT id, kind, title, status, attempts, error, created_at, printed_at, "
                     f"reprint_of FROM print_jobs {where} ORDER BY id DESC LIMIT ?",
                     [*params, limit])
