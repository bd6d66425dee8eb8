# make demo / make test install what they need first; every step is safe to repeat.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Test processes (pytest-xdist, a module per process at a time, the modules with most tests
# first; handing out the long ones first measured no quicker: 822 s vs 797 s); 0 runs one.
TEST_WORKERS ?= 2

.PHONY: install system-packages demo test test-demo lint typecheck unit clean

install: $(STAMP) system-packages

$(STAMP): pyproject.toml
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

# Chromium: Debian's headless shell (the lighter build the robots run headless) when Debian
# has it or no Chromium is here yet, else its full Chromium; failing both, Playwright's.
# OCR: tesseract with Danish; fonts with æ, ø, å for the PDFs.
system-packages: $(STAMP)
	@if [ -z "$$RPA_CHROMIUM" ] && ! command -v chromium-headless-shell >/dev/null 2>&1 \
	    && command -v apt-get >/dev/null 2>&1 && { [ "$$(id -u)" = 0 ] || command -v sudo >/dev/null; } \
	    && { apt-cache show chromium-headless-shell >/dev/null 2>&1 || ! $(PY) -m runner.browser --check >/dev/null 2>&1; }; then \
	  $(SUDO) apt-get update -q; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium-headless-shell \
	    || DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium || true; \
	fi
	@$(PY) -m runner.browser --check >/dev/null 2>&1 || $(PY) -m playwright install chromium
	@missing=""; \
	command -v tesseract >/dev/null 2>&1 || missing="$$missing tesseract-ocr"; \
	tesseract --list-langs 2>/dev/null | grep -qx dan || missing="$$missing tesseract-ocr-dan"; \
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	  else echo "please install:$$missing" >&2; exit 1; fi; \
	fi

demo: install
	$(VENV)/bin/rpa demo

lint: $(STAMP)
	$(VENV)/bin/ruff check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

unit: $(STAMP)
	$(VENV)/bin/pytest -q -m "not browser and not postgres and not ocr and not slow"

test: install lint typecheck
	$(VENV)/bin/pytest -q -n $(TEST_WORKERS) --dist loadscope

test-demo: install
	$(VENV)/bin/pytest -q -m demo

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
