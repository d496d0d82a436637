# Two commands: `make demo` and `make test`. Each installs what it needs, idempotently: a second run only
# re-does steps whose inputs changed. Needs only Python 3.11, Node/npm and make.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SOLC_VERSION := 0.8.28
STAMP := .make
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/$(BIN):$(PATH)

.PHONY: setup solc compile demo lint slither test fuzz bench clean

setup: $(STAMP)/venv $(STAMP)/npm solc $(STAMP)/brownie-network compile

$(STAMP)/venv: pyproject.toml
	@mkdir -p $(STAMP)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

# `npm ci` refuses our lock file: anvil's other-platform optional packages are not reachable from here,
# so the lock is never "in sync" (DESIGN §4). `npm install` with the committed lock is the reproducible path;
# --no-save keeps it from rewriting the lock (it would add the other platforms' entries) and dirtying the tree.
$(STAMP)/npm: package.json package-lock.json
	@mkdir -p $(STAMP)
	npm install --no-audit --no-fund --no-save
	touch $@

# py-solc-x and brownie look for ~/.solcx/solc-v<version>; ours is a Node facade over solc-js. Linked on
# every run (it is instant) because another clone of the project may have pointed the link at itself.
solc: $(STAMP)/npm
	@mkdir -p $(HOME)/.solcx
	@ln -sf $(CURDIR)/tools/solc.js $(HOME)/.solcx/solc-v$(SOLC_VERSION)
	@$(HOME)/.solcx/solc-v$(SOLC_VERSION) --version | grep -q "Version: $(SOLC_VERSION)"

# brownie 1.22 cannot take cmd_settings from brownie-config.yaml (see there), so set them once here.
# --prune-history keeps anvil's old states in memory only: by default it spills them to ~/.foundry/anvil/tmp,
# gigabytes over a test run, left behind when it is killed.
# brownie's own anvil listens on 8645, not 8545: `consortium devnet` defaults to 8545, and `make test` runs the
# README's session (which starts one there) while brownie's tests run.
$(STAMP)/brownie-network: $(STAMP)/venv Makefile
	$(BIN)/brownie networks modify development evm_version=cancun gas_limit=30000000 accounts=10 port=8645 \
		cmd="anvil --prune-history 256" > /dev/null
	touch $@

# brownie recompiles a contract when its source or a contract it inherits changed, not when an internal library
# it uses did (VoteLedger, VoterWord, ...: brownie's dependency lists leave them out), so tests would run stale
# bytecode, and a guard broken on purpose would stay green. Any change under contracts/, to the compiler settings,
# or to the npm lock (OpenZeppelin, solc) recompiles everything; the stamp is taken before compiling, so an edit
# made meanwhile counts as a change.
compile: $(STAMP)/venv solc
	@if [ ! -f $(STAMP)/compiled ] || [ ! -d build/contracts ] || \
		[ -n "$$(find contracts brownie-config.yaml package-lock.json tools/solc.js -newer $(STAMP)/compiled -print \
			-quit)" ]; then \
		touch $(STAMP)/compiling && \
		{ $(BIN)/brownie compile --all > $(STAMP)/compile.log 2>&1 || { cat $(STAMP)/compile.log; exit 1; }; } && \
		mv $(STAMP)/compiling $(STAMP)/compiled; fi

demo: setup
	$(BIN)/consortium demo

lint: $(STAMP)/venv
	$(BIN)/ruff check orchestrator scripts tests bench tools

# Static analysis: every slither detector over every deployable contract, nothing left unaccepted
# (tools/slither_gate.py says how findings are accepted).
SLITHER_VENV := .venv-slither
$(STAMP)/slither-venv: tools/slither-requirements.txt
	@mkdir -p $(STAMP)
	test -x $(SLITHER_VENV)/bin/python || $(PYTHON) -m venv $(SLITHER_VENV)
	$(SLITHER_VENV)/bin/pip install -q -r tools/slither-requirements.txt
	touch $@

slither: $(STAMP)/slither-venv solc
	$(SLITHER_VENV)/bin/python tools/slither_gate.py 2> $(STAMP)/slither.log || { cat $(STAMP)/slither.log; exit 1; }

# The dashboard's tests drive Debian's headless Chromium; installed from the Debian registry once.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
$(STAMP)/chromium:
	@mkdir -p $(STAMP)
	command -v chromium > /dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium > /dev/null; }
	touch $@

# The PostgreSQL tests start a throwaway server of their own (tests/postgres.py) from Debian's binaries;
# installed from the Debian registry once. Only the binaries are needed: the package's own cluster is not used.
$(STAMP)/postgresql:
	@mkdir -p $(STAMP)
	ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql > /dev/null; }
	touch $@

# Two pytest runs side by side: the contract and security tests on brownie's anvil plus the end-to-end
# ones; and the orchestrator and integration tests, which start their own devnets (and PostgreSQL and
# Hardhat), without brownie's plugin, in two xdist workers a test file each (pytest-xdist comes with
# brownie): they wait on their nodes much of the time, so three streams keep two cores busy. The second
# run's report is printed when both are done; either failing fails the target.
# The set-up runs side by side where it can: the two virtualenvs and npm (55, 22 and 17 s on a fresh clone, one
# process each); then brownie's compile and the slither gate (its own solc compile, then the detectors; 130 and
# 93 s). Either failing stops the target before the tests.
test:
	@$(MAKE) --no-print-directory -j3 $(STAMP)/venv $(STAMP)/npm $(STAMP)/slither-venv
	@$(MAKE) --no-print-directory solc $(STAMP)/brownie-network lint $(STAMP)/chromium $(STAMP)/postgresql
	@$(MAKE) --no-print-directory -j2 compile slither
	@$(BIN)/pytest -p no:pytest-brownie -n 2 --dist loadfile --durations=10 tests/orchestrator tests/integration \
		> $(STAMP)/pytest-rest.log 2>&1 & \
	rest=$$!; $(BIN)/pytest --durations=10 tests/contracts tests/security tests/e2e; contracts=$$?; \
	wait $$rest; rest=$$?; echo "── tests/orchestrator, tests/integration ──"; cat $(STAMP)/pytest-rest.log; \
	exit $$(( contracts || rest ))

# The voting state machine and the hostile proposer with many more examples than `make test` runs
# (256 and 160): a nightly-style run.
fuzz: setup
	CONSORTIUM_FUZZ_EXAMPLES=$${CONSORTIUM_FUZZ_EXAMPLES:-3000} $(BIN)/pytest tests/security/test_vote_invariants.py \
		tests/security/test_hostile_proposals.py

# Both stacks side by side, scale, demo and relayer (not part of `make test`): bench/results.json and
# bench/RESULTS.md.
bench: setup
	$(BIN)/python -m bench.run

clean:
	rm -rf $(STAMP) build reports crytic-export
