"""Helpers for scripts/bench.py and scripts/screenshots.py: serving the built site, measuring it."""
