"""Recommendations: the register as a table with filters, each record's status history and page, the
recommendations that keep coming back as a timeline, and export to CSV."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from ui.app_support import plain, service_or_stop, show_source, shown_errors, where

st.title("Recommendations")
st.caption(
    "What reviews, inspections and committees recommended, what happened to it, and which lessons keep coming back."
)

service = service_or_stop()
if not hasattr(service, "recommendations"):
    st.info("The recommendations register is not part of this version of Lessons yet.")
    st.stop()

from search.recommendations import recommendations_csv  # noqa: E402  (only once the register exists)
from search.recommendations.models import MADE_BY, STATUSES  # noqa: E402

themes: list[str] = []
with shown_errors("reading the themes"):
    themes = service.recommendation_themes()

with st.sidebar:
    st.subheader("Filter the register")
    query = st.text_input("Words or meaning", key="rec-query", placeholder="e.g. recording referrals")
    theme = st.selectbox("Theme", ["", *themes], key="rec-theme", format_func=lambda v: v or "Any theme")
    status = st.selectbox("Status", ["", *STATUSES], key="rec-status", format_func=lambda v: v or "Any status")
    made_by = st.selectbox("Made by", ["", *MADE_BY], key="rec-made-by", format_func=lambda v: v or "Anyone")
    recurring = st.checkbox("Only recommendations made more than once", key="rec-recurring")
    date_from = st.date_input(
        "Made on or after", value=None, key="rec-from", format="YYYY-MM-DD", min_value=dt.date(1990, 1, 1)
    )
    date_to = st.date_input(
        "Made on or before", value=None, key="rec-to", format="YYYY-MM-DD", min_value=dt.date(1990, 1, 1)
    )

records = None
with shown_errors("reading the register"), st.spinner("Reading the register…"):
    records = service.recommendations(
        query=query.strip() or None,
        theme=theme or None,
        status=status or None,
        made_by=made_by or None,
        recurring=True if recurring else None,
        date_from=date_from,
        date_to=date_to,
    )
if records is None:
    st.stop()

table, timeline = st.tabs(["Register", "Recurring lessons"])

with table:
    top = st.columns([3, 1], vertical_alignment="center")
    top[0].caption(f"{len(records)} recommendation(s){' matching the filters' if records else ''}.")
    top[1].download_button(
        "Export CSV",
        data=recommendations_csv(records),
        file_name="recommendations.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key="rec-export",
    )
    if not records:
        st.info("No recommendation matches these filters. Try fewer filters.")
    else:
        rows = [
            {
                "Made": record.date or "",
                "By": record.made_by,
                "Document": record.title,
                "No.": record.number or "",
                "Recommendation": record.text,
                "To": record.addressee or "",
                "Themes": ", ".join(record.themes),
                "Status": record.status or "not reported",
                "Recurring": "yes" if record.recurring else "",
                "Page": record.page,
                "Id": record.id,
            }
            for record in records
        ]
        # st.dataframe shows cell values as text (never as HTML or Markdown).
        st.dataframe(
            pd.DataFrame(rows),
            hide_index=True,
            width="stretch",
            column_config={"Recommendation": st.column_config.TextColumn(width="large")},
        )

        by_id = {record.id: record for record in records}
        chosen = st.selectbox(
            "Open a recommendation",
            ["", *by_id],
            key="rec-open",
            format_func=lambda rec_id: (
                "Choose one to see its page, status history and recurrences"
                if not rec_id
                else f"{by_id[rec_id].title} {by_id[rec_id].number or ''}: {by_id[rec_id].text[:90]}"
            ),
        )
        if chosen:
            with shown_errors("opening the recommendation"):
                detail = service.recommendation(chosen)
                record = detail.record
                with st.container(border=True):
                    st.markdown(
                        f"**{plain(record.title)}** · {plain(where(record.page, record.number))} · "
                        f"{plain(record.date or 'undated')}"
                    )
                    st.markdown(f"> {plain(record.text)}")
                    if detail.theme_reasons:
                        st.markdown(
                            "**Themes:** " + plain("; ".join(f"{r.theme} ({r.why})" for r in detail.theme_reasons))
                        )
                    st.markdown(f"**Status:** {plain(record.status or 'no later document reports one')}")
                    for event in detail.status_history:
                        st.markdown(
                            f"- {plain(event.date or 'undated')}: **{plain(event.status or 'mentioned')}** in "
                            f"{plain(event.title)} {plain(where(event.page))}: “{plain(event.evidence)}”"
                        )
                    if detail.chain is not None and detail.chain.recurring:
                        st.markdown(f"**Made more than once:** {plain(detail.chain.summary())}")
                    show_source(service, record.doc_id, record.page, quote=record.text)

with timeline:
    chains = []
    with shown_errors("reading the recurring lessons"):
        chains = [chain for chain in service.recurrence_chains() if chain.recurring]
    if not chains:
        st.info("No recommendation has been made in more than one document yet.")
    else:
        points = [
            {"Lesson": chain.label, "Date": link.date, "Document": link.title, "Page": link.page or ""}
            for chain in chains
            for link in chain.links
            if link.date
        ]
        if points:
            import altair as alt

            frame = pd.DataFrame(points)
            frame["Date"] = pd.to_datetime(frame["Date"])
            chart = (
                alt.Chart(frame)
                .mark_line(point=alt.OverlayMarkDef(size=90, filled=True))
                .encode(
                    x=alt.X("Date:T", title="Made"),
                    y=alt.Y("Lesson:N", title=None, axis=alt.Axis(labelLimit=360)),
                    color=alt.Color("Lesson:N", legend=None),
                    tooltip=["Lesson", "Document", "Page", alt.Tooltip("Date:T", format="%Y-%m-%d")],
                )
                .properties(height=36 * len(chains) + 40)
            )
            st.altair_chart(chart, width="stretch")
        for chain in chains:
            st.markdown(f"**{plain(chain.label)}** ({chain.documents} documents)")
            for index, link in enumerate(chain.links):
                st.markdown(
                    f"- {'Made' if index == 0 else 'Again'} {plain(link.date or 'undated')} in "
                    f"{plain(link.title)} {plain(where(link.page, link.number))}: “{plain(link.quote)}”"
                )
