"""List pages are read through an index whatever the page: for every kind, every sort the API
offers, both orders, the first page and one after a cursor, with and without filters, the plan
has no label or all-nodes scan and no eager aggregation (what counting or collecting the whole
filtered set would show); without filters, the index gives the order (no sort of the label).
totalCount is a query of its own, run only when asked (tests/test_keyset.py). A filter on a
related node starts the page from that node."""

from __future__ import annotations

from datetime import date

import pytest

from api.graphql.resolve import _conditions
from graph import queries
from schema import dates as d
from schema.model import KINDS, Kind
from tests.test_plans import SORTS, operators, sorted_on

WHOLE_SET = {"NodeByLabelScan", "AllNodesScan", "EagerAggregation"}
PAGE_CUT = {"Top", "PartialTop", "Limit"}


def whole_set_operators(plan) -> set[str]:
    """The plan's operators of WHOLE_SET, leaving out an aggregation of the page: the page is
    collected into one row (graph/queries.py), after the cut that makes it a page."""
    op = plan.get("operatorType", "").split("@")[0]
    below = set(operators(plan)[1:])
    found = {op} & WHOLE_SET
    if op == "EagerAggregation" and below & PAGE_CUT:
        found = set()
    for child in plan.get("children", []):
        found |= whole_set_operators(child)
    return found


def filtered(kind: Kind) -> tuple[list[str], dict[str, object], str | None]:
    """Every filter the kind's list offers, at once, built as the API builds them."""
    filters = {f.name: "x" for f in kind.fields if f.filter}
    day = date(1917, 11, 7) if kind.temporal is not None else None
    return _conditions(kind, "kursk" if kind.category == "entity" else None,
                       filters, day, day, d.Calendar.GREGORIAN,
                       "figes-1996" if all(f.name != "source" for f in kind.fields) else None)


def cases(kind: Kind) -> list[tuple[str, str, dict[str, object], bool]]:
    out = []
    unfiltered: tuple[list[str], dict[str, object], str | None] = ([], {}, None)
    for (conditions, values, start), name in ((unfiltered, "all"), (filtered(kind), "filtered")):
        for prop in queries.sort_keys(kind).values():
            for descending in (False, True):
                for after in (False, True):
                    cypher = queries.list_query(kind, conditions, prop, descending, after=after,
                                                start=start)
                    out.append((f"{name} by {prop} {'DESC' if descending else 'ASC'}"
                                f"{' after a cursor' if after else ''}", cypher,
                                {**values, "limit": 8, "key": "x", "id": "x"},
                                not conditions and not start))
            if queries.sort_is_nullable(kind, prop):
                cypher = queries.list_query(kind, conditions, prop, nulls=True, start=start)
                out.append((f"{name} by {prop}, those without it", cypher,
                            {**values, "limit": 8, "id": ""}, not conditions and not start))
    return out


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_list_pages_use_an_index(mini_graph, kind):
    driver, database = mini_graph
    bad = []
    for name, cypher, params, unfiltered in cases(kind):
        summary = driver.execute_query("EXPLAIN " + cypher, params, database_=database).summary
        ops = set(operators(summary.plan))
        wrong = whole_set_operators(summary.plan) | (ops & SORTS if unfiltered else set())
        if wrong:
            bad.append(f"{name}: {sorted(wrong)} in {sorted(ops)}")
    assert bad == []


@pytest.mark.parametrize("kind, field", [("Claim", "by"), ("Claim", "about"), ("Control", "place")])
def test_a_filter_on_a_related_node_starts_from_it(mini_graph, kind, field):
    """A rare match (the claims of one author in a large graph) would otherwise read the sort
    key's index until the page is full: the whole label. The page seeks the related node by
    its id and reads only the nodes pointing at it."""
    from schema.model import KIND_BY_LABEL

    driver, database = mini_graph
    k = KIND_BY_LABEL[kind]
    conditions, values, start = _conditions(k, None, {field: "x"}, None, None,
                                            d.Calendar.GREGORIAN, None)
    assert start is not None and conditions == []
    for after in (False, True):
        for total in (False, True):
            cypher = queries.list_query(k, conditions, "id", after=after, start=start,
                                        total=total)
            plan = driver.execute_query("EXPLAIN " + cypher, {**values, "limit": 8, "id": "x"},
                                        database_=database).summary.plan
            ops = operators(plan)
            forbidden = {"NodeByLabelScan", "AllNodesScan", "NodeIndexScan"}
            assert "NodeUniqueIndexSeek" in ops, ops
            assert not set(ops) & forbidden, ops
            if not total:  # the count aggregates the related node's matches only
                assert not whole_set_operators(plan), ops


@pytest.mark.parametrize("after", [False, True], ids=["first page", "after a place"])
def test_a_page_of_places_with_fighting_reads_the_name_index_in_order(mini_graph, after):
    """The page walks places in name order from its cursor and stops when full: no scan of
    the label, and no sort of the places (only of each place's own events)."""
    driver, database = mini_graph
    params = {"from": date(1917, 11, 7), "to": date(1918, 3, 31), "first": 20,
              "after": "kursk" if after else None}
    plan = driver.execute_query("EXPLAIN " + queries.fighting_page(after), params,
                                database_=database).summary.plan
    ops = set(operators(plan))
    assert not {"NodeByLabelScan", "AllNodesScan"} & ops, ops
    assert {"NodeIndexSeekByRange", "NodeIndexScan"} & ops, ops
    assert sorted_on(plan, "p.name") == [], ops
