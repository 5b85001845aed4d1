"""`kiosk import` (GIFT, Aiken, QTI, plugin formats) and `kiosk export-bank` (GIFT, plugins)."""

from __future__ import annotations

import contextlib
import inspect
import os
import tempfile
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import click

from kiosk.builtins.importers.bank import build_bank, dump_bank
from kiosk.builtins.importers.common import EXIT_PARTIAL, ImportResult, bank_id_from
from kiosk.domain import toml_lines
from kiosk.domain.banks import MEDIA_DIR, SHA256_RE
from kiosk.errors import KioskError
from kiosk.plugins import registry


def write_atomically(path: Path, text: str | bytes, force: bool) -> None:
    """Write via a temp file and os.replace, so a crash never leaves half a bank behind."""
    if path.exists() and not force:
        raise KioskError(f"{path}: already exists; use --force to overwrite")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise KioskError(f"{path}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        data = text.encode("utf-8") if isinstance(text, str) else text
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise KioskError(f"{path}: cannot write: {exc.strerror or exc}") from None


def write_media(folder: Path, files: dict[str, bytes]) -> None:
    """Attachment contents into `media/<sha256>` beside the bank (content-addressed: a file that
    is already there is the same content). Written before the bank, so a bank never names
    missing media."""
    if not files:
        return
    media = (folder if str(folder) else Path(".")) / MEDIA_DIR
    try:
        media.mkdir(exist_ok=True)
    except OSError as exc:
        raise KioskError(f"{media}: cannot create: {exc.strerror or exc}") from None
    for sha, data in sorted(files.items()):
        target = media / sha
        if target.is_file() and target.stat().st_size == len(data):
            continue
        fd, tmp = tempfile.mkstemp(dir=media, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise KioskError(f"{target}: cannot write: {exc.strerror or exc}") from None


def read_media(folder: Path, items: list[dict[str, Any]]) -> dict[str, bytes]:
    """The attachment contents the items name, from `media/` beside their bank."""
    out: dict[str, bytes] = {}
    for item in items:
        for att in item.get("attachments") or []:
            sha = att.get("sha256") if isinstance(att, dict) else None
            if isinstance(sha, str) and SHA256_RE.match(sha):
                with contextlib.suppress(OSError):
                    out[sha] = (folder / MEDIA_DIR / sha).read_bytes()
    return out


def _check_inputs(files: tuple[str, ...]) -> list[Path]:
    paths = [Path(f) for f in files]
    for path in paths:
        if not path.is_file():
            raise KioskError(f"{path}: no such file")
    return paths


def _lookup(kind: str, name: str, table: dict[str, Any]) -> Any:
    if name not in table:
        known = ", ".join(sorted(table)) or "none"
        raise KioskError(f"unknown {kind} format {name!r} (known: {known})")
    return table[name]


@click.command("import")
@click.argument("fmt", metavar="FORMAT")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Bank file to write (TOML).")
@click.option("--topic", help="Topic for items whose source names none (default: the file's name).")
@click.option("--bank-id", help="The bank's id (default: derived from the output file name).")
@click.option("--title", help="The bank's title.")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
def import_command(
    fmt: str,
    files: tuple[str, ...],
    output: str,
    topic: str | None,
    bank_id: str | None,
    title: str | None,
    force: bool,
) -> None:
    """Import questions (FORMAT: gift, aiken, qti, moodle-xml, or a plugin's) into a kiosk bank.

    Exit 0: everything imported; 3: the bank was written but some questions were refused (each
    listed on stderr with file:line and reason); 2: nothing could be imported."""
    importer = _lookup("import", fmt, registry().importers)
    if bank_id is not None and bank_id_from(bank_id) != bank_id:
        raise KioskError(f"--bank-id {bank_id!r}: use only a-z, 0-9, '.', '_' and '-'")
    paths = _check_inputs(files)
    out = Path(output)
    if out.exists() and not force:
        raise KioskError(f"{out}: already exists; use --force to overwrite")
    try:
        result: ImportResult = importer(paths, topic)
    except KioskError:
        raise
    except Exception as exc:  # a plugin importer's bug must not become a traceback
        raise KioskError(f"importer {fmt!r} failed: {type(exc).__name__}: {exc}") from None
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for error in result.errors:
        click.echo(f"error: {error}", err=True)
    if not result.items:
        refused = f" ({len(result.errors)} question(s) refused, listed above)" if result.errors else ""
        raise KioskError(f"nothing to import from {', '.join(map(str, paths))}{refused}")
    bank_title = title or result.bank.get("title") or f"Imported from {', '.join(p.name for p in paths)}"
    document = build_bank(
        result, bank_id or result.bank.get("id") or bank_id_from(out.stem), bank_title
    )
    write_media(out.parent, result.files)
    write_atomically(out, dump_bank(document), force)
    counts = Counter(item["type"] for item in result.items)
    click.echo(f"{out}: {len(result.items)} items imported from {len(paths)} file(s)")
    for kind, n in sorted(counts.items()):
        click.echo(f"  {kind:<18} {n}")
    if result.files:
        click.echo(f"  {len(result.files)} attachment file(s) in {out.parent / MEDIA_DIR}")
    if result.warnings:
        click.echo(f"  {len(result.warnings)} warning(s), listed above")
    if result.errors:
        click.echo(f"kiosk: partial import: {len(result.errors)} question(s) refused, listed above; "
                   f"the other {len(result.items)} were written", err=True)
        raise click.exceptions.Exit(EXIT_PARTIAL)


def _read_bank(path: Path) -> dict[str, Any]:
    try:
        data = toml_lines.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise KioskError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise KioskError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        line = ""
        if "(at line " in msg:
            msg, _, where = msg.partition(" (at line ")
            line = ":" + where.split(",")[0].rstrip(")")
        raise KioskError(f"{path}{line}: not valid TOML: {msg}") from None
    items = data.get("items", [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise KioskError(f"{path}: 'items' must be an array of tables ([[items]])")
    if not isinstance(data.get("bank", {}), dict):
        raise KioskError(f"{path}: [bank] must be a table")
    return data


@click.command("export-bank")
@click.option("--format", "fmt", required=True,
              help="Export format (gift, moodle-xml, or a plugin's).")
@click.argument("banks", nargs=-1, required=True, metavar="BANK.toml...")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="File to write.")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
def export_bank_command(fmt: str, banks: tuple[str, ...], output: str, force: bool) -> None:
    """Export the items of one or more bank files to another format."""
    exporter = _lookup("export", fmt, registry().exporters)
    paths = _check_inputs(banks)
    out = Path(output)
    if out.exists() and not force:
        raise KioskError(f"{out}: already exists; use --force to overwrite")
    documents = [_read_bank(p) for p in paths]
    items = [item for doc in documents for item in doc.get("items", [])]
    files: dict[str, bytes] = {}
    for p, doc in zip(paths, documents, strict=True):
        files.update(read_media(p.parent, doc.get("items", [])))
    try:
        if "files" in inspect.signature(exporter).parameters:
            result = exporter(items, documents[0].get("bank", {}), files=files)
        else:
            result = exporter(items, documents[0].get("bank", {}))
    except KioskError:
        raise
    except Exception as exc:  # a plugin exporter's bug must not become a traceback
        raise KioskError(f"exporter {fmt!r} failed: {type(exc).__name__}: {exc}") from None
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    write_atomically(out, result.text, force)
    click.echo(f"{out}: {result.exported} of {len(items)} items exported as {fmt}")


COMMANDS = [import_command, export_bank_command]
