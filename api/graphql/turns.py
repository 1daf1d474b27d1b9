"""A request's turns on the event loop: how a large answer leaves room for the others.

One process answers every client on one event loop, so while a request computes without
awaiting, every other waits: reading a large Cypher result (the driver decodes rows already
received without suspending), completing a long answer, serialising it. ``Turn`` is a
request's clock: the places that loop over a large answer's parts (the rows of a Cypher result
in api/graphql/context.py, the objects of an answer in api/graphql/execution.py, the parts of
its body in ``dumps``) ask ``over()`` and, once a turn of ``TURN`` seconds has passed without
a pause, hand the loop over (``pause``: ``asyncio.sleep(0)``, so that timers, other requests
and new connections run before it goes on). A small answer never reaches the end of a turn
and takes no pause: its path is as it was, a clock read per row or object aside. Measured with
``bench/stall.py`` (docs/scaling.md, "One large answer among small ones").
"""

from __future__ import annotations

import asyncio
import gc
from collections import deque
from collections.abc import Generator, Iterator
from time import perf_counter
from typing import Any, ClassVar

import orjson

# Seconds of the loop one request takes before it pauses: long beside a pause's own cost
# (one loop iteration, tens of microseconds), short beside the 200 ms a small answer may wait.
TURN = 0.01


class Turn:
    """A request's clock: when its current turn on the loop ends, and how many pauses it took;
    and the rests of lists it put off when a turn ended in their middle (``later``)."""

    __slots__ = ("due", "pauses", "_turns", "_waiting", "_running", "_entered", "_holds")
    length: ClassVar[float] = TURN  # math.inf: never pause (bench/stall.py compares)

    def __init__(self) -> None:
        self.due = perf_counter() + self.length
        self.pauses = 0
        self._turns = 0  # turns begun: pauses of the same request resumed together share one
        self._waiting: deque[tuple[Generator[Any, None, Any], asyncio.Future[Any]]] = deque()
        self._running = False
        self._entered = self._holds = False

    def __enter__(self) -> Turn:
        """The answer is made within: once it pauses (a large one), it holds the collector."""
        self._entered = True
        return self

    def __exit__(self, *_: object) -> None:
        self._entered = False
        if self._holds:
            self._holds = False
            _collector.release()

    def over(self) -> bool:
        return perf_counter() > self.due

    def restart(self) -> None:
        """A new turn if the last is over: the request was suspended (waiting for Neo4j)."""
        now = perf_counter()
        if now > self.due:
            self.due = now + self.length
            self._turns += 1

    async def pause(self) -> None:
        """Let the loop run everything else that is ready, then go on: in a new turn, unless
        another task of the request began one since this one paused (all resume in the same
        iteration of the loop: each taking a turn of its own would add their turns up)."""
        self.pauses += 1
        if self._entered and not self._holds:
            self._holds = True
            _collector.hold()
        turns = self._turns
        await asyncio.sleep(0)
        if self._turns == turns:
            self._turns += 1
            self.due = perf_counter() + self.length

    def later(self, steps: Generator[Any, None, Any]) -> asyncio.Future[Any]:
        """The value of a list's rest, done after a pause: ``steps`` completes one item a
        step and returns the list (or an awaitable of it). The rests a request put off are
        done in order by one task of its own, which pauses whenever the turn is over."""
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting.append((steps, done))
        if not self._running:
            self._running = True
            task = asyncio.ensure_future(self._work())
            _TASKS.add(task)
            task.add_done_callback(_TASKS.discard)
        return done

    async def _work(self) -> None:
        try:
            while self._waiting:
                steps, done = self._waiting.popleft()
                try:
                    while not done.cancelled():  # the request gone (its deadline): stop
                        if self.over():
                            await self.pause()
                        next(steps)
                    steps.close()
                except StopIteration as end:
                    if done.cancelled():
                        if hasattr(end.value, "close"):
                            end.value.close()  # a coroutine no one will await
                        continue
                    if hasattr(end.value, "__await__"):  # items still awaited: not here
                        _chain(asyncio.ensure_future(end.value), done)
                    else:
                        done.set_result(end.value)
                except Exception as exc:  # noqa: BLE001 - the list's field handles it
                    if not done.cancelled():
                        done.set_exception(exc)
        finally:
            self._running = False
            for steps, done in self._waiting:  # the request's task is being cancelled
                steps.close()
                done.cancel()
            self._waiting.clear()


class _Collector:
    """Python's cyclic garbage collector, held off while large answers are made. A pass walks
    the objects of its generations, and a large answer's are alive, many and young while it
    is made: passes of 0.1 to 0.5 s came in its middle, each holding the loop. Once answered,
    they are freed by their reference counts (the request's loaders emptied,
    ``Context.release``), so the passes after find little; the few cycles requests leave
    (docs/decisions/0002-garbage-collector.md) wait those seconds."""

    def __init__(self) -> None:
        self.holders = 0
        self.disabled = False  # by this hold: a collector disabled by someone else stays so

    def hold(self) -> None:
        self.holders += 1
        if self.holders == 1 and gc.isenabled():
            gc.disable()
            self.disabled = True

    def release(self) -> None:
        self.holders -= 1
        if self.holders == 0 and self.disabled:
            self.disabled = False
            gc.enable()


_collector = _Collector()
_TASKS: set[asyncio.Future[Any]] = set()  # held while they run (the loop keeps weak refs)


def _chain(source: asyncio.Future[Any], target: asyncio.Future[Any]) -> None:
    """``target`` takes ``source``'s outcome when it has one."""
    _TASKS.add(source)

    def copy(f: asyncio.Future[Any]) -> None:
        _TASKS.discard(f)
        if target.cancelled():
            return
        if f.cancelled():
            target.cancel()
        elif f.exception() is not None:
            target.set_exception(f.exception())  # type: ignore[arg-type]
        else:
            target.set_result(f.result())
    source.add_done_callback(copy)


def _parts(value: Any, depth: int) -> Iterator[bytes]:
    """``value`` in orjson's compact JSON, in pieces whose concatenation is
    ``orjson.dumps(value, default=str)``: dicts and lists ``depth`` levels down are opened."""
    if depth and isinstance(value, dict) and all(type(k) is str for k in value):
        yield b"{"
        for i, (k, v) in enumerate(value.items()):
            yield (b"," if i else b"") + orjson.dumps(k) + b":"
            yield from _parts(v, depth - 1)
        yield b"}"
    elif depth and isinstance(value, list):
        yield b"["
        for i, v in enumerate(value):
            if i:
                yield b","
            yield from _parts(v, depth - 1)
        yield b"]"
    else:
        yield orjson.dumps(value, default=str)


DEPTH = 5  # levels opened: the response, data, a root field, a connection, its nodes


async def dumps(value: Any, turn: Turn | None) -> bytes:
    """``orjson.dumps(value, default=str)``; for a request that already took more than a turn
    (a large answer), in pieces with a pause between turns."""
    if turn is None or not turn.pauses:
        return orjson.dumps(value, default=str)
    out: list[bytes] = []
    turn.restart()
    for part in _parts(value, DEPTH):
        out.append(part)
        if turn.over():
            await turn.pause()
    return b"".join(out)
