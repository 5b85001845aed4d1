"""Shared by tests/ and plugins/*/tests: keep process-wide UI state from leaking between tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # The interface language is process-wide (one candidate per process); a test that switches
    # it must not change what the next test sees.
    from kiosk import i18n

    before = i18n.current_language()
    yield
    i18n.set_language(before)
