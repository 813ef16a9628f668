"""Name the source of an attribution: fullest name, titles stripped, pronouns resolved; used by attribution.py."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from extractors.words import MONTH_NAMES, WEEKDAYS

LOGGER = logging.getLogger(__name__)

# Honorifics and roles written before a name ("spokesperson Kirth Chantharith"): not part of it.
TITLE_WORDS = frozenset(
    {
        "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "dr", "dr.", "prof", "prof.", "professor", "sir", "dame",
        "lord", "lady", "rev", "rev.", "reverend", "president", "vice", "prime", "minister", "secretary", "general",
        "gen", "gen.", "sen", "sen.", "senator", "rep", "rep.", "representative", "gov", "gov.", "governor", "mayor",
        "chief", "executive", "director", "deputy", "spokesman", "spokeswoman", "spokesperson", "chairman",
        "chairwoman", "chair", "ceo", "cfo", "judge", "justice", "attorney", "officer", "commissioner", "commander",
        "captain", "capt", "capt.", "col", "col.", "colonel", "lt", "lt.", "sgt", "sgt.", "sergeant", "king", "queen",
        "prince", "princess", "pope", "ambassador", "councillor", "councilor", "treasurer", "manager", "founder",
        "head", "analyst", "economist", "researcher", "coach", "adviser", "advisor", "lawyer", "former", "acting",
        "interim", "senior", "assistant", "associate", "official"
    }
)

# Nouns for data whose owner is the real source ("National Police statistics", "data collected by X").
DATA_NOUNS = frozenset(
    {
        "data", "statistic", "statistics", "figure", "figures", "number", "numbers", "report", "survey", "study",
        "poll", "analysis", "record", "records", "estimate", "estimates", "census", "research", "finding", "findings",
        "result", "results", "count", "tally", "projection", "forecast", "document", "documents", "filing", "database",
        "chart", "table", "index", "assessment", "review", "audit", "model", "testimony", "statement", "letter", "memo",
        "complaint", "lawsuit", "indictment", "release", "investigation", "inquiry", "probe", "paper"
    }
)

# Data nouns that are documents: a document speaks itself ("a Gallup poll found"), so its noun stays in the
# speaker's name ("Gallup poll"), where data ("National Police statistics") speaks for its owner alone.
_DOCUMENT_NOUNS = frozenset(
    {
        "report", "survey", "study", "poll", "analysis", "review", "audit", "assessment", "testimony", "statement",
        "letter", "memo", "complaint", "lawsuit", "indictment", "investigation", "inquiry", "probe", "paper", "filing",
        "document"
    }
)

# Possessives too: "his claim", "her campaign's memo" attribute to the person the pronoun stands for.
_PERSON_PRONOUNS = {"he": "male", "him": "male", "his": "male", "she": "female", "her": "female"}
_PRONOUN_GENDERS = {"he": "male", "him": "male", "his": "male", "himself": "male",
                    "she": "female", "her": "female", "hers": "female", "herself": "female"}
_CALENDAR_WORDS = MONTH_NAMES | WEEKDAYS
_PUBLISHING_VERBS = frozenset(
    {"publish", "release", "issue", "produce", "conduct", "compile", "commission", "prepare", "present", "unveil"}
)
_GROUP_PRONOUNS = frozenset({"they", "them", "their", "it", "its"})
_POSSESSIVES = frozenset({"his", "her", "its", "their"})
_RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whom"})
_UNRESOLVABLE = frozenset({"i", "we", "you", "me", "us", "one", "someone", "anyone", "everyone", "this"})
_GENDER_TITLES = {"mr": "male", "mr.": "male", "mrs": "female", "mrs.": "female", "ms": "female", "ms.": "female",
                  "miss": "female", "sir": "male", "dame": "female", "lord": "male", "lady": "female"}
_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC"})
_NOUN_PHRASE_DEPS = frozenset({"compound", "amod", "poss", "nmod", "case"})
_NOUN_PHRASE_PREPOSITIONS = frozenset({"of", "for", "at", "in", "from", "with"})
# Antecedents further back than this many paragraphs are not trusted for a pronoun.
_PRONOUN_REACH = 3
# A description ("the government spokesman") says more than a pronoun, so it may reach further back.
_DESCRIPTION_REACH = 5
# Common nouns a text uses for an organisation it has named ("the company", "the German automaker"); only
# the ones that name nothing but an organisation ("the group", "the team" are as often people).
_ORGANISATION_NOUNS = frozenset(
    {
        "company", "firm", "agency", "automaker", "carmaker", "manufacturer", "ministry", "department", "bank",
        "retailer", "airline", "insurer", "lender", "chipmaker", "drugmaker", "utility", "broadcaster",
        "publisher", "startup", "conglomerate", "supermarket"
    }
)
# What an unnamed newcomer is introduced with ("a company in Ohio ... the company said"): no name to go back to.
_INDEFINITES = frozenset({"a", "an", "another", "one"})
_DEFINITES = frozenset({"the", "this", "that"})
# Nouns for a group polled, counted by a share of it ("62 percent of Americans", "3 in 10 voters say").
_SHARE_NOUNS = frozenset({"percent", "per", "majority", "minority", "share", "proportion", "half", "third", "quarter"})
_POLL_NOUNS = frozenset({"poll", "survey", "census", "questionnaire", "study"})
# How a noun can sit inside the subject of its clause: "Shares of Volkswagen fell", "Acme's chief said".
_INSIDE_SUBJECT = frozenset({"compound", "poss", "pobj", "prep", "appos", "amod", "conj", "cc"})


@dataclass(frozen=True)
class Speaker:
    """A resolved source: its name as written out, and whether it is a person."""

    name: str
    is_person: bool
    resolved: bool = True  # False for a pronoun with no antecedent: then `name` is the pronoun itself
    named: bool = True  # False for a common noun phrase ("officials", "the report")


@dataclass(frozen=True)
class _Mention:
    char: int
    paragraph: int
    name: str
    is_person: bool
    named: bool = True


class SpeakerResolver:
    """Turns the head token of a source phrase into a speaker name, remembering who spoke so far.

    Sources must be resolved in text order: pronouns look back at earlier people and speakers.
    """

    def __init__(self, doc: Doc, paragraph_of: Callable[[int], int], quoted: Callable[[int], bool]) -> None:
        self.doc = doc
        self._paragraph_of = paragraph_of
        self._genders: dict[str, str] = {}
        self._names = [_Mention(e.start_char, 0, _person_name(e), True) for e in doc.ents if e.label_ == "PERSON"]
        self._person_names = {mention.name for mention in self._names}
        self._speakers: list[_Mention] = []
        self._people = self._person_mentions(quoted)
        self._mentioned = self._person_mentions(quoted, salient=False)
        self._roles = [(e.start_char, _roles_of(e), self.fullest(_clean_name(e), e.start_char)) for e in doc.ents
                       if e.label_ == "PERSON"]
        self._documents = [(t, owner) for t in doc if t.pos_ == "NOUN" and is_data_noun(t) and (owner := _author(t))]
        self._organisations = [
            (mention, _in_subject(entity.root)) for entity in doc.ents
            if entity.label_ == "ORG" and not quoted(entity.start_char) and (mention := self._organisation(entity))
        ]

    def resolve(self, head: Token) -> Speaker:
        """The speaker named by the source phrase headed by `head`."""
        head = self._antecedent(head)
        lower = head.lower_
        if lower in _PERSON_PRONOUNS:
            return self._resolve_person_pronoun(head, _PERSON_PRONOUNS[lower])
        if lower in _GROUP_PRONOUNS:
            return self._resolve_group_pronoun(head)
        if is_respondents(head):
            return self._poll_behind(head)
        # "said Wednesday" can leave the day as the verb's subject in the parse; a time never speaks.
        if lower in _UNRESOLVABLE or head.pos_ == "PRON" or head.ent_type_ in ("DATE", "TIME"):
            return Speaker(head.text, is_person=False, resolved=False)
        return self._name_phrase(head)

    def remember(self, head: Token, speaker: Speaker) -> None:
        """Record that `speaker`, named at `head`, spoke, so later pronouns can refer back to them."""
        if not speaker.resolved:
            return
        char = head.idx
        # "Cooke's testimony concluded ...": the author of a document is not who a later "he" means.
        is_person = speaker.is_person and not is_data_noun(self._antecedent(head))
        self._speakers.append(_Mention(char, self._paragraph_of(char), speaker.name, is_person, speaker.named))
        gender = _gender_after(head)
        if speaker.is_person and gender:
            self._genders.setdefault(speaker.name, gender)

    def fullest(self, name: str, char: int) -> str:
        """The longest person name used before `char` that holds every word of `name` ("Piseth" -> "Duch Piseth")."""
        words = set(name.lower().split())
        best = name
        for mention in [*self._names, *self._speakers]:
            if mention.char < char and mention.is_person and words <= set(mention.name.lower().split()):
                best = mention.name if len(mention.name) > len(best) else best
        return best

    def _antecedent(self, head: Token) -> Token:
        # "Smith, who said ..." and "the report, which found ...": the source is the noun the clause hangs on.
        if head.lower_ in _RELATIVE_PRONOUNS and head.head.dep_ == "relcl":
            return head.head.head
        return head

    def _name_phrase(self, head: Token) -> Speaker:
        person = _entity_at(head, "PERSON")
        if person is not None and _clean_name(person):
            return self._person(person, is_person=True)
        apposed = _apposed_name(head)
        if apposed is not None and _clean_name(apposed):
            # "another representative, Pin Sokhom": a role noun says a person, whatever the recogniser thought.
            return self._person(apposed, is_person=_is_role(head) or apposed.label_ == "PERSON")
        if is_data_noun(head):
            owner = _data_owner(head) or self._earlier_owner(head)
            if owner is not None:
                return _with_document(self._name_phrase(owner), head)
            if _is_bare(head):
                # "according to one estimate": a document nobody is named behind is no source.
                return Speaker(head.text, is_person=False, resolved=False, named=False)
        entity = _entity_at(head)
        if entity is not None and entity.label_ in _NAME_LABELS and _clean_name(entity):
            name = _clean_name(entity)
            fuller = self.fullest(name, entity.start_char)
            # The small model often tags a bare surname ("Mbeki said") ORG; a person named in full
            # earlier, or a "who" clause or title, tells otherwise.
            if fuller != name or (entity.label_ == "ORG" and _looks_personal(entity)):
                return Speaker(fuller, is_person=True)
            return Speaker(name, is_person=False)
        named = self._person_in_role(head)
        if named is not None:
            return Speaker(named, is_person=True)
        if head.pos_ == "PROPN":
            return self._proper_name(head)
        if head.is_title and self.fullest(head.text, head.idx) != head.text:
            # "“...,” Mendes added" with the surname tagged a common noun: the person named in full before.
            return Speaker(self.fullest(head.text, head.idx), is_person=True)
        owned = self._pronoun_owned(head)
        if owned is not None:
            return owned
        described = self._described(head)
        if described is not None:
            return described
        phrase = _noun_phrase(head)
        return Speaker(phrase, is_person=False, named=any(word[:1].isupper() for word in phrase.split()))

    def _pronoun_owned(self, head: Token) -> Speaker | None:
        # "her campaign said", "its spokesman said": the owner the pronoun stands for, with the noun
        # kept ("Hillary Clinton campaign") so the speaker is still the campaign, not the candidate.
        owner = next((c for c in head.children if c.dep_ == "poss" and c.lower_ in _POSSESSIVES), None)
        if owner is None or head.pos_ != "NOUN":
            return None
        speaker = self.resolve(owner)
        return Speaker(f"{speaker.name} {head.text}", is_person=False) if speaker.resolved else None

    def _described(self, head: Token) -> Speaker | None:
        # "The German automaker said", "the agency warns": a definite common noun stands for the
        # nearest organisation (or, for a role, the nearest person) named before it.
        if not _is_description(head) or self._introduced(head):
            return None
        paragraph = self._paragraph_of(head.idx)
        if head.lemma_.lower() in _ORGANISATION_NOUNS or head.lower_ in _ORGANISATION_NOUNS:
            # Organisations the text made a subject or a source; a speaker the recogniser took for
            # an organisation ("Mosseri said") is no company.
            spoken = {m.name for m in self._speakers if not m.is_person}
            candidates = [m for m, in_subject in self._organisations if in_subject or m.name in spoken]
        elif _is_role(head):
            candidates = [m for m in self._speakers if m.is_person] + self._people
        else:
            return None
        earlier = [m for m in candidates if m.char < head.idx and paragraph - m.paragraph <= _DESCRIPTION_REACH]
        if not earlier:
            return None
        latest = max(earlier, key=lambda m: m.char)
        return Speaker(latest.name, is_person=latest.is_person)

    def _introduced(self, head: Token) -> bool:
        # "A company in Ohio ... the company said": the text met this one unnamed, so it stays unnamed.
        lemma = head.lemma_.lower()
        return any(
            token.lemma_.lower() == lemma and any(child.lower_ in _INDEFINITES for child in token.children)
            for token in self.doc[: head.i]
        )

    def _poll_behind(self, head: Token) -> Speaker:
        # "62 percent of Americans said ...": the respondents are not the source; the poll is, when
        # the sentence or a recent one names it ("In the Gallup survey", "A poll by Gallup found").
        in_sentence = [t for t in head.sent if t.lemma_.lower() in _POLL_NOUNS and t.i != head.i]
        if in_sentence:
            owner = _data_owner(in_sentence[0])
            if owner is not None:
                return _with_document(self._name_phrase(owner), in_sentence[0])
        paragraph = self._paragraph_of(head.idx)
        earlier = [(noun, owner) for noun, owner in self._documents if noun.lemma_.lower() in _POLL_NOUNS
                   and noun.i < head.i and paragraph - self._paragraph_of(noun.idx) <= 1]
        if earlier:
            noun, owner = earlier[-1]
            return _with_document(self._name_phrase(owner), noun)
        return Speaker(head.text, is_person=False, resolved=False, named=False)

    def _organisation(self, entity: Span) -> _Mention | None:
        name = _clean_name(entity)
        # "Adam Mosseri ... allowed Mosseri to claim": a surname the recogniser tagged ORG is a person.
        if not name or self.fullest(name, entity.start_char) != name:
            return None
        return _Mention(entity.start_char, self._paragraph_of(entity.start_char), name, False)

    def _person_in_role(self, head: Token) -> str | None:
        # "Communications Minister Fahmi Fadzil said ... “...,” the minister said": a definite role
        # goes back to the last person the text gave that role.
        if not _is_role(head) or not any(child.lower_ == "the" for child in head.children):
            return None
        role = head.lemma_.lower()
        earlier = [name for char, roles, name in self._roles if char < head.idx and role in roles]
        return earlier[-1] if earlier else None

    def _earlier_owner(self, head: Token) -> Token | None:
        # "A report by the IEA found ... According to the report, ...": a definite "the report"
        # goes back to the last report whose author the text named.
        # "Monday's poll" is as definite as "the poll".
        definite = [child for child in head.children
                    if child.lower_ in _DEFINITES or (child.dep_ == "poss" and child.ent_type_ in ("DATE", "TIME"))]
        if not definite:
            return None
        lemma = head.lemma_.lower()
        earlier = [owner for noun, owner in self._documents if noun.lemma_.lower() == lemma and noun.i < head.i]
        return earlier[-1] if earlier else None

    def _person(self, span: Span, is_person: bool) -> Speaker:
        return Speaker(self.fullest(_clean_name(span), span.start_char), is_person=is_person)

    def _proper_name(self, head: Token) -> Speaker:
        # A name the recogniser missed: the run of proper nouns ending at the head, after any title.
        start = head.i
        while start > 0 and self.doc[start - 1].pos_ == "PROPN" and self.doc[start - 1].lower_ not in TITLE_WORDS:
            start -= 1
        name = _clean_name(self.doc[start : head.i + 1])
        if not name:
            return Speaker(_noun_phrase(head), is_person=False, named=False)
        return Speaker(self.fullest(name, head.idx), is_person=True)

    def _resolve_person_pronoun(self, pronoun: Token, gender: str) -> Speaker:
        # Speakers and subjects first; failing them, a person the text only mentioned ("Reporters
        # spoke to Maria Lopez ... “...,” she added"), as a quotation's speaker is often introduced so.
        for candidates in ([m for m in self._speakers if m.is_person] + self._people, self._mentioned):
            mention = self._latest_person(candidates, pronoun, gender)
            if mention is not None:
                self._genders[mention.name] = gender
                return Speaker(mention.name, is_person=True)
        return Speaker(pronoun.text, is_person=True, resolved=False)

    def _latest_person(self, candidates: list[_Mention], pronoun: Token, gender: str) -> _Mention | None:
        paragraph = self._paragraph_of(pronoun.idx)
        candidates = [m for m in candidates if m.char < pronoun.idx and paragraph - m.paragraph <= _PRONOUN_REACH]
        for mention in sorted(candidates, key=lambda m: m.char, reverse=True):
            if self._genders.get(mention.name, gender) == gender:
                return mention
        return None

    def _resolve_group_pronoun(self, pronoun: Token) -> Speaker:
        # "It announced ...": an organisation that spoke, or that was the subject of a recent
        # sentence ("Shares of Volkswagen fell ... It said"); "they" only goes back to a speaker.
        paragraph = self._paragraph_of(pronoun.idx)
        candidates = [m for m in self._speakers if not m.is_person]
        if pronoun.lower_ in ("it", "its"):
            candidates += [mention for mention, in_subject in self._organisations if in_subject]
            candidates += [m for m in self._speakers if m.is_person and self._maybe_organisation(m.name)]
        earlier = [m for m in candidates if m.char < pronoun.idx and paragraph - m.paragraph <= 1]
        if not earlier:
            return Speaker(pronoun.text, is_person=False, resolved=False)
        latest = max(earlier, key=lambda m: m.char)
        return Speaker(latest.name, is_person=False, named=latest.named)

    def _maybe_organisation(self, name: str) -> bool:
        # "Tesla reported ... It revealed": one proper noun the recogniser left unlabelled, never
        # named as a person nor referred to as "he" or "she", may be a company.
        return " " not in name and name not in self._person_names and name not in self._genders

    def _person_mentions(self, quoted: Callable[[int], bool], salient: bool = True) -> list[_Mention]:
        # People a later "he" or "she" may point back to: named subjects and sources (or, with
        # `salient` False, the other people named), outside quotations.
        mentions = []
        for entity in self.doc.ents:
            if entity.label_ != "PERSON" or quoted(entity.start_char) or _is_salient(entity.root) != salient:
                continue
            if entity.text.lower() in _CALENDAR_WORDS:
                continue  # "May's labour force report": a month the recogniser took for a person
            name = self.fullest(_clean_name(entity), entity.start_char)
            if not name:
                continue
            title = _GENDER_TITLES.get(self.doc[entity.start - 1].lower_) if entity.start > 0 else None
            gender = title or _gender_after(self.doc[entity.end - 1])
            if gender:
                self._genders.setdefault(name, gender)
            mentions.append(_Mention(entity.start_char, self._paragraph_of(entity.start_char), name, True))
        return mentions


def _gender_after(token: Token) -> str | None:
    # "Laura Smith said her team ...": the first personal pronoun after a name in its sentence is
    # usually the person's own, unless another person is named first.
    for other in token.doc[token.i + 1 : token.sent.end]:
        if other.ent_type_ == "PERSON" and other.i > token.i + 1:
            return None
        if other.lower_ in _PRONOUN_GENDERS:
            return _PRONOUN_GENDERS[other.lower_]
    return None


def _is_salient(root: Token) -> bool:
    if root.dep_ in ("nsubj", "nsubjpass"):
        return True
    if root.dep_ == "appos" and root.head.dep_ in ("nsubj", "nsubjpass"):
        return True
    return root.dep_ == "pobj" and root.head.head.lower_ == "according"


def _in_subject(root: Token) -> bool:
    # The agent of a passive is its logical subject: "a forecast drawn up by the Storm Prediction Center".
    while root.dep_ in _INSIDE_SUBJECT and root.head.i != root.i:
        root = root.head
    return root.dep_ in ("nsubj", "nsubjpass", "agent")


def _is_description(head: Token) -> bool:
    # "the German automaker", not "the Tesla spokesman" or "the head of the WHO", which name their own.
    if head.pos_ != "NOUN" or head.tag_ in ("NNS", "NNPS") or head.ent_type_:
        return False
    if not any(child.dep_ == "det" and child.lower_ in _DEFINITES for child in head.children):
        return False
    naming = ("poss", "compound", "prep", "appos", "relcl", "acl")
    return not any(
        child.dep_ in naming and (child.pos_ == "PROPN" or child.dep_ != "compound") for child in head.children)


def is_respondents(head: Token) -> bool:
    """True for a share of a polled group ("62 percent of Americans", "3 in 10 independents"), not a source."""
    if head.ent_type_ == "PERCENT":
        return True
    if head.lemma_.lower() in _SHARE_NOUNS:
        return any(child.dep_ == "prep" and child.lower_ == "of" for child in head.children)
    numbers = [child for child in head.children if child.dep_ == "nummod"]
    return any(t.dep_ == "quantmod" and t.lower_ in ("in", "out") for n in numbers for t in n.children)


def _entity_at(token: Token, label: str | None = None) -> Span | None:
    if not token.ent_type_ or (label and token.ent_type_ != label):
        return None
    for entity in token.doc.ents:
        if entity.start <= token.i < entity.end:
            return _with_first_names(entity)
    return None


def _with_first_names(entity: Span) -> Span:
    # "the mayor, Ana Costa, said" with only "Costa" recognised, and as an organisation: the
    # capitalised proper nouns just before it, outside any other entity, are the rest of the name.
    # A person's bounds the recogniser mostly gets right ("Team Leader Jennifer Ngo-Anh").
    doc, start = entity.doc, entity.start
    if entity.label_ == "PERSON":
        return entity
    while start > 0 and _name_word(doc[start - 1]):
        start -= 1
    return entity if start == entity.start else Span(doc, start, entity.end, label=entity.label_)


def _name_word(token: Token) -> bool:
    return (token.pos_ == "PROPN" and token.is_title and not token.ent_type_
            and token.lower_.rstrip(".") not in TITLE_WORDS)


def _apposed_name(head: Token) -> Span | None:
    # "a spokesman, John Smith, said" and "another representative, Pin Sokhom": the name is in apposition.
    if head.ent_type_ and not _is_role(head):
        return None
    for child in head.children:
        if child.dep_ == "appos" and child.ent_type_ in ("PERSON", "ORG"):
            return _entity_at(child)
    return _name_after_comma(head)


def _person_name(entity: Span) -> str:
    # "Hosting Cook, Benioff asked ...": the recogniser sometimes takes in a word before the name.
    start = entity.start
    while start < entity.end - 1 and entity.doc[start].pos_ not in ("PROPN", "PUNCT"):
        start += 1
    return _clean_name(entity.doc[start : entity.end])


def _roles_of(entity: Span) -> set[str]:
    # "Communications Minister Fahmi Fadzil", "Sem Sithat, a representative", "the CEO, Jane Doe".
    root = entity.root
    roles = {t.lemma_.lower() for t in entity.doc[max(0, entity.start - 4) : entity.start] if t.head.i == root.i}
    roles.update(t.lemma_.lower() for t in entity if _is_role(t))
    roles.update(child.lemma_.lower() for child in root.children if child.dep_ == "appos")
    if root.dep_ == "appos":
        roles.add(root.head.lemma_.lower())
    return roles


def _looks_personal(entity: Span) -> bool:
    # The small model often tags a person's name ORG; a "who" clause, a title or a role in
    # apposition says otherwise.
    doc, root = entity.doc, entity.root
    if entity.start > 0 and _is_role(doc[entity.start - 1]):
        return True
    for child in root.children:
        if child.dep_ == "relcl" and any(grandchild.lower_ == "who" for grandchild in child.children):
            return True
        if child.dep_ == "appos" and _is_role(child):
            return True
    return False


def _is_role(token: Token) -> bool:
    return token.lower_ in TITLE_WORDS or token.lemma_.lower() in TITLE_WORDS


def _name_after_comma(head: Token) -> Span | None:
    # The same when the parser missed the apposition: a named entity set off by commas right after.
    doc = head.doc
    if head.i + 2 >= len(doc) or doc[head.i + 1].text != ",":
        return None
    entity = _entity_at(doc[head.i + 2])
    if entity is None or entity.start != head.i + 2 or entity.label_ not in ("PERSON", "ORG"):
        return None
    closes = entity.end >= len(doc) or doc[entity.end].is_punct
    return entity if closes else None


def _is_bare(head: Token) -> bool:
    # Only a determiner or a number beside it: "one estimate", "the study", "a report".
    return head.pos_ != "PROPN" and all(
        token.i == head.i or token.dep_ in ("det", "nummod", "predet") for token in head.subtree)


def is_data_noun(token: Token) -> bool:
    """True for nouns like "data", "figures", "survey" whose owner is the real source."""
    return token.lemma_.lower() in DATA_NOUNS or token.lower_ in DATA_NOUNS


def _with_document(owner: Speaker, document: Token) -> Speaker:
    if document.lemma_.lower() not in _DOCUMENT_NOUNS or not owner.resolved:
        return owner
    return Speaker(f"{owner.name} {document.lemma_.lower()}", is_person=False, named=owner.named)


def _data_owner(head: Token) -> Token | None:
    # "National Police statistics", "the agency's data", "data collected by X", "figures from X".
    # "Monday's poll", "last week's report": a time owns nothing.
    before = head.left_edge.i
    if before >= 2 and head.doc[before - 1].lower_ in ("'s", "’s") and head.doc[before - 2].pos_ == "PROPN":
        owner = head.doc[before - 2]  # a possessive the parser cut off: "Cooke's earlier testimony"
        return None if owner.ent_type_ in ("DATE", "TIME") else owner
    for child in head.children:
        if child.dep_ == "poss" and child.pos_ != "PRON" and child.ent_type_ not in ("DATE", "TIME"):
            return child
    # "Statistics Canada's labour force survey data": a name anywhere among the modifiers.
    for token in head.subtree:
        if token.i < head.i and token.dep_ in ("compound", "poss", "nmod") and token.ent_type_ in _NAME_LABELS:
            return token
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ in ("by", "from", "of"):
            return _object_of(child)
        if child.dep_ == "acl":
            for grandchild in child.children:
                if grandchild.dep_ in ("agent", "prep") and grandchild.lower_ in ("by", "from"):
                    return _object_of(grandchild)
    return None


def _author(document: Token) -> Token | None:
    # "X's report", "a report by X", and "X published a report".
    owner = _data_owner(document)
    verb = document.head
    if owner is None and document.dep_ == "dobj" and verb.lemma_.lower() in _PUBLISHING_VERBS:
        owner = next((child for child in verb.children if child.dep_ == "nsubj" and child.pos_ == "PROPN"), None)
    return owner


def _object_of(preposition: Token) -> Token | None:
    objects = [child for child in preposition.children if child.dep_ == "pobj"]
    if not objects:
        return None
    if objects[0].pos_ == "PROPN" or objects[0].ent_type_:
        return objects[0]
    # "an analysis led by researchers at Stanford University": the people's institution is named.
    for child in objects[0].children:
        if child.dep_ == "prep" and child.lower_ in ("at", "from", "of", "with"):
            named = [t for t in child.children if t.dep_ == "pobj" and (t.pos_ == "PROPN" or t.ent_type_)]
            if named:
                return named[0]
    return None


def _clean_name(span: Span) -> str:
    tokens = [token for token in span if not token.is_punct or token.text in ("-", "&")]
    while tokens and (tokens[0].lower_ in TITLE_WORDS or tokens[0].lower_ in ("the", "a", "an")):
        tokens = tokens[1:]
    while tokens and (tokens[-1].lower_ in ("'s", "’s", "'") or tokens[-1].dep_ == "case"):
        tokens = tokens[:-1]
    if not tokens:
        return ""
    name = span.doc[tokens[0].i : tokens[-1].i + 1].text
    # "World Health Organization (WHO" when the entity stops inside the brackets.
    return name.split(" (")[0] if name.count("(") != name.count(")") else name


def _noun_phrase(head: Token) -> str:
    # A common-noun source keeps what tells it apart ("Palestinian health authorities",
    # "officials in Beijing") and drops articles, relative clauses and appositions.
    kept = [head.i]
    for child in head.children:
        if child.dep_ in _NOUN_PHRASE_DEPS or (child.dep_ == "prep" and child.lower_ in _NOUN_PHRASE_PREPOSITIONS):
            kept.extend(token.i for token in child.subtree)
    doc = head.doc
    start, end = min(kept), max(kept) + 1
    while start < end and doc[start].dep_ in ("det", "predet", "punct"):
        start += 1
    return doc[start:end].text
