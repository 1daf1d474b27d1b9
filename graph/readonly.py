"""Read-only Cypher for researchers: what is refused, why, and how an allowed query runs.

Shared by the HTTP endpoint (api/web/cypher.py) and ``revgraph cypher`` without ``--write``.

A query passes three gates before its rows come back:

1. The text (``check_text``): size, and the clauses that Neo4j's plan cannot show: ``USE``
   (another database, or the system database) and a leading ``EXPLAIN``/``PROFILE``. Comments,
   string literals and backtick-quoted names are blanked first, so a keyword inside them neither
   hides nor trips anything.
2. The plan (``check_plan``): Neo4j's own EXPLAIN of the query, in the same READ transaction.
   Every operator is looked at: procedure calls outside ``ALLOWED_PROCEDURES``, ``LOAD CSV``,
   ``CALL {...} IN TRANSACTIONS``, ``SHOW ...``/``TERMINATE ...`` commands, administration
   commands and operators on another database are refused by name; then the plan's query type
   must be ``r`` (read only), which refuses every write and schema change.
3. The run: a READ transaction with a timeout, at most ``max_rows`` rows fetched, and always
   rolled back, so that even a write that slipped past the gates could not be committed.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from neo4j import READ_ACCESS, AsyncDriver, Driver
from neo4j.exceptions import Neo4jError

from schema.config import Config
from schema.errors import DeadlineExceeded, InputError, Unavailable

# The procedures a researcher may call: they describe the graph's shape and change nothing.
ALLOWED_PROCEDURES = frozenset({
    "db.labels", "db.relationshipTypes", "db.schema.visualization", "db.propertyKeys",
})

# Defaults; each settable through the environment variable named beside it.
# The defaults are the settings' (schema/config.py: REVGRAPH_CYPHER_*).
DEFAULT_TIMEOUT: float = Config.cypher_timeout
DEFAULT_MAX_ROWS: int = Config.cypher_max_rows
DEFAULT_MAX_QUERY: int = Config.cypher_max_query
DEFAULT_MAX_BYTES: int = Config.cypher_max_bytes
# Records the driver fetches at a time: few, so that an answer of huge rows is cut off by its
# size before most of it has crossed the wire.
FETCH_SIZE = 50


class Refused(InputError):
    """The query is not allowed here; the message says what was refused and why."""


class TimedOut(DeadlineExceeded):
    """The query did not finish within the timeout."""


class Busy(Unavailable):
    """Neo4j cannot run the query now for others' sake (its memory pool is full, earlier
    queries still run): the same query may work shortly."""


class QueryError(InputError):
    """Neo4j refused the query as malformed (syntax, unknown procedure, bad parameter...) or
    too large for what the server allows one transaction."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Limits:
    timeout: float = DEFAULT_TIMEOUT
    max_rows: int = DEFAULT_MAX_ROWS
    max_query: int = DEFAULT_MAX_QUERY
    max_bytes: int = DEFAULT_MAX_BYTES

    @classmethod
    def from_config(cls, config: Config) -> Limits:
        return cls(timeout=config.cypher_timeout, max_rows=config.cypher_max_rows,
                   max_query=config.cypher_max_query, max_bytes=config.cypher_max_bytes)


@dataclass
class Result:
    keys: list[str]
    records: list[Any]  # neo4j Records, in order
    truncated: bool     # True when rows were cut off (max_rows, or max_bytes: see ``cut``)
    rows: list[dict[str, Any]] = field(default_factory=list)  # each record, plain (JSON-ready)
    cut: str | None = None  # why the rows were cut off, when they were


class _Collector:
    """Records as they arrive, each made plain once, until a row or a byte limit is reached."""

    def __init__(self, keys: list[str], limits: Limits) -> None:
        self.keys, self.limits = keys, limits
        self.records: list[Any] = []
        self.rows: list[dict[str, Any]] = []
        self.size = 0
        self.cut: str | None = None

    def add(self, record: Any) -> bool:
        """Keep ``record``; False when it is over a limit (and not kept)."""
        if len(self.records) == self.limits.max_rows:
            self.cut = f"the first {self.limits.max_rows} rows (REVGRAPH_CYPHER_MAX_ROWS)"
            return False
        row = {k: plain(record[k]) for k in self.keys}
        self.size += len(orjson.dumps(row, default=str))
        if self.size > self.limits.max_bytes:
            self.cut = (f"the rows within {self.limits.max_bytes:,} bytes "
                        "(REVGRAPH_CYPHER_MAX_BYTES): return fewer or smaller values")
            return False
        self.records.append(record)
        self.rows.append(row)
        return True

    def result(self) -> Result:
        return Result(self.keys, self.records, self.cut is not None, self.rows, self.cut)


# -- 1. the text ----------------------------------------------------------------------------

_BLANKED = re.compile(
    r"//[^\n]*"                   # line comment
    r"|/\*.*?(?:\*/|\Z)"          # block comment (an unclosed one runs to the end)
    r"|'(?:[^'\\]|\\.)*(?:'|\Z)"  # 'string'
    r'|"(?:[^"\\]|\\.)*(?:"|\Z)'  # "string"
    r"|`(?:[^`]|``)*(?:`|\Z)",    # `quoted name`
    re.DOTALL,
)


def code_only(query: str) -> str:
    """The query with comments, strings and quoted names replaced by blanks of their length."""
    return _BLANKED.sub(lambda m: " " * len(m.group()), query)


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _keywords(code: str, word: str) -> Iterator[int]:
    """Offsets where ``word`` stands as a keyword: not a property (``n.use``), a parameter
    (``$use``) or a map key (``{use: 1}``)."""
    for m in _WORD.finditer(code):
        if m.group().upper() != word:
            continue
        before = code[:m.start()].rstrip()[-1:]
        after = code[m.end():].lstrip()[:1]
        if before in (".", "$") or after == ":":
            continue
        yield m.start()


def _statement_start(code: str) -> str:
    """The first word after the optional ``CYPHER <version> <option=value>...`` prefix."""
    words = re.findall(r"[A-Za-z_][A-Za-z0-9_.]*\s*=\s*[A-Za-z0-9_.]+|[A-Za-z_][A-Za-z0-9_]*|\S+",
                       code)
    i = 0
    if words and words[0].upper() == "CYPHER":
        i = 1
        while i < len(words) and ("=" in words[i] or re.fullmatch(r"[0-9.]+", words[i])):
            i += 1
    return words[i].upper() if i < len(words) else ""


def check_text(query: str, limits: Limits) -> None:
    """Refuse what the plan does not show: a query too long or empty, USE, EXPLAIN/PROFILE."""
    if len(query) > limits.max_query:
        raise Refused(f"the query has {len(query):,} characters; at most {limits.max_query:,} "
                      "are accepted here")
    code = code_only(query)
    if not code.strip():
        raise Refused("the query is empty (only blanks or comments)")
    if next(_keywords(code, "USE"), None) is not None:
        raise Refused("USE is refused: queries here run against the project's graph only, "
                      "never another database or the system database. Remove the USE clause "
                      "(if `use` is a variable name, quote it in backticks)")
    first = _statement_start(code)
    if first in ("EXPLAIN", "PROFILE"):
        raise Refused(f"{first} is refused here: the query is planned by the server itself; "
                      "send the query without it")


# -- 2. the plan ----------------------------------------------------------------------------


def _operators(plan: Mapping[str, Any] | None) -> Iterator[Mapping[str, Any]]:
    if not plan:
        return
    yield plan
    for child in plan.get("children") or []:
        yield from _operators(child)


def _procedure_name(details: str) -> str:
    # Neo4j writes the call's signature first, names unquoted: "db.labels() :: (label :: STRING)"
    return details.split("(", 1)[0].strip().replace("`", "")


_WRITE_OPERATOR = re.compile(r"^(Create|Merge|Set|Remove|Delete|DetachDelete|Drop|Foreach|"
                             r"LockingMerge|Load)")


def check_plan(query_type: str | None, plan: Mapping[str, Any] | None, database: str) -> None:
    """Refuse a planned query unless every operator is allowed and its query type is ``r``."""
    writers: list[str] = []
    for op in _operators(plan):
        name, _, on = str(op.get("operatorType", "")).partition("@")
        args = op.get("args") or op.get("arguments") or {}
        details = str(args.get("Details", ""))
        if on and on != database:
            raise Refused(f"the query runs on the database {on!r}: only the project's graph "
                          f"({database!r}) can be queried here")
        if name == "ProcedureCall":
            proc = _procedure_name(details)
            if proc not in ALLOWED_PROCEDURES:
                raise Refused(
                    f"the procedure {proc} is refused: procedures can change the database, its "
                    "caches or its settings, or show other clients' work; the ones allowed "
                    f"here are {', '.join(sorted(ALLOWED_PROCEDURES))}")
        elif name == "LoadCSV":
            raise Refused("LOAD CSV is refused: it makes the database server read files or "
                          "fetch any URL itself")
        elif name in ("TransactionApply", "TransactionForeach"):
            raise Refused("CALL {...} IN TRANSACTIONS is refused: it commits batches of its own, "
                          "outside the read-only transaction")
        elif name.startswith("Terminate"):
            raise Refused(f"TERMINATE ... is refused ({name}): it would stop other clients' "
                          "queries or transactions")
        elif name.startswith("Show"):
            raise Refused(f"SHOW commands are refused ({name}): they show the server's "
                          "transactions, settings, users or procedures rather than the graph; "
                          "db.labels(), db.relationshipTypes(), db.propertyKeys() and "
                          "db.schema.visualization() describe the graph")
        elif name == "AdministrationCommand" or on == "system":
            raise Refused("administration commands are refused: users, databases, roles and "
                          "privileges are not managed from here")
        elif _WRITE_OPERATOR.match(name):
            writers.append(name)
    if query_type != "r":
        what = {"w": "writes to the graph", "rw": "reads and writes the graph",
                "s": "changes the schema (indexes, constraints) or the database system"}.get(
                    query_type or "", f"is not read-only (query type {query_type!r})")
        ops = f" (operators: {', '.join(sorted(set(writers)))})" if writers else ""
        raise Refused(f"the query {what}{ops}: only read-only queries (Neo4j query type 'r') "
                      "run here. Writes go through the loader (`revgraph load`) or "
                      "`revgraph cypher --write` with the database password")


# -- 3. the run -----------------------------------------------------------------------------

# Every transaction /cypher and `revgraph cypher` start carries this, so that the ones still
# running past their deadline can be found (``RUNAWAYS``) and new work refused meanwhile.
TX_METADATA = {"app": "revgraph-cypher"}
# Transactions of ours still in Neo4j past $seconds: a runaway Neo4j marked terminated but
# still computes (an expression it cannot interrupt), holding a core.
RUNAWAYS = """SHOW TRANSACTIONS YIELD transactionId, metaData, elapsedTime, status
WHERE metaData.app = $app AND elapsedTime.seconds >= $seconds
RETURN transactionId, elapsedTime.seconds AS seconds, status"""


_EXPLAIN = "EXPLAIN "
_POSITION = re.compile(r"line (\d+), column (\d+) \(offset: (\d+)\)")


def _unprefixed(message: str) -> str:
    """Neo4j's message about ``EXPLAIN <query>``, with positions and the quoted query line as
    in the user's own query."""
    def shift(m: re.Match[str]) -> str:
        line, column, offset = (int(g) for g in m.groups())
        column = column - len(_EXPLAIN) if line == 1 else column
        return f"line {line}, column {max(column, 0)} (offset: {max(offset - len(_EXPLAIN), 0)})"

    lines = _POSITION.sub(shift, message).split("\n")
    for i, text in enumerate(lines):
        if text.startswith('"' + _EXPLAIN):
            lines[i] = '"' + text[1 + len(_EXPLAIN):]
            if i + 1 < len(lines) and lines[i + 1].startswith(" " * len(_EXPLAIN)):
                lines[i + 1] = lines[i + 1][len(_EXPLAIN):]
            break
    return "\n".join(lines)


def _translate(exc: Neo4jError) -> Exception:
    code = exc.code or ""
    if "TransactionTimedOut" in code or code == "Neo.ClientError.Transaction.TransactionTimedOut":
        return TimedOut("the query did not finish within its timeout and was stopped")
    if code == "Neo.ClientError.Statement.ArgumentError" and "execution mode" in (exc.message or ""):
        return Refused("EXPLAIN and PROFILE are refused here: send the query without them")
    if _shared_pool_full(code, exc.message or ""):
        return Busy(f"the graph database's memory for queries is taken by other work just now; "
                    f"try again shortly (Neo4j said: {_unprefixed(exc.message or code)})")
    if "MemoryPoolOutOfMemoryError" in code or "MemoryLimitExceeded" in code \
            or code.endswith("OutOfMemoryError"):
        return QueryError(code, "the query needs more memory than the server allows one "
                          "query; narrow it (a LIMIT, fewer collected values). "
                          f"Neo4j said: {_unprefixed(exc.message or code)}")
    if code.startswith("Neo.ClientError.Security"):
        return Refused(f"Neo4j refused it: {exc.message}")
    if code.startswith("Neo.ClientError"):
        return QueryError(code, _unprefixed(exc.message or str(exc)))
    return exc


def _shared_pool_full(code: str, message: str) -> bool:
    """Whether Neo4j refused memory because all transactions together hold too much (the
    global pool, ``dbms.memory.transaction.total.max``) rather than this one
    (``db.memory.transaction.max``, or the heap)."""
    return "MemoryPoolOutOfMemoryError" in code and "total.max" in message


def _bad_parameters(exc: Exception) -> QueryError:
    return QueryError("Neo.ClientError.Statement.ParameterError",
                      f"a parameter cannot be sent to Neo4j: {exc}")


def _quietly(close: Any) -> None:
    try:
        close()
    except Neo4jError:
        pass  # a rollback of a transaction the server already ended (e.g. timed out)


def run(driver: Driver, database: str, query: str, parameters: Mapping[str, Any] | None,
        limits: Limits) -> Result:
    """Check the query (text, then plan) and run it read-only; raises Refused, TimedOut or
    QueryError for the user's mistakes."""
    check_text(query, limits)
    params = dict(parameters or {})
    with driver.session(database=database, default_access_mode=READ_ACCESS,
                        fetch_size=FETCH_SIZE) as session:
        tx = session.begin_transaction(timeout=limits.timeout, metadata=TX_METADATA)
        try:
            summary = tx.run(_EXPLAIN + query, params).consume()
            check_plan(summary.query_type, summary.plan, database)
            result = tx.run(query, params)
            rows = _Collector(list(result.keys()), limits)
            for record in result:
                if not rows.add(record):
                    break
            return rows.result()
        except Neo4jError as exc:
            raise _translate(exc) from exc
        except (TypeError, ValueError, OverflowError) as exc:
            if isinstance(exc, Refused | QueryError):
                raise
            raise _bad_parameters(exc) from exc
        finally:
            _quietly(tx.close)  # a rollback: nothing is ever committed


async def run_async(driver: AsyncDriver, database: str, query: str,
                    parameters: Mapping[str, Any] | None, limits: Limits) -> Result:
    """``run`` for the async driver (the HTTP endpoint)."""
    check_text(query, limits)
    params = dict(parameters or {})
    async with driver.session(database=database, default_access_mode=READ_ACCESS,
                              fetch_size=FETCH_SIZE) as session:
        tx = await session.begin_transaction(timeout=limits.timeout, metadata=TX_METADATA)
        try:
            summary = await (await tx.run(_EXPLAIN + query, params)).consume()
            check_plan(summary.query_type, summary.plan, database)
            result = await tx.run(query, params)
            rows = _Collector(list(result.keys()), limits)
            async for record in result:
                if not rows.add(record):
                    break
            return rows.result()
        except Neo4jError as exc:
            raise _translate(exc) from exc
        except (TypeError, ValueError, OverflowError) as exc:
            if isinstance(exc, Refused | QueryError):
                raise
            raise _bad_parameters(exc) from exc
        finally:
            try:
                await tx.close()
            except Neo4jError:
                pass  # a rollback of a transaction the server already ended (e.g. timed out)


# -- values as JSON -------------------------------------------------------------------------


MAX_NESTING = 64  # levels of lists and maps in one value of an answer


def plain(value: Any, depth: int = 0) -> Any:
    """A driver value as JSON-friendly Python: nodes, relationships and paths as objects,
    temporal values as ISO 8601 text, points as their SRID and coordinates, bytes as base64,
    floats that JSON cannot hold (NaN, infinities) as text. A value nested deeper than
    MAX_NESTING is refused with a QueryError (it would exhaust the stack of whoever reads it)."""
    from neo4j.graph import Node, Path, Relationship
    from neo4j.spatial import Point

    if depth > MAX_NESTING:
        raise QueryError("Neo.ClientError.Statement.ResultTooDeep",
                         f"a value of the answer is nested more than {MAX_NESTING} lists or "
                         "maps deep; return it flatter")
    inner = depth + 1
    if isinstance(value, Node):
        return {"elementId": value.element_id, "labels": sorted(value.labels),
                "properties": {k: plain(v, inner) for k, v in value.items()}}
    if isinstance(value, Relationship):
        return {"elementId": value.element_id, "type": value.type,
                "start": value.start_node.element_id if value.start_node else None,
                "end": value.end_node.element_id if value.end_node else None,
                "properties": {k: plain(v, inner) for k, v in value.items()}}
    if isinstance(value, Path):
        return {"nodes": [plain(n, inner) for n in value.nodes],
                "relationships": [plain(r, inner) for r in value.relationships]}
    if isinstance(value, Point):
        return {"srid": value.srid, "coordinates": list(value)}
    if hasattr(value, "iso_format"):  # before tuples: a Duration is one
        return value.iso_format()
    if isinstance(value, list | tuple):
        return [plain(v, inner) for v in value]
    if isinstance(value, dict):
        return {k: plain(v, inner) for k, v in value.items()}
    if isinstance(value, bytes | bytearray):
        return {"base64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value
