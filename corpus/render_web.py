"""Render a source document as a council web page (HTML) or as plain Markdown."""

from __future__ import annotations

from html import escape

from corpus.source_document import (
    FICTIONAL_FOOTER,
    FICTIONAL_MARKER,
    Bullet,
    Heading,
    PageBreak,
    Paragraph,
    SourceDocument,
    Table,
)

# The <style> and <script> blocks are deliberately present: a loader must drop them.
_PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{title} | {publisher}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="author" content="{author}">
<meta name="description" content="{description}">
<meta name="dcterms.date" content="{published}">
<meta name="dcterms.type" content="{doc_type}">
<style>
  body {{ font-family: Arial, sans-serif; margin: 0; color: #1b1b1b; }}
  .fictional {{ background: #ffecb3; padding: 0.5em 1em; font-weight: bold; }}
  nav ul {{ list-style: none; display: flex; gap: 1.5em; padding: 0.5em 1em; background: #0b3d5c; }}
  nav a {{ color: #fff; }}
  main {{ max-width: 46em; margin: 1em auto; line-height: 1.5; }}
</style>
<script>
  // Cookie banner stub. Loaders must ignore this text: var cookieBannerText = "Accept all cookies";
  window.dataLayer = window.dataLayer || [];
  function trackPage() {{ window.dataLayer.push({{ event: "page_view" }}); }}
</script>
</head>
<body onload="trackPage()">
<p class="fictional">{marker}</p>
<header><p>{publisher} - Newsroom</p></header>
<nav aria-label="Main navigation">
<ul>
<li><a href="#">Home</a></li>
<li><a href="#">Children and families</a></li>
<li><a href="#">Council and democracy</a></li>
<li><a href="#">News</a></li>
<li><a href="#">Contact us</a></li>
</ul>
</nav>
<main id="content">
<article>
{body}
</article>
</main>
<footer><p>{footer}. Published {published}.</p></footer>
<script>
  document.querySelectorAll("nav a").forEach(function (a) {{ a.setAttribute("data-tracked", "yes"); }});
</script>
</body>
</html>
"""


def render_html(document: SourceDocument) -> bytes:
    """Return a complete HTML page with title, author/description/date meta tags, nav and main."""
    meta = document.meta
    parts: list[str] = []
    bullets: list[str] = []

    def flush_bullets() -> None:
        if bullets:
            parts.append("<ul>\n" + "\n".join(bullets) + "\n</ul>")
            bullets.clear()

    for block in document.blocks:
        if not isinstance(block, Bullet):
            flush_bullets()
        if isinstance(block, Heading):
            parts.append(f"<h{block.level}>{escape(block.text)}</h{block.level}>")
        elif isinstance(block, Paragraph):
            parts.append(f"<p>{escape(block.text)}</p>")
        elif isinstance(block, Bullet):
            bullets.append(f"<li>{escape(block.text)}</li>")
        elif isinstance(block, Table):
            rows = [
                "<tr>" + "".join(f"<{tag}>{escape(c)}</{tag}>" for c in cells) + "</tr>"
                for tag, cells in (("th" if i == 0 else "td", r) for i, r in enumerate(block.rows))
            ]
            parts.append("<table>\n" + "\n".join(rows) + "\n</table>")
        elif isinstance(block, PageBreak):
            continue
    flush_bullets()
    page = _PAGE.format(
        title=escape(meta.title),
        publisher=escape(meta.publisher),
        author=escape(meta.author),
        description=escape(meta.subject or meta.title),
        published=meta.published.isoformat(),
        doc_type=meta.doc_type,
        marker=FICTIONAL_MARKER,
        footer=FICTIONAL_FOOTER,
        body="\n".join(parts),
    )
    return page.encode("utf-8")


def render_markdown(document: SourceDocument) -> bytes:
    """Return Markdown with the fictional marker under the first heading."""
    lines: list[str] = []
    marker_written = False
    previous_bullet = False
    for block in document.blocks:
        if isinstance(block, Heading):
            lines += ["#" * block.level + " " + block.text, ""]
            if not marker_written:
                lines += [f"*{FICTIONAL_MARKER}.*", ""]
                marker_written = True
        elif isinstance(block, Paragraph):
            lines += [block.text, ""]
        elif isinstance(block, Bullet):
            if lines and lines[-1] == "" and previous_bullet:
                lines.pop()
            lines += ["- " + block.text, ""]
        elif isinstance(block, Table):
            header, *rows = block.rows
            lines.append("| " + " | ".join(header) + " |")
            lines.append("|" + "---|" * len(header))
            lines += ["| " + " | ".join(row) + " |" for row in rows]
            lines.append("")
        previous_bullet = isinstance(block, Bullet)
    if not marker_written:
        lines = [f"*{FICTIONAL_MARKER}.*", ""] + lines
    lines.append(f"*{FICTIONAL_FOOTER}.*")
    return ("\n".join(lines) + "\n").encode("utf-8")
