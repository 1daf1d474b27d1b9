#!/usr/bin/env bash
# The fuzz job (tests/test_fuzz.py) for longer than the test suite's 90 s:
#   scripts/fuzz.sh [SECONDS] [pytest arguments...]     (default 900 s)
# Like the suite, it needs a real Neo4j (NEO4J_TEST_URI, or the project's local test server on
# REVGRAPH_TEST_BOLT_PORT / REVGRAPH_TEST_HTTP_PORT). Failures are listed at the end, each with
# the exact request, and written to tests/artifacts/fuzz-failures.json.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-900}"
shift || true
export REVGRAPH_FUZZ_SECONDS="$seconds"
echo "fuzzing the GraphQL API for ${seconds} s ..."
status=0
.venv/bin/python -m pytest tests/test_fuzz.py -s -p no:cacheprovider "$@" || status=$?
echo "failures (if any): tests/artifacts/fuzz-failures.json"
exit "$status"
