"""Items with attachments in the candidate's question widgets: an image shown with textual-image
(here, not on a terminal: its Unicode fallback) and a caption, F4 to enlarge, a damaged file
described instead of shown, a shared passage as text; at 80x24 and 120x36."""

from __future__ import annotations

import asyncio
import hashlib
import io
import random
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult

from kiosk.domain.items import Item
from kiosk.plugins import registry
from tests.apps.test_import_rendering import _svg_text

SIZES = [(80, 24), (120, 36)]


def _png() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (64, 32), "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle((4, 4, 28, 28), fill="black")
    draw.ellipse((36, 4, 60, 28), fill="red")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _item(tmp_path: Path, data: bytes | None = None, passage: str | None = None) -> Item:
    png = _png()
    (tmp_path / "media").mkdir(exist_ok=True)
    sha = hashlib.sha256(png).hexdigest()
    (tmp_path / "media" / sha).write_bytes(data if data is not None else png)
    attachments: list[dict[str, Any]] = [{"name": "shapes.png", "sha256": sha,
                                          "alt": "a square and a circle"}]
    if passage is not None:
        text = passage.encode()
        psha = hashlib.sha256(text).hexdigest()
        (tmp_path / "media" / psha).write_bytes(text)
        attachments.insert(0, {"name": "case.md", "sha256": psha, "kind": "passage"})
    return Item(id="fig", type="single_choice", topic="t", points=1,
                stem="Which shape is **red**?", source=str(tmp_path / "bank.toml"),
                attachments=tuple(attachments),
                spec={"options": [{"id": "1", "text": "the square", "correct": False},
                                  {"id": "2", "text": "the circle", "correct": True}]})


class One(App[None]):
    def __init__(self, item: Item) -> None:
        super().__init__()
        self.item = item

    def compose(self) -> ComposeResult:
        qtype = registry().question_types[self.item.type]
        yield qtype.widget(self.item, qtype.presentation(self.item, random.Random(1), False),
                           None)


@pytest.mark.parametrize("size", SIZES)
def test_image_item_shows_picture_caption_and_options(tmp_path: Path, size: tuple[int, int]
                                                      ) -> None:
    item = _item(tmp_path)

    async def run() -> tuple[str, Any]:
        app = One(item)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            from textual_image.widget import Image

            images = list(app.query(Image))
            return app.export_screenshot(), images

    svg, images = asyncio.run(run())
    text = _svg_text(svg)
    assert len(images) == 1
    assert "🖼 a square and a circle (PNG 64×32)  F4: nagyítás" in text
    assert "A. the square" in text and "B. the circle" in text
    # the picture itself is drawn (block characters), between the stem and the caption
    lines = text.splitlines()
    stem = next(i for i, line in enumerate(lines) if "Which shape is red?" in line)
    caption = next(i for i, line in enumerate(lines) if "🖼" in line)
    drawn = "".join(lines[stem + 1:caption])
    assert sum(ch in "▀▄█▌▐▖▗▘▙▚▛▜▝▞▟" for ch in drawn) > 10, drawn


def test_f4_enlarges_the_image_and_escape_returns(tmp_path: Path) -> None:
    item = _item(tmp_path)

    async def run() -> None:
        from kiosk.apps.widgets.media import ZoomScreen

        app = One(item)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            app.query("RadioButton").first().focus()
            await pilot.press("f4")
            await pilot.pause()
            assert isinstance(app.screen, ZoomScreen)
            assert "Esc: vissza a kérdéshez" in _svg_text(app.export_screenshot())
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, ZoomScreen)

    asyncio.run(run())


def test_damaged_image_is_described_not_shown(tmp_path: Path) -> None:
    item = _item(tmp_path, data=b"not the image any more")

    async def run() -> str:
        app = One(item)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            from textual_image.widget import Image

            assert not app.query(Image)
            return app.export_screenshot()

    text = _svg_text(asyncio.run(run()))
    assert "🖼 a square and a circle (not available)" in text
    assert "F4" not in text


def test_shared_passage_is_shown_above_the_image(tmp_path: Path) -> None:
    item = _item(tmp_path, passage="Case: the firm *Alfa Kft.* buys goods for 100 000 Ft.")

    async def run() -> str:
        app = One(item)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            return app.export_screenshot()

    text = _svg_text(asyncio.run(run()))
    assert "Case: the firm Alfa Kft. buys goods for 100 000 Ft." in text
    assert text.index("Case: the firm") < text.index("🖼")


@pytest.mark.parametrize("size", SIZES)
def test_image_item_snapshot(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    # a fixed folder: the snapshot must not depend on tmp_path (the item's source is not shown)
    assert snap_compare(One(_item(tmp_path)), terminal_size=size)


# -- packages carry attachments ------------------------------------------------------------------

def _exam_with_image(tmp_path: Path) -> tuple[Path, bytes]:
    png = _png()
    sha = hashlib.sha256(png).hexdigest()
    src = tmp_path / "src"
    (src / "banks" / "media").mkdir(parents=True)
    (src / "banks" / "media" / sha).write_bytes(png)
    (src / "banks" / "b.toml").write_text(f'''[bank]
id = "b"
title = "B"

[[items]]
id = "fig"
type = "single_choice"
topic = "t"
points = 1
stem = "Which shape is red? ![shapes](shapes.png)"
attachments = [{{name = "shapes.png", sha256 = "{sha}", alt = "shapes"}}]
options = [{{text = "square"}}, {{text = "circle", correct = true}}]
''', encoding="utf-8")
    exam = src / "e.exam.toml"
    exam.write_text('[exam]\nid = "media-2026"\ntitle = "M"\nbanks = ["banks/b.toml"]\n\n'
                    '[[parts]]\nid = "1"\ntitle = "P"\nminutes = 5\n\n[[parts.draw]]\ncount = 1\n',
                    encoding="utf-8")
    return exam, png


def test_package_carries_attachments_encrypted_and_the_loaded_exam_shows_them(
        tmp_path: Path, centre: Any) -> None:
    from kiosk import media
    from kiosk.domain.packages import decode_payload
    from kiosk.exam_store import exam_and_banks, load_package
    from kiosk.packages import build_payload, seal, unseal

    exam, png = _exam_with_image(tmp_path)
    payload, errors = build_payload(exam)
    assert errors == [] and payload is not None
    sha = hashlib.sha256(png).hexdigest()
    assert payload.media == {sha: png}
    blob = seal(payload.to_bytes(), "helyes ló elem tűzőgép", n=2**14)
    assert png[8:40] not in blob  # inside the encryption
    assert decode_payload(unseal(blob, "helyes ló elem tűzőgép"), "p").media == {sha: png}
    pkg = tmp_path / "m.kpkg"
    pkg.write_bytes(blob)
    load_package(centre, pkg, "helyes ló elem tűzőgép")
    media._STORE.clear()
    _exam, banks = exam_and_banks(centre, "media-2026")
    item = banks["b"].items["fig"]
    assert media.content(item, item.attachments[0]) == png  # from the package, not the disk


def test_package_without_its_attachment_is_refused(tmp_path: Path) -> None:
    from kiosk.domain.packages import decode_payload
    from kiosk.errors import KioskError
    from kiosk.packages import build_payload

    exam, png = _exam_with_image(tmp_path)
    payload, _ = build_payload(exam)
    assert payload is not None
    broken = type(payload)(payload.exam, payload.title, payload.exam_file, payload.banks,
                           payload.files, {})
    with pytest.raises(KioskError, match=r"banks/b.toml: attachment [0-9a-f]{12}… is not in the "
                                         r"package"):
        decode_payload(broken.to_bytes(), "p")
    for f in (exam.parent / "banks" / "media").iterdir():
        f.write_bytes(b"changed")
    # a changed attachment on disk stops packaging, naming the item
    payload, errors = build_payload(exam)
    assert payload is None
    assert any("item 'fig': attachments[1]: media/" in e and "does not match its hash" in e
               for e in errors), errors


# -- the examiner's marking screen shows them too ---------------------------------------------

def test_marking_screen_shows_the_items_image_and_zooms(tmp_path: Path, monkeypatch: Any
                                                        ) -> None:
    import dataclasses

    from kiosk import marking
    from kiosk.apps.examiner.app import ExaminerApp
    from kiosk.apps.examiner.screens import MarkScreen
    from kiosk.apps.widgets.media import ZoomScreen
    from tests.apps.test_examiner_app import log_in, settle
    from tests.support.marking_helpers import essay_answers, mark_setup, sit

    s = mark_setup(tmp_path)
    sit(s, "C1", essay_answers("Szöveg"))
    (tmp_path / "fig").mkdir()
    figure = _item(tmp_path / "fig")
    original = marking.Context.item

    def with_figure(self: Any, exam: str, key: str) -> Item:
        return dataclasses.replace(original(self, exam, key), attachments=figure.attachments,
                                   source=figure.source)

    monkeypatch.setattr(marking.Context, "item", with_figure)
    from kiosk.service.usecases import LocalCalls

    async def body() -> None:
        # The use cases in this process (the patched item is in-process); the picture travels
        # through the `marking.response` answer all the same (base64, registered by hash).
        app = ExaminerApp(s.centre.path, language="en", calls=lambda: LocalCalls(s.centre))
        async with app.run_test(size=(140, 45)) as pilot:
            await log_in(pilot)
            await pilot.press("m")
            await settle(pilot)
            assert isinstance(app.screen, MarkScreen)
            assert "🖼 a square and a circle (PNG 64×32)" in _svg_text(app.export_screenshot())
            await pilot.press("f4")
            await pilot.pause()
            assert isinstance(app.screen, ZoomScreen)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, MarkScreen)

    asyncio.run(body())


# -- the printed paper ---------------------------------------------------------------------------

def test_paper_pdf_prints_items_with_their_images(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    import shutil
    import subprocess

    from PIL import Image

    from tests.support.import_helpers import run_cli

    exam, png = _exam_with_image(tmp_path)
    text = exam.read_text().replace("[[parts.draw]]\ncount = 1", '[[parts.draw]]\nfixed = ["fig"]')
    exam.write_text(text)
    out = tmp_path / "paper.pdf"
    code, _stdout, stderr = run_cli(["paper", "show", "--exam", str(exam), "--seed", "1",
                                     "--pdf", str(out)], capsys)
    assert code == 0, stderr
    from pypdf import PdfReader

    page_text = PdfReader(out).pages[0].extract_text()
    assert "Which shape is red? [shapes]" in page_text
    assert "A. square" in page_text and "B. circle" in page_text
    assert "shapes (PNG 64×32)" in page_text
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed: the picture is not looked at")
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-singlefile", str(out),
                    str(tmp_path / "page")], check=True, timeout=60)
    with Image.open(tmp_path / "page.png") as page:
        rgb = page.convert("RGB")
        red = sum(1 for px in rgb.getdata() if px[0] > 200 and px[1] < 80 and px[2] < 80)
        black = sum(1 for px in rgb.getdata() if max(px) < 40)
    assert red > 20, "the red circle of the image is not on the page"
    assert black > 20, "neither the square nor the text is on the page"


def test_a_served_terminal_gets_its_papers_images_and_nothing_else(tmp_path: Path) -> None:
    """Through the centre service a terminal has no exam store: it fetches the attachments of
    its own paper by hash (checked), and a hash that is not on its paper is refused."""
    from kiosk import media
    from kiosk.client import Refused, RemoteSession
    from kiosk.demo import load_exam_file
    from kiosk.ledger.centre import Centre
    from tests.support.service_helpers import running_service
    from tests.support.session_helpers import import_roster, new_sitting

    exam, png = _exam_with_image(tmp_path)
    centre, _ = Centre.init(tmp_path / "centre", "Teszt központ")
    exam_id = load_exam_file(centre, exam)
    import_roster(centre)
    _sitting, code = new_sitting(centre, exam_id)
    media._STORE.clear()
    with running_service(centre.path) as svc:
        session = RemoteSession.login(svc.path, "C1", code, seat="PC1")
        item = session.parts[0].items[0].item
        assert item.source == ""  # nothing of the centre's files reaches the terminal
        assert media.content(item, item.attachments[0]) == png
        with pytest.raises(Refused):
            session.client.request("GET", "/v1/candidate/media/" + "0" * 64)
        session.close()


def test_the_kiosk_asks_graphics_terminals_for_kitty_or_sixel_and_no_others() -> None:
    """Asking the terminal costs start-up time and needs stdin before Textual: only terminals
    known to draw images are asked (or where KIOSK_GRAPHICS says so); others get half-cells."""
    from kiosk.apps.candidate.app import graphics_terminal

    assert graphics_terminal({"TERM": "xterm-kitty"})
    assert graphics_terminal({"TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"})
    assert graphics_terminal({"TERM": "foot"})
    assert not graphics_terminal({"TERM": "xterm-256color"})
    assert not graphics_terminal({"TERM": "tmux-256color"})
    assert graphics_terminal({"TERM": "linux", "KIOSK_GRAPHICS": "1"})
    assert not graphics_terminal({"TERM": "xterm-kitty", "KIOSK_GRAPHICS": "0"})
