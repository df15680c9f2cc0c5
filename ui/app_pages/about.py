"""About: what is indexed, when it was last updated, how answers are made and what the labels mean."""

from __future__ import annotations

import streamlit as st

from ui.app_support import LABEL_COLOURS, plain, service_or_stop, shown_errors, type_name

st.title("About Lessons")
st.markdown(
    "Lessons brings together safeguarding reviews, inspection reports, national and local guidance, "
    "procedures, and committee papers, so that what has already been learned can be found again, "
    "with the page it is on."
)

service = service_or_stop()
with shown_errors("reading the library's figures"):
    stats = service.stats()
    st.subheader("What is indexed")
    kinds = ", ".join(f"{count} {type_name(kind).lower()}" for kind, count in stats.by_type.items())
    st.markdown(plain(f"{stats.documents} documents ({kinds or 'none yet'}), cut into {stats.chunks} passages."))
    updated = f"{stats.last_indexed[:16].replace('T', ' ')} UTC" if stats.last_indexed else "never"
    st.markdown(plain(f"Last updated: {updated}."))
    st.caption(
        plain(f"Store: {stats.backend}, {stats.size_bytes / 1e6:.1f} MB in {stats.data_dir}; model: {stats.model}.")
    )

st.subheader("How answers are made")
settings = service.settings
method = (
    "sentences quoted word for word from the documents"
    if settings.answer_mode == "extractive"
    else "a language model writes the answer from the passages found, and each sentence is checked against "
    "the passage it cites (sentences no passage supports are marked)"
)
st.markdown(
    f"""
1. Your question is matched against every passage, both by its words and by its meaning.
2. The best passages are read sentence by sentence; the sentences that answer the question are kept: {method}.
3. Every sentence carries a numbered citation: the document, page and paragraph it comes from.
   **Show page** opens that page with the passage highlighted.
4. When no sentence is close enough to the question, Lessons says it found no answer and lists the nearest
   passages, rather than guess.
5. For guidance issued in editions, the edition in force is used; set **As at** to answer as things stood on
   an earlier date.
"""
)

st.subheader("What the labels mean")
meanings = {
    "Required": "the guidance or procedure says this **must** be done (a duty).",
    "Expected": "the guidance or procedure says this **should** be done (expected practice).",
    "Finding": "what a review, inspection or committee found happened.",
    "Recommendation": "what a review, inspection or committee recommended.",
}
for label, meaning in meanings.items():
    st.markdown(f":{LABEL_COLOURS[label]}-badge[{label}] {meaning}")
st.caption("Text inside documents is quoted, never followed as an instruction.")
