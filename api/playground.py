"""The GraphiQL playground page (placeholder until the offline assets land)."""

from __future__ import annotations


def playground_html() -> str:
    return "<!doctype html><title>revgraph</title><p>GraphiQL playground</p>"
