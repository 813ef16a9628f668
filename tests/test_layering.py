"""The package's layering: no module of monitor/, extractors/, db/ or review/ imports itself back, even lazily,
and no SQL outside db/ but in the Datasette plugin."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("monitor", "extractors", "db", "review")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.AST, modules: set[str]) -> set[str]:
    """The project modules a module imports anywhere in its body (inside functions too)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        found.update(name for name in names if name in modules)
    return found


def import_graph() -> dict[str, set[str]]:
    paths = [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))]
    modules = {module_name(path): path for path in paths}
    names = set(modules)
    # A package's __init__ is not an edge worth following: it is empty here, and every submodule imports it.
    return {name: imported(ast.parse(path.read_text(encoding="utf-8")), names) - set(PACKAGES)
            for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected group of modules (Tarjan), as a list that ends where it starts."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while (member := stack.pop()) != node:
                group.append(member)
            group.append(node)
            if len(group) > 1 or node in graph[node]:
                found.append(path_through(graph, set(group), node))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def path_through(graph: dict[str, set[str]], group: set[str], start: str) -> list[str]:
    """A shortest import chain from `start` back to itself inside `group`."""
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node] & group):
                if target == start:
                    return [*paths[node], start]
                if target not in paths:
                    paths[target] = [*paths[node], target]
                    following.append(target)
        frontier = following
    return [start]


def test_no_module_imports_itself_back():
    found = cycles(import_graph())
    assert not found, "import cycles: " + "; ".join(" → ".join(cycle) for cycle in found)


def test_the_walk_sees_a_lazy_import_cycle():
    graph = {"extractors.claims": {"extractors.parallel"}, "extractors.parallel": {"extractors.claims"},
             "db.store": set()}
    assert cycles(graph) == [["extractors.claims", "extractors.parallel", "extractors.claims"]]
    tree = ast.parse("def start():\n    from extractors.claims import ClaimFinder\n")
    assert imported(tree, {"extractors.claims"}) == {"extractors.claims"}


def test_the_graph_covers_every_package():
    graph = import_graph()
    assert {name.split(".")[0] for name in graph} == set(PACKAGES)
    assert "extractors.claims" in graph["monitor.executor"]


# A call that runs SQL or opens a transaction (sqlite3, sqlite_utils, Datasette), or a table by name.
SQL_CALL = re.compile(r"\.(?:execute|executescript|executemany|query|atomic|execute_write)\(|\bdb\[")
SQL_ALLOWED = ("db/", "review/plugin/")


def sql_calls(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if SQL_CALL.search(line)]


def test_no_sql_outside_db():
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if not relative.startswith(SQL_ALLOWED) and (calls := sql_calls(path.read_text(encoding="utf-8"))):
                found[relative] = calls
    assert not found, f"SQL outside db/: {found}"


def test_the_sql_search_sees_a_query_and_a_transaction():
    assert sql_calls('with db.atomic():\n    db.execute("DELETE FROM claims")\nrows = db["claims"]') == [
        "with db.atomic():", 'db.execute("DELETE FROM claims")', 'rows = db["claims"]']
    assert sql_calls("return self.executor.extract(texts)") == []
