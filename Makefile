# vnetlab: two commands matter -- `make lab` and `make test`.
#   make lab  [LAB_ARGS="--no-browser --port=8899"]   JupyterLab on notebooks/00-start-here.ipynb
#   make test [PYTEST_ARGS="-m 'not notebooks'"]       every test: unit, notebooks, browser
#   make drill [DRILL_ARGS="--no-browser --port=8867"]  the interview drills as a Voila app (notebooks/drills.ipynb)
#   make release [RELEASE_DIR=build/release]          the learner release: no solutions, no hidden checks
#   make lite                                          the course in the browser: a JupyterLite site in build/lite
#   make site                                          the course website in build/site, with the JupyterLite lab under it
#   make mutation [MUTATION_ARGS="nat addressing"]     mutation score of the engine modules (slow; not in make test)
PYTHON      ?= python3
LAB_ARGS    ?=
DRILL_ARGS  ?=
PYTEST_ARGS ?=
RELEASE_DIR ?= build/release
MUTATION_ARGS ?=
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
LITE_STAMP := $(VENV)/.installed-lite
SITE_STAMP := $(VENV)/.installed-site
BENCH_STAMP := $(VENV)/.installed-bench
# JupyterLab reads default settings from <sys.prefix>/share/jupyter/lab/settings/overrides.json, so this file
# configures the course's JupyterLab only, not any other JupyterLab on the machine.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
# jupyter/overrides.json (also used by postBuild on Binder) sets fetchNews "false" ("Never"), which is what stops
# the "Would you like to get notified about official Jupyter news?" toast: JupyterLab asks while the setting is
# "none" (its default); --LabApp.news_url=None does not stop it. With news off, JupyterLab never checks for
# updates either (checkForUpdates only acts when fetchNews is "true").
OVERRIDES := jupyter/overrides.json

.PHONY: lab drill lite site test bench mutation exercises release clean setup setup-test

setup: $(STAMP) $(LAB_SETTINGS)
setup-test: $(TEST_STAMP) $(LAB_SETTINGS)

# A learner's set-up installs what the course needs to run and nothing more (make lab, make drill): the package
# with its `lab` extra (JupyterLab, Voila, a kernel; the package alone is what installs in the browser); the test
# tools (pytest, hypothesis, Playwright) and the instructor's nbgrader come with `make test`.
# Install only when the package's declared dependencies or these steps change (the stamp is newer than pyproject.toml
# and this Makefile).
# notebook_shim (for extensions written for the classic Notebook server; the course has none) is switched off: it
# reads the deprecated ServerApp.token and so prints a DeprecationWarning at every start.
$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[lab]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (ipykernel)" >/dev/null
	$(BIN)/jupyter server extension disable --sys-prefix notebook_shim >/dev/null 2>&1
	touch $(STAMP)

# nbgrader comes with the test extra; its JupyterLab menus (assignment list, formgrader) and server extensions are
# switched off for learners (README, "For an instructor"): they slow JupyterLab's start and log warnings about a
# missing nbgrader_config.py. The grading commands and the tests call nbgrader directly. postBuild does the same
# on Binder.
NBGRADER_SERVER_EXTENSIONS := formgrader validate_assignment assignment_list course_list
$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/jupyter labextension disable --level=sys_prefix @jupyter/nbgrader >/dev/null 2>&1
	$(BIN)/jupyter labextension disable --level=sys_prefix $(PYODIDE_LABEXTENSION) >/dev/null 2>&1
	for ext in $(NBGRADER_SERVER_EXTENSIONS); do \
	  $(BIN)/jupyter server extension disable --sys-prefix nbgrader.server_extensions.$$ext >/dev/null 2>&1; done
	touch $(TEST_STAMP)

$(LAB_SETTINGS): $(STAMP) $(OVERRIDES)
	mkdir -p $(@D)
	cp $(OVERRIDES) $@

# A token is required (JupyterLab makes one and opens the browser with it); only this machine can connect.
lab: setup
	$(BIN)/jupyter lab notebooks/00-start-here.ipynb \
	  --ip=127.0.0.1 --ServerApp.root_dir="$(CURDIR)" --allow-root $(LAB_ARGS)

# Voila shows the drill notebook as an app (outputs only) and opens the browser on it; only this machine can connect.
# No token: Voila runs this one notebook and refuses code sent from the page, and its browser launcher drops the
# token (the learner would land on a login form). DRILL_ARGS=--token asks for one (paste it from the terminal).
# jupyter/voila.json makes it answer only requests addressed to localhost/127.0.0.1 (against DNS rebinding) and run
# at most 4 drill pages (kernels) at once (vnetlab/drills/server.py).
# Answers are saved in $VNETLAB_PROGRESS, else $XDG_DATA_HOME/vnetlab/drill-progress.json.
drill: setup
	$(BIN)/voila notebooks/drills.ipynb --Voila.ip=127.0.0.1 --Voila.config_file_paths="$(CURDIR)/jupyter" $(DRILL_ARGS)

# The course in the browser, no install (README, "In the browser"): JupyterLite with the Pyodide kernel (the `lite`
# extra, PyPI), Pyodide's runtime (npm, lite/package-lock.json) and the pure-Python wheels of the package and its
# dependencies (PyPI, lite/requirements-pyodide.txt) with their own Pyodide lock, so the site never reaches a CDN.
# The folder build/lite is static: serve it with any web server. Rebuilt only when its inputs change.
# The Pyodide kernel's JupyterLab extension is for the JupyterLite site only (its build copies it from the
# package): in the local JupyterLab it fails to load ("Shared module @jupyterlite/services doesn't exist").
PYODIDE_LABEXTENSION := @jupyterlite/pyodide-kernel-extension
$(LITE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[lab,lite]'
	$(BIN)/jupyter labextension disable --level=sys_prefix $(PYODIDE_LABEXTENSION) >/dev/null 2>&1
	touch $(LITE_STAMP)

lite: $(LITE_STAMP)
	$(BIN)/python lite/build.py --out build/lite

# The course website (README, "The course website"): every lesson executed and rendered as a page (plotly figures
# interactive, widgets as stills with a "Launch in JupyterLite" button), the course map and the concepts as
# navigation, full-text search, and the JupyterLite site of `make lite` under lite/: one static folder, build/site.
# Built with Sphinx, MyST-NB and the Sphinx Book Theme (Jupyter Book 1's engine and theme, the `site` extra, PyPI).
# Not Jupyter Book 2: it downloads its site theme from GitHub at build time, the theme is not on npm, and its
# @myst-theme/* parts on npm ask for versions npm does not have (website/build.py says which).
$(SITE_STAMP): $(LITE_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[lab,lite,site]'
	touch $(SITE_STAMP)

site: $(SITE_STAMP)
	$(BIN)/python website/build.py --out build/site

# pytest's exit status 5 ("no tests collected") fails like any other non-zero status.
test: setup-test
	$(BIN)/python -m pytest -q -ra $(PYTEST_ARGS) || { status=$$?; \
	  [ $$status -ne 5 ] || echo "make test: pytest collected no tests (exit status 5): failing" >&2; \
	  exit $$status; }

# The bench extra (pytricia, a baseline) is optional: if it does not install, the benchmark says so and skips it.
$(BENCH_STAMP): $(TEST_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]' || echo "make bench: the bench extra (pytricia) did not install; its baseline is skipped" >&2
	touch $(BENCH_STAMP)

bench: setup-test $(BENCH_STAMP)
	$(BIN)/python benchmarks/run.py

# mutmut (test extra) on one engine module at a time against the fast engine tests; reviewed equivalent mutants
# (tests/mutation/equivalents.yaml) are set aside. Minutes per module on 2 cores: run it when you change an engine
# module or its tests, e.g. MUTATION_ARGS="nat" (README, "For contributors").
mutation: setup-test
	$(BIN)/python tests/mutation/run.py $(MUTATION_ARGS)

exercises: setup
	$(BIN)/vnetlab generate solutions exercises

# What an instructor publishes for a class (README, "Running a workshop"); written afresh each time.
release: setup
	rm -rf $(RELEASE_DIR)
	$(BIN)/vnetlab release --out $(RELEASE_DIR)

clean:
	rm -rf $(VENV) .pytest_cache mutants
