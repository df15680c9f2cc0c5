"""Users, roles and clearance: password hashes, the users file, proxy sign-in, filter scoping."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from search.access import LOCAL_USER, NO_DOCUMENT, User, UserDirectory, hash_password, verify_password
from search.errors import AccessConfigError, AuthenticationError, PermissionDeniedError
from search.models import DocumentRecord, SearchFilters


def _doc(access: str) -> DocumentRecord:
    return DocumentRecord(
        doc_id=f"d-{access}", title="T", doc_type="review", source=f"/x/{access}.pdf", content_hash="h", access=access
    )


def test_password_hashes_verify_and_are_salted() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first != second and first.startswith("scrypt$")
    assert verify_password("correct horse", first) and verify_password("correct horse", second)
    assert not verify_password("correct hors", first)
    assert not verify_password("correct horse", "md5$abc") and not verify_password("x", "garbage")


@pytest.mark.parametrize(
    ("clearance", "visible"),
    [
        ("public", {"public"}),
        ("internal", {"public", "internal"}),
        ("restricted", {"public", "internal", "restricted"}),
    ],
)
def test_scope_admits_exactly_the_levels_of_the_clearance(clearance: str, visible: set[str]) -> None:
    scoped = User("u", "reader", clearance).scope(SearchFilters(doc_types=("review",)))
    assert scoped.doc_types == ("review",)
    assert {level for level in ("public", "internal", "restricted") if scoped.admits(_doc(level))} == visible


def test_scope_never_widens_what_the_caller_asked_for() -> None:
    user = User("u", "reader", "internal")
    narrowed = user.scope(SearchFilters(access=("internal", "restricted"), date_from=dt.date(2020, 1, 1)))
    assert narrowed.access == ("internal",) and narrowed.date_from == dt.date(2020, 1, 1)
    assert user.scope(SearchFilters(access=("restricted",))).doc_ids == (NO_DOCUMENT,)


def test_roles_decide_who_may_add_documents() -> None:
    User("c", "contributor").require_contributor()
    assert LOCAL_USER.may_contribute and LOCAL_USER.is_admin
    with pytest.raises(PermissionDeniedError, match="reader and may not add documents: ask an admin"):
        User("r", "reader").require_contributor()


def test_users_file_round_trip_and_sign_in(tmp_path: Path) -> None:
    path = tmp_path / "users.toml"
    path.write_text("")
    directory = UserDirectory.load(path)
    directory.save_user(User("alice", "contributor", "internal"), "s3cret-pass")
    directory.save_user(User("bob", "reader", "public"), "another-pass")
    assert path.stat().st_mode & 0o777 == 0o600
    reloaded = UserDirectory.load(path)
    assert reloaded.names() == ["alice", "bob"]
    assert reloaded.authenticate("alice", "s3cret-pass") == User("alice", "contributor", "internal")
    for name, password in (("alice", "wrong"), ("carol", "s3cret-pass"), ("bob", "")):
        with pytest.raises(AuthenticationError, match="wrong user name or password"):
            reloaded.authenticate(name, password)
    assert "s3cret-pass" not in path.read_text()


def test_proxy_sign_in_needs_a_known_user(tmp_path: Path) -> None:
    path = tmp_path / "users.toml"
    path.write_text('[users.dora]\nrole = "admin"\nclearance = "restricted"\n')
    directory = UserDirectory.load(path)
    assert directory.from_proxy(" dora ", "X-Forwarded-User").is_admin
    with pytest.raises(AuthenticationError, match="'eve' is not in the users file"):
        directory.from_proxy("eve", "X-Forwarded-User")
    with pytest.raises(AuthenticationError, match="no user name in the X-Forwarded-User header"):
        directory.from_proxy(None, "X-Forwarded-User")
    with pytest.raises(AuthenticationError):  # proxy-only accounts have no password to sign in with
        directory.authenticate("dora", "")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[users.a]\nrole = "boss"\n', "role 'boss': use one of reader, contributor, admin"),
        ('[users.a]\nclearance = "secret"\n', "clearance 'secret': use one of public, internal, restricted"),
        ('[users."../x"]\n', "user name '../x' is not usable"),
        ("[users.a\n", "is not valid TOML"),
    ],
)
def test_bad_users_files_name_the_problem(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "users.toml"
    path.write_text(content)
    with pytest.raises(AccessConfigError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        UserDirectory.load(path)
    assert str(path) in str(caught.value)


def test_a_missing_users_file_says_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(AccessConfigError, match="lessons users add NAME"):
        UserDirectory.load(tmp_path / "none.toml")
