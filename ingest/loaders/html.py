"""Load an HTML page with BeautifulSoup (lxml's HTML parser): main text, headings, meta tags."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, Tag
from bs4.element import Comment, Doctype, NavigableString, ProcessingInstruction

from ingest.loaders._common import decode_text
from ingest.metadata import looks_like_organisation
from ingest.parsed import Heading, ParsedDocument
from search.errors import DocumentError

_DROPPED = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form",
            "template", "svg", "iframe", "button", "dialog")
_BLOCKS = frozenset(
    {"p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "table",
     "tr", "td", "th", "thead", "tbody", "blockquote", "pre", "figure", "figcaption",
     "address", "details", "summary", "br", "hr", "body", "caption"}
)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_SITE_SUFFIX = re.compile(r"\s+[-|–]\s+(GOV\.UK|[^-|–]{2,40}\.(gov|org|co)\.uk)\s*$", re.IGNORECASE)
_DATE_META = ("dcterms.date", "article:published_time", "date", "dc.date",
              "govuk:public-updated-at", "govuk:first-published-at")
_PUBLISHER_META = ("govuk:primary-publishing-organisation", "dcterms.publisher", "author")


def _meta(soup: BeautifulSoup, key: str) -> str | None:
    tag = soup.find("meta", attrs={"name": key}) or soup.find("meta", attrs={"property": key})
    if isinstance(tag, Tag):
        content = tag.get("content")
        if isinstance(content, str) and content.strip():
            return " ".join(content.split())
    return None


def _metadata(soup: BeautifulSoup) -> dict[str, str]:
    metadata: dict[str, str] = {}
    title_tag = soup.find("title")
    title = " ".join(title_tag.get_text(" ").split()) if isinstance(title_tag, Tag) else ""
    title = _SITE_SUFFIX.sub("", title)
    if not title or title.upper() == "GOV.UK":
        title = _meta(soup, "og:title") or ""
    if not title:
        h1 = soup.find("h1")
        title = " ".join(h1.get_text(" ").split()) if isinstance(h1, Tag) else ""
    if title:
        metadata["title"] = title
    for key in _PUBLISHER_META:
        value = _meta(soup, key)
        if value and looks_like_organisation(value):
            metadata["publisher"] = value
            break
    description = _meta(soup, "description")
    if description:
        metadata["description"] = description
    for key in _DATE_META:
        value = _meta(soup, key)
        if value and re.match(r"^\d{4}-\d{2}-\d{2}", value):
            metadata["published"] = value[:10]
            break
    return metadata


class _TextBuilder:
    """Accumulates lines of visible text and the offsets of heading lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.length = 0
        self.pending: list[str] = []
        self.headings: list[Heading] = []

    def flush(self, level: int | None = None) -> None:
        line = " ".join(" ".join(self.pending).split())
        self.pending = []
        if not line:
            return
        start = self.length + (1 if self.lines else 0)
        if level is not None:
            self.headings.append(Heading(0, start, start + len(line), level, line))
        self.lines.append(line)
        self.length = start + len(line)


def _walk(root: Tag) -> _TextBuilder:
    """Walk the tree in document order without recursion (deep pages must not overflow)."""
    builder = _TextBuilder()
    stack: list[tuple[object, bool]] = [(root, True)]
    while stack:
        node, entering = stack.pop()
        if isinstance(node, (Comment, Doctype, ProcessingInstruction)):
            continue
        if isinstance(node, NavigableString):
            builder.pending.append(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        name = node.name.lower()
        if name in _HEADINGS:
            if entering:
                builder.flush()
                builder.pending.append(node.get_text(" "))
                builder.flush(level=_HEADINGS[name])
            continue
        if name in _BLOCKS:
            builder.flush()
        if entering:
            stack.append((node, False))
            stack.extend((child, True) for child in reversed(node.contents))
    builder.flush()
    return builder


def load_html(path: Path) -> ParsedDocument:
    """Extract the main text of an HTML page, dropping scripts, navigation and page furniture.

    Parameters: ``path`` the .html/.htm file.
    Returns one unpaged page (one line per block element) with h1-h6 as Heading spans, and
    metadata ``title``, ``publisher``, ``description``, ``published`` from the page's tags.
    """
    text = decode_text(path, path.read_bytes())
    try:
        # lxml's HTML parser never loads DTDs or external entities, and parses a string we
        # already read, so nothing is fetched from the network.
        soup = BeautifulSoup(text, "lxml")
        metadata = _metadata(soup)
        for tag in soup.find_all(_DROPPED):
            tag.decompose()
        root = soup.find("main") or soup.find("article") or soup.body or soup
        builder = _walk(root if isinstance(root, Tag) else soup)
    except Exception as exc:  # parser failures must surface as a per-document error
        raise DocumentError(
            str(path), f"cannot parse HTML ({type(exc).__name__}: {exc}): save the page again as HTML"
        ) from exc
    page = "\n".join(builder.lines)
    if not page.strip():
        raise DocumentError(
            str(path),
            "HTML has no main text after removing scripts, styles and navigation: "
            "save the rendered page (or its text) instead",
        )
    return ParsedDocument(source=str(path), pages=[page], paged=False,
                          headings=builder.headings, metadata=metadata)
