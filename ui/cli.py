"""The ``lessons`` command line: parse arguments, call a service, print what it returns.

Library errors become words here (and in the Streamlit app), nowhere else.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from search.access import ROLES, User, configured_user, save_user, user_directory
from search.errors import LessonsError, QueryError
from search.models import ACCESS_LEVELS, DOC_TYPES, SearchFilters, SearchResult
from search.settings import Settings, environment_flag, load_settings
from search.snippets import mark

if TYPE_CHECKING:
    from search.service import SearchService


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"lessons: {message}", err=True)
    sys.exit(code)


def edge(function: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into one line on stderr and a non-zero exit."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except LessonsError as exc:
            _fail(str(exc))
        except KeyboardInterrupt:
            _fail("interrupted; run the same command again to finish the job", 130)

    return wrapper


def _settings(ctx: click.Context) -> Settings:
    settings: Settings = ctx.obj["settings"]
    return settings


def _user(ctx: click.Context) -> User:
    """Who the command acts as (signed in once per command from LESSONS_USER and the password variable)."""
    if "user" not in ctx.obj:
        ctx.obj["user"] = configured_user(_settings(ctx))
    user: User = ctx.obj["user"]
    return user


def _reader(ctx: click.Context) -> SearchService:
    from search.service import SearchService  # imported late: it loads Haystack

    return SearchService(_settings(ctx), user=_user(ctx))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", type=click.Path(path_type=Path), help="Store folder (setting data_dir).")
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False), help="A lessons.toml config file.")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, config: Path | None) -> None:
    """Lessons: search safeguarding reviews, guidance and committee papers, with page-level citations."""
    try:
        ctx.obj = {"settings": load_settings({"data_dir": data_dir}, config_file=config)}
    except LessonsError as exc:
        _fail(str(exc))


# -- ingest -----------------------------------------------------------------------------
@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--sources",
    "sources_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A sources.toml list of documents to download and index.",
)
@click.option("--prune", is_flag=True, help="Remove documents whose files have disappeared from the folders given.")
@click.option("--strict", is_flag=True, help="Exit non-zero when any file fails.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
@edge
def ingest(
    ctx: click.Context, paths: tuple[Path, ...], sources_file: Path | None, prune: bool, strict: bool, as_json: bool
) -> None:
    """Index files and folders (PDF, DOCX, HTML, Markdown, text); unchanged files are skipped."""
    from ingest.service import IngestService

    if not paths and sources_file is None:
        raise click.UsageError("give files or folders to ingest, or --sources FILE")
    service = IngestService(_settings(ctx), user=_user(ctx))
    with _progress_bar(enabled=not as_json) as progress:
        if sources_file is not None:
            report = service.ingest_sources(sources_file, progress=progress)
            if paths:
                more = service.ingest(list(paths), prune=prune, progress=progress)
                report.merge(more)
        else:
            report = service.ingest(list(paths), prune=prune, progress=progress)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        for item in report.failed:
            click.echo(f"failed: {item.source}: {item.reason}", err=True)
        click.echo(report.summary())
    if strict and report.failed:
        sys.exit(1)


class _progress_bar:
    """A progress bar on stderr when it is a terminal; silent otherwise."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self._bar: Any = None

    def __enter__(self) -> Callable[[Any], None] | None:
        if not self.enabled:
            return None
        from tqdm import tqdm

        def update(progress: Any) -> None:
            if self._bar is None:
                self._bar = tqdm(total=progress.total, unit="file", file=sys.stderr)
            self._bar.set_postfix_str(Path(progress.source).name[:40])
            self._bar.update(1)

        return update

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()


# -- search -----------------------------------------------------------------------------
def _filters(
    doc_types: tuple[str, ...],
    publishers: tuple[str, ...],
    areas: tuple[str, ...],
    date_from: str | None,
    date_to: str | None,
) -> SearchFilters:
    from search.service import parse_date

    for doc_type in doc_types:
        if doc_type not in DOC_TYPES:
            raise QueryError(f"unknown document type {doc_type!r}: use one of {', '.join(DOC_TYPES)}")
    return SearchFilters(
        doc_types=doc_types,
        publishers=publishers,
        areas=areas,
        date_from=parse_date(date_from, "--from") if date_from else None,
        date_to=parse_date(date_to, "--to") if date_to else None,
    )


def _json_lines(handle: TextIO, key: str, produce: Callable[[str], dict[str, object]]) -> None:
    """Print one JSON object per non-blank input line; a bad line gets an object with its error."""
    for line in handle:
        text = line.strip()
        if not text:
            continue
        try:
            click.echo(json.dumps(produce(text)))
        except QueryError as exc:
            click.echo(json.dumps({key: text, "error": str(exc)}))


def _print_result(result: SearchResult, *, colour: bool) -> None:
    if not result.hits:
        click.echo(f"No passages found for {result.query!r}.")
        return
    before, after = ("\033[1m", "\033[0m") if colour else ("«", "»")
    for number, hit in enumerate(result.hits, start=1):
        where = ", ".join(
            part
            for part in (
                f"p. {hit.page}" if hit.page else None,
                f"para {hit.paragraph}" if hit.paragraph else None,
                hit.section,
            )
            if part
        )
        click.echo(
            f"{number}. {hit.title} [{hit.doc_type}, {hit.publisher or 'publisher unknown'}, "
            f"{hit.published or 'undated'}] {where}"
        )
        click.echo(f"   {mark(hit.snippet, list(hit.highlights), before, after)}")
        click.echo(f"   {hit.doc_id} · {hit.source}")


@cli.command()
@click.argument("query", required=False)
@click.option("-k", "top_k", type=click.IntRange(1, 1000), help="Number of results (setting top_k).")
@click.option("--type", "doc_types", multiple=True, help="Only this document type (repeatable).")
@click.option("--publisher", "publishers", multiple=True, help="Only this publisher (repeatable).")
@click.option("--area", "areas", multiple=True, help="Only this area (repeatable).")
@click.option("--from", "date_from", help="Published on or after (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--to", "date_to", help="Published on or before.")
@click.option(
    "--mode",
    type=click.Choice(["hybrid", "keyword", "semantic"]),
    default="hybrid",
    show_default=True,
    help="Retrieval mode.",
)
@click.option(
    "--queries",
    "queries_file",
    type=click.File("r"),
    help="Search each line of FILE ('-' for stdin); prints one JSON object per line.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@edge
def search(
    ctx: click.Context,
    query: str | None,
    top_k: int | None,
    doc_types: tuple[str, ...],
    publishers: tuple[str, ...],
    areas: tuple[str, ...],
    date_from: str | None,
    date_to: str | None,
    mode: str,
    queries_file: TextIO | None,
    as_json: bool,
) -> None:
    """Find the passages that answer QUERY, best first, with document, page and paragraph."""

    if (query is None) == (queries_file is None):
        raise click.UsageError("give one QUERY, or --queries FILE (not both)")
    filters = _filters(doc_types, publishers, areas, date_from, date_to)
    service = _reader(ctx)
    if queries_file is not None:
        _json_lines(
            queries_file, "query", lambda text: service.search(text, top_k=top_k, filters=filters, mode=mode).as_dict()
        )
        return
    assert query is not None
    result = service.search(query, top_k=top_k, filters=filters, mode=mode)
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
    else:
        _print_result(result, colour=sys.stdout.isatty())


# -- browse -----------------------------------------------------------------------------
@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@edge
def docs(ctx: click.Context, as_json: bool) -> None:
    """List the indexed documents with their metadata."""

    documents = _reader(ctx).documents()
    if as_json:
        keys = ("doc_id", "title", "doc_type", "publisher", "published", "source", "pages", "chunks", "access")
        rows = [{key: doc.as_dict()[key] for key in keys} for doc in documents]
        click.echo(json.dumps({"documents": rows}, indent=2))
        return
    if not documents:
        click.echo("No documents indexed yet: run `lessons ingest FOLDER`.")
    for doc in documents:
        pages = f"{doc.pages} pages" if doc.pages else "no pages"
        click.echo(
            f"{doc.doc_id}\n    {doc.title} [{doc.doc_type}, {doc.publisher or '-'}, "
            f"{doc.published or 'undated'}, {pages}, {doc.chunks} passages, {doc.access}]"
        )


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@edge
def stats(ctx: click.Context, as_json: bool) -> None:
    """Show counts and sizes of the store."""

    numbers = _reader(ctx).stats()
    if as_json:
        click.echo(json.dumps(numbers.as_dict(), indent=2))
        return
    click.echo(
        f"{numbers.documents} documents, {numbers.chunks} passages, "
        f"{numbers.size_bytes / 1e6:.1f} MB in {numbers.data_dir} ({numbers.backend} store)"
    )
    for doc_type, count in numbers.by_type.items():
        click.echo(f"  {doc_type}: {count}")
    click.echo(f"model: {numbers.model}; last ingest: {numbers.last_indexed or 'never'}")


@cli.command()
@click.argument("doc_id")
@click.option("--page", type=click.IntRange(1), help="Show the text of this page.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@edge
def show(ctx: click.Context, doc_id: str, page: int | None, as_json: bool) -> None:
    """Show a document's metadata, or the text of one of its pages."""

    service = _reader(ctx)
    if page is None:
        record = service.document(doc_id)
        if as_json:
            click.echo(json.dumps(record.as_dict(), indent=2))
        else:
            for key, value in record.as_dict().items():
                click.echo(f"{key}: {value}")
        return
    view = service.page(doc_id, page)
    if as_json:
        click.echo(json.dumps({"doc_id": doc_id, "page": page, "text": view.text}, indent=2))
    else:
        click.echo(f"{view.document.title}, page {page}\n")
        click.echo(view.text)


@cli.command()
@click.pass_context
@edge
def check(ctx: click.Context) -> None:
    """Check the store's integrity (records and both indexes agree)."""

    problems = _reader(ctx).check()
    if problems:
        for problem in problems:
            click.echo(f"problem: {problem}", err=True)
        sys.exit(1)
    click.echo("ok: records and indexes agree")


@cli.command("settings")
@click.pass_context
def show_settings(ctx: click.Context) -> None:
    """List every setting with its value, where it came from, and what it does."""
    for name, value, origin, help_text in _settings(ctx).describe():
        click.echo(f"{name} = {value}  ({origin})\n    {help_text}")


# -- evaluation -------------------------------------------------------------------------


# -- answers ----------------------------------------------------------------------------
def _print_answer(answer, *, colour: bool) -> None:
    for notice in answer.notices:
        click.echo(f"Note: {notice}")
    if answer.abstained:
        click.echo(answer.message)
        if answer.nearest:
            click.echo("\nNearest passages:")
            for number, hit in enumerate(answer.nearest, start=1):
                where = f", p. {hit.page}" if hit.page else ""
                click.echo(f"  {number}. {hit.title}{where}: {' '.join(hit.snippet.split())[:200]}")
        return
    for sentence in answer.sentences:
        label = f"{sentence.label}: " if sentence.label else ""
        if not sentence.supported:
            label = "Unsupported (no cited passage supports it): "
        refs = "".join(f"[{n}]" for n in sentence.citations)
        click.echo(f"{click.style(label, bold=True) if colour else label}{sentence.text} {refs}")
    click.echo("\nSources:")
    for citation in answer.citations:
        edition = f" ({citation.edition}{', superseded' if citation.superseded else ''})" if citation.edition else ""
        click.echo(
            f"  [{citation.n}] {citation.label}{edition} - {citation.publisher or 'publisher unknown'}, "
            f'{citation.published or "undated"}\n      "{citation.quote}"\n      {citation.source}'
            f"{'#page=' + str(citation.page) if citation.page else ''}"
        )


@cli.command()
@click.argument("question", required=False)
@click.option("--as-at", "as_at", help="Answer from the documents and editions in force on this date.")
@click.option("--type", "doc_types", multiple=True, help="Only this document type (repeatable).")
@click.option("--publisher", "publishers", multiple=True, help="Only this publisher (repeatable).")
@click.option(
    "--questions",
    "questions_file",
    type=click.File("r"),
    help="Answer each line of FILE ('-' for stdin); prints one JSON object per line.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@edge
def ask(
    ctx: click.Context,
    question: str | None,
    as_at: str | None,
    doc_types: tuple[str, ...],
    publishers: tuple[str, ...],
    questions_file: TextIO | None,
    as_json: bool,
) -> None:
    """Answer QUESTION in a few cited sentences (document, page, paragraph), or say it is not found."""
    from search.service import parse_date

    if (question is None) == (questions_file is None):
        raise click.UsageError("give one QUESTION, or --questions FILE (not both)")
    date = parse_date(as_at, "--as-at") if as_at else None
    filters = _filters(doc_types, publishers, (), None, None)
    service = _reader(ctx)
    if questions_file is not None:
        _json_lines(questions_file, "question", lambda text: service.ask(text, as_at=date, filters=filters).as_dict())
        return
    assert question is not None
    answer = service.ask(question, as_at=date, filters=filters)
    if as_json:
        click.echo(json.dumps(answer.as_dict(), indent=2))
    else:
        _print_answer(answer, colour=sys.stdout.isatty())


@cli.command("eval")
@click.argument("questions", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--beir",
    "beir_folder",
    type=click.Path(path_type=Path),
    help="A BEIR-format folder: corpus.jsonl(.gz), queries.jsonl(.gz), qrels/<split>.tsv.",
)
@click.option("--split", default="test", show_default=True, help="Which qrels/<split>.tsv to score against.")
@click.option("--max-docs", type=click.IntRange(1), help="Index at most this many documents (judged ones always kept).")
@click.option("--max-queries", type=click.IntRange(1), help="Score a random sample of this many queries.")
@click.option(
    "--modes", default="hybrid,keyword,semantic", show_default=True, help="Comma-separated retrieval modes to score."
)
@click.option(
    "--data-dir",
    "eval_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Keep the evaluation store here (reused when it holds the same corpus); default: a temporary folder.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@edge
def evaluate(
    ctx: click.Context,
    questions: Path | None,
    beir_folder: Path | None,
    split: str,
    max_docs: int | None,
    max_queries: int | None,
    modes: str,
    eval_dir: Path | None,
    as_json: bool,
) -> None:
    """Score answers on a QUESTIONS set (JSONL) against the store, or retrieval on a BEIR set (--beir).

    With QUESTIONS: retrieval Recall@k, MRR and nDCG@10 (page and document level), fact recall,
    citation precision, abstention precision and recall, and the support threshold they suggest.
    With --beir DIR: nDCG@10 and Recall@100 per retrieval mode, in a store of its own.
    """
    if (questions is None) == (beir_folder is None):
        raise click.UsageError("give a QUESTIONS file, or --beir DIR (not both)")
    if questions is not None:
        _evaluate_questions(ctx, questions, as_json)
        return
    assert beir_folder is not None
    import tempfile

    from search.evaluation import evaluate_beir, load_beir, subset
    from search.pipelines import MODES

    chosen = [mode.strip() for mode in modes.split(",") if mode.strip()]
    unknown = [mode for mode in chosen if mode not in MODES]
    if unknown or not chosen:
        raise click.BadParameter(f"use modes among {', '.join(MODES)}", param_hint="--modes")
    beir = subset(load_beir(beir_folder, split), max_docs=max_docs, max_queries=max_queries)

    def progress(stage: str, done: int, total: int) -> None:
        if sys.stderr.isatty():
            click.echo(f"\r{stage}: {done}/{total}", err=True, nl=done == total)

    with tempfile.TemporaryDirectory(prefix="lessons-eval-") as temporary:
        settings = load_settings({"data_dir": eval_dir or Path(temporary)}, config_file=_settings(ctx).config_file)
        report = evaluate_beir(beir, settings, modes=chosen, progress=progress)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
        return
    how = "reused the index" if report.reused_index else f"indexed in {report.index_seconds:.1f} s"
    click.echo(f"{report.name} ({report.split}): {report.documents} documents, {report.queries} queries; {how}")
    click.echo(f"{'mode':<10}{'nDCG@10':>9}{'Recall@100':>12}{'queries':>9}{'docs':>8}{'seconds':>9}")
    for row in report.modes:
        click.echo(
            f"{row.mode:<10}{row.scores.ndcg_at_10:>9.4f}{row.scores.recall_at_100:>12.4f}"
            f"{row.scores.queries:>9}{report.documents:>8}{row.seconds:>9.1f}"
        )


def _evaluate_questions(ctx: click.Context, questions: Path, as_json: bool) -> None:
    from search.evaluation.questions import evaluate_questions

    report = evaluate_questions(_reader(ctx), questions)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
        return
    click.echo(f"{report.name}: support threshold {report.threshold}")
    for name, value in report.scores().items():
        click.echo(f"  {name:<28}{value if value is not None else '-'}")
    calibration = report.as_dict()["calibration"]
    click.echo(
        f"  suggested threshold          {calibration['threshold']} "  # type: ignore[index]
        f"(balanced accuracy {calibration['balanced_accuracy']})"
    )  # type: ignore[index]


# -- moving an index between backends ---------------------------------------------------
def _transfer_progress(verb: str) -> Callable[[int, int], None] | None:
    if not sys.stderr.isatty():
        return None

    def progress(done: int, total: int) -> None:
        click.echo(f"\r{verb}: {done}/{total} documents", err=True, nl=done == total)

    return progress


def _print_transfer(report: Any, as_json: bool, sentence: str) -> None:
    click.echo(json.dumps(report.as_dict(), indent=2) if as_json else sentence)


@cli.command("export")
@click.argument("path", type=click.Path(path_type=Path, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.pass_context
@edge
def export_index(ctx: click.Context, path: Path, as_json: bool) -> None:
    """Write the whole index (documents, pages, passages with their vectors) to the new folder PATH."""
    from search.store.migration import export_index as export

    settings = _settings(ctx)
    report = export(settings, path, progress=_transfer_progress("exported"), user=_user(ctx))
    _print_transfer(report, as_json, f"exported {report.summary()} from the {settings.store} store to {path}")


@cli.command("import")
@click.argument("path", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.pass_context
@edge
def import_index(ctx: click.Context, path: Path, as_json: bool) -> None:
    """Load the export folder PATH into the configured store, without re-embedding (same ids are replaced)."""
    from search.store.migration import import_index as load

    settings = _settings(ctx)
    report = load(settings, path, progress=_transfer_progress("imported"), user=_user(ctx))
    _print_transfer(report, as_json, f"imported {report.summary()} from {path} into the {settings.store} store")


@cli.command("migrate")
@click.option(
    "--to",
    "target",
    type=click.Choice(["opensearch", "embedded"]),
    required=True,
    help="The backend to copy the configured store (setting store) into.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.pass_context
@edge
def migrate(ctx: click.Context, target: str, as_json: bool) -> None:
    """Copy the configured store into the other backend, without re-embedding."""
    from search.store.migration import migrate_index

    settings = _settings(ctx)
    report = migrate_index(settings, target, progress=_transfer_progress("copied"), user=_user(ctx))
    _print_transfer(
        report, as_json, f"copied {report.summary()} from the {settings.store} store to {target} ({report.path})"
    )


# -- recommendations register -----------------------------------------------------------
def _print_recommendation_row(record: Any) -> None:
    status = record.status or "no status reported"
    recurring = f"; recurring ({len(record.similar) + 1} records)" if record.recurring else ""
    where = f"p. {record.page}" if record.page else "no pages"
    click.echo(f"{record.id}  [{record.date or 'undated'}; {record.made_by}; {status}{recurring}]")
    click.echo(f"    {record.text}")
    click.echo(f"    {record.title}, {where}" + (f"; to: {record.addressee}" if record.addressee else ""))
    if record.themes:
        click.echo(f"    themes: {'; '.join(record.themes)}")


def _print_recommendation_detail(detail: Any) -> None:
    record = detail.record
    _print_recommendation_row(record)
    if record.status:
        click.echo(f'    status: {record.status}: "{record.status_evidence}"')
    click.echo("\nWhy these themes:")
    for reason in detail.theme_reasons:
        click.echo(f"  {reason.theme}: {reason.why}")
    click.echo("\nStatus history:")
    if not detail.status_history:
        click.echo("  no later document reports on it")
    for event in detail.status_history:
        where = f", p. {event.page}" if event.page else ""
        click.echo(f"  {event.date or 'undated'}  {event.status or 'reported on'}  ({event.title}{where})")
        click.echo(f'      "{event.evidence}"')
    click.echo("\nRecurrence chain:")
    if detail.chain is None:
        click.echo("  not made in any other document")
        return
    click.echo(f"  {detail.chain.label}")
    for index, link in enumerate(detail.chain.links):
        marker = "made in" if index == 0 else "again in"
        click.echo(f"  {marker} {link.citation()} [{link.rec_id}; {link.status or 'no status reported'}]")
        click.echo(f'      "{link.quote}"')


def _period_end(start: Any, value: str) -> Any:
    """The last day of the period a --to value names: "2021" is up to 31 December 2021."""
    import calendar

    text = value.strip()
    if len(text) == 4:
        return start.replace(month=12, day=31)
    if len(text) == 7:
        return start.replace(day=calendar.monthrange(start.year, start.month)[1])
    return start


@cli.command("recommendations")
@click.option("--theme", help="Only this theme of the taxonomy (see the list with --themes).")
@click.option("--query", "query", help="Words to match by keyword and meaning, e.g. 'recording referrals'.")
@click.option("--status", help="accepted, partly accepted, rejected, in progress, implemented or not implemented.")
@click.option("--made-by", "made_by", help="review, committee, inspectorate or other.")
@click.option("--recurring", is_flag=True, help="Only recommendations made in two or more documents.")
@click.option("--from", "date_from", help="Published on or after (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--to", "date_to", help="Published on or before.")
@click.option("--id", "rec_id", help="Show one recommendation with its status history and recurrence chain.")
@click.option("--themes", "list_themes", is_flag=True, help="List the themes of the taxonomy.")
@click.option(
    "--rebuild", is_flag=True, help="Bring the register up to date with the store first (builds it if missing)."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--csv", "csv_file", type=click.Path(path_type=Path, dir_okay=False), help="Also write the list to this CSV file."
)
@click.pass_context
@edge
def recommendations(
    ctx: click.Context,
    theme: str | None,
    query: str | None,
    status: str | None,
    made_by: str | None,
    recurring: bool,
    date_from: str | None,
    date_to: str | None,
    rec_id: str | None,
    list_themes: bool,
    rebuild: bool,
    as_json: bool,
    csv_file: Path | None,
) -> None:
    """The recommendations register: what was recommended, by whom, when, what happened, what recurs."""
    from search.service import parse_date

    settings = _settings(ctx)
    if rebuild:
        from ingest.service import IngestService

        built = IngestService(settings, user=_user(ctx)).refresh_register()
        for item in built.failed:
            click.echo(f"failed: {item.source}: {item.reason}", err=True)
        click.echo(
            f"register: {built.documents_read} documents read, {built.recommendations} recommendations, "
            f"{built.recurring} recurring",
            err=True,
        )
    service = _reader(ctx)
    if list_themes:
        themes = service.recommendation_themes()
        click.echo(json.dumps(themes, indent=2) if as_json else "\n".join(themes))
        return
    if rec_id:
        detail = service.recommendation(rec_id)
        if as_json:
            click.echo(json.dumps(detail.to_json(), indent=2))
        else:
            _print_recommendation_detail(detail)
        return
    found = service.recommendations(
        query=query,
        theme=theme,
        status=status,
        made_by=made_by,
        recurring=True if recurring else None,
        date_from=parse_date(date_from, "--from") if date_from else None,
        date_to=_period_end(parse_date(date_to, "--to"), date_to) if date_to else None,
    )
    if csv_file is not None:
        try:
            csv_file.write_text(service.recommendations_csv(found), encoding="utf-8")
        except OSError as exc:
            raise QueryError(f"cannot write {csv_file} ({exc.strerror}): choose a folder you can write to") from None
    if as_json:
        click.echo(json.dumps([record.to_json() for record in found], indent=2))
        return
    if not found:
        click.echo("No recommendations match: loosen the filters, or check the register with --rebuild.")
    for record in found:
        _print_recommendation_row(record)
    if csv_file is not None:
        click.echo(f"wrote {len(found)} recommendations to {csv_file}", err=True)


# -- users ------------------------------------------------------------------------------
@cli.group()
def users() -> None:
    """Who may sign in (the users file named by the setting users_file)."""


@users.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(list(ROLES)),
    default="reader",
    show_default=True,
    help="reader: search and ask; contributor: also add documents; admin: also manage users.",
)
@click.option(
    "--clearance",
    type=click.Choice(list(ACCESS_LEVELS)),
    default="public",
    show_default=True,
    help="The highest access level the user may read.",
)
@click.option("--password-env", help="Read the new password from this environment variable instead of a prompt.")
@click.option("--keep-password", is_flag=True, help="Change role or clearance only.")
@click.pass_context
@edge
def users_add(
    ctx: click.Context, name: str, role: str, clearance: str, password_env: str | None, keep_password: bool
) -> None:
    """Add a user, or change one (the first user must be an admin)."""
    password = None
    if password_env:
        password = environment_flag(password_env)
        if not password:
            _fail(f"the environment variable {password_env} is empty or unset: put the new password in it")
    elif not keep_password:
        password = click.prompt(f"password for {name}", hide_input=True, confirmation_prompt=True)
    directory = save_user(_settings(ctx), User(name=name, role=role, clearance=clearance), password)
    click.echo(f"{name}: {role}, clearance {clearance} (saved in {directory.path})")


@users.command("list")
@click.pass_context
@edge
def users_list(ctx: click.Context) -> None:
    """List the users with their roles and clearance."""
    directory = user_directory(_settings(ctx))
    for name in directory.names():
        user = directory.get(name)
        if user is not None:
            click.echo(f"{name}: {user.role}, clearance {user.clearance}")


def main() -> None:
    """Entry point of the ``lessons`` console script."""
    cli()


if __name__ == "__main__":
    main()
