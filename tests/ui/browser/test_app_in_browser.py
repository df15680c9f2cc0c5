"""The app in a real browser: headless Chromium against `streamlit run ui/app.py` on a copy of the sample store.

Covers what a person does: ask a question from the sample evaluation set and open the cited page
with its highlight, narrow a search with a facet and ask for more like a passage, open the register
and export it, add a document and find it, use a narrow screen. Screenshots go to
test-artifacts/screenshots/ and the timings measured in the browser to test-artifacts/browser-timings.json.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest
from PIL import Image

from search.service import SearchService
from tests.conftest import REPO, SAMPLE_CORPUS
from tests.ui.conftest import APP, copy_store

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
if CHROMIUM is None:
    pytest.skip(
        "Debian's chromium is not installed (apt-get install chromium; .ci/run does it as root)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")

ARTIFACTS = REPO / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
QUESTIONS = [
    json.loads(line) for line in (REPO / "corpus" / "evaluation" / "sample-questions.jsonl").read_text().splitlines()
]
QUESTION = QUESTIONS[0]  # s01: the DSL, the police and the MASH after a report of sexual assault
LAPTOP = {"width": 1366, "height": 900}
NARROW = {"width": 390, "height": 844}
WAIT_MS = 180_000
TIMINGS: dict[str, float] = {}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_healthy(url: str, server: subprocess.Popen, log_path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the app stopped (exit {server.returncode}):\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"the app did not answer at {url} within 120 s:\n{log_path.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def served(app_settings, tmp_path_factory) -> Iterator[tuple[str, object]]:
    """`streamlit run ui/app.py` on a free port, on a private copy of the app store (uploads write to it)."""
    settings = copy_store(app_settings, tmp_path_factory.mktemp("browser-store") / "data")
    port = _free_port()
    log_path = tmp_path_factory.mktemp("browser-log") / "streamlit.log"
    environment = {**os.environ, "LESSONS_DATA_DIR": str(settings.data_dir), "LESSONS_UI_UPLOADS": "true"}
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(APP),
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=REPO,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, server, log_path)
        yield url, settings
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "browser-timings.json").write_text(json.dumps(TIMINGS, indent=2) + "\n")
        print("\nbrowser timings (s):", json.dumps(TIMINGS))


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser) -> Iterator[object]:
    context = browser.new_context(viewport=LAPTOP, accept_downloads=True)
    opened = context.new_page()
    opened.set_default_timeout(WAIT_MS)
    yield opened
    context.close()


def _open(page, url: str, path: str = "") -> float:
    """Open a page of the app; returns the seconds until its first widget can be used."""
    started = time.perf_counter()
    page.goto(f"{url}/{path}")
    page.locator('[data-testid="stMain"] h1').first.wait_for()
    page.locator('[data-testid="stMain"] input:visible').first.wait_for()
    seconds = round(time.perf_counter() - started, 2)
    _idle(page)
    return seconds


def _idle(page) -> None:
    """Wait until the app has finished its run (the 'running' indicator is gone)."""
    page.wait_for_timeout(500)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached")


def _press(page, target, key: str = "Enter") -> None:
    """Use the keyboard on a widget once the app is idle (a key pressed mid-run may be lost)."""
    _idle(page)
    target.focus()
    page.keyboard.press(key)


def _snap(page, name: str) -> None:
    """A screenshot of the whole page (the app scrolls inside its main container, so grow the window)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    height = page.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], [data-testid="stAppViewContainer"]\')]'
        ".map(e => e.scrollHeight), window.innerHeight)"
    )
    original = page.viewport_size
    page.set_viewport_size({"width": width, "height": min(int(height) + 40, 6000)})
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
    page.set_viewport_size(original)


def _highlighted_pixels(png: bytes) -> int:
    """Pixels of the translucent yellow highlight over white paper."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return sum(1 for r, g, b in image.getdata() if r > 240 and 220 <= g <= 250 and 110 <= b <= 175)


# -- the tests, in the order a newcomer would go ----------------------------------------------
def test_ask_a_sample_question_and_open_the_cited_page_highlighted(page, served):
    url, _ = served
    TIMINGS["first_page_load_cold_s"] = _open(page, url)
    question = page.get_by_label("Your question")
    question.fill(QUESTION["question"])
    _idle(page)
    started = time.perf_counter()
    question.press("Enter")  # the keyboard is enough to ask
    page.get_by_role("heading", name="Sources").wait_for()
    TIMINGS["first_answer_s"] = round(time.perf_counter() - started, 2)
    _idle(page)
    answer = page.locator('[data-testid="stMain"]').inner_text()
    assert "Required" in answer and "must report it to the police" in answer
    assert "Multi-agency procedure: responding to harmful sexual behaviour" in answer
    _snap(page, "ask-answer.png")

    _press(page, page.get_by_role("button", name="Show page 2").first)  # and to open a citation
    image = page.locator('[data-testid="stImage"] img').first
    image.wait_for()
    _idle(page)
    assert image.evaluate("img => img.complete && img.naturalWidth") > 1000
    caption = page.locator('[data-testid="stImageCaption"]').first.inner_text()
    assert caption.endswith("page 2: the quoted passage is highlighted.")
    # The highlight is visible on the page as the reader sees it.
    assert _highlighted_pixels(image.screenshot()) > 2000
    assert page.get_by_role(
        "button", name="Download the original (mscp-harmful-sexual-behaviour-procedure-2021.pdf)"
    ).is_visible()
    _snap(page, "ask-citation-page.png")

    # A second question in the same process: the model is loaded, the page is warm.
    TIMINGS["page_load_warm_s"] = _open(page, url)
    question = page.get_by_label("Your question")
    question.fill(QUESTIONS[2]["question"])
    _idle(page)
    started = time.perf_counter()
    question.press("Enter")
    page.get_by_role("heading", name="Sources").wait_for()
    TIMINGS["answer_warm_s"] = round(time.perf_counter() - started, 2)


def test_a_question_the_documents_cannot_answer_shows_the_nearest_passages(page, served):
    url, _ = served
    _open(page, url)
    question = page.get_by_label("Your question")
    question.fill(next(q for q in QUESTIONS if q["id"] == "s58")["question"])
    _press(page, question)
    page.get_by_role("heading", name="Nearest passages").wait_for()
    assert "do not clearly answer this question" in page.locator('[data-testid="stMain"]').inner_text()
    _snap(page, "ask-no-answer.png")


def test_search_narrowed_by_a_facet_and_more_like_this(page, served):
    url, _ = served
    TIMINGS["search_page_load_s"] = _open(page, url, "search")
    box = page.get_by_label("Search for")
    box.fill("MASH recording of decisions")
    _idle(page)
    started = time.perf_counter()
    box.press("Enter")
    page.get_by_text("Results 1 to 10, best first.").wait_for()
    TIMINGS["search_s"] = round(time.perf_counter() - started, 2)
    _idle(page)
    _snap(page, "search-results.png")

    minutes = page.locator('[data-testid="stSidebar"]').get_by_role("checkbox", name=re.compile(r"^Minutes \(\d+\)$"))
    _press(page, minutes, "Space")
    # Every result on the page is now from minutes (the results update when the app reruns).
    page.wait_for_function(
        """() => {
            const captions = [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stCaptionContainer"]')]
                .map(e => e.innerText).filter(t => t.includes(' · '));
            return captions.length > 0 && captions.every(t => t.startsWith('Minutes · '));
        }"""
    )
    _idle(page)
    _snap(page, "search-facet-minutes.png")

    _press(page, page.get_by_role("button", name="More like this").first)
    page.get_by_text("Passages like this in other documents").wait_for()
    _idle(page)
    _snap(page, "search-more-like-this.png")


def test_document_markup_is_shown_as_text(page, served):
    url, _ = served
    _open(page, url, "search")
    box = page.get_by_label("Search for")
    box.fill("Lantern respite review plain text")
    _press(page, box)
    page.get_by_text("Results 1 to").wait_for()
    _idle(page)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "<script>window.lessonsHacked = true;</script>" in text
    assert "[not a link](https://example.org/phish)" in text
    assert page.evaluate("() => window.lessonsHacked === undefined")
    # Markdown link syntax stays text: no link wears words other than its address.
    assert page.get_by_role("link", name="not a link").count() == 0
    for link in page.locator('[data-testid="stMain"] a').all():
        assert link.inner_text().strip() in (link.get_attribute("href"), ""), link.inner_text()


def test_the_register_opens_and_exports_csv(page, served):
    url, settings = served
    if not hasattr(SearchService, "recommendations"):
        pytest.skip("register not built yet")
    _open(page, url, "recommendations")
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    _idle(page)
    _snap(page, "recommendations.png")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    saved = ARTIFACTS / "recommendations-export.csv"
    download.value.save_as(saved)
    rows = list(csv.DictReader(saved.open(encoding="utf-8")))
    expected = SearchService(settings).recommendations()
    assert sorted(row["id"] for row in rows) == sorted(record.id for record in expected)
    page.get_by_role("tab", name="Recurring lessons").click()
    page.get_by_text("Made 2016").first.wait_for()
    _snap(page, "recommendations-recurring.png")


def test_add_a_document_and_find_it(page, served, tmp_path):
    url, _ = served
    TIMINGS["library_page_load_s"] = _open(page, url, "library")
    note = tmp_path / "Lantern Court night staffing.md"
    note.write_text(
        "# Lantern Court respite unit: night staffing review\n\nThe review found a single waking night worker on "
        "14 of the 30 nights audited. The unit must roster two waking night staff whenever a child with complex "
        "health needs is staying.\n",
        encoding="utf-8",
    )
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        [str(note), str(SAMPLE_CORPUS / "mscp-mash-reaudit-2022.pdf")]
    )
    page.locator('[data-testid="stFileChip"]').nth(1).wait_for()
    page.locator('[data-testid="stFileChipIconSpinner"]').first.wait_for(state="detached")
    _idle(page)
    started = time.perf_counter()
    page.get_by_role("button", name="Add to the library").press("Enter")
    page.get_by_text("Ingestion report:").wait_for()
    TIMINGS["upload_and_index_s"] = round(time.perf_counter() - started, 2)
    _idle(page)
    report = page.locator('[data-testid="stMain"]').inner_text()
    assert "Added: Lantern Court night staffing.md" in report
    _snap(page, "library-after-upload.png")

    _open(page, url, "search")
    box = page.get_by_label("Search for")
    box.fill("waking night staff respite unit")
    _press(page, box)
    page.get_by_text("Results 1 to").wait_for()
    first = page.locator('[data-testid="stMain"] [data-testid="stMarkdownContainer"] strong').first.inner_text()
    assert first == "1. Lantern Court respite unit: night staffing review"
    _snap(page, "search-uploaded-document.png")


def test_about_page(page, served):
    url, _ = served
    page.goto(f"{url}/about")
    page.get_by_role("heading", name="What the labels mean").wait_for()
    _idle(page)
    assert "documents (" in page.locator('[data-testid="stMain"]').inner_text()
    _snap(page, "about.png")


def test_a_narrow_screen_needs_no_sideways_scrolling(browser, served):
    url, _ = served
    context = browser.new_context(viewport=NARROW, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        _open(page, url)
        question = page.get_by_label("Your question")
        question.fill(QUESTION["question"])
        _press(page, question)
        page.get_by_role("heading", name="Sources").wait_for()
        _idle(page)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1
        assert page.get_by_role("button", name="Show page 2").first.is_visible()
        _snap(page, "ask-narrow.png")
    finally:
        context.close()
