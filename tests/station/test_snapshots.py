"""Snapshots of the main screens at 80x24 (the smallest supported size), fixed clock and data.

Regenerate after a deliberate UI change with `pytest tests/station/test_snapshots.py
--snapshot-update`, and review the SVGs in the commit.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.ui.screenshots import SCENES, make_app, play


@pytest.mark.parametrize("scene", list(SCENES))
def test_main_screens_look_the_same(scene: str, snap_compare, tmp_path: Path) -> None:
    mode, demo, steps = SCENES[scene]
    app = make_app(mode, demo, tmp_path)

    async def run_before(pilot) -> None:  # noqa: ANN001 - textual's Pilot
        await pilot.pause()
        await play(app, pilot, steps)

    try:
        assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
    finally:
        app.runtime.close()
