"""Every status headline sits on the same row, with or without a line of detail."""

from __future__ import annotations

from pathlib import Path

from kiosk.ui.screenshots import ANNA, PIN_CLICKS, make_app, play
from kiosk.ui.widgets import StatusPanel


def headline_row(app) -> int:
    status = app.screen.query_one(StatusPanel)
    rows = [status.render_line(y).text.strip() for y in range(status.size.height)]
    return next(y for y, row in enumerate(rows) if row)


async def test_the_due_list_heading_is_on_the_same_row_as_other_headlines(tmp_path: Path) -> None:
    app = make_app("crib", True, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await play(app, pilot, [("click", "#touch-attendant"), ("scan", ANNA), *PIN_CLICKS])
        signed_in = headline_row(app)                  # "ATTENDANT MODE" + a line of detail
        await play(app, pilot, [("click", "#touch-due")])
        status = app.screen.query_one(StatusPanel).render().plain
        assert status.strip() == "DUE LIST"            # a headline without detail
        assert headline_row(app) == signed_in == 0     # top row of the panel's content
    app.runtime.close()
