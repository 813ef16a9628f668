"""The language model is loaded once, however many fetch threads ask for it at the same moment."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from extractors import language

TEXT = ("Police said they arrested 1,204 people in the district last year, up 17 percent on the year before, "
        "and seized 3.5 kilograms of methamphetamine, according to a statement released on Monday.")


def test_the_language_model_is_loaded_once_when_many_threads_ask_at_once(monkeypatch):
    # Sixteen fetch threads each loading their own copy (~70 MB) took a crawl past 1 GB.
    real, loads = language.LanguageIdentifier.from_model_file, []

    def counted(*args, **kwargs):
        loads.append(1)
        time.sleep(0.2)
        return real(*args, **kwargs)

    monkeypatch.setattr(language.LanguageIdentifier, "from_model_file", counted)
    language._loaded_identifier.cache_clear()
    with ThreadPoolExecutor(8) as threads:
        found = list(threads.map(lambda _: language.detect_language(TEXT)[0], range(8)))
    language._loaded_identifier.cache_clear()
    assert found == ["en"] * 8 and len(loads) == 1
