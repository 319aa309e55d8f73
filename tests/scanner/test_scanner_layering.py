"""drivers/ never imports kiosk; kiosk/ never imports evdev or pyudev."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_drivers_never_import_kiosk() -> None:
    offenders = [p.name for p in (ROOT / "drivers").glob("*.py") if "kiosk" in imported_modules(p)]
    assert offenders == []


def test_kiosk_never_imports_hardware_libraries() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "kiosk").rglob("*.py")
                 if {"evdev", "pyudev"} & imported_modules(p) and p.name != "bootstrap.py"]
    assert offenders == []


def test_decoder_modules_do_not_import_evdev() -> None:
    for name in ("keymap", "framing", "layouts", "keycodes", "evtest", "evdev_scanner"):
        assert "evdev" not in imported_modules(ROOT / "drivers" / f"{name}.py")
