"""Shared by the importer/exporter tests: sample locations, bank checking and the CLI runner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kiosk.builtins.importers.bank import build_bank, dump_bank
from kiosk.builtins.importers.common import ImportResult

# The CI runs in a fresh clone with shared/ beside the repo (/work/main/../shared).
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"


def sample(*parts: str) -> Path:
    path = SAMPLES.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"sample file {path} is missing (shared/ must sit beside the repository)")
    return path


def bank_errors(result: ImportResult, tmp_path: Path, name: str = "bank") -> list[str]:
    """Write the import as a bank file and run it through the bank loader (`kiosk bank check`)."""
    from kiosk.loading import check_bank_files

    path = tmp_path / f"{name}.toml"
    path.write_text(dump_bank(build_bank(result, name, f"{name} import")), encoding="utf-8")
    checked = check_bank_files([path])
    assert checked.banks[name].items.keys() == {i["id"] for i in result.items}
    return checked.errors


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from kiosk.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0), out, err


def strip_common(items: list[dict[str, Any]], topic: str, points: Any = 1) -> list[dict[str, Any]]:
    """Items without topic and points, after checking those have the expected values."""
    out = []
    for item in items:
        d = dict(item)
        assert d.pop("topic") == topic, item["id"]
        if points is not None:
            assert d.pop("points") == points, item["id"]
        out.append(d)
    return out


class Refused:
    """An import that refused its one input: nothing imported, one error line (`.value`), the
    way `pytest.raises(...).value` reads."""

    def __init__(self, result: ImportResult, match: str | None = None) -> None:
        import re

        assert not result.items and len(result.errors) == 1, (result.items, result.errors)
        self.value = result.errors[0]
        if match is not None:
            assert re.search(match, self.value), self.value
