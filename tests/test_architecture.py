"""The layering rules of docs and DEVELOPERS: checked over every module, in one place.

- drivers/ never imports kiosk (adapters take and return primitives);
- kiosk/ never imports a hardware or network library, except kiosk/bootstrap.py, which
  chooses drivers lazily;
- only kiosk/link.py and kiosk/bootstrap.py reach drivers that wrap such libraries, and only
  inside functions, so importing the kiosk never loads them.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HARDWARE_LIBS = {"gpiozero", "evdev", "escpos", "paho", "pyudev", "usb", "serial", "lgpio"}


def imports(path: Path, *, top_level_only: bool = False) -> set[str]:
    """Root package names imported by a module (only at module level if asked)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def test_drivers_never_import_kiosk() -> None:
    assert [str(p) for p in modules("drivers") if "kiosk" in imports(p)] == []


def test_kiosk_never_imports_a_hardware_library() -> None:
    offenders = {str(p.relative_to(ROOT)): sorted(imports(p) & HARDWARE_LIBS)
                 for p in modules("kiosk") if p.name != "bootstrap.py"}
    assert {name: libs for name, libs in offenders.items() if libs} == {}


def test_kiosk_loads_drivers_only_inside_functions() -> None:
    """Module-level `import drivers...` would load hardware libraries at start-up."""
    eager = [str(p.relative_to(ROOT)) for p in modules("kiosk")
             if "drivers" in imports(p, top_level_only=True)]
    assert eager == []


def test_importing_the_whole_cli_loads_no_hardware_library() -> None:
    import subprocess
    import sys

    code = ("import sys, kiosk.cli; kiosk.cli.build_parser(); "
            f"print(sorted(m for m in {sorted(HARDWARE_LIBS)!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    assert done.stdout.strip() == "[]"
