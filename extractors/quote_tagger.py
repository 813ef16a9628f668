"""Learned attribution: a CRF tags source, cue and content tokens; attribution.py joins its cues to the rules'."""

from __future__ import annotations

import bisect
import dataclasses
import functools
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pycrfsuite
from spacy.tokens import Doc, Span, Token

from extractors.cues import Cue
from extractors.quotation_marks import find_quotations
from extractors.text import paragraph_bounds
from extractors.words import SPEECH_VERBS, STANCE_VERBS

LOGGER = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "attribution" / "tagger.crfsuite"
# The tag set: begin/inside of a source (S), cue (C) and content (Q) span, else outside.
TAGS = ("O", "B-S", "I-S", "B-C", "I-C", "B-Q", "I-Q")
_CUE_WORDS = SPEECH_VERBS | STANCE_VERBS | {"according"}
_QUOTE_MARKS = frozenset({"“", "”", '"', "''", "``"})
# How far up the tree a token looks for the cue word that governs it.
_ANCESTOR_REACH = 6
_WINDOW = (-2, -1, 1, 2)
_NOMINAL = frozenset({"PROPN", "NOUN", "PRON"})
_BORROWING_DEPS = frozenset({"conj", "advcl", "xcomp", "pcomp"})
_AFFILIATION_WORDS = frozenset({"from", "of", "at", "with"})
_FINITE_TAGS = frozenset({"VBD", "VBP", "VBZ", "MD"})


@dataclass(frozen=True)
class Segment:
    """A run of tokens the tagger gave one role: `S` source, `C` cue or `Q` content."""

    role: str
    start: int
    end: int


def paragraph_tokens(doc: Doc) -> Iterator[list[Token]]:
    """The non-space tokens of each paragraph (line) of `doc`: one sequence for the tagger each."""
    bounds = paragraph_bounds(doc.text)
    tokens = [t for t in doc if not t.is_space]
    index = 0
    for start, end in bounds:
        run = []
        while index < len(tokens) and tokens[index].idx < end:
            if tokens[index].idx >= start:
                run.append(tokens[index])
            index += 1
        if run:
            yield run


def sequence_features(tokens: list[Token], quoted: set[int], cue_words: list[int]) -> list[list[str]]:
    """The named features of each token of one paragraph.

    Args:
        tokens: the paragraph's tokens.
        quoted: indexes of the document's tokens that lie inside quotation marks.
        cue_words: indexes of its reporting words, in order.
    """
    own = [_token_features(t, t.i in quoted, cue_words) for t in tokens]
    out = []
    for position, features in enumerate(own):
        row = list(features[:_SHARED])
        for offset in _WINDOW:
            other = position + offset
            if 0 <= other < len(tokens):
                row.extend(f"{offset}{name}" for name in own[other][_SHARED:])
            else:
                row.append(f"{offset}edge")
        out.append(row)
    return out


# Features of a token's own, then the ones its neighbours also lend it (from index _SHARED on).
_SHARED = 9


def _token_features(token: Token, quoted: bool, cue_words: list[int]) -> list[str]:
    head = token.head
    lemma = token.lemma_.lower()
    path, distance = _governing_cue(token)
    sentence = token.sent
    return [
        "bias",
        f"lemma={lemma}",
        f"head={head.lemma_.lower()}",
        f"dep_head={token.dep_}|{head.lemma_.lower() if head.lemma_.lower() in _CUE_WORDS else head.pos_}",
        f"path={path}",
        f"path_dist={path}|{min(distance, 4)}",
        f"ent={token.ent_iob_}{token.ent_type_}",
        f"sent_edge={'B' if token.i == sentence.start else 'E' if token.i == sentence.end - 1 else 'M'}",
        f"cue_side={_cue_side(token, sentence, cue_words)}",
        f"w={token.lower_}",
        f"pos={token.pos_}",
        f"tag={token.tag_}",
        f"dep={token.dep_}",
        f"q={int(quoted)}",
        f"mark={int(token.text in _QUOTE_MARKS)}",
        f"cue={int(lemma in _CUE_WORDS)}",
        f"title={int(token.is_title)}",
    ]


def _governing_cue(token: Token) -> tuple[str, int]:
    # The dependency under which the nearest cue word above governs this token: "nsubj" for the
    # source side, "ccomp" for the content side, "self" for the cue word itself.
    if token.lemma_.lower() in _CUE_WORDS:
        return "self", 0
    child, distance = token, 0
    while child.head is not child and distance < _ANCESTOR_REACH:
        distance += 1
        parent = child.head
        if parent.lemma_.lower() in _CUE_WORDS:
            return f"{parent.lemma_.lower() if parent.lower_ == 'according' else 'cue'}>{child.dep_}", distance
        child = parent
    return "none", distance


def _cue_side(token: Token, sentence: Span, cue_words: list[int]) -> str:
    # Whether a cue word stands before and/or after the token in its sentence.
    here = bisect.bisect_left(cue_words, token.i)
    before = here > 0 and cue_words[here - 1] >= sentence.start
    after_index = here + (here < len(cue_words) and cue_words[here] == token.i)
    after = after_index < len(cue_words) and cue_words[after_index] < sentence.end
    return f"{int(before)}{int(after)}"


def quoted_tokens(doc: Doc) -> set[int]:
    """The indexes of tokens that lie inside a pair of quotation marks."""
    inside = set()
    for quotation in find_quotations(doc.text):
        span = doc.char_span(quotation.start, quotation.end, alignment_mode="expand")
        if span is not None:
            inside.update(range(span.start, span.end))
    return inside


def document_features(doc: Doc) -> list[tuple[list[Token], list[list[str]]]]:
    """Each paragraph's tokens with their features, ready for the tagger."""
    quoted = quoted_tokens(doc)
    cue_words = [t.i for t in doc if t.lemma_.lower() in _CUE_WORDS]
    return [(tokens, sequence_features(tokens, quoted, cue_words)) for tokens in paragraph_tokens(doc)]


class QuoteTagger:
    """The trained CRF: tags a parsed document and reads attribution cues off the tags."""

    def __init__(self, path: Path = MODEL_PATH) -> None:
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(path))

    def segments(self, doc: Doc) -> list[list[Segment]]:
        """The tagged source, cue and content runs of each paragraph."""
        out = []
        for tokens, features in document_features(doc):
            tags = self._tagger.tag(features)
            out.append(_segments(tokens, tags))
        return out

    def cues(self, doc: Doc) -> list[Cue]:
        """Every cue the tagger finds, with the head of its source and its content spans."""
        return [cue for paragraph in self.segments(doc) for cue in _link(doc, paragraph)]


@functools.lru_cache(maxsize=1)
def load_tagger(path: Path = MODEL_PATH) -> QuoteTagger | None:
    """The shipped tagger, or None (with a warning) when its model file is missing."""
    if not path.exists():
        LOGGER.warning("attribution model %s is missing; using the rules alone (make train-attribution)", path)
        return None
    return QuoteTagger(path)


def _segments(tokens: list[Token], tags: list[str]) -> list[Segment]:
    found: list[Segment] = []
    for token, tag in zip(tokens, tags, strict=True):
        if tag == "O":
            continue
        role = tag[2]
        last = found[-1] if found else None
        if tag[0] == "I" and last is not None and last.role == role and last.end == token.i:
            found[-1] = Segment(role, last.start, token.i + 1)
        else:
            found.append(Segment(role, token.i, token.i + 1))
    return found


def _link(doc: Doc, segments: list[Segment]) -> list[Cue]:
    # Content goes to the nearest cue, preferring one in its own sentence; a cue takes the nearest source.
    cues = [s for s in segments if s.role == "C"]
    if not cues:
        return []
    sources = [s for s in segments if s.role == "S"]
    contents: dict[Segment, list[Segment]] = {}
    for content in (s for s in segments if s.role == "Q"):
        contents.setdefault(_nearest(doc, content, cues), []).append(content)
    linked = []
    for cue, parts in contents.items():
        source = _source_head(doc, cue, sources)
        if source is None:
            continue
        spans = tuple(_char_span(doc, part) for part in sorted(parts, key=lambda s: s.start))
        words = doc[cue.start : cue.end]
        linked.append(Cue(words.root.i, source.i, spans, words.text))
    return linked


def _nearest(doc: Doc, segment: Segment, others: list[Segment]) -> Segment:
    sentence = doc[segment.start].sent.start

    def distance(other: Segment) -> tuple[bool, int]:
        gap = other.start - segment.end if other.start >= segment.end else segment.start - other.end
        return doc[other.start].sent.start != sentence, gap

    return min(others, key=distance)


def _source_head(doc: Doc, cue: Segment, sources: list[Segment]) -> Token | None:
    if sources:
        source = _nearest(doc, cue, sources)
        if doc[source.start].sent.start == doc[cue.start].sent.start:
            return _person_before(doc, source.start) or _nominal_head(doc[source.start : source.end])
    return _subject(doc[cue.start : cue.end].root)


def _subject(verb: Token) -> Token | None:
    # A cue verb borrows the subject of the verb it hangs from: "Clinton leaned in, painting Trump
    # as ...", "He began by saying ...", "He has promoted X and downplayed Y".
    for _ in range(_ANCESTOR_REACH):
        subject = next((child for child in verb.children if child.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is not None:
            return subject if subject.pos_ in _NOMINAL else None
        if verb.dep_ not in _BORROWING_DEPS or verb.head is verb:
            return None
        verb = verb.head.head if verb.head.pos_ == "ADP" else verb.head
    return None


def _person_before(doc: Doc, start: int) -> Token | None:
    # "Matthew O'Connor from [UPS corporate communications] said": a person's affiliation tagged
    # as the source, the person left out of it. The person speaks.
    if start < 2 or doc[start - 1].lower_ not in _AFFILIATION_WORDS:
        return None
    name = doc[start - 2]
    return name if name.ent_type_ == "PERSON" else None


def _nominal_head(span: Span) -> Token | None:
    # A tagged run can end or start off its phrase ("Critics of the plan, and"): its syntactic root
    # may then be a conjunction or preposition, so fall back to its first noun not under another noun.
    if span.root.pos_ in _NOMINAL:
        return span.root
    nouns = [t for t in span if t.pos_ in _NOMINAL]
    tops = [t for t in nouns if not (span.start <= t.head.i < span.end and t.head.pos_ in _NOMINAL)]
    return (tops or nouns or [None])[0]


def _char_span(doc: Doc, segment: Segment) -> tuple[int, int]:
    tokens = [t for t in doc[segment.start : segment.end] if not (t.is_punct or t.is_space)] or [doc[segment.start]]
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)


def with_learned_cues(doc: Doc, rule_cues: list[Cue], quoted: Callable[[int], bool]) -> list[Cue]:
    """The rules' cues, with the tagger's content where a rule cue has none, and the tagger's other cues.

    A rule cue is left empty when a quotation beside it is its content (`“…,” he said`), but also
    when its content is a clause the rules do not read (`vowed to …`, `mentioned climate change`):
    there the tagger's content, if it lies outside quotation marks, fills it under the rules' source.
    Such content is mostly a commitment or a topic ("agreed to inject $6.5 billion"), so it is kept
    as a stance: a quote, but no speaker for the figures in it.
    """
    tagger = load_tagger()
    if tagger is None:
        return rule_cues
    by_word = {cue.cue: cue for cue in rule_cues}
    covered = [span for cue in rule_cues for span in cue.content]
    filled, added = {}, []
    for cue in tagger.cues(doc):
        rule = by_word.get(cue.cue)
        if rule is not None and rule.content and _extends(doc, cue, rule, covered):
            filled[cue.cue] = dataclasses.replace(rule, content=cue.content)
            continue
        if _overlaps(cue.content, covered):
            continue
        if rule is None:
            added.append(dataclasses.replace(cue, stance=not _reports(doc, cue)))
        elif not rule.content and not any(quoted(start) for start, _ in cue.content):
            filled[cue.cue] = dataclasses.replace(rule, content=cue.content, stance=True)
    return [filled.get(cue.cue, cue) for cue in rule_cues] + added


def _extends(doc: Doc, learned: Cue, rule: Cue, covered: list[tuple[int, int]]) -> bool:
    # The tagger read on past where the rules stopped ("wanted to speak “directly to white people”
    # and let them know that ..."): its content holds the rules' and stays under the cue word, so it
    # never takes in the clause the cue hangs from ("Three cases were found, though officials say ...").
    if not all(any(a <= start and end <= b for a, b in learned.content) for start, end in rule.content):
        return False
    governed = {t.i for t in doc[learned.cue].subtree}
    tokens = _content_tokens(doc, learned.content)
    if not all(t.i in governed for t in tokens if not t.is_punct):
        return False
    if _past(doc[learned.cue]) and any(t.tag_ in ("VBP", "VBZ") and not _within(t, rule.content) for t in tokens):
        return False  # "Police said 12 were arrested, and the city has 40 officers": the present is the writer's
    others = [span for span in covered if span not in rule.content]
    return not _overlaps(learned.content, others)


def _past(verb: Token) -> bool:
    return verb.tag_ == "VBD" or any(child.dep_ == "aux" and child.tag_ == "VBD" for child in verb.children)


def _within(token: Token, spans: tuple[tuple[int, int], ...]) -> bool:
    return any(start <= token.idx < end for start, end in spans)


def _content_tokens(doc: Doc, spans: tuple[tuple[int, int], ...]) -> list[Token]:
    return [t for start, end in spans for t in doc.char_span(start, end, alignment_mode="expand") or ()]


def _reports(doc: Doc, cue: Cue) -> bool:
    # PolNeAR counts beliefs, expectations and charges as attributions ("is expected to spend",
    # "was found guilty of"); only an active reporting verb puts a figure in its source's mouth,
    # so the others are kept as stances, which give no claim a speaker.
    verb = doc[cue.cue]
    lemma = verb.lemma_.lower()
    if lemma == "according":
        return True
    if lemma not in SPEECH_VERBS or (lemma == "point" and not any(child.lower_ == "out" for child in verb.children)):
        return False
    if any(child.dep_ in ("auxpass", "nsubjpass") for child in verb.children):
        return False
    # A verb without tense borrows its subject, and reports only a clause of its own: "began by
    # saying he would ...", not "After agreeing to a price of $20, Heidnik took her ...".
    return verb.tag_ in _FINITE_TAGS or any(
        t.tag_ in _FINITE_TAGS and verb in t.ancestors for t in _content_tokens(doc, cue.content))


def _overlaps(spans: tuple[tuple[int, int], ...], others: list[tuple[int, int]]) -> bool:
    return any(start < other_end and other_start < end for start, end in spans for other_start, other_end in others)
