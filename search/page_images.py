"""Showing a cited page: the PDF page as an image with the quoted passage highlighted, the passage in
the context of its page text when there is no PDF to draw, and where the original file is.

The quote comes from the text Lessons extracted at ingest; the page image's text comes from PDFium.
The two can differ in line breaks, hyphenation and ligatures, so the quote is matched on letters and
digits only, whole first and then in runs of words, and whatever is found is highlighted.
"""

from __future__ import annotations

import ctypes
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from search.errors import LessonsError
from search.models import DocumentRecord

RENDER_SCALE = 2.0
"""Pixels per PDF point: 144 dpi, sharp on a laptop screen, about 1,200 pixels wide for A4."""
FOUND_COVERAGE = 0.6
"""Share of the quote's letters and digits that must be found on the page to call it found."""
_RUN_WORDS = 6
_HIGHLIGHT_FILL = (255, 214, 0, 110)
_HIGHLIGHT_EDGE = (214, 90, 0, 255)
_WORD = re.compile(r"\w+", re.UNICODE)
_MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".html": "text/html",
    ".htm": "text/html",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".txt": "text/plain",
}


class PageImageUnavailable(LessonsError):
    """No image of the page can be drawn (the original is gone, is not a PDF, or cannot be read).

    The message says why; a front end shows the page's indexed text instead.
    """


@dataclass(frozen=True)
class HighlightBox:
    """A highlighted rectangle on a page image, in pixels from the top left corner."""

    left: int
    top: int
    right: int
    bottom: int


@dataclass(frozen=True)
class PageImage:
    """One PDF page drawn as a PNG, with the cited passage highlighted on it.

    ``boxes`` are the highlighted rectangles (pixels); ``coverage`` is the share of the quote's
    letters and digits found on the page; ``quote_found`` is True when enough of it was found
    (always False without a quote).
    """

    doc_id: str
    page: int
    png: bytes
    width: int
    height: int
    boxes: tuple[HighlightBox, ...] = ()
    quote_found: bool = False
    coverage: float = 0.0


@dataclass(frozen=True)
class PassageInContext:
    """A passage with the page text around it: ``before`` + ``passage`` + ``after``, trimmed to a window.

    ``found`` is False when the passage could not be located on the page; then ``before`` holds
    the start of the page text and ``passage`` is empty.
    """

    doc_id: str
    page: int
    before: str
    passage: str
    after: str
    found: bool


@dataclass(frozen=True)
class OriginalSource:
    """Where the original of a document is and how to open it at a page.

    ``url`` is a web address (with ``#page=N`` for a PDF page); ``path`` the local file when it is
    still there (None otherwise); ``file_uri`` a ``file://`` link to it at the page.
    """

    doc_id: str
    file_name: str
    media_type: str
    url: str | None = None
    path: Path | None = None
    file_uri: str | None = None

    @property
    def available(self) -> bool:
        """True when the original can be opened (a web address, or a file that exists)."""
        return self.url is not None or self.path is not None


def _is_web_address(source: str) -> bool:
    return urlparse(source).scheme in ("http", "https")


def original_source(document: DocumentRecord, page: int | None = None) -> OriginalSource:
    """Where ``document``'s original is, with links that open it at ``page`` (PDFs only)."""
    source = document.source
    anchor = f"#page={page}" if page and document.pages else ""
    if _is_web_address(source):
        name = Path(urlparse(source).path).name or document.doc_id
        return OriginalSource(
            doc_id=document.doc_id,
            file_name=name,
            media_type=_MEDIA_TYPES.get(Path(name).suffix.lower(), "application/octet-stream"),
            url=source.split("#", 1)[0] + anchor,
        )
    path = Path(source)
    exists = path.is_file()
    return OriginalSource(
        doc_id=document.doc_id,
        file_name=path.name,
        media_type=_MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream"),
        path=path if exists else None,
        file_uri=path.resolve().as_uri() + anchor if exists and path.is_absolute() else None,
    )


def pdf_path_for(document: DocumentRecord) -> Path:
    """The local PDF file of ``document``; PageImageUnavailable saying why when there is none."""
    if _is_web_address(document.source):
        raise PageImageUnavailable(
            f"{document.title} was indexed from {document.source}, not from a file on this computer, "
            "so its page cannot be drawn here: the indexed text of the page is shown instead"
        )
    path = Path(document.source)
    if path.suffix.lower() != ".pdf" or not document.pages:
        raise PageImageUnavailable(
            f"{document.title} is not a PDF ({path.name}), so it has no page images: "
            "the passage is shown in the text of the document instead"
        )
    if not path.is_file():
        raise PageImageUnavailable(
            f"the original file of {document.title} is no longer at {path}: the indexed text of the "
            "page is shown instead (put the file back, or ingest it again from where it is now)"
        )
    return path


# -- matching the quote on the page ------------------------------------------------------
def _letters(text: str, offset: int = 0) -> tuple[str, list[int]]:
    """``text`` lower-cased with only letters and digits kept, and each kept character's index in ``text``."""
    kept: list[str] = []
    where: list[int] = []
    for index, char in enumerate(text):
        for part in unicodedata.normalize("NFKC", char).lower():
            if part.isalnum():
                kept.append(part)
                where.append(offset + index)
    return "".join(kept), where


def match_quote(page_text: str, quote: str) -> tuple[list[tuple[int, int]], float]:
    """Character ranges of ``page_text`` that hold ``quote`` (or runs of its words), and the share found.

    The whole quote is tried first; failing that, runs of a few words are found one after another,
    so a quote whose end runs onto the next page, or whose text was extracted slightly differently,
    is still highlighted where it is. Returns ([(start, end), ...], coverage between 0 and 1).
    """
    page_letters, where = _letters(page_text)
    words = [_letters(word)[0] for word in _WORD.findall(quote)]
    words = [word for word in words if word]
    total = sum(len(word) for word in words)
    if not total or not page_letters:
        return [], 0.0
    whole = "".join(words)
    at = page_letters.find(whole)
    if at >= 0:
        return [(where[at], where[at + len(whole) - 1] + 1)], 1.0
    ranges: list[tuple[int, int]] = []
    found = 0
    cursor = 0
    for start in range(0, len(words), _RUN_WORDS):
        run = "".join(words[start : start + _RUN_WORDS])
        if len(run) < 8 and start > 0:
            run = "".join(words[max(0, start - 2) : start + _RUN_WORDS])  # too short to place alone
        at = page_letters.find(run, cursor)
        if at < 0:
            continue
        cursor = at + len(run)
        found += len("".join(words[start : start + _RUN_WORDS]))
        begin, end = where[at], where[at + len(run) - 1] + 1
        if ranges and begin <= ranges[-1][1] + 2:
            ranges[-1] = (ranges[-1][0], max(end, ranges[-1][1]))
        else:
            ranges.append((begin, end))
    return ranges, min(1.0, found / total)


# -- drawing -----------------------------------------------------------------------------
def render_pdf_page(
    path: Path, page: int, *, quote: str | None = None, doc_id: str = "", scale: float = RENDER_SCALE
) -> PageImage:
    """Draw page ``page`` (1-based) of the PDF at ``path`` as a PNG, highlighting ``quote`` on it.

    Raises PageImageUnavailable when the file cannot be opened as a PDF or has no such page.
    """
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError) as exc:
        raise PageImageUnavailable(
            f"{path.name} cannot be opened as a PDF ({exc}): the indexed text of the page is shown instead"
        ) from None
    try:
        if not 1 <= page <= len(pdf):
            raise PageImageUnavailable(
                f"{path.name} has no page {page} (it has {len(pdf)}): the file may have changed since it "
                "was indexed; ingest it again"
            )
        pdf_page = pdf[page - 1]
        bitmap = pdf_page.render(scale=scale)
        image = bitmap.to_pil().convert("RGBA")
        boxes: list[HighlightBox] = []
        coverage = 0.0
        if quote:
            boxes, coverage = _highlight_boxes(pdf_page, quote, image.width, image.height)
            if boxes:
                image = _draw(image, boxes)
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="PNG", optimize=True)
        return PageImage(
            doc_id=doc_id,
            page=page,
            png=buffer.getvalue(),
            width=image.width,
            height=image.height,
            boxes=tuple(boxes),
            quote_found=coverage >= FOUND_COVERAGE,
            coverage=round(coverage, 3),
        )
    finally:
        pdf.close()


def _highlight_boxes(pdf_page, quote: str, width: int, height: int) -> tuple[list[HighlightBox], float]:
    """Rectangles (pixels) over the quote's characters on the page, and the share of the quote found."""
    textpage = pdf_page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range(0, count)
        if len(text) != count:
            # PDFium's text and its character list disagree (rare: characters outside UCS-2);
            # matching on the text would place boxes on the wrong characters.
            return [], 0.0
        ranges, coverage = match_quote(text, quote)
        boxes = []
        for start, end in ranges:
            for index in range(textpage.count_rects(start, end - start)):
                left, bottom, right, top = textpage.get_rect(index)
                boxes.append(_to_pixels(pdf_page, (left, bottom, right, top), width, height))
        return boxes, coverage
    finally:
        textpage.close()


def _to_pixels(pdf_page, rect: tuple[float, float, float, float], width: int, height: int) -> HighlightBox:
    """A rectangle in PDF points as pixels on the rendered image (PDFium applies crop box and rotation)."""
    import pypdfium2.raw as raw

    left, bottom, right, top = rect
    corners = []
    for x, y in ((left, top), (right, bottom)):
        device_x, device_y = ctypes.c_int(), ctypes.c_int()
        raw.FPDF_PageToDevice(pdf_page.raw, 0, 0, width, height, 0, x, y, device_x, device_y)
        corners.append((device_x.value, device_y.value))
    (x1, y1), (x2, y2) = corners
    pad = 2
    return HighlightBox(
        left=max(0, min(x1, x2) - pad),
        top=max(0, min(y1, y2) - pad),
        right=min(width, max(x1, x2) + pad),
        bottom=min(height, max(y1, y2) + pad),
    )


def _draw(image, boxes: list[HighlightBox]):
    from PIL import Image, ImageDraw

    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    pen = ImageDraw.Draw(overlay)
    for box in boxes:
        pen.rectangle((box.left, box.top, box.right, box.bottom), fill=_HIGHLIGHT_FILL)
    # An edge in the margin beside the passage, so that it is seen at a glance on a small screen.
    top = min(box.top for box in boxes)
    bottom = max(box.bottom for box in boxes)
    margin = max(4, min(box.left for box in boxes) - 14)
    pen.rectangle((margin, top, margin + 5, bottom), fill=_HIGHLIGHT_EDGE)
    return Image.alpha_composite(image, overlay)


# -- text in context ---------------------------------------------------------------------
def passage_in_context(
    page_text: str,
    *,
    doc_id: str,
    page: int,
    quote: str | None = None,
    char_start: int = 0,
    char_end: int = 0,
    context_chars: int = 700,
) -> PassageInContext:
    """The passage at ``char_start:char_end`` of the page (or ``quote``, found on it) with text around it.

    Offsets are used when they are on the page and agree with the quote; otherwise the quote is
    looked for. ``context_chars`` of text are kept on each side, cut at a space.
    """
    span: tuple[int, int] | None = None
    if 0 <= char_start < char_end <= len(page_text):
        span = (char_start, char_end)
        if quote and match_quote(page_text[char_start:char_end], quote)[1] < FOUND_COVERAGE:
            span = None
    if span is None and quote:
        ranges, coverage = match_quote(page_text, quote)
        if ranges and coverage >= FOUND_COVERAGE:
            span = (ranges[0][0], ranges[-1][1])
    if span is None:
        return PassageInContext(
            doc_id=doc_id, page=page, before=_head(page_text, 2 * context_chars), passage="", after="", found=False
        )
    start, end = span
    return PassageInContext(
        doc_id=doc_id,
        page=page,
        before=_tail(page_text[:start], context_chars),
        passage=page_text[start:end],
        after=_head(page_text[end:], context_chars),
        found=True,
    )


def _head(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit] + " …"


def _tail(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    start = len(text) - limit
    space = text.find(" ", start)
    return "… " + text[space + 1 if 0 <= space < start + limit // 2 else start :]
