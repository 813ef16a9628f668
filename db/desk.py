"""The reviewer's desk reads: the next pending claims under a reviewer's filters, and one claim in its context."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlite_utils

from db.reviews import CORRECTABLE, SYSTEM_REVIEWER, claim_reviews

# Where a sentence ends: its stop and the space after it. Good enough to show a neighbour, not to split text.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s+")


@dataclass(frozen=True)
class QueueFilter:
    """What a reviewer narrows the queue to; None leaves a field open. Dates are ISO (2026-01-31)."""

    feed: str | None = None
    kind: str | None = None
    unit: str | None = None
    speaker: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    since: str | None = None
    until: str | None = None

    def where(self, status: str = "pending") -> tuple[list[str], list]:
        """SQL conditions on claims with this status (and their articles, for dates) with their parameters."""
        clauses, params = ["claims.status = ?"], [status]
        for column in ("kind", "unit"):
            if getattr(self, column):
                clauses.append(f"claims.{column} = ?")
                params.append(getattr(self, column))
        if self.speaker:
            # Through the kept speaker counts: matching names first, then an indexed lookup per name.
            clauses.append("claims.speaker IN (SELECT value FROM claim_facet_counts WHERE facet = 'speaker' "
                           "AND claims > 0 AND value LIKE '%' || ? || '%')")
            params.append(self.speaker)
        if self.min_score is not None:
            clauses.append("claims.score >= ?")
            params.append(self.min_score)
        if self.max_score is not None:
            clauses.append("claims.score <= ?")
            params.append(self.max_score)
        if self.feed:
            clauses.append("claims.article_id IN (SELECT article_id FROM article_feeds "
                           "JOIN feeds ON feeds.id = article_feeds.feed_id WHERE feeds.name = ?)")
            params.append(self.feed)
        if self.since:
            clauses.append("(SELECT published FROM articles WHERE id = claims.article_id) >= ?")
            params.append(self.since)
        if self.until:
            # An end date includes its whole day: 2026-01-31 takes 2026-01-31T23:59.
            clauses.append("(SELECT published FROM articles WHERE id = claims.article_id) < ? || 'T99'")
            params.append(self.until)
        return clauses, params


def next_claim_ids(db: sqlite_utils.Database, queue: QueueFilter, exclude: list[int], limit: int = 2,
                   second_look_for: str | None = None) -> list[int]:
    """The next claims to review under the filter, highest score first, then oldest; skipping `exclude`.

    With `second_look_for` (the two-reviewer setting), claims verified by one other reviewer and never
    reviewed by this one come first: they count as verified only once a second reviewer agrees.
    """
    found: list[int] = []
    if second_look_for:
        found = _ids(db, queue, "verified", exclude, limit, [
            ("NOT EXISTS (SELECT 1 FROM reviews WHERE claim_id = claims.id AND reviewer = ?)", second_look_for),
            (f"(SELECT count(DISTINCT reviewer) FROM reviews WHERE claim_id = claims.id AND verdict = 'verified' "
             f"AND reviewer != '{SYSTEM_REVIEWER}') = 1", None)])
    if len(found) < limit:
        found += _ids(db, queue, "pending", exclude, limit - len(found), [])
    return found


def _ids(db: sqlite_utils.Database, queue: QueueFilter, status: str, exclude: list[int], limit: int,
         extra: list[tuple[str, object]]) -> list[int]:
    clauses, params = queue.where(status)
    if exclude:
        clauses.append(f"claims.id NOT IN ({', '.join('?' * len(exclude))})")
        params.extend(exclude)
    for clause, param in extra:
        clauses.append(clause)
        params.extend([] if param is None else [param])
    # The (status, score DESC) index gives this order: at equal scores, lower (older) ids first.
    rows = db.execute(
        f"SELECT claims.id FROM claims WHERE {' AND '.join(clauses)} "
        "ORDER BY claims.score DESC, claims.id LIMIT ?", [*params, limit]).fetchall()
    return [row[0] for row in rows]


def desk_claim(db: sqlite_utils.Database, claim_id: int) -> dict | None:
    """A claim as the desk shows it: its fields, its article, its context split around the mention, its reviews."""
    row = next(iter(db.query(
        """SELECT claims.id, claims.status, claims.text, claims.number, claims.value, claims.low, claims.high,
                  claims.unit, claims.kind, claims.change, claims.subject, claims.speaker, claims.score,
                  claims.sentence, claims.sentence_start, claims.start_char, claims.end_char, claims.article_id,
                  articles.title AS article_title, articles.url AS article_url, articles.site_name AS outlet,
                  articles.published, articles.text AS article_text,
                  EXISTS (SELECT 1 FROM pages WHERE article_id = articles.id) AS archived
           FROM claims JOIN articles ON articles.id = claims.article_id WHERE claims.id = ?""", [claim_id])), None)
    if row is None:
        return None
    text = row.pop("article_text")
    row["context"] = context_parts(text, row["sentence_start"], len(row["sentence"]), row["start_char"],
                                   row["end_char"])
    row["reviews"] = [{key: review[key] for key in ("id", "verdict", "reviewer", "reviewed_at", "note", "undoes",
                                                      *(f"corrected_{f}" for f in CORRECTABLE))}
                      for review in claim_reviews(db, claim_id)]
    return row


def claim_spans(db: sqlite_utils.Database, article_id: int) -> tuple[str, list[dict]]:
    """An article's text and its claims' mentions (id, start, end, status), in reading order."""
    found = db.execute("SELECT text FROM articles WHERE id = ?", [article_id]).fetchone()
    if found is None:
        return "", []
    spans = [dict(zip(("id", "start", "end", "status"), row, strict=True)) for row in db.execute(
        "SELECT id, start_char, end_char, status FROM claims WHERE article_id = ? ORDER BY start_char, id",
        [article_id]).fetchall()]
    return found[0], spans


def context_parts(text: str, sentence_start: int, sentence_length: int, start: int, end: int) -> dict:
    """The mention's paragraph, widened to the sentence before and after, cut at the sentence and the mention.

    Returns before / sentence_before / mention / sentence_after / after: joined, they are the context.
    """
    sentence_end = sentence_start + sentence_length
    if not (0 <= sentence_start <= start <= end <= sentence_end <= len(text)):
        return {"before": "", "sentence_before": "", "mention": text[start:end], "sentence_after": "", "after": ""}
    first = min(_paragraph_start(text, sentence_start), _previous_sentence_start(text, sentence_start))
    last = max(_paragraph_end(text, sentence_end), _next_sentence_end(text, sentence_end))
    return {"before": text[first:sentence_start], "sentence_before": text[sentence_start:start],
            "mention": text[start:end], "sentence_after": text[end:sentence_end], "after": text[sentence_end:last]}


def _paragraph_start(text: str, at: int) -> int:
    return text.rfind("\n", 0, at) + 1


def _paragraph_end(text: str, at: int) -> int:
    found = text.find("\n", at)
    return len(text) if found < 0 else found


def _previous_sentence_start(text: str, at: int) -> int:
    head = text[:at].rstrip()
    ends = [m.end() for m in _SENTENCE_END.finditer(head, max(0, len(head) - 600))]
    return ends[-1] if ends else max(0, len(head) - 600)


def _next_sentence_end(text: str, at: int) -> int:
    found = _SENTENCE_END.search(text, at + 1, min(len(text), at + 600))
    return found.start() + 1 if found else min(len(text), at + 600)
