"""An import result as a bank document in the format of docs/bank-format.md."""

from __future__ import annotations

from typing import Any

import tomli_w

from kiosk.builtins.importers.common import ImportResult, order_item


def build_bank(
    result: ImportResult, bank_id: str, title: str, language: str | None = None
) -> dict[str, Any]:
    bank: dict[str, Any] = {"id": bank_id, "title": title}
    if language:
        bank["language"] = language
    return {"bank": bank, "items": [order_item(item) for item in result.items]}


def dump_bank(document: dict[str, Any]) -> str:
    return tomli_w.dumps(document, multiline_strings=True)
