"""Exact, faster stand-ins for spaCy's attribute_ruler and rule lemmatizer, swapped in by nlp.py."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import numpy
from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, ORTH, POS, TAG
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler, Lemmatizer
from spacy.tokens import Doc, Token

# Token attributes a one-token rule may test and still be answered from the token's values alone.
_KEYS = {"TAG": TAG, "LOWER": LOWER, "DEP": DEP, "IS_SPACE": IS_SPACE}
# Attributes the rules may set, in the order of the array handed back to the Doc.
_SET = (POS, MORPH, LEMMA, TAG, DEP)


class FastAttributeRuler:
    """Sets what `AttributeRuler` sets, with a cached lookup per token instead of a full Matcher run.

    spaCy's Matcher tries all of the model's 179 patterns on every token (about 28 µs a token); all
    but four test one token's TAG, LOWER, DEP or IS_SPACE, so what they set depends on those four
    values only and is worked out once per distinct combination. The four multi-token rules stay in a
    small Matcher. Rules are applied in rule order, as `AttributeRuler.match` sorts its matches, so a
    later rule still wins.
    """

    def __init__(self, ruler: AttributeRuler) -> None:
        vocab = ruler.vocab
        self._strings = vocab.strings
        # One-token rules with their (column, wanted, values) tests.
        self._anchored: dict[tuple[int, int], list[tuple[int, list]]] = defaultdict(list)
        self._unanchored: list[tuple[int, list]] = []
        self._matcher = Matcher(vocab)
        self._cache: dict[tuple[int, int, int, int], tuple[tuple[int, int], ...]] = {}
        self._values = [self._rule_values(attrs) for attrs in ruler.attrs]
        self._indices: list[int] = list(ruler.indices)
        for rule, pattern_dict in enumerate(ruler.patterns):  # rule numbers are AttributeRuler's match ids
            for pattern in pattern_dict["patterns"]:
                self._add(rule, pattern)

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        extra: dict[int, list[int]] = defaultdict(list)  # token -> multi-token rules that set it
        for match_id, start, end in self._matcher(doc, allow_missing=True):
            rule = int(self._strings[match_id])
            index = self._indices[rule]
            extra[(start if index >= 0 else end) + index].append(rule)
        values = doc.to_array(list(_SET)).tolist()
        for i, key in enumerate(map(tuple, doc.to_array([TAG, LOWER, DEP, IS_SPACE]).tolist())):
            rules = extra.get(i)
            assignments = self._assign(key) if rules is None else self._merge(sorted(self._rules(key) + rules))
            row = values[i]
            for column, value in assignments:
                row[column] = value
        doc.from_array(list(_SET), numpy.array(values, dtype=numpy.uint64))
        return doc

    def _rules(self, key: tuple[int, int, int, int]) -> list[int]:
        """The one-token rules that match a token with these (TAG, LOWER, DEP, IS_SPACE) values, in order."""
        candidates = self._anchored.get((_COLUMN[LOWER], key[1]), []) + self._anchored.get((_COLUMN[TAG], key[0]), [])
        return sorted({rule for rule, tests in candidates + self._unanchored
                       if all((key[column] in values) is wanted for column, wanted, values in tests)})

    def _assign(self, key: tuple[int, int, int, int]) -> tuple[tuple[int, int], ...]:
        # A few thousand distinct keys cover a day of news; the cache is dropped if it ever grows large.
        assignments = self._cache.get(key)
        if assignments is None:
            if len(self._cache) > _CACHE_LIMIT:
                self._cache.clear()
            assignments = self._cache[key] = self._merge(self._rules(key))
        return assignments

    def _merge(self, rules: list[int]) -> tuple[tuple[int, int], ...]:
        """What the rules set, later rules winning, as spaCy applies them in rule order."""
        final: dict[int, int] = {}
        for rule in rules:
            final.update(self._values[rule])
        return tuple(final.items())

    @staticmethod
    def _rule_values(attrs: dict[int, int]) -> list[tuple[int, int]]:
        # `AttributeRuler.attrs` holds hashes already, the morphology normalised as Token.set_morph does.
        unknown = set(attrs) - set(_SET)
        if unknown:
            raise ValueError(f"the attribute ruler sets {unknown}, which the fast ruler does not handle")
        return [(_SET.index(attr), value) for attr, value in attrs.items()]

    def _add(self, rule: int, pattern: list[dict]) -> None:
        tests = _one_token_tests(pattern, self._strings) if self._indices[rule] in (0, -1) else None
        if tests is None:
            self._matcher.add(str(rule), [pattern])
            return
        # Filed under one value a token must have (its LOWER, else its TAG), so a token is tried on few rules.
        anchors = [(column, next(iter(values))) for column, wanted, values in tests if wanted and len(values) == 1]
        anchors.sort(key=lambda anchor: anchor[0] != _COLUMN[LOWER])
        if anchors and anchors[0][0] in (_COLUMN[LOWER], _COLUMN[TAG]):
            self._anchored[anchors[0]].append((rule, tests))
        else:
            self._unanchored.append((rule, tests))


def _one_token_tests(pattern: list[dict], strings) -> list[tuple[int, bool, frozenset[int]]] | None:
    """(column, wanted, values) tests for a one-token pattern of equality, IN and NOT_IN; else None."""
    if len(pattern) != 1:
        return None
    tests = []
    for key, value in pattern[0].items():
        if isinstance(value, dict) and len(value) != 1:
            return None
        operator, values = next(iter(value.items())) if isinstance(value, dict) else ("IN", [value])
        if key not in _KEYS or operator not in ("IN", "NOT_IN"):
            return None
        # The Matcher compares a string's hash with the token's as it is (a LOWER value is not lowered).
        hashes = frozenset(int(v) if isinstance(v, bool) else strings.add(v) for v in values)
        tests.append((_COLUMN[_KEYS[key]], operator == "IN", hashes))
    return tests


_COLUMN = {TAG: 0, LOWER: 1, DEP: 2, IS_SPACE: 3}
_CACHE_LIMIT = 500_000


class CachedLemmatizer:
    """spaCy's rule lemmatizer with every answer cached by (word, POS, morphology).

    The stock one caches only the answers of its suffix rules; the common early answers (a base form
    found from the morphology, a space, a part of speech without rules) are worked out again for each
    token, reading the morphology as a dict each time. The answer depends on those three only.
    """

    def __init__(self, lemmatizer: Lemmatizer) -> None:
        self._lemmatize: Callable[[Token], list[str]] = lemmatizer.lemmatize
        self._overwrite = lemmatizer.overwrite
        self._strings = lemmatizer.vocab.strings
        self._cache: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        rows = doc.to_array([ORTH, POS, MORPH, LEMMA])
        lemmas = rows[:, 3].copy()
        for i, (orth, pos, morph, lemma) in enumerate(rows.tolist()):
            if lemma and not self._overwrite:
                continue
            key = (orth, pos, morph)
            value = self._cache.get(key)
            if value is None:
                value = self._cache[key] = self._strings.add(self._lemmatize(doc[i])[0])
            lemmas[i] = value
        doc.from_array([LEMMA], lemmas)
        return doc
