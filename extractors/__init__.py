"""Extractors: page → main text → quantities and attributions → scored claims."""
