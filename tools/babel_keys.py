"""A Babel extraction method for the kiosk's message keys (msgids are dotted keys, see
ARCHITECTURE.md, "Translation").

Babel's own Python extractor skips f-strings and joins both branches of
`t("a" if x else "b")` into one msgid; this one reads the syntax tree instead: literal keys,
both branches of a conditional, and f-string keys as patterns (`minutes.kind.{kind}` is the
family `minutes.kind.*`, which tests/service/test_i18n.py checks against the catalogues).

    PYTHONPATH=. pybabel extract -F babel.cfg --no-default-keywords -k t -k tn -k Text -o kiosk.pot kiosk
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

#: what takes a msgid first: the core's t/tn and messages (Text) everywhere in kiosk/; in a
#: plugin's package its `text`, its TEXTS domain object and its Messages
CORE_CALLERS = frozenset({"t", "tn", "Text"})
PLUGIN_CALLERS = frozenset({"text", "TEXTS", "Message"})


def scan(source: str, callers: Collection[str], filename: str = "<source>"
         ) -> tuple[list[tuple[int, str, str]], list[str]]:
    """(line, function, key) for each literal key passed to one of `callers`, and a regular
    expression for each key built at run time."""
    # `Text` is also rich's: only the domain's messages count
    here = set(callers) if "kiosk.domain.texts import" in source else set(callers) - {"Text"}
    keys: list[tuple[int, str, str]] = []
    patterns: list[str] = []

    def take(node: ast.AST, line: int, func: str) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value:  # Text("", …): words a user's file gave, no msgid
                keys.append((line, func, node.value))
        elif isinstance(node, ast.IfExp):
            take(node.body, line, func)
            take(node.orelse, line, func)
        elif isinstance(node, ast.JoinedStr):
            patterns.append("".join(
                re.escape(part.value) if isinstance(part, ast.Constant) else r"[\w.-]+"
                for part in node.values))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = node.left
            if isinstance(left, ast.Constant) and isinstance(left.value, str):
                patterns.append(re.escape(left.value) + r"[\w.-]+")

    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Call) and node.args and isinstance(node.func, ast.Name):
            if node.func.id in here:
                take(node.args[0], node.lineno, node.func.id)
    return keys, patterns


def extract(fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str],
            options: Mapping[str, Any]) -> Iterator[tuple[int, str, str, list[str]]]:
    """The Babel extraction method (`[extractors] keys = tools.babel_keys:extract`)."""
    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    found, _ = scan(source, keywords or CORE_CALLERS)
    for line, func, key in found:
        yield line, func, key, []
