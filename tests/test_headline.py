"""The README's headline answers do not change unless the data or the API is changed on
purpose (then record them again: `python -m tests.headline`)."""

from __future__ import annotations

import json

import pytest

from tests.headline import ANSWERS, QUERIES, ask


@pytest.mark.parametrize("name", list(QUERIES))
def test_headline_answer_is_unchanged(loaded_graph, api, name):
    recorded = json.loads(ANSWERS.read_text())[name]
    assert ask(api, QUERIES[name]) == recorded
