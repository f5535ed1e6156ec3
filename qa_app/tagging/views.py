"""Taxonomy editor, back-test and publishing pages (admin and analyst)."""

from qa_app.tagging import bp  # noqa: F401
