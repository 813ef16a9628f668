"""The claimwatch Datasette plugin (entry point `claimwatch_review`): metadata, sign-in, who may write, the desk."""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import sqlite_utils
from datasette import hookimpl
from datasette.database import Database
from datasette.utils.asgi import Response
from itsdangerous import BadSignature
from markupsafe import Markup, escape

from db.agreement import awaiting_second_verdict, pair_agreement, throughput
from db.articles import load_page
from db.database import open_database
from db.desk import claim_spans
from db.reviews import CORRECTABLE, NoSuchClaim, ReviewRefused, claim_for_review, claim_reviews
from review import desk
from review.accounts import accounts_path, authenticate, load_accounts
from review.display import corrected_cell, corrections_cell, format_number, highlighted_paragraphs, safe_url
from review.facets import CountedArrayFacet, CountedColumnFacet
from review.guard import guard_posts
from review.metadata import datasette_metadata
from review.sessions import SESSION_COOKIE, Sessions
from review.throttle import SignInThrottle

LOGGER = logging.getLogger(__name__)

PLUGIN_NAME = "claimwatch-review"
NUMBER_COLUMNS = ("value", "low", "high", "corrected_value")
QUEUE = "review_queue"


def is_reviewer(datasette, actor: dict | None) -> bool:
    """Whether the actor holds a live session and a reviewer account now (a removed reviewer's is worth nothing)."""
    if not actor or not actor.get("id") or not actor.get("sid"):
        return False
    if _state(datasette).sessions.reviewer(actor["sid"]) != actor["id"]:
        return False
    return actor["id"] in load_accounts(_accounts_file(datasette))


def two_reviewers(datasette) -> bool:
    """The optional setting `plugins: claimwatch: two_reviewers: true`: a claim is verified once two agree."""
    return bool((datasette.plugin_config("claimwatch") or {}).get("two_reviewers"))


@dataclass
class _PluginState:
    sessions: Sessions = field(default_factory=Sessions)
    throttle: SignInThrottle = field(default_factory=SignInThrottle)


_STATES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _state(datasette) -> _PluginState:
    """Sessions and sign-in failures of one Datasette instance (a test may run several)."""
    if datasette not in _STATES:
        _STATES[datasette] = _PluginState()
    return _STATES[datasette]


@hookimpl
def asgi_wrapper(datasette):
    return guard_posts


@hookimpl
def actor_from_request(datasette, request):
    signed = request.cookies.get(SESSION_COOKIE)
    if not signed:
        return None
    try:
        session_id = datasette.unsign(signed, SESSION_COOKIE).get("sid")
    except (BadSignature, AttributeError):
        return None
    reviewer = _state(datasette).sessions.reviewer(session_id)
    return {"id": reviewer, "sid": session_id} if reviewer else None


@hookimpl
def get_metadata(datasette, key, database, table):
    return datasette_metadata(*_file_databases(datasette))


@hookimpl
def startup(datasette):
    async def migrate() -> None:
        # Plain `datasette DB` opens the file itself; the schema still has to be brought up to date.
        for db in datasette.databases.values():
            if db.path and db.is_mutable:
                await asyncio.to_thread(lambda path=db.path: open_database(path).close())

    return migrate


@hookimpl
def permission_allowed(datasette, actor, action, resource):
    # Every writable canned query is for reviewers only, whatever its metadata says.
    if action != "view-query":
        return None

    async def decide() -> bool | None:
        query = await datasette.get_canned_query(*resource, actor)
        if query is None or not query.get("write"):
            return None
        return is_reviewer(datasette, actor)

    return decide


@hookimpl
def register_routes():
    return [
        (r"^/-/login$", sign_in),
        (r"^/-/logout$", sign_out),
        (r"^/-/review$", desk_page),
        (r"^/-/review/next\.json$", desk_next),
        (r"^/-/review/verdict$", desk_verdict),
        (r"^/-/review/undo$", desk_undo),
        (r"^/-/review/agreement$", agreement_page),
        (r"^/-/review/archive/(?P<article_id>\d+)$", archived_page),
    ]


async def desk_page(request, datasette) -> Response:
    """The desk: one pending claim at a time, reviewed with single keys; signed-in reviewers only."""
    if not is_reviewer(datasette, request.actor):
        target = desk.desk_path(datasette, request.args)
        return Response.redirect(datasette.urls.path("/-/login") + "?" + urlencode({"next": target}))
    try:
        queue = desk.queue_filter(request.args)
    except desk.BadFilter as error:
        return Response.text(f"error: {error}", status=400)
    context = {"queue": queue, "database": _claims_database(datasette).name, "reviewer": request.actor["id"],
               "kinds": ("count", "percent", "ratio", "money", "measure", "other")}
    return Response.html(await datasette.render_template("desk.html", context, request=request))


async def desk_next(request, datasette) -> Response:
    """JSON: the next claim under the filters in the query string, skipping `exclude`."""
    if not is_reviewer(datasette, request.actor):
        return desk.refused("sign in as a reviewer first", 403)

    async def answer() -> Response:
        second_look_for = request.actor["id"] if two_reviewers(datasette) else None
        claim = await desk.next_claim(_claims_database(datasette), desk.queue_filter(request.args),
                                      desk.exclude_ids(request.args), second_look_for)
        return Response.json({"ok": True, "claim": claim})

    return await desk.handle(answer)


async def desk_verdict(request, datasette) -> Response:
    """POST claim_id, verdict, note and corrected fields: record the signed-in reviewer's verdict.

    The desk's script gets JSON; a plain form (the claim page) sends `next` and is sent back there.
    """
    if request.method != "POST":
        return desk.refused("POST a verdict", 405)
    form = await request.post_vars()
    back = _local_path(form.get("next"))
    if not is_reviewer(datasette, request.actor):
        return desk.refused("sign in as a reviewer first", 403)
    try:
        review = await desk.give_verdict(_claims_database(datasette), form, request.actor["id"])
    except (ReviewRefused, NoSuchClaim) as error:
        if back:
            datasette.add_message(request, f"Not recorded: {error}", datasette.ERROR)
            return Response.redirect(back)
        return desk.refused(str(error), 404 if isinstance(error, NoSuchClaim) else 400)
    if back:
        datasette.add_message(request, f"Recorded: claim #{review['claim_id']} is {review['verdict']}.")
        return Response.redirect(back)
    return Response.json({"ok": True, "review": review})


async def desk_undo(request, datasette) -> Response:
    """POST: take back the signed-in reviewer's latest standing verdict; answers with that claim."""
    if request.method != "POST":
        return desk.refused("POST to undo", 405)
    if not is_reviewer(datasette, request.actor):
        return desk.refused("sign in as a reviewer first", 403)

    async def answer() -> Response:
        return Response.json({"ok": True, "claim": await desk.take_back(_claims_database(datasette),
                                                                         request.actor["id"])})

    return await desk.handle(answer)


async def sign_in(request, datasette) -> Response:
    """GET: the sign-in form. POST: check the password (with backoff) and start a session."""
    error, status = None, 200
    form = await request.post_vars() if request.method == "POST" else {}
    target = _local_path(form.get("next") or request.args.get("next")) or datasette.urls.path("/-/review")
    if request.method == "POST":
        name, password = form.get("username", "").strip(), form.get("password", "")
        address = (request.scope.get("client") or ("unknown",))[0]
        throttle = _state(datasette).throttle
        wait = throttle.wait_seconds(name, address)
        if wait:
            LOGGER.warning("sign-in as %r from %s refused unchecked: backing off %d s", name, address, wait)
            error, status = f"Too many wrong passwords. Try again in {wait} seconds.", 429
        elif await asyncio.to_thread(authenticate, _accounts_file(datasette), name, password):
            throttle.succeeded(name)
            LOGGER.info("reviewer %s signed in from %s", name, address)
            return _start_session(datasette, request, name, target)
        else:
            failures = throttle.failed(name, address)
            LOGGER.warning("wrong password for %r from %s (%d failures)", name, address, failures)
            error, status = "Wrong name or password.", 401
    page = await datasette.render_template("login.html", {"error": error, "next": target}, request=request)
    headers = {"Retry-After": str(wait)} if status == 429 else None
    return Response.html(page, status=status, headers=headers)


def _start_session(datasette, request, name: str, target: str) -> Response:
    session_id, lifetime = _state(datasette).sessions.start(name)
    response = Response.redirect(target)
    response.set_cookie(SESSION_COOKIE, datasette.sign({"sid": session_id}, SESSION_COOKIE), max_age=lifetime,
                        httponly=True, secure=request.scheme == "https", samesite="lax")
    return response


async def sign_out(request, datasette) -> Response:
    """POST: end the session on the server, not only in the browser. GET: Datasette's log-out page."""
    if request.method != "POST":
        if not request.actor:
            return Response.redirect(datasette.urls.instance())
        page = await datasette.render_template("logout.html", {"actor": request.actor}, request=request)
        return Response.html(page)
    if request.actor and request.actor.get("sid"):
        _state(datasette).sessions.end(request.actor["sid"])
        LOGGER.info("reviewer %s signed out", request.actor["id"])
    response = Response.redirect(datasette.urls.instance())
    response.set_cookie(SESSION_COOKIE, "", expires=0, max_age=0)
    response.set_cookie("ds_actor", "", expires=0, max_age=0)
    datasette.add_message(request, "You are now logged out", datasette.WARNING)
    return response


@hookimpl
def prepare_connection(conn, datasette):
    # Memory-mapped reads: searches and facets touch tens of thousands of pages of a big database per request.
    conn.execute("PRAGMA mmap_size=1073741824")
    # The Verified claims query asks this how many reviewers must agree (the two-reviewer setting).
    needed = 2 if two_reviewers(datasette) else 1
    conn.create_function("verifiers_needed", 0, lambda: needed, deterministic=True)


@hookimpl
def register_facet_classes():
    return [CountedColumnFacet, CountedArrayFacet]


@hookimpl
def menu_links(datasette, actor):
    if not actor:
        return [{"href": datasette.urls.path("/-/login"), "label": "Sign in to review"}]
    return [{"href": datasette.urls.path("/-/review"), "label": "Reviewer's desk"},
            {"href": _queue_path(datasette), "label": "Review queue"},
            {"href": datasette.urls.path("/-/review/agreement"), "label": "Reviewer agreement"}]


@hookimpl
def extra_template_vars(view_name, table, request, datasette):
    if view_name == "index":
        return _home_queries(datasette, request)
    if view_name == "row" and table == "articles":
        return _article_body(datasette, request)
    if view_name != "row" or table != "claims":
        return {}

    async def review_panel() -> dict:
        claim_id = int(request.url_vars["pks"])

        def read(conn) -> dict:
            db = sqlite_utils.Database(conn)
            claim = claim_for_review(db, claim_id)
            if claim:
                claim["article_url"] = safe_url(claim["article_url"])
            return {"claim": claim, "claim_reviews": claim_reviews(db, claim_id)}

        found = await _claims_database(datasette).execute_fn(read)
        return {**found, "can_review": is_reviewer(datasette, request.actor)}

    return review_panel


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    columns = row.keys()
    if column == "corrections" and table == "claim_details" and value:
        return corrections_cell(json.loads(value))
    if column in CORRECTABLE and table == "claim_details" and "corrections" in columns and row["corrections"]:
        corrected = json.loads(row["corrections"]).get(column)
        if corrected is not None:
            return corrected_cell(column, value, corrected)
    if column in CORRECTABLE and table == "claims" and "status" in columns and row["status"] == "needs_correction":
        return _corrected_claims_cell(datasette.get_database(database), row["id"], column, value)
    if column in NUMBER_COLUMNS and isinstance(value, int | float):
        return format_number(value)
    if column == "score" and isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, int) and (column == "claim" or (table == "claim_details" and column == "id")):
        href = datasette.urls.row(database, "claims", str(value))
        return Markup(f'<a href="{escape(href)}" title="Open to review">#{value}</a>')
    # `in row` would search a sqlite3.Row's values, not its column names; hence `columns`.
    if column == "article_title" and value and "article_url" in columns and safe_url(row["article_url"]):
        return Markup(f'<a href="{escape(safe_url(row["article_url"]))}">{escape(value)}</a>')
    return None


def _home_queries(datasette, request):
    async def queries() -> dict:
        found = {}
        for name in _file_databases(datasette):
            canned = await datasette.get_canned_queries(name, request.actor)
            found[name] = [{"name": key, **query} for key, query in canned.items() if not query.get("write")]
        return {"canned_queries": found}

    return queries


def _article_body(datasette, request):
    async def body() -> dict:
        article_id = int(request.url_vars["pks"])
        text, spans = await _claims_database(datasette).execute_fn(
            lambda conn: claim_spans(sqlite_utils.Database(conn), article_id))
        return {"article_paragraphs": highlighted_paragraphs(text, spans), "article_claims": len(spans)}

    return body


async def archived_page(request, datasette) -> Response:
    """The page as it was fetched, from the archive, sandboxed: its scripts never run on this site."""
    article_id = int(request.url_vars["article_id"])
    archived = await _claims_database(datasette).execute_fn(
        lambda conn: load_page(sqlite_utils.Database(conn), article_id))
    if archived is None:
        return Response.text(f"error: article {article_id} has no archived page", status=404)
    content_type = archived.headers.get("content-type") or "text/html"
    if not content_type.lower().startswith(("text/html", "application/xhtml")):
        content_type = "text/plain; charset=utf-8"
    body = archived.content
    # A unique origin with no scripts, no requests out: the archived page cannot read a reviewer's cookies.
    return Response(body, content_type=content_type, headers={
        "Content-Security-Policy": "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'",
        "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"})


async def agreement_page(request, datasette) -> Response:
    """Cohen's kappa between each two reviewers, and each reviewer's throughput."""
    def read(conn) -> dict:
        db = sqlite_utils.Database(conn)
        return {"pairs": pair_agreement(db), "throughput": throughput(db), "awaiting": awaiting_second_verdict(db)}

    context = {**await _claims_database(datasette).execute_fn(read), "two_reviewers": two_reviewers(datasette)}
    return Response.html(await datasette.render_template("agreement.html", context, request=request))


def _corrected_claims_cell(database: Database, claim_id: int, column: str, value):
    async def cell():
        # Only claims that need correction pay for this lookup: their latest review holds the fixes.
        found = await database.execute(
            f"SELECT corrected_{column} FROM reviews WHERE claim_id = ? ORDER BY id DESC LIMIT 1", [claim_id])
        corrected = found.first()[0] if found.rows else None
        if corrected is None:
            return format_number(value) if column == "value" and isinstance(value, int | float) else None
        return corrected_cell(column, value, corrected)

    return cell


def _file_databases(datasette) -> list[str]:
    return [name for name, db in datasette.databases.items() if db.path]


def _claims_database(datasette) -> Database:
    return datasette.get_database()


def _accounts_file(datasette) -> Path:
    return accounts_path(_claims_database(datasette).path)


def _queue_path(datasette) -> str:
    return datasette.urls.query(_claims_database(datasette).name, QUEUE)


def _local_path(target: str | None) -> str | None:
    # Only same-site paths: a sign-in link must not be able to send the reviewer elsewhere.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return quote(target, safe="/?=&_-.~%")
    return None
