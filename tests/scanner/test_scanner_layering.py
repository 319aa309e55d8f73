"""The decoder is pure: none of its modules imports evdev (the general layering rules are in
tests/test_architecture.py)."""

from __future__ import annotations

from tests.test_architecture import ROOT, imports


def test_decoder_modules_do_not_import_evdev() -> None:
    for name in ("keymap", "framing", "layouts", "keycodes", "evtest", "evdev_scanner"):
        assert "evdev" not in imports(ROOT / "drivers" / f"{name}.py")
