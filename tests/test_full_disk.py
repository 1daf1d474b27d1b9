"""A full disk, on a real Neo4j and a real filesystem: a small tmpfs mounted for the test holds
a scratch server's folder (REVGRAPH_HOME), then is filled. Mounting needs root (or the
capability): where it is refused the test is skipped, and tests/test_local_server.py still
covers the same paths with an injected free-space figure and a stand-in for Java.

What users met, each checked here: `neo4j stop` on a full disk said "Neo4j stopped." after
killing Neo4j whose checkpoint had failed; the next `neo4j start` crashed with a traceback after
spawning Java and left an orphan that `status` and `stop` could not see.
"""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.server import _end, _neo4j_processes

pytestmark = pytest.mark.neo4j

SIZE = "600m"  # two preallocated transaction logs (256 MiB each) and a small store
ROWS = 200_000  # enough store growth that the shutdown checkpoint needs room it will not find


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", str(mount)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {result.stderr.strip()}")
    try:
        yield mount
    finally:
        left = {pid: None for pid, home in _neo4j_processes().items()
                if home.is_relative_to(mount)}
        _end(left, grace=10.0)  # only if the test failed half way
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path) -> Path:
    filler = disk / "filler"
    chunk = b"\0" * (1 << 20)
    with filler.open("wb") as f:
        try:
            while True:
                f.write(chunk)
                f.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


def test_full_disk_start_and_stop(small_disk: Path):
    home = small_disk / "home"
    environment = {**os.environ, "REVGRAPH_HOME": str(home), "COLUMNS": "200",
                   "REVGRAPH_BOLT_PORT": str(_free_port()), "REVGRAPH_HTTP_PORT": str(_free_port()),
                   "REVGRAPH_NEO4J_HEAP": "1g", "REVGRAPH_NEO4J_PAGECACHE": "256m"}
    environment.pop("NEO4J_URI", None)

    def cli(*args: str, min_free: str | None = None) -> subprocess.CompletedProcess[str]:
        env = {**environment, **({"REVGRAPH_NEO4J_MIN_FREE": min_free} if min_free else {})}
        return subprocess.run([sys.executable, "-m", "cli.main", *args], capture_output=True,
                              text=True, env=env, timeout=300)

    def processes() -> list[int]:
        return [pid for pid, h in _neo4j_processes().items() if h == home / "neo4j"]

    # The small disk is the point: the shipped 1 GiB minimum would refuse it from the start.
    first = cli("neo4j", "start", min_free="500m")
    assert first.returncode == 0, first.stderr
    for first_row in range(1, ROWS, ROWS // 4):  # in parts: a transaction's memory is bounded
        write = cli("cypher", "--write", f"UNWIND range({first_row}, {first_row + ROWS // 4 - 1})"
                    " AS i CREATE (:Scratch {i: i, s: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'})")
        assert write.returncode == 0, write.stderr
    filler = _fill(small_disk)

    stop = cli("neo4j", "stop")
    said = " ".join(stop.stderr.split())
    assert stop.returncode == 1, (stop.stdout, stop.stderr)
    assert "Neo4j stopped." not in stop.stdout
    assert "Neo4j did not stop cleanly" in said and "the disk is full" in said, said
    assert "the next start recovers it once space is freed" in said
    assert processes() == []

    refused = cli("neo4j", "start")  # the shipped minimum: refused before Java runs
    said = " ".join(refused.stderr.split())
    assert refused.returncode == 1 and f"The disk holding {home} is full: 0 MiB free" in said
    assert "Starting Neo4j" not in said and processes() == []

    # No minimum at all, so that Java is spawned on the full disk and fails: what it spawned
    # must go, and the reason be said without a traceback.
    failed = cli("neo4j", "start", min_free="0")
    said = " ".join(failed.stderr.split())
    assert failed.returncode == 1, failed.stdout
    assert "Traceback" not in failed.stderr and "disk" in said and "full" in said, said
    assert processes() == []

    filler.unlink()  # 80 MiB free again: the transaction logs are already allocated
    again = cli("neo4j", "start", min_free="64m")
    assert again.returncode == 0, again.stderr
    count = cli("cypher", "--json", "MATCH (n:Scratch) RETURN count(n) AS n")
    assert '"n": 200000' in count.stdout, count.stderr  # committed before the disk filled
    last = cli("neo4j", "stop")
    assert last.returncode == 0 and "Neo4j stopped." in last.stdout, last.stderr
    assert processes() == []
