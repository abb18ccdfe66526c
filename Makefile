# Two commands a newcomer needs: `make run` and `make test`. Both create the virtual environment
# on first use (Python 3.10+, pip and venv are all they need).
# Python 3.12 when the machine has one that runs (on PATH, or installed by pyenv but not selected):
# spaCy's wheel for 3.11 takes and releases the GIL at every step of its NER decoder, which makes
# the models about twice as slow there (docs/benchmarks.md). Any 3.10+ works and gives the same
# records; `make PYTHON=python3.11 ...` picks another one. Only read when .venv is (re)created.
PYTHON ?= $(shell for p in python3.12 $$(command -v pyenv >/dev/null 2>&1 && ls -d "$$(pyenv root)"/versions/3.12*/bin/python3.12 2>/dev/null) python3; do \
            "$$p" -c 'import sys; assert sys.version_info >= (3, 10)' >/dev/null 2>&1 && { echo "$$p"; break; }; done)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup browser run test goldens lexicon models schema readme clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The package's bytecode is compiled here because Python does not write it when
# PYTHONDONTWRITEBYTECODE is set (as in many containers, and on the machine the benchmarks ran on):
# every process then compiled ~40 modules from source, ~0.15-0.2 s of each batch's warm-up.
# Quick when nothing changed (only stale files are compiled again).
setup: $(STAMP)  ## create .venv and install the package with its test extra
	@$(BIN)/python -m compileall -q pipeline

run: setup  ## convert samples/ into outputs/ and validate the records
	$(BIN)/pipeline convert samples/ -o outputs/
	$(BIN)/pipeline validate outputs/

test: setup browser  ## run the whole test suite
	$(BIN)/python -m pytest -q

# The review page's browser tests drive Debian's Chromium (never Playwright's download). As root and
# without /usr/bin/chromium, install it; anywhere else do nothing. A failure only stops `make test`
# under CI=true; elsewhere the browser tests then skip and say why.
browser:  ## install Chromium for the browser tests when running as root and it is missing
	@if [ -x /usr/bin/chromium ] || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then exit 0; fi; \
	echo "installing chromium for the browser tests (apt-get)"; \
	( export DEBIAN_FRONTEND=noninteractive; apt-get install -y --no-install-recommends chromium || { apt-get update && apt-get install -y --no-install-recommends chromium; } ) \
	  || { echo "could not install chromium; the browser tests will skip"; [ "$$CI" != true ]; }

goldens: setup  ## deliberately regenerate the golden records in outputs/ and the README excerpt (review the git diff!)
	$(BIN)/pipeline convert samples/ -o outputs/ --quiet
	$(BIN)/pipeline validate outputs/
	$(BIN)/python scripts/update_readme.py

lexicon: setup  ## rebuild the packaged lexicon, generic-word list and MeSH mention table from ../shared/data
	$(BIN)/python scripts/build_lexicon.py
	$(BIN)/python scripts/build_generic_words.py
	$(BIN)/python scripts/build_mesh_mentions.py

models: setup  ## retrain the NER models (pipeline/data/models) and the relation classifier (pipeline/data/relations) from ../shared/data/ner (slow; CI never runs it)
	nice $(BIN)/python scripts/train_ner.py
	nice $(BIN)/python scripts/train_ner.py --only ner_all  # learns from the two models above
	nice $(BIN)/python scripts/train_relations.py  # the relation classifier in pipeline/data/relations

schema: setup  ## publish the packaged record and decisions schemas into schemas/
	$(BIN)/pipeline schema > schemas/record.v1.schema.json
	$(BIN)/pipeline schema decisions > schemas/decisions.v1.schema.json

readme: setup  ## refresh README.md's CLI reference and seed excerpt (from --help and outputs/)
	$(BIN)/python scripts/update_readme.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
