"""Article body: from the body container's markup to text blocks and clean HTML.

Paragraphs are ``<p>`` on some pages and bare ``<div>``s or ``<br>``-separated text nodes
on others, so the text is read as leaf blocks in document order rather than by tag.
"""

from __future__ import annotations

import copy
import re
from functools import cache
from typing import TYPE_CHECKING

import nh3
from lxml import html as lxml_html

from beltacrawl.site.text import CONTROL_CHARACTERS, normalise_space, without_controls

if TYPE_CHECKING:
    from collections.abc import Iterator

    from lxml.html import HtmlElement

    from beltacrawl.site.profile import SiteProfile

_BLOCK_TAGS = frozenset(
    {"p", "div", "section", "article", "blockquote", "ul", "ol", "li", "table", "tr",
     "h1", "h2", "h3", "h4", "h5", "h6", "pre", "header", "footer", "aside", "hr", "dl",
     "dt", "dd"}
)  # fmt: skip
#: Elements that are never article text, on any edition (also under a namespace prefix,
#: ``<html:script>``).
_DROP_TAGS = frozenset(
    {"script", "style", "noscript", "iframe", "object", "embed", "video", "audio", "img",
     "figure", "figcaption", "form", "button", "svg", "picture", "source", "template",
     "meta", "link", "base", "applet", "param", "frameset", "frame", "noframes"}
)  # fmt: skip
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LETTER = re.compile(r"[^\W\d_]")
#: What ``body_html`` may hold: nh3's (ammonia's) allow-list of tags, attributes and URL
#: schemes, less the elements that are never article text.
_SAFE_TAGS = frozenset(nh3.ALLOWED_TAGS) - _DROP_TAGS
#: Characters lxml refuses when text is set (as ``drop_tree`` does), though a page may hold
#: them: the controls (DEL and C1 with them, which the loader removes anyway) and the
#: noncharacters U+FFFE and U+FFFF, which are no controls but not XML either.
_NOT_XML = re.compile(f"[{CONTROL_CHARACTERS}\ufffe\uffff]")


def _classes(element: HtmlElement) -> set[str]:
    return set((element.get("class") or "").split())


def _is_dropped(element: HtmlElement, profile: SiteProfile) -> bool:
    tag = element.tag.lower() if isinstance(element.tag, str) else ""
    if not tag or tag.rpartition(":")[2] in _DROP_TAGS:
        return True
    return bool(_classes(element) & profile.body_drop_classes)


@cache
def _trailing_marker(marker: str) -> re.Pattern[str]:
    """The wire end marker at the end of a block."""
    return re.compile(rf"\s*{re.escape(marker)}\s*$")


class _BlockReader:
    """Collects the text of leaf blocks; stops at the first end-of-body element."""

    def __init__(self, profile: SiteProfile) -> None:
        self.profile = profile
        self.blocks: list[str] = []
        self._parts: list[str] = []
        self.ended = False

    def flush(self) -> None:
        # Without control characters: blocks are compared (repeats, captions, datelines).
        text = normalise_space(without_controls("".join(self._parts)))
        if text:
            self.blocks.append(text)
        self._parts.clear()

    def read(self, element: HtmlElement) -> None:
        """Depth first with a stack of its own: deeply nested markup must not exhaust
        Python's recursion limit. Each frame: the children still to read, and what to do
        on leaving the element (flush after a block, then its tail)."""
        if element.text:
            self._parts.append(element.text)
        stack: list[tuple[Iterator[HtmlElement], HtmlElement | None, bool]] = [
            (iter(element), None, False)
        ]
        while stack:
            children, _, _ = stack[-1]
            child = next(children, None)
            if child is None or self.ended:
                # Leaving an element (also on the way out after the end of the body).
                _, left, is_block = stack.pop()
                if left is not None:
                    if is_block:
                        self.flush()
                    if left.tail and not self.ended:
                        self._parts.append(left.tail)
                continue
            if isinstance(child.tag, str) and _classes(child) & self.profile.body_end_classes:
                self.ended = True
                continue
            tag = child.tag.lower() if isinstance(child.tag, str) else ""
            if tag == "br":
                self.flush()
            elif not _is_dropped(child, self.profile):
                is_block = tag in _BLOCK_TAGS
                if is_block:
                    self.flush()
                if child.text:
                    self._parts.append(child.text)
                stack.append((iter(child), child, is_block))
                continue
            if child.tail:
                self._parts.append(child.tail)


def text_blocks(container: HtmlElement, profile: SiteProfile) -> list[str]:
    """Whitespace-normalised text blocks of the container, without embeds and chrome."""
    reader = _BlockReader(profile)
    reader.read(container)
    reader.flush()
    return reader.blocks


def _is_foreign_caption(block: str) -> bool:
    """Russian captions inside German photo galleries: mostly Cyrillic letters."""
    if not _CYRILLIC.search(block):
        return False  # the usual case, decided without counting every letter
    letters = len(_LETTER.findall(block))
    return letters > 0 and len(_CYRILLIC.findall(block)) / letters > 0.5


def clean_blocks(
    blocks: list[str], captions: frozenset[str] | set[str], profile: SiteProfile
) -> list[str]:
    """Drop captions, photo credits and the wire end marker; collapse repeated blocks."""
    marker = profile.wire_end_marker
    trailing_marker = _trailing_marker(marker)
    cleaned: list[str] = []
    for block in blocks:
        block = trailing_marker.sub("", block) if block != marker else ""
        if (
            not block
            or block in captions
            or profile.photo_credit.match(block)
            or _is_foreign_caption(block)
        ):
            continue
        if cleaned and cleaned[-1] == block:
            continue
        cleaned.append(block)
    return cleaned


def clean_html(
    container: HtmlElement, profile: SiteProfile, captions: frozenset[str] = frozenset()
) -> str:
    """Inner HTML of the container without embeds or chrome, sanitised for display, nor an
    element holding only one of ``captions`` (the record keeps it in ``image_caption``).

    Analysts render this, so nothing executable may survive: after the elements that are
    not article text are gone, nh3 keeps only allow-listed tags, attributes and URL
    schemes (no scripts, frames, applets, event handlers, styles or ``javascript:``).
    """
    root = copy.deepcopy(container)
    root.tail = None
    # One search over all the text first: such characters are rare.
    if _NOT_XML.search("".join(root.itertext())):
        for node in root.iter():
            if node.text and _NOT_XML.search(node.text):
                node.text = _NOT_XML.sub("", node.text)
            if node.tail and _NOT_XML.search(node.tail):
                node.tail = _NOT_XML.sub("", node.tail)
    ended = False
    for element in list(root.iterdescendants()):
        if element.getparent() is None:
            continue  # already removed with an ancestor
        if ended or (isinstance(element.tag, str) and _classes(element) & profile.body_end_classes):
            if not ended:
                # Nothing after the end of the body: not the text after the closing
                # tags of the elements around it either.
                for ancestor in element.iterancestors():
                    if ancestor is root:
                        break
                    ancestor.tail = None
            ended = True
            element.tail = None
            element.drop_tree()
            continue
        if _is_dropped(element, profile) or (
            captions
            and isinstance(element.tag, str)
            and normalise_space(element.text_content()) in captions
        ):
            element.drop_tree()
    # The inner HTML in one serialisation: the root made a bare <div>, its tags cut off.
    root.tag = "div"
    root.attrib.clear()
    outer = lxml_html.tostring(root, encoding="unicode")
    inner = outer[len("<div>") : -len("</div>")].strip()
    return nh3.clean(inner, tags=set(_SAFE_TAGS), link_rel=None).strip()
