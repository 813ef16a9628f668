"""Errors the extractors raise that callers catch by name; importing them does not load spaCy."""


class ModelNotInstalled(RuntimeError):
    """The configured spaCy model is not installed in this environment."""
