"""Installing the plugin (its dist-info and entry point) adds its types to `kiosk plugins` and
lets a bank use them; without it the same bank names an unknown type."""

from __future__ import annotations

from pathlib import Path

from accounting_support import BANK, EXAM, PLUGIN


def test_install_and_uninstall_change_what_kiosk_offers(tmp_path: Path) -> None:
    PLUGIN.check_install_and_uninstall(
        tmp_path, types=["journal_entry"], bank=BANK, exam=EXAM, unknown="journal_entry"
    )
