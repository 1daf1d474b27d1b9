#!/usr/bin/env bash
# The GraphQL-over-HTTP conformance audits (graphql-http's serverAudits) against /graphql.
#   scripts/graphql-http-audit.sh [URL]
# With a URL (or GRAPHQL_URL) it audits that running API. Without, it starts `revgraph serve` on
# 127.0.0.1:$AUDIT_PORT (default 8765) against the configured Neo4j (NEO4J_URI or the local
# server, which must be running), audits it and stops it. Needs node and npm: the pinned
# graphql-http is installed from bench/audit/package-lock.json on first use.
# Exit code 0 only when every audit passes (no notice, warning or error).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
audit="$root/bench/audit"
command -v node >/dev/null || { echo "error: node is not installed (Debian: apt-get install nodejs npm)" >&2; exit 2; }
if [ ! -d "$audit/node_modules/graphql-http" ]; then
  (cd "$audit" && npm ci --no-audit --no-fund --silent)
fi
url="${1:-${GRAPHQL_URL:-}}"
pid=""
cleanup() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; }
trap cleanup EXIT
if [ -z "$url" ]; then
  port="${AUDIT_PORT:-8765}"
  log="$(mktemp)"
  "$root/.venv/bin/python" -m uvicorn api.app:app_from_env --factory --host 127.0.0.1 \
    --port "$port" --log-level warning >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null; then break; fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "error: the API did not start:" >&2; cat "$log" >&2; exit 2; fi
    sleep 0.2
  done
  url="http://127.0.0.1:$port/graphql"
fi
cd "$audit"
node audit.mjs "$url"
