"""What the CLI prints for people: extract's table, the claims list, errors named once, password prompts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import cli
from tests.conftest import DATA

SEED = DATA / "ppp-cambodia-drug-war.txt"
LONG_MENTION = "more than 1,250,000,000 South African rand"


def test_extract_prints_a_table_with_a_header_a_separator_per_file_and_nothing_cut(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text(f"The Regional Statistics Office said that the city council spent {LONG_MENTION} on new "
                     "municipal housing projects.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(story), str(SEED), "--quantities"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"== {story} =="
    assert lines[1].split() == ["record", "mention", "kind", "change", "amount", "unit", "speaker", "subject", "or",
                                "quote"]
    assert set(lines[2].replace(" ", "")) == {"-"}
    assert f"== {SEED} ==" in lines
    assert lines[lines.index(f"== {SEED} ==") - 1] == ""
    claim = next(line for line in lines if line.startswith("claim "))
    assert LONG_MENTION in claim  # whole, not cut at a column width
    assert "Regional Statistics Office" in claim and "1,250,000,000" in claim


def test_an_error_names_the_file_once(tmp_path: Path) -> None:
    missing = tmp_path / "missing.html"
    result = CliRunner().invoke(cli, ["extract", str(missing)])
    assert result.exit_code == 1
    assert result.output.strip() == f"error: {missing}: no such file"


def test_the_claims_list_shows_each_claim_s_sentence(claims_db: Path) -> None:
    result = CliRunner().invoke(cli, ["claims", "--db", str(claims_db)])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("#3") and lines[1].strip() == "The council counted 40 potholes."


def test_reviewer_add_prompts_without_a_python_warning(tmp_path: Path) -> None:
    # A real process with a pipe for stdin: getpass cannot hide the input there and warns unless told not to.
    command = [str(Path(sys.executable).parent / "claimwatch"), "reviewer", "add", "alice", "--db",
               str(tmp_path / "claimwatch.db")]
    done = subprocess.run(command, input="correct horse battery\ncorrect horse battery\n", capture_output=True,
                          text=True, timeout=60, start_new_session=True)
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr and "added reviewer alice" in done.stdout
