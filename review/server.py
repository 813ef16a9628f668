"""The Datasette that `claimwatch serve` runs: the project's metadata, templates and review plugin on one database."""

from __future__ import annotations

import asyncio
import copy
import logging
import os
from functools import cache
from importlib import resources
from pathlib import Path

import uvicorn
import yaml
from datasette.app import Datasette
from datasette.plugins import pm

from db.store import open_database
from review import plugin

LOGGER = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"


def build_datasette(db_path: Path | str) -> Datasette:
    """A Datasette on a claimwatch database (migrated first), with the project's metadata and review plugin.

    The cookie-signing secret is $DATASETTE_SECRET when set, else random: sign-ins last until a restart.
    """
    db_path = Path(db_path)
    open_database(db_path).close()
    if not pm.is_registered(plugin):
        pm.register(plugin, name=plugin.PLUGIN_NAME)
    return Datasette(
        files=[str(db_path)],
        metadata=datasette_metadata(db_path.stem),
        template_dir=str(TEMPLATES),
        secret=os.environ.get("DATASETTE_SECRET") or None,
        # Suggestions try a facet on every column: dozens of queries per page, each timing out on a big table.
        settings={"facet_time_limit_ms": 500, "suggest_facets": False},
    )


def datasette_metadata(database: str) -> dict:
    """db/datasette.yaml with its `database:` section placed under this database's name."""
    metadata = copy.deepcopy(_packaged_metadata())
    metadata["databases"] = {database: metadata.pop("database")}
    metadata["description_html"] = metadata["description_html"].replace("{database}", database)
    return metadata


def serve(db_path: Path, host: str, port: int) -> None:
    """Run Datasette on the database until interrupted."""
    datasette = build_datasette(db_path)
    asyncio.run(datasette.invoke_startup())
    LOGGER.info("serving %s on http://%s:%s", db_path, host, port)
    uvicorn.run(datasette.app(), host=host, port=port, log_level="info", lifespan="on")


@cache
def _packaged_metadata() -> dict:
    return yaml.safe_load(resources.files("db").joinpath("datasette.yaml").read_text(encoding="utf-8"))
