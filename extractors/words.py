"""Word lists the claim rules share: reporting verbs (cues.py, number_exclusions.py, classifier.py) and the calendar."""

from __future__ import annotations

# ---------------------------------------------------------------- reporting verbs
# Three lists, kept apart on purpose: each was tuned (or, for the classifier, trained) for its own
# question, and merging them changes what comes out. A verb belongs where its question is asked.

# cues.py: verbs that report speech or belief; their clause complement (or a quotation beside them) is the content.
SPEECH_VERBS = frozenset(
    {
        "say", "tell", "add", "explain", "write", "state", "argue", "warn", "insist", "acknowledge", "admit", "stress",
        "emphasize", "emphasise", "observe", "remark", "comment", "reply", "respond", "answer", "assert", "maintain",
        "contend", "recall", "allege", "concede", "declare", "disclose", "mention", "caution", "agree", "complain",
        "boast", "testify", "tweet", "believe", "think", "expect", "fear", "hope", "feel", "conclude", "continue",
        "predict", "claim", "suggest", "indicate", "show", "find", "reveal", "confirm", "note", "report", "estimate",
        "announce", "forecast", "project", "calculate", "ask", "promise", "pledge", "vow", "deny", "reiterate",
        "repeat", "speculate", "joke", "quip", "assure", "point", "highlight", "underline", "detail", "outline"
    }
)
# cues.py: verbs that attribute a stance rather than report a statement ("called for", "criticised"): their
# object is what the source stands for, but not something the source says is so.
STANCE_VERBS = frozenset(
    {
        "call", "urge", "cite", "attack", "criticize", "criticise", "praise", "condemn", "blast", "slam", "accuse",
        "support", "back", "oppose", "want", "plan", "propose", "demand", "defend", "question", "describe", "dismiss",
        "reject", "welcome", "applaud", "endorse", "challenge", "refuse", "seek", "recommend", "hail", "mock", "label"
    }
)
# cues.py: verbs whose direct object is itself the reported content ("noted an alarming drop", "reported 41 arrests").
OBJECT_VERBS = frozenset(
    {
        "note", "report", "estimate", "announce", "predict", "forecast", "project", "record", "confirm", "calculate",
        "count", "tally", "register", "claim"
    }
)
# cues.py: verbs that attribute only when data is their subject ("the figures showed a 10 percent fall").
DATA_VERBS = frozenset(["show", "find", "reveal", "indicate", "suggest", "put", "record", "estimate", "count"])

# number_exclusions.py: verbs whose subject "one" is a person speaking ("one witness said", "one resident posted"),
# an article rather than a count. Narrower than SPEECH_VERBS (belief and data verbs take counted subjects:
# "one in four expect", "one study found") and wider in the verbs of posting and naming ("post", "call", "label").
SPEAKER_SUBJECT_VERBS = frozenset(
    {
        "say", "tell", "write", "post", "add", "recall", "describe", "claim", "note", "explain", "label", "call", "ask",
        "comment", "complain", "argue", "suggest", "tweet", "reply", "respond", "insist"
    }
)

# classifier.py: the lemmas behind the `reporting_cue` feature. The shipped model's weights were fitted on
# exactly this list, so it changes only together with a retrained models/claim_classifier.json.
REPORTING_LEMMAS = frozenset(
    {
        "say", "tell", "report", "accord", "estimate", "announce", "show", "find", "claim", "add", "state", "write",
        "explain", "note", "reveal", "predict", "expect", "argue", "warn", "suggest", "confirm"
    }
)

# ---------------------------------------------------------------- the calendar

MONTH_NAMES = frozenset(
    {
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
        "december",
    }
)
# As news writes them, with and without the full stop ("Sept. 30", "Jan 5").
MONTH_ABBREVIATIONS = frozenset(
    {
        "jan", "jan.", "feb", "feb.", "mar", "mar.", "apr", "apr.", "jun", "jun.", "jul", "jul.", "aug", "aug.", "sep",
        "sep.", "sept", "sept.", "oct", "oct.", "nov", "nov.", "dec", "dec.",
    }
)
MONTHS = MONTH_NAMES | MONTH_ABBREVIATIONS
WEEKDAYS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})
