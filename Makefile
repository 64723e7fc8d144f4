# Liner: the two commands a new user needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
INDEX  ?= .liner/index
PORT   ?= 8000
HOST   ?= 127.0.0.1

.PHONY: run install-cluster test test-cluster test-long bench bench-scale bench-cluster eval train index install clean help readme screenshots

help:
	@echo "make run        install, index seeds/, serve the web app on http://$(HOST):$(PORT)"
	@echo "make test       install with test extras and run the test suite"
	@echo "make test-long  the long soak and fuzz runs too"
	@echo "make test-cluster  install Ray (liner[cluster]) and run the whole suite with the cluster tests"
	@echo "make eval       the multi-genre benchmark, leave one corpus out, beside FTS5 and tantivy (docs/evaluation.md)"
	@echo "make train      fit the scoring model on the benchmark (search/model.json)"
	@echo "make bench      benchmark against stock Whoosh, SQLite FTS5 and tantivy (docs/benchmarks.md)"
	@echo "make bench-scale  1,000,000 passages beside stock Whoosh (docs/benchmarks-scale.md; 10-20 min)"
	@echo "make readme     run README.md's console examples and write their real output in"
	@echo "make screenshots  retake docs/screenshots/*.png (docs/web.md) in Chromium"

# One stamp per set of extras, remade when pyproject.toml changes.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# The tests run the benchmark's code on a small corpus too, so they need its peers (tantivy).
$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

# The cluster tests (marked `cluster`) need Ray: `make test` skips them where it is missing.
$(VENV)/.installed-cluster: pyproject.toml $(VENV)/.installed-test
	$(BIN)/pip install --quiet -e '.[test,bench,cluster]'
	touch $@

install: $(VENV)/.installed-run

# Ray for the cluster tests (`make test` runs them once it is installed).
install-cluster: $(VENV)/.installed-cluster

# Incremental: unchanged files are not re-read, so this is quick after the first time.
index: $(VENV)/.installed-run
	$(BIN)/liner index seeds --index $(INDEX)

run: index
	$(BIN)/liner serve --index $(INDEX) --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q

test-cluster: $(VENV)/.installed-cluster
	$(BIN)/python -m pytest -q

test-long: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -m "slow or not slow"

# The README's examples, run for real; `make test` fails while README.md shows other output.
readme: $(VENV)/.installed-test
	$(BIN)/python tests/readme.py --write

# The browser tests write their screenshots to a temporary folder; only this updates docs/.
screenshots: $(VENV)/.installed-test
	LINER_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/test_browser.py -k screenshots

# The multi-genre benchmark (eval/benchmark.json), leave one corpus out, beside SQLite FTS5 and
# tantivy; writes the tables into docs/evaluation.md.
eval: $(VENV)/.installed-test
	$(BIN)/python -m bench.evaluate

# Fit the scoring model on every benchmark corpus: writes search/model.json.
train: $(VENV)/.installed-test
	$(BIN)/python -m bench.train

# Liner's own modules compiled first, as pip compiles an installed package: the cold-start figure
# should not include compiling them on every run where bytecode is not written.
bench: $(VENV)/.installed-test
	$(BIN)/python -m compileall -q indexer search web
	$(BIN)/python -m bench.run

# A million passages made offline from Python's documentation (bench/large_corpus.py), Liner beside
# stock Whoosh: build time and memory, latency, an update, a rebuild's disk, `liner ask` from cold.
bench-scale: $(VENV)/.installed-test
	$(BIN)/python -m compileall -q indexer search web
	$(BIN)/python -m bench.scale

# The sharded index on a local 3-node Ray cluster against one index: every QA set, then 100,000
# passages (docs/cluster.md).
bench-cluster: $(VENV)/.installed-cluster
	$(BIN)/python -m bench.cluster

clean:
	rm -rf $(VENV) .liner .pytest_cache .hypothesis bench/.work
