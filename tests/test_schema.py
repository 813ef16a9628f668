"""Schema snapshot: a database built through every migration has exactly the tables, columns, indexes and
triggers db/README.md documents."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlite_utils

from db.database import open_database

README = Path(__file__).resolve().parent.parent / "db" / "README.md"
_HEADING = re.compile(r"^### `(\w+)`", re.MULTILINE)
_LISTS = ("Columns", "Indexes", "Triggers")


def documented(text: str) -> dict[str, dict[str, set[str]]]:
    """Each `### \\`name\\`` section's Columns:, Indexes: and Triggers: lists (a list may run over several lines)."""
    sections = {}
    headings = list(_HEADING.finditer(text))
    for heading, following in zip(headings, [*headings[1:], None], strict=True):
        body = text[heading.end():following.start() if following else len(text)]
        sections[heading.group(1)] = {kind: _listed(body, kind) for kind in _LISTS}
    return sections


def _listed(body: str, kind: str) -> set[str]:
    match = re.search(rf"^{kind}: (.*?)\.$", body, re.MULTILINE | re.DOTALL)
    return set(re.findall(r"`(\w+)`", match.group(1))) if match else set()


def built(db: sqlite_utils.Database) -> dict[str, dict[str, set[str]]]:
    """The same, read from the database: full-text search's own shadow tables and SQLite's autoindexes left out."""
    rows = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    virtual = [name for kind, name, _, sql in rows if kind == "table" and sql.startswith("CREATE VIRTUAL")]
    tables = [name for kind, name, _, _ in rows if kind in ("table", "view")
              and not any(name.startswith(f"{fts}_") for fts in virtual)]
    schema = {name: {"Columns": {row[1] for row in db.execute(f"PRAGMA table_info([{name}])")},
                     "Indexes": set(), "Triggers": set()} for name in tables}
    for kind, name, table, _ in rows:
        if kind == "index" and not name.startswith("sqlite_autoindex"):
            schema[table]["Indexes"].add(name)
        elif kind == "trigger":
            schema[table]["Triggers"].add(name)
    return schema


def differences(readme: dict, database: dict) -> list[str]:
    """What db/README.md says that the database does not have, and the other way round, one line each."""
    lines = [f"table {name}: in the database, not in db/README.md" for name in sorted(set(database) - set(readme))]
    lines += [f"table {name}: in db/README.md, not in the database" for name in sorted(set(readme) - set(database))]
    for name in sorted(set(readme) & set(database)):
        for kind in _LISTS:
            missing, extra = database[name][kind] - readme[name][kind], readme[name][kind] - database[name][kind]
            lines += [f"{name} {kind.lower()}: {', '.join(sorted(missing))} not in db/README.md"] if missing else []
            lines += [f"{name} {kind.lower()}: {', '.join(sorted(extra))} not in the database"] if extra else []
    return lines


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict:
    return built(open_database(tmp_path_factory.mktemp("schema") / "fresh.db"))


def test_db_readme_documents_the_schema_a_fresh_database_gets(schema):
    drift = differences(documented(README.read_text(encoding="utf-8")), schema)
    assert not drift, "db/README.md and the migrations disagree:\n" + "\n".join(drift)


def test_the_snapshot_fails_when_the_readme_drifts(schema):
    text = README.read_text(encoding="utf-8")
    dropped = text.replace(", `retry_after`.", ".", 1)
    assert differences(documented(dropped), schema) == ["feeds columns: retry_after not in db/README.md"]
    renamed = text.replace("### `pages`", "### `archive`", 1)
    assert differences(documented(renamed), schema) == ["table pages: in the database, not in db/README.md",
                                                        "table archive: in db/README.md, not in the database"]
    extra = text.replace("Indexes: `pages_sha256`.", "Indexes: `pages_sha256`, `pages_url`.", 1)
    assert differences(documented(extra), schema) == ["pages indexes: pages_url not in the database"]


def test_every_table_the_migrations_make_is_seen(schema):
    assert {"feeds", "articles", "pages", "claims", "reviews", "claim_details", "articles_fts"} <= set(schema)
    assert not any(name.endswith(("_fts_data", "_fts_idx")) for name in schema)
    assert {"etag", "moved_to", "failures"} <= schema["feeds"]["Columns"]
