#!/usr/bin/env python3
"""Set up and run crib-kiosk with nothing but Python 3.11+.

    python3 tasks.py demo   # create .venv, install, start the kiosk in demo mode
    python3 tasks.py test   # create .venv, install with dev tools, run ruff and the tests

Both commands are safe to repeat: the virtual environment is created once and
re-installed only when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def _python() -> str:
    return str(BIN / "python")


def ensure_venv(extras: str) -> None:
    """Create .venv and install the project (editable) with the given extras."""
    if sys.version_info < (3, 11):  # noqa: UP036 - tasks.py runs under any python3
        sys.exit(f"crib-kiosk needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        print(f"creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    # An editable install maps the top-level packages that existed when it ran: a new
    # package (folder with __init__.py) must trigger a re-install just like a new dependency.
    packages = sorted(p.parent.name for p in ROOT.glob("*/__init__.py"))
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()
                            + " ".join(packages).encode()).hexdigest()
    stamp = VENV / f".installed-{extras or 'base'}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    target = f"{ROOT}[{extras}]" if extras else str(ROOT)
    print(f"installing crib-kiosk{'[' + extras + ']' if extras else ''} into .venv", flush=True)
    subprocess.run(
        [_python(), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", target],
        check=True,
    )
    stamp.write_text(digest)


def run(*args: str) -> int:
    return subprocess.call(list(args), cwd=ROOT)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "demo":
        ensure_venv("")
        return run(str(BIN / "kiosk"), "demo", *rest)
    ensure_venv("dev")
    # Lint only folders that exist: git keeps no empty folders, so a fresh clone may lack
    # drivers/ or bench/ until something lands there, and ruff fails on a missing path.
    paths = [p for p in ("kiosk", "drivers", "tests", "bench", "tasks.py") if (ROOT / p).exists()]
    status = run(str(BIN / "ruff"), "check", *paths)
    if status:
        return status
    return run(_python(), "-m", "pytest", *rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
