"""Library: the documents indexed, editions grouped, counts by type and year; adding documents."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from search.models import DOC_TYPES
from ui.app_support import plain, service_or_stop, shown_errors, type_name

UPLOAD_TYPES = ["pdf", "docx", "html", "htm", "md", "markdown", "txt"]

st.title("Library")
st.caption("The documents Lessons answers from, and how to add more.")

service = service_or_stop()
overview = None
with shown_errors("listing the documents"):
    overview = service.library()
    stats = service.stats()
if overview is None:
    st.stop()

numbers = st.columns(3)
numbers[0].metric("Documents", stats.documents)
numbers[1].metric("Passages", stats.chunks)
numbers[2].metric("Last updated", (stats.last_indexed or "never")[:10])

if not overview.documents:
    st.info("No documents are indexed yet. Add some below, or run `lessons ingest FOLDER` on the server.")
else:
    by_type, by_year = st.columns(2)
    with by_type:
        st.markdown("**By document type**")
        st.bar_chart(
            pd.DataFrame(
                {"Type": [type_name(t) for t in overview.by_type], "Documents": list(overview.by_type.values())}
            ),
            x="Type",
            y="Documents",
            height=240,
        )
    with by_year:
        st.markdown("**By year published**")
        st.bar_chart(
            pd.DataFrame({"Year": list(overview.by_year), "Documents": list(overview.by_year.values())}),
            x="Year",
            y="Documents",
            height=240,
            sort=False,
        )

    if overview.editions:
        st.subheader("Editions")
        st.caption("Documents reissued in a series. Answers use the edition in force; earlier ones are marked.")
        for group in overview.editions:
            parts = []
            for document in group.editions:
                state = "in force" if document.doc_id == group.in_force else "superseded"
                parts.append(f"{document.published or 'undated'} ({state})")
            st.markdown(f"**{plain(group.title)}**: {plain(', '.join(parts))}")

    st.subheader("Documents")
    rows = []
    for document in overview.documents:
        group = overview.edition_of(document.doc_id)
        rows.append(
            {
                "Title": document.title,
                "Type": type_name(document.doc_type),
                "Publisher": document.publisher or "",
                "Published": document.published or "",
                "Area": document.area or "",
                "Pages": document.pages,
                "Passages": document.chunks,
                "Edition": ""
                if group is None
                else ("superseded" if document.doc_id in overview.superseded else "in force"),
                "Access": document.access,
                "Id": document.doc_id,
            }
        )
    # st.dataframe shows cell values as text (never as HTML or Markdown).
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def _upload_form() -> None:
    st.subheader("Add documents")
    settings = service.settings
    with st.form("upload-form", clear_on_submit=True):
        files = st.file_uploader(
            "Documents (PDF, Word, web page, Markdown or text)",
            type=UPLOAD_TYPES,
            accept_multiple_files=True,
            key="upload-files",
            max_upload_size=max(1, math.ceil(settings.max_file_mb)),
        )
        st.caption("Lessons reads the title, type, publisher and date from each file; set them here to override.")
        left, middle, right = st.columns(3)
        doc_type = left.selectbox(
            "Document type",
            ["", *DOC_TYPES],
            key="upload-type",
            format_func=lambda value: type_name(value) if value else "From the file",
        )
        publisher = middle.text_input("Publisher", key="upload-publisher", placeholder="From the file")
        published = right.date_input("Published", value=None, key="upload-published", format="YYYY-MM-DD")
        submitted = st.form_submit_button("Add to the library", type="primary", icon=":material/upload:")
    if submitted:
        if not files:
            st.warning("Choose one or more files first.")
            return
        from ingest.uploads import ingest_uploads

        bar = st.progress(0.0, text=f"Reading and indexing {len(files)} file(s)…")

        def progress(step) -> None:  # an IngestProgress
            bar.progress(step.done / max(1, step.total), text=plain(f"{step.done} of {step.total}: {step.outcome}"))

        with shown_errors("adding the documents"):
            report = ingest_uploads(
                settings,
                [(file.name, file.getvalue()) for file in files],
                metadata={
                    "doc_type": doc_type,
                    "publisher": publisher,
                    "published": published.isoformat() if published else "",
                },
                embedder=service.embedder,
                progress=progress,
                user=service.user,
            )
            st.session_state["upload-report"] = report
            st.rerun()
        bar.empty()


report = st.session_state.get("upload-report")
if report is not None:
    added = len(report.added) + len(report.updated)
    message = f"Ingestion report: {report.summary()}"
    (st.success if report.ok else st.warning)(plain(message), icon=":material/task_alt:")
    for label, sources in (("Added", report.added), ("Updated", report.updated), ("Unchanged", report.unchanged)):
        for source in sources:
            st.markdown(f"- {label}: {plain(source.rsplit('/', 1)[-1])}")
    for failure in report.failed:
        st.markdown(f"- Not added: {plain(failure.source.rsplit('/', 1)[-1])}: {plain(failure.reason)}")
    if added:
        st.caption("The new documents can be searched and asked about now.")

if not service.settings.ui_uploads:
    st.caption("Adding documents is turned off here (setting ui_uploads).")
elif not service.user.may_contribute:
    st.caption("Adding documents needs the contributor role: ask an admin of Lessons.")
else:
    _upload_form()
