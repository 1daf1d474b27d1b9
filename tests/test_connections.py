"""Connections as `revgraph serve` bounds them (api/web/server.py): a connection that sends no
request, or its headers a byte at a time, is closed; a body that never arrives ends at the
request's deadline, counted from its first byte; other clients are served meanwhile."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from api.app import create_app
from api.web.server import server
from tests.conftest import shipped

CHEAP = {"query": '{ place(id: "kursk") { name } }'}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(config, target) -> Iterator[tuple[str, int]]:
    from tests.conftest import APPS

    port = _free_port()
    app = create_app(config, target)
    APPS.append(app)
    uv = server(app, config, "127.0.0.1", port, log_level="warning")
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", port
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        APPS.remove(app)


@pytest.fixture
def quick(mini_graph, neo4j_settings) -> Iterator[tuple[str, int]]:
    # Short limits, so that the test waits seconds, not the shipped tens of seconds.
    config = shipped(why="short timeouts to wait for", header_timeout=1.0, request_deadline=2.0,
                     max_connections=50)
    with served(config, neo4j_settings) as where:
        yield where


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass  # an answer (a 4xx) may come before the close
        return True
    except TimeoutError:
        return False
    except OSError:
        return True


def test_a_connection_that_sends_nothing_is_closed(quick):
    url, port = quick
    idle = socket.create_connection(("127.0.0.1", port))
    started = time.monotonic()
    assert _closed_within(idle, 5) and time.monotonic() - started < 3
    assert httpx.post(f"{url}/graphql", json=CHEAP).status_code == 200


def test_slowloris_clients_are_all_closed_and_others_served(quick):
    url, port = quick
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
    for c in clients:
        c.sendall(b"POST /graphql HTTP/1.1\r\nHost: x\r\n")  # and never the end of the headers
    assert httpx.post(f"{url}/graphql", json=CHEAP, timeout=5).status_code == 200
    time.sleep(0.5)
    for c in clients:
        c.sendall(b"X-Slow: 1\r\n")  # a header a while later: the deadline counts from the first
    assert all(_closed_within(c, 5) for c in clients)


def test_a_body_that_never_arrives_ends_at_the_deadline(quick):
    url, port = quick
    sock = socket.create_connection(("127.0.0.1", port))
    started = time.monotonic()
    sock.sendall(b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 1000\r\n\r\n" + b'{"query": "{ __typename ')
    sock.settimeout(10)
    answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 504"), answer[:200]
    assert time.monotonic() - started < 4
    sock.close()


def _hold(port: int) -> socket.socket:
    """A request in progress: its headers sent, its body never."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 100\r\n\r\n")
    return sock


def _still_held(sock: socket.socket) -> bool:
    """True while the server has neither answered the connection nor closed it."""
    sock.setblocking(False)
    try:
        sock.recv(1, socket.MSG_PEEK)
    except BlockingIOError:
        return True
    finally:
        sock.setblocking(True)
    sock.close()
    return False


def test_connections_beyond_the_cap_get_a_503(mini_graph, neo4j_settings):
    config = shipped(why="a cap small enough to reach", max_connections=3, header_timeout=5.0)
    with served(config, neo4j_settings) as (url, port):
        # uvicorn counts open connections when it reads a request's headers, so which of the
        # held ones it refuses depends on the order it reads them (on a busy machine it may
        # refuse all three). Keep three open, replacing the refused, until a fourth gets 503.
        held: list[socket.socket] = []
        deadline = time.monotonic() + 5
        status = None
        while status != 503 and time.monotonic() < deadline:
            held = [h for h in held if _still_held(h)]
            held += [_hold(port) for _ in range(3 - len(held))]
            time.sleep(0.2)
            status = httpx.post(f"{url}/graphql", json=CHEAP, timeout=5).status_code
        assert status == 503
        for h in held:
            h.close()
