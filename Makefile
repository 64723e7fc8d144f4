# Liner: the two commands a new user needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
INDEX  ?= .liner/index
PORT   ?= 8000

.PHONY: run test test-long bench eval index clean help

help:
	@echo "make run        install, index seeds/, serve the web app on http://127.0.0.1:$(PORT)"
	@echo "make test       install with test extras and run the test suite"
	@echo "make test-long  the long soak and fuzz runs too"
	@echo "make eval       score the engine on eval/qa_seeds.jsonl"
	@echo "make bench      benchmark against stock Whoosh, SQLite FTS5 and tantivy"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

index: $(STAMP)
	$(BIN)/liner index seeds --index $(INDEX)

run: index
	$(BIN)/liner serve --index $(INDEX) --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-long: $(STAMP)
	$(BIN)/python -m pytest -q -m "slow or not slow"

eval: index
	$(BIN)/liner eval --index $(INDEX)

bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .liner .pytest_cache .hypothesis
