"""Helpers and subprocess drivers shared by the tests (see tests/README.md)."""
