"""Find attributions: who said what (reporting verbs, "according to", quotations), over a parsed text."""

from __future__ import annotations

import bisect
import dataclasses
import logging
import re
from dataclasses import asdict, dataclass

from spacy.tokens import Doc, Span

from extractors.cues import Cue, find_cues, find_signatures, find_speaker_labels
from extractors.quotation_marks import Quotation, find_quotations
from extractors.quote_tagger import with_learned_cues
from extractors.speakers import Speaker, SpeakerResolver
from extractors.text import paragraph_bounds

LOGGER = logging.getLogger(__name__)

# Shorter quotations are usually scare quotes or titles ("so-called “traffickers”"), not speech,
# unless they end in the comma or full stop that speech takes before its cue.
MIN_QUOTATION_WORDS = 5
_SPEECH_END = re.compile(r"[,.!?…]\s*$")
# What may stand between a quotation and a cue that follows it: `,” he said`, `.” said X`.
_CONTINUING_OPENERS = frozenset({"also", "additionally", "furthermore", "moreover"})
_PERSON_SUBJECTS = frozenset({"he", "she"})
_GROUP_SUBJECTS = frozenset({"it", "they"})
_SIGNATURE_DASHES = frozenset({"―", "—", "–", "--"})
_GAP_AFTER = re.compile(r"(?:[^\S\n]|[”\"'’,;:—–-])*\Z")  # any space but a paragraph break
# ... and between a cue and the quotation it introduces: `X said: “`, `X told reporters that “`.
_GAP_BEFORE = re.compile(r"^[^.!?“”\"]{0,40}?(?:[:,—–-]|\bthat)?\s*(?:“|\"|'')?$")


@dataclass(frozen=True)
class Quote:
    """An attributed statement: its speaker (fullest name), content span and cue."""

    speaker: str
    text: str
    start: int
    end: int
    cue: str
    spans: tuple[tuple[int, int], ...] = ()  # the content's pieces, when a cue interrupts it
    direct: bool = False  # a quotation in quotation marks, rather than paraphrase
    resolved: bool = True  # False when the speaker is a pronoun the text gives no antecedent for
    named: bool = True  # False for a common-noun source ("officials", "the report")
    stance: bool = False  # a stance ("called for", "criticised"), which attributes no figure to its source

    def to_record(self) -> dict:
        """The flat dict written to JSON Lines and the database."""
        return asdict(self)

    def covers(self, start: int, end: int) -> bool:
        """True when the character span [start, end) lies inside this statement's content."""
        return any(a <= start and end <= b for a, b in self.spans or ((self.start, self.end),))


def find_quotes(doc: Doc) -> list[Quote]:
    """Every attributed statement in `doc`, numeric or not, in text order."""
    return _Attributor(doc).quotes()


def speaker_at(doc: Doc, quotes: list[Quote], start: int, end: int) -> str | None:
    """The speaker the text attributes the span [start, end) to, or None when it is the text's own voice."""
    covering = [quote for quote in quotes if not quote.stance and quote.covers(start, end)]
    if not covering:
        return None
    # Quotation marks bind tighter than any paraphrase around them; otherwise a named source
    # outranks a bare "the investigation" it reports on, and the innermost statement wins.
    best = min(covering, key=lambda quote: (not quote.direct, not quote.named, quote.end - quote.start))
    return best.speaker if best.resolved else None


class _Attributor:
    """The state for one document: its quotations, paragraphs, cues and speakers."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.text = text = doc.text
        self.quotations = [q for q in find_quotations(text) if _is_speech(text, q)]
        paragraphs = paragraph_bounds(text)
        self._starts = [start for start, _ in paragraphs] or [0]
        # A transcript's labelled paragraphs are the speaker's own words, like a quotation.
        self.labels = find_speaker_labels(doc, paragraphs)
        spoken = [(q.start, q.end) for q in self.quotations] + [span for cue in self.labels for span in cue.content]
        self._quoted = sorted(spoken)
        self.resolver = SpeakerResolver(doc, self.paragraph_of, self.quoted)
        signatures = find_signatures(doc, [q.end for q in self.quotations if q.closed])
        cues = find_cues(doc, self.quoted, self.paragraph_of) + signatures + self.labels
        # The rules are the more precise: the tagger only adds what they found no content for.
        cues = with_learned_cues(doc, cues, self.quoted)
        self.cues = sorted(cues, key=lambda cue: cue.cue)
        self.speakers = self._resolve(self.cues)
        self.speakers_by_name = {speaker.name: speaker for speaker in self.speakers.values()}

    def paragraph_of(self, char: int) -> int:
        """The index of the paragraph holding character `char`."""
        return max(bisect.bisect_right(self._starts, char) - 1, 0)

    def quoted(self, char: int) -> bool:
        """True when character `char` lies inside a quotation of speech."""
        index = bisect.bisect_right(self._quoted, (char, len(self.text))) - 1
        return index >= 0 and self._quoted[index][0] <= char < self._quoted[index][1]

    def quotes(self) -> list[Quote]:
        """The paraphrased and the quoted statements, in text order."""
        found = [self._paraphrase(cue) for cue in self.cues if self._paraphrases(cue)]
        for quote in found:  # grows as it goes: a continued report may continue again
            continued = self._continuation(quote)
            if continued is not None:
                found.append(continued)
        found.extend(self._quote(self.speakers[cue.cue], cue.content, cue.words, direct=True) for cue in self.labels)
        found.extend(self._direct_quotes())
        return sorted(found, key=lambda quote: (quote.start, quote.end))

    def _resolve(self, cues: list[Cue]) -> dict[int, Speaker]:
        # In text order, so that a pronoun can only look back at speakers already met.
        speakers = {}
        for cue in sorted(cues, key=lambda cue: min(cue.cue, cue.source)):
            speaker = self.resolver.resolve(self.doc[cue.source])
            self.resolver.remember(self.doc[cue.source], speaker)
            speakers[cue.cue] = speaker
        return speakers

    def _paraphrases(self, cue: Cue) -> bool:
        # A cue whose content is only a quotation beside it is reported with the quotation.
        outside = (not self.quoted(start) or not self.quoted(end - 1) for start, end in cue.content)
        return cue.words != ":" and any(outside)

    def _paraphrase(self, cue: Cue) -> Quote:
        quote = self._quote(self.speakers[cue.cue], cue.content, cue.words, direct=False)
        return dataclasses.replace(quote, stance=cue.stance)

    def _continuation(self, quote: Quote) -> Quote | None:
        """The next sentence, when its wording carries the paraphrase on (`It would also ...`)."""
        if quote.stance or not quote.resolved:
            return None
        sentence = self.doc.char_span(quote.start, quote.end, alignment_mode="expand").sent
        if sentence.end >= len(self.doc) or quote.end < sentence[-1].idx - 2:
            return None  # the content stops short of its sentence's end: the sentence moves on
        following = self.doc[sentence.end].sent
        if self.paragraph_of(following.start_char) != self.paragraph_of(quote.start) or self._has_cue(following):
            return None
        if not _continues_report(following, self.speakers_by_name.get(quote.speaker)):
            return None
        last = next((t for t in reversed(following) if not (t.is_punct or t.is_space)), following[-1])
        spans = ((following.start_char, last.idx + len(last.text)),)
        speaker = Speaker(quote.speaker, is_person=False, named=quote.named)
        return self._quote(speaker, spans, quote.cue, direct=False)

    def _has_cue(self, sentence: Span) -> bool:
        inside = any(sentence.start <= cue.cue < sentence.end for cue in self.cues)
        return inside or any(self.quoted(token.idx) for token in sentence)

    def _direct_quotes(self) -> list[Quote]:
        # Quotations that share a cue within a paragraph (“A,” she said. “B.”) make one statement.
        groups: dict[tuple[int, int], list[Quotation]] = {}
        previous: tuple[Cue, int] | None = None  # the cue the last quotation went to, and where it ended
        labelled = [span for cue in self.labels for span in cue.content]
        for index, quotation in enumerate(self.quotations):
            if any(start < quotation.end and quotation.start < end for start, end in labelled):
                continue  # a transcript turn quoted whole (`"PENCE: Well, ...`) is its label's
            cue = self._cue_for(quotation) or self._cue_for_chain(index) or self._cue_continued(quotation, previous)
            if cue is None:
                continue
            previous = (cue, quotation.end)
            groups.setdefault((cue.cue, quotation.paragraph), []).append(quotation)
        cues = {cue.cue: cue for cue in self.cues}
        return [
            self._quote(self.speakers[cue], tuple((q.start, q.end) for q in group), cues[cue].words, direct=True)
            for (cue, _), group in groups.items()
        ]

    def _cue_continued(self, quotation: Quotation, previous: tuple[Cue, int] | None) -> Cue | None:
        # A quotation with no cue of its own goes on from the last speaker: one in its own paragraph,
        # or in the paragraph before when it opens a paragraph (news style for a quote running on).
        earlier = [(self._cue_extent(cue)[1], cue) for cue in self.cues if self._cue_extent(cue)[1] <= quotation.start]
        if previous is not None:
            earlier.append((previous[1], previous[0]))
        if not earlier:
            return None
        end, cue = max(earlier, key=lambda pair: pair[0])
        distance = quotation.paragraph - self.paragraph_of(end)
        opens_paragraph = not self.text[self._starts[quotation.paragraph] : quotation.start - 1].strip()
        return cue if distance == 0 or (distance == 1 and opens_paragraph) else None

    def _cue_for(self, quotation: Quotation) -> Cue | None:
        # The nearest cue that only punctuation (after) or a short lead-in (before) separates from it.
        text, best, best_gap = self.text, None, len(self.text)
        for cue in self.cues:
            first, last = self._cue_extent(cue)
            if first >= quotation.end and _GAP_AFTER.match(text[quotation.end : first]):
                gap = first - quotation.end
            elif last <= quotation.start and not _is_signature(cue) and _GAP_BEFORE.match(text[last : quotation.start]):
                gap = quotation.start - last
            else:
                continue
            if gap < best_gap:
                best, best_gap = cue, gap
        return best

    def _cue_for_chain(self, index: int) -> Cue | None:
        # “First sentence.” “Second sentence,” she said. — adjacent quotations share the later cue.
        text = self.text
        for quotation, following in zip(self.quotations[index:], self.quotations[index + 1 :], strict=False):
            if text[quotation.end : following.start].strip(" ”\"'\n"):
                return None
            cue = self._cue_for(following)
            if cue is not None:
                return cue
        return None

    def _cue_extent(self, cue: Cue) -> tuple[int, int]:
        cue_token, source = self.doc[cue.cue], self.doc[cue.source]
        # A signature's name follows its dash, though the parser may hang the quotation under it.
        first = cue_token.idx if _is_signature(cue) else min(cue_token.idx, source.left_edge.idx)
        last = max(cue_token.idx + len(cue_token.text), source.idx + len(source.text))
        return first, last

    def _quote(self, speaker: Speaker, spans: tuple[tuple[int, int], ...], cue: str, direct: bool) -> Quote:
        text = " … ".join(self.text[start:end] for start, end in spans)
        return Quote(
            speaker=speaker.name, text=text, start=spans[0][0], end=spans[-1][1], cue=cue,
            spans=spans, direct=direct, resolved=speaker.resolved, named=speaker.named,
        )


def _continues_report(sentence: Span, speaker: Speaker | None) -> bool:
    # Reported speech runs on where the next sentence opens with "Also," or "In addition," or keeps
    # the backshifted "would" with the speaker as a pronoun subject ("It would also close 12 stores").
    first = sentence[0].lower_
    if first in _CONTINUING_OPENERS or sentence[:2].text.lower() == "in addition":
        return True
    root = sentence.root
    pronouns = _PERSON_SUBJECTS if speaker is not None and speaker.is_person else _GROUP_SUBJECTS
    backshifted = any(child.dep_ == "aux" and child.lower_ == "would" for child in root.children)
    return backshifted and any(child.dep_ == "nsubj" and child.lower_ in pronouns for child in root.children)


def _is_signature(cue: Cue) -> bool:
    # "“...” ― Jane Doe" signs the quotation before it, never the one that opens the next paragraph.
    return cue.words in _SIGNATURE_DASHES


def _is_speech(text: str, quotation: Quotation) -> bool:
    inner = text[quotation.start : quotation.end]
    return quotation.words(text) >= MIN_QUOTATION_WORDS or bool(_SPEECH_END.search(inner))
