"""Reliability and hostile-input figures (goals R1 and S1) in one table.

    .venv/bin/python bench/reliability.py                       # full: about 10-20 minutes
    .venv/bin/python bench/reliability.py --trials 50 --fuzz 2000 --soak 10000 --pty 50

- crash trials: the real station and the outbox publisher (real mosquitto, a subscriber as HQ)
  SIGKILLed at random moments (bench/crash_trials.py, bench/trial_link.py);
- fuzz: Hypothesis cases through the mounted Textual app (bench/fuzz.py) plus hostile
  payloads pasted into `kiosk demo` running in a pty (bench/pty_demo.py);
- soak: scans in compressed time (bench/soak.py): memory after warm-up vs at the end,
  response time of the first and last tenth, database bytes per event.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.crash_trials import run_trials  # noqa: E402
from bench.fuzz import fuzz_app  # noqa: E402
from bench.hostile import hostile_samples  # noqa: E402
from bench.pty_demo import run as run_pty  # noqa: E402
from bench.soak import soak  # noqa: E402

TEXT_SHARE = 0.7   # of the Hypothesis cases; the rest are raw key-event streams


def _step(name: str) -> float:
    print(f"[{time.strftime('%H:%M:%S')}] {name}", file=sys.stderr, flush=True)
    return time.monotonic()


def _ms(pair: tuple[float, float]) -> str:
    return f"{pair[0]:.2f} / {pair[1]:.2f} ms"


def measure(args: argparse.Namespace, folder: Path) -> dict[str, object]:
    # The soak runs first: its memory baseline must not include what fuzzing allocated.
    began = _step(f"{args.soak} soak scans")
    (folder / "soak").mkdir()
    soaked = soak(folder / "soak", args.soak)
    soak_s = time.monotonic() - began
    began = _step(f"{args.trials} crash trials (station + outbox publisher + mosquitto)")
    trials = run_trials(folder / "crash", args.trials, seed=args.seed, progress=True,
                        link=not args.no_link)
    crash_s = time.monotonic() - began
    began = _step(f"{args.fuzz} fuzz cases in the app")
    text_cases = int(args.fuzz * TEXT_SHARE)
    fuzz = asyncio.run(fuzz_app(folder / "fuzz", text_cases, args.fuzz - text_cases))
    fuzz_s = time.monotonic() - began
    _step(f"{args.pty} payloads into kiosk demo in a pty")
    (folder / "pty").mkdir()
    pty = run_pty(folder / "pty", hostile_samples(args.pty, seed=args.seed))
    problems = trials.problems[:3] + fuzz.examples[:3] + [repr(b) for b in pty.escaped[:3]]
    return {
        "trials (SIGKILL + restart)": trials.trials,
        "confirmed scans": trials.confirmed,
        "lost confirmed scans": trials.lost,
        "integrity failures": trials.integrity_failures,
        "sequence gaps / outbox mismatches": f"{trials.gaps} / {trials.outbox_mismatches}",
        "events acknowledged / never delivered / duplicates":
            f"{trials.acknowledged} / {trials.undelivered} / {trials.duplicates}",
        "crashes": trials.crashes + fuzz.crashes + (not pty.alive) + soaked.system_errors,
        "fuzz cases (app + pty)": f"{fuzz.cases + pty.payloads} ({fuzz.scans} scans in app)",
        "escapes reaching the terminal": fuzz.escapes + len(pty.escaped),
        "scans taken after hostile input": "yes" if pty.answered_after else "NO",
        "soak scans / events": f"{soaked.scans} / {soaked.events}",
        "memory growth after warm-up": f"{soaked.memory_growth:+.1%} ({soaked.rss_after_warmup_kib}"
                                       f" -> {soaked.rss_end_kib} KiB)",
        "scan time first tenth (median/p99)": _ms(soaked.first_decile_ms),
        "scan time last tenth (median/p99)": _ms(soaked.last_decile_ms),
        "database bytes per event": f"{soaked.bytes_per_event:.0f}",
        "run time crash / fuzz / soak": f"{crash_s:.0f} / {fuzz_s:.0f} / {soak_s:.0f} s",
        "first problems": "; ".join(problems) or "none",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--fuzz", type=int, default=100_000)
    parser.add_argument("--pty", type=int, default=120)
    parser.add_argument("--soak", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-link", action="store_true",
                        help="crash trials without publisher and broker (outbox = all events)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        rows = measure(args, Path(folder))
    width = max(len(name) for name in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  {'-' * 30}")
    for name, value in rows.items():
        print(f"{name:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
