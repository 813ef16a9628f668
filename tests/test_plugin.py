"""The plugin as a user installs it: listed by `datasette plugins` and serving the project under plain `datasette`."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from review.accounts import accounts_path, add_reviewer

BIN = Path(sys.executable).parent
PASSWORD = "correct horse battery"


def test_datasette_plugins_lists_it() -> None:
    listed = subprocess.run([str(BIN / "datasette"), "plugins"], capture_output=True, text=True, check=True)
    plugin = next(p for p in json.loads(listed.stdout) if p["name"] == "claimwatch")
    assert {"get_metadata", "register_routes", "permission_allowed", "startup"} <= set(plugin["hooks"])
    assert plugin["templates"] and plugin["static"]


@pytest.fixture
def plain_datasette(claims_db: Path, tmp_path: Path) -> Iterator[str]:
    """`datasette serve DB` with no options, on a free port of 127.0.0.1; yields its base URL."""
    add_reviewer(accounts_path(claims_db), "alice", PASSWORD)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "datasette.log"
    with log.open("w") as out:
        process = subprocess.Popen([str(BIN / "datasette"), "serve", str(claims_db), "--port", str(port)],
                                   stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            assert process.poll() is None, log.read_text()
            try:
                httpx.get(f"{base}/-/versions.json", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_plain_datasette_serves_the_metadata_the_queries_and_the_desk(plain_datasette: str, claims_db: Path) -> None:
    database = claims_db.stem
    home = httpx.get(plain_datasette).text
    assert "Quantitative claims found in monitored news feeds" in home
    queue = httpx.get(f"{plain_datasette}/{database}/review_queue.json?_shape=array").json()
    assert [row["claim"] for row in queue] == [1, 2, 3]
    facets = httpx.get(f"{plain_datasette}/{database}/claim_details").text
    assert 'data-column="speaker"' in facets
    assert httpx.get(f"{plain_datasette}/-/login").status_code == 200
    assert httpx.get(f"{plain_datasette}/-/static-plugins/claimwatch/desk.js").status_code == 200
    with httpx.Client(base_url=plain_datasette) as reviewer:
        desk = reviewer.get("/-/review")
        assert desk.status_code == 302 and desk.headers["location"] == "/-/login?next=%2F-%2Freview"
        token = re.search(r'name="csrftoken" value="([^"]+)"', reviewer.get("/-/login").text).group(1)
        signed_in = reviewer.post("/-/login", data={"username": "alice", "password": PASSWORD, "csrftoken": token,
                                                    "next": "/-/review"})
        assert signed_in.headers["location"] == "/-/review"
        assert "Reviewer's desk" in reviewer.get("/-/review").text
        assert reviewer.get("/-/review/next.json").json()["claim"]["id"] == 1
