"""Find attribution cues in a parse: reporting verbs, "according to", data that "showed"; used by attribution.py."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from extractors.speakers import is_data_noun, is_respondents
from extractors.words import DATA_VERBS, OBJECT_VERBS, SPEECH_VERBS, STANCE_VERBS

LOGGER = logging.getLogger(__name__)

_CLAUSE_DEPS = frozenset({"ccomp"})
_DASHES = frozenset({"--", "—", "–", "―", "-"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "expl"})
_OPENING_MARKS = frozenset({"“", '"', "``"})
_LEAD_IN_MARKS = frozenset({"—", "–", "--", ":"})
_RELATIVE_WORDS = frozenset({"which", "who", "whom", "whose"})
_CLAUSE_PARTS = frozenset({"advcl", "conj", "xcomp", "prep"})
# `” ― Jane Doe` after a quotation, and `JANE DOE: ` or `Jane Doe: ` opening a paragraph (or a
# transcript's paragraph quoted whole: `"PENCE: Well, ...`).
_SIGNATURE = re.compile(r"(?:”|\"|'')?\s*([―—–]|--)\s*[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3}")
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|me|my|we|we're|us|our)\b")
_LABEL = re.compile(r"[\"“]?([A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,2}):\s+(?=\S)")
# Verbs that attribute a definition to their subject ("X defines poverty as living on less than $2").
_DEFINING_VERBS = frozenset({"define", "classify"})
# Auxiliaries and tags of a backshifted clause ("were questioned", "had left", "would close").
_PAST_TAGS = frozenset({"VBD", "MD"})
# How a verb may sit in its sentence and still report: not as an adjective ("reported cases").
_VERB_DEPS = frozenset({"ROOT", "ccomp", "conj", "parataxis", "advcl", "relcl", "xcomp", "pcomp", "dep"})


@dataclass(frozen=True)
class Cue:
    """A reporting expression: the cue word, the head of its source phrase and the content it covers."""

    cue: int  # token index of the cue word
    source: int  # token index of the source phrase's head
    content: tuple[tuple[int, int], ...]  # character spans; empty when only a quotation beside it can fill it
    words: str  # the cue as written: "said", "according to"
    stance: bool = False  # a stance taken ("called for", "criticised") rather than a statement reported


def find_cues(doc: Doc, quoted: Callable[[int], bool], paragraph_of: Callable[[int], int]) -> list[Cue]:
    """Every attribution cue outside quotations in `doc`, in text order.

    Args:
        doc: the parsed text.
        quoted: tells whether a character offset lies inside a quotation (whose words the speaker owns).
        paragraph_of: the paragraph index of a character offset; content never leaves its cue's paragraph.
    """
    finder = _CueFinder(doc, quoted, paragraph_of)
    return [cue for token in doc if not quoted(token.idx) and (cue := finder.cue_at(token)) is not None]


def find_signatures(doc: Doc, quotation_ends: list[int]) -> list[Cue]:
    """Quotations signed with a dash (`“...” ― Jane Doe`): a cue written with punctuation."""
    text = doc.text
    return [cue for end in quotation_ends if (cue := _dash_signature(doc, text, end)) is not None]


def _dash_signature(doc: Doc, text: str, end: int) -> Cue | None:
    match = _SIGNATURE.match(text, end)
    if match is None:
        return None
    name = doc.char_span(match.end(1), match.end(), alignment_mode="expand")
    dash = doc.char_span(match.start(1), match.end(1), alignment_mode="expand")
    words = [t for t in name or () if not t.is_punct]  # "― Jane Doe." ends the paragraph with a full stop
    if not words or dash is None or not all(t.pos_ == "PROPN" or t.is_title for t in words):
        return None
    return Cue(dash[0].i, words[-1].i, (), dash.text)


def find_speaker_labels(doc: Doc, paragraphs: list[tuple[int, int]]) -> list[Cue]:
    """Paragraphs opened by a speaker's name and a colon (`PENCE: Well, look ...`); the rest is theirs."""
    text = doc.text
    labels = [(match, start, end) for start, end in paragraphs if (match := _LABEL.match(text, start, end))]
    counts = Counter(match.group(1) for match, _, _ in labels)
    cues = []
    for match, _, end in labels:
        name = doc.char_span(match.start(1), match.end(1), alignment_mode="expand")
        if name is None:
            continue
        if not _is_speaker_label(name, counts[match.group(1)], text[match.end():end]):
            continue
        colon = doc.char_span(match.end(1), match.end(1) + 1, alignment_mode="expand")
        content = doc.char_span(match.end(), end, alignment_mode="expand")
        if colon is not None and content is not None:
            cues.append(Cue(colon[0].i, name[-1].i, _spans(list(content)), ":"))
    return cues


def _is_speaker_label(name: Span, uses: int, content: str) -> bool:
    # A name repeated down the page opens turns of a transcript or interview. A name used once is
    # a list entry ("Jane Doe: theft, $500 bond") unless what follows is said in the first person.
    if name.text.isupper():
        return uses > 1
    if not all(token.ent_type_ == "PERSON" for token in name):
        return False
    return uses > 1 or bool(_FIRST_PERSON.search(content))


class _CueFinder:
    """Reads the cue, source and content off the parse around one word at a time."""

    def __init__(self, doc: Doc, quoted: Callable[[int], bool], paragraph_of: Callable[[int], int]) -> None:
        self.doc = doc
        self.quoted = quoted
        self.paragraph_of = paragraph_of

    def cue_at(self, token: Token) -> Cue | None:
        if token.lower_ == "according":
            return self._according_to(token)
        if token.lower_ == "based":
            return self._based_on(token)
        if token.lemma_.lower() in _DEFINING_VERBS:
            return self._definition(token)
        return self._reporting_verb(token)

    def _based_on(self, token: Token) -> Cue | None:
        # "Based on a poll by Gallup, 45 percent ..." and "The figure is based on a survey by Pew".
        on = next((child for child in token.children if child.lower_ == "on"), None)
        source = next((child for child in on.children if child.dep_ == "pobj"), None) if on is not None else None
        if source is None or not is_data_noun(source) or not _names_someone(source):
            return None
        if token.dep_ == "ROOT":
            content = [t for child in token.children if child.dep_ in ("nsubj", "nsubjpass") for t in child.subtree]
        else:
            content = [t for t in _clause_head(token).subtree if not _inside(t, token)]
        return self._cue(token, source, content, "based on")

    def _definition(self, verb: Token) -> Cue | None:
        # "The World Bank defines extreme poverty as living on less than $2.15 a day."
        source = next((child for child in verb.children if child.dep_ == "nsubj"), None)
        defined = [c for c in verb.children if c.dep_ == "dobj" or (c.dep_ == "prep" and c.lower_ == "as")]
        if source is None or verb.pos_ != "VERB" or not any(child.lower_ == "as" for child in defined):
            return None
        return self._cue(verb, source, [t for child in defined for t in child.subtree], verb.text)

    def _according_to(self, token: Token) -> Cue | None:
        to = next((child for child in token.children if child.lower_ == "to"), None)
        source = next((child for child in to.children if child.dep_ == "pobj"), None) if to is not None else None
        if source is None:
            return None
        clause = _clause_head(token)
        return self._cue(token, source, [t for t in clause.subtree if not _inside(t, token)], "according to")

    def _reporting_verb(self, verb: Token) -> Cue | None:
        lemma = verb.lemma_.lower()
        if verb.pos_ not in ("VERB", "AUX") or verb.dep_ not in _VERB_DEPS:
            return None
        if lemma in STANCE_VERBS and lemma not in SPEECH_VERBS:
            return self._stance_verb(verb)
        if lemma not in SPEECH_VERBS:
            return None
        if lemma == "point" and not any(child.lower_ == "out" for child in verb.children):
            return None
        source = self._subject(verb)
        if source is None:
            return None
        data_subject = is_data_noun(source)
        clauses = self._kept([t for c in verb.children if c.dep_ in _CLAUSE_DEPS for t in c.subtree], verb)
        if lemma in DATA_VERBS and lemma not in OBJECT_VERBS and not data_subject and not clauses:
            return None
        object_counts = lemma in OBJECT_VERBS or data_subject or _misparsed_clause(verb)
        content = clauses or _stray_clause(verb) or self._other_content(verb, source, object_counts)
        if clauses:
            content += self._kept([t for clause in _reported_conjuncts(verb) for t in clause.subtree], verb)
            content += _subject_clause_before(verb, source)
        if is_respondents(source):
            # "62 percent of Americans said ...": the share polled is part of what the poll found.
            content += list(source.subtree)
        content = self._after_lead_in(content, verb)
        return self._cue(verb, source, content, verb.text + (" out" if lemma == "point" else ""))

    def _after_lead_in(self, content: list[Token], verb: Token) -> list[Token]:
        # "Sondland has amended his testimony once — “I now do recall,” he said": the parser may hang
        # the writer's lead-in on the cue that follows the quotation it introduces with a dash or colon.
        doc = self.doc
        for token in sorted((t for t in content if t.i < verb.i), key=lambda t: t.i):
            if token.i >= 2 and self.quoted(token.idx) and doc[token.i - 1].text in _OPENING_MARKS:
                if doc[token.i - 2].text in _LEAD_IN_MARKS:
                    return [t for t in content if t.i >= token.i - 1]
                break
        return content

    def _stance_verb(self, verb: Token) -> Cue | None:
        source = self._subject(verb)
        if source is None or source.pos_ not in ("PROPN", "NOUN", "PRON"):
            return None
        cue = self._cue(verb, source, [t for t in verb.subtree if t.i > verb.i and not _inside(t, source)], verb.text)
        return Cue(cue.cue, cue.source, cue.content, cue.words, stance=True) if cue.content else None

    def _other_content(self, verb: Token, source: Token, object_counts: bool) -> list[Token]:
        if verb.dep_ == "parataxis":
            # "This decision, he said, depends on ...": the sentence around the inserted cue, with
            # what the parser hung on the cue but belongs to the sentence ("..., until it went bankrupt").
            own = {t.i for child in verb.children if child.dep_ not in _CLAUSE_PARTS for t in child.subtree}
            return [t for t in verb.head.subtree if t.i != verb.i and t.i not in own]
        if object_counts:
            # "Khana reported 41 arrests": what the verb governs on the far side from its subject.
            return [t for t in verb.subtree if (t.i > verb.i) == (source.i < verb.i) and not _inside(t, source)]
        return []

    def _subject(self, verb: Token) -> Token | None:
        # "X said", "said X", and verbs that borrow their subject: "criticised ..., saying", "and added".
        subjects = [child for child in verb.children if child.dep_ == "nsubj"]
        named = [child for child in subjects if not _is_dateline(child)]
        if named:
            return named[0] if not self.quoted(named[0].idx) else self._phrase_before(verb)
        if subjects:
            # "WASHINGTON -- President Obama, ..., said": the parser made the dateline the subject.
            apposed = [child for child in subjects[0].children if child.dep_ == "appos"]
            return apposed[0] if apposed else None
        if verb.dep_ in ("conj", "advcl", "xcomp") and verb.head.pos_ in ("VERB", "AUX") and verb.head.i < verb.i:
            return self._subject(verb.head)
        return _name_beside(verb)

    def _phrase_before(self, verb: Token) -> Token | None:
        # `“...,” Stafford, a member of the crew, responded`: the parser took a word of the quotation
        # as subject; the source is the phrase between the quotation and the verb.
        start = verb.i
        while start > 0 and not self.quoted(self.doc[start - 1].idx):
            start -= 1
        region = [t for t in self.doc[start : verb.i] if t.pos_ in ("PROPN", "NOUN", "PRON")]
        heads = [t for t in region if not start <= t.head.i < verb.i]
        return (heads or region or [None])[0]

    def _kept(self, tokens: list[Token], cue: Token) -> list[Token]:
        paragraph = self.paragraph_of(cue.idx)
        return [t for t in tokens if self.paragraph_of(t.idx) == paragraph]

    def _cue(self, cue: Token, source: Token, content: list[Token], words: str) -> Cue:
        aside = {t.i for t in content if _is_aside(t) and not _inside_subject(t) for t in t.subtree}
        # A semicolon before the cue closes an earlier clause, whatever the parser hung on the cue.
        semicolons = [t.i for t in cue.sent if t.text == ";" and t.i < min(cue.i, source.i)]
        first = semicolons[-1] + 1 if semicolons else 0
        kept = [t for t in self._kept(content, cue) if t.i not in aside and t.i >= first]
        return Cue(cue.i, source.i, _spans(kept), words)


def _subject_clause_before(verb: Token, source: Token) -> list[Token]:
    # "Covering 100,000 square kilometres of ice, Zornetzer told me, would cost $2 billion": with the
    # cue set off by commas, the parser hangs the reported clause's subject on the cue; a reported
    # clause with no subject of its own takes it back.
    doc = verb.doc
    clause = next((child for child in verb.children if child.dep_ == "ccomp" and child.i > verb.i), None)
    if clause is None or any(child.dep_ in _SUBJECT_DEPS for child in clause.children):
        return []
    if clause.left_edge.i == 0 or doc[clause.left_edge.i - 1].text != ",":
        return []
    opening = [child for child in verb.children if child.dep_ in ("advcl", "csubj") and child.i < source.i
               and child.left_edge.i == verb.sent.start]
    return [t for child in opening for t in child.subtree]


def _is_dateline(token: Token) -> bool:
    # "WASHINGTON --", "LONDON —" opening a story: a place in capitals, then a dash.
    doc = token.doc
    opens = token.i == 0 or "\n" in doc[token.i - 1].text_with_ws or doc[token.i - 1].is_space
    following = doc[token.i + 1] if token.i + 1 < len(doc) else None
    return opens and token.is_upper and len(token.text) > 1 and following is not None and following.text in _DASHES


def _name_beside(verb: Token) -> Token | None:
    # The parser sometimes loses the subject ("..., explained Jane Doe, a nurse", "at the Post Trump
    # said that ..."): take the name right before the verb, or the proper-noun run right after it.
    doc = verb.doc
    if verb.i > 0 and doc[verb.i - 1].pos_ == "PROPN":
        return doc[verb.i - 1]
    last = None
    for token in doc[verb.i + 1 : verb.i + 6]:
        if token.pos_ != "PROPN" and not (token.is_title and token.is_alpha):
            break
        last = token
    return last


def _stray_clause(verb: Token) -> list[Token]:
    # "told teachers who covered the lawn that the state should pay": the parser hung the
    # that-clause on the nearer verb; it is still what was told. So too "said in televised remarks
    # that ...", where it hung the clause on the noun of the verb's own prepositional phrase.
    for token in verb.subtree:
        stray = token.i > verb.i and token.dep_ == "ccomp" and token.head.lemma_.lower() not in SPEECH_VERBS
        stray = stray or (token.dep_ == "acl" and _in_phrase_of(token.head, verb))
        if stray and any(child.dep_ == "mark" and child.lower_ == "that" for child in token.children):
            return list(token.subtree)
    return []


def _in_phrase_of(noun: Token, verb: Token) -> bool:
    return noun.dep_ == "pobj" and noun.head.dep_ == "prep" and noun.head.head.i == verb.i


def _misparsed_clause(verb: Token) -> bool:
    # "The unions said more than 15,000 people registered": a clause parsed as the object of "said".
    objects = [child for child in verb.children if child.dep_ == "dobj"]
    return any(t.pos_ == "VERB" and t.dep_ in ("acl", "relcl") for obj in objects for t in obj.subtree)


def _is_aside(clause: Token) -> bool:
    # A relative clause set off by a comma (", which gave $5.9 million", ", in which 1,200 people
    # were killed") is the writer's background to the reported statement, not part of it.
    if clause.dep_ not in ("relcl", "advcl", "acl"):
        return False
    doc, start = clause.doc, clause.left_edge.i
    if start == 0 or doc[start - 1].text not in (",", "(", "—", "–"):
        return False
    first = doc[start + 1] if doc[start].dep_ == "prep" and start + 1 < clause.i else doc[start]
    return first.lower_ in _RELATIVE_WORDS


def _names_someone(document: Token) -> bool:
    # "based on a poll by Gallup", not "based on updated forecasts", which gives no source.
    return any(t.i != document.i and (t.pos_ == "PROPN" or t.ent_type_ in ("ORG", "PERSON")) for t in document.subtree)


def _inside_subject(clause: Token) -> bool:
    # "964,000 people, which account for 0.4 percent of the population, had the disorder": a
    # relative clause on the reported clause's subject sits inside what was reported.
    return clause.head.dep_ in ("nsubj", "nsubjpass") and clause.head.head.dep_ in _CLAUSE_DEPS


def _reported_conjuncts(verb: Token) -> list[Token]:
    # "Police said 12 people were arrested, and 40 others were questioned": a clause joined to the
    # cue that keeps the backshifted past of reported speech goes on with the report.
    if verb.tag_ != "VBD":
        return []
    return [
        child for child in verb.children
        if child.dep_ == "conj" and child.pos_ in ("VERB", "AUX") and child.lemma_.lower() not in SPEECH_VERBS
        and any(t.dep_ in ("nsubj", "nsubjpass") and t.pos_ != "PRON" for t in child.children) and _backshifted(child)
    ]


def _backshifted(verb: Token) -> bool:
    return verb.tag_ in _PAST_TAGS or any(
        child.dep_ in ("aux", "auxpass") and child.tag_ in _PAST_TAGS for child in verb.children)


def _clause_head(token: Token) -> Token:
    # "A rose and B fell, according to X": the cue covers every conjoined clause.
    head = token.head
    while head.pos_ not in ("VERB", "AUX") and head.dep_ != "ROOT" and head.head is not head:
        head = head.head
    if head.dep_ in ("aux", "auxpass"):
        head = head.head  # the parser may hang the phrase on "were" of "were closed"
    while head.dep_ == "conj" and head.head.i < head.i:
        head = head.head
    return head


def _inside(token: Token, root: Token) -> bool:
    return root.left_edge.i <= token.i <= root.right_edge.i


def _spans(tokens: list[Token]) -> tuple[tuple[int, int], ...]:
    """Contiguous character spans covering `tokens`, without punctuation at their edges."""
    spans: list[tuple[int, int]] = []
    run: list[Token] = []
    for token in sorted(tokens, key=lambda t: t.i):
        if run and token.i != run[-1].i + 1:
            spans.extend(_trimmed(run))
            run = []
        run.append(token)
    spans.extend(_trimmed(run))
    return tuple(spans)


def _trimmed(run: list[Token]) -> list[tuple[int, int]]:
    while run and (run[0].is_punct or run[0].is_space):
        run = run[1:]
    while run and (run[-1].is_punct or run[-1].is_space):
        run = run[:-1]
    if not run:
        return []
    return [(run[0].idx, run[-1].idx + len(run[-1].text))]
