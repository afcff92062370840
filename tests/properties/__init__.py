"""Property-based tests: generated slash-command text, modal values and ingestion bodies."""
