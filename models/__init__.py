"""Trained models and their training data: the claim classifier JSON, its card, and hand labels."""
