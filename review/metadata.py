"""The project's Datasette metadata (db/datasette.yaml), placed under the names of the databases being served."""

from __future__ import annotations

import copy
from functools import cache
from importlib import resources

import yaml


def datasette_metadata(*databases: str) -> dict:
    """db/datasette.yaml with its `database:` section placed under each of these database names."""
    return copy.deepcopy(_metadata_for(tuple(databases)))


@cache
def _metadata_for(databases: tuple[str, ...]) -> dict:
    metadata = copy.deepcopy(_packaged_metadata())
    section = metadata.pop("database")
    metadata["databases"] = {name: copy.deepcopy(section) for name in databases}
    # The home page links to the first database's claims; a second one is reached from the list.
    first = databases[0] if databases else "claimwatch"
    metadata["description_html"] = metadata["description_html"].replace("{database}", first)
    return metadata


@cache
def _packaged_metadata() -> dict:
    return yaml.safe_load(resources.files("db").joinpath("datasette.yaml").read_text(encoding="utf-8"))
