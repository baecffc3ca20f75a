"""Build tooling for the back muscle spasm coding reference (see pipeline.py for the way through)."""
