"""The print queue: durable jobs, a worker thread, failures that never block a checkout."""

from __future__ import annotations

import json
import threading

import pytest

from drivers.escpos_printer import EscposPrinter
from kiosk.errors import NotFound
from kiosk.print_queue import PrintNotice, PrintQueue, list_jobs, notice_text
from kiosk.receipt import label_ops, receipt_ops


class Notices:
    """Collects notices from the worker thread; waits for a count without sleeping."""

    def __init__(self) -> None:
        self.items: list[PrintNotice] = []
        self._changed = threading.Condition()

    def __call__(self, notice: PrintNotice) -> None:
        with self._changed:
            self.items.append(notice)
            self._changed.notify_all()

    def wait_for(self, count: int, timeout: float = 60) -> list[PrintNotice]:
        with self._changed:
            assert self._changed.wait_for(lambda: len(self.items) >= count, timeout), self.items
            return list(self.items)


@pytest.fixture
def notices() -> Notices:
    return Notices()


def make_queue(store, printer, notices, **options) -> PrintQueue:
    queue = PrintQueue(store, printer, on_notice=notices, **options)
    queue.start()
    return queue


def checkout(store, n: int) -> None:
    """What the station does: one committed transaction with its event."""
    with store.transaction():
        store.record("asset.checked_out", {"n": n}, actor="E1001", asset=f"HAM-DRL-{n:08}")


def test_a_job_is_printed_and_recorded(store, receipt, notices):
    printer = EscposPrinter("dummy")
    queue = make_queue(store, printer, notices)
    try:
        job_id = queue.enqueue(store, receipt_ops(receipt), kind="checkout", title="E1001")
        [notice] = notices.wait_for(1)
    finally:
        queue.stop()
    assert notice == PrintNotice(job_id, "checkout", True, "receipt printed")
    assert printer.sent == [printer.render(json.loads(
        store.one("SELECT ops FROM print_jobs WHERE id = ?", [job_id])["ops"]))]
    row = store.one("SELECT status, attempts, printed_at FROM print_jobs WHERE id = ?", [job_id])
    assert row == {"status": "printed", "attempts": 1, "printed_at": "2026-12-03T09:00:00.000Z"}


def test_every_print_fails_and_100_checkouts_still_commit_each_with_a_notice(
        store, receipt, notices, closed_port):
    offline = EscposPrinter("network", f"127.0.0.1:{closed_port}", timeout_s=2)
    queue = make_queue(store, offline, notices)
    try:
        for n in range(100):
            checkout(store, n)
            queue.enqueue(store, receipt_ops(receipt), kind="checkout")
        seen = notices.wait_for(100)
    finally:
        queue.stop()
    assert store.one("SELECT COUNT(*) AS n FROM events")["n"] == 100
    assert len({n.job_id for n in seen}) == 100
    assert all(not n.printed and n.text.startswith(
        f"receipt not printed: printer offline (network 127.0.0.1:{closed_port})")
        for n in seen)
    rows = store.all("SELECT status, attempts, error FROM print_jobs")
    assert len(rows) == 100
    assert {(r["status"], r["attempts"]) for r in rows} == {("failed", 1)}
    assert all("printer offline" in r["error"] for r in rows)


def test_a_failed_job_is_retried_after_its_backoff_and_then_printed(
        store, receipt, notices, clock, closed_port):
    printer = EscposPrinter("network", f"127.0.0.1:{closed_port}", timeout_s=2)
    queue = make_queue(store, printer, notices, backoff_s=(30,))
    try:
        job_id = queue.enqueue(store, receipt_ops(receipt), kind="checkout")
        notices.wait_for(1)
        printer.connection = "dummy"  # the printer is back
        queue.kick()  # not due yet: nothing happens
        clock.advance(seconds=31)
        queue.kick()
        second = notices.wait_for(2)[1]
    finally:
        queue.stop()
    assert second == PrintNotice(job_id, "checkout", True, "receipt printed")
    assert store.one("SELECT attempts FROM print_jobs WHERE id = ?", [job_id])["attempts"] == 2
    assert len(printer.sent) == 1


def test_after_max_attempts_the_job_waits_for_a_reprint(store, label, notices, clock,
                                                        closed_port):
    printer = EscposPrinter("network", f"127.0.0.1:{closed_port}", timeout_s=2)
    queue = make_queue(store, printer, notices, max_attempts=2, backoff_s=(1,))
    try:
        job_id = queue.enqueue(store, label_ops(label), kind="label")
        notices.wait_for(1)
        clock.advance(seconds=2)
        queue.kick()
        assert notices.wait_for(2)[1].text.startswith("label not printed: printer offline")
        clock.advance(seconds=60)
        printer.connection = "dummy"
        new_id = queue.reprint(store, job_id)
        done = notices.wait_for(3)[2]
    finally:
        queue.stop()
    assert done == PrintNotice(new_id, "label", True, "label printed")
    jobs = {row["id"]: row for row in list_jobs(store)}
    assert jobs[job_id]["status"] == "failed" and jobs[job_id]["attempts"] == 2
    assert jobs[new_id]["reprint_of"] == job_id and jobs[new_id]["status"] == "printed"
    assert len(printer.sent) == 1  # the old job was not retried a third time


def test_reprinting_an_unknown_job_says_so(store, notices):
    queue = PrintQueue(store, EscposPrinter("dummy"))
    with pytest.raises(NotFound, match="no print job 42"):
        queue.reprint(store, 42)


def test_a_job_that_cannot_be_rendered_is_not_retried(store, receipt, notices, clock):
    broken = EscposPrinter("dummy", profile="TM-NOPE")
    queue = make_queue(store, broken, notices, max_attempts=5)
    try:
        job_id = queue.enqueue(store, receipt_ops(receipt), kind="checkout")
        assert "profile 'TM-NOPE'" in notices.wait_for(1)[0].text
    finally:
        queue.stop()
    row = store.one("SELECT status, attempts FROM print_jobs WHERE id = ?", [job_id])
    assert row == {"status": "failed", "attempts": 5}


def test_a_job_enqueued_inside_the_checkout_transaction_commits_with_it(store, receipt):
    queue = PrintQueue(store, EscposPrinter("dummy"))
    with pytest.raises(RuntimeError), store.transaction():
        store.record("asset.checked_out", {})
        queue.enqueue(store, receipt_ops(receipt), kind="checkout")
        raise RuntimeError("the checkout failed")
    assert store.one("SELECT COUNT(*) AS n FROM print_jobs")["n"] == 0


def test_jobs_left_from_a_previous_run_are_printed_on_start(store, receipt, notices):
    PrintQueue(store, EscposPrinter("dummy")).enqueue(store, receipt_ops(receipt),
                                                       kind="return")
    printer = EscposPrinter("dummy")
    queue = make_queue(store, printer, notices)
    try:
        assert notices.wait_for(1)[0].printed
    finally:
        queue.stop()
    assert len(printer.sent) == 1


def test_a_broken_notice_listener_does_not_stop_printing(store, receipt):
    calls: list[PrintNotice] = []
    second_call = threading.Event()

    def explode(notice):
        calls.append(notice)
        if len(calls) == 2:
            second_call.set()
        raise RuntimeError("listener bug")

    printer = EscposPrinter("dummy")
    queue = PrintQueue(store, printer, on_notice=explode)
    queue.start()
    try:
        queue.enqueue(store, receipt_ops(receipt), kind="checkout")
        queue.enqueue(store, receipt_ops(receipt), kind="checkout")
        assert second_call.wait(60)
    finally:
        queue.stop()
    assert len(printer.sent) == 2 and [n.printed for n in queue.notices] == [True, True]


@pytest.mark.parametrize(("kind", "text"), [
    ("checkout", "receipt not printed: paper out"), ("label", "label not printed: paper out")])
def test_notice_text_names_what_was_not_printed(kind, text):
    assert notice_text(kind, False, "paper out") == text


def test_receipts_and_labels_are_laid_out_for_the_configured_paper(store, receipt, label,
                                                                    notices):
    from kiosk.printdoc import MEDIA

    printer = EscposPrinter("dummy")
    queue = make_queue(store, printer, notices, media=MEDIA["58"], codepage="CP437")
    try:
        receipt_id = queue.enqueue_receipt(store, receipt)
        label_id = queue.enqueue_label(store, label)
        notices.wait_for(2)
    finally:
        queue.stop()
    rows = {r["id"]: r for r in store.all("SELECT id, kind, title, media, ops FROM print_jobs")}
    assert (rows[receipt_id]["kind"], rows[receipt_id]["title"]) == ("checkout", "E1001")
    assert (rows[label_id]["kind"], rows[label_id]["title"]) == ("label", "HAM-DRL-26000127")
    assert {r["media"] for r in rows.values()} == {"58"}
    assert "3,50" not in rows[label_id]["ops"] and "EUR" in rows[label_id]["ops"]  # CP437 has no €


def test_demo_mode_saves_a_preview_of_every_printed_job(store, label, notices, tmp_path):
    import zxingcpp
    from PIL import Image

    queue = make_queue(store, EscposPrinter("dummy"), notices, preview_dir=tmp_path / "pv")
    try:
        job_id = queue.enqueue_label(store, label)
        notices.wait_for(1)
    finally:
        queue.stop()
    with Image.open(tmp_path / "pv" / f"job-{job_id}.png") as image:
        texts = {r.format.name: r.text for r in zxingcpp.read_barcodes(image)}
    assert texts["Code128"] == "HAM-DRL-26000127"
