"""Infer a document's title, type, publisher and date from its text and file name."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ingest.parsed import ParsedDocument

_MONTHS = {name: n for n, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
     ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
     ("oct", "october"), ("nov", "november"), ("dec", "december")), start=1) for name in names}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY_MONTH_YEAR = rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?P<year>(?:19|20)\d\d)"
_MONTH_DAY_YEAR = rf"{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,\s+(?P<year>(?:19|20)\d\d)"
_MONTH_YEAR = rf"{_MONTH}\s+(?P<year>(?:19|20)\d\d)"
_ISO = r"(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)"
_NUMERIC = r"(?P<day>\d{1,2})[/.](?P<month>\d{1,2})[/.](?P<year>(?:19|20)\d\d)"
_DATE_FORMS = [re.compile(rf"\b{form}\b", re.IGNORECASE)
               for form in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _ISO, _NUMERIC, _MONTH_YEAR)]
# A label at the start of a line marks the document's own date, not one it cites.
_LABEL = re.compile(
    r"(?im)^[ \t]*(?P<label>published(?: on)?|first published|last updated|updated|issued|"
    r"date of (?:publication|issue|meeting|report)|date|publication date|meeting date)"
    r"[ \t]*[:\-–]?[ \t]*(?P<rest>[^\n]{0,40})"
)

_ORG_WORDS = re.compile(
    r"\b(department|council|ofsted|partnership|agency|office|board|trust|nhs|services?|"
    r"authority|government|ministry|committee|commission|police|university|college|"
    r"institute|association|charity|foundation|ltd|limited|plc|gov\.uk|safeguarding)\b",
    re.IGNORECASE,
)
_PUBLISHED_BY = re.compile(r"(?im)^[ \t]*(?:published|produced|issued) by:?[ \t]+(?:the[ \t]+)?([^\n.,;]{3,80})")
# Names stay on one line ([ \t], not \s): a heading above a name must not join it.
_NAME_WORD = r"(?:[A-Z][\w'’&-]*|and|of|&)[ \t]+"
_ORG_PATTERNS: list[tuple[re.Pattern[str], str | None]] = [
    (re.compile(r"\bDepartment for Education\b|gov\.uk/contact-dfe"), "Department for Education"),
    (re.compile(r"\bOfsted\b|\b(?:His|Her) Majesty[’']s Inspectors?\b"), "Ofsted"),
    (re.compile(rf"\b((?:{_NAME_WORD}){{1,5}}Safeguarding Children(?:’s|'s)? Partnership)\b"), None),
    (re.compile(rf"\b((?:{_NAME_WORD}){{0,4}}[A-Z][\w'’&-]*[ \t]+(?:County|Borough|City|District)[ \t]+Council)\b"), None),
    (re.compile(r"\b((?:[A-Z&]{2,}[ \t]+){1,3}(?:COUNTY|BOROUGH|CITY|DISTRICT)[ \t]+COUNCIL)\b"), None),
    (re.compile(rf"\b((?:{_NAME_WORD}){{0,4}}[A-Z][\w'’&-]*[ \t]+Council)\b"), None),
]
_LETTER_SALUTATION = re.compile(r"(?m)^[ \t]*Dear [^\n]+\n")
_NOT_NAME_WORDS = {"the", "to", "of", "and", "a", "for", "full", "report", "cabinet", "county",
                   "borough", "city", "district", "this", "by", "copyright", "meeting", "dear"}
_JUNK_TITLE = re.compile(
    r"^(microsoft (word|powerpoint) - .*|untitled.*|document\d*|slide \d+|title|"
    r"powerpoint presentation|.*\.(docx?|pdf|pptx?|rtf|odt|html?)|[\w-]+_[\w_-]+)$",
    re.IGNORECASE,
)
_DOC_TYPE_RULES: list[tuple[str, tuple[str, ...]]] = [
    ("minutes", ("minutes of the meeting", "minutes of a meeting", "minutes")),
    ("guidance", ("statutory guidance", "inspection framework")),
    ("statement", ("released a statement", "issued a statement", "press release")),
    ("committee_paper", ("report to cabinet", "report to county council", "scrutiny",
                         "committee report", "cabinet member decision", "cabinet")),
    ("review", ("focused visit", "inspection of children", "inspection of local authority",
                "rapid review", "practice review", "serious case review", "inspection", "review",
                "ofsted")),
    ("procedure", ("procedure", "protocol", "policy", "thresholds", "threshold", "flowchart",
                   "factsheet", "information pack", "tool")),
    ("guidance", ("guidance", "framework", "advice")),
    ("statement", ("statement", "press release", "news")),
    ("committee_paper", ("committee",)),
]


def looks_like_organisation(name: str) -> bool:
    """True when a name (e.g. a PDF's Author) reads as an organisation rather than a person."""
    # "Jo Bloggs (Children's Services)" is a person with a team in brackets.
    outside_brackets = re.sub(r"\([^)]*\)", "", name)
    return bool(_ORG_WORDS.search(outside_brackets)) and len(name) <= 120


def _date_from(match: re.Match[str]) -> str | None:
    parts = match.groupdict()
    month_text = parts["month"].lower().rstrip(".")
    month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text)
    day = int(parts["day"]) if parts.get("day") else 1
    try:
        date = dt.date(int(parts["year"]), month or 0, day)
    except ValueError:
        return None
    if date.year < 1990 or date > dt.date.today() + dt.timedelta(days=366):
        return None
    return date.isoformat()


def find_date(text: str) -> str | None:
    """The first date in ``text`` as ISO (a month alone gives the 1st), most precise form first."""
    best: tuple[int, str] | None = None
    for form in _DATE_FORMS:
        for match in form.finditer(text):
            iso = _date_from(match)
            if iso and (best is None or match.start() < best[0]):
                best = (match.start(), iso)
            if iso:
                break
        if best is not None:  # a precise form wins over a month-year found earlier
            return best[1]
    return None


def _published(pages: list[str]) -> str | None:
    """A labelled date ("Published: ...", "Updated ...") wins; else the first plain date."""
    labelled: list[str] = []
    for text in pages:
        for match in _LABEL.finditer(text):
            iso = find_date(match.group("rest"))
            if iso:
                labelled.append(iso)
    if labelled:
        return max(labelled)  # the latest edition is the text we hold
    for text in pages[:2]:
        iso = find_date(text[:3000])
        if iso:
            return iso
    return None


def _substantial_line(text: str) -> str | None:
    for line in text.splitlines()[:40]:
        line = " ".join(line.strip().lstrip("#").split())
        words = line.split()
        letters = sum(ch.isalpha() for ch in line)
        if 2 <= len(words) <= 25 and letters >= 8 and not find_date(line) and "www." not in line \
                and line.upper() not in ("OFFICIAL", "OFFICIAL-SENSITIVE"):
            return line
    return None


def _letter_subject(text: str) -> str | None:
    """The subject line of a letter: the first line after "Dear ..." (Ofsted letters)."""
    salutation = _LETTER_SALUTATION.search(text[:3000])
    if not salutation:
        return None
    line = _substantial_line(text[salutation.end():])
    return line if line and len(line.split()) <= 15 else None


def _title(parsed: ParsedDocument, path: Path) -> str:
    title = parsed.metadata.get("title", "").strip()
    stem = path.stem.lower()
    if title and not _JUNK_TITLE.match(title) and title.lower() not in (stem, path.name.lower()):
        return title
    first_headings = [h.text for h in parsed.headings if h.page_index == 0 and len(h.text.split()) >= 2]
    if first_headings:
        return first_headings[0]
    first_page = next((page for page in parsed.pages if page.strip()), "")
    line = _letter_subject(first_page) or _substantial_line(first_page)
    if line:
        return line
    return re.sub(r"[_\-]+", " ", path.stem).strip().capitalize() or path.name


def _doc_type(title: str, first_page: str) -> str:
    body = " ".join(first_page[:2500].lower().split())
    for haystack in (title.lower(), body):
        for doc_type, words in _DOC_TYPE_RULES:
            # In body text "minutes" is too often a duration ("within 30 minutes").
            if haystack is body and doc_type == "minutes":
                words = words[:2]
            if any(re.search(rf"\b{re.escape(word)}s?\b", haystack) for word in words):
                return doc_type
    return "other"


def _clean_org(name: str) -> str:
    words = name.split()
    while words and words[0].lower().strip("’'") in _NOT_NAME_WORDS:
        words.pop(0)
    cleaned = " ".join(words)
    return cleaned.title() if cleaned.isupper() else cleaned


def _publisher(parsed: ParsedDocument) -> str | None:
    pages = parsed.pages[:2] + parsed.pages[-1:]
    for text in pages:
        match = _PUBLISHED_BY.search(text)
        if match and looks_like_organisation(match.group(1)):
            return _clean_org(match.group(1).strip())
    if parsed.metadata.get("publisher"):
        return parsed.metadata["publisher"]
    for text in pages[:2]:
        text = text[:4000]
        # In a letter, the block just above "Dear ..." is the addressee, not the author.
        salutation = _LETTER_SALUTATION.search(text)
        if salutation:
            text = text[: max(0, salutation.start() - 400)] + text[salutation.end():]
        found: list[tuple[int, str]] = []
        for pattern, fixed_name in _ORG_PATTERNS:
            for match in pattern.finditer(text):
                name = fixed_name or _clean_org(match.group(1))
                if name.lower() not in ("council", "county council"):
                    found.append((match.start(), name))
                    break
        if found:
            return min(found)[1]
    return None


def infer_metadata(parsed: ParsedDocument, path: Path) -> dict[str, str]:
    """Infer document-level metadata from a loaded document and its file name.

    Parameters: ``parsed`` the loader's output; ``path`` the source file.
    Returns ``title`` and ``doc_type`` always, and ``publisher``, ``published`` (ISO date)
    and ``year`` (from the file name, when no date was found) where they can be inferred.
    """
    pages = parsed.pages
    first_page = next((page for page in pages if page.strip()), "")
    title = _title(parsed, path)
    result = {"title": title, "doc_type": _doc_type(title, first_page)}
    publisher = _publisher(parsed)
    if publisher:
        result["publisher"] = publisher
    scan = pages[:2] + pages[2:][-1:]
    published = (_published(scan) or parsed.metadata.get("published")
                 or parsed.metadata.get("pdf_created") or parsed.metadata.get("created"))
    if published:
        result["published"] = published
    else:
        year = re.search(r"(?<!\d)((?:19|20)\d\d)(?!\d)", path.stem)
        if year:
            result["year"] = year.group(1)
    return result
