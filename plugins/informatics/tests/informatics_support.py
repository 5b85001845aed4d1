"""Helpers for the informatics plugin tests (the shared machinery is kiosk.api.testing)."""

from __future__ import annotations

from pathlib import Path

from kiosk.api import Item, testing
from kiosk.api.testing import Host, clean_site

PLUGIN_DIR = Path(__file__).resolve().parents[1]
REPO = PLUGIN_DIR.parents[1]
BANK = REPO / "question_banks" / "informatika_sql_python.toml"
EXAM = REPO / "question_banks" / "informatika_sql_python.exam.toml"
PLUGIN = testing.PluginUnderTest(
    directory=PLUGIN_DIR, module="kiosk_informatics.plugin", dist="kiosk-informatics", repo=REPO,
)
install_dist_info = PLUGIN.install_dist_info
plugin_code = PLUGIN.plugin_code
kiosk = PLUGIN.kiosk

__all__ = ["BANK", "EXAM", "REPO", "Host", "bank_items", "clean_site", "install_dist_info",
           "kiosk", "plugin_code"]


def bank_items() -> dict[str, Item]:
    return testing.bank_items(BANK)
