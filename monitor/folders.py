"""Folders: the saved pages an `ingest` reads, which never leave the folder through a symlink unless asked."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

LOGGER = logging.getLogger(__name__)

PAGE_SUFFIXES = (".html", ".htm", ".txt")


@dataclass
class SavedPages:
    """The page files found under a folder, and the symlinks left out because they lead outside it."""

    pages: list[Path] = field(default_factory=list)
    outside: list[Path] = field(default_factory=list)


def saved_pages(folder: Path, follow_symlinks: bool = False) -> SavedPages:
    """Every .html, .htm and .txt file under `folder`, sorted.

    Args:
        follow_symlinks: also read files and folders that symlinks lead to outside `folder`; by
            default such symlinks are left out and listed in `outside`, so a link to /etc/passwd
            never becomes an article everyone can read.

    Raises:
        FileNotFoundError: `folder` is not a folder.
    """
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder")
    root, found, seen = folder.resolve(), SavedPages(), set()
    for directory, subfolders, files in os.walk(folder, followlinks=follow_symlinks):
        here = Path(directory)
        if here.resolve() in seen:  # a symlink loop, or a folder reached twice
            subfolders.clear()
            continue
        seen.add(here.resolve())
        if not follow_symlinks:
            found.outside += [here / name for name in subfolders
                              if (here / name).is_symlink() and not _inside(here / name, root)]
        for name in files:
            _sort_file(here / name, root, follow_symlinks, found)
    found.pages.sort()
    found.outside.sort()
    return found


def _sort_file(path: Path, root: Path, follow_symlinks: bool, found: SavedPages) -> None:
    if path.suffix.lower() not in PAGE_SUFFIXES or not path.is_file():
        return
    if follow_symlinks or _inside(path, root):
        found.pages.append(path)
    else:
        found.outside.append(path)


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root)
