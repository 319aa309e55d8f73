"""Architecture: no kiosk module imports paho; only kiosk/link.py reaches the MQTT driver (and
lazily); the driver never imports kiosk; nothing calls tls_insecure_set or wait_for_publish."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[2]


def sources(folder: str) -> dict[str, str]:
    return {str(p.relative_to(ROOT)): p.read_text() for p in (ROOT / folder).rglob("*.py")}


def test_kiosk_never_imports_paho_and_the_driver_never_imports_kiosk():
    for name, text in sources("kiosk").items():
        assert not re.search(r"^\s*(import|from)\s+paho", text, re.M), name
        if name != "kiosk/link.py":
            assert not re.search(r"^\s*(import|from)\s+drivers\.mqtt_client", text, re.M), name
    link = (ROOT / "kiosk" / "link.py").read_text()
    assert not re.search(r"^(import|from)\s+drivers", link, re.M)  # only lazily, in functions
    driver = (ROOT / "drivers" / "mqtt_client.py").read_text()
    assert not re.search(r"^\s*(import|from)\s+kiosk", driver, re.M)


def test_no_insecure_tls_and_no_blocking_publish_waits():
    for name, text in {**sources("kiosk"), **sources("drivers")}.items():
        assert ".tls_insecure_set(" not in text, name
        assert ".wait_for_publish(" not in text, name
