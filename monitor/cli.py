"""Command line: a thin skin over the library; parses options, calls one function, reports errors."""

from __future__ import annotations

import dataclasses
import functools
import getpass
import json
import logging
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import click
from click.core import ParameterSource

from db.database import open_database
from monitor.config import (
    DEFAULT_DATABASE,
    DEFAULT_FEEDS,
    DEFAULT_MODEL,
    MODEL_VARIABLE,
    OLD_DEFAULT_DATABASE,
    Config,
    ConfigError,
    check_scheduler,
    load_config,
    resolve_model,
)

LOGGER = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def friendly_errors(function: Callable) -> Callable:
    """Turn the library's expected errors into one `error:` line and the right exit code."""
    from db.reviews import NoSuchClaim, ReviewRefused
    from extractors.errors import ModelNotInstalled
    from monitor.cluster import ClusterUnavailable
    from monitor.lock import AlreadyRunning
    from review.accounts import AccountError

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except ConfigError as error:
            _fail(str(error), EXIT_USAGE)
        except (ModelNotInstalled, FileNotFoundError, PermissionError, AlreadyRunning, ClusterUnavailable) as error:
            _fail(str(error), EXIT_FAILED)
        except (AccountError, ReviewRefused) as error:
            _fail(str(error), EXIT_USAGE)
        except NoSuchClaim as error:
            _fail(str(error), EXIT_FAILED)

    return wrapper


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def db_option(function: Callable) -> Callable:
    return click.option(
        "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), envvar="CLAIMWATCH_DB",
        default=DEFAULT_DATABASE, callback=_not_left_behind,
        show_default=f"$CLAIMWATCH_DB or {DEFAULT_DATABASE}", help="SQLite database file.",
    )(function)


def _not_left_behind(context: click.Context, parameter: click.Parameter, db_path: Path) -> Path:
    """Refuse to start an empty default database while the one from before the move sits at its old path."""
    if (context.get_parameter_source(parameter.name) is ParameterSource.DEFAULT and not db_path.exists()
            and OLD_DEFAULT_DATABASE.exists()):
        raise click.BadParameter(
            f"the default database is now {db_path}, but yours is at {OLD_DEFAULT_DATABASE}: move it with "
            f"`mkdir -p {db_path.parent} && mv {OLD_DEFAULT_DATABASE.parent}/claimwatch.* {db_path.parent}/` "
            f"or pass --db {OLD_DEFAULT_DATABASE}", context, parameter)
    return db_path


def feeds_option(function: Callable) -> Callable:
    return click.option(
        "--feeds", "feeds_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_FEEDS,
        show_default=True, help="Feeds file (YAML).",
    )(function)


def workers_option(function: Callable) -> Callable:
    return click.option(
        "--workers", type=click.IntRange(min=1),
        help="Processes that extract text and claims (default: extract_workers in the feeds file, else 1).",
    )(function)


def scheduler_option(function: Callable) -> Callable:
    return click.option(
        "--scheduler", callback=_check_scheduler, metavar="ADDRESS",
        help="Extract on a Dask cluster: tcp://HOST:8786, or local:N to start N worker processes here "
             "(default: scheduler in the feeds file, else this machine; docs/scaling.md).",
    )(function)


def _check_scheduler(context: click.Context, parameter: click.Parameter, value: str | None) -> str | None:
    try:
        return None if value is None else check_scheduler(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from error


def _with_placement(config: Config, workers: int | None, scheduler: str | None) -> Config:
    """The configuration with `--workers` and `--scheduler` over the feeds file's settings."""
    changes = {"extract_workers": workers, "scheduler": scheduler}
    changes = {key: value for key, value in changes.items() if value is not None}
    return dataclasses.replace(config, defaults=dataclasses.replace(config.defaults, **changes)) if changes else config


def _optional_config(feeds_path: Path) -> Config:
    """The feeds file when it exists, for its defaults; a command that crawls no feed runs without one."""
    return load_config(feeds_path) if feeds_path.exists() else Config(path=feeds_path)


def model_option(function: Callable) -> Callable:
    return click.option(
        "--model", help=f"spaCy model package or path [default: ${MODEL_VARIABLE}, else `model` in the feeds "
                        f"file's defaults, else {DEFAULT_MODEL}]",
    )(function)


def _with_model(config: Config, model: str | None) -> Config:
    resolved = resolve_model(model, config.defaults)
    return dataclasses.replace(config, defaults=dataclasses.replace(config.defaults, model=resolved))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="claimwatch")
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
def cli(verbose: bool) -> None:
    """claimwatch: monitor news feeds and extract the quantitative claims in them."""
    level = logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    # SIGTERM (systemd, kill) unwinds like Ctrl-C, so a crawl closes its run as interrupted.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop_on_sigterm)


@cli.command()
@feeds_option
@db_option
@workers_option
@scheduler_option
@model_option
@click.option("--since", help="Only entries dated on or after this date (YYYY-MM-DD); overrides `since` in the "
                              "feeds file.")
@friendly_errors
def crawl(feeds_path: Path, db_path: Path, workers: int | None, scheduler: str | None, model: str | None,
          since: str | None) -> None:
    """Crawl every enabled feed once and store new articles and their claims.

    Example: claimwatch crawl --feeds feeds.yaml --db data/claimwatch.db --since 2026-11-01
    """
    from monitor.crawl import run_crawl

    if since is not None:
        _check_date(since)
    config = _with_model(_with_placement(load_config(feeds_path), workers, scheduler), model)
    if since is not None:
        config = config.with_since(since)
    summary = run_crawl(config, db_path, _progress())
    _print_summary(summary, db_path)
    sys.exit(EXIT_FAILED if summary.feeds_failed else EXIT_OK)


@cli.command()
@click.option("--since", help="Only articles fetched on or after this date (YYYY-MM-DD).")
@click.option("--all", "everything", is_flag=True, help="Also articles already at the current extractor version.")
@db_option
@feeds_option
@model_option
@workers_option
@scheduler_option
@friendly_errors
def reprocess(since: str | None, everything: bool, db_path: Path, feeds_path: Path, model: str | None,
              workers: int | None, scheduler: str | None) -> None:
    """Re-extract stored articles from their archived pages with the current extractor.

    Reviewers' verdicts are kept: a claim that still comes out keeps its id and status. No network
    is needed, so the work can go to a Dask cluster (--scheduler).

    Example: claimwatch reprocess --since 2026-01-01 --db data/claimwatch.db --scheduler local:2
    """
    from monitor.reprocess import reprocess as reprocess_articles

    if since is not None:
        _check_date(since)
    defaults = _with_placement(_optional_config(feeds_path), workers, scheduler).defaults
    summary = reprocess_articles(db_path, resolve_model(model, defaults), since=since, everything=everything,
                                 workers=defaults.extract_workers, scheduler=defaults.scheduler)
    for error in summary.errors:
        click.echo(f"error: {error}", err=True)
    changes = ", ".join(f"{count} {what}" for what, count in sorted(summary.claims.items())) or "no claims"
    click.echo(f"reprocessed {summary.articles} articles ({summary.from_archive} from archived pages): {changes}")
    sys.exit(EXIT_FAILED if summary.errors else EXIT_OK)


@cli.command()
@feeds_option
@db_option
@click.option("--at", "at_time", help="Time of day, HH:MM (default: crawl_time in the feeds file).")
@click.option("--max-runs", type=click.IntRange(min=1), help="Stop after this many crawls (for testing).")
@model_option
@friendly_errors
def schedule(feeds_path: Path, db_path: Path, at_time: str | None, max_runs: int | None, model: str | None) -> None:
    """Crawl every day at a set time, in the foreground; a missed run is caught up on start.

    The feeds file is read again before each crawl. Only one scheduler runs per database; see
    docs/scheduling.md for cron and systemd alternatives.

    Example: claimwatch schedule --at 06:30 --feeds feeds.yaml --db data/claimwatch.db
    """
    from monitor.crawl import run_crawl
    from monitor.schedule import Scheduler, parse_time

    config = load_config(feeds_path)
    try:
        at = parse_time(at_time or config.defaults.crawl_time)
    except ValueError as error:
        raise ConfigError(f"{'--at' if at_time else f'{feeds_path}: defaults: crawl_time'}: {error}") from error

    def crawl_once() -> None:
        summary = run_crawl(_with_model(load_config(feeds_path), model), db_path, _progress())
        _print_summary(summary, db_path)

    Scheduler(db_path, at, crawl_once).run(max_runs)


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@feeds_option
@db_option
@workers_option
@scheduler_option
@model_option
@click.option("--follow-symlinks", is_flag=True,
              help="Also read files and folders that symlinks lead to outside FOLDER (left out by default).")
@friendly_errors
def ingest(folder: Path, feeds_path: Path, db_path: Path, workers: int | None, scheduler: str | None,
           model: str | None, follow_symlinks: bool) -> None:
    """Load a folder of saved pages (.html, .htm, .txt) through the pipeline.

    Settings (model, size limits) come from the feeds file's defaults when it exists. A symlink
    that leads outside the folder is left out unless --follow-symlinks is given.

    Example: claimwatch ingest ~/saved-pages --db data/claimwatch.db
    """
    from monitor.crawl import ingest_folder

    config = _with_model(_with_placement(_optional_config(feeds_path), workers, scheduler), model)
    summary = ingest_folder(folder, db_path, config, follow_symlinks=follow_symlinks)
    _print_summary(summary, db_path)


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--format", "output_format", type=click.Choice(["jsonl", "table"]), default="table",
              show_default=True)
@click.option("--quantities", is_flag=True, help="Also print every quantity mention before claim filtering.")
@feeds_option
@model_option
@friendly_errors
def extract(sources: tuple[str, ...], output_format: str, quantities: bool, feeds_path: Path,
            model: str | None) -> None:
    """Extract claims from pages, text files or URLs, without touching a database.

    Example: claimwatch extract article.html https://example.org/story --format jsonl
    """
    from monitor.extract import extract_sources

    failed = 0
    model = resolve_model(model, _optional_config(feeds_path).defaults)
    for number, result in enumerate(extract_sources(sources, model=model)):
        if result.error:
            failed += 1
            # A fetch error already starts with what it fetched; the source is named once.
            click.echo(f"error: {result.source}: {result.error.removeprefix(f'{result.source}: ')}", err=True)
            continue
        records = list(result.records(with_quantities=quantities))
        if output_format == "jsonl":
            for record in records:
                click.echo(json.dumps(record, ensure_ascii=False))
            continue
        if len(sources) > 1:
            click.echo(f"{'' if number == 0 else chr(10)}== {result.source} ==")
        for line in _table(records):
            click.echo(line)
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


@cli.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also learn from the reviewers' verdicts in this database.")
@click.option("--corpus", type=click.Path(file_okay=False, path_type=Path),
              help="Folder of the labelled articles' texts (default: $CLAIMWATCH_CORPUS or ../shared/corpus/html; "
                   "the PolNeAR texts: $CLAIMWATCH_POLNEAR or ../shared/eval/polnear-train).")
@feeds_option
@model_option
@friendly_errors
def train(db_path: Path | None, corpus: Path | None, feeds_path: Path, model: str | None) -> None:
    """Retrain the claim classifier (models/claim_classifier.json and models/CARD.md).

    Example: claimwatch train --db data/claimwatch.db
    """
    from monitor.train import retrain

    report = retrain(resolve_model(model, _optional_config(feeds_path).defaults), db_path, corpus)
    cv = report.cross_validation
    click.echo(f"trained on {report.examples} examples ({report.positives} claims, {report.negatives} not); "
               f"{cv.folds}-fold CV at threshold {cv.threshold:.2f}: precision {cv.precision:.3f}, "
               f"recall {cv.recall:.3f}, F1 {cv.f1:.3f}, {cv.non_claims_dropped:.0%} of non-claims dropped")
    click.echo(f"wrote {report.model_path} and {report.card_path}")


@cli.command()
@click.argument("site")
@feeds_option
@friendly_errors
def discover(site: str, feeds_path: Path) -> None:
    """Print the feeds and sitemaps a site offers, to choose from for feeds.yaml.

    Reads the home page's <link rel="alternate"> feeds, robots.txt's Sitemap: lines and common sitemap
    paths, through the same safe fetcher as a crawl (settings from the feeds file when it exists).

    Example: claimwatch discover www.example.com
    """
    from monitor.discover import discover as discover_site
    from monitor.fetch import FetchError

    defaults = _optional_config(feeds_path).defaults
    try:
        candidates = discover_site(site, defaults.fetch)
    except FetchError as error:
        _fail(f"cannot read the home page: {error}", EXIT_FAILED)
    for candidate in candidates:
        click.echo(f"{candidate.kind:8} {candidate.url}  ({candidate.found_in})")
    if not candidates:
        click.echo(f"no feeds or sitemaps found for {site}", err=True)
        sys.exit(EXIT_FAILED)


@cli.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@friendly_errors
def stats(db_path: Path, as_json: bool) -> None:
    """Show totals, the last crawl, feeds whose last fetch failed, and failing pages with their reasons."""
    from db.database import open_database
    from db.database import stats as database_stats

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
    click.echo(f"paywalled teasers stored without claims: {figures['paywalled_teasers']}")
    for feed in figures["failing_feeds"]:
        click.echo(f"failing feed {feed['name']} ({feed['failures']} failures in a row, last {feed['at']}, "
                   f"next try after {feed['retry_after']}): {feed['error']}")
    _print_failing_pages(figures["failing_pages"])


def _print_failing_pages(pages: dict) -> None:
    if not pages["total"]:
        return
    kinds = ", ".join(f"{kind} {count:,}" for kind, count in pages["by_kind"].items())
    click.echo(f"failing pages: {pages['total']:,} ({kinds}); the latest:")
    for page in pages["latest"]:
        click.echo(f"failing page {page['url']} ({page['kind']}, {page['failures']} failures in a row, "
                   f"last {page['last_failed_at']}, next try after {page['retry_after']}): {page['reason']}")
    if pages["total"] > len(pages["latest"]):
        click.echo(f"… and {pages['total'] - len(pages['latest']):,} more in the page_failures table")


@cli.command()
@db_option
@click.option("--status", type=click.Choice(["pending", "verified", "rejected", "needs_correction", "retracted"]))
@click.option("--speaker", help="Only claims whose speaker contains this text.")
@click.option("--attributed", is_flag=True, help="Only claims the article attributes to somebody.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--format", "output_format", type=click.Choice(["table", "jsonl"]), default="table",
              show_default=True)
@friendly_errors
def claims(db_path: Path, status: str | None, speaker: str | None, attributed: bool, limit: int,
           output_format: str) -> None:
    """List stored claims, newest first.

    Example: claimwatch claims --speaker police --limit 20
    """
    from db.articles import list_claims

    if not db_path.exists():
        raise FileNotFoundError(f"{db_path}: no such database (run `claimwatch crawl` first)")
    found = list_claims(open_database(db_path), status=status, speaker=speaker, limit=limit, attributed=attributed)
    for claim in found:
        if output_format == "jsonl":
            click.echo(json.dumps(claim, ensure_ascii=False))
        else:
            click.echo(f"#{claim['id']:<5} {_claim_columns(claim)}  {claim['article_title'] or ''}")
            click.echo(f"       {_short(claim['sentence'])}")


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on; keep 127.0.0.1 behind an HTTPS proxy (docs/review.md).")
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True)
@click.option("--two-reviewers", is_flag=True, help="A claim counts as verified only once two reviewers agree.")
@friendly_errors
def serve(db_path: Path, host: str, port: int, two_reviewers: bool) -> None:
    """Explore the claims in Datasette; signed-in reviewers give verdicts at the desk (/-/review).

    Anyone who can reach the server may read and export; only reviewers (`claimwatch reviewer add`)
    may write, and only through the desk's routes.

    Example: claimwatch serve --db data/claimwatch.db --port 8001
    """
    from review.server import serve as serve_datasette

    _require_database(db_path)
    serve_datasette(db_path, host, port, two_reviewers)


@cli.group()
def reviewer() -> None:
    """Manage reviewer accounts (kept hashed in DB.reviewers.json beside the database)."""


@reviewer.command("add")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@db_option
@friendly_errors
def reviewer_add(name: str, password_stdin: bool, db_path: Path) -> None:
    """Create a reviewer who may sign in to `claimwatch serve`, or give one a new password.

    Example: claimwatch reviewer add alice --db data/claimwatch.db
    """
    from review.accounts import accounts_path, add_reviewer

    # Off a terminal there is nothing to hide the typing from (getpass would only warn): read the first line.
    if password_stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    is_new = add_reviewer(accounts_path(db_path), name, password)
    click.echo(f"{'added reviewer' if is_new else 'new password for'} {name} ({accounts_path(db_path)})")


@reviewer.command("remove")
@click.argument("name")
@db_option
@friendly_errors
def reviewer_remove(name: str, db_path: Path) -> None:
    """Delete a reviewer's account at once; the reviews they gave stay, signed with their name."""
    from review.accounts import accounts_path, remove_reviewer

    remove_reviewer(accounts_path(db_path), name)
    click.echo(f"removed reviewer {name}")


@reviewer.command("list")
@db_option
@friendly_errors
def reviewer_list(db_path: Path) -> None:
    """Print the reviewers' names."""
    from review.accounts import accounts_path, load_accounts

    for name in load_accounts(accounts_path(db_path)):
        click.echo(name)


@cli.group()
def review() -> None:
    """Review claims from the terminal, recorded like verdicts given in Datasette."""


@review.command("list")
@db_option
@click.option("--status", type=click.Choice(["pending", "verified", "rejected", "needs_correction", "retracted"]),
              default="pending", show_default=True)
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--format", "output_format", type=click.Choice(["table", "jsonl"]), default="table",
              show_default=True)
@friendly_errors
def review_list(db_path: Path, status: str, limit: int, output_format: str) -> None:
    """The review queue: claims with this status, highest score first.

    Example: claimwatch review list --limit 20
    """
    from db.articles import list_claims

    for claim in list_claims(_require_database(db_path), status=status, limit=limit, order="score"):
        click.echo(json.dumps(claim, ensure_ascii=False) if output_format == "jsonl" else _queue_line(claim))


def reviewer_option(function: Callable) -> Callable:
    return click.option(
        "--reviewer", default=getpass.getuser, show_default="your login name",
        help="The name the verdict is signed with.",
    )(function)


@review.command("verify")
@click.argument("claim_id", type=int)
@click.option("--note", help="Why, or where you checked.")
@reviewer_option
@db_option
@friendly_errors
def review_verify(claim_id: int, note: str | None, reviewer: str, db_path: Path) -> None:
    """Mark a claim verified.

    Example: claimwatch review verify 42 --note "matches the police press release"
    """
    _give_verdict(db_path, claim_id, "verified", reviewer, note)


@review.command("reject")
@click.argument("claim_id", type=int)
@click.option("--note", help="Why the claim is wrong or not a claim.")
@reviewer_option
@db_option
@friendly_errors
def review_reject(claim_id: int, note: str | None, reviewer: str, db_path: Path) -> None:
    """Mark a claim rejected.

    Example: claimwatch review reject 42 --note "a date, not a count"
    """
    _give_verdict(db_path, claim_id, "rejected", reviewer, note)


@review.command("correct")
@click.argument("claim_id", type=int)
@click.option("--value", help="The value that is right (1250, 17.5).")
@click.option("--unit", help="The unit that is right (USD, percent, kilometer).")
@click.option("--change", type=click.Choice(["=", "~", ">", "<", "up", "down"]), help="The change that is right.")
@click.option("--subject", help="What is really counted.")
@click.option("--speaker", help="Who really said it.")
@click.option("--note", help="Where the right values come from.")
@reviewer_option
@db_option
@friendly_errors
def review_correct(claim_id: int, note: str | None, reviewer: str, db_path: Path, **fields: str | None) -> None:
    """Mark a claim as needing correction, with the fields that are right; the extractor's values stay.

    Example: claimwatch review correct 42 --value 1250 --speaker "the health ministry"
    """
    from db.reviews import add_review

    corrections = {field: value for field, value in fields.items() if value is not None}
    if not corrections:
        raise click.UsageError("give at least one of --value, --unit, --change, --subject, --speaker")
    row = add_review(_require_database(db_path), claim_id, "needs_correction", reviewer, note,
                     corrections=corrections)
    click.echo(_review_line(row))


@review.command("history")
@click.argument("claim_id", type=int)
@db_option
@friendly_errors
def review_history(claim_id: int, db_path: Path) -> None:
    """Every verdict a claim has had, oldest first."""
    from db.reviews import claim_reviews, require_claim

    db = _require_database(db_path)
    require_claim(db, claim_id)
    rows = claim_reviews(db, claim_id)
    if not rows:
        click.echo(f"claim #{claim_id}: no reviews yet")
    for row in rows:
        click.echo(_review_line(row))


def _give_verdict(db_path: Path, claim_id: int, verdict: str, reviewer: str, note: str | None) -> None:
    from db.reviews import add_review

    row = add_review(_require_database(db_path), claim_id, verdict, reviewer, note)
    click.echo(_review_line(row))


def _require_database(db_path: Path):
    if not db_path.exists():
        raise FileNotFoundError(f"{db_path}: no such database (run `claimwatch crawl` first)")
    return open_database(db_path)


def _queue_line(claim: dict) -> str:
    score = "-" if claim["score"] is None else f"{claim['score']:.2f}"
    return (f"#{claim['id']:<5} {score:>4} {claim['text']!s:22.22} {claim['kind']:8} "
            f"{claim['speaker'] or '-'!s:24.24} {claim['sentence'][:70]}")


def _review_line(row: dict) -> str:
    from db.reviews import CORRECTABLE

    fixes = "".join(f" {field}={_shown(row[f'corrected_{field}'])}" for field in CORRECTABLE
                    if row.get(f"corrected_{field}") is not None)
    undo = f" (undoes review #{row['undoes']})" if row.get("undoes") else ""
    note = f" — {row['note']}" if row["note"] and not undo else ""
    return (f"claim #{row['claim_id']} {row['verdict']}{fixes} by {row['reviewer']} at {row['reviewed_at']}"
            f"{undo}{note}")


def _shown(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return f"{value!r}" if isinstance(value, str) and " " in value else str(value)


def _progress():
    from monitor.progress import Progress

    # Off a terminal (cron, systemd) the progress is log lines, which need INFO to be seen.
    if not sys.stderr.isatty():
        logging.getLogger("monitor.progress").setLevel(logging.INFO)
    return Progress.for_stream(sys.stderr)


def _check_date(value: str) -> None:
    from datetime import date

    try:
        date.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(f"{value!r} is not a date like 2026-01-31", param_hint="--since") from error


def _print_summary(summary, db_path: Path) -> None:
    from monitor.problems import count_by_kind, summarise

    # Thousands of failures of one cause print as a few examples and a count, not a line each.
    for line in summarise(summary.errors, summary.error_kinds):
        click.echo(f"error: {line}", err=True)
    if summary.errors:
        click.echo(f"errors by kind: {count_by_kind(summary.error_kinds)}", err=True)
    click.echo(
        f"crawl #{summary.run_id}: {summary.feeds_total} feeds ({summary.feeds_failed} failed, "
        f"{summary.feeds_unchanged} unchanged, {summary.feeds_skipped} backing off), "
        f"{summary.entries_seen} entries ({summary.entries_too_old} older than the date bound, not fetched; "
        f"{summary.pages_skipped} pages backing off after failures), "
        f"{summary.articles_new} new articles, {summary.claims_new} claims, "
        f"{len(summary.errors)} errors → {db_path}"
    )


TABLE_HEADER = ("record", "mention", "kind", "change", "amount", "unit", "speaker", "subject or quote")


def _table(records: list[dict]) -> list[str]:
    """Extract's table: a header and one row per record, columns as wide as their widest value, nothing cut."""
    rows = [TABLE_HEADER, *(_table_row(record) for record in records)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(TABLE_HEADER) - 1)]
    lines = ["  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[-1]]).rstrip()
             for row in rows]
    return [lines[0], "  ".join("-" * width for width in [*widths, len(TABLE_HEADER[-1])]), *lines[1:]]


def _table_row(record: dict) -> tuple[str, ...]:
    if record["record"] == "quote":
        return ("quote", "-", "-", "-", "-", "-", record.get("speaker") or "-", record["text"])
    return (record["record"], record["text"], record["kind"], record["change"], _amount(record),
            record.get("unit") or "-", record.get("speaker") or "-", record.get("subject") or "-")


def _short(sentence: str, limit: int = 110) -> str:
    """A sentence whole when it fits, else cut at a word with an ellipsis."""
    sentence = " ".join(sentence.split())
    if len(sentence) <= limit:
        return sentence
    return sentence[:limit].rsplit(" ", 1)[0] + " …"


def _claim_columns(claim: dict) -> str:
    return (f"{claim['text']!s:24.24} {claim['kind']:8} {claim['change']:4} {_amount(claim):>14.14}  "
            f"{claim['speaker'] or '-'!s:26.26}")


def _amount(record: dict) -> str:
    if record["value"] is not None:
        return f"{record['value']:,.10g}"
    if record["low"] is not None and record["high"] is not None:
        return f"{record['low']:,.10g}–{record['high']:,.10g}"
    return "-"
