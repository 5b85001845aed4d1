"""IMS QTI 2.1 assessment items, as single XML files or in IMS content packages (zip).

Everything is untrusted: XML goes through defusedxml (no entity declarations, no external
references), zip entries with absolute paths or `..` are refused, and sizes are capped. The
package is never extracted; files are read from the archive in memory.

Mapping onto kiosk types:
- choiceInteraction -> single_choice (maxChoices 1, single cardinality) or multiple_response;
  `shuffle="false"` marks every option fixed, `shuffle="true"` keeps `fixed="true"` ones in place.
- textEntryInteraction -> short_text (numeric for integer/float responses) when it ends the
  text, else a cloze gap; inlineChoiceInteraction -> cloze gap; gapMatchInteraction -> cloze.
  Several interactions in one item become one cloze when all are gaps (textEntry, inlineChoice);
  any other mix is reported unsupported and the whole item is skipped.
- matchInteraction / associateInteraction -> matching (unused right-hand choices: distractors).
- orderInteraction -> ordering; extendedTextInteraction -> essay (scorer rubric blocks -> rubric).
- `map_response` -> item `mapping` with `scoring = "mapped"`. Its keys are kiosk ids: option id
  for choices; pair id (the left choice's identifier) for matching, meaning "this pair matched
  right"; gap id for gap match. For text and inline-choice gaps the mapping becomes answer
  weights and gap points instead. `match_correct` on an item with several keys ->
  `scoring = "all_or_nothing"` (QTI gives the score only for a wholly correct response).
"""

from __future__ import annotations

import functools
import posixpath
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)

from kiosk.builtins.importers import qti_rp
from kiosk.builtins.importers.common import (
    IdAllocator,
    ImportFormatError,
    ImportResult,
    attach,
    duplicate_text,
    folder_reader,
    import_each,
    is_image,
    matching_as_cloze,
    number,
    order_item,
    safe_id,
    type_problems,
)
from kiosk.builtins.importers.text import escape_markdown, html_to_markdown

MAX_XML_BYTES = 16 * 1024 * 1024
MAX_PACKAGE_BYTES = 256 * 1024 * 1024

GAP_KINDS = {"textEntryInteraction", "inlineChoiceInteraction"}
BLOCK_KINDS = {
    "choiceInteraction",
    "orderInteraction",
    "matchInteraction",
    "associateInteraction",
    "extendedTextInteraction",
    "gapMatchInteraction",
}
UNSUPPORTED_KINDS = {
    "hotspotInteraction",
    "hottextInteraction",
    "graphicOrderInteraction",
    "graphicAssociateInteraction",
    "graphicGapMatchInteraction",
    "selectPointInteraction",
    "positionObjectInteraction",
    "sliderInteraction",
    "mediaInteraction",
    "uploadInteraction",
    "drawingInteraction",
    "customInteraction",
    "endAttemptInteraction",
    "positionObjectStage",
}
_SKIPPED_CONTENT = {
    "feedbackInline",
    "feedbackBlock",
    "templateInline",
    "templateBlock",
    "printedVariable",
}
_BLOCK_TAGS = {"p", "div", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "address"}
_PARA = "\x00"
_VERBATIM = "\x01"  # starts a paragraph kept as converted (tables, code blocks)
_IN_GAP_MATCH = "\x00gap-match"  # marker in the skip set while inside a gapMatchInteraction


def local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(el: Element, name: str) -> list[Element]:
    return [c for c in el if local(c.tag) == name]


def descendants(el: Element, name: str) -> list[Element]:
    return [c for c in el.iter() if local(c.tag) == name]


def _line_of(data: bytes, needle: bytes) -> int | None:
    at = data.find(needle)
    return data[:at].count(b"\n") + 1 if at >= 0 else None


def parse_xml(data: bytes, source: str) -> Element:
    """Parse untrusted XML; any attack or breakage becomes one clear ImportFormatError."""
    if len(data) > MAX_XML_BYTES:
        raise ImportFormatError(source, f"XML file larger than {MAX_XML_BYTES // 2**20} MB")
    try:
        return SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except EntitiesForbidden as exc:
        raise ImportFormatError(
            source,
            f"XML entity declarations are not allowed (entity {exc.name!r}): refused as a "
            "possible entity-expansion or external-entity attack",
            line=_line_of(data, b"<!ENTITY"),
        ) from None
    except ExternalReferenceForbidden as exc:
        raise ImportFormatError(
            source,
            f"XML external reference {exc.sysid!r} is not allowed",
            line=_line_of(data, b"<!DOCTYPE"),
        ) from None
    except DTDForbidden:
        raise ImportFormatError(
            source, "XML document type declarations are not allowed", line=_line_of(data, b"<!DOCTYPE")
        ) from None
    except DefusedXmlException as exc:
        raise ImportFormatError(source, f"unsafe XML refused: {exc}") from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        column = column + 1 if isinstance(column, int) else None  # expat counts from 0
        reason = re.sub(r": line \d+, column \d+$", "", str(exc))
        raise ImportFormatError(source, f"not well-formed XML: {reason}", line=line, column=column) from None
    except LookupError as exc:
        raise ImportFormatError(source, f"XML declares an unknown encoding: {exc}") from None
    except (ValueError, RecursionError) as exc:
        raise ImportFormatError(source, f"unreadable XML: {exc}") from None


@dataclass
class Mapping:
    entries: list[tuple[str, float, bool]] = field(default_factory=list)
    default: float = 0.0
    lower: float | None = None
    upper: float | None = None


@dataclass
class ResponseDecl:
    identifier: str
    cardinality: str
    base_type: str
    correct: list[str] = field(default_factory=list)
    mapping: Mapping | None = None


def _num(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _float_attr(el: Element, name: str, source: str) -> float | None:
    raw = el.get(name)
    if raw is None:
        return None
    try:
        return float(number(raw))
    except ValueError:
        raise ImportFormatError(source, f"<{local(el.tag)} {name}={raw!r}> is not a number") from None


class ItemReader:
    """Turns one assessmentItem element into a kiosk item dict (or None with warnings)."""

    def __init__(
        self,
        root: Element,
        source: str,
        topic: str,
        ids: IdAllocator,
        media_exists: Callable[[str], bool],
        result: ImportResult,
        media_read: Callable[[str], bytes | None] | None = None,
    ) -> None:
        self.root = root
        self.source = source
        self.topic = topic
        self.ids = ids
        self.media_exists = media_exists
        self.media_read = media_read
        self.attachments: list[dict[str, Any]] = []
        self.result = result
        self.identifier = root.get("identifier") or Path(source.split("!")[-1]).stem
        self.warned: set[str] = set()
        self.interp: qti_rp.Interpreter | None = None
        #: Per-response points when custom processing sums per-gap scores.
        self.gap_shares: dict[str, float] | None = None
        #: True while rendering the stem (Markdown); option, pair and gap texts are plain.
        self.rich = True
        self.interactions: list[Element] = []
        self.rubric: list[str] = []
        self.responses = {
            r.identifier: r for r in (self._response(el) for el in children(root, "responseDeclaration"))
        }

    # -- declarations -------------------------------------------------------------------------

    def _response(self, el: Element) -> ResponseDecl:
        ident = el.get("identifier")
        if not ident:
            raise ImportFormatError(self.source, "responseDeclaration without identifier")
        decl = ResponseDecl(ident, el.get("cardinality", "single"), el.get("baseType", ""))
        for correct in children(el, "correctResponse"):
            decl.correct = [(v.text or "").strip() for v in children(correct, "value")]
        for mapping in children(el, "mapping"):
            m = Mapping(
                default=_float_attr(mapping, "defaultValue", self.source) or 0.0,
                lower=_float_attr(mapping, "lowerBound", self.source),
                upper=_float_attr(mapping, "upperBound", self.source),
            )
            for entry in children(mapping, "mapEntry"):
                key = entry.get("mapKey")
                value = _float_attr(entry, "mappedValue", self.source)
                if key is None or value is None:
                    raise ImportFormatError(self.source, "mapEntry needs mapKey and mappedValue")
                m.entries.append((key.strip(), value, entry.get("caseSensitive", "true") != "false"))
            decl.mapping = m
        for _area in children(el, "areaMapping"):
            self.warn("areaMapping is not supported")
        return decl

    def warn(self, what: str) -> None:
        if what not in self.warned:
            self.warned.add(what)
            self.result.warnings.append(f"{self.source}: item {self.identifier}: {what}")

    # -- body rendering -----------------------------------------------------------------------

    def render(self, el: Element, skip: set[str] | None = None) -> str:
        out: list[str] = []
        self._children(el, out, skip or set())
        return _finish(out)

    def inline(self, el: Element) -> str:
        """Text of a choice, gap text or match entry (interactions inside one are left out):
        plain text, as the kiosk shows options verbatim."""
        skip = {"feedbackInline", *GAP_KINDS, *BLOCK_KINDS, *UNSUPPORTED_KINDS}
        rich, self.rich = self.rich, False
        try:
            text = self.render(el, skip)
        finally:
            self.rich = rich
        return re.sub(r"\s*\n+\s*", " ", text.replace(_VERBATIM, "")).strip()

    def text(self, raw: str) -> str:
        text = _collapse(raw)
        return escape_markdown(text) if self.rich else text

    def converted(self, el: Element) -> str:
        """An XHTML element the converter renders better than a walk: tables, `<pre>`,
        sub/superscripts, links (namespaces dropped; interactions inside are not expected)."""
        html = _xhtml(el)
        result = html_to_markdown(html, rich=self.rich)
        for src, _alt in result.images:
            self._media(src)
        return result.text

    def texts_ok(self, texts: list[str], what: str) -> bool:
        if all(texts):
            return True
        self.warn(f"{what} without text; skipped")
        return False

    def _children(self, el: Element, out: list[str], skip: set[str]) -> None:
        if el.text:
            out.append(self.text(el.text))
        for child in el:
            self._walk(child, out, skip)
            if child.tail:
                out.append(self.text(child.tail))

    def _walk(self, el: Element, out: list[str], skip: set[str]) -> None:
        """One element of item content into Markdown pieces: by its tag, through the table of
        `_tag_*` methods below (one per kind of content); unknown tags give their children."""
        name = local(el.tag)
        if not name or name in skip:
            return
        if name in GAP_KINDS:
            self.interactions.append(el)
            out.append(f"[[{el.get('responseIdentifier', '')}]]")
        elif name in BLOCK_KINDS or name in UNSUPPORTED_KINDS:
            self._tag_interaction(el, name, out, skip)
        elif name in _SKIPPED_CONTENT:
            self.warn(f"{name} is not supported; left out")
        elif (method := _TAG_METHODS.get(name)) is not None:
            getattr(self, method)(el, name, out, skip)
        elif name in _BLOCK_TAGS or name in ("li", "td", "th"):
            out.append(_PARA if name in _BLOCK_TAGS else " ")
            self._children(el, out, skip)
            out.append(_PARA if name in _BLOCK_TAGS else " ")
        else:
            self._children(el, out, skip)

    def _tag_interaction(self, el: Element, name: str, out: list[str], skip: set[str]) -> None:
        self.interactions.append(el)
        out.append(_PARA)
        for prompt in children(el, "prompt"):
            self._children(prompt, out, skip)
            out.append(_PARA)
        if name == "gapMatchInteraction":
            self._children(el, out, skip | {"prompt", "gapText", "gapImg", _IN_GAP_MATCH})
            out.append(_PARA)

    def _tag_gap(self, el: Element, name: str, out: list[str], skip: set[str]) -> None:
        if _IN_GAP_MATCH in skip:
            out.append(f"[[{el.get('identifier', '')}]]")
        else:
            self.warn("gap outside a gapMatchInteraction; left out")

    def _tag_br(self, el: Element, name: str, out: list[str], skip: set[str]) -> None:
        out.append("\n")

    def _tag_verbatim(self, el: Element, name: str, out: list[str], skip: set[str]) -> None:
        if _holds_interaction(el):  # a block like any other, its interactions walked
            out.append(_PARA)
            self._children(el, out, skip)
            out.append(_PARA)
        else:
            out.extend([_PARA, _VERBATIM + self.converted(el), _PARA])

    def _tag_inline_html(self, el: Element, name: str, out: list[str], skip: set[str]) -> None:
        if _holds_interaction(el):
            self._children(el, out, skip)
        else:
            out.append(self.converted(el))

    def _tag_img(self, el: Element, name: str, out: list[str], skip: set[str]) -> None:
        alt = (el.get("alt") or "").strip()
        ref = self._attach_image(el.get("src", ""), alt) if self.rich else None
        if ref:
            out.append(ref)
            return
        self._media(el.get("src", ""))
        if alt:
            out.append(f"[image: {alt}]")

    def _tag_object(self, el: Element, name: str, out: list[str], skip: set[str]) -> None:
        data = el.get("data", "")
        kind = (el.get("type") or "").lower()
        if self.rich and kind.startswith("image/") and (ref := self._attach_image(data, (
                "".join(el.itertext()).strip()))):
            out.append(ref)
        elif self.rich and kind in ("text/html", "application/xhtml+xml") and \
                self._attach_passage(data):
            pass  # a shared stimulus: shown above the item as a passage
        elif len(el) or (el.text or "").strip():
            self._media(data)
            self._children(el, out, skip)
        else:
            self._media(data)
            out.append(f"[{el.get('type') or 'media'}: {data}]")

    def _tag_blockquote(self, el: Element, name: str, out: list[str], skip: set[str]) -> None:
        inner = self.render(el, skip)
        out.extend([_PARA, "\n".join(f"> {line}".rstrip() for line in inner.split("\n")), _PARA])

    def _tag_list(self, el: Element, name: str, out: list[str], skip: set[str]) -> None:
        out.append(_PARA)
        for n, li in enumerate(children(el, "li"), start=1):
            bullet = f"{n}." if name == "ol" else "-"
            out.append(f"{bullet} {self.inline(li)}\n")
        out.append(_PARA)

    def _tag_emphasis(self, el: Element, name: str, out: list[str], skip: set[str]) -> None:
        mark = ("**" if name in ("b", "strong") else "*") if self.rich else ""
        text = self.inline(el)
        if text:
            out.append(f"{mark}{text}{mark}")

    def _tag_rubric(self, el: Element, name: str, out: list[str], skip: set[str]) -> None:
        views = (el.get("view") or "").split()
        text = self.render(el, skip)
        if "candidate" in views:
            out.extend([_PARA, text, _PARA])
        elif text:
            self.rubric.append(text)

    def _tag_math(self, el: Element, name: str, out: list[str], skip: set[str]) -> None:
        self.warn("MathML is shown as plain text")
        out.append(" ".join("".join(el.itertext()).split()))

    def _media(self, src: str) -> None:
        if not src or src.startswith("data:"):
            return
        if re.match(r"[a-z][a-z0-9+.-]*://", src, re.IGNORECASE):
            self.warn(f"external media {src} is not available offline; kept its alt text")
        elif not self.media_exists(src):
            self.warn(f"missing media {src}; kept its alt text")
        else:
            self.warn(f"media {src} is not carried into the bank; kept its alt text")

    def _read_media(self, src: str) -> bytes | None:
        if not src or self.media_read is None or re.match(r"[a-z][a-z0-9+.-]*:", src, re.I):
            return None
        return self.media_read(src)

    def _attach(self, src: str, data: bytes, kind: str, alt: str = "") -> str:
        return attach(self.attachments, self.result.files, src, data, kind, alt)

    def _attach_image(self, src: str, alt: str) -> str | None:
        """An image from the package as an attachment; the stem's `![alt](name)`, or None."""
        data = self._read_media(src)
        if data is None or not is_image(data):
            return None
        name = self._attach(src, data, "image", alt)
        return f"![{escape_markdown(alt or name)}]({quote(name)})"

    def _attach_passage(self, src: str) -> bool:
        """A linked HTML stimulus from the package as a passage attachment (Markdown text)."""
        data = self._read_media(src)
        if data is None:
            return False
        try:
            text = html_to_markdown(data.decode("utf-8-sig")).text
        except UnicodeDecodeError:
            return False
        self._attach(posixpath.splitext(src)[0] + ".md", text.encode("utf-8"), "passage")
        return True

    # -- conversion ---------------------------------------------------------------------------

    def convert(self) -> dict[str, Any] | None:
        body = next(iter(children(self.root, "itemBody")), None)
        if body is None or not self._importable():
            if body is None:
                self.warn("no itemBody; skipped")
            return None
        stem = self.render(body)
        if self.root.get("adaptive") == "true":
            self.warn("adaptive item imported as a plain item (one attempt)")
        for _feedback in children(self.root, "modalFeedback"):
            self.warn("modalFeedback is not imported")
        kinds = [local(i.tag) for i in self.interactions]
        if not self._interactions_supported(kinds):
            return None
        try:
            template = self._template()
        except qti_rp.Unsupported as exc:
            self.warn(f"response processing: {exc}; item skipped")
            return None
        item: dict[str, Any] = {"id": "", "type": "", "topic": self.topic, "points": 1, "stem": stem}
        if not self._fill(item, kinds, template):
            return None
        if not item["stem"].strip():
            item["stem"] = self.root.get("title") or self.identifier
        self._settle_points(item)
        item["id"] = self.ids.take(safe_id(self.identifier, "qti-item"))
        return order_item(item)

    def _importable(self) -> bool:
        """False (with the warning) for items a one-attempt exam cannot hold."""
        if self.root.get("adaptive") == "true" and self._needs_attempts():
            # Say what it is: the item expects the candidate to answer again after feedback,
            # which a one-attempt exam cannot offer (its other features are beside the point).
            self.warn("adaptive item (the candidate answers again after feedback: several "
                      "attempts, endAttemptInteraction or completionStatus) is not supported by a "
                      "one-attempt exam; skipped")
            return False
        if children(self.root, "templateDeclaration") or children(self.root, "templateProcessing"):
            self.warn("template variables (cloned items) are not supported; skipped")
            return False
        return True

    def _interactions_supported(self, kinds: list[str]) -> bool:
        if not kinds:
            self.warn("no interaction (nothing to answer); skipped")
            return False
        for kind in kinds:
            if kind in UNSUPPORTED_KINDS:
                self.warn(f"{kind} is not supported; item skipped")
                return False
        if len(kinds) > 1 and not all(k in GAP_KINDS for k in kinds):
            self.warn(
                f"several interactions ({', '.join(kinds)}) that cannot form one cloze; item skipped"
            )
            return False
        return True

    def _fill(self, item: dict[str, Any], kinds: list[str], template: Any) -> bool:
        if all(k in GAP_KINDS for k in kinds):
            return bool(self._gaps(item, template))
        handler = {
            "choiceInteraction": self._choice,
            "orderInteraction": self._order,
            "matchInteraction": self._match,
            "associateInteraction": self._associate,
            "extendedTextInteraction": self._essay,
            "gapMatchInteraction": self._gap_match,
        }[kinds[0]]
        return bool(handler(item, self.interactions[0], template))

    def _settle_points(self, item: dict[str, Any]) -> None:
        normal_max = self._normal_maximum()
        if normal_max:
            item["points"] = normal_max
        gaps = item.get("gaps", [])
        given = sum(g.get("points", 0) for g in gaps)
        if given and (
            given >= item["points"] if any("points" not in g for g in gaps) else given != item["points"]
        ):
            # The item's points (declared maximum, mapping bound) win over per-gap points that
            # disagree with them; the mapping still scores the gaps.
            for gap in gaps:
                gap.pop("points", None)
        if item.get("points", 1) <= 0:
            item["points"] = 1

    def _needs_attempts(self) -> bool:
        """An adaptive item that really adapts: it ends attempts itself or scores by attempt."""
        if descendants(self.root, "endAttemptInteraction"):
            return True
        for rp in children(self.root, "responseProcessing"):
            for var in descendants(rp, "variable") + descendants(rp, "setOutcomeValue"):
                if var.get("identifier") in ("completionStatus", "numAttempts"):
                    return True
        return False

    def _template(self) -> str | None:
        rp = next(iter(children(self.root, "responseProcessing")), None)
        if rp is None:
            return None
        template = rp.get("template") or rp.get("templateLocation") or ""
        if template:
            for name in ("match_correct", "map_response_point", "map_response"):
                if template.rstrip("/").endswith(name) or template.endswith(name + ".xml"):
                    if name == "map_response_point":
                        raise qti_rp.Unsupported("map_response_point needs a point interaction "
                                                 "(hotspot), which the kiosk does not have")
                    return name
            raise qti_rp.Unsupported(f"unknown response processing template {template!r}")
        if not len(rp):
            return None
        self.interp = qti_rp.Interpreter(rp, self._rp_decls(), self._outcome_defaults())
        kinds = [local(i.tag) for i in self.interactions]
        if kinds == ["choiceInteraction"]:
            return "custom"  # evaluated on every possible response in _choice
        choices = {
            i.get("responseIdentifier", ""): [
                c.get("identifier", "") for c in i.iter() if local(c.tag) in (
                    "simpleChoice", "inlineChoice", "simpleAssociableChoice", "gapText")]
            for i in self.interactions}
        template, shares = qti_rp.equivalent_template(self.interp, self._rp_decls(), choices)
        self.gap_shares = shares
        return template

    def _rp_decls(self) -> dict[str, qti_rp.Decl]:
        out = {}
        for ident, decl in self.responses.items():
            d = qti_rp.Decl(ident, decl.cardinality, decl.base_type, list(decl.correct))
            if decl.mapping is not None:
                d.has_mapping = True
                d.entries = list(decl.mapping.entries)
                d.default = decl.mapping.default
                d.lower, d.upper = decl.mapping.lower, decl.mapping.upper
            out[ident] = d
        return out

    def _outcome_defaults(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for outcome in children(self.root, "outcomeDeclaration"):
            base = outcome.get("baseType", "")
            value: Any = 0.0 if base in ("integer", "float") else None
            for default in children(outcome, "defaultValue"):
                vals = [v.text or "" for v in children(default, "value")]
                if vals:
                    value = qti_rp._scalar(vals[0], base)
            out[outcome.get("identifier", "")] = value
        return out

    def _normal_maximum(self) -> int | float | None:
        for outcome in children(self.root, "outcomeDeclaration"):
            if outcome.get("identifier") == "SCORE":
                value = _float_attr(outcome, "normalMaximum", self.source)
                if value and value > 0:
                    return _num(value)
        return None

    def _decl(self, interaction: Element) -> ResponseDecl | None:
        rid = interaction.get("responseIdentifier", "")
        decl = self.responses.get(rid)
        if decl is None:
            self.warn(f"{local(interaction.tag)} refers to undeclared response {rid!r}; skipped")
        return decl

    def _mapped_points(self, decl: ResponseDecl, keys: list[str] | None = None) -> int | float:
        """Full marks under the mapping: its upper bound, else what the correct response earns."""
        m = decl.mapping
        if m is None:
            return 1
        if m.upper is not None and m.upper > 0:
            return _num(m.upper)
        values = {k: v for k, v, _ in m.entries}
        if decl.cardinality == "single":
            best = max(values.values(), default=0.0)
        else:
            wanted = keys if keys is not None else decl.correct
            best = sum(values.get(k, 0.0) for k in wanted) if wanted else sum(
                v for v in values.values() if v > 0
            )
        return _num(best) if best > 0 else 1

    def _item_mapping(
        self, decl: ResponseDecl, entries: dict[str, float], hits_only: bool = False
    ) -> dict[str, Any]:
        """`hits_only`: the kiosk counts only right pairs/gaps as hits, so QTI's default value
        (what each wrong pair costs) has no kiosk counterpart."""
        assert decl.mapping is not None
        out: dict[str, Any] = {"entries": {k: _num(v) for k, v in entries.items()}}
        if not hits_only:
            out["default"] = _num(decl.mapping.default)
        elif decl.mapping.default:
            self.warn(
                f"mapping defaultValue {decl.mapping.default:g} for wrong answers is not supported; dropped"
            )
        if decl.mapping.lower is not None:
            out["lower_bound"] = _num(decl.mapping.lower)
        if decl.mapping.upper is not None:
            out["upper_bound"] = _num(decl.mapping.upper)
        return out

    # -- interactions -------------------------------------------------------------------------

    def _choice(self, item: dict[str, Any], el: Element, template: str | None) -> bool:
        decl = self._decl(el)
        if decl is None:
            return False
        options = self._choice_options(el)
        if options is None:
            return False
        ids = [o["id"] for o in options]
        single = el.get("maxChoices", "1") == "1"
        if template == "custom":
            return self._custom_choice(item, el, decl, options, single)
        correct = list(decl.correct)
        if not correct and decl.mapping:
            correct = [k for k, v, _ in decl.mapping.entries if v > 0]
        unknown = [c for c in correct if c not in ids]
        if unknown or not correct:
            self.warn(
                f"correct response {unknown[0]!r} is not a choice; skipped"
                if unknown
                else "no correct response; skipped"
            )
            return False
        for option in options:
            option["correct"] = option["id"] in correct
        # maxChoices="1" lets the candidate pick one whatever the cardinality: radio buttons.
        if single and len(correct) != 1:
            if decl.cardinality == "single" or template != "match_correct":
                self.warn("single-choice interaction with several correct responses; skipped")
                return False
            # one pick among several right ones (alternatives): each right one is worth full marks
            for option in options:
                option["weight"] = 1.0 if option["correct"] else 0.0
        item["type"] = "single_choice" if single else "multiple_response"
        item["options"] = options
        self._choice_scoring(item, decl, ids, template, single)
        return True

    def _choice_options(self, el: Element) -> list[dict[str, Any]] | None:
        """The simpleChoices as options, or None (with the warning) when they cannot be."""
        shuffle = el.get("shuffle") == "true"
        options: list[dict[str, Any]] = []
        for choice in children(el, "simpleChoice"):
            cid = choice.get("identifier", "")
            option: dict[str, Any] = {"id": cid, "text": self.inline(choice), "correct": False}
            feedback = " ".join(self.inline(f) for f in children(choice, "feedbackInline")).strip()
            if feedback:
                option["feedback"] = feedback
            if not shuffle or choice.get("fixed") == "true":
                option["fixed"] = True
            options.append(option)
        ids = [o["id"] for o in options]
        if not self.texts_ok([o["text"] for o in options], "simpleChoice"):
            return None
        dup = duplicate_text([o["text"] for o in options])
        if dup is not None:
            self.warn(f"choice text {dup!r} appears twice; skipped")
            return None
        if len(options) < 2 or not all(ids) or len(set(ids)) != len(ids):
            self.warn("choiceInteraction needs at least two simpleChoices with distinct identifiers; skipped")
            return None
        return options

    def _choice_scoring(self, item: dict[str, Any], decl: ResponseDecl, ids: list[str],
                        template: str | None, single: bool) -> None:
        if template == "map_response" and decl.mapping:
            entries = {}
            for key, value, _ in decl.mapping.entries:
                if key in ids:
                    entries[key] = value
                else:
                    self.warn(f"mapping entry {key!r} is not a choice; dropped")
            item["mapping"] = self._item_mapping(decl, entries)
            item["scoring"] = "mapped"
            item["points"] = self._mapped_points(decl)
        elif template == "match_correct" and not single:
            item["scoring"] = "all_or_nothing"

    def _custom_choice(self, item: dict[str, Any], el: Element, decl: ResponseDecl,
                       options: list[dict[str, Any]], single: bool) -> bool:
        """Custom processing on a choice: run it on every possible response and keep what the
        scores say (weights, one correct set, or a mapping), or refuse with the reason."""
        assert self.interp is not None
        ids = [o["id"] for o in options]
        try:
            max_choices = int(el.get("maxChoices", "1"))
        except ValueError:
            max_choices = 1
        try:
            fit = qti_rp.fit_choice(self.interp, self._rp_decls()[decl.identifier], ids,
                                    max_choices)
        except qti_rp.Unsupported as exc:
            self.warn(f"response processing: {exc}; item skipped")
            return False
        if fit.kind == "template":
            # it computes exactly what the declared mapping does: the map_response template
            self.warn("custom response processing read as the map_response template")
            return self._choice(item, el, "map_response")
        item["points"] = _num(fit.points)
        item["type"] = "single_choice" if single else "multiple_response"
        item["options"] = options
        if fit.kind == "weights":
            if any(w < -1 for w in fit.weights.values()):
                self.warn("response processing: a choice costs more than the item is worth; "
                          "item skipped")
                return False
            plain = sorted(fit.weights.values()) == [0.0] * (len(ids) - 1) + [1.0]
            for option in options:
                weight = fit.weights[option["id"]]
                option["correct"] = weight >= 1
                if not plain:
                    option["weight"] = _num(round(weight, 7))
        elif fit.kind == "all_or_nothing":
            for option in options:
                option["correct"] = option["id"] in fit.correct
            item["scoring"] = "all_or_nothing"
        else:
            entries = fit.mapping["entries"]
            for option in options:
                option["correct"] = entries.get(option["id"], 0) > 0
            item["mapping"] = fit.mapping
            item["scoring"] = "mapped"
        self.warn(f"custom response processing read as {fit.kind.replace('_', '-')} scoring")
        return True

    def _order(self, item: dict[str, Any], el: Element, template: str | None) -> bool:
        decl = self._decl(el)
        if decl is None:
            return False
        texts = {c.get("identifier", ""): self.inline(c) for c in children(el, "simpleChoice")}
        if any(c.get("fixed") == "true" for c in children(el, "simpleChoice")):
            self.warn("fixed positions in orderInteraction are not supported; ignored")
        if not decl.correct or any(c not in texts for c in decl.correct):
            self.warn("orderInteraction without a usable correct order; skipped")
            return False
        if not self.texts_ok(list(texts.values()), "simpleChoice"):
            return False
        if len(decl.correct) != len(texts):
            self.warn("correct order does not use every choice; skipped")
            return False
        sequence = [texts[c] for c in decl.correct]
        if len(set(sequence)) != len(sequence):
            self.warn("orderInteraction choices with the same text; skipped")
            return False
        item["type"] = "ordering"
        item["sequence"] = sequence
        if template == "map_response":
            self.warn("map_response on an order is not supported; the exam's scoring rule applies")
        elif template == "match_correct":
            item["scoring"] = "all_or_nothing"
        return True

    def _pairs_item(
        self,
        item: dict[str, Any],
        decl: ResponseDecl,
        left: dict[str, str],
        right: dict[str, str],
        template: str | None,
        directed: bool,
    ) -> bool:
        if not self.texts_ok([*left.values(), *right.values()], "simpleAssociableChoice"):
            return False
        found = self._correct_pairs(decl, left, right, directed)
        if found is None:
            return False
        pairs, used_left, used_right, keys = found
        if directed:
            for lid in left:
                if lid not in used_left:
                    self.warn(f"left-hand choice {lid!r} has no correct match; left out")
        distractors = [text for rid, text in right.items() if rid not in used_right]
        item["type"] = "matching"
        item["pairs"] = pairs
        if distractors:
            item["distractors"] = distractors
        if template == "map_response" and decl.mapping:
            entries: dict[str, float] = {}
            for key, value, _ in decl.mapping.entries:
                parts = key.split()
                k: Any = (tuple(parts) if directed else frozenset(parts)) if len(parts) == 2 else None
                if k in keys:
                    entries[keys[k]] = value
                else:
                    self.warn(f"mapping entry {key!r} for a pair that is not correct is not supported; dropped")
            item["mapping"] = self._item_mapping(decl, entries, hits_only=True)
            item["scoring"] = "mapped"
            item["points"] = self._mapped_points(decl)
        elif template == "match_correct":
            item["scoring"] = "all_or_nothing"
        try:
            note = matching_as_cloze(item)
        except ValueError as exc:
            self.warn(f"{exc}; skipped")
            return False
        if note:
            self.warn(note)
        return True

    def _correct_pairs(self, decl: ResponseDecl, left: dict[str, str], right: dict[str, str],
                       directed: bool) -> tuple[list[dict[str, Any]], set[str], set[str],
                                                dict[Any, str]] | None:
        """The correct response as pairs (and which choices they use, and each pair's key for
        the mapping), or None with the warning."""
        pairs: list[dict[str, Any]] = []
        used_left: set[str] = set()
        used_right: set[str] = set()
        keys: dict[Any, str] = {}
        for value in decl.correct:
            parts = value.split()
            if len(parts) != 2:
                self.warn(f"correct pair {value!r} is not two identifiers; skipped")
                return None
            a, b = parts
            if not directed and a not in left and b in left:
                a, b = b, a
            if a not in left or b not in right:
                self.warn(f"correct pair {value!r} names unknown choices; skipped")
                return None
            if a in used_left or (not directed and (a in used_right or b in used_left)):
                self.warn(f"choice {a!r} is in several correct pairs; not supported, skipped")
                return None
            used_left.add(a)
            used_right.add(b)
            if not directed:
                used_left.add(b)
                used_right.add(a)
            pairs.append({"id": a, "left": left[a], "right": right[b]})
            keys[(a, b) if directed else frozenset((a, b))] = a
        if not pairs:
            self.warn("no correct pairs; skipped")
            return None
        return pairs, used_left, used_right, keys

    def _match(self, item: dict[str, Any], el: Element, template: str | None) -> bool:
        decl = self._decl(el)
        if decl is None:
            return False
        sets = children(el, "simpleMatchSet")
        if len(sets) != 2:
            self.warn("matchInteraction needs two simpleMatchSets; skipped")
            return False
        left, right = (
            {c.get("identifier", ""): self.inline(c) for c in children(s, "simpleAssociableChoice")}
            for s in sets
        )
        return self._pairs_item(item, decl, left, right, template, directed=True)

    def _associate(self, item: dict[str, Any], el: Element, template: str | None) -> bool:
        decl = self._decl(el)
        if decl is None:
            return False
        choices = {c.get("identifier", ""): self.inline(c) for c in children(el, "simpleAssociableChoice")}
        return self._pairs_item(item, decl, choices, choices, template, directed=False)

    def _essay(self, item: dict[str, Any], el: Element, template: str | None) -> bool:
        decl = self.responses.get(el.get("responseIdentifier", ""))
        item["type"] = "essay"
        if decl and decl.correct:
            item["model_answer"] = "\n".join(decl.correct)
        if self.rubric:
            share = _num(round(1 / len(self.rubric), 4))
            item["rubric"] = [{"criterion": text, "points": share} for text in self.rubric]
        return True

    def _gap_match(self, item: dict[str, Any], el: Element, template: str | None) -> bool:
        decl = self._decl(el)
        if decl is None:
            return False
        if children(el, "gapImg"):
            self.warn("gapImg (image gap choices) is not supported; skipped")
            return False
        texts = {g.get("identifier", ""): self.inline(g) for g in children(el, "gapText")}
        if not self.texts_ok(list(texts.values()), "gapText"):
            return False
        gap_ids = [g.get("identifier", "") for g in descendants(el, "gap")]
        correct: dict[str, str] = {}
        for value in decl.correct:
            parts = value.split()
            if len(parts) != 2 or parts[0] not in texts or parts[1] not in gap_ids:
                self.warn(f"correct pair {value!r} does not name a gapText and a gap; skipped")
                return False
            correct[parts[1]] = texts[parts[0]]
        if len(set(gap_ids)) != len(gap_ids):
            self.warn("several gaps share an identifier; skipped")
            return False
        missing = [g for g in gap_ids if g not in correct]
        if missing or not gap_ids:
            self.warn(f"gap {missing[0]!r} has no correct text; skipped" if missing else "no gaps; skipped")
            return False
        options = list(dict.fromkeys(texts.values()))
        gaps: list[dict[str, Any]] = [
            {"id": g, "options": options, "correct": correct[g]} for g in gap_ids
        ]
        item["type"] = "cloze"
        item["gaps"] = gaps
        if template == "map_response" and decl.mapping:
            entries: dict[str, float] = {}
            wanted = {f"{t} {g}": g for t, g in (v.split() for v in decl.correct)}
            for key, value, _ in decl.mapping.entries:
                norm = " ".join(key.split())
                if norm in wanted:
                    entries[wanted[norm]] = value
                else:
                    self.warn(f"mapping entry {key!r} for a wrong gap filling is not supported; dropped")
            for gap in gaps:
                gap["points"] = _num(max(entries.get(gap["id"], 0.0), 0.0)) or 1
            item["mapping"] = self._item_mapping(decl, entries, hits_only=True)
            item["scoring"] = "mapped"
            item["points"] = self._mapped_points(decl)
        elif template == "match_correct" and len(gaps) > 1:
            item["scoring"] = "all_or_nothing"
        return True

    def _gaps(self, item: dict[str, Any], template: str | None) -> bool:
        gaps: list[dict[str, Any]] = []
        any_mapping = False
        rids = [el.get("responseIdentifier", "") for el in self.interactions]
        if len(set(rids)) != len(rids):
            self.warn("several interactions share one response identifier; skipped")
            return False
        for el in self.interactions:
            decl = self._decl(el)
            if decl is None:
                return False
            gap = (
                self._text_gap(decl) if local(el.tag) == "textEntryInteraction" else self._choice_gap(el, decl)
            )
            if gap is None:
                return False
            any_mapping = any_mapping or decl.mapping is not None
            gaps.append(gap)
        if len(gaps) == 1 and local(self.interactions[0].tag) == "textEntryInteraction":
            placeholder = f"[[{gaps[0]['id']}]]"
            if item["stem"].rstrip().endswith(placeholder):
                item["stem"] = item["stem"].rstrip()[: -len(placeholder)].rstrip()
                return self._short(item, gaps[0])
        item["type"] = "cloze"
        for gap in gaps:
            if gap.get("_base_type") in ("integer", "float") and not self._numeric_gap(gap):
                return False
        if any_mapping:
            for gap in gaps:
                gap.setdefault("points", 1)
            item["points"] = _num(sum(g["points"] for g in gaps))
        else:
            for gap in gaps:
                gap.pop("points", None)
        item["gaps"] = gaps
        if template == "match_correct" and len(gaps) > 1:
            item["scoring"] = "all_or_nothing"
        elif template == "per_response" and self.gap_shares:
            # custom processing that adds up per-gap scores: gap points, scored proportionally
            for gap in gaps:
                gap["points"] = _num(self.gap_shares.get(gap["id"], 1.0))
            item["points"] = _num(sum(g["points"] for g in gaps))
            item["scoring"] = "proportional"
        return True

    def _numeric_gap(self, gap: dict[str, Any]) -> bool:
        """A float/integer textEntry inside a cloze is compared as a number ("4" = "4.0"),
        with the tolerance of an `<equal>` in the response processing, if any."""
        numbers = []
        tolerance = self._tolerances.get(gap["id"])
        for answer in gap.pop("answers"):
            entry = answer if isinstance(answer, dict) else {"text": answer}
            try:
                value = number(entry["text"])
            except ValueError:
                self.warn(f"response {gap['id']!r}: {entry['text']!r} is not a number; skipped")
                return False
            out: dict[str, Any] = {"value": value}
            if tolerance is not None:
                out.update(tolerance)
            if "weight" in entry:
                out["weight"] = entry["weight"]
            numbers.append(out)
        gap.pop("case_sensitive", None)
        gap["numbers"] = numbers
        return True

    @property
    def _tolerances(self) -> dict[str, dict[str, Any]]:
        """`<equal toleranceMode="absolute|relative" tolerance="t">` around a response variable
        in the response processing: response id -> numeric answer fields."""
        out: dict[str, dict[str, Any]] = {}
        for rp in children(self.root, "responseProcessing"):
            for eq in descendants(rp, "equal"):
                mode = eq.get("toleranceMode", "exact")
                variables = [v.get("identifier", "") for v in children(eq, "variable")]
                raw = (eq.get("tolerance") or "0").split()
                if mode == "exact" or not variables or not raw:
                    continue
                try:
                    tol = float(number(raw[0]))
                except ValueError:
                    continue
                if len(set(raw)) > 1:
                    self.warn("an asymmetric tolerance is read as its first bound")
                if mode == "relative":
                    out[variables[0]] = {"tolerance": _num(tol / 100), "relative": True}
                else:
                    out[variables[0]] = {"tolerance": _num(tol)}
        return out

    def _text_gap(self, decl: ResponseDecl) -> dict[str, Any] | None:
        gap: dict[str, Any] = {"id": decl.identifier}
        if decl.mapping and decl.mapping.entries:
            best = max(v for _, v, _ in decl.mapping.entries)
            if best <= 0:
                self.warn(f"response {decl.identifier!r}: no mapped answer earns points; skipped")
                return None
            answers: list[Any] = []
            for key, value, _ in decl.mapping.entries:
                if value <= 0:
                    self.warn(f"mapping entry {key!r} with no credit is not supported; dropped")
                    continue
                weight = round(value / best, 7)
                answers.append({"text": key} if weight == 1 else {"text": key, "weight": weight})
            gap["answers"] = answers
            gap["points"] = _num(best)
            gap["case_sensitive"] = all(cs for _, _, cs in decl.mapping.entries)
        elif decl.correct:
            gap["answers"] = list(decl.correct)
            gap["case_sensitive"] = True
        else:
            self.warn(f"response {decl.identifier!r} has no correct value; skipped")
            return None
        texts = [a["text"] if isinstance(a, dict) else a for a in gap["answers"]]
        if not texts or not all(t.strip() for t in texts):
            self.warn(f"response {decl.identifier!r} has an empty accepted answer; skipped")
            return None
        gap["_base_type"] = decl.base_type
        return gap

    def _choice_gap(self, el: Element, decl: ResponseDecl) -> dict[str, Any] | None:
        texts = {c.get("identifier", ""): self.inline(c) for c in children(el, "inlineChoice")}
        empty = [cid for cid, text in texts.items() if not text and cid not in decl.correct]
        if empty:
            # An empty choice is a "select…" placeholder: the kiosk's drop-down has its own.
            self.warn(f"empty inlineChoice {', '.join(map(repr, empty))} (a placeholder) left out")
            texts = {cid: text for cid, text in texts.items() if cid not in empty}
        correct = decl.correct[0] if len(decl.correct) == 1 else None
        if decl.mapping and decl.mapping.entries:
            ranked = sorted(decl.mapping.entries, key=lambda e: -e[1])
            correct = correct or ranked[0][0]
            for key, value, _ in ranked:
                if key != correct and value > 0:
                    self.warn(f"partial credit for inline choice {key!r} is not supported; dropped")
        if correct not in texts:
            self.warn(f"response {decl.identifier!r} has no usable correct choice; skipped")
            return None
        if not self.texts_ok(list(texts.values()), "inlineChoice"):
            return None
        if len(texts) < 2 or duplicate_text(list(texts.values())) is not None:
            self.warn(f"response {decl.identifier!r} needs two or more distinct inline choices; skipped")
            return None
        gap: dict[str, Any] = {"id": decl.identifier, "options": list(texts.values()), "correct": texts[correct]}
        if decl.mapping:
            values = {k: v for k, v, _ in decl.mapping.entries}
            gap["points"] = _num(values.get(correct, 1.0)) if values.get(correct, 1.0) > 0 else 1
        return gap

    def _short(self, item: dict[str, Any], gap: dict[str, Any]) -> bool:
        base_type = gap.pop("_base_type", "")
        if "points" in gap:
            item["points"] = gap["points"]
        answers = [a if isinstance(a, dict) else {"text": a} for a in gap["answers"]]
        if base_type in ("integer", "float"):
            try:
                numeric = []
                for a in answers:
                    entry: dict[str, Any] = {"value": number(a["text"])}
                    entry.update(self._tolerances.get(gap["id"], {}))
                    if "weight" in a:
                        entry["weight"] = a["weight"]
                    numeric.append(entry)
            except ValueError:
                self.warn("numeric response with a value that is not a number; skipped")
                return False
            item["type"] = "numeric"
            item["answers"] = numeric
            return True
        item["type"] = "short_text"
        item["answers"] = answers
        item["case_sensitive"] = gap.get("case_sensitive", True)
        return True


def _holds_interaction(el: Element) -> bool:
    """Interactions (or gaps) inside: the element must be walked, not converted, or they would
    be lost (a table of inline choices is common)."""
    kinds = GAP_KINDS | BLOCK_KINDS | UNSUPPORTED_KINDS | {"gap", "printedVariable"}
    return any(local(d.tag) in kinds for d in el.iter())


def _xhtml(el: Element) -> str:
    """The element as plain HTML: QTI's namespace prefixes removed."""
    import copy as copying
    from xml.etree.ElementTree import tostring

    copy = copying.deepcopy(el)
    copy.tail = None  # the text after the element belongs to its parent
    for node in copy.iter():
        if isinstance(node.tag, str):
            node.tag = local(node.tag)
        for key in list(node.attrib):
            if "}" in key:
                node.attrib[local(key)] = node.attrib.pop(key)
    return tostring(copy, encoding="unicode", short_empty_elements=False)


def _collapse(text: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", text)


def _finish(out: list[str]) -> str:
    paragraphs = []
    for para in "".join(out).split(_PARA):
        if para.startswith(_VERBATIM):
            # converted tables and code blocks: their layout is their meaning
            paragraphs.append(para[len(_VERBATIM):].strip("\n"))
            continue
        lines = [line.strip() for line in para.split("\n")]
        text = "\n".join(line for line in lines if line)
        if text:
            paragraphs.append(text)
    return "\n\n".join(paragraphs)


def _finish_gaps(item: dict[str, Any]) -> None:
    for gap in item.get("gaps", []):
        gap.pop("_base_type", None)


def parse_qti_item(
    data: bytes,
    source: str,
    topic: str,
    ids: IdAllocator | None = None,
    media_exists: Callable[[str], bool] = lambda _src: False,
    media_read: Callable[[str], bytes | None] | None = None,
) -> ImportResult:
    """One assessmentItem document -> at most one item, plus warnings. `media_read(src)` gives
    the bytes of a file the item refers to (images, linked stimuli), or None."""
    root = parse_xml(data, source)
    name = local(root.tag)
    if name == "assessmentTest":
        raise ImportFormatError(source, "an assessmentTest, not an item: import its content package instead")
    if name == "questestinterop":
        raise ImportFormatError(source, "QTI 1.2 (<questestinterop>) is not supported: only QTI "
                                "2.1/2.2 assessmentItems are read; export the items as QTI 2.1 "
                                "or as Moodle XML")
    if name != "assessmentItem":
        raise ImportFormatError(source, f"not a QTI assessmentItem (root element <{name}>)")
    result = ImportResult()
    reader = ItemReader(root, source, topic, ids or IdAllocator(), media_exists, result,
                        media_read)
    try:
        item = reader.convert()
    except RecursionError:
        raise ImportFormatError(source, "XML nested too deeply") from None
    if item is not None:
        _finish_gaps(item)
        problems = type_problems(item)
        if problems:  # what `bank check` would refuse: this item only
            raise ImportFormatError(source, f"{item.get('id')}: {'; '.join(problems)}")
        if reader.attachments:
            item["attachments"] = reader.attachments
        result.items.append(item)
    else:
        for att in reader.attachments:
            result.files.pop(att["sha256"], None)
    return result


def _unsafe_member(name: str) -> bool:
    parts = re.split(r"[\\/]", name)
    return name.startswith(("/", "\\")) or bool(re.match(r"[A-Za-z]:", name)) or ".." in parts


class _Package:
    """An IMS content package being read: its members, read with size limits."""

    def __init__(self, zf: zipfile.ZipFile, source: str) -> None:
        self.zf, self.source = zf, source
        infos = zf.infolist()
        for info in infos:
            if _unsafe_member(info.filename):
                raise ImportFormatError(source, f"unsafe path {info.filename!r} in the package (absolute or '..')")
        if sum(i.file_size for i in infos) > MAX_PACKAGE_BYTES:
            raise ImportFormatError(source, f"package unpacks to more than {MAX_PACKAGE_BYTES // 2**20} MB")
        self.names = {i.filename for i in infos}

    def read(self, member: str) -> bytes:
        try:
            with self.zf.open(member) as fh:
                data = fh.read(MAX_XML_BYTES + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError,
                ValueError) as exc:
            why = str(exc) or "damaged member (truncated or inconsistent zip headers)"
            raise ImportFormatError(f"{self.source}!{member}",
                                    f"cannot read from the package: {why}") from None
        if len(data) > MAX_XML_BYTES:
            raise ImportFormatError(f"{self.source}!{member}", f"larger than {MAX_XML_BYTES // 2**20} MB")
        return data

    def exists(self, folder: str, src: str) -> bool:
        return posixpath.normpath(posixpath.join(folder, src)) in self.names

    def media(self, folder: str, src: str) -> bytes | None:
        target = posixpath.normpath(posixpath.join(folder, src.split("#")[0]))
        if target not in self.names or _unsafe_member(target):
            return None
        try:
            return self.read(target)
        except ImportFormatError:
            return None


def _manifest_items(manifest: Element, manifest_name: str, result: ImportResult) -> list[str]:
    """The hrefs of the manifest's item resources; tests and QTI 1.x reported in `result`."""
    hrefs: list[str] = []
    for resource in descendants(manifest, "resource"):
        kind = resource.get("type", "")
        href = resource.get("href")
        if href is None:
            first = next(iter(children(resource, "file")), None)
            href = first.get("href") if first is not None else None
        if kind.startswith("imsqti_item"):
            if not href:
                result.errors.append(f"{manifest_name}: item resource "
                                     f"{resource.get('identifier')!r} has no href")
                continue
            hrefs.append(href)
        elif kind.startswith("imsqti_test"):
            result.warnings.append(
                f"{manifest_name}: assessment test {href or resource.get('identifier')!r} is not "
                "imported (its items are, as listed in the manifest)"
            )
        elif kind.startswith("imsqti_xmlv1p2") or kind.startswith("imsqti_xmlv1p1"):
            result.errors.append(f"{manifest_name}: resource {href or resource.get('identifier')!r} "
                                 "is QTI 1.x, which is not supported (only QTI 2.1/2.2)")
    return hrefs


def import_package(path: Path, topic: str, ids: IdAllocator) -> ImportResult:
    source = str(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise ImportFormatError(source, f"not a readable zip package: {exc}") from None
    with zf:
        pkg = _Package(zf, source)
        if "imsmanifest.xml" not in pkg.names:
            raise ImportFormatError(source, "zip without imsmanifest.xml at its top level: not an IMS content package")
        manifest_name = f"{source}!imsmanifest.xml"
        manifest = parse_xml(pkg.read("imsmanifest.xml"), manifest_name)
        result = ImportResult()
        hrefs = _manifest_items(manifest, manifest_name, result)
        if not hrefs and not result.errors:
            raise ImportFormatError(manifest_name, "the manifest lists no QTI item resources")
        for href in hrefs:
            # One bad entry costs that entry only: the rest of the package imports.
            member = posixpath.normpath(href.split("#")[0])
            if _unsafe_member(href) or _unsafe_member(member):
                result.errors.append(f"{manifest_name}: unsafe item path {href!r} (absolute or '..')")
                continue
            if member not in pkg.names:
                result.errors.append(f"{manifest_name}: lists item {href!r}, which is not in the package")
                continue
            folder = posixpath.dirname(member)
            try:
                result.extend(parse_qti_item(
                    pkg.read(member), f"{source}!{member}", topic, ids,
                    functools.partial(pkg.exists, folder), functools.partial(pkg.media, folder)))
            except ImportFormatError as exc:
                result.errors.append(str(exc))
        return result


def import_qti(paths: Sequence[Path], topic: str | None = None) -> ImportResult:
    # One unusable file (an assessmentTest, QTI 1.2, broken XML, unreadable) costs that file
    # only.
    return import_each(paths, topic, lambda path, item_topic, ids: (
        import_package if zipfile.is_zipfile(path) else _import_file)(path, item_topic, ids))


def _import_file(path: Path, item_topic: str, ids: IdAllocator) -> ImportResult:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFormatError(str(path), f"cannot read file: {exc.strerror or exc}") from None
    folder = path.parent

    def exists(src: str) -> bool:
        try:
            return (folder / src).is_file()
        except (OSError, ValueError):
            return False

    # only files in the item's own folder tree are read (never `../` or absolute paths)
    return parse_qti_item(data, str(path), item_topic, ids, exists, folder_reader(folder))


#: `_walk`'s table: tag -> the method that renders it.
_TAG_METHODS = {
    "gap": "_tag_gap", "br": "_tag_br", "pre": "_tag_verbatim", "table": "_tag_verbatim",
    "sup": "_tag_inline_html", "sub": "_tag_inline_html", "a": "_tag_inline_html",
    "img": "_tag_img", "object": "_tag_object", "blockquote": "_tag_blockquote",
    "ul": "_tag_list", "ol": "_tag_list", "b": "_tag_emphasis", "strong": "_tag_emphasis",
    "i": "_tag_emphasis", "em": "_tag_emphasis", "rubricBlock": "_tag_rubric",
    "math": "_tag_math",
}
