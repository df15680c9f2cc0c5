"""``make demo``'s main job: a scripted search over the sample corpus, then questions of your own.

No logic here: it asks SearchService and prints what comes back through the CLI's printer.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from search.errors import LessonsError
from search.settings import load_settings
from ui.cli import _print_result

SAMPLE_QUESTIONS = (
    "what happened when schools reported a pupil sexually assaulted by another pupil?",
    "recommendations about recording why the MASH made its decisions",
    "how quickly must the hub decide what to do about a referral?",
    "how often does the designated safeguarding lead need refresher training?",
)


@click.command()
@click.option("--data-dir", type=click.Path(path_type=Path), required=True, help="The store folder.")
def main(data_dir: Path) -> None:
    """Run sample questions, then read questions from the terminal until an empty line."""
    from search.service import SearchService

    try:
        service = SearchService(load_settings({"data_dir": data_dir}))
        click.echo(f"Lessons demo: {service.stats().documents} documents indexed in {data_dir}.\n")
        for question in SAMPLE_QUESTIONS:
            click.echo(click.style(f"? {question}", bold=True))
            _print_result(service.search(question, top_k=3), colour=sys.stdout.isatty())
            click.echo()
        if not sys.stdin.isatty():
            return
        while question := click.prompt("Your question (empty to stop)", default="", show_default=False).strip():
            _print_result(service.search(question, top_k=5), colour=True)
            click.echo()
    except LessonsError as exc:
        click.echo(f"lessons: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
