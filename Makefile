# citeaudit: everything a fresh machine needs is set up from here.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install bench clean fuzz

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,postgres]'
	touch $(STAMP)

install: $(STAMP)

## demo: audit the bundled article (seed 002) offline, from bundled records
demo: $(STAMP)
	rm -f demo.db
	$(BIN)/citeaudit --db demo.db records load fixtures/records/
	@# exit code 1 means "the audit found problems", which is what the demo shows
	$(BIN)/citeaudit --db demo.db run fixtures/articles/002_kratom_back_pain.txt --offline || [ $$? -eq 1 ]

## test: the whole test suite, offline
test: $(STAMP)
	$(BIN)/python -m pytest

## fuzz: the reference-entry parser and extractor property tests, run long
FUZZ_EXAMPLES ?= 20000
fuzz: $(STAMP)
	CITEAUDIT_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -p no:randomly \
		tests/robustness/test_fuzz_entry.py tests/robustness/test_extractor_properties.py

clean:
	rm -rf $(VENV) demo.db .pytest_cache
