"""Installing the plugin (its dist-info and entry point) adds its types to `kiosk plugins` and
lets a bank use them; without it the same bank names an unknown type."""

from __future__ import annotations

import json
from pathlib import Path

from informatics_support import BANK, EXAM, clean_site, install_dist_info, kiosk, plugin_code


def test_install_and_uninstall_change_what_kiosk_offers(tmp_path: Path) -> None:
    site = clean_site(tmp_path)
    code = plugin_code(tmp_path)
    installed = [site, install_dist_info(tmp_path), code]
    uninstalled = [site, code]  # the code is there, but no distribution declares it

    listed = kiosk(["plugins", "--json"], installed)
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    plugins = {p["name"]: p["registered"] for p in data["plugins"]}
    assert plugins["informatics"] == {"question_types": ["python_function", "sql_query"]}
    assert data["failures"] == []
    assert kiosk(["bank", "check", str(BANK)], installed).returncode == 0
    assert kiosk(["exam", "check", str(EXAM)], installed).returncode == 0

    listed = kiosk(["plugins", "--json"], uninstalled)
    assert listed.returncode == 0, listed.stderr
    names = {p["name"] for p in json.loads(listed.stdout)["plugins"]}
    assert "informatics" not in names and "kiosk.builtins.question_types" in names
    check = kiosk(["bank", "check", str(BANK)], uninstalled)
    assert check.returncode == 1
    assert "unknown type 'sql_query'" in check.stdout + check.stderr
    assert "Traceback" not in check.stdout + check.stderr
