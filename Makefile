# Two commands a newcomer needs: `make run` and `make test`. Both create the virtual environment
# on first use (Python 3.10+, pip and venv are all they need).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup run test goldens lexicon models schema readme clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install the package with its test extra

run: setup  ## convert samples/ into outputs/ and validate the records
	$(BIN)/pipeline convert samples/ -o outputs/
	$(BIN)/pipeline validate outputs/

test: setup  ## run the whole test suite
	$(BIN)/python -m pytest -q

goldens: setup  ## deliberately regenerate the golden records in outputs/ and the README excerpt (review the git diff!)
	$(BIN)/pipeline convert samples/ -o outputs/ --quiet
	$(BIN)/pipeline validate outputs/
	$(BIN)/python scripts/update_readme.py

lexicon: setup  ## rebuild the packaged starter lexicon from ../shared/data/lexicons
	$(BIN)/python scripts/build_lexicon.py

models: setup  ## retrain the NER models in pipeline/data/models from ../shared/data/ner (slow; CI never runs it)
	nice $(BIN)/python scripts/train_ner.py

schema: setup  ## publish the packaged record and decisions schemas into schemas/
	$(BIN)/pipeline schema > schemas/record.v1.schema.json
	$(BIN)/pipeline schema decisions > schemas/decisions.v1.schema.json

readme: setup  ## refresh README.md's CLI reference and seed excerpt (from --help and outputs/)
	$(BIN)/python scripts/update_readme.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
