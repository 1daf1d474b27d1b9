"""The code keeps its own rules: every model name declared once, generated files current,
configuration read only at the edge, no import cycles. None of these needs Neo4j."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import ROOT

CODE = ["schema", "graph", "loaders", "api", "cli"]
DECLARATIONS = {ROOT / "schema" / "model.py"}
# Documentation for Cypher users, whose example queries are run against the graph instead
# (tests/test_docs.py), so that a renamed label shows there.
DOCUMENTATION = {ROOT / "schema" / "docs.py"}


def modules() -> list[Path]:
    return sorted(p for d in CODE for p in (ROOT / d).rglob("*.py"))


def strings(path: Path) -> list[tuple[int, str]]:
    """Every string constant in a module, with its line, docstrings aside."""
    tree = ast.parse(path.read_text())
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


def test_generated_types_are_current():
    """api/graphql/generated.py is written from the model: run `revgraph codegen`."""
    from api.graphql.codegen import render

    assert (ROOT / "api" / "graphql" / "generated.py").read_text() == render()


def test_settings_docs_are_current():
    """docs/settings.md is written from schema/config.py: `revgraph settings --markdown`."""
    from schema.config import settings_markdown

    assert (ROOT / "docs" / "settings.md").read_text() == settings_markdown()


def test_schema_sdl_is_current():
    """schema.graphql is the served schema, so every API change shows in a diff: run
    `revgraph codegen`."""
    from api.app import sdl

    assert (ROOT / "schema.graphql").read_text() == sdl()


def test_no_label_or_relationship_type_is_written_outside_the_model():
    """Labels and relationship types come from schema/model.py (in Cypher, as {Place} and
    {Control.place}; in Python, as PLACE.name or f.rel): a bare one is a second declaration."""
    from schema.model import CITES_REL, ENTITY_LABEL, FACT_LABEL, KINDS

    labels = {k.name for k in KINDS} | {ENTITY_LABEL, FACT_LABEL} | {
        f.label_if_true for k in KINDS for f in k.fields if f.label_if_true}
    rels = {f.rel for k in KINDS for f in k.refs if f.rel} | {CITES_REL}
    in_cypher = re.compile(r"[:|]\s*`?(" + "|".join(sorted(labels | rels, key=len, reverse=True))
                           + r")\b")
    found = []
    for path in modules():
        if path in DECLARATIONS | DOCUMENTATION:
            continue
        for line, text in strings(path):
            if text in labels | rels or in_cypher.search(text):
                found.append(f"{path.relative_to(ROOT)}:{line}: {text.strip()[:70]!r}")
    assert found == []


def test_the_environment_is_read_only_in_the_configuration():
    """Every REVGRAPH_* and NEO4J_* setting is declared in schema/config.py and read there."""
    allowed = {ROOT / "schema" / "config.py"}
    readers = []
    for path in modules():
        text = path.read_text()
        for match in re.finditer(r"os\.environ|os\.getenv", text):
            line = text.count("\n", 0, match.start()) + 1
            source = text.splitlines()[line - 1]
            if path not in allowed and "JAVA_HOME" not in source and "**os.environ" not in source:
                readers.append(f"{path.relative_to(ROOT)}:{line}: {source.strip()}")
    assert readers == []


def _run_time_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of a module but those under ``if TYPE_CHECKING:`` (annotations only, never
    run: no circle at run time)."""
    out: list[ast.AST] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            stack.extend(node.orelse)
            continue
        out.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return out


def _imports(path: Path, names: dict[str, Path]) -> set[str]:
    """The project's modules a module imports, anywhere in it: an import inside a function
    hides a circle, it does not break it. ``from package import module`` counts the module."""
    tree = ast.parse(path.read_text())
    found = set()
    for node in _run_time_nodes(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names
                         if f"{node.module}.{a.name}" in names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_no_import_cycles():
    names = {".".join(p.relative_to(ROOT).with_suffix("").parts): p for p in modules()}
    graph = {name: {i for i in _imports(path, names) if i in names and i != name}
             for name, path in names.items()}
    cycles = []

    def visit(name: str, stack: list[str]) -> None:
        for nxt in graph[name]:
            if nxt in stack:
                cycles.append(" -> ".join([*stack[stack.index(nxt):], nxt]))
            elif len(stack) < 12:
                visit(nxt, [*stack, nxt])

    for name in graph:
        visit(name, [name])
    assert sorted(set(cycles)) == []


def test_the_data_format_examples_are_valid():
    """Every record shown in docs/data-format.md passes the checker (references aside)."""
    from loaders.check import check_record
    from loaders.read import Location, RawRecord, _LineLoader
    from schema.model import KIND_BY_SECTION

    text = (ROOT / "docs" / "data-format.md").read_text()
    blocks = re.findall(r"### (\w+)\n```yaml\n(.*?)```", text, re.S)
    assert {section for section, _ in blocks} == set(KIND_BY_SECTION)
    for section, block in blocks:
        block = block.replace("citations: [...]", "citations: [{source: figes-1996}]")
        loader = _LineLoader(block, "docs/data-format.md")
        items = loader.get_single_data()
        for item in items:
            problems: list = []
            record = check_record(RawRecord(section, item, Location("doc", item.line)), problems)
            assert record is not None and problems == [], (section, problems)
