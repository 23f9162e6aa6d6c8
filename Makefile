# aten_mm: one command to set up and run each job.
#   make install  - .venv with torch (local CPU wheel), mmcv 2.1.0 built with
#                   its ops (about 9 min the first time, cached after), aten_mm
#   make test     - install if needed, then the test suite (what CI runs)
#   make demo     - install if needed, then the main job on synthetic data
#   make lint     - ruff over the package, tools and tests
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
PIPC := $(PIP) install -c requirements/constraints.txt
STAMP := $(VENV)/.aten_mm-installed
DEMO_DIR ?= work_dirs/demo

.PHONY: install test demo lint clean-venv

install: $(STAMP)

$(STAMP): setup.py requirements/build.txt requirements/runtime.txt \
		requirements/tests.txt requirements/constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIPC) -r requirements/build.txt
	@$(PY) -c "import mmcv.ops" 2>/dev/null || { \
	  echo ">> building mmcv 2.1.0 with CPU ops (first time ~9 min;" \
	       "pip caches the wheel for later installs)"; \
	  $(PIP) install "setuptools<70" && \
	  MMCV_WITH_OPS=1 FORCE_CUDA=0 MAX_JOBS=2 $(PIPC) \
	    --no-build-isolation --no-deps mmcv==2.1.0; rc=$$?; \
	  $(PIP) install "setuptools>=77"; exit $$rc; }
	$(PIPC) -r requirements/runtime.txt -r requirements/tests.txt
	$(PIPC) --no-build-isolation --no-deps -e .
	$(PY) -c "from mmcv.ops import RoIAlign, nms, batched_nms; import aten_mm"
	@touch $(STAMP)
	@echo ">> aten_mm installed in $(VENV)"

test: install
	$(PY) -m ruff check aten_mm tools tests demo configs
	$(PY) -m pytest tests -q

lint: install
	$(PY) -m ruff check aten_mm tools tests demo configs

demo: install
	$(PY) tools/misc/run_demo.py --work-dir $(DEMO_DIR)

clean-venv:
	rm -rf $(VENV)
