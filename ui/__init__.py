"""Lessons' front ends: the Streamlit app and the ``lessons`` command line. No logic lives here."""
