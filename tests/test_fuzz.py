"""Fuzzing the GraphQL API: hypothesis-graphql writes queries from the real schema
(``api.app.build_schema()``), valid ones and ones with one schema violation, and sends them to the
real app against the real Neo4j with the project's data. No answer may be a 5xx or carry
"Internal error".

Bounded in time: REVGRAPH_FUZZ_SECONDS (default 90, so the job stays under two minutes with its
set-up) split two thirds valid, one third invalid queries; REVGRAPH_FUZZ_EXAMPLES caps the number
of examples of each. ``scripts/fuzz.sh`` runs it for longer. Every failure is listed at the end
with the exact request to reproduce it, and written to tests/artifacts/fuzz-failures.json.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path
from typing import Any

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema

from api.app import build_schema

SECONDS = float(os.environ.get("REVGRAPH_FUZZ_SECONDS", "90"))
REQUEST_TIMEOUT = float(os.environ.get("REVGRAPH_FUZZ_REQUEST_TIMEOUT", "15"))  # a slower answer fails
EXAMPLES = int(os.environ.get("REVGRAPH_FUZZ_EXAMPLES", "100000"))
ARTIFACTS = Path(__file__).parent / "artifacts"

SCHEMA = build_schema()._schema  # the graphql-core schema under strawberry's

# strawberry's Date is ISO 8601 text: ordinary dates, the extremes of the range, and near-misses.
DATES = st.one_of(
    st.dates().map(dt.date.isoformat),
    st.sampled_from(["0001-01-01", "9999-12-31", "1917-02-29", "1918-02-14", "1917-13-01",
                     "1917-11", "1917", "", "not a date"]),
).map(lambda text: graphql.StringValueNode(value=text))
SCALARS = {"Date": DATES}

FAILURES: list[dict[str, Any]] = []


def _send(client: httpx.Client, query: str, mode: str) -> None:
    started = time.monotonic()
    try:
        response = client.post("/graphql", json={"query": query})
    except httpx.TimeoutException:
        FAILURES.append({"mode": mode, "status": f"no answer within {REQUEST_TIMEOUT:g} s",
                         "request": {"query": query}, "response": ""})
        return
    except httpx.TransportError as exc:
        FAILURES.append({"mode": mode, "status": f"connection error: {exc!r}",
                         "request": {"query": query}, "response": ""})
        return
    text = response.text
    if response.status_code >= 500 or "Internal error" in text:
        FAILURES.append({"mode": mode, "status": response.status_code,
                         "seconds": round(time.monotonic() - started, 2),
                         "request": {"query": query}, "response": text[:2000]})


class _BudgetSpent(Exception):
    """Raised once the time budget is spent: it stops hypothesis' generation."""


def _fuzz(client: httpx.Client, mode: Mode, budget: float) -> int:
    """Send generated queries until the budget is spent; returns how many were sent."""
    deadline = time.monotonic() + budget
    sent = 0

    # No shrinking and no example database: failures are collected, not raised, so that one
    # bounded run lists them all with the exact query.
    @settings(max_examples=EXAMPLES, deadline=None, database=None, report_multiple_bugs=False,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(query=from_schema(SCHEMA, custom_scalars=SCALARS, mode=mode))
    def run(query: str) -> None:
        nonlocal sent
        if time.monotonic() > deadline:
            raise _BudgetSpent
        _send(client, query, mode.name.lower())
        sent += 1

    try:
        run()
    except _BudgetSpent:
        pass
    return sent


@pytest.fixture(scope="module", autouse=True)
def report_failures():
    FAILURES.clear()
    yield
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "fuzz-failures.json").write_text(json.dumps(FAILURES, indent=2,
                                                             ensure_ascii=False))


def _check(sent: int, mode: str) -> None:
    print(f"\nfuzz ({mode}): {sent} requests, "
          f"{sum(1 for f in FAILURES if f['mode'] == mode)} failures")
    assert sent > 0
    failures = [f for f in FAILURES if f["mode"] == mode]
    assert not failures, "\n\n".join(
        f"{f['status']} for POST /graphql {json.dumps(f['request'], ensure_ascii=False)}\n"
        f"-> {f['response'][:500]}" for f in failures[:20])


@pytest.fixture(scope="module")
def client(live_api: str):
    """HTTP to the app served by uvicorn (conftest's live_api), with a timeout per request."""
    with httpx.Client(base_url=live_api, timeout=REQUEST_TIMEOUT) as c:
        yield c


def test_valid_queries_never_fail_inside(loaded_graph, client):
    _check(_fuzz(client, Mode.POSITIVE, SECONDS * 2 / 3), "positive")


def test_invalid_queries_get_a_clear_refusal(loaded_graph, client):
    _check(_fuzz(client, Mode.NEGATIVE, SECONDS / 3), "negative")
