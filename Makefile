# ferrojit: build, test and benchmark entry points (see README.md and docs/benchmarks.md).
#
#   make demo    venv + `maturin develop --release` + numba, then the seed-kernel benchmark table
#   make test    venv + fmt + clippy + cargo test (debug) + `maturin develop` (debug) + pytest
#   make wheel   the release abi3 manylinux wheel in dist/ (sdist: the source distribution)
#
# Everything Python lives in $(VENV), created from requirements-*.txt on first use. Stamp files
# under $(VENV)/.stamps make reruns incremental: pip runs again only when a requirements file
# changes, and maturin only when a Rust source, Cargo.toml/Cargo.lock or pyproject.toml changes
# (or when switching between the debug and release builds of the extension). All cargo and
# maturin runs share the workspace's one target directory.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

# The interpreter that creates the venv; afterwards only the venv's own interpreter is used.
PYTHON ?= python3
VENV ?= $(CURDIR)/.venv
VENV_BIN := $(VENV)/bin
VENV_PYTHON := $(VENV_BIN)/python
STAMPS := $(VENV)/.stamps

# Two Pythons exist on our machines: pin pyo3's build (and maturin) to the venv's interpreter,
# so that the build, `cargo test` and pytest all agree on one libpython and one numpy.
export PYO3_PYTHON := $(VENV_PYTHON)
export VIRTUAL_ENV := $(VENV)
export PIP_DISABLE_PIP_VERSION_CHECK := 1
ifeq ($(CI),true)
# One clean build per CI run: incremental artefacts would only cost time and disk.
export CARGO_INCREMENTAL := 0
export CARGO_TERM_COLOR := never
endif

# Where the venv interpreter's libpython lives and where its packages are. `cargo test` runs
# pybridge's tests with an embedded interpreter: without these the dynamic loader would pick
# the system's libpython3.11 and the embedded interpreter would not see the venv's numpy.
# Recursive (`=`) so that they are evaluated in recipes, after the venv exists.
PY_LIBDIR = $(shell $(VENV_PYTHON) -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR"))')
PY_SITE = $(shell $(VENV_PYTHON) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
EMBEDDED_PY_ENV = LD_LIBRARY_PATH="$(PY_LIBDIR)$${LD_LIBRARY_PATH:+:$$LD_LIBRARY_PATH}" \
	PYTHONPATH="$(PY_SITE)$${PYTHONPATH:+:$$PYTHONPATH}"

# Inputs of the compiled extension: when none is newer than a develop stamp, maturin is skipped.
CRATE_DIRS := src frontend typeinfer ir backend-cpu backend-gpu runtime pybridge
RUST_INPUTS := Cargo.toml $(wildcard Cargo.lock) $(shell find $(CRATE_DIRS) -type f \
	\( -name '*.rs' -o -name 'Cargo.toml' -o -name 'pyproject.toml' -o -name '*.ptx' \
	   -o -name '*.c' -o -name '*.h' \) -not -path '*/tests/*' -not -path '*/target/*' 2>/dev/null)

CARGO ?= cargo
MATURIN := $(VENV_BIN)/maturin
PYTEST_ARGS ?= -q
DEMO_ARGS ?=

.PHONY: help venv bench-deps develop develop-release demo test fmt-check clippy cargo-test \
	pytest bench smoke fmt clean distclean wheel wheel-debug wheel-smoke sdist

help:
	@echo "make demo             build ferrojit (release) and print the seed-kernel benchmark table"
	@echo "make test             fmt check, clippy, cargo test, maturin develop, pytest (what CI runs)"
	@echo "make venv             create $(VENV) with requirements-dev.txt"
	@echo "make develop          build the Python package into the venv (debug); develop-release: release"
	@echo "make wheel            release abi3 manylinux wheel into dist/ (sdist: source distribution)"
	@echo "make wheel-smoke      debug wheel installed into clean venvs (WHEEL_PYTHONS), outside the tree"
	@echo "make bench            criterion benchmarks (cargo bench --benches), e.g. compile time"
	@echo "make smoke            benches/seed_kernels.py --quick --strict against the debug build"
	@echo "make fmt              cargo fmt --all"
	@echo "make clean            remove the stamps and the built extension; distclean: also venv and target/"

# --- the venv -------------------------------------------------------------------------------

$(VENV_PYTHON):
	$(PYTHON) -m venv $(VENV)

$(STAMPS)/dev: requirements-dev.txt | $(VENV_PYTHON)
	$(VENV_PYTHON) -m pip install -r requirements-dev.txt
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/bench: requirements-bench.txt $(STAMPS)/dev
	$(VENV_PYTHON) -m pip install -r requirements-bench.txt
	@touch $@

venv: $(STAMPS)/dev

bench-deps: $(STAMPS)/bench

# --- the Python package (maturin builds pybridge into the venv, editable) ---------------------

# Both profiles write the same extension module: building one invalidates the other's stamp.
$(STAMPS)/develop-debug: $(STAMPS)/dev $(RUST_INPUTS)
	cd pybridge && $(MATURIN) develop
	@rm -f $(STAMPS)/develop-release && touch $@

$(STAMPS)/develop-release: $(STAMPS)/dev $(RUST_INPUTS)
	cd pybridge && $(MATURIN) develop --release
	@rm -f $(STAMPS)/develop-debug && touch $@

develop: $(STAMPS)/develop-debug

develop-release: $(STAMPS)/develop-release

# --- the two README commands ----------------------------------------------------------------

# Also draws the table as docs/img/seed_kernels.svg (shown in docs/benchmarks.md).
DEMO_CHART ?= docs/img/seed_kernels.svg
demo: $(STAMPS)/develop-release $(STAMPS)/bench
	$(VENV_PYTHON) benches/seed_kernels.py --chart $(DEMO_CHART) $(DEMO_ARGS)

# Sequential on purpose: the cheap checks fail first, and one cargo build runs at a time.
test: $(STAMPS)/dev
	@$(MAKE) --no-print-directory fmt-check
	@$(MAKE) --no-print-directory clippy
	@$(MAKE) --no-print-directory cargo-test
	@$(MAKE) --no-print-directory pytest

fmt-check:
	$(CARGO) fmt --all -- --check

clippy: $(STAMPS)/dev
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# Plain `cargo test` builds no bench targets, so the criterion benches neither build nor run here
# (clippy --all-targets above still checks that they compile).
cargo-test: $(STAMPS)/dev
	FERROJIT_REQUIRE_PTXAS=1 $(EMBEDDED_PY_ENV) $(CARGO) test --workspace --no-fail-fast

# pytest's exit status passes through untouched: 5 ("no tests collected") fails the build too.
pytest: $(STAMPS)/develop-debug
	FERROJIT_REQUIRE_PTXAS=1 $(VENV_PYTHON) -m pytest tests/python $(PYTEST_ARGS)

# --- distribution ---------------------------------------------------------------------------

DIST ?= $(CURDIR)/dist
# Interpreters the wheel smoke test installs into (those missing on the machine are skipped).
WHEEL_PYTHONS ?= python3.11 python3.12 python3.13

# The wheel carries the runtime's static archive, which `ferrojit build` links into the
# libraries it makes (ferrojit/libferrojit_runtime.a; src/aot/archive.rs finds it). Cargo
# builds it with the extension (the `runtime` crate is also a `staticlib`); maturin packs the
# package directory after its cargo build, so the archive is copied in (debug information
# stripped) and maturin runs once more, which only repacks: nothing is compiled twice.
RUNTIME_ARCHIVE := pybridge/python/ferrojit/libferrojit_runtime.a
define copy_runtime_archive
	archive=$$(ls -t target/$(1)/deps/libruntime-*.a | head -n 1) && \
	  cp "$$archive" $(RUNTIME_ARCHIVE) && chmod u+w $(RUNTIME_ARCHIVE) && \
	  { strip --strip-debug $(RUNTIME_ARCHIVE) 2>/dev/null || true; }
endef

# One abi3 wheel serves every CPython >= 3.9; maturin tags it manylinux after checking the
# glibc symbols it uses.
wheel: $(STAMPS)/dev
	cd pybridge && $(MATURIN) build --release --out $(DIST)
	$(call copy_runtime_archive,release)
	cd pybridge && $(MATURIN) build --release --out $(DIST)

# The same wheel with the debug build CI already has from `maturin develop` (seconds, not
# minutes): what the smoke test installs.
wheel-debug: $(STAMPS)/dev
	rm -rf $(DIST)/debug
	cd pybridge && $(MATURIN) build --out $(DIST)/debug
	$(call copy_runtime_archive,debug)
	cd pybridge && $(MATURIN) build --out $(DIST)/debug

wheel-smoke: wheel-debug
	tests/wheel/smoke.sh $(DIST)/debug/ferrojit-*.whl $(WHEEL_PYTHONS)

# Builds with `pip install ferrojit-*.tar.gz` wherever Rust (cargo) is installed.
sdist: $(STAMPS)/dev
	cd pybridge && $(MATURIN) sdist --out $(DIST)

# --- extras ---------------------------------------------------------------------------------

bench:
	$(CARGO) bench --benches

smoke: $(STAMPS)/develop-debug
	$(VENV_PYTHON) benches/seed_kernels.py --quick --strict

fmt:
	$(CARGO) fmt --all

clean:
	rm -rf $(STAMPS) $(DIST)
	rm -f pybridge/python/ferrojit/*.so $(RUNTIME_ARCHIVE)

distclean: clean
	rm -rf $(VENV)
	$(CARGO) clean
