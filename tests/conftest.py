from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kiosk.ledger.centre import Centre

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture
def centre(tmp_path: Path) -> Centre:
    c, _ = Centre.init(tmp_path / "centre", "Teszt központ")
    return c


@pytest.fixture
def python() -> str:
    return sys.executable
