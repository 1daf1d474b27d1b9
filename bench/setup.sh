#!/bin/sh
# What `make bench-peers` and `make bench-soak` need besides the project: Node.js 20+ (for
# @neo4j/graphql 7 and Apollo Server 5) and, if it can be had, wrk (the load client; without it
# the benchmark uses its asyncio+httpx client). From Debian's packages when missing and we may.
set -e
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"; else return 1; fi
}
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "Installing Node.js and npm from Debian's packages ..."
  as_root apt-get install -y nodejs npm || { echo "Node.js 20+ and npm are needed: install them." >&2; exit 1; }
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "Node.js $(node --version) is too old: @neo4j/graphql 7 needs 20 or later." >&2
  exit 1
fi
if ! command -v wrk >/dev/null; then
  as_root apt-get install -y wrk >/dev/null 2>&1 || echo "wrk is not available: the benchmark will use its Python client."
fi
