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

from lite_util import (RUN_IN_KERNEL, axe_violations, built_site, cell_outputs, offline_page, open_notebook,
                       run_all, serve)

pytestmark = [pytest.mark.lite, pytest.mark.browser]
# What has the keyboard focus (for a failure message): its tag, type, value and classes.
FOCUS_JS = "() => { const e = document.activeElement; return e ? [e.tagName, e.type, e.value, e.className] : null }"


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
        assert state["plots"] >= plots and state["empty_plots"] == 0, state
        assert state["widgets"] >= widgets, state
        # What the course puts on the page (figures, widgets, tables, feedback) passes axe-core.
        assert axe_violations(offline.page, ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea") == []
        assert_offline(offline)





def drill_state(page, drill) -> str:
    """What the drill widget shows (its question, radio buttons and text boxes) and what its kernel holds."""
    seen = drill.evaluate("""(drill) => {
        const q = drill.querySelector('.vnetlab-drill-question');
        return {question: q && {...q.dataset}, radios: [...drill.querySelectorAll('input[type=radio]')]
                  .map((r) => [r.offsetParent !== null, r.closest('label').textContent]),
                text: [...drill.querySelectorAll('input[type=text]')].map((t) => [t.offsetParent !== null,
                                                                                 t.placeholder])};
    }""")
    kernel = page.evaluate(RUN_IN_KERNEL, "print(drill.session.current.kind, 'text', repr(drill.text.layout.display), "
                                          "'choices', repr(drill.choices.layout.display))")
    return f"the page shows {seen}; the kernel: {kernel}"


def test_the_drills_run_offline_by_keyboard_alone_and_keep_progress_in_the_browser_drive(base_url):
    with offline_page() as offline:
        page = offline.page
        open_notebook(page, f"{base_url}lab/index.html?path=notebooks/drills.ipynb")
        state = run_all(page)
        assert state["errors"] == [], state["errors"]
        assert state["widgets"] >= 1, state
        drill = page.locator(".jp-OutputArea .jupyter-widgets").first
        # Keyboard only: focus moves with Tab between the widget's controls; Enter presses a button, Space picks
        # a choice. Start a drill from the keyboard.
        start = drill.get_by_role("button", name="Start new drill")
        submit = drill.get_by_role("button", name="Submit answer")
        # The new drill's first question is drawn, with its own answer controls, and Submit is enabled. The browser
        # updates each widget on its own, so the question can show before its choices do: wait until the visible
        # radio buttons carry this question's answers (or, for an open question, the text box shows).
        ready = """([drill, el, shown]) => {
                const q = drill.querySelector('.vnetlab-drill-question');
                if (q === null || q.dataset.question === shown || el.disabled) return false;
                const visible = (e) => e.offsetParent !== null;
                const radios = [...drill.querySelectorAll('input[type=radio]')].filter(visible);
                const text = [...drill.querySelectorAll('input[type=text]')].filter(visible);
                if (q.dataset.kind !== 'choice') return radios.length === 0 && text.length === 1;
                const labels = radios.map((r) => r.closest('label').textContent.trim());
                return text.length === 0 && JSON.stringify(labels) === JSON.stringify(JSON.parse(q.dataset.choices));
            }"""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        for attempt in (1, 2):
            shown = drill.locator(".vnetlab-drill-question").get_attribute("data-question")  # the opening question
            start.focus()
            page.keyboard.press("Enter")
            try:
                page.wait_for_function(ready, arg=[drill.element_handle(), submit.element_handle(), shown],
                                       timeout=60_000 * attempt)
                break
            except PlaywrightTimeout:
                if attempt == 2:
                    raise AssertionError(f"the new question's answer controls never showed, twice: "
                                         f"{drill_state(page, drill)}")
                # An upstream race (ipywidgets' widget restore when the kernel connects; seen here in JupyterLite):
                # a widget made in the first seconds after the kernel connects can be drawn from a model the kernel
                # no longer updates, here the answer box. A learner runs the cell again; so does the test, once.
                run_all(page)
        kind = drill.locator(".vnetlab-drill-question").get_attribute("data-kind")
        radios = drill.locator("input[type=radio]")
        errors = drill.locator(".vnetlab-error")
        # A choice question: Space picks the first answer. An open one (a random topic: a next-hop type, a prefix or
        # a volume in GB): type answers of each kind until the drill takes one (a malformed one is refused inline).
        attempts = [None] if kind == "choice" else ["VirtualNetworkGateway", "10.0.0.0/24", "1000"]
        for typed in attempts:
            if typed is None:
                radios.first.focus()
                focused = page.evaluate(FOCUS_JS)
                page.keyboard.press("Space")
                try:
                    page.wait_for_function("(els) => els.some(e => e.checked)", arg=radios.element_handles(),
                                           timeout=120_000)
                except Exception as error:
                    radios_now = drill.evaluate("(d) => [...d.querySelectorAll('input[type=radio]')]"
                                                ".map(e => [e.isConnected, e.checked, e.value])")
                    raise AssertionError(f"Space picked no choice; focused before: {focused}, after: "
                                         f"{page.evaluate(FOCUS_JS)}; radios: {radios_now}") from error
            else:
                box = drill.locator("input[type=text]").first
                box.focus()
                page.keyboard.press("Control+A")
                page.keyboard.type(typed)
            # Tab reaches Submit from the answer (no mouse): press Tab until Submit has the focus.
            for _ in range(12):  # from the answer, the controls between it and Submit are hidden: one Tab or two
                if submit.evaluate("(el) => el === document.activeElement"):
                    break
                page.keyboard.press("Tab")
            assert submit.evaluate("(el) => el === document.activeElement"), "Tab never reached Submit answer"
            before = drill.evaluate("(d) => [...d.querySelectorAll('.vnetlab-error')]"
                                    ".map(e => e.textContent.trim()).join(' ')")
            page.keyboard.press("Enter")
            # taken (Submit disabled), or refused (a new inline error in the drill's error box)
            page.wait_for_function(
                """([el, drill, before]) => el.disabled || [...drill.querySelectorAll('.vnetlab-error')]
                       .map(e => e.textContent.trim()).join(' ') !== before""",
                arg=[submit.element_handle(), drill.element_handle(), before], timeout=120_000)
            if submit.evaluate("(el) => el.disabled"):
                break
        assert submit.evaluate("(el) => el.disabled"), f"the drill took none of {attempts}: {errors.all_inner_texts()}"
        offline.screenshot("lite-drills")
        assert axe_violations(page, ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea") == []
        # The answer was saved under the working directory /drive, which the browser keeps, not in memory.
        text = page.evaluate(RUN_IN_KERNEL, "import json\nfrom vnetlab.drills.progress import default_path\n"
                                            "p = default_path()\nprint(p, len(json.loads(p.read_text())['attempts']))")
        path, attempts = text.split()
        assert path == "/drive/notebooks/.vnetlab/drill-progress.json", text
        assert int(attempts) == 1, text
        assert_offline(offline)


def test_an_exercise_check_gives_its_feedback_offline(base_url):
    with offline_page() as offline:
        open_notebook(offline.page, f"{base_url}lab/index.html?path=exercises/01-address-spaces.ipynb")
        state = run_all(offline.page)
        assert state["errors"] == [], state["errors"]
        offline.screenshot("lite-exercise-01")
        # ex.check('q1', None): the learner has not answered yet, and the check says so and what will run.
        feedback = cell_outputs(offline.page, "ex.check('q1'")
        assert "Plan the subnets of your VNet" in feedback and "vnetlab-feedback" in feedback
        assert "No answer yet" in feedback
        assert "visible checks" in feedback
        assert_offline(offline)
