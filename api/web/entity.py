"""/entity/{id}: a page per entity (and per fact), server-rendered HTML that reads without
JavaScript, and the same node as JSON-LD or Turtle by content negotiation on the same URL.

- ``Accept: text/html`` (a browser; also ``*/*`` and no Accept): the page. Its names and
  aliases, its fields, its facts as a dated timeline (each with its citations and quotations),
  what it is linked to, the passages of the stored documents that mention it, a "cite this
  page" block (text, CSL-JSON, BibTeX, with the data version, the day and the URL), and links to
  the explorer, to the GraphQL that feeds the page and to the exports around it.
- ``Accept: application/ld+json`` (or ``application/json``): JSON-LD (api/linked/jsonld.py).
- ``Accept: text/turtle``: the same statements as Turtle (api/linked/rdf.py).
- ``?format=html|jsonld|ttl|csl|bibtex`` overrides Accept, for links and downloads.

Every answer says ``Vary: Accept`` and links its alternates; ``/ns`` serves the vocabulary's
JSON-LD context. Pages are under the app's Content-Security-Policy (api/web/security.py): no
script at all, one stylesheet from /static/entity/.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import orjson
from graphql import GraphQLError
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from api.exports.catalog import EXPORTS
from api.graphql.context import LABELS, Context
from api.graphql.inputs import lucene
from api.linked.jsonld import page_document
from api.linked.rdf import turtle
from api.linked.terms import context, iri
from api.linked.views import Page, page_of
from api.web import present
from graph import entity as q
from graph import queries
from graph.db import NEO4J_UNAVAILABLE
from schema.config import Config
from schema.model import PLACE

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
JSONLD = "application/ld+json"
TURTLE = "text/turtle"
FORMATS = {"html": "text/html", "jsonld": JSONLD, "ttl": TURTLE,
           "csl": "application/vnd.citationstyles.csl+json", "bibtex": "application/x-bibtex"}
# What Accept may ask for, and which format answers it.
ACCEPTED = {"text/html": "html", "application/xhtml+xml": "html", JSONLD: "jsonld",
            "application/json": "jsonld", TURTLE: "ttl", "application/x-turtle": "ttl",
            "*/*": "html", "text/*": "html", "application/*": "jsonld"}
UNAVAILABLE = ("the graph database is unavailable just now; try again in a few seconds "
               "(GET /ready says when it is back)")

env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                  trim_blocks=True, lstrip_blocks=True)
env.globals |= {"when": present.when, "span": present.span, "items": present.items,
                "kind_line": present.kind_line, "excerpt": present.excerpt,
                "grouped": present.grouped, "incoming_groups": present.incoming_groups}


def base_url(request: Request, config: Config) -> str:
    """The API's public address: the setting, or the address the request came to."""
    if config.public_url:
        return config.public_url.rstrip("/")
    return str(request.base_url).rstrip("/")


def choose(request: Request) -> str | None:
    """The format to answer in: ``?format=``, else the best of Accept (None: none offered)."""
    asked = request.query_params.get("format")
    if asked is not None:
        return asked if asked in FORMATS else None
    accept = request.headers.get("accept", "").strip()
    if not accept:
        return "html"
    best: tuple[tuple[float, int, int], str] | None = None
    for i, part in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        weight = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    weight = float(p[2:])
                except ValueError:
                    weight = 0.0
        fmt = ACCEPTED.get(media.lower())
        rank = (weight, 0 if "*" in media else 1, -i)  # text/html beats */* at the same q
        if fmt and weight > 0 and (best is None or rank > best[0]):
            best = (rank, fmt)
    return best[1] if best else None


def _alternates(url: str) -> str:
    return ", ".join(f'<{url}?format={f}>; rel="alternate"; type="{FORMATS[f]}"'
                     for f in ("jsonld", "ttl"))


def links(page: Page, base: str) -> dict[str, Any]:
    """Where else the node can be seen: the explorer, the playground, the exports around it."""
    view = page.view
    query = present.GRAPHQL_QUERIES[view.label]
    variables = orjson.dumps({"id": view.id}, option=orjson.OPT_INDENT_2).decode()
    graphql = "/graphql#" + urlencode({"query": query, "variables": variables}, quote_via=quote)
    exports = []
    for name, export in EXPORTS.items():
        if export.places and view.label != PLACE.name:
            continue
        exports.append((name, f"/export/{name}?" + urlencode({"around": view.id, "depth": 1})))
    return {"explore": "/explore", "graphql": graphql, "exports": exports,
            "jsonld": f"{iri(base, view.id)}?format=jsonld",
            "ttl": f"{iri(base, view.id)}?format=ttl"}


def render_page(page: Page, base: str, data_version: str | None) -> str:
    url = iri(base, page.view.id)
    cite = present.Cite(page.view, url, data_version, datetime.now(UTC).date())
    return env.get_template("entity.html").render(
        page=page, view=page.view, url=url, cite=cite, links=links(page, base),
        data_version=data_version, graphql_query=present.GRAPHQL_QUERIES[page.view.label])


def card(page: Page, base: str) -> str:
    """The small HTML card a reconciliation client shows (api/reconcile/routes.py)."""
    return env.get_template("card.html").render(page=page, view=page.view,
                                                url=iri(base, page.view.id))


def request_context(request: Request, state: dict[str, Any], config: Config) -> Context:
    """The request's Cypher context; the request log reports its round trips."""
    ctx = Context(driver=state["driver"], database=state["database"],
                  timeout=config.query_timeout, gate=state["gate"])
    request.state.context = ctx
    return ctx


async def read_page(ctx: Context, node_id: str) -> Page | None:
    """The page of a node, or None when no entity or fact has this id."""
    rows = await ctx.read(q.AROUND, **q.around_params(node_id))
    if not rows:
        return None
    ids = [node_id, *dict.fromkeys(i["id"] for i in rows[0]["incoming"])]
    views = await ctx.read(q.VIEWS, ids=ids, **q.view_params())
    return page_of(rows[0], {r["key"]: r["node"] for r in views})


async def suggestions(ctx: Context, text: str) -> list[dict[str, Any]]:
    """Entities whose names are near ``text``, for a page that found nothing."""
    try:
        lucene_text = lucene(text.replace("-", " "))
    except Exception:  # noqa: BLE001 - an id with no letters: nothing to suggest
        return []
    rows = await ctx.read(queries.SEARCH, lucene=lucene_text, limit=10, labels=LABELS)
    return [{"id": h["props"]["id"], "name": h["props"].get("name") or h["props"]["id"],
             "label": h["label"]} for h in rows[0]["hits"][:10]]


def routes(state: dict[str, Any], config: Config) -> list[Route]:
    async def entity_page(request: Request) -> Response:
        node_id = request.path_params["id"]
        fmt = choose(request)
        headers = {"vary": "Accept"}
        if fmt is None:
            offered = ", ".join(FORMATS[f] for f in ("html", "jsonld", "ttl"))
            return Response(f"cannot answer in {request.headers.get('accept', '')[:100]!r} "
                            f"(or ?format={request.query_params.get('format', '')!s:.20}): ask "
                            f"for one of {offered}, or ?format= one of {', '.join(FORMATS)}\n",
                            status_code=406, headers=headers, media_type="text/plain")
        base = base_url(request, config)
        try:
            page = await read_page(request_context(request, state, config), node_id)
            if page is None:
                return await _not_found(request, node_id, fmt, headers)
            data_version = await state["versions"].current_data()
        except NEO4J_UNAVAILABLE:
            return Response(UNAVAILABLE + "\n", status_code=503, media_type="text/plain",
                            headers={"Retry-After": "5"})
        except GraphQLError as exc:  # the query timed out (api/graphql/context.py)
            if (exc.extensions or {}).get("code") != "TIMEOUT":
                raise
            return Response(exc.message + "\n", status_code=504, media_type="text/plain")
        url = iri(base, node_id)
        headers["link"] = _alternates(url)
        if fmt == "html":
            return HTMLResponse(render_page(page, base, data_version), headers=headers)
        if fmt in ("jsonld", "ttl"):
            document = page_document(page, base, data_version)
            if fmt == "jsonld":
                return Response(orjson.dumps(document, option=orjson.OPT_INDENT_2),
                                media_type=JSONLD, headers=headers)
            text = await asyncio.to_thread(turtle, document, base)
            return Response(text, media_type=f"{TURTLE}; charset=utf-8", headers=headers)
        cite = present.Cite(page.view, url, data_version, datetime.now(UTC).date())
        name = f"revgraph-{cite.key}"
        if fmt == "csl":
            headers["content-disposition"] = f'attachment; filename="{name}.json"'
            return Response(orjson.dumps(cite.csl(), option=orjson.OPT_INDENT_2),
                            media_type=FORMATS["csl"], headers=headers)
        headers["content-disposition"] = f'attachment; filename="{name}.bib"'
        return Response(cite.bibtex(), media_type=f"{FORMATS['bibtex']}; charset=utf-8",
                        headers=headers)

    async def _not_found(request: Request, node_id: str, fmt: str,
                         headers: dict[str, str]) -> Response:
        message = (f"no entity or fact has the id {node_id!r}: find ids with the GraphQL "
                   "search(text:) or the reconciliation service")
        if fmt != "html":
            return JSONResponse({"error": message}, status_code=404, headers=headers)
        near = await suggestions(request.state.context, node_id)
        html = env.get_template("notfound.html").render(node_id=node_id, near=near)
        return HTMLResponse(html, status_code=404, headers=headers)

    async def vocabulary(request: Request) -> Response:
        """The vocabulary's JSON-LD context (api/linked/terms.py)."""
        doc = {"@context": context(base_url(request, config))}
        return Response(orjson.dumps(doc, option=orjson.OPT_INDENT_2), media_type=JSONLD)

    return [Route("/entity/{id:path}", entity_page, methods=["GET"]),
            Route("/ns", vocabulary, methods=["GET"])]
