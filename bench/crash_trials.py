"""Crash trials: SIGKILL the real station at random moments and check nothing confirmed is lost.

The parent prepares a seeded crib database and an `evtest` capture, then starts a *zygote*: a
child Python process that imports the kiosk and parses the capture once, then forks one station
process per trial on request (so a trial costs a fork, not an interpreter start). Each station
process opens the database (recovering the WAL a killed predecessor left), replays scans from
a random point of the capture through the real KeyDecoder -> kiosk.classify -> station flow ->
Store, and for every confirmed scan waits until the green LED pin (gpiozero MockFactory) went
high, then appends the confirmation to a side log and fsyncs it. The parent kills it with
SIGKILL after a random delay and checks the database (`verify`).

    from bench.crash_trials import run_trials
    report = run_trials(workdir, trials=200, seed=1)
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from bench.trial_link import Broker, Receiver

ROOT = Path(__file__).resolve().parent.parent
CONFIRM_LOG = "confirmed.jsonl"
CAPTURE = "workload.evtest"
GREEN_WAIT_S = 2.0
# Headlines of the crib flow that promise a record (a badge's "Hello" opens a session in
# memory only; the record of a session is its receipt, claimed below).
CLAIMS = {"Checked out": "loan.checked_out", "Returned": "loan.returned"}


@dataclass
class TrialReport:
    trials: int = 0
    confirmed: int = 0
    lost: int = 0
    integrity_failures: int = 0
    gaps: int = 0
    outbox_mismatches: int = 0
    crashes: int = 0          # station processes that died before the kill (not by SIGKILL)
    events: int = 0
    acknowledged: int = 0     # events the publisher removed from the outbox after PUBACK
    undelivered: int = 0      # ... of which the subscriber never got
    duplicates: int = 0       # deliveries beyond the first (at-least-once; HQ dedupes by id)
    problems: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.lost or self.integrity_failures or self.gaps or self.outbox_mismatches
                    or self.crashes)


# -- preparation (parent) ---------------------------------------------------------------------

def prepare(workdir: Path, seed: int, scans: int = 600) -> None:
    from bench.reliability_world import open_store, seed_crib, settings_for, workload, write_capture

    rng = random.Random(seed)
    settings = settings_for(workdir)
    store = open_store(settings)
    crib = seed_crib(store, settings)
    store.close()
    write_capture(workdir / CAPTURE, workload(crib, scans, rng), rng)


# -- the station process (forked by the zygote) -----------------------------------------------

def station_main(workdir: Path, events: list, start: int) -> None:
    """Run the station until killed; never returns normally."""
    from bench.reliability_world import (
        build_station,
        classify_scan,
        decoded_scans,
        open_store,
        settings_for,
    )

    settings = settings_for(workdir)
    store = open_store(settings)
    runtime, green = build_station(settings, store)
    station = runtime.station
    log_fd = os.open(workdir / CONFIRM_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    for decoded in decoded_scans(events, start):
        scan = classify_scan(decoded, store, settings)
        person = station.flow.person.employee_no if station.flow.person else None
        green.went_high.clear()
        outcome = station.scan(scan)
        claims = []
        if outcome.headline in CLAIMS:
            claims.append({"type": CLAIMS[outcome.headline], "asset": scan.value,
                           "actor": person})
        if outcome.receipt is not None:
            claims.append({"type": "session.closed", "tx": outcome.receipt.transaction_id})
        if outcome.signal == "accept" and claims and green.went_high.wait(GREEN_WAIT_S):
            line = "".join(json.dumps(c, sort_keys=True) + "\n" for c in claims)
            os.write(log_fd, line.encode())
            os.fsync(log_fd)


# -- the zygote -------------------------------------------------------------------------------

def die_with_parent() -> None:
    """Linux prctl(PR_SET_PDEATHSIG, SIGKILL): no orphaned station if the harness dies."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)


def _fork(target: Callable[[], None]) -> int:
    pid = os.fork()
    if pid == 0:
        die_with_parent()
        try:
            target()
        finally:
            os._exit(3)   # reaching here at all is a crash: the loops never end
    return pid


def zygote_main(workdir: Path) -> None:
    """Read "run <start> <broker port or 0>" lines; fork a station (and a publisher) per
    line; report "pids A [B]" and, once they are dead, "exit S [S]"."""
    from bench.reliability_world import load_events, scan_starts
    from bench.trial_link import publisher_main
    from drivers.escpos_render import load_escpos

    die_with_parent()
    # Import python-escpos once here, as a running kiosk has: building its capabilities
    # cache takes longer than most kill delays, so otherwise few trials would reach a scan.
    # (Kills during that build found a bug; tests/reliability/test_escpos_cache.py keeps it.)
    load_escpos()
    import kiosk.link  # noqa: F401 - the publisher's modules (paho too), loaded once as well
    events = load_events(workdir / CAPTURE)
    starts = scan_starts(events)
    print(f"ready {len(starts)}", flush=True)
    for line in sys.stdin:
        _, index, port = line.split()
        start = starts[int(index) % len(starts)]
        pids = [_fork(partial(station_main, workdir, events, start))]
        if int(port):
            pids.append(_fork(partial(publisher_main, workdir, int(port))))
        print("pids " + " ".join(map(str, pids)), flush=True)
        statuses = [os.waitpid(pid, 0)[1] for pid in pids]
        print("exit " + " ".join(map(str, statuses)), flush=True)


class Zygote:
    def __init__(self, workdir: Path) -> None:
        # Own escpos cache: a kill during its first write must not damage the user's cache.
        env = {**os.environ, "PYTHONPATH": str(ROOT),
               "ESCPOS_CAPABILITIES_PICKLE_DIR": str(workdir / "escpos-cache")}
        self.log = (workdir / "stations.log").open("a")   # warnings of the station processes
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.crash_trials", "zygote", str(workdir)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True,
            cwd=ROOT, env=env)
        ready = self._line()
        self.scans = int(ready.split()[1])

    def _line(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the zygote died (exit {self.proc.wait()})")
        return line

    def trial(self, start: int, delay_s: float, port: int = 0) -> list[int]:
        """Fork a station (and a publisher), SIGKILL them after `delay_s`; their statuses."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"run {start} {port}\n")
        self.proc.stdin.flush()
        pids = [int(pid) for pid in self._line().split()[1:]]
        time.sleep(delay_s)
        for pid in pids:
            # If one died on its own the kill finds nothing; its status reports the crash.
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return [int(status) for status in self._line().split()[1:]]

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.log.close()


# -- checks (parent, after every kill) --------------------------------------------------------

def _matches(claim: dict, event: dict) -> bool:
    if claim["type"] != event["type"]:
        return False
    if claim["type"] == "session.closed":
        return json.loads(event["payload"]).get("transaction_id") == claim["tx"]
    return claim["asset"] == event["asset"] and claim["actor"] == event["actor"]


def verify(workdir: Path, report: TrialReport, receiver: Receiver | None = None) -> None:
    """Open the database as a restarted kiosk would and check the four promises."""
    conn = sqlite3.connect(workdir / "kiosk.db")
    conn.row_factory = sqlite3.Row
    try:
        result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            report.integrity_failures += 1
            report.problems.append(f"integrity_check: {result[:3]}")
        _check_sequence(conn, report)
        _check_outbox(conn, report, receiver)
        _check_confirmed(conn, workdir, report)
    finally:
        conn.close()


def _check_sequence(conn: sqlite3.Connection, report: TrialReport) -> None:
    count, low, high = conn.execute(
        "SELECT COUNT(*), MIN(seq), MAX(seq) FROM events WHERE kiosk = 'crib-1'").fetchone()
    counter = conn.execute("SELECT value FROM counters WHERE scope = 'event-seq:crib-1'"
                           ).fetchone()
    report.events = count
    if count and (low != 1 or high != count or counter is None or counter[0] != high):
        report.gaps += 1
        report.problems.append(f"sequence: {count} events, seq {low}..{high}, "
                               f"counter {counter[0] if counter else None}")


def _check_outbox(conn: sqlite3.Connection, report: TrialReport,
                  receiver: Receiver | None) -> None:
    """The outbox holds exactly the events not acknowledged: a row may only be gone when the
    broker acknowledged it, and then the subscriber gets it. Without a publisher nothing is
    acknowledged, so every event must still be queued."""
    gone = {row[0] for row in conn.execute(
        "SELECT e.id FROM events e LEFT JOIN outbox o ON o.event_id = e.id AND o.seq = e.seq "
        "WHERE o.seq IS NULL")}
    extra = conn.execute("SELECT COUNT(*) FROM outbox o LEFT JOIN events e "
                         "ON o.event_id = e.id WHERE e.id IS NULL").fetchone()[0]
    report.acknowledged = len(gone)
    undelivered = receiver.missing(gone) if receiver else gone
    if undelivered or extra:
        report.outbox_mismatches += 1
        report.undelivered = max(report.undelivered, len(undelivered))
        report.problems.append(f"outbox: {len(undelivered)} events gone but never delivered, "
                               f"{extra} rows without event")
    if receiver:
        report.duplicates = receiver.messages - len(receiver.ids)


def _check_confirmed(conn: sqlite3.Connection, workdir: Path, report: TrialReport) -> None:
    """Confirmations, in order, must be a subsequence of the committed events."""
    path = workdir / CONFIRM_LOG
    claims = [json.loads(line) for line in path.read_text().splitlines()] \
        if path.exists() else []
    rows = conn.execute("SELECT type, asset, actor, payload FROM events WHERE type IN "
                        "('loan.checked_out', 'loan.returned', 'session.closed') ORDER BY seq")
    matched = 0
    for row in rows:
        if matched < len(claims) and _matches(claims[matched], dict(row)):
            matched += 1
    report.confirmed = len(claims)
    if matched < len(claims):
        report.lost = len(claims) - matched
        report.problems.append(f"first lost confirmation: {claims[matched]}")


# -- the loop ---------------------------------------------------------------------------------

def run_trials(workdir: Path, trials: int, seed: int = 1, max_delay_s: float = 0.12,
               progress: bool = False, link: bool = False) -> TrialReport:
    """`link`: also run the outbox publisher against a real mosquitto and a subscriber."""
    workdir.mkdir(parents=True, exist_ok=True)
    prepare(workdir, seed)
    rng = random.Random(seed)
    report = TrialReport()
    broker = Broker(workdir / "broker") if link else None
    receiver = Receiver(broker.port) if broker else None
    zygote = Zygote(workdir)
    try:
        for trial in range(trials):
            statuses = zygote.trial(rng.randrange(zygote.scans), rng.uniform(0, max_delay_s),
                                    broker.port if broker else 0)
            for status in statuses:
                if not (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL):
                    report.crashes += 1
                    report.problems.append(f"trial {trial}: a process ended by itself "
                                           f"({status})")
            report.trials += 1
            verify(workdir, report, receiver)
            if progress and trial % 100 == 99:
                print(f"  {trial + 1} trials, {report.confirmed} confirmed, {report.lost} lost",
                      file=sys.stderr, flush=True)
    finally:
        zygote.close()
        if receiver:
            receiver.close()
        if broker:
            broker.stop()
    return report


if __name__ == "__main__":
    if sys.argv[1:2] == ["zygote"]:
        zygote_main(Path(sys.argv[2]))
