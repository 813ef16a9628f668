"""Docs for configuration: the README's tables of feeds.yaml keys, rendered from the settings fields' help.

`python -m monitor.settings_table` rewrites the tables in README.md; a test fails when they are stale.
"""

from __future__ import annotations

import re
import sys
from dataclasses import MISSING, Field, fields, is_dataclass
from pathlib import Path

from monitor.config import Defaults, FeedConfig, yaml_key

README = Path(__file__).resolve().parent.parent / "README.md"
TABLES = {"defaults": Defaults, "feed": FeedConfig}
_BLOCK = re.compile(r"(<!-- (\w+) settings: python -m monitor\.settings_table -->\n).*?(<!-- end -->)", re.S)


def table(cls: type) -> str:
    """A Markdown table of a settings record's feeds.yaml keys, defaults and help, nested records inlined."""
    lines = ["| key | default | meaning |", "| --- | --- | --- |"]
    lines += [f"| `{yaml_key(item)}` | {_default(item)} | {item.metadata['help']} |" for item in _leaves(cls)]
    return "\n".join(lines) + "\n"


def render(text: str) -> str:
    """`text` (the README) with every settings table between its markers regenerated."""
    return _BLOCK.sub(lambda match: match[1] + table(TABLES[match[2]]) + match[3], text)


def _leaves(cls: type) -> list[Field]:
    leaves: list[Field] = []
    for item in fields(cls):
        nested = item.default_factory if item.default_factory is not MISSING else None
        leaves += _leaves(nested) if is_dataclass(nested) else [item]
    return leaves


def _default(item: Field) -> str:
    value = item.default
    if value is MISSING:
        return "—"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, tuple):
        return "`[]`" if not value else f"`[{', '.join(value)}]`"
    return f'`"{value}"`' if isinstance(value, str) and (not value or ":" in value) else f"`{value}`"


def main() -> int:
    text = README.read_text(encoding="utf-8")
    if not _BLOCK.search(text):
        print(f"{README}: no settings table markers found", file=sys.stderr)
        return 1
    README.write_text(render(text), encoding="utf-8")
    print(f"wrote the settings tables in {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
