# The e-Office records portal. On a fresh Debian machine (as root, or with sudo):
#   make run    set everything up and start the portal with demo data, worker and scheduler
#   make test   set everything up and run the whole test suite against PostgreSQL and Redis
#   make bench  set everything up and run the benchmarks in bench/
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Debian's own CPython 3.11 (built with profile-guided and link-time optimisation) runs the portal's
# Python about a fifth faster than a plain source build of the same version (bench/: letter rendering,
# numbering); python3 from PATH when Debian's is not there.
PYTHON ?= $(shell test -x /usr/bin/python3.11 && echo /usr/bin/python3.11 || echo python3)
VENV ?= .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages the portal and its tests need: Pango/HarfBuzz for WeasyPrint, the Laksaman Thai font
# (the letters scale it to the TH Sarabun New sizes), PostgreSQL and Redis for tests and production-like runs, poppler for PDF
# checks, SoftHSM2 and NSS tools for signing tests, Chromium for the browser tests.
SYSTEM_PACKAGES := python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig \
	fonts-tlwg-laksaman postgresql redis-server poppler-utils softhsm2 libnss3-tools openssl chromium
BENCH_PACKAGES := libreoffice-writer-nogui

STAMP := var/.stamps

.PHONY: help setup system venv run test bench clean
help:
	@echo "make run    start the portal on http://127.0.0.1:8000/ with demo data, worker and scheduler"
	@echo "make test   run the whole test suite (starts a throwaway PostgreSQL and Redis)"
	@echo "make bench  run the benchmarks in bench/"
	@echo "make clean  remove var/ and the virtualenv"

setup: system venv

# Installs only what is missing, so a second run is quick and needs no network.
system:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# A virtualenv made from another interpreter (PYTHON changed) is made again.
venv:
	@want=$$($(PYTHON) -c 'import sys; print(sys.base_prefix, sys.version_info[:2])'); \
	have=$$($(PY) -c 'import sys; print(sys.base_prefix, sys.version_info[:2])' 2>/dev/null); \
	if [ -n "$$have" ] && [ "$$want" != "$$have" ]; then \
	  echo "Making $(VENV) again with $(PYTHON) (it was made with $$have)"; rm -rf $(VENV) $(STAMP)/requirements; \
	fi
	@$(MAKE) --no-print-directory $(STAMP)/requirements

$(STAMP)/requirements: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	@mkdir -p $(STAMP) && touch $@

run: setup
	EOFFICE_DEMO_DATA=1 scripts/run-portal

test: setup
	scripts/with-services scripts/run-tests

bench: setup
	@missing=$$(for p in $(BENCH_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; fi
	scripts/with-services scripts/run-bench

clean:
	rm -rf var $(VENV)
