"""Test helpers for processes tests and benchmarks start: `claimwatch serve` on 127.0.0.1, and their memory."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


class ServerDidNotStart(RuntimeError):
    """The server exited or did not answer in time; the message holds its log."""


@contextmanager
def serve_in_background(db_path: Path, log_path: Path, timeout: float = 30) -> Iterator[str]:
    """Run `claimwatch serve` for the length of a `with` block and yield its base URL.

    Args:
        db_path: the database to serve.
        log_path: where the server's output goes (quoted in the error if it fails to start).
        timeout: seconds to wait for it to answer; a first start on a big database runs its migrations.
    """
    port = _free_port()
    command = [str(Path(sys.executable).parent / "claimwatch"), "serve", "--db", str(db_path), "--port", str(port)]
    base = f"http://127.0.0.1:{port}"
    with log_path.open("w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_until_up(base, process, log_path, timeout)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(base: str, process: subprocess.Popen, log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerDidNotStart(f"claimwatch serve exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            httpx.get(f"{base}/-/versions.json", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise ServerDidNotStart(f"claimwatch serve did not answer within {timeout:.0f} s:\n{log_path.read_text()}")

def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants, from /proc."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:")), 0)
        todo.extend(int(child) for child in children)
    return total
