# vnetlab: two commands matter -- `make lab` and `make test`.
#   make lab  [LAB_ARGS="--no-browser --port=8899"]   JupyterLab on notebooks/00-start-here.ipynb
#   make test [PYTEST_ARGS="-m 'not notebooks'"]       every test: unit, notebooks, browser
#   make drill [DRILL_ARGS="--no-browser --port=8867"]  the interview drills as a Voila app (notebooks/drills.ipynb)
#   make mutation [MUTATION_ARGS="nat addressing"]     mutation score of the engine modules (slow; not in make test)
PYTHON      ?= python3
LAB_ARGS    ?=
DRILL_ARGS  ?=
PYTEST_ARGS ?=
MUTATION_ARGS ?=
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# JupyterLab reads default settings from <sys.prefix>/share/jupyter/lab/settings/overrides.json, so this file
# configures the course's JupyterLab only, not any other JupyterLab on the machine.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
# jupyter/overrides.json (also used by postBuild on Binder) sets fetchNews "false" ("Never"), which is what stops
# the "Would you like to get notified about official Jupyter news?" toast: JupyterLab asks while the setting is
# "none" (its default); --LabApp.news_url=None does not stop it. With news off, JupyterLab never checks for
# updates either (checkForUpdates only acts when fetchNews is "true").
OVERRIDES := jupyter/overrides.json

.PHONY: lab drill test bench mutation exercises clean setup

setup: $(STAMP) $(LAB_SETTINGS)

# Install only when the package's declared dependencies change (the stamp is newer than pyproject.toml).
# nbgrader comes with the test extra; its JupyterLab menus (assignment list, formgrader) are switched off for
# learners (README, "For an instructor"). postBuild does the same on Binder.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (ipykernel)" >/dev/null
	$(BIN)/jupyter labextension disable --level=sys_prefix @jupyter/nbgrader >/dev/null 2>&1
	touch $(STAMP)

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
# Answers are saved in $VNETLAB_PROGRESS, else $XDG_DATA_HOME/vnetlab/drill-progress.json.
drill: setup
	$(BIN)/voila notebooks/drills.ipynb --Voila.ip=127.0.0.1 $(DRILL_ARGS)

# pytest's exit status 5 ("no tests collected") fails like any other non-zero status.
test: setup
	$(BIN)/python -m pytest -q -ra $(PYTEST_ARGS) || { status=$$?; \
	  [ $$status -ne 5 ] || echo "make test: pytest collected no tests (exit status 5): failing" >&2; \
	  exit $$status; }

bench: setup
	$(BIN)/python benchmarks/run.py

# mutmut (test extra) on one engine module at a time against the fast engine tests; reviewed equivalent mutants
# (tests/mutation/equivalents.yaml) are set aside. Minutes per module on 2 cores: run it when you change an engine
# module or its tests, e.g. MUTATION_ARGS="nat" (README, "For contributors").
mutation: setup
	$(BIN)/python tests/mutation/run.py $(MUTATION_ARGS)

exercises: setup
	$(BIN)/vnetlab generate solutions exercises

clean:
	rm -rf $(VENV) .pytest_cache mutants
