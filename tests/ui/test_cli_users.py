"""The command line acts as a configured user: users are added, sign-in is checked, clearance applies."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from ui.cli import cli

INTERNAL_DOC = "mscp-practice-note-talking-with-children-hsb"


def _run(settings, users_file: Path, *args: str, user: str = "", password: str = "", **env: str):
    environment = {"LESSONS_USERS_FILE": str(users_file), "LESSONS_USER": user, "LESSONS_PASSWORD": password, **env}
    return CliRunner().invoke(cli, ["--data-dir", str(settings.data_dir), *args], env=environment)


def test_users_are_added_and_the_cli_acts_as_one(sample_settings, tmp_path: Path) -> None:
    users = tmp_path / "users.toml"
    first = _run(
        sample_settings, users, "users", "add", "ada", "--role", "reader", "--password-env", "NEWPW", NEWPW="pw-ada-1"
    )
    assert first.exit_code == 2 and "the first user of" in first.output and "must be an admin" in first.output
    admin = _run(
        sample_settings,
        users,
        "users",
        "add",
        "root",
        "--role",
        "admin",
        "--clearance",
        "restricted",
        "--password-env",
        "NEWPW",
        NEWPW="pw-root-1",
    )
    assert admin.exit_code == 0, admin.output
    as_admin = {"user": "root", "password": "pw-root-1"}
    added = _run(sample_settings, users, "users", "add", "ada", "--password-env", "NEWPW", NEWPW="pw-ada-1", **as_admin)
    assert added.exit_code == 0, added.output
    listed = _run(sample_settings, users, "users", "list", **as_admin)
    assert listed.output.splitlines() == ["ada: reader, clearance public", "root: admin, clearance restricted"]

    # A public reader cannot see the internal practice note; the admin can.
    for who, password, visible in (("ada", "pw-ada-1", False), ("root", "pw-root-1", True)):
        docs = _run(sample_settings, users, "docs", "--json", user=who, password=password)
        assert docs.exit_code == 0, docs.output
        assert (INTERNAL_DOC in {d["doc_id"] for d in json.loads(docs.output)["documents"]}) is visible
    hidden = _run(sample_settings, users, "show", INTERNAL_DOC, user="ada", password="pw-ada-1")
    assert hidden.exit_code == 2 and f"no document with id {INTERNAL_DOC!r}" in hidden.output

    # Readers may not change users, ingest or export.
    refused = _run(
        sample_settings,
        users,
        "users",
        "add",
        "eve",
        "--role",
        "admin",
        "--password-env",
        "NEWPW",
        NEWPW="x",
        user="ada",
        password="pw-ada-1",
    )
    assert refused.exit_code == 2 and "only an admin may add or change users" in refused.output
    ingest = _run(sample_settings, users, "ingest", str(tmp_path), user="ada", password="pw-ada-1")
    assert ingest.exit_code == 2 and "may not add documents: ask an admin for the contributor role" in ingest.output
    export = _run(sample_settings, users, "export", str(tmp_path / "dump"), user="ada", password="pw-ada-1")
    assert export.exit_code == 2 and "only an admin may do this" in export.output


def test_sign_in_failures_say_what_to_do(sample_settings, tmp_path: Path) -> None:
    users = tmp_path / "users.toml"
    _run(sample_settings, users, "users", "add", "root", "--role", "admin", "--password-env", "NEWPW", NEWPW="pw-1")
    nobody = _run(sample_settings, users, "docs")
    assert nobody.exit_code == 2 and "say who you are with LESSONS_USER=NAME" in nobody.output
    no_password = _run(sample_settings, users, "docs", user="root")
    assert no_password.exit_code == 2 and "put it in the environment variable LESSONS_PASSWORD" in no_password.output
    wrong = _run(sample_settings, users, "docs", user="root", password="nope")
    assert wrong.exit_code == 2 and "wrong user name or password" in wrong.output
    missing = _run(sample_settings, tmp_path / "absent.toml", "docs", user="root", password="pw-1")
    assert missing.exit_code == 2 and "does not exist: create it with `lessons users add NAME`" in missing.output
