# Two commands on a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
SHARED ?= ../shared
DEMO_DB := data/demo.db

.PHONY: install demo test golden lint eval bench bench-db bench-review stress clean train-attribution

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(INSTALLED)

install: $(INSTALLED)

demo: install
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/claimwatch crawl --feeds monitor/sample/feeds.yaml --db $(DEMO_DB)
	$(BIN)/claimwatch claims --db $(DEMO_DB) --attributed --limit 30
	$(BIN)/claimwatch stats --db $(DEMO_DB)
	@echo "Explore them all: $(BIN)/claimwatch serve --db $(DEMO_DB)"

# pytest exits 5 when it collects no tests; that is not a failure of the code.
test: install
	$(BIN)/pytest || [ $$? -eq 5 ]

# After an intended change to what comes out: rewrite the golden claim files (tests/README.md), then commit them.
golden: install
	$(BIN)/python -m tests.golden --refresh

lint: install
	$(BIN)/ruff check .

eval: install
	$(BIN)/python $(SHARED)/eval/score.py $(SHARED)/eval/gold/seed.jsonl --docs $(SHARED)/seed \
		--cmd "$(BIN)/claimwatch extract {path} --format jsonl" | tail -1
	$(BIN)/python $(SHARED)/eval/score.py $(SHARED)/eval/gold/dev-*.jsonl --docs $(SHARED)/corpus/html \
		--cmd "$(BIN)/claimwatch extract {path} --format jsonl" | tail -1
	$(BIN)/python $(SHARED)/eval/quantities.py $(SHARED)/eval/cqe/*.json \
		--cmd "$(BIN)/claimwatch extract --quantities --format jsonl {paths}"
	$(BIN)/python benchmarks/checkset.py --shared $(SHARED) | tail -1
	$(BIN)/python $(SHARED)/eval/polnear.py $(SHARED)/eval/polnear-dev \
		--cmd "$(BIN)/claimwatch extract {paths} --format jsonl" | tail -1

# Retrain the attribution tagger on PolNeAR train (about an hour or less on 2 cores), score it on
# PolNeAR dev, and rewrite models/attribution/CARD.md with both.
train-attribution: install
	$(BIN)/python -m extractors.train_quote_tagger --train $(SHARED)/eval/polnear-train --dev $(SHARED)/eval/polnear-dev
	$(BIN)/python $(SHARED)/eval/polnear.py $(SHARED)/eval/polnear-dev \
		--cmd "$(BIN)/claimwatch extract {paths} --format jsonl" | tail -1 > .cache/polnear-dev.json
	$(BIN)/python -m extractors.train_quote_tagger --train $(SHARED)/eval/polnear-train --dev $(SHARED)/eval/polnear-dev \
		--polnear-summary .cache/polnear-dev.json

bench: install
	$(BIN)/python benchmarks/pipeline.py

# A million synthetic claims in a temp folder, then the Datasette pages timed (benchmarks/README.md).
bench-db: install
	$(BIN)/python benchmarks/datasette_scale.py

# The reviewer's desk in Chromium over 200 claims of that database: verdicts a minute, keypress to next claim.
bench-review: install
	$(BIN)/python benchmarks/review_desk.py

# The real `claimwatch ingest` of the corpus pages 10 times with 1 and with 2 workers: native crashes, peak RSS,
# the same articles every run (benchmarks/README.md; 20 minutes or more on 2 cores).
stress: install
	$(BIN)/python benchmarks/stress_ingest.py $(SHARED)/corpus/html --runs 10 --workers 1 2

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache $(DEMO_DB)*
