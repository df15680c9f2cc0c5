"""Sign-in: with users configured the app asks who you are, and each page shows only what the user may read."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.access import User, UserDirectory
from tests.ui.app_pages.conftest import problems

INTERNAL_TITLE_WORDS = "Talking with children"


@pytest.fixture()
def users_file(tmp_path: Path) -> Path:
    path = tmp_path / "users.toml"
    directory = UserDirectory(path, {})
    directory.save_user(User("pat", "reader", "public"), "pat-password-1")
    directory.save_user(User("root", "admin", "restricted"), "root-password-1")
    return path


def _sign_in(app, name: str, password: str):
    app.text_input[0].input(name)
    app.text_input[1].input(password)
    app.button[0].click()
    return app.run()


def test_open_mode_says_so_and_shows_everything(open_app, app_settings) -> None:
    app = open_app(app_settings, "library")
    assert problems(app) == []
    assert any("Open mode" in caption.value for caption in app.sidebar.caption)
    assert app.metric[0].value == "17"


def test_users_must_sign_in_and_see_only_their_clearance(open_app, app_settings, users_file: Path) -> None:
    app = open_app(app_settings, LESSONS_USERS_FILE=str(users_file))
    assert problems(app) == []
    assert [t.label for t in app.text_input] == ["User name", "Password"]
    assert not app.get("chat_input") and len(app.text_area) == 0  # nothing of the app before sign-in

    app = _sign_in(app, "pat", "wrong")
    assert any("wrong user name or password" in e.value.lower() for e in app.error)

    app = _sign_in(app, "pat", "pat-password-1")
    assert problems(app) == [] and not app.error
    assert any("Signed in as" in caption.value and "reads up to public" in caption.value for caption in app.sidebar.caption)

    app.switch_page("app_pages/library.py").run()
    assert app.metric[0].value == "16"  # the internal practice note is not there
    assert not any(INTERNAL_TITLE_WORDS in title for title in app.dataframe[0].value["Title"])
    assert any("needs the contributor role" in caption.value for caption in app.caption)


def test_an_admin_sees_everything_and_may_upload(open_app, app_settings, users_file: Path) -> None:
    app = _sign_in(open_app(app_settings, LESSONS_USERS_FILE=str(users_file)), "root", "root-password-1")
    app.switch_page("app_pages/library.py").run()
    assert problems(app) == []
    assert app.metric[0].value == "17"
    assert app.file_uploader(key="upload-files") is not None
