"""The course in the browser (``make lite``): the JupyterLite site, built from the registries, served on 127.0.0.1
and run in Chromium with every other host blocked. Lessons run with no error output, figures and widgets render,
an exercise check answers, the drills start; nothing reaches a CDN.

Slow (a build, then a Pyodide start per notebook): marked ``lite`` and ``browser``; the everyday path is
``make test PYTEST_ARGS="-m 'not lite'"``. The build is cached in build/lite by the SHA-256 of its inputs.
"""
from __future__ import annotations

import json
import zipfile

import pytest

from lite_util import built_site, offline_page, open_notebook, run_all, serve

pytestmark = [pytest.mark.lite, pytest.mark.browser]


@pytest.fixture(scope="module")
def site():
    return built_site()


@pytest.fixture(scope="module")
def base_url(site):
    with serve(site) as url:
        yield url


def test_the_site_pins_its_own_pyodide_and_serves_every_wheel_its_lock_names(site):
    config = json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.mjs"
    assert kernel["disablePyPIFallback"] is True
    lock = json.loads((site / "static" / "pyodide" / "pyodide-lock.json").read_text())
    names = set(lock["packages"])
    assert {"vnetlab", "plotly", "ipywidgets", "netaddr", "pyyaml", "nbformat", "anywidget"} <= names
    for spec in lock["packages"].values():
        assert (site / "static" / "pyodide" / spec["file_name"]).is_file(), spec["file_name"]
        assert set(spec["depends"]) <= names, spec
    # no compiled code: every wheel is pure Python, so it installs in WebAssembly
    for spec in lock["packages"].values():
        with zipfile.ZipFile(site / "static" / "pyodide" / spec["file_name"]) as wheel:
            assert not [n for n in wheel.namelist() if n.endswith(".so")], spec["file_name"]


def test_the_site_holds_the_lessons_drills_and_exercises_but_no_solutions(site):
    files = site / "files"
    assert (files / "notebooks" / "00-start-here.ipynb").is_file()
    assert (files / "notebooks" / "drills.ipynb").is_file()
    assert (files / "exercises" / "01-address-spaces.ipynb").is_file()
    assert not (files / "solutions").exists()
    assert not list(files.rglob("*solution*"))
    # the wheel is the package, with no solution notebooks either
    wheel = next((site / "static" / "pyodide").glob("vnetlab-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        assert not [n for n in archive.namelist() if n.endswith(".ipynb")]


def assert_offline(offline) -> None:
    assert offline.blocked == [], f"the site tried to reach other hosts: {offline.blocked[:5]}"


# lesson -> (plotly figures, widget views) it shows at least, once run
LESSONS = {"00-start-here": (1, 0), "02-vnet-peering": (1, 1)}


@pytest.mark.parametrize("lesson", sorted(LESSONS))
def test_a_lesson_runs_offline_with_figures_and_widgets(base_url, lesson):
    plots, widgets = LESSONS[lesson]
    with offline_page() as offline:
        open_notebook(offline.page, f"{base_url}lab/index.html?path=notebooks/{lesson}.ipynb")
        state = run_all(offline.page)
        offline.screenshot(f"lite-{lesson}")
        assert state["errors"] == [], state["errors"]
        assert state["executed"] >= state["code"] - state["empty"], state
        assert state["plots"] >= plots, state
        assert state["widgets"] >= widgets, state
        assert_offline(offline)


def test_the_drills_run_offline_and_keep_progress_in_the_browser_drive(base_url):
    with offline_page() as offline:
        open_notebook(offline.page, f"{base_url}lab/index.html?path=notebooks/drills.ipynb")
        state = run_all(offline.page)
        assert state["errors"] == [], state["errors"]
        assert state["widgets"] >= 1, state
        page = offline.page
        # The widget is usable: its first button answers to the keyboard (focus, then Enter).
        buttons = page.locator(".jp-OutputArea .jupyter-widgets button:not([disabled])")
        assert buttons.count() >= 1
        offline.screenshot("lite-drills")
        # Where the history goes in the browser: under the working directory /drive, kept in browser storage.
        page.evaluate("""() => {
          const panel = window.jupyterapp.shell.currentWidget;
          const cell = panel.content.model.sharedModel.insertCell(panel.content.model.cells.length,
            {cell_type: 'code', source: 'from vnetlab.drills.progress import default_path\\nprint(default_path())'});
          panel.content.activeCellIndex = panel.content.model.cells.length - 1;
          return window.jupyterapp.commands.execute('notebook:run-cell');
        }""")
        page.wait_for_function("""() => {
          const cells = Array.from(window.jupyterapp.shell.currentWidget.content.model.cells);
          const last = cells[cells.length - 1];
          return last.outputs.length > 0;
        }""", timeout=120_000, polling=500)
        text = page.evaluate("""() => {
          const cells = Array.from(window.jupyterapp.shell.currentWidget.content.model.cells);
          return JSON.stringify(cells[cells.length - 1].outputs.toJSON());
        }""")
        assert "/drive/" in text and "drill-progress.json" in text, text
        assert_offline(offline)


def test_an_exercise_check_gives_its_feedback_offline(base_url):
    with offline_page() as offline:
        open_notebook(offline.page, f"{base_url}lab/index.html?path=exercises/01-address-spaces.ipynb")
        state = run_all(offline.page)
        assert state["errors"] == [], state["errors"]
        offline.screenshot("lite-exercise-01")
        # ex.check('q1', None): the learner has not answered yet, and the check says so and what will run.
        feedback = offline.page.locator(".vnetlab-feedback", has_text="Plan the subnets of your VNet")
        assert feedback.count() == 1
        assert "No answer yet" in feedback.text_content()
        assert "visible checks" in feedback.text_content()
        assert_offline(offline)
