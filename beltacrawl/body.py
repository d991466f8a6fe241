"""Article body: from the body container's markup to text blocks and clean HTML.

Paragraphs are ``<p>`` on some pages and bare ``<div>``s or ``<br>``-separated text nodes
on others, so the text is read as leaf blocks in document order rather than by tag.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator

from lxml import html as lxml_html
from lxml.etree import _Element

from beltacrawl.dates import normalise_space
from beltacrawl.site import (
    BODY_DROP_CLASSES,
    BODY_DROP_TAGS,
    BODY_END_CLASSES,
    PHOTO_CREDIT,
    WIRE_END_MARKER,
)

_BLOCK_TAGS = frozenset(
    {"p", "div", "section", "article", "blockquote", "ul", "ol", "li", "table", "tr",
     "h1", "h2", "h3", "h4", "h5", "h6", "pre", "header", "footer", "aside", "hr", "dl",
     "dt", "dd"}
)  # fmt: skip
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LETTER = re.compile(r"[^\W\d_]")
_TRAILING_WIRE_MARKER = re.compile(r"\s*-0-\s*$")
_UNSAFE_ATTRIBUTE = re.compile(r"^(on|style$|srcdoc$|formaction$)", re.IGNORECASE)
_UNSAFE_SCHEMES = ("javascript:", "data:", "vbscript:")
#: Browsers ignore control characters and spaces in a URL's scheme (``java&#9;script:``).
_URL_NOISE = re.compile(r"[\x00-\x20]+")
#: An HTML tag name; the parser makes others of broken markup (``<scr<script>``).
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9:_.-]*")
#: Characters lxml refuses when text is set (as ``drop_tree`` does), though a page may hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _classes(element: _Element) -> set[str]:
    return set((element.get("class") or "").split())


def _is_dropped(element: _Element) -> bool:
    tag = element.tag.lower() if isinstance(element.tag, str) else ""
    return not tag or tag in BODY_DROP_TAGS or bool(_classes(element) & BODY_DROP_CLASSES)


class _BlockReader:
    """Collects the text of leaf blocks; stops at the first end-of-body element."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self._parts: list[str] = []
        self.ended = False

    def flush(self) -> None:
        text = normalise_space("".join(self._parts))
        if text:
            self.blocks.append(text)
        self._parts.clear()

    def read(self, element: _Element) -> None:
        """Depth first with a stack of its own: deeply nested markup must not exhaust
        Python's recursion limit. Each frame: the children still to read, and what to do
        on leaving the element (flush after a block, then its tail)."""
        if element.text:
            self._parts.append(element.text)
        stack: list[tuple[Iterator[_Element], _Element | None, bool]] = [
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
            if isinstance(child.tag, str) and _classes(child) & BODY_END_CLASSES:
                self.ended = True
                continue
            tag = child.tag.lower() if isinstance(child.tag, str) else ""
            if tag == "br":
                self.flush()
            elif not _is_dropped(child):
                is_block = tag in _BLOCK_TAGS
                if is_block:
                    self.flush()
                if child.text:
                    self._parts.append(child.text)
                stack.append((iter(child), child, is_block))
                continue
            if child.tail:
                self._parts.append(child.tail)


def text_blocks(container: _Element) -> list[str]:
    """Whitespace-normalised text blocks of the container, without embeds and chrome."""
    reader = _BlockReader()
    reader.read(container)
    reader.flush()
    return reader.blocks


def _is_foreign_caption(block: str) -> bool:
    """Russian captions inside German photo galleries: mostly Cyrillic letters."""
    if not _CYRILLIC.search(block):
        return False  # the usual case, decided without counting every letter
    letters = len(_LETTER.findall(block))
    return letters > 0 and len(_CYRILLIC.findall(block)) / letters > 0.5


def clean_blocks(blocks: list[str], captions: set[str]) -> list[str]:
    """Drop captions, photo credits and the wire end marker; collapse repeated blocks."""
    cleaned: list[str] = []
    for block in blocks:
        block = _TRAILING_WIRE_MARKER.sub("", block) if block != WIRE_END_MARKER else ""
        if (
            not block
            or block in captions
            or PHOTO_CREDIT.match(block)
            or _is_foreign_caption(block)
        ):
            continue
        if cleaned and cleaned[-1] == block:
            continue
        cleaned.append(block)
    return cleaned


def clean_html(container: _Element) -> str:
    """Inner HTML of the container without scripts, embeds, event handlers or chrome.

    Analysts render this, so nothing executable survives: dropped elements go, ``on*``
    and ``style`` attributes go, and ``javascript:`` links lose their target.
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
        if ended or (isinstance(element.tag, str) and _classes(element) & BODY_END_CLASSES):
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
        if _is_dropped(element):
            element.drop_tree()
            continue
        if not _TAG_NAME.fullmatch(element.tag):
            element.drop_tag()  # keep the text of broken markup, not its tag
            continue
        for name in list(element.attrib):
            value = element.attrib[name]
            if _UNSAFE_ATTRIBUTE.match(name) or _URL_NOISE.sub("", value).lower().startswith(
                _UNSAFE_SCHEMES
            ):
                del element.attrib[name]
    # The inner HTML in one serialisation: the root made a bare <div>, its tags cut off.
    root.tag = "div"
    root.attrib.clear()
    outer = lxml_html.tostring(root, encoding="unicode")
    return outer[len("<div>") : -len("</div>")].strip()
