"""A cluster in miniature for tests: a Bolt router that hands the driver a routing table, and a
reader and a writer that pass every byte on to one real Neo4j while recording what the driver
sent each of them.

The driver reached with ``neo4j://<router>`` asks the router for a routing table (Bolt's ROUTE
message) and then sends each transaction to a reader or a writer by its access mode, as it
does against a Neo4j cluster. Behind the reader and the writer is the same real server, so the
answers are real; what the test reads is where each query went.

The router speaks Bolt 5.4 and nothing else: HELLO, then LOGON with the credentials (5.1 moved
them out of HELLO), ROUTE, RESET, LOGOFF and GOODBYE; any other request is answered with a
FAILURE. It gives no "telemetry.enabled" hint, so the driver sends it no TELEMETRY (5.4). 5.4
and not 5.0: the API's driver asks for notification filtering, which needs 5.2 or later. The
driver offers ranges of versions in its handshake (the official drivers for Neo4j 5 offer 5.x,
and this one also 4.4 to 4.2 and 3.0); a server picks one, and a driver that offers no 5.4
gets the refusal (four zero bytes). The reader and the writer negotiate nothing themselves: the real server
answers the driver's handshake through them. This is not Neo4j's testkit stub server (its
scripted conversations are not on PyPI); the message layout follows the driver's own code
(neo4j/_async/io/_bolt/_bolt5.py) and the Bolt protocol documentation
(https://neo4j.com/docs/bolt/current/bolt/message/).
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MAGIC = b"\x60\x60\xb0\x17"
VERSION = (5, 4)
SERVER_AGENT = "Neo4j/5.26.0"  # what the router says it is: the driver only shows it
MESSAGES = {0x01: "HELLO", 0x02: "GOODBYE", 0x0F: "RESET", 0x10: "RUN", 0x11: "BEGIN",
            0x12: "COMMIT", 0x13: "ROLLBACK", 0x2F: "DISCARD", 0x3F: "PULL", 0x54: "TELEMETRY",
            0x66: "ROUTE", 0x6A: "LOGON", 0x6B: "LOGOFF"}
SUCCESS, FAILURE, IGNORED = 0x70, 0x7F, 0x7E


# -- PackStream: the values Bolt carries -----------------------------------------------------

@dataclass(frozen=True)
class Struct:
    tag: int
    fields: list[Any]


def pack(value: Any) -> bytes:
    """PackStream bytes of None, bool, int, float, str, list, dict or Struct."""
    if value is None:
        return b"\xc0"
    if value is True or value is False:
        return b"\xc3" if value else b"\xc2"
    if isinstance(value, int):
        if -16 <= value < 128:
            return struct.pack(">b", value)
        for marker, fmt, bits in ((0xC8, ">b", 8), (0xC9, ">h", 16), (0xCA, ">i", 32), (0xCB, ">q", 64)):
            if -(1 << (bits - 1)) <= value < (1 << (bits - 1)):
                return bytes([marker]) + struct.pack(fmt, value)
        raise ValueError(f"integer out of PackStream's range: {value}")
    if isinstance(value, float):
        return b"\xc1" + struct.pack(">d", value)
    if isinstance(value, str):
        data = value.encode()
        return _sized(len(data), 0x80, 0xD0) + data
    if isinstance(value, list):
        return _sized(len(value), 0x90, 0xD4) + b"".join(pack(v) for v in value)
    if isinstance(value, dict):
        return _sized(len(value), 0xA0, 0xD8) + b"".join(pack(k) + pack(v) for k, v in value.items())
    if isinstance(value, Struct):
        return bytes([0xB0 + len(value.fields), value.tag]) + b"".join(pack(v) for v in value.fields)
    raise TypeError(f"the stub does not pack {type(value).__name__}")


def _sized(n: int, tiny: int, marker8: int) -> bytes:
    if n < 16:
        return bytes([tiny + n])
    for i, fmt in enumerate((">B", ">H", ">I")):
        if n < 1 << (8 << i):
            return bytes([marker8 + i]) + struct.pack(fmt, n)
    raise ValueError("too long for PackStream")


def unpack(data: bytes, at: int = 0) -> tuple[Any, int]:
    """The value starting at ``data[at]`` and where the next one starts."""
    m = data[at]
    at += 1
    if m < 0x80:
        return m, at
    if m >= 0xF0:
        return m - 0x100, at
    high = m & 0xF0
    if high in (0x80, 0x90, 0xA0, 0xB0):
        return _unpack_sized(data, high, m & 0x0F, at)
    if m == 0xC0:
        return None, at
    if m in (0xC2, 0xC3):
        return m == 0xC3, at
    if m == 0xC1:
        return struct.unpack_from(">d", data, at)[0], at + 8
    ints = {0xC8: ">b", 0xC9: ">h", 0xCA: ">i", 0xCB: ">q"}
    if m in ints:
        return struct.unpack_from(ints[m], data, at)[0], at + struct.calcsize(ints[m])
    sizes = {0xCC: (">B", None), 0xCD: (">H", None), 0xCE: (">I", None),
             0xD0: (">B", 0x80), 0xD1: (">H", 0x80), 0xD2: (">I", 0x80),
             0xD4: (">B", 0x90), 0xD5: (">H", 0x90), 0xD6: (">I", 0x90),
             0xD8: (">B", 0xA0), 0xD9: (">H", 0xA0), 0xDA: (">I", 0xA0)}
    if m in sizes:
        fmt, kind = sizes[m]
        n = struct.unpack_from(fmt, data, at)[0]
        at += struct.calcsize(fmt)
        if kind is None:  # bytes
            return bytes(data[at:at + n]), at + n
        return _unpack_sized(data, kind, n, at)
    raise ValueError(f"not a PackStream marker: 0x{m:02X}")


def _unpack_sized(data: bytes, kind: int, n: int, at: int) -> tuple[Any, int]:
    if kind == 0x80:
        return data[at:at + n].decode(), at + n
    if kind == 0xB0:
        tag = data[at]
        fields, at = _unpack_many(data, n, at + 1)
        return Struct(tag, fields), at
    items, at = _unpack_many(data, 2 * n if kind == 0xA0 else n, at)
    return (dict(zip(items[::2], items[1::2], strict=True)) if kind == 0xA0 else items), at


def _unpack_many(data: bytes, n: int, at: int) -> tuple[list[Any], int]:
    items = []
    for _ in range(n):
        value, at = unpack(data, at)
        items.append(value)
    return items, at


# -- Bolt's framing: messages in chunks ------------------------------------------------------

def chunked(message: Struct) -> bytes:
    data = pack(message)
    return b"".join(struct.pack(">H", len(data[i:i + 0xFFFF])) + data[i:i + 0xFFFF]
                    for i in range(0, len(data), 0xFFFF)) + b"\x00\x00"


class Framing:
    """Whole messages out of a client's byte stream, fed as it arrives (handshake first).

    A server may answer the handshake with a manifest of the versions it has (00 00 01 FF,
    then the list); the client then says the one it chose (four bytes) and its capabilities
    (a varint) before its first message: ``manifest()`` says so, as the relay sees it."""

    def __init__(self) -> None:
        self.buffer = b""
        self.handshake: bytes | None = None
        self.choice_pending = False
        self.message = b""

    def manifest(self) -> None:
        self.choice_pending = True

    def _handshake_done(self) -> bool:
        if self.handshake is None:
            if len(self.buffer) < 20:
                return False
            self.handshake, self.buffer = self.buffer[:20], self.buffer[20:]
        if self.choice_pending:
            end = next((i + 1 for i in range(4, len(self.buffer)) if not self.buffer[i] & 0x80), None)
            if end is None:
                return False
            self.buffer, self.choice_pending = self.buffer[end:], False
        return True

    def feed(self, data: bytes) -> list[Struct]:
        self.buffer += data
        if not self._handshake_done():
            return []
        found = []
        while len(self.buffer) >= 2:
            size = struct.unpack_from(">H", self.buffer)[0]
            if len(self.buffer) < 2 + size:
                break
            self.message += self.buffer[2:2 + size]
            self.buffer = self.buffer[2 + size:]
            if size == 0 and self.message:  # the end of a message (a lone 0 is a keep-alive)
                found.append(unpack(self.message)[0])
                self.message = b""
        return found


def choose(offers: bytes) -> tuple[int, int] | None:
    """The version to speak, from the handshake's four offers (each: unused, range, minor,
    major; 00 00 01 FF asks for a manifest, which the stub never sends)."""
    for i in range(0, 16, 4):
        _, span, minor, major = offers[i:i + 4]
        if major == VERSION[0] and minor - span <= VERSION[1] <= minor:
            return VERSION
    return None


# -- the stub ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Received:
    name: str                 # HELLO, RUN, BEGIN, ...
    fields: list[Any]
    mode: str = ""            # RUN and BEGIN: the access mode it runs in, "r" or "w"

    @property
    def query(self) -> str:
        return str(self.fields[0]) if self.name == "RUN" else ""


class Modes:
    """The access mode of each query on one connection: a BEGIN's for the queries of its
    transaction, an auto-commit RUN's own; "w" where none is said (Bolt's default)."""

    def __init__(self) -> None:
        self.transaction: str | None = None

    def of(self, message: Struct) -> str:
        name = MESSAGES.get(message.tag)
        extra = message.fields[-1] if message.fields and isinstance(message.fields[-1], dict) else {}
        if name == "BEGIN":
            self.transaction = str(extra.get("mode", "w"))
            return self.transaction
        if name == "RUN":
            return self.transaction or str(extra.get("mode", "w"))
        if name in ("COMMIT", "ROLLBACK", "RESET"):
            self.transaction = None
        return ""


@dataclass
class RoutingStub:
    """``neo4j://127.0.0.1:<router>``: a router naming itself, a reader and a writer, the
    reader and writer relaying to ``upstream`` (host, port: a real Neo4j's Bolt)."""

    upstream: tuple[str, int]
    ttl: int = 300
    ports: dict[str, int] = field(default_factory=dict)
    received: dict[str, list[Received]] = field(default_factory=dict)
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def uri(self) -> str:
        return f"neo4j://127.0.0.1:{self.ports['router']}"

    def messages(self, role: str) -> list[Received]:
        with self._lock:
            return list(self.received.get(role, []))

    def _record(self, role: str, message: Struct, modes: Modes) -> None:
        mode = modes.of(message)
        with self._lock:
            self.received.setdefault(role, []).append(
                Received(MESSAGES.get(message.tag, f"0x{message.tag:02X}"), message.fields, mode))

    def start(self) -> RoutingStub:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        servers: list[asyncio.Server] = []

        async def serve() -> None:
            handlers: dict[str, Callable[..., Any]] = {
                "router": self._route, "reader": self._relay("reader"), "writer": self._relay("writer")}
            for role, handler in handlers.items():
                servers.append(await asyncio.start_server(handler, "127.0.0.1", 0))
                self.ports[role] = servers[-1].sockets[0].getsockname()[1]
            ready.set()

        async def close() -> None:  # every connection's task ended and its sockets closed
            for server in servers:
                server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await asyncio.sleep(0.1)  # the transports' closing callbacks

        def run() -> None:
            assert self._loop is not None
            self._loop.run_until_complete(serve())
            self._loop.run_forever()
            self._loop.run_until_complete(close())
            self._loop.close()

        self._thread = threading.Thread(target=run, name="bolt-stub", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the Bolt stub did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)

    def table(self, database: str) -> dict[str, Any]:
        address = {role: f"127.0.0.1:{port}" for role, port in self.ports.items()}
        return {"ttl": self.ttl, "db": database, "servers": [
            {"addresses": [address["router"]], "role": "ROUTE"},
            {"addresses": [address["reader"]], "role": "READ"},
            {"addresses": [address["writer"]], "role": "WRITE"}]}

    async def _route(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """The router's side of a connection: the handshake, then HELLO, LOGON, ROUTE..."""
        try:
            opening = await reader.readexactly(20)
            version = choose(opening[4:]) if opening[:4] == MAGIC else None
            writer.write(bytes([0, 0, *reversed(version)]) if version else b"\x00" * 4)
            if version is None:
                return
            framing = Framing()
            framing.handshake = opening
            modes = Modes()
            failed = False
            while data := await reader.read(65536):
                for message in framing.feed(data):
                    self._record("router", message, modes)
                    name = MESSAGES.get(message.tag)
                    if name == "GOODBYE":
                        return
                    if name == "RESET":
                        failed = False
                        answer = Struct(SUCCESS, [{}])
                    elif failed:
                        answer = Struct(IGNORED, [])
                    elif name == "HELLO":
                        answer = Struct(SUCCESS, [{"server": SERVER_AGENT, "connection_id": "stub-router"}])
                    elif name in ("LOGON", "LOGOFF"):  # any credentials: the router guards nothing
                        answer = Struct(SUCCESS, [{}])
                    elif name == "ROUTE":
                        database = message.fields[2].get("db") or "neo4j"
                        answer = Struct(SUCCESS, [{"rt": self.table(database)}])
                    else:
                        failed = True
                        answer = Struct(FAILURE, [{"code": "Neo.ClientError.Request.Invalid",
                                                   "message": f"the stub router only routes, not {name}"}])
                    writer.write(chunked(answer))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def _relay(self, role: str) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Any]:
        async def relay(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
            try:
                server_r, server_w = await asyncio.open_connection(*self.upstream)
            except OSError:
                client_w.close()
                return
            framing, modes = Framing(), Modes()

            async def upstream() -> None:  # the driver's bytes, recorded on their way
                try:
                    while data := await client_r.read(65536):
                        for message in framing.feed(data):
                            self._record(role, message, modes)
                        server_w.write(data)
                        await server_w.drain()
                finally:
                    server_w.close()  # the driver hung up: so does the relay, both ways

            async def downstream() -> None:
                try:
                    first = await server_r.readexactly(4)  # the server's answer to the handshake
                    if first == b"\x00\x00\x01\xff":
                        framing.manifest()
                    client_w.write(first)
                    while data := await server_r.read(65536):
                        client_w.write(data)
                        await client_w.drain()
                finally:
                    client_w.close()

            await asyncio.gather(upstream(), downstream(), return_exceptions=True)

        return relay


def bolt_address(uri: str) -> tuple[str, int]:
    """Host and port of a bolt:// or neo4j:// URI."""
    host, _, port = uri.partition("://")[2].rstrip("/").rpartition(":")
    return socket.gethostbyname(host), int(port)
