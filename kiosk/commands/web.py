"""`kiosk web serve` and `kiosk web cert`: the candidate app in lab browsers (issue 19;
docs/deployment.md, section 2)."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

import click

from kiosk.commands.common import centre_option
from kiosk.errors import KioskError
from kiosk.i18n import languages
from kiosk.ledger.centre import PRIVATE_KEY


def tls_paths(centre_dir: Path) -> tuple[Path, Path]:
    from kiosk.web import tls

    return centre_dir / tls.TLS_DIR / tls.CERT, centre_dir / tls.TLS_DIR / tls.KEY


def echo_certificate(cert: Path) -> None:
    from kiosk.web import tls

    click.echo(f"TLS certificate: {cert} (for {', '.join(tls.hosts_of(cert))})")
    click.echo(f"TLS certificate SHA-256: {tls.fingerprint(cert)}")
    click.echo(f"TLS public key pin (Chromium --ignore-certificate-errors-spki-list): "
               f"{tls.spki_pin(cert)}")
    click.echo("Write the fingerprint down: the lab browsers are set to trust this certificate.")


def make_certificate(centre_dir: Path, hosts: tuple[str, ...], *, replace: bool = False,
                     name: str = "kiosk") -> Path:
    from kiosk.web import tls

    cert, key = tls_paths(centre_dir)
    if replace:
        cert.unlink(missing_ok=True)
        key.unlink(missing_ok=True)
    return tls.create(cert.parent, list(hosts) or tls.default_hosts(), name)


@click.group("web")
def web_group() -> None:
    """Browser delivery: the candidate app for lab browsers (Safe Exam Browser, kiosk mode)."""


@web_group.command("cert")
@centre_option
@click.option("--host", "hosts", multiple=True,
              help="A name or address the lab browsers use for the kiosk (repeatable; default: "
                   "this host's name, localhost, 127.0.0.1).")
@click.option("--replace", is_flag=True, help="Make a new certificate in place of the old one.")
def web_cert(centre_dir: Path, hosts: tuple[str, ...], replace: bool) -> None:
    """Create the centre's TLS certificate (kiosk init makes one; this is for older centres,
    other host names, or a replacement), and print its fingerprint."""
    if not (centre_dir / "centre.toml").is_file():
        raise KioskError(f"{centre_dir}: no centre here (kiosk init)")
    echo_certificate(make_certificate(centre_dir, hosts, replace=replace))


@web_group.command("serve")
@centre_option
@click.option("--socket", "socket_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="The centre service's socket (default: $KIOSK_SOCKET or "
                                 "CENTRE/service.sock).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: the lab network).")
@click.option("--port", type=int, default=8443, show_default=True)
@click.option("--cert", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="TLS certificate (default: CENTRE/tls/centre.crt).")
@click.option("--key", "key_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Its private key (default: CENTRE/tls/centre-tls.key).")
@click.option("--seats-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Seat links issued by `kiosk sitting seats --urls` (default: "
                   "CENTRE/web-seats.json).")
@click.option("--lang", "language", type=click.Choice(languages()), default=None,
              help="Interface language of the seats (default: the centre's).")
@click.option("--demo", is_flag=True,
              help="Practice on one machine: allow root or an account that can read the centre "
                   "key, and start a service for CENTRE when none listens.")
@click.option("--seb-config-key", "seb_keys", multiple=True,
              help="Open seat pages only in Safe Exam Browser with this Config Key (repeatable; "
                   "SEB's \"Use Browser & Config Keys\").")
@click.option("--seat-module", default="kiosk", hidden=True,
              help="Python module run as `python -m MODULE sit …` per seat (tests).")
def web_serve(centre_dir: Path, socket_path: Path | None, host: str, port: int,
              cert: Path | None, key_path: Path | None, seats_file: Path | None,
              language: str | None, demo: bool, seb_keys: tuple[str, ...], seat_module: str
              ) -> None:
    """Serve the candidate app to lab browsers over TLS. Each seat link opens its own
    `kiosk sit` client of the centre service, under this account. Stops on SIGTERM/SIGINT."""
    from kiosk.client import socket_path as resolve
    from kiosk.web import tls
    from kiosk.web.seats import SEATS_FILE
    from kiosk.web.server import WebKiosk, seat_argv

    key_file = centre_dir / PRIVATE_KEY
    # The trust boundary: browsers' processes run as this account. Fail closed when it could
    # read the centre's key (it should be the web account, not the service's or root).
    if not demo and key_file.exists() and os.access(key_file, os.R_OK):
        raise KioskError(f"this account can read {key_file}: run kiosk web serve as an account "
                         "that cannot (docs/deployment.md), or add --demo for practice")
    if not demo and os.geteuid() == 0:
        raise KioskError("kiosk web serve runs every browser's app under its own account: not "
                         "as root (docs/deployment.md: the kiosk-web account), or --demo")
    default_cert, default_key = tls_paths(centre_dir)
    context = tls.server_context(cert or default_cert, key_path or default_key)
    path = resolve(centre_dir, socket_path)
    child = None
    if demo and socket_path is None and not os.environ.get("KIOSK_SOCKET"):
        from kiosk.service.spawn import listening, start_service

        # Practice on one machine: a service for this centre when none listens (as kiosk sit).
        if not listening(path) and (centre_dir / "ledger.db").is_file():
            child = start_service(centre_dir, path)
    server = WebKiosk(socket_path=path,
                      seats_file=seats_file or centre_dir / SEATS_FILE, host=host, port=port,
                      ssl_context=context, language=language,
                      argv=partial(seat_argv, module=seat_module), seb_config_keys=seb_keys)

    def ready(url: str) -> None:
        click.echo(f"kiosk web: serving seat links on {url} (seats from {server.book.path})",
                   err=True)

    try:
        server.run(ready)
    finally:
        if child is not None:
            child.stop()


COMMANDS = [web_group]


def issue_seat_links(centre_dir: Path, sitting_id: str, *, urls: bool, base_url: str | None,
                     seat_list: str | None, count: int | None, prefix: str | None,
                     pdf: Path | None, seats_file: Path | None, revoke: bool = False) -> None:
    """`kiosk sitting seats`: the body, here beside the server that reads what it writes."""
    from kiosk.domain import sittings as S
    from kiosk.ledger.centre import Centre
    from kiosk.web import seats as W
    from kiosk.web import tls

    centre = Centre.open(centre_dir)
    with centre.reader() as reader:
        found = S.sittings(reader.events(kind=S.KINDS))
    sitting = found.get(sitting_id)
    if sitting is None:
        raise KioskError(f"no sitting {sitting_id!r} (kiosk sitting list)")
    book_path = seats_file or centre_dir / W.SEATS_FILE
    if revoke:
        if urls:
            raise KioskError("--revoke and --urls: one or the other")
        gone = sum(1 for v in W.read_book(book_path).values() if v.get("sitting") == sitting_id)
        W.record(book_path, sitting_id, [])
        click.echo(f"{gone} seat link(s) of {sitting_id} withdrawn; their pages no longer open.")
        return
    if not urls:
        mine = sorted(v["seat"] for v in W.read_book(book_path).values()
                      if v.get("sitting") == sitting_id)
        click.echo(f"{len(mine)} seat link(s) issued for {sitting_id}: {', '.join(mine) or '-'}"
                   if mine else f"No seat links for {sitting_id} (add --urls to issue them).")
        return
    if seat_list:
        names = W.check_seats(seat_list.split(","))
    elif count:
        names = W.seat_names(prefix if prefix is not None else
                             (f"{sitting.room}-" if sitting.room else "seat-"), count)
    else:
        raise KioskError("--seats NAME,NAME or --count N: which machines get a link")
    cert = centre_dir / tls.TLS_DIR / tls.CERT
    if base_url is None:
        hosts = tls.hosts_of(cert) if cert.exists() else []
        base_url = f"https://{hosts[0] if hosts else 'localhost'}:8443"
    links = W.issue(base_url, sitting_id, names)
    if pdf is not None:
        from kiosk.web.sheet import seat_sheet

        heading = f"{sitting_id} · {sitting.exam}" + (f" · {sitting.room}" if sitting.room else "")
        try:
            seat_sheet(pdf, links, heading=heading,
                       fingerprint=tls.fingerprint(cert) if cert.exists() else None)
        except OSError as exc:
            raise KioskError(f"{pdf}: cannot write the seat sheet ({exc.strerror or exc})"
                             ) from exc
    # Recorded only once the sheet exists: a failed run leaves the old links working.
    W.record(book_path, sitting_id, links)
    width = max(len(link.seat) for link in links)
    click.echo(f"{'seat'.ljust(width)}  link")
    for link in links:
        click.echo(f"{link.seat.ljust(width)}  {link.url}")
    click.echo(f"{len(links)} seat link(s) for {sitting_id}; earlier links of this sitting no "
               "longer work. Keep them like the access code: they are not shown again.")
    if pdf is not None:
        click.echo(f"Seat sheet with QR codes: {pdf}")
