"""Ask: one question, a short answer whose every sentence is labelled and cited, each citation opening
the page it comes from."""

from __future__ import annotations

import time

import streamlit as st

from search.models import DOC_TYPES, SearchFilters
from ui.app_support import (
    LABEL_COLOURS,
    plain,
    service_or_stop,
    show_source,
    shown_errors,
    type_name,
    where,
)

st.title("Ask")
st.caption(
    "Ask a question about safeguarding practice. Lessons answers only from the indexed documents, "
    "quoting them, with the page each sentence comes from, or says it found no answer."
)

with st.form("ask-form", border=False):
    question = st.text_input(
        "Your question",
        key="ask-question",
        placeholder="e.g. What must the DSL do when a pupil reports a sexual assault by another pupil?",
    )
    asked = st.form_submit_button("Ask", type="primary", icon=":material/send:")

# The question box comes first: it shows while the libraries load on a fresh start.
service = service_or_stop()

with st.sidebar:
    st.subheader("Answer from")
    as_at = st.date_input(
        "As at",
        value=None,
        key="ask-as-at",
        help="Answer from the documents and guidance editions in force on this date (empty: the latest).",
        format="YYYY-MM-DD",
    )
    publishers: list[str] = []
    documents = None
    with shown_errors("listing the documents"):
        documents = service.documents()
        publishers = sorted({d.publisher for d in documents if d.publisher})
    doc_types = st.multiselect(
        "Document types", DOC_TYPES, key="ask-types", format_func=type_name, placeholder="All types"
    )
    chosen_publishers = st.multiselect("Publishers", publishers, key="ask-publishers", placeholder="All publishers")


if documents == []:
    st.info(
        "No documents are indexed yet, so there is nothing to answer from. Add some on the Library page, "
        "or run `lessons ingest FOLDER` where Lessons is installed.",
        icon=":material/info:",
    )


def _open_citation(number: int) -> None:
    st.session_state["ask-open"] = None if st.session_state.get("ask-open") == number else number


if asked:
    st.session_state.pop("ask-answer", None)
    st.session_state["ask-open"] = None
    with shown_errors("answering"), st.spinner("Reading the documents…"):
        filters = SearchFilters(doc_types=tuple(doc_types), publishers=tuple(chosen_publishers))
        started = time.perf_counter()
        answer = service.ask(question, as_at=as_at, filters=filters)
        st.session_state["ask-answer"] = (answer, time.perf_counter() - started)

if "ask-answer" in st.session_state:
    answer, seconds = st.session_state["ask-answer"]
    for notice in answer.notices:
        st.info(plain(notice), icon=":material/info:")
    if answer.abstained:
        st.warning(plain(answer.message), icon=":material/search_off:")
        if answer.nearest:
            st.subheader("Nearest passages")
            for number, hit in enumerate(answer.nearest, start=1):
                with st.container(border=True):
                    st.markdown(f"**{number}. {plain(hit.title)}** · {plain(where(hit.page, hit.paragraph))}")
                    st.markdown(plain(hit.snippet))
                    st.button(
                        f"Show page {hit.page or 1}",
                        key=f"near-{number}",
                        on_click=_open_citation,
                        args=(100 + number,),
                        icon=":material/visibility:",
                    )
                    if st.session_state.get("ask-open") == 100 + number:
                        show_source(
                            service,
                            hit.doc_id,
                            hit.page,
                            quote=hit.text,
                            char_start=hit.char_start,
                            char_end=hit.char_end,
                        )
    else:
        st.subheader("Answer")
        with st.container(border=True):
            for sentence in answer.sentences:
                label = sentence.label
                if not sentence.supported:
                    badge = ":gray-badge[Not supported by its source] "
                elif label:
                    badge = f":{LABEL_COLOURS.get(label, 'gray')}-badge[{label}] "
                else:
                    badge = ""
                refs = " ".join(f"\\[{n}\\]" for n in sentence.citations)
                st.markdown(f"{badge}{plain(sentence.text)} **{refs}**")
        st.caption(
            f"Answered in {seconds:.1f} s from {len(answer.passages)} passages"
            f"{' as at ' + answer.as_at if answer.as_at else ''}. Labels: Required = the source says "
            "*must*; Expected = *should*; Finding and Recommendation come from reviews and committees."
        )
        st.subheader("Sources")
        for citation in answer.citations:
            with st.container(border=True):
                edition = ""
                if citation.edition:
                    edition = f" · {citation.edition}{' (superseded)' if citation.superseded else ''}"
                st.markdown(
                    f"**\\[{citation.n}\\] {plain(citation.title)}** · {plain(where(citation.page, citation.paragraph))}"
                )
                st.caption(
                    plain(
                        f"{type_name(citation.doc_type)} · {citation.publisher or 'publisher unknown'} · "
                        f"{citation.published or 'undated'}{edition}"
                    )
                )
                st.markdown(f"> {plain(citation.quote)}")
                opened = st.session_state.get("ask-open") == citation.n
                st.button(
                    f"Hide page {citation.page or 1}" if opened else f"Show page {citation.page or 1}",
                    key=f"cite-{citation.n}",
                    on_click=_open_citation,
                    args=(citation.n,),
                    icon=":material/visibility:",
                )
                if opened:
                    show_source(
                        service,
                        citation.doc_id,
                        citation.page,
                        quote=citation.quote,
                        char_start=citation.char_start,
                        char_end=citation.char_end,
                    )
