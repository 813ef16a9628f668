"""Problems: a crawl's errors named by kind, so thousands of failures of one cause read as a few lines."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Sequence

LOGGER = logging.getLogger(__name__)

SHOWN_PER_KIND = 3
_HTTP_STATUS = re.compile(r"\bhttp (\d{3})\b")

# Words in a fetch failure's reason that name its cause, most specific first.
_FETCH_CAUSES = (
    ("internal address", "refused: internal address"),
    ("only http and https", "refused: not http(s)"),
    ("has no host", "refused: no host"),
    ("cannot resolve", "host not found"),
    ("timed out", "timed out"),
    ("deadline", "over the deadline"),
    ("byte limit", "over the size limit"),
    ("could not connect", "could not connect"),
    ("redirect", "bad redirect"),
    ("certificate", "bad certificate"),
)


def kind_of(target: str, error: BaseException | str) -> str:
    """A short name shared by every error of the same cause, e.g. 'feed: HTTP 404' or 'page: timed out'."""
    return f"{target}: {_cause(error)}"


def _cause(error: BaseException | str) -> str:
    status = getattr(error, "status", None)
    if status:
        return f"HTTP {status}"
    reason = str(getattr(error, "reason", error)).lower()
    if code := _HTTP_STATUS.search(reason):
        return f"HTTP {code.group(1)}"
    for words, cause in _FETCH_CAUSES:
        if words in reason:
            return cause
    if isinstance(error, str):
        return "error"
    return _described(type(error))


def _described(error_class: type) -> str:
    # The project's own errors say their cause in their one-line docstring; others go by their name.
    own = error_class.__module__.split(".")[0] in _OWN_PACKAGES
    lines = (error_class.__doc__ or "").strip().splitlines() if own else []
    return lines[0].rstrip(".") if lines else error_class.__name__


_OWN_PACKAGES = {"monitor", "extractors", "db", "review", "models"}


def summarise(errors: Sequence[str], kinds: Sequence[str], shown: int = SHOWN_PER_KIND) -> list[str]:
    """The lines to print for `errors`: the first `shown` of each kind, then how many more of it there were.

    Args:
        errors: one message per error.
        kinds: the kind of each error, as `kind_of` names it (same length as `errors`).
    """
    lines, seen = [], Counter()
    for error, kind in zip(errors, kinds, strict=True):
        seen[kind] += 1
        if seen[kind] <= shown:
            lines.append(error)
    for kind, count in seen.items():
        if count > shown:
            lines.append(f"… and {count - shown:,} more of kind {kind!r} ({count:,} in all)")
    return lines


def count_by_kind(kinds: Sequence[str]) -> str:
    """'feed: HTTP 404 5,000, page: timed out 3' — the errors of a run, counted by kind, most first."""
    return ", ".join(f"{kind} {count:,}" for kind, count in Counter(kinds).most_common())
