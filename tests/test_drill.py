"""The scale-out drill, short (bench/drill.py; docs/scaling.md has a full run's figures): two
API processes behind HAProxy, a Neo4j of the drill's own, load through the balancer, and Neo4j
stopped and started in the middle. It runs once for the module; each test reads its report.

It needs HAProxy (scripts/system-deps.sh installs it: `make test` runs that) and a Neo4j it can
stop: the project's local server, in a temporary folder on free ports, whatever server the
other tests use.
"""

from __future__ import annotations

import os

import pytest

from bench.drill import Options, Report, run, summary, table
from tests.conftest import MINI

pytestmark = pytest.mark.neo4j

# Seconds of load before the stop, without Neo4j, and after it answers again: about 20 s of
# load (Neo4j's own stop and start add to it: a minute or two on a busy machine).
SHORT = Options(apis=2, concurrency=8, warm=5, down=3, after=8, bound=5, data=MINI,
                heap="512m", pagecache="128m")


@pytest.fixture(scope="module")
def report() -> Report:
    if os.environ.get("NEO4J_TEST_URI"):
        pytest.skip("the drill stops and starts a Neo4j of its own: it needs the local server")
    r = run(SHORT)
    print(table(r, 2), summary(r), sep="\n\n")  # shown with -s, or when a test fails
    return r


def test_every_answer_is_200_or_503_with_retry_after(report):
    statuses = report.statuses()
    assert set(statuses) <= {200, 503}, summary(report)
    assert statuses[503] > 0, "no 503 while Neo4j was down: the drill did not reach it"
    assert all(a.retry_after for a in report.answers if a.status == 503), summary(report)


def test_no_504_while_neo4j_starts(report):
    """Neo4j opens Bolt before its databases are up and holds a query sent meanwhile (12 s
    measured on a busy machine): after an outage the API probes before it asks
    (api/web/health.py), so it answers 503 rather than wait."""
    assert report.statuses()[504] == 0, summary(report)


def test_every_process_answers_within_5_s_of_neo4j(report):
    for process, (ready, graphql) in report.recovery().items():
        assert ready <= 5 and graphql <= 5, (process, summary(report))


def test_the_balancer_spreads_the_load(report):
    before = [a for a in report.answers if a.done < report.timeline.stop_sent and a.status == 200]
    assert {a.upstream for a in before} == set(report.processes), summary(report)


def test_no_200_carries_an_error(report):
    """A question held while Neo4j starts would end in a 200 whose error says 'ask for less'
    (the Cypher timeout): the probe after an outage answers 503 instead."""
    assert not [a for a in report.answers if a.status == 200 and a.errors], summary(report)
