"""Fixtures for the tests that run real processes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kiosk.ledger.centre import Centre
from tests.support.service_helpers import Served, running_service


@pytest.fixture
def served(setup: Any) -> Iterator[Served]:
    """`setup` (the module's `world` mark chooses it) served by a real `kiosk serve` process on a
    socket any uid can reach; stopped after the test."""
    centre = setup.centre.path if isinstance(setup.centre, Centre) else setup.centre
    with running_service(centre) as child:
        yield Served(setup, child)
