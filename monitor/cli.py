"""Command line: a thin skin over the library; parses options, calls one function, reports errors."""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

import click

from db.store import open_database
from monitor.config import DEFAULT_DATABASE, DEFAULT_FEEDS, DEFAULT_MODEL, Config, ConfigError, load_config

LOGGER = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def friendly_errors(function: Callable) -> Callable:
    """Turn the library's expected errors into one `error:` line and the right exit code."""
    from extractors.nlp import ModelNotInstalled

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except ConfigError as error:
            _fail(str(error), EXIT_USAGE)
        except (ModelNotInstalled, FileNotFoundError, PermissionError) as error:
            _fail(str(error), EXIT_FAILED)

    return wrapper


def _fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def db_option(function: Callable) -> Callable:
    return click.option(
        "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
        default=lambda: os.environ.get("CLAIMWATCH_DB", str(DEFAULT_DATABASE)),
        show_default=f"$CLAIMWATCH_DB or {DEFAULT_DATABASE}", help="SQLite database file.",
    )(function)


def feeds_option(function: Callable) -> Callable:
    return click.option(
        "--feeds", "feeds_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_FEEDS,
        show_default=True, help="Feeds file (YAML).",
    )(function)


def model_option(function: Callable) -> Callable:
    return click.option(
        "--model", default=lambda: os.environ.get("CLAIMWATCH_MODEL", DEFAULT_MODEL),
        show_default=f"$CLAIMWATCH_MODEL or {DEFAULT_MODEL}", help="spaCy model package or path.",
    )(function)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="claimwatch")
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
def cli(verbose: bool) -> None:
    """claimwatch: monitor news feeds and extract the quantitative claims in them."""
    level = logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


@cli.command()
@feeds_option
@db_option
@friendly_errors
def crawl(feeds_path: Path, db_path: Path) -> None:
    """Crawl every enabled feed once and store new articles and their claims.

    Example: claimwatch crawl --feeds feeds.yaml --db db/claimwatch.db
    """
    from monitor.crawl import run_crawl

    summary = run_crawl(load_config(feeds_path), db_path)
    _print_summary(summary, db_path)
    sys.exit(EXIT_FAILED if summary.feeds_failed else EXIT_OK)


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@feeds_option
@db_option
@friendly_errors
def ingest(folder: Path, feeds_path: Path, db_path: Path) -> None:
    """Load a folder of saved pages (.html, .htm, .txt) through the pipeline.

    Settings (model, size limits) come from the feeds file's defaults when it exists.

    Example: claimwatch ingest ~/saved-pages --db db/claimwatch.db
    """
    from monitor.crawl import ingest_folder

    config = load_config(feeds_path) if feeds_path.exists() else Config(path=feeds_path)
    summary = ingest_folder(folder, db_path, config)
    _print_summary(summary, db_path)


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--format", "output_format", type=click.Choice(["jsonl", "table"]), default="table",
              show_default=True)
@click.option("--quantities", is_flag=True, help="Also print every quantity mention before claim filtering.")
@model_option
@friendly_errors
def extract(sources: tuple[str, ...], output_format: str, quantities: bool, model: str) -> None:
    """Extract claims from pages, text files or URLs, without touching a database.

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
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


@cli.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@friendly_errors
def stats(db_path: Path, as_json: bool) -> None:
    """Show totals, the last crawl, and feeds whose last fetch failed."""
    from db.store import open_database
    from db.store import stats as database_stats

    if not db_path.exists():
        raise FileNotFoundError(f"{db_path}: no such database (run `claimwatch crawl` first)")
    figures = database_stats(open_database(db_path))
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    click.echo(f"articles {figures['articles']}, claims {figures['claims']}, quotes {figures['quotes']}, "
               f"feeds {figures['feeds']}")
    click.echo("claims by status: " + ", ".join(f"{k} {v}" for k, v in figures["claims_by_status"].items()))
    last = figures["last_run"]
    if last:
        click.echo(f"last crawl #{last['id']}: {last['started_at']} → {last['finished_at'] or '(running)'}, "
                   f"{last['articles_new']} new articles, {last['claims_new']} claims, {last['errors']} errors")
    for feed in figures["failing_feeds"]:
        click.echo(f"failing feed {feed['name']} (since {feed['at']}): {feed['error']}")


@cli.command()
@db_option
@click.option("--status", type=click.Choice(["pending", "verified", "rejected", "needs_correction", "retracted"]))
@click.option("--speaker", help="Only claims whose speaker contains this text.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--format", "output_format", type=click.Choice(["table", "jsonl"]), default="table",
              show_default=True)
@friendly_errors
def claims(db_path: Path, status: str | None, speaker: str | None, limit: int, output_format: str) -> None:
    """List stored claims, newest first.

    Example: claimwatch claims --speaker police --limit 20
    """
    from db.store import list_claims

    if not db_path.exists():
        raise FileNotFoundError(f"{db_path}: no such database (run `claimwatch crawl` first)")
    for claim in list_claims(open_database(db_path), status=status, speaker=speaker, limit=limit):
        if output_format == "jsonl":
            click.echo(json.dumps(claim, ensure_ascii=False))
        else:
            click.echo(f"#{claim['id']:<5} {claim['text']!s:22.22} {claim['kind']:8} {claim['change']:4} "
                       f"{claim['speaker'] or '-'!s:26.26} {claim['sentence'][:70]}")


def _print_summary(summary, db_path: Path) -> None:
    for error in summary.errors:
        click.echo(f"error: {error}", err=True)
    click.echo(
        f"crawl #{summary.run_id}: {summary.feeds_total} feeds ({summary.feeds_failed} failed), "
        f"{summary.entries_seen} entries, {summary.articles_new} new articles, {summary.claims_new} claims, "
        f"{len(summary.errors)} errors → {db_path}"
    )


def _row(record: dict) -> str:
    if record["record"] == "quote":
        return f"quote     {record['speaker']!s:28.28} {record['text'][:90]}"
    return (
        f"{record['record']:9} {record['text']!s:24.24} {record['kind']:8} {record['change']:4} "
        f"{record['value']!s:>12.12}  {record['speaker'] or '-'!s:28.28} {record['subject'] or ''}"
    )
