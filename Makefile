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

## demo: all four verdicts with no network: a local stand-in for Crossref and PubMed on
## 127.0.0.1 (the bundled records), started and stopped by the demo; leaves audit.db behind
demo: $(STAMP)
	$(BIN)/python -m citeaudit.emulate.demo --db audit.db

## test: the whole test suite, offline
test: $(STAMP)
	$(BIN)/python -m pytest

## fuzz: the reference-entry parser and extractor property tests, run long
FUZZ_EXAMPLES ?= 20000
fuzz: $(STAMP)
	CITEAUDIT_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -p no:randomly \
		tests/robustness/test_fuzz_entry.py tests/robustness/test_extractor_properties.py

clean:
	rm -rf $(VENV) .pytest_cache
