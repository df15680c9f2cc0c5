"""What the Streamlit pages share: the one service per process, the one error helper, safe text.

No logic lives here either: loading, rendering and the turning of errors into words.
Document text is never rendered as HTML: every piece of it goes through ``plain`` or ``marked``,
which escape Markdown, so a document holding ``<script>`` or ``[a link](...)`` shows as text.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

import streamlit as st

from search.access import LOCAL_USER, User, user_directory, users_configured
from search.errors import AuthenticationError, LessonsError
from search.page_images import PageImage, PageImageUnavailable
from search.settings import Settings, load_settings

if TYPE_CHECKING:  # imported when first needed: loading the model libraries takes seconds
    from search.embedding import Embedder
    from search.service import SearchService

log = logging.getLogger("lessons.app")

GENERIC_FAILURE = (
    "Something went wrong on our side while doing that. Try again; if it keeps happening, tell whoever "
    "runs Lessons for you (the details are in the app's log)."
)
LABEL_COLOURS = {"Required": "red", "Expected": "orange", "Finding": "blue", "Recommendation": "violet"}
"""Badge colour of each answer-sentence label."""
TYPE_NAMES = {
    "guidance": "Guidance",
    "review": "Review",
    "committee_paper": "Committee paper",
    "minutes": "Minutes",
    "statement": "Statement",
    "procedure": "Procedure",
    "other": "Other",
}
# Every ASCII punctuation character may be backslash-escaped in Markdown; Streamlit's extras
# (:colour[...] directives, :emoji: codes, $maths$) are built from these characters too.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&\"'=^%@/;,?])")


# -- errors --------------------------------------------------------------------------------
@contextlib.contextmanager
def shown_errors(what: str = "") -> Iterator[None]:
    """Run a block; turn a Lessons error into its plain message, anything else into a generic one.

    No traceback ever reaches the page: unexpected errors are logged with their traceback and the
    reader is told what to do. ``what`` names the action for the generic message ("searching").
    """
    try:
        yield
    except LessonsError as exc:
        st.error(_sentence(str(exc)), icon=":material/error:")
    except Exception:  # the last line of defence: the reader gets words, the log gets the traceback
        log.exception("unexpected error%s", f" while {what}" if what else "")
        st.error(GENERIC_FAILURE, icon=":material/error:")


def _sentence(message: str) -> str:
    text = message.strip()
    return plain(text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else "."))


# -- the shared service --------------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def _embedder(model: str, device: str, batch_size: int, _settings: Settings) -> Embedder:
    # One model per process, whatever the data folder: loading it is the slow part.
    from search.embedding import Embedder

    return Embedder(_settings)


@st.cache_resource(show_spinner=False)
def _service(fingerprint: tuple[tuple[str, str], ...], _settings: Settings) -> SearchService:
    from search.service import SearchService

    embedder = _embedder(_settings.model, _settings.device, _settings.embed_batch_size, _settings)
    return SearchService(_settings, embedder=embedder)


@st.cache_resource(show_spinner=False)
def _warm_up(fingerprint: tuple[tuple[str, str], ...], _settings: Settings) -> threading.Thread:
    def load() -> None:
        try:
            _service(fingerprint, _settings).embedder.warm_up()
        except Exception:  # the page that needs the model reports the error in words
            log.warning("could not load the model in the background", exc_info=True)

    thread = threading.Thread(target=load, name="lessons-warm-up", daemon=True)
    thread.start()
    return thread


def app_settings() -> Settings:
    """The Settings in force (defaults < lessons.toml < LESSONS_* environment); SettingsError if invalid."""
    return load_settings()


def _fingerprint(settings: Settings) -> tuple[tuple[str, str], ...]:
    return tuple((name, value) for name, value, _, _ in settings.describe())


def search_service() -> SearchService:
    """The process's SearchService for the settings in force, as the signed-in user sees it.

    The service (store, model) is made once per process and shared by every session; each session
    gets a view of it for its own user, so every read is filtered by that user's clearance.
    """
    settings = app_settings()
    user = current_user(settings)
    if user is None:
        raise AuthenticationError("nobody is signed in: sign in on the first page")
    return _service(_fingerprint(settings), settings).for_user(user)


# -- who is signed in ----------------------------------------------------------------------
_SESSION_USER = "lessons_user"


def current_user(settings: Settings) -> User | None:
    """The user of this browser session: the local user when no users are configured, the one a
    trusted sign-on proxy names, or the one who signed in here (None before they do)."""
    if not users_configured(settings):
        return LOCAL_USER
    if settings.trusted_user_header:
        header = settings.trusted_user_header
        return user_directory(settings).from_proxy(st.context.headers.get(header), header)
    user = st.session_state.get(_SESSION_USER)
    return user if isinstance(user, User) else None


def signed_in_user_or_stop() -> User | None:
    """The signed-in user; without one, draw the sign-in form and end this run.

    None when the settings themselves are unusable: the page then explains that in words.
    """
    try:
        settings = app_settings()
    except LessonsError:
        return None
    with shown_errors("signing in"):
        user = current_user(settings)
        if user is not None:
            _identity(user, settings)
            return user
        st.title("Lessons")
        with st.form("sign-in"):
            st.subheader("Sign in")
            name = st.text_input("User name", autocomplete="username")
            password = st.text_input("Password", type="password", autocomplete="current-password")
            submitted = st.form_submit_button("Sign in", type="primary")
        if submitted:
            st.session_state[_SESSION_USER] = user_directory(settings).authenticate(name, password)
            st.rerun()
    st.stop()
    raise AssertionError("unreachable")  # st.stop() ends the run


def _identity(user: User, settings: Settings) -> None:
    with st.sidebar:
        if not users_configured(settings):
            st.caption(
                "Open mode: no users are configured, so this app shows every document to whoever can open it. "
                "It serves this computer only (localhost). To share it, set up users (README: Access control)."
            )
            return
        st.caption(f"Signed in as **{plain(user.name)}** ({user.role}, reads up to {user.clearance} documents)")
        if not settings.trusted_user_header and st.button("Sign out", key="sign-out"):
            st.session_state.pop(_SESSION_USER, None)
            st.rerun()


def warm_up_in_background() -> None:
    """Start loading the libraries and the model in a background thread, once per process.

    The first page draws its question box while this runs, and a question typed meanwhile finds
    the model ready. Errors are left for the page that needs the service to report.
    """
    try:
        settings = app_settings()
    except LessonsError:
        return
    _warm_up(_fingerprint(settings), settings)


def service_or_stop() -> SearchService:
    """The service, or a plain error on the page and the end of this run when it cannot be made."""
    with shown_errors("opening the library"):
        return search_service()
    st.stop()
    raise AssertionError("unreachable")  # st.stop() ends the run


# -- safe text -----------------------------------------------------------------------------
def plain(text: str | None) -> str:
    """``text`` as Markdown that shows exactly these characters (no links, HTML, emphasis or maths)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join((text or "").split()))


def marked(text: str, spans: tuple[tuple[int, int], ...] | list[tuple[int, int]]) -> str:
    """``text`` as safe Markdown with each span (character offsets) in bold on a yellow background."""
    out, last = [], 0
    for start, end in sorted(spans):
        end = min(end, len(text))
        if start < last or end <= start or not text[start:end].strip():
            continue
        out += [plain_keep_space(text[last:start]), ":orange-background[**", plain(text[start:end]), "**]"]
        last = end
    out.append(plain_keep_space(text[last:]))
    return "".join(out).strip()


def plain_keep_space(text: str) -> str:
    """Like ``plain`` but keeps a leading and trailing space (for pieces joined into one line)."""
    inner = plain(text)
    if not inner:
        return " " if text and text[0].isspace() else ""
    lead = " " if text[:1].isspace() else ""
    trail = " " if text[-1:].isspace() else ""
    return lead + inner + trail


def paragraphs(text: str) -> str:
    """Safe Markdown of a longer text, keeping its paragraph breaks (blank lines)."""
    blocks = [plain(block) for block in re.split(r"\n\s*\n", text or "")]
    return "\n\n".join(block for block in blocks if block)


def type_name(doc_type: str) -> str:
    """A document type as a reader would say it ('committee_paper' -> 'Committee paper')."""
    return TYPE_NAMES.get(doc_type, doc_type.replace("_", " ").capitalize())


def where(page: int | None, paragraph: str | None = None, section: str | None = None) -> str:
    """'p. 7 · para 3.5 · Section' from the parts that are known."""
    parts = [f"p. {page}" if page else None, f"para {paragraph}" if paragraph else None, section]
    return " · ".join(part for part in parts if part)


# -- a cited page ---------------------------------------------------------------------------
@st.cache_data(max_entries=48, show_spinner=False)
def _page_image(
    _service: SearchService, data_dir: str, clearance: str, content_hash: str, doc_id: str, page: int, quote: str | None
) -> PageImage:
    # Drawing a page takes a few tenths of a second: keep recent ones across reruns.
    return _service.page_image(doc_id, page, quote)


def show_source(
    service: SearchService,
    doc_id: str,
    page: int | None,
    *,
    quote: str | None = None,
    char_start: int = 0,
    char_end: int = 0,
) -> None:
    """Show where a passage comes from: the PDF page with the passage highlighted, or the passage in
    the text of its page (HTML, DOCX, text, or a PDF whose file is gone), and a link to the original."""
    with shown_errors("opening the page"):
        record = service.document(doc_id)
        shown_page = page or 1
        try:
            image = _page_image(
                service,
                str(service.settings.data_dir),
                service.user.clearance,
                record.content_hash,
                doc_id,
                shown_page,
                quote,
            )
        except PageImageUnavailable as exc:
            st.info(_sentence(str(exc)), icon=":material/description:")
            _show_context(service, doc_id, shown_page, quote, char_start, char_end)
        else:
            if quote and image.quote_found:
                caption = f"{record.title}, page {shown_page}: the quoted passage is highlighted."
            elif quote:
                caption = (
                    f"{record.title}, page {shown_page}: the quoted words could not all be placed on the "
                    "page image, so the passage is also shown below as text."
                )
            else:
                caption = f"{record.title}, page {shown_page}."
            st.image(image.png, caption=plain(caption), width="stretch")
            if quote and not image.quote_found:
                _show_context(service, doc_id, shown_page, quote, char_start, char_end)
        _show_original(service, doc_id, page)


def _show_context(
    service: SearchService, doc_id: str, page: int, quote: str | None, char_start: int, char_end: int
) -> None:
    context = service.page_context(doc_id, page, quote=quote, char_start=char_start, char_end=char_end)
    with st.container(border=True):
        if not context.found:
            st.caption("The passage could not be found in the indexed text of this page; the page begins:")
            st.markdown(paragraphs(context.before))
            return
        st.markdown(
            plain_keep_space(context.before)
            + ":orange-background[**"
            + plain(context.passage)
            + "**]"
            + plain_keep_space(context.after)
        )


def _show_original(service: SearchService, doc_id: str, page: int | None) -> None:
    original = service.original_source(doc_id, page)
    at_page = f" at page {page}" if page else ""
    if original.url:
        st.link_button(f"Open the original{at_page}", original.url, icon=":material/open_in_new:")
    elif original.path is not None:
        st.download_button(
            f"Download the original ({original.file_name})",
            data=original.path.read_bytes(),
            file_name=original.file_name,
            mime=original.media_type,
            key=f"original-{doc_id}-{page}",
            icon=":material/download:",
            on_click="ignore",
        )
        if original.file_uri:
            st.caption(f"On this computer: `{original.file_uri}`")
    else:
        st.caption("The original file is no longer where it was indexed from.")
