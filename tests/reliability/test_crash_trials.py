"""R1/R2: SIGKILL the real station and the outbox publisher 200 times (real mosquitto, a
subscriber as HQ); nothing confirmed is lost, nothing acknowledged is undelivered, nothing is
corrupt."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from bench.crash_trials import CONFIRM_LOG, TrialReport, run_trials, verify

TRIALS = 200


@pytest.fixture(scope="module")
def trials(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, TrialReport]:
    workdir = tmp_path_factory.mktemp("crash")
    return workdir, run_trials(workdir, TRIALS, seed=8, link=True)


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, TrialReport]:
    """Trials without a publisher: the outbox must hold every event (for the checker tests)."""
    workdir = tmp_path_factory.mktemp("plain")
    return workdir, run_trials(workdir, 20, seed=9)


class DeliveredIds:
    """What an HQ subscriber received, fixed in advance (for testing the checker)."""

    def __init__(self, ids: set[str]) -> None:
        self.ids, self.messages = ids, len(ids)

    def missing(self, ids: set[str]) -> set[str]:
        return ids - self.ids


def test_every_confirmed_scan_survives_200_kills(trials: tuple[Path, TrialReport]) -> None:
    _, report = trials
    assert report.trials == TRIALS
    assert report.confirmed > TRIALS   # the kills left the station time to confirm scans
    assert report.lost == 0, report.problems


def test_database_stays_sound_after_every_kill(trials: tuple[Path, TrialReport]) -> None:
    _, report = trials
    assert (report.integrity_failures, report.gaps, report.outbox_mismatches) == (0, 0, 0), \
        report.problems
    assert report.crashes == 0, report.problems


def test_outbox_rows_leave_only_when_hq_has_the_event(trials) -> None:
    _, report = trials
    assert report.acknowledged > report.events // 2   # the publisher did drain, mid-kill too
    assert report.undelivered == 0, report.problems


def test_plain_trials_keep_every_event_in_the_outbox(plain) -> None:
    _, report = plain
    assert report.clean and report.acknowledged == 0 and report.confirmed > 0, report.problems


def test_checker_notices_an_acknowledged_event_hq_never_got(trials, tmp_path: Path) -> None:
    workdir, _ = trials
    copy = _copy(workdir, tmp_path / "undelivered")
    conn = sqlite3.connect(copy / "kiosk.db")
    ids = {row[0] for row in conn.execute("SELECT id FROM events")}
    conn.close()
    report = TrialReport()
    verify(copy, report, DeliveredIds(ids - {min(ids)}))
    assert report.undelivered == 1 and report.outbox_mismatches == 1


def _copy(workdir: Path, target: Path) -> Path:
    """A consistent copy of the trial database and side log to tamper with."""
    target.mkdir()
    source = sqlite3.connect(workdir / "kiosk.db")
    copy = sqlite3.connect(target / "kiosk.db")
    source.backup(copy)
    source.close()
    copy.close()
    (target / CONFIRM_LOG).write_bytes((workdir / CONFIRM_LOG).read_bytes())
    return target


def _events_of_last_confirmation(db: Path, workdir: Path) -> list[int]:
    """Every event that could stand for the last confirmation (all of them will go)."""
    claim = json.loads((workdir / CONFIRM_LOG).read_text().splitlines()[-1])
    conn = sqlite3.connect(db)
    if claim["type"] == "session.closed":
        rows = conn.execute("SELECT seq FROM events WHERE type = 'session.closed' AND "
                            "json_extract(payload, '$.transaction_id') = ?", [claim["tx"]])
    else:
        rows = conn.execute("SELECT seq FROM events WHERE type = ? AND asset = ? AND actor = ?",
                            [claim["type"], claim["asset"], claim["actor"]])
    seqs = [row[0] for row in rows]
    conn.close()
    return seqs


def test_checker_notices_a_lost_confirmed_event(plain, tmp_path: Path) -> None:
    workdir, _ = plain
    copy = _copy(workdir, tmp_path / "lost")
    seqs = _events_of_last_confirmation(copy / "kiosk.db", copy)
    conn = sqlite3.connect(copy / "kiosk.db")
    conn.execute("DROP TRIGGER events_no_delete")   # simulate writes that never landed
    for seq in seqs:
        conn.execute("DELETE FROM outbox WHERE seq = ?", [seq])
        conn.execute("DELETE FROM events WHERE seq = ?", [seq])
    conn.commit()
    conn.close()
    report = TrialReport()
    verify(copy, report)
    assert report.lost >= 1 and report.gaps == 1


def test_checker_notices_an_outbox_row_gone_missing(plain, tmp_path: Path) -> None:
    workdir, _ = plain
    copy = _copy(workdir, tmp_path / "outbox")
    conn = sqlite3.connect(copy / "kiosk.db")
    conn.execute("DELETE FROM outbox WHERE seq = (SELECT MIN(seq) FROM outbox)")
    conn.commit()
    conn.close()
    report = TrialReport()
    verify(copy, report)
    assert report.outbox_mismatches == 1 and report.lost == 0


def test_checker_notices_a_damaged_database(plain, tmp_path: Path) -> None:
    workdir, _ = plain
    copy = _copy(workdir, tmp_path / "damaged")
    data = bytearray((copy / "kiosk.db").read_bytes())
    page = 512
    for offset in range(page * 8, min(len(data), page * 40), page):
        data[offset + 8: offset + 40] = b"\xff" * 32   # scribble over b-tree cell pointers
    (copy / "kiosk.db").write_bytes(bytes(data))
    report = TrialReport()
    try:
        verify(copy, report)
    except sqlite3.DatabaseError:
        report.integrity_failures += 1   # too damaged to even read: also a failure found
    assert report.integrity_failures == 1
