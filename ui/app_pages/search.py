"""Search: passages with their document, page and section, query words marked; facets that narrow the
results; pages of results; "more like this" to find precedents in other documents."""

from __future__ import annotations

import streamlit as st

from search.models import SearchHit
from ui.app_support import (
    marked,
    plain,
    service_or_stop,
    show_source,
    shown_errors,
    type_name,
    where,
)

PAGE_SIZE = 10
FACETS = {"doc_type": "Document type", "theme": "Theme", "publisher": "Publisher", "area": "Area", "year": "Year"}
FACET_VALUES = 8
"""Values shown per facet (the commonest among the matches, and any already chosen)."""
MODES = {"hybrid": "Words and meaning", "keyword": "Exact words", "semantic": "Meaning only"}


def _reset_paging() -> None:
    st.session_state["search-page"] = 0
    st.session_state["search-open"] = None
    st.session_state["search-similar"] = None


def _facet_toggled(facet: str, value: str) -> None:
    # The choices are kept under a key of their own: a widget's value cannot be read before the
    # widget is drawn, and the facet checkboxes are drawn after the search that uses them.
    chosen = {name: list(values) for name, values in st.session_state.get("search-facets", {}).items()}
    values = chosen.setdefault(facet, [])
    if st.session_state.get(f"facet-{facet}-{value}"):
        values.append(value)
    elif value in values:
        values.remove(value)
    st.session_state["search-facets"] = chosen
    _reset_paging()


def _clear_facets() -> None:
    st.session_state["search-facets"] = {}
    for key in [key for key in st.session_state if str(key).startswith("facet-")]:
        del st.session_state[key]
    _reset_paging()


def _toggle(key: str, value: str) -> None:
    st.session_state[key] = None if st.session_state.get(key) == value else value


def _turn_page(step: int) -> None:
    st.session_state["search-page"] = max(0, st.session_state.get("search-page", 0) + step)
    st.session_state["search-open"] = None
    st.session_state["search-similar"] = None


st.title("Search")
st.caption("Find passages in reviews, guidance, procedures and committee papers, with the page they are on.")

with st.form("search-form", border=False):
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    query = left.text_input("Search for", key="search-query", placeholder="e.g. MASH recording of decisions")
    right.selectbox(
        "Match",
        list(MODES),
        key="search-mode",
        format_func=MODES.get,
        help="Words and meaning (best for most searches), exact words only, or meaning only.",
    )
    st.form_submit_button("Search", type="primary", icon=":material/search:", on_click=_reset_paging)

service = service_or_stop()
selected = {facet: list(st.session_state.get("search-facets", {}).get(facet, [])) for facet in FACETS}
page_number = st.session_state.get("search-page", 0)


def _show_hit(number: int, hit: SearchHit, *, key: str, similar: bool = True) -> None:
    with st.container(border=True):
        st.markdown(f"**{number}. {plain(hit.title)}**")
        st.caption(
            plain(
                " · ".join(
                    part
                    for part in (
                        type_name(hit.doc_type),
                        hit.publisher or "publisher unknown",
                        hit.published or "undated",
                        where(hit.page, hit.paragraph, hit.section),
                    )
                    if part
                )
            )
        )
        st.markdown(marked(hit.snippet, hit.highlights))
        buttons = st.columns([1, 1, 3]) if similar else st.columns([1, 4])
        opened = st.session_state.get("search-open") == f"{key}:{hit.chunk_id}"
        buttons[0].button(
            f"Hide page {hit.page or 1}" if opened else f"Show page {hit.page or 1}",
            key=f"open-{key}-{hit.chunk_id}",
            on_click=_toggle,
            args=("search-open", f"{key}:{hit.chunk_id}"),
            icon=":material/visibility:",
        )
        if similar:
            buttons[1].button(
                "More like this",
                key=f"similar-{hit.chunk_id}",
                on_click=_toggle,
                args=("search-similar", hit.chunk_id),
                icon=":material/join_inner:",
                help="Passages that say something similar in other documents: precedents across reviews.",
            )
        if opened:
            show_source(
                service,
                hit.doc_id,
                hit.page,
                quote=hit.text,
                char_start=hit.char_start,
                char_end=hit.char_end if hit.page_end in (None, hit.page) else 0,
            )
        if similar and st.session_state.get("search-similar") == hit.chunk_id:
            _show_similar(hit)


def _show_similar(hit: SearchHit) -> None:
    with st.container(border=True):
        st.markdown(f"**Passages like this in other documents** (from {plain(hit.title)})")
        with shown_errors("finding similar passages"), st.spinner("Looking for similar passages…"):
            similar = service.more_like_this(hit.chunk_id, top_k=5)
            if not similar.hits:
                st.info("No other document has a passage like this one.")
            for number, other in enumerate(similar.hits, start=1):
                _show_hit(number, other, key=f"like-{hit.chunk_id}", similar=False)


if query.strip():
    result = None
    with shown_errors("searching"), st.spinner("Searching…"):
        from search.service import facet_filters

        result = service.search(
            query,
            top_k=PAGE_SIZE,
            offset=page_number * PAGE_SIZE,
            filters=facet_filters(selected),
            mode=st.session_state.get("search-mode", "hybrid"),
            themes=tuple(selected.get("theme", [])),
        )
    if result is not None:
        with st.sidebar:
            st.subheader("Narrow the results")
            st.caption("Counts are of matching passages.")
            for facet, label in FACETS.items():
                counts = result.facets.get(facet, {})
                commonest = sorted(counts, key=lambda v: (-counts[v], v))[:FACET_VALUES]
                options = sorted(set(commonest) | set(selected[facet]), key=lambda v: (-counts.get(v, 0), v))
                if facet == "year":
                    options = sorted(options, reverse=True)
                if not options:
                    continue
                st.markdown(f"**{label}**")
                for value in options:
                    name = type_name(value) if facet == "doc_type" else value
                    st.checkbox(
                        f"{plain(name)} ({counts.get(value, 0)})",
                        value=value in selected[facet],
                        key=f"facet-{facet}-{value}",
                        on_change=_facet_toggled,
                        args=(facet, value),
                    )
            if any(selected.values()):
                st.button("Clear the filters", on_click=_clear_facets, icon=":material/filter_alt_off:")
        if not result.hits:
            st.info(
                "No passages match."
                + (" Try removing a filter." if any(selected.values()) else " Try other or fewer words.")
            )
        first = page_number * PAGE_SIZE + 1
        if result.hits:
            st.caption(f"Results {first} to {first + len(result.hits) - 1}, best first.")
        for number, hit in enumerate(result.hits, start=first):
            _show_hit(number, hit, key="result")
        back, status, forward = st.columns([1, 2, 1])
        back.button(
            "Previous", disabled=page_number == 0, on_click=_turn_page, args=(-1,), icon=":material/chevron_left:"
        )
        status.caption(f"Page {page_number + 1}")
        forward.button(
            "Next",
            disabled=len(result.hits) < PAGE_SIZE,
            on_click=_turn_page,
            args=(1,),
            icon=":material/chevron_right:",
        )
