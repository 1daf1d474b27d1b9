"""The graph as GEXF 1.3 (Gephi, with dynamics) and as GraphML (yEd, Cytoscape, networkx...).

Both are written here as streamed XML rather than with networkx's ``write_gexf`` and
``write_graphml``: those build the whole graph in memory first (a networkx Graph, then an
ElementTree of the document), which the exports must not do, and networkx 3.6's GEXF 1.3
writer declares the XML Schema instance namespace as ``http://w3.org/2001/XMLSchema-instance``
(without ``www``), so validators do not see its schemaLocation. networkx is the reader the
tests use to check both formats.

GEXF: ``mode="dynamic" timeformat="date"``; every dated node and edge has a spell from its
dates (a fact's or event's span, a dated fact's day), and every undated node (a place, a party,
a person) the span in which it takes part in the graph's dated facts and events, so Gephi's
timeline plays the spread; a node taking part in none, and an undated edge, are always present.
Attributes are declared from the model.
"""

from __future__ import annotations

from typing import Any

import orjson

from api.exports import records

GEXF_TYPES = {"string": "string", "int": "integer", "double": "double", "boolean": "boolean"}


# xml.sax.saxutils' escape and quoteattr cost a third of the export; chained str.replace,
# done in C, is several times faster for the same result.
def escape(text: str) -> str:
    """Text content: & < > escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text: str) -> str:
    """An attribute value in double quotes; line breaks and tabs kept as character references."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    if "\n" in text or "\r" in text or "\t" in text:
        text = text.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    return f'"{text}"'


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _spell(s: tuple[str | None, str | None] | None) -> str:
    if s is None:
        return ""
    start, end = s
    attrs = (f' start="{start}"' if start else "") + (f' end="{end}"' if end else "")
    return f"<spells><spell{attrs}/></spells>"


# What GEXF and GraphML carry in the element itself rather than as attributes.
_OWN_NODE = frozenset(("id", "label"))
_OWN_EDGE = frozenset(("id", "source", "target"))


class Gexf:
    media_type = "application/gexf+xml"
    sections: tuple[str, ...] = ("nodes", "edges")
    # Columns that GEXF carries itself (id, label, source, target) are not attributes.
    NODE_ATTRS = [(c, t) for c, t in records.NODE_COLUMNS if c not in ("id", "label")]
    EDGE_ATTRS = [(c, t) for c, t in records.EDGE_COLUMNS if c not in ("id", "source", "target")]

    def head(self, provenance: dict[str, Any]) -> str:
        def decl(cls: str, attrs: list[tuple[str, str]]) -> str:
            rows = "".join(f'<attribute id="{c}" title="{c}" type="{GEXF_TYPES[t]}"/>'
                           for c, t in attrs)
            return f'<attributes class="{cls}" mode="static">{rows}</attributes>\n'

        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<gexf xmlns="http://gexf.net/1.3" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">\n'
            f'<meta lastmodifieddate="{provenance["generated"][:10]}">'
            f'<creator>{escape(provenance["generator"])}</creator>'
            f'<description>{escape(orjson.dumps(provenance).decode())}</description></meta>\n'
            '<graph defaultedgetype="directed" mode="dynamic" timeformat="date">\n'
            + decl("node", self.NODE_ATTRS) + decl("edge", self.EDGE_ATTRS)
        )

    def begin(self, section: str) -> str:
        return f"<{section}>\n"

    def row(self, section: str, row: dict[str, Any]) -> str:
        if section == "nodes":
            n = records.node(row)
            values = "".join(f'<attvalue for="{c}" value={quoteattr(_value(v))}/>'
                             for c, v in n.items() if c not in _OWN_NODE)
            return (f'<node id={quoteattr(n["id"])} label={quoteattr(str(n["label"]))}>'
                    f"<attvalues>{values}</attvalues>{_spell(records.node_spell(row))}</node>\n")
        e = records.edge(row)
        values = "".join(f'<attvalue for="{c}" value={quoteattr(_value(v))}/>'
                         for c, v in e.items() if c not in _OWN_EDGE)
        return (f'<edge id={quoteattr(e["id"])} source={quoteattr(e["source"])} '
                f'target={quoteattr(e["target"])} label={quoteattr(e["type"])}>'
                f"<attvalues>{values}</attvalues>{_spell(records.edge_spell(row))}</edge>\n")

    def end(self, section: str) -> str:
        return f"</{section}>\n"

    def tail(self) -> str:
        return "</graph>\n</gexf>\n"


class GraphML:
    media_type = "application/graphml+xml"
    sections: tuple[str, ...] = ("nodes", "edges")
    NODE_KEYS = [(c, t) for c, t in records.NODE_COLUMNS if c != "id"]
    EDGE_KEYS = [(c, t) for c, t in records.EDGE_COLUMNS if c not in ("id", "source", "target")]
    GRAPH_KEYS = ("generator", "generated", "request", "cypher", "parameters")

    def head(self, provenance: dict[str, Any]) -> str:
        keys = "".join(f'<key id="n_{c}" for="node" attr.name="{c}" attr.type="{t}"/>\n'
                       for c, t in self.NODE_KEYS)
        keys += "".join(f'<key id="e_{c}" for="edge" attr.name="{c}" attr.type="{t}"/>\n'
                        for c, t in self.EDGE_KEYS)
        keys += "".join(f'<key id="g_{k}" for="graph" attr.name="{k}" attr.type="string"/>\n'
                        for k in self.GRAPH_KEYS)
        data = "".join(
            f'<data key="g_{k}">{escape(v if isinstance(v, str) else orjson.dumps(v).decode())}</data>'
            for k, v in provenance.items())
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
            'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
            f'{keys}<graph id="revgraph" edgedefault="directed">\n{data}\n'
        )

    def begin(self, section: str) -> str:
        return ""

    def row(self, section: str, row: dict[str, Any]) -> str:
        if section == "nodes":
            n = records.node(row)
            data = "".join(f'<data key="n_{c}">{escape(_value(v))}</data>'
                           for c, v in n.items() if c != "id")
            return f"<node id={quoteattr(n['id'])}>{data}</node>\n"
        e = records.edge(row)
        data = "".join(f'<data key="e_{c}">{escape(_value(v))}</data>'
                       for c, v in e.items() if c not in _OWN_EDGE)
        return (f"<edge id={quoteattr(e['id'])} source={quoteattr(e['source'])} "
                f"target={quoteattr(e['target'])}>{data}</edge>\n")

    def end(self, section: str) -> str:
        return ""

    def tail(self) -> str:
        return "</graph>\n</graphml>\n"
