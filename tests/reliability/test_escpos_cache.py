"""A kiosk killed while python-escpos writes its cache must not lose printing for good."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

RENDER = ("from drivers.escpos_render import render; "
          "print(len(render([{'op': 'text', 'text': 'hello'}], profile='default', "
          "codepage='CP437')))")


def test_a_truncated_capabilities_cache_is_rebuilt(tmp_path: Path) -> None:
    cache = tmp_path / "escpos"
    cache.mkdir()
    pickle_file = cache / f"{platform.python_version()}.capabilities.pickle"
    pickle_file.write_bytes(b"")          # what SIGKILL during escpos' first import leaves
    env = {**os.environ, "ESCPOS_CAPABILITIES_PICKLE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", RENDER], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) > 0
    assert pickle_file.stat().st_size > 0
