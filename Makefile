# The README's commands. Everything runs inside .venv; torch is installed first from the CPU build.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= data
PORT ?= 8501

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HAYSTACK_TELEMETRY_ENABLED := False

.PHONY: install demo ingest-sample test lint bench corpus clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The CPU build of torch first, so that nothing pulls a multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

ingest-sample: install
	$(BIN)/lessons --data-dir $(DATA) ingest corpus/documents

demo: ingest-sample
	@echo "Sample corpus indexed in $(DATA)/. Lessons opens at http://localhost:$(PORT) (Ctrl+C stops it)."
	LESSONS_DATA_DIR=$(DATA) $(BIN)/python -m streamlit run ui/app.py --server.port $(PORT) \
		--server.address localhost --server.headless true

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check search ingest ui corpus tests
	$(BIN)/mypy

bench: install
	$(BIN)/python -m ingest.benchmark --out bench-results

corpus: install
	$(BIN)/python -m corpus.build

clean:
	rm -rf $(VENV) $(DATA) bench-results
