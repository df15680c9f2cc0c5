"""The ``lessons`` command line: parse arguments, call a service, print what it returns.

Library errors become words here (and in the Streamlit app), nowhere else.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import click

from search.errors import LessonsError, QueryError
from search.models import DOC_TYPES, SearchFilters, SearchResult
from search.settings import Settings, load_settings
from search.snippets import mark


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
@click.option("--sources", "sources_file", type=click.Path(path_type=Path, dir_okay=False),
              help="A sources.toml list of documents to download and index.")
@click.option("--prune", is_flag=True, help="Remove documents whose files have disappeared from the folders given.")
@click.option("--strict", is_flag=True, help="Exit non-zero when any file fails.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
@edge
def ingest(ctx: click.Context, paths: tuple[Path, ...], sources_file: Path | None, prune: bool,
           strict: bool, as_json: bool) -> None:
    """Index files and folders (PDF, DOCX, HTML, Markdown, text); unchanged files are skipped."""
    from ingest.service import IngestService

    if not paths and sources_file is None:
        raise click.UsageError("give files or folders to ingest, or --sources FILE")
    service = IngestService(_settings(ctx))
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
def _filters(doc_types: tuple[str, ...], publishers: tuple[str, ...], areas: tuple[str, ...],
             date_from: str | None, date_to: str | None) -> SearchFilters:
    from search.service import parse_date

    for doc_type in doc_types:
        if doc_type not in DOC_TYPES:
            raise QueryError(f"unknown document type {doc_type!r}: use one of {', '.join(DOC_TYPES)}")
    return SearchFilters(
        doc_types=doc_types, publishers=publishers, areas=areas,
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
            part for part in (
                f"p. {hit.page}" if hit.page else None,
                f"para {hit.paragraph}" if hit.paragraph else None,
                hit.section,
            ) if part
        )
        click.echo(f"{number}. {hit.title} [{hit.doc_type}, {hit.publisher or 'publisher unknown'}, "
                   f"{hit.published or 'undated'}] {where}")
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
@click.option("--mode", type=click.Choice(["hybrid", "keyword", "semantic"]), default="hybrid",
              show_default=True, help="Retrieval mode.")
@click.option("--queries", "queries_file", type=click.File("r"),
              help="Search each line of FILE ('-' for stdin); prints one JSON object per line.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@edge
def search(ctx: click.Context, query: str | None, top_k: int | None, doc_types: tuple[str, ...],
           publishers: tuple[str, ...], areas: tuple[str, ...], date_from: str | None,
           date_to: str | None, mode: str, queries_file: TextIO | None, as_json: bool) -> None:
    """Find the passages that answer QUERY, best first, with document, page and paragraph."""
    from search.service import SearchService

    if (query is None) == (queries_file is None):
        raise click.UsageError("give one QUERY, or --queries FILE (not both)")
    filters = _filters(doc_types, publishers, areas, date_from, date_to)
    service = SearchService(_settings(ctx))
    if queries_file is not None:
        _json_lines(queries_file, "query",
                    lambda text: service.search(text, top_k=top_k, filters=filters, mode=mode).as_dict())
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
    from search.service import SearchService

    documents = SearchService(_settings(ctx)).documents()
    if as_json:
        keys = ("doc_id", "title", "doc_type", "publisher", "published", "source", "pages", "chunks", "access")
        rows = [{key: doc.as_dict()[key] for key in keys} for doc in documents]
        click.echo(json.dumps({"documents": rows}, indent=2))
        return
    if not documents:
        click.echo("No documents indexed yet: run `lessons ingest FOLDER`.")
    for doc in documents:
        pages = f"{doc.pages} pages" if doc.pages else "no pages"
        click.echo(f"{doc.doc_id}\n    {doc.title} [{doc.doc_type}, {doc.publisher or '-'}, "
                   f"{doc.published or 'undated'}, {pages}, {doc.chunks} passages, {doc.access}]")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@edge
def stats(ctx: click.Context, as_json: bool) -> None:
    """Show counts and sizes of the store."""
    from search.service import SearchService

    numbers = SearchService(_settings(ctx)).stats()
    if as_json:
        click.echo(json.dumps(numbers.as_dict(), indent=2))
        return
    click.echo(f"{numbers.documents} documents, {numbers.chunks} passages, "
               f"{numbers.size_bytes / 1e6:.1f} MB in {numbers.data_dir} ({numbers.backend} store)")
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
    from search.service import SearchService

    service = SearchService(_settings(ctx))
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
    from search.service import SearchService

    problems = SearchService(_settings(ctx)).check()
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
        click.echo(f"  [{citation.n}] {citation.label}{edition} - {citation.publisher or 'publisher unknown'}, "
                   f"{citation.published or 'undated'}\n      \"{citation.quote}\"\n      {citation.source}"
                   f"{'#page=' + str(citation.page) if citation.page else ''}")


@cli.command()
@click.argument("question", required=False)
@click.option("--as-at", "as_at", help="Answer from the documents and editions in force on this date.")
@click.option("--type", "doc_types", multiple=True, help="Only this document type (repeatable).")
@click.option("--publisher", "publishers", multiple=True, help="Only this publisher (repeatable).")
@click.option("--questions", "questions_file", type=click.File("r"),
              help="Answer each line of FILE ('-' for stdin); prints one JSON object per line.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@edge
def ask(ctx: click.Context, question: str | None, as_at: str | None, doc_types: tuple[str, ...],
        publishers: tuple[str, ...], questions_file: TextIO | None, as_json: bool) -> None:
    """Answer QUESTION in a few cited sentences (document, page, paragraph), or say it is not found."""
    from search.service import SearchService, parse_date

    if (question is None) == (questions_file is None):
        raise click.UsageError("give one QUESTION, or --questions FILE (not both)")
    date = parse_date(as_at, "--as-at") if as_at else None
    filters = _filters(doc_types, publishers, (), None, None)
    service = SearchService(_settings(ctx))
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
@click.option("--beir", "beir_folder", type=click.Path(path_type=Path),
              help="A BEIR-format folder: corpus.jsonl(.gz), queries.jsonl(.gz), qrels/<split>.tsv.")
@click.option("--split", default="test", show_default=True, help="Which qrels/<split>.tsv to score against.")
@click.option("--max-docs", type=click.IntRange(1), help="Index at most this many documents (judged ones always kept).")
@click.option("--max-queries", type=click.IntRange(1), help="Score a random sample of this many queries.")
@click.option("--modes", default="hybrid,keyword,semantic", show_default=True,
              help="Comma-separated retrieval modes to score.")
@click.option("--data-dir", "eval_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Keep the evaluation store here (reused when it holds the same corpus); default: a temporary folder.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@edge
def evaluate(ctx: click.Context, questions: Path | None, beir_folder: Path | None, split: str, max_docs: int | None, max_queries: int | None,
             modes: str, eval_dir: Path | None, as_json: bool) -> None:
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
        click.echo(f"{row.mode:<10}{row.scores.ndcg_at_10:>9.4f}{row.scores.recall_at_100:>12.4f}"
                   f"{row.scores.queries:>9}{report.documents:>8}{row.seconds:>9.1f}")


def _evaluate_questions(ctx: click.Context, questions: Path, as_json: bool) -> None:
    from search.evaluation.questions import evaluate_questions
    from search.service import SearchService

    report = evaluate_questions(SearchService(_settings(ctx)), questions)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
        return
    click.echo(f"{report.name}: support threshold {report.threshold}")
    for name, value in report.scores().items():
        click.echo(f"  {name:<28}{value if value is not None else '-'}")
    calibration = report.as_dict()["calibration"]
    click.echo(f"  suggested threshold          {calibration['threshold']} "  # type: ignore[index]
               f"(balanced accuracy {calibration['balanced_accuracy']})")  # type: ignore[index]


def main() -> None:
    """Entry point of the ``lessons`` console script."""
    cli()


if __name__ == "__main__":
    main()
