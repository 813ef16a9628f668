"""The Datasette that `claimwatch serve` runs: one database, migrated first, with the claimwatch plugin."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

import uvicorn
from datasette.app import Datasette
from datasette.plugins import pm

from db.database import open_database

LOGGER = logging.getLogger(__name__)

PLUGIN_MODULE = "review.plugin"


class PluginNotInstalled(RuntimeError):
    """The claimwatch Datasette plugin is not registered: the package was installed without its entry point."""


def build_datasette(db_path: Path | str, two_reviewers: bool = False) -> Datasette:
    """A Datasette on a claimwatch database (migrated first); the plugin (an entry point) adds the rest.

    The cookie-signing secret is $DATASETTE_SECRET when set, else random: sign-ins last until a restart.
    """
    if not any(getattr(plugin, "__name__", None) == PLUGIN_MODULE for plugin in pm.get_plugins()):
        raise PluginNotInstalled(f"the Datasette plugin {PLUGIN_MODULE} is not installed: run `pip install -e .`")
    db_path = Path(db_path)
    open_database(db_path).close()
    return Datasette(
        files=[str(db_path)],
        secret=os.environ.get("DATASETTE_SECRET") or None,
        metadata={"plugins": {"claimwatch": {"two_reviewers": True}}} if two_reviewers else None,
        # Suggestions try a facet on every column: dozens of queries per page, each timing out on a big table.
        settings={"facet_time_limit_ms": 500, "suggest_facets": False},
    )


def serve(db_path: Path, host: str, port: int, two_reviewers: bool = False) -> None:
    """Run Datasette on the database until interrupted."""
    datasette = build_datasette(db_path, two_reviewers)
    asyncio.run(datasette.invoke_startup())
    LOGGER.info("serving %s on http://%s:%s", db_path, host, port)
    uvicorn.run(datasette.app(), host=host, port=port, log_level="info", lifespan="on")
