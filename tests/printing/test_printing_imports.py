"""python-escpos' import side effects stay out of our process (ESC-02); layers stay apart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, logging, os, sys
from drivers import escpos_printer
from drivers.escpos_render import render
data = render([{"op": "text", "text": "M\\u00fcller", "bold": False, "size": 1,
                "align": "left"}], profile="TM-T20II", codepage="CP858")
escpos_printer.EscposPrinter("usb", "04b8:0e15").transport()
print(json.dumps({"handlers": len(logging.getLogger().handlers),
                  "escpos_loaded": "escpos.printer" in sys.modules,
                  "bytes": data.hex()}))
"""


def run_probe(tmp_path: Path, code: str, extra_env: dict[str, str] | None = None) -> dict:
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    env = {**os.environ, "TMPDIR": str(tmpdir), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           **(extra_env or {})}
    env.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                         text=True, timeout=120, check=True)
    return {"result": json.loads(out.stdout.strip().splitlines()[-1]),
            "tmp": sorted(p.name for p in tmpdir.iterdir()), "stderr": out.stderr}


def test_using_escpos_adds_no_root_log_handler_and_no_temp_folder(tmp_path):
    probe = run_probe(tmp_path, PROBE)
    assert probe["result"]["escpos_loaded"]
    assert probe["result"]["handlers"] == 0
    assert probe["tmp"] == []
    assert bytes.fromhex(probe["result"]["bytes"]).endswith(b"M\x81ller\n")
    # The capabilities pickle lives in one fixed cache folder instead.
    assert list((tmp_path / "cache" / "crib-kiosk" / "escpos").glob("*.capabilities.pickle"))


def test_our_own_logging_setup_still_works_after_escpos(tmp_path):
    code = PROBE + """
import logging
logging.basicConfig(filename=os.environ["LOGFILE"], level=logging.INFO)
logging.getLogger("kiosk").info("hello from the kiosk")
"""
    log_file = tmp_path / "kiosk.log"
    probe = run_probe(tmp_path, code, {"LOGFILE": str(log_file)})
    assert "hello from the kiosk" in log_file.read_text()
    assert "hello from the kiosk" not in probe["stderr"]


def test_loading_the_kiosk_cli_does_not_import_escpos(tmp_path):
    code = ("import json, sys; import kiosk.cli; kiosk.cli.build_parser(); "
            "import kiosk.print_queue, kiosk.preview, kiosk.receipt; "
            "print(json.dumps({'escpos': any(m.startswith('escpos') for m in sys.modules)}))")
    assert run_probe(tmp_path, code)["result"] == {"escpos": False}
