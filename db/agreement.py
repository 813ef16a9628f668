"""Reviewer agreement and throughput from the reviews log: Cohen's kappa per pair of reviewers, verdicts per hour."""

from __future__ import annotations

from itertools import combinations, pairwise

import sqlite_utils
from sklearn.metrics import cohen_kappa_score

from db.reviews import SYSTEM_REVIEWER

# A pause longer than this between two verdicts ends a sitting; throughput counts only time spent sitting.
SITTING_GAP_SECONDS = 600


def standing_verdicts(db: sqlite_utils.Database) -> dict[str, dict[int, str]]:
    """reviewer → claim id → that reviewer's standing verdict: their latest on it, not taken back, not an undo.

    One pass over the log in order (an undo always comes after what it undoes), not a query per review.
    """
    rows = db.execute(
        f"SELECT id, claim_id, reviewer, verdict, undoes FROM reviews WHERE reviewer != '{SYSTEM_REVIEWER}' "
        "ORDER BY id").fetchall()
    undone = {undoes for *_, undoes in rows if undoes is not None}
    verdicts: dict[str, dict[int, str]] = {}
    for review_id, claim_id, reviewer, verdict, undoes in rows:
        if undoes is None and review_id not in undone and verdict in ("verified", "rejected", "needs_correction"):
            verdicts.setdefault(reviewer, {})[claim_id] = verdict
    return verdicts


def pair_agreement(db: sqlite_utils.Database) -> list[dict]:
    """For every two reviewers who judged the same claims: how many, how often they agreed, and Cohen's kappa.

    Kappa is None when it is undefined: both gave one and the same verdict to every shared claim.
    """
    verdicts = standing_verdicts(db)
    pairs = []
    for first, second in combinations(sorted(verdicts), 2):
        shared = sorted(set(verdicts[first]) & set(verdicts[second]))
        if not shared:
            continue
        a = [verdicts[first][claim] for claim in shared]
        b = [verdicts[second][claim] for claim in shared]
        agreed = sum(x == y for x, y in zip(a, b, strict=True))
        kappa = None if len(set(a) | set(b)) == 1 else float(cohen_kappa_score(a, b))
        pairs.append({"reviewers": (first, second), "claims": len(shared), "agreed": agreed,
                      "agreement": agreed / len(shared), "kappa": kappa})
    return pairs


def throughput(db: sqlite_utils.Database) -> list[dict]:
    """Per reviewer: verdicts given, undos, time spent in sittings and verdicts per sitting hour."""
    rows = db.execute(
        f"""SELECT reviewer, undoes IS NOT NULL, CAST(strftime('%s', reviewed_at) AS INTEGER) FROM reviews
            WHERE reviewer != '{SYSTEM_REVIEWER}' ORDER BY reviewer, id""").fetchall()
    by_reviewer: dict[str, list[tuple[bool, int]]] = {}
    for reviewer, is_undo, stamp in rows:
        by_reviewer.setdefault(reviewer, []).append((bool(is_undo), stamp))
    report = []
    for reviewer, events in by_reviewer.items():
        stamps = [stamp for _, stamp in events]
        sitting = sum(gap for gap in (b - a for a, b in pairwise(stamps))
                      if gap <= SITTING_GAP_SECONDS)
        verdicts = sum(not is_undo for is_undo, _ in events)
        report.append({"reviewer": reviewer, "verdicts": verdicts, "undos": len(events) - verdicts,
                       "sitting_minutes": round(sitting / 60, 1),
                       "per_hour": round(verdicts / (sitting / 3600)) if sitting else None})
    return sorted(report, key=lambda row: -row["verdicts"])


def awaiting_second_verdict(db: sqlite_utils.Database) -> int:
    """Verified claims that fewer than two reviewers have verified (what the two-reviewer setting holds back)."""
    verifiers: dict[int, int] = {}
    for claims in standing_verdicts(db).values():
        for claim_id, verdict in claims.items():
            verifiers[claim_id] = verifiers.get(claim_id, 0) + (verdict == "verified")
    verified = [row[0] for row in db.execute("SELECT id FROM claims WHERE status = 'verified'").fetchall()]
    return sum(verifiers.get(claim_id, 0) < 2 for claim_id in verified)
