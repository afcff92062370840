"""Fake external services on 127.0.0.1 for integration and LLM tests."""
