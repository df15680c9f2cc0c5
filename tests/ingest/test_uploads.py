"""Documents added through the app: safe names, saved copies, and an ingest job that reports each file."""

from __future__ import annotations

import pytest

from ingest.uploads import UploadError, ingest_uploads, safe_upload_name, save_upload, upload_folder
from search.service import SearchService
from tests.conftest import SAMPLE_CORPUS, settings_for

NOTE = (
    "# Lantern Court respite unit: night staffing review\n\n"
    "The review found that the Lantern Court respite unit had a single waking night worker on 14 of the "
    "30 nights audited. The unit must roster two waking night staff whenever a child with complex health "
    "needs is staying, and the manager should check the rota every Friday.\n"
)


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\Windows\\system32\\evil.docx", "evil.docx"),
        ("/abs/path/Minutes 2021.DOCX", "Minutes 2021.docx"),
        ("bad\x00name\x1b[31m.md", "badname-31m.md"),
        ("..hidden.txt", "hidden.txt"),
        ("  spaced   out  .html", "spaced out.html"),
        ("café réunion.htm", "café réunion.htm"),
        ("a<b>c|d?.txt", "a-b-c-d.txt"),
        ("CON.txt", "CON-document.txt"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
    ],
)
def test_upload_names_are_made_safe(sent, kept):
    assert safe_upload_name(sent) == kept


@pytest.mark.parametrize(
    ("sent", "reason"),
    [
        ("payload.exe", "has '.exe': Lessons reads .pdf, .docx"),
        ("notes", "has no extension"),
        ("lessons-manifest.toml", "has '.toml'"),
        ("report.pdf.sh", "has '.sh'"),
        ("../.pdf", "has no usable file name"),
        ("???.txt", "has no usable file name"),
    ],
)
def test_unusable_upload_names_are_refused_with_the_fix(sent, reason):
    with pytest.raises(UploadError, match=reason.replace(".", "\\.").replace("(", "\\(")):
        safe_upload_name(sent)


def test_saving_never_overwrites_another_file_of_the_same_name(tmp_path):
    settings = settings_for(tmp_path / "store")
    first = save_upload(settings, "note.md", b"one")
    assert first == upload_folder(settings) / "note.md" and first.read_bytes() == b"one"
    assert save_upload(settings, "note.md", b"one") == first
    second = save_upload(settings, "../note.md", b"two")
    assert second.name == "note-2.md" and first.read_bytes() == b"one" and second.read_bytes() == b"two"
    assert save_upload(settings, "note.md", b"three").name == "note-3.md"
    assert sorted(p.name for p in upload_folder(settings).iterdir()) == ["note-2.md", "note-3.md", "note.md"]


def test_empty_and_oversized_uploads_are_refused(tmp_path):
    settings = settings_for(tmp_path / "store", max_file_mb=0.001)
    with pytest.raises(UploadError, match="note.md is empty"):
        save_upload(settings, "note.md", b"")
    with pytest.raises(UploadError, match="over the 0.001 MB limit.*LESSONS_MAX_FILE_MB"):
        save_upload(settings, "note.md", b"x" * 2000)
    assert not any(upload_folder(settings).glob("*"))


def test_uploads_are_indexed_and_bad_ones_reported_without_stopping_the_others(tmp_path, embedder):
    settings = settings_for(tmp_path / "store")
    pdf = (SAMPLE_CORPUS / "mscp-mash-reaudit-2022.pdf").read_bytes()
    report = ingest_uploads(
        settings,
        [("Lantern Court.md", NOTE.encode()), ("virus.exe", b"MZ"), ("empty.txt", b""), ("audit.pdf", pdf)],
        metadata={"doc_type": "review", "publisher": "Marshfield County Council", "published": ""},
        embedder=embedder,
    )
    assert [path.rsplit("/", 1)[-1] for path in report.added] == ["Lantern Court.md", "audit.pdf"]
    assert [failure.source for failure in report.failed] == ["virus.exe", "empty.txt"]
    assert "has '.exe'" in report.failed[0].reason and "is empty" in report.failed[1].reason
    service = SearchService(settings, embedder=embedder)
    hits = service.search("waking night staff at the respite unit", top_k=3).hits
    assert hits[0].title == "Lantern Court respite unit: night staffing review"
    assert hits[0].doc_type == "review" and hits[0].publisher == "Marshfield County Council"
    assert hits[0].source == str(upload_folder(settings).resolve() / "Lantern Court.md")
    # Uploading the same file again changes nothing.
    again = ingest_uploads(
        settings,
        [("Lantern Court.md", NOTE.encode())],
        embedder=embedder,
        metadata={"doc_type": "review", "publisher": "Marshfield County Council"},
    )
    assert again.unchanged and not again.added and not again.failed


def test_progress_is_reported_for_each_file(tmp_path, embedder):
    settings = settings_for(tmp_path / "store")
    steps = []
    ingest_uploads(
        settings,
        [("a.txt", b"Alpha text about supervision. " * 5), ("b.txt", b"Beta text about audits. " * 5)],
        embedder=embedder,
        progress=steps.append,
    )
    assert [(step.done, step.total, step.outcome) for step in steps] == [(1, 2, "added"), (2, 2, "added")]


@pytest.mark.parametrize(
    ("metadata", "reason"),
    [
        ({"doc_type": "novel"}, "doc_type 'novel' in the upload form is not allowed"),
        ({"published": "last May"}, "published 'last May' in the upload form is not an ISO date"),
        ({"colour": "blue"}, "unknown key 'colour'"),
        ({"doc_id": "mine"}, "unknown key 'doc_id'"),
    ],
)
def test_metadata_from_the_form_is_checked_like_a_manifest(tmp_path, metadata, reason):
    settings = settings_for(tmp_path / "store")
    with pytest.raises(UploadError, match=reason):
        ingest_uploads(settings, [("a.txt", b"text")], metadata=metadata)
    assert not upload_folder(settings).exists()


def test_a_title_is_only_taken_for_a_single_file(tmp_path):
    settings = settings_for(tmp_path / "store")
    with pytest.raises(UploadError, match="unknown key 'title'"):
        ingest_uploads(settings, [("a.txt", b"text"), ("b.txt", b"text")], metadata={"title": "Both"})


def test_only_contributors_upload_and_only_at_levels_they_read(tmp_path, embedder) -> None:
    from search.access import User
    from search.errors import JobTooLargeError, PermissionDeniedError

    settings = settings_for(tmp_path / "store", max_files_per_job=2)
    note = ("note.md", b"# Note\n\nStaff must record every referral.\n")
    with pytest.raises(PermissionDeniedError, match="may not add documents"):
        ingest_uploads(settings, [note], embedder=embedder, user=User("r", "reader", "restricted"))
    with pytest.raises(PermissionDeniedError, match="may read up to public and so may not add internal documents"):
        ingest_uploads(
            settings,
            [note],
            metadata={"access": "internal"},
            embedder=embedder,
            user=User("c", "contributor", "public"),
        )
    with pytest.raises(JobTooLargeError, match="3 files were uploaded at once, over the limit of 2"):
        ingest_uploads(settings, [note] * 3, embedder=embedder, user=User("c", "contributor", "public"))
    assert not (settings.data_dir / "uploads").exists()


@pytest.mark.parametrize(
    ("raw", "expected"), [("false", False), ("0", False), ("off", False), ("Yes", True), ("1", True)]
)
def test_the_ui_uploads_setting_reads_true_and_false(raw, expected):
    from search.settings import load_settings

    assert load_settings(environ={"LESSONS_UI_UPLOADS": raw}).ui_uploads is expected
    assert load_settings(environ={}).ui_uploads is True


def test_a_ui_uploads_value_that_is_not_true_or_false_is_refused_naming_it():
    from search.errors import SettingsError
    from search.settings import load_settings

    with pytest.raises(SettingsError, match="setting ui_uploads = 'maybe' \\(from LESSONS_UI_UPLOADS\\)"):
        load_settings(environ={"LESSONS_UI_UPLOADS": "maybe"})
