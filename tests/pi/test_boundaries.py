"""kiosk/ modules of this area load no hardware or network library; drivers/ never import kiosk."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MODULES = ["kiosk.doctor", "kiosk.backup", "kiosk.logging_setup", "kiosk.watchdog", "kiosk.udev",
           "kiosk.commands.ops", "kiosk.cli"]


def test_ops_modules_do_not_import_hardware_libraries():
    code = (f"import sys\nfor m in {MODULES!r}: __import__(m)\n"
            "print(sorted(m for m in ('paho', 'evdev', 'gpiozero', 'escpos', 'pyudev') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_probes_driver_does_not_import_kiosk():
    tree = ast.parse((REPO / "drivers" / "probes.py").read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom)}
    assert not any(name == "kiosk" or name.startswith("kiosk.") for name in imported)
