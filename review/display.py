"""How values show on the Datasette pages and the desk: figures as a reader writes them, links only to the web."""

from __future__ import annotations

from urllib.parse import urlsplit

from markupsafe import Markup


def format_number(value: float) -> str:
    """A figure as a reader writes it: 1,200,000 and 17.5, not 1200000.0, 17.500 or 16600000.000000002."""
    if value == 0:
        return "0"
    if abs(value) < 1:
        return f"{value:.3g}"
    # Fifteen significant digits (what a double holds) drop the float noise of a product like 16.6 × 1,000,000.
    rounded = float(f"{value:.15g}")
    return f"{rounded:,.2f}".rstrip("0").rstrip(".")


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s), else None: a `javascript:` or `data:` article URL must never become a link."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def highlighted_paragraphs(text: str, spans: list[dict]) -> list[list[dict]]:
    """The text as paragraphs of pieces: plain text, or a claim's mention with its id and status.

    A mention that overlaps the one before it is left plain (the first keeps the highlight).
    """
    pieces, at = [], 0
    for span in spans:
        if span["start"] < at or not 0 <= span["start"] < span["end"] <= len(text):
            continue
        pieces += [{"text": text[at:span["start"]]}, {"text": text[span["start"]:span["end"]], "claim": span["id"],
                                                      "status": span["status"]}]
        at = span["end"]
    pieces.append({"text": text[at:]})
    paragraphs: list[list[dict]] = [[]]
    for piece in pieces:
        if "claim" in piece:
            paragraphs[-1].append(piece)
            continue
        lines = piece["text"].split("\n")
        for number, line in enumerate(lines):
            if number:
                paragraphs.append([])
            if line:
                paragraphs[-1].append({"text": line})
    return [paragraph for paragraph in paragraphs if any(p["text"].strip() for p in paragraph)]


def shown_value(column: str, value) -> str:
    """A claim field as text: figures formatted, empty for none."""
    if value is None:
        return ""
    if column in ("value", "low", "high", "corrected_value") and isinstance(value, int | float):
        return format_number(value)
    return str(value)


def corrected_cell(column: str, extracted, corrected) -> Markup:
    """A corrected field: the reviewer's value with a ✎ marker, the extractor's in its tooltip."""
    was = shown_value(column, extracted) or "nothing"
    return Markup('<span class="corrected" title="Corrected by a reviewer; the extractor found {}">{} ✎</span>').format(
        was, shown_value(column, corrected))


def corrections_cell(corrections: dict) -> str:
    """The corrections column of claim_details: `speaker: the ministry; value: 1,250`."""
    return "; ".join(f"{column}: {shown_value(column, value)}" for column, value in corrections.items()
                     if value is not None)
