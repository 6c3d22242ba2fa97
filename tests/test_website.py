"""The website's page making (website/build.py), fast: what a reader of a lesson page gets in place of what needs a
kernel. A plotly figure becomes HTML that the page draws with the site's plotly.js; a widget becomes a still of
its saved state (its text, its table, its controls' labels and values, its figure) with a link that runs the
lesson in JupyterLite; a link to an exercise opens the exercise in the lab; each lesson gets its launch buttons.
The built site itself is tested in Chromium by tests/test_site.py (slow, marked ``lite``).
"""
from __future__ import annotations

import importlib.util
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site():
    spec = importlib.util.spec_from_file_location("vnetlab_website_build", ROOT / "website" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FIGURE = {"data": [{"type": "bar", "x": ["a", "b"], "y": [1, 2]}], "layout": {"title": {"text": "Two <b>bars</b>"}}}


def widget(model: str, **state) -> dict:
    return {"model_name": model, "model_module": "@jupyter-widgets/controls", "model_module_version": "2.0.0",
            "state": state}


def lesson_with_widget_and_figure() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 99 · A lesson"),
                nbformat.v4.new_markdown_cell("Then do [the exercise](../exercises/99-x.ipynb)."),
                nbformat.v4.new_code_cell("explorer", outputs=[nbformat.v4.new_output(
                    "display_data", data={"text/plain": "HBox()", "application/vnd.jupyter.widget-view+json":
                                          {"model_id": "box", "version_major": 2, "version_minor": 0}})]),
                nbformat.v4.new_code_cell("fig", outputs=[nbformat.v4.new_output(
                    "display_data", data={"text/plain": "Figure()", "application/vnd.plotly.v1+json": FIGURE})])]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"version_major": 2, "version_minor": 0,
        "state": {
            "box": widget("VBoxModel", children=["IPY_MODEL_text", "IPY_MODEL_row", "IPY_MODEL_out", "IPY_MODEL_fig"]),
            "text": widget("HTMLModel", value="<b>Settings of the link</b>"),
            "row": widget("HBoxModel", children=["IPY_MODEL_choice", "IPY_MODEL_go", "IPY_MODEL_flag"]),
            "choice": widget("ToggleButtonsModel", description="Verdict", _options_labels=["Reachable", "Dropped"],
                             index=1),
            "go": widget("ButtonModel", description="Commit my prediction"),
            "flag": widget("CheckboxModel", description="allow_gateway_transit", value=True),
            "out": widget("OutputModel", outputs=[{"output_type": "display_data",
                                                    "data": {"text/html": "<table><tr><td>10.0.0.0/16</td></tr></table>"}}]),
            "fig": {"model_name": "AnyModel", "model_module": "anywidget", "state": {"_widget_data": []}},
        }}}
    nb.metadata["vnetlab_site_figure_widgets"] = {"fig": {"data": [{"type": "scatter", "y": [3, 1]}],
                                                          "layout": {"title": {"text": "Explorer"}}}}
    return nb


def test_a_widget_becomes_a_still_of_its_saved_state_with_a_link_to_run_it(site):
    page = site.make_static(lesson_with_widget_and_figure(), "99-x.ipynb")
    still = page.cells[3].outputs[0]["data"]
    assert "application/vnd.jupyter.widget-view+json" not in still
    html = still["text/html"]
    assert "<b>Settings of the link</b>" in html and "<td>10.0.0.0/16</td>" in html
    assert "[Commit my prediction]" in html and "Dropped (chosen)" in html and "allow_gateway_transit: on" in html
    assert '"Explorer"' in html and "Plotly.newPlot" in html  # the FigureWidget's figure, as the lesson left it
    assert 'href="../lite/lab/index.html?path=notebooks/99-x.ipynb"' in html
    assert "widgets" not in page.metadata and "vnetlab_site_figure_widgets" not in page.metadata


def test_a_plotly_figure_is_drawn_by_the_page_with_its_title_as_text_alternative(site):
    page = site.make_static(lesson_with_widget_and_figure(), "99-x.ipynb")
    data = page.cells[4].outputs[0]["data"]
    assert set(data) == {"text/html", "text/plain"}
    assert 'aria-label="Two bars"' in data["text/html"] and "Plotly.newPlot" in data["text/html"]
    assert "<script src" not in data["text/html"]  # plotly.js comes with the site, never from a CDN
    assert data["text/plain"] == "Two bars"


def test_exercise_links_open_the_lab_and_the_lesson_gets_launch_buttons(site):
    page = site.make_static(lesson_with_widget_and_figure(), "99-x.ipynb")
    assert '<a href="../lite/lab/index.html?path=exercises/99-x.ipynb">the exercise</a>' in page.cells[2].source
    launch = page.cells[1].source
    assert "Launch in JupyterLite" in launch and "Launch on Binder" in launch
    assert "../lite/lab/index.html?path=notebooks/99-x.ipynb" in launch
    assert "lab/tree/notebooks/99-x.ipynb" in unquote(launch.split("mybinder.org/v2/gh/")[1].split('"')[0])


def test_the_navigation_lists_every_lesson_of_the_course_map_and_every_concept(site):
    rows, concepts = site.course_tables()
    lessons = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert {row[0].strip("`") for row in rows} == lessons
    index = site.index_page(rows)
    for lesson in lessons:
        assert f"notebooks/{lesson}" in index
    page = site.concepts_page(rows, concepts)
    for concept in concepts:
        assert f"## {concept}" in page
    # every concept a lesson lists is explained on the concepts page
    taught = {c for row in rows for c in row[2].replace(" ", "").split(",") if c}
    assert taught <= set(concepts)


def test_a_prediction_result_hidden_in_the_lesson_is_folded_on_the_page_and_other_hidden_parts_left_out(site):
    """predict(): the result waits hidden (layout display none) until the learner commits. A reader of the page
    must not see it before predicting: it is folded under a summary; any other hidden widget part is left out."""
    state = {"box": widget("VBoxModel", children=["IPY_MODEL_q", "IPY_MODEL_result", "IPY_MODEL_note"]),
             "q": widget("HTMLModel", value="<b>Can vm-a reach vm-b?</b>"),
             "result": widget("OutputModel", layout="IPY_MODEL_hide", outputs=[
                 {"output_type": "display_data", "data": {"text/html": "<p>Verdict: Dropped</p>"}}]),
             "note": widget("HTMLModel", value="stale note", layout="IPY_MODEL_hide"),
             "hide": {"model_name": "LayoutModel", "state": {"display": "none"}}}
    page = site.widget_still("box", state, {}, "02-vnet-peering")
    assert "Can vm-a reach vm-b?" in page and "stale note" not in page
    folded = page[page.index("<details"):page.index("</details>")]
    assert "<summary>" in folded and "Verdict: Dropped" in folded
    assert page.index("Verdict: Dropped") > page.index("<summary>")
