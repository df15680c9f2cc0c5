"""The Lessons web app: `streamlit run ui/app.py` (or `make demo`). It only sets up the pages.

Each page lives in ui/app_pages/ and calls SearchService through ui/app_support.py. The folder is not
called pages/: Streamlit would take a pages/ folder beside this script for its older, automatic
multipage mode on a process's first run, and the first visitor would get the wrong navigation.
"""

from __future__ import annotations

import streamlit as st

from ui.app_support import signed_in_user_or_stop, warm_up_in_background

st.set_page_config(page_title="Lessons", page_icon=":material/menu_book:", layout="wide")
warm_up_in_background()
signed_in_user_or_stop()  # the sign-in form when users are configured and nobody is signed in yet

navigation = st.navigation(
    [
        st.Page("app_pages/ask.py", title="Ask", icon=":material/question_answer:", default=True),
        st.Page("app_pages/search.py", title="Search", icon=":material/search:"),
        st.Page("app_pages/recommendations.py", title="Recommendations", icon=":material/checklist:"),
        st.Page("app_pages/library.py", title="Library", icon=":material/library_books:"),
        st.Page("app_pages/about.py", title="About", icon=":material/info:"),
    ]
)
navigation.run()
