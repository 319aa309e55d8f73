"""Fixtures for the foundation tests: CSV files written the way spreadsheets write them."""

from __future__ import annotations

from pathlib import Path

import pytest

CSV_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "csv"


@pytest.fixture
def csv_dir() -> Path:
    return CSV_FIXTURES


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """A valid kiosk.toml whose database lives in tmp_path."""
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[kiosk]\nsite = "HAM"\nkiosk_id = "crib-1"\ndata_dir = "{tmp_path}"\n'
                    '[gpio]\npin_factory = "mock"\n')
    return path
