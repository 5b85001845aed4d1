"""Rich but safe text for imported items: HTML becomes Markdown, plain text is escaped.

The kiosk shows stems, options and feedback in Textual's Markdown widgets, which never render
raw HTML. Importers therefore convert HTML with markdownify (MIT, maintained, built on
BeautifulSoup's lenient parser: real question banks hold broken HTML) instead of keeping it,
and escape plain text so that `2*3*4` or `<p>` typed as text stays what the author wrote.

What survives: paragraphs, line breaks, bold/italic, lists, tables (pipe tables), `<pre>` code
with its indentation (fenced block), inline code, sub/superscripts (Unicode where every
character has a form, else `^(..)`/`_(..)`), links as `text (address)` (kept visible, never
clickable in a kiosk), images as `[image: alt]` placeholders that the caller collects (and may
turn into attachments). Scripts, styles and event handlers are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_SUP = dict(zip("0123456789+-=()niaeoxhjklmnprstuvwyABDEGHIJKLMNOPRTUVW",
                "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵃᵉᵒˣʰʲᵏˡᵐⁿᵖʳˢᵗᵘᵛʷʸᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ", strict=True))
_SUB = dict(zip("0123456789+-=()aehijklmnoprstuvx",
                "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True))

_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<])")
_LINE_START = re.compile(r"^(\s*)(#|>|[-+](?=\s)|\d+(?=[.)]\s))", re.MULTILINE)
_TAG = re.compile(r"<\s*/?\s*[A-Za-z][A-Za-z0-9]*(\s[^<>]*)?/?\s*>")


def escape_markdown(text: str) -> str:
    """Plain text as Markdown that shows exactly that text."""
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def looks_like_html(text: str) -> bool:
    """Moodle's default text format allows HTML; a tag means the author wrote HTML."""
    return bool(_TAG.search(text))


def _script(text: str, table: dict[str, str], fallback: str) -> str:
    plain = text.strip()
    if plain and all(ch in table for ch in plain):
        return "".join(table[ch] for ch in plain)
    return f"{fallback}({plain})" if plain else ""


@dataclass
class Converted:
    text: str
    #: (src, alt) of every image met, in document order.
    images: list[tuple[str, str]] = field(default_factory=list)


def _converter_class(rich: bool) -> Any:
    # Imported lazily: BeautifulSoup is only needed when an import actually meets HTML.
    from markdownify import MarkdownConverter

    class KioskConverter(MarkdownConverter):  # type: ignore[misc]
        def __init__(self, images: list[tuple[str, str]],
                     image: Callable[[str, str], str | None] | None, **options: Any) -> None:
            super().__init__(**options)
            self.images = images
            self.image = image

        def escape(self, text: str, parent_tags: Any) -> str:
            if not text:
                return ""
            return escape_markdown(text) if rich else text

        def _plain_inline(self, el: Any, text: str, parent_tags: Any) -> str:
            return text

        if not rich:
            # Plain-text parts (options, pairs, feedback) are shown verbatim: keep words only.
            convert_b = convert_strong = convert_i = convert_em = _plain_inline
            convert_code = convert_kbd = convert_samp = convert_del = convert_s = _plain_inline
            convert_h1 = convert_h2 = convert_h3 = convert_h4 = convert_h5 = convert_h6 = (
                lambda self, el, text, parent_tags: f"\n\n{text.strip()}\n\n")

        def convert_sup(self, el: Any, text: str, parent_tags: Any) -> str:
            return _script(text, _SUP, "^")

        def convert_sub(self, el: Any, text: str, parent_tags: Any) -> str:
            return _script(text, _SUB, "\\_")

        def convert_a(self, el: Any, text: str, parent_tags: Any) -> str:
            href = (el.get("href") or "").strip()
            text = text.strip()
            if not href or href.startswith("#") or href.lower().startswith(("javascript:", "data:")):
                return text
            shown = escape_markdown(href) if rich else href
            if not text or text.replace("\\", "") == href:
                return f" {shown} "
            return f"{text} ({shown})"

        def convert_img(self, el: Any, text: str, parent_tags: Any) -> str:
            src = (el.get("src") or "").strip()
            alt = " ".join((el.get("alt") or "").split())
            if self.image is not None:
                ref = self.image(src, alt)
                if ref is not None:
                    return ref
            self.images.append((src, alt))
            label = alt or src.rsplit("/", 1)[-1] or "image"
            return f"[image: {escape_markdown(label) if rich else label}]"

    return KioskConverter


def html_to_markdown(html: str, rich: bool = True,
                     image: Callable[[str, str], str | None] | None = None) -> Converted:
    """HTML (a fragment, possibly broken) as safe Markdown, plus the images it referred to.
    `rich=False`: plain text for the parts the kiosk shows verbatim (options, pairs, feedback).
    `image(src, alt)` may return the text for an image the caller carries (an attachment);
    other images become `[image: alt]` and are listed in `images`."""
    images: list[tuple[str, str]] = []
    converter = _converter_class(rich)(
        images, image,
        heading_style="ATX",
        bullets="-",
        code_language="",
        table_infer_header=True,
    )
    text = converter.convert(html)
    if not rich:
        text = text.replace("```\n", "").replace("\n```", "")
    # Two trailing spaces are a Markdown hard line break (`<br>`); plain text needs none.
    text = re.sub(r"[ \t]+\n", "  \n" if rich else "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return Converted(text.strip("\n").strip(), images)
