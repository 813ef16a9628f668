"""Command line: a thin skin over the library; parses options, calls one function, reports errors."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import click

from monitor import config

LOGGER = logging.getLogger(__name__)


def _model_option(function):
    return click.option(
        "--model",
        default=lambda: os.environ.get("CLAIMWATCH_MODEL", config.DEFAULT_MODEL),
        show_default="$CLAIMWATCH_MODEL or " + config.DEFAULT_MODEL,
        help="spaCy model package or path.",
    )(function)


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
def cli(verbose: bool) -> None:
    """claimwatch: monitor news feeds and extract the quantitative claims in them."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s")


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--format", "output_format", type=click.Choice(["jsonl", "table"]), default="table")
@click.option("--quantities", is_flag=True, help="Also print every quantity mention before claim filtering.")
@_model_option
def extract(sources: tuple[str, ...], output_format: str, quantities: bool, model: str) -> None:
    """Extract claims from pages or text files, without touching a database.

    Example: claimwatch extract article.html https://example.org/story --format jsonl
    """
    from monitor.pipeline import extract_sources

    failed = 0
    for result in extract_sources(sources, model=model):
        if result.error:
            failed += 1
            click.echo(f"error: {result.source}: {result.error}", err=True)
            continue
        for record in result.records(with_quantities=quantities):
            click.echo(json.dumps(record, ensure_ascii=False) if output_format == "jsonl" else _row(record))
    sys.exit(1 if failed else 0)


def _row(record: dict) -> str:
    if record["record"] == "quote":
        return f"quote     {record['speaker']!s:28.28} {record['text'][:90]}"
    return (
        f"{record['record']:9} {record['text']!s:24.24} {record['kind']:8} {record['change']:4} "
        f"{record['value']!s:>12.12}  {record['speaker'] or '-'!s:28.28} {record['subject'] or ''}"
    )


def main() -> None:
    """Entry point that turns our own errors into one clean line."""
    cli(prog_name="claimwatch")


if __name__ == "__main__":
    main()
