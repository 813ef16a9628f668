"""Reviewer accounts: names and scrypt password hashes in a private file beside the database."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
from pathlib import Path

LOGGER = logging.getLogger(__name__)

# scrypt at n=2**14, r=8 costs 16 MiB and ~50 ms per guess: slow for a guesser, quick for a login.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")
# "root" unlocks Datasette's debug pages; "claimwatch" signs the reviews re-extraction makes.
RESERVED_NAMES = ("root", "claimwatch")
MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A reviewer name or password that cannot be used, or a name with no account."""


def accounts_path(db_path: Path | str) -> Path:
    """Where a database's reviewer accounts live: `claimwatch.db` → `claimwatch.reviewers.json`.

    Outside the database on purpose: Datasette lets anyone with access read every table in it.
    """
    return Path(db_path).with_suffix(".reviewers.json")


def hash_password(password: str) -> str:
    """A salted scrypt hash, as `scrypt$n$r$p$salt$hash` (hex)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **_SCRYPT)
    return "$".join(["scrypt", *(str(_SCRYPT[k]) for k in "nrp"), salt.hex(), digest.hex()])


def check_password(password: str, stored: str) -> bool:
    """Whether `password` matches a hash made by hash_password."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(candidate.hex(), digest)


def load_accounts(path: Path) -> dict[str, str]:
    """Reviewer name → password hash; empty when the file does not exist yet."""
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))["reviewers"]


def add_reviewer(path: Path, name: str, password: str) -> bool:
    """Create a reviewer, or set a new password for one; True when the name is new."""
    _check_name(name)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    accounts = load_accounts(path)
    is_new = name not in accounts
    accounts[name] = hash_password(password)
    _save_accounts(path, accounts)
    LOGGER.info("%s reviewer %s in %s", "added" if is_new else "new password for", name, path)
    return is_new


def remove_reviewer(path: Path, name: str) -> None:
    """Delete a reviewer's account; their earlier reviews stay, signed with their name."""
    accounts = load_accounts(path)
    if name not in accounts:
        raise AccountError(f"no reviewer {name!r} in {path} (reviewers: {', '.join(sorted(accounts)) or 'none'})")
    del accounts[name]
    _save_accounts(path, accounts)


def authenticate(path: Path, name: str, password: str) -> bool:
    """Whether this name and password belong to a current reviewer."""
    stored = load_accounts(path).get(name)
    # An unknown name costs a hash too, so the answer's timing does not tell which names exist.
    matches = check_password(password, stored or _unknown_name_hash())
    return stored is not None and matches


@functools.cache
def _unknown_name_hash() -> str:
    return hash_password(secrets.token_hex(16))


def _check_name(name: str) -> None:
    if not _NAME.match(name) or name in RESERVED_NAMES:
        raise AccountError(f"{name!r} cannot be a reviewer name: use 1-40 lower-case letters, digits, '.', '_' "
                           f"or '-', starting with a letter or digit, and not {' or '.join(RESERVED_NAMES)}")


def _save_accounts(path: Path, accounts: dict[str, str]) -> None:
    # Written whole to a private temporary file and renamed, so a reader never sees half a file.
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({"reviewers": dict(sorted(accounts.items()))}, handle, indent=2)
    os.replace(temporary, path)
