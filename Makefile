# revgraph: two commands do all the set-up on a fresh machine.
#   make run    virtualenv + install, local Neo4j (unless NEO4J_URI), migrations, load data/,
#               then serve the API at http://127.0.0.1:8000/graphql (Ctrl-C to stop the API)
#   make test   the same set-up and the whole test suite against a real Neo4j
#   make stop   stop what `make run` started

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test stop install system neo4j load lint bench bench-peers bench-soak clean help

help:
	@echo "make run | make test | make stop | make lint | make bench | make bench-peers | make bench-soak | make clean"

# System tools the project needs (a JDK for Neo4j, Maven to fetch it, Chromium for the browser
# test, HAProxy for the scale-out drill): installed from Debian's packages when missing and we
# may (root or sudo).
system:
	@scripts/system-deps.sh

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

install: $(STAMP)

neo4j: install system
	@if [ -z "$$NEO4J_URI" ]; then $(BIN)/revgraph neo4j start; \
	 else echo "Using NEO4J_URI=$$NEO4J_URI"; $(BIN)/revgraph migrate; fi

load: neo4j
	$(BIN)/revgraph load

run: load
	$(BIN)/revgraph serve --host $(HOST) --port $(PORT)

stop:
	@test -x $(BIN)/revgraph && $(BIN)/revgraph stop || true

test: install system
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: load
	$(BIN)/python scripts/bench.py

# revgraph beside @neo4j/graphql and the bare driver (bench/peers.py; BENCH_ARGS="--seconds 3
# --rounds 1" for a short run), and the soak (bench/soak.py). Their own Neo4j folder and ports.
PEERS := bench/peers/node_modules/.installed
bench-peers bench-soak: export REVGRAPH_HOME ?= $(CURDIR)/.revgraph-bench
bench-peers bench-soak: export REVGRAPH_BOLT_PORT ?= 7697
bench-peers bench-soak: export REVGRAPH_HTTP_PORT ?= 7484

$(PEERS): bench/peers/package.json bench/peers/package-lock.json
	@bench/setup.sh
	cd bench/peers && npm ci --no-audit --no-fund
	@touch $@

bench-peers: install system $(PEERS)
	$(BIN)/python -m bench.peers $(BENCH_ARGS)

bench-soak: install system $(PEERS)
	$(BIN)/python -m bench.soak $(BENCH_ARGS)

clean: stop
	rm -rf $(VENV) .revgraph .revgraph-test .revgraph-bench .pytest_cache bench/peers/node_modules
