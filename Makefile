# revgraph: two commands do all the set-up on a fresh machine.
#   make run    virtualenv + install, local Neo4j (unless NEO4J_URI), migrations, load data/,
#               then serve the API at http://127.0.0.1:8000/graphql (Ctrl-C to stop the API)
#   make test   the same set-up and the whole test suite against a real Neo4j
#   make stop   stop what `make run` started (in this shell or another; exit 0, so make reports
#               no error for the `make run` it ends)
# Ports: REVGRAPH_BOLT_PORT, REVGRAPH_HTTP_PORT (Neo4j), REVGRAPH_API_PORT or `make run PORT=8001`
# (the API), recorded in .revgraph/ports.json when the servers start (README, "Two checkouts").

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# `make run PORT=8001 HOST=0.0.0.0`: the API's port and interface, as REVGRAPH_API_PORT and
# REVGRAPH_API_HOST say. Only from make's command line: many shells export a HOST of their own.
ifeq ($(origin PORT),command line)
export REVGRAPH_API_PORT := $(PORT)
endif
ifeq ($(origin HOST),command line)
export REVGRAPH_API_HOST := $(HOST)
endif

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
	$(BIN)/revgraph serve

stop:
	@if [ -x $(BIN)/revgraph ]; then $(BIN)/revgraph stop; else echo "Nothing to stop ($(BIN)/revgraph is not installed)."; fi

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
