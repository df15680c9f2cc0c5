"""Streamlit AppTest of the pages: the real app, the real service, the sample store."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from search.settings import Settings
from tests.ui.conftest import APP


@pytest.fixture()
def open_app(monkeypatch) -> Callable[..., AppTest]:
    """Start the app on a store (through LESSONS_DATA_DIR, as `make demo` does) and open a page."""

    def start(settings: Settings, page: str | None = None, **environment: str) -> AppTest:
        monkeypatch.setenv("LESSONS_DATA_DIR", str(settings.data_dir))
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        app = AppTest.from_file(str(APP), default_timeout=240).run()
        if page is not None:
            app.switch_page(f"app_pages/{page}.py").run()
        return app

    return start


def problems(app: AppTest) -> list[str]:
    """Exceptions shown on the page (there must never be any: errors are words)."""
    return [str(exception.value) for exception in app.exception]
