"""Chunks: a long text parsed in pieces cut at paragraph breaks, so spaCy's memory stays bounded.

spaCy's parser needs working memory in proportion to the text it is given at once (about 1 GB per
100,000 characters, in its own guide), and refuses texts past `nlp.max_length` (error E088). A long
article's parse runs a chunk at a time; the chunks' Docs are joined into one Doc whose text is the
article's, and the stages that read the whole document (the claim stages) then run on it once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

LOGGER = logging.getLogger(__name__)

CHUNK_CHARS = 10_000
# Where a chunk may end, best first: after a paragraph, a line, a sentence, a word.
_BREAKS = ("\n\n", "\n", ". ", " ")


def paragraph_chunks(text: str, size: int = CHUNK_CHARS) -> list[str]:
    """`text` cut into pieces of at most `size` characters, each ending at the latest break it can.

    Joined, the pieces give back `text` exactly.
    """
    chunks, start = [], 0
    while len(text) - start > size:
        end = _cut(text, start, start + size)
        chunks.append(text[start:end])
        start = end
    return [*chunks, text[start:]]


def _cut(text: str, start: int, limit: int) -> int:
    for mark in _BREAKS:
        at = text.rfind(mark, start + 1, limit)
        if at > start + (limit - start) // 4:
            return at + len(mark)
    return limit


def pipe_in_chunks(nlp: Language, docs: Iterable[Doc], batch_size: int, whole_from: str,
                   size: int = CHUNK_CHARS) -> Iterator[Doc]:
    """`nlp` run over each Doc, in order, as `nlp.pipe` would; a Doc longer than `size` is parsed in chunks.

    Args:
        docs: Docs made with `nlp.make_doc`, with any Doc extensions the pipeline reads already set.
        whole_from: the first component that must see the whole Doc; the ones before it run per chunk.
    """
    short: list[Doc] = []
    for doc in docs:
        if len(doc.text) <= size:
            short.append(doc)
            if len(short) >= batch_size:
                yield from nlp.pipe(short, batch_size=batch_size)
                short = []
            continue
        yield from nlp.pipe(short, batch_size=batch_size)
        short = []
        yield _in_chunks(nlp, doc, whole_from, size)
    yield from nlp.pipe(short, batch_size=batch_size)


def _in_chunks(nlp: Language, doc: Doc, whole_from: str, size: int) -> Doc:
    split = nlp.pipe_names.index(whole_from)
    whole = nlp.pipe_names[split:]
    parts = list(nlp.pipe(paragraph_chunks(doc.text, size), disable=whole))
    joined = Doc.from_docs(parts, ensure_whitespace=False)
    joined.user_data.update(doc.user_data)  # the Doc-level extensions set before the pipeline (the country)
    for name in whole:
        joined = nlp.get_pipe(name)(joined)
    return joined
