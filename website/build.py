"""Build the course's website (``make site``): every lesson as a web page with its executed outputs, and the
JupyterLite lab (``make lite``) under it, in one static folder.

    python website/build.py [--out build/site] [--force]

The folder holds:
- ``index.html``: the course map (from lesson 00's table), every lesson linked; ``concepts.html``: the concepts
  C1-C20, each with the lessons that teach it; the lessons under ``notebooks/``, in the course map's order in the
  side navigation; full-text search (``search.html``, the index is in the folder);
- ``lite/``: the JupyterLite site, so each page's *Launch in JupyterLite* button opens the same lesson in a lab
  that runs in the browser (Binder is the second button).

Each lesson is executed here, in a fresh kernel (as ``make test`` runs it), and its outputs are made static:
plotly figures stay interactive in the page (plotly.js is served with the site, from the plotly package), and a
widget, which needs a running kernel, is shown as a still (the figures it holds, as they were when the cell ran)
with a link that runs the lesson in JupyterLite. Executed lessons are cached in ``build/site-cache`` by the
SHA-256 of the notebook and the package.

Why Sphinx (the engine of Jupyter Book 1, with MyST-NB and the Sphinx Book Theme) and not Jupyter Book 2:
Jupyter Book 2 (``jupyter-book>=2`` / ``mystmd`` on PyPI) downloads its site theme (``book-theme``) from GitHub
at build time, and the theme is not published on npm (``@myst-theme/book`` is a private package of its
repository); building it from the ``@myst-theme/*`` packages on npm fails because they require versions npm does
not have (``@myst-theme/site`` 1.4.1 requires ``myst-to-react`` ^1.4.1; npm's latest is 1.3.0). This build
needs PyPI (the ``site`` extra) and nothing else.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import html
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_OUT = ROOT / "build" / "site"
LITE_OUT = ROOT / "build" / "lite"
CACHE = ROOT / "build" / "site-cache"
LESSONS = ROOT / "notebooks"
CELL_TIMEOUT = 300  # seconds per cell; a lesson cell takes well under one
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
PLOTLY = "application/vnd.plotly.v1+json"
# The workshop template of the README (section "Running a workshop"): the published release on GitHub.
BINDER = "https://mybinder.org/v2/gh/YOUR-ORG/vnetlab-class/main?urlpath="


def lite_builder():
    spec = importlib.util.spec_from_file_location("vnetlab_lite_build", ROOT / "lite" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# lite/build.py builds the JupyterLite site the website links to; its run, digest and stamp helpers serve here too.
LITE = lite_builder()
run, tree_digest, STAMP = LITE.run, LITE.tree_digest, LITE.STAMP


def lessons() -> list[Path]:
    return sorted(LESSONS.glob("*.ipynb"))


# ---------------------------------------------------------------------------------------------------------------
# Executing a lesson


# Run after a lesson's last cell: the figures the lesson's FigureWidgets show now, by widget id. A FigureWidget's
# saved widget state holds only the figure it was made with; its later traces went to the page as messages.
FIGURE_WIDGETS = """\
import json as _json
import plotly.graph_objects as _go
from ipywidgets.widgets.widget import _instances as _widgets
print(_json.dumps({_id: _json.loads(_go.Figure(_w).to_json()) for _id, _w in list(_widgets.items())
                   if isinstance(_w, _go.FigureWidget)}))
"""
FIGURES_KEY = "vnetlab_site_figure_widgets"


def cached_run(path: Path, package_digest: str) -> Path:
    """Where the executed ``path`` is cached: keyed by the notebook, the package and the figure-collecting cell."""
    key = hashlib.sha256(path.read_bytes() + package_digest.encode() + FIGURE_WIDGETS.encode()).hexdigest()[:16]
    return CACHE / "executed" / f"{path.stem}.{key}.ipynb"


def execute(path: Path, target: Path) -> None:
    """Run ``path`` top to bottom in a fresh kernel in its own folder, with the widgets' state kept, into
    ``target``; a lesson that raises fails the build."""
    from nbclient import NotebookClient

    nb = nbformat.read(str(path), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(FIGURE_WIDGETS))
    NotebookClient(nb, timeout=CELL_TIMEOUT, startup_timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}, store_widget_state=True).execute()
    errors = [f"{o.ename}: {o.evalue}" for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    if errors:
        raise SystemExit(f"site: {path.name} raised {errors[0]}")
    last = nb.cells.pop()
    nb.metadata[FIGURES_KEY] = json.loads("".join(o.text for o in last.outputs if o.output_type == "stream"))
    target.parent.mkdir(parents=True, exist_ok=True)
    for old in target.parent.glob(f"{path.stem}.*.ipynb"):
        old.unlink()
    nbformat.write(nb, str(target))


def execute_all(paths: list[Path], package_digest: str, scratch: Path) -> None:
    """Run the lessons not cached yet, each in a process of its own (this script with ``--execute``), as many at
    once as there are cores (at most 4).

    The kernels' environment: each lesson's records (drill history, predictions) go to a file of its own in
    ``scratch``, never the builder's own; figures come as plotly JSON, which the page draws with the site's
    plotly.js."""
    pending = [p for p in paths if not cached_run(p, package_digest).is_file()]
    workers = max(1, min(len(pending), os.cpu_count() or 1, 4))
    running: list[tuple[Path, subprocess.Popen]] = []
    failed = []
    while pending or running:
        while pending and len(running) < workers:
            path = pending.pop(0)
            print(f"site: running {path.name}", flush=True)
            command = [sys.executable, __file__, "--execute", str(path), str(cached_run(path, package_digest))]
            env = {**os.environ, "PLOTLY_RENDERER": "plotly_mimetype",
                   "VNETLAB_PROGRESS": str(scratch / f"{path.stem}-drill-progress.json"),
                   "VNETLAB_PREDICTIONS": str(scratch / f"{path.stem}-lesson-predictions.json")}
            running.append((path, subprocess.Popen(command, env=env)))
        path, process = running.pop(0)
        if process.wait() != 0:
            failed.append(path.name)
    if failed:
        raise SystemExit(f"site: these lessons did not run: {failed}")


# ---------------------------------------------------------------------------------------------------------------
# Making the outputs static


def lite_link(folder: str, name: str, depth: int = 1) -> str:
    """The JupyterLite lab opening ``folder/name`` (a relative link from a page ``depth`` folders deep)."""
    return "../" * depth + f"lite/lab/index.html?path={quote(f'{folder}/{name}')}"


def binder_link(folder: str, name: str) -> str:
    return BINDER + quote(f"lab/tree/{folder}/{name}", safe="")


def figure_html(figure: dict, title: str | None = None) -> str:
    """A plotly figure as HTML that draws itself with the site's plotly.js: interactive (hover, zoom, legend),
    with its title as the text alternative of the drawing."""
    import plotly.io as pio

    title = title or figure_title(figure)
    body = pio.to_html(figure, include_plotlyjs=False, full_html=False, validate=False,
                       config={"displaylogo": False, "responsive": True})
    label = html.escape(title or "Figure", quote=True)
    return f'<div class="vnetlab-figure" role="figure" aria-label="{label}">{body}</div>'


def figure_title(figure: dict) -> str:
    title = (figure.get("layout") or {}).get("title") or {}
    text = title.get("text") if isinstance(title, dict) else title
    text = re.sub(r"<[^>]+>", "", re.sub(r"<br\s*/?>", " ", text or "", flags=re.I))  # plotly's <br>, <b>, <i>
    return " ".join(html.unescape(text).split())


BOXES = {"VBoxModel": "column", "BoxModel": "column", "GridBoxModel": "column", "AccordionModel": "column",
         "TabModel": "column", "StackModel": "column", "HBoxModel": "row"}
CHOICES = {"ToggleButtonsModel", "DropdownModel", "RadioButtonsModel", "SelectModel"}


class Still:
    """A widget drawn as static HTML from the notebook's saved widget state: its text, tables and figures as the
    lesson left them, its controls as plain text (their label and value). Nothing in it responds."""

    def __init__(self, state: dict, figures: dict) -> None:
        self.state, self.figures, self.seen = state, figures, set()
        self.count = 0  # figures drawn

    def ref(self, value) -> str:
        if isinstance(value, str) and value.startswith("IPY_MODEL_"):
            return self.html(value[len("IPY_MODEL_"):])
        return ""

    def hidden(self, s: dict) -> bool:
        """Whether the widget's layout hides it (``display: none``) as the lesson left it."""
        layout = s.get("layout")
        if isinstance(layout, str) and layout.startswith("IPY_MODEL_"):
            return (self.state.get(layout[len("IPY_MODEL_"):], {}).get("state", {}).get("display") == "none")
        return False

    def outputs(self, outputs: list) -> str:
        parts = []
        for output in outputs:
            data = output.get("data", {})
            if WIDGET_VIEW in data:
                parts.append(self.html(data[WIDGET_VIEW]["model_id"]))
            elif PLOTLY in data:
                self.count += 1
                parts.append(figure_html(data[PLOTLY]))
            elif "text/html" in data:
                parts.append(data["text/html"])
            elif "text/plain" in data:
                parts.append(f"<pre>{html.escape(data['text/plain'])}</pre>")
            elif output.get("output_type") == "stream":
                parts.append(f"<pre>{html.escape(output.get('text', ''))}</pre>")
        return "".join(parts)

    def html(self, model_id: str) -> str:
        if model_id in self.seen or model_id not in self.state:
            return ""
        self.seen.add(model_id)
        name, s = self.state[model_id]["model_name"], self.state[model_id].get("state", {})
        if self.hidden(s):
            if name != "OutputModel":
                return ""
            # a prediction's result: hidden in the lab until the learner commits, so folded here, never shown first
            return ('<details class="vnetlab-still-hidden"><summary>Show the result (in the lesson it stays hidden '
                    'until you commit a prediction)</summary><div class="vnetlab-still-output">'
                    f'{self.outputs(s.get("outputs", []))}</div></details>')
        label = html.escape(str(s.get("description") or ""))
        labelled = f"{label}: " if label else ""
        if name in BOXES:
            inner = "".join(self.ref(child) for child in s.get("children", []))
            return f'<div class="vnetlab-still-{BOXES[name]}">{inner}</div>'
        if name in ("HTMLModel", "HTMLMathModel"):
            return f'<div class="vnetlab-still-html">{labelled}{s.get("value", "")}</div>'
        if name == "LabelModel":
            return f'<div class="vnetlab-still-html">{html.escape(str(s.get("value", "")))}</div>'
        if name == "ButtonModel":
            text = html.escape(str(s.get("description") or s.get("tooltip") or "button"))
            return f'<span class="vnetlab-still-control">[{text}]</span>'
        if name in CHOICES or name == "SelectMultipleModel":
            options, chosen = s.get("_options_labels", []), s.get("index")
            chosen = set(chosen) if isinstance(chosen, list) else {chosen}
            items = ", ".join(f"<strong>{html.escape(str(o))} (chosen)</strong>" if i in chosen else html.escape(str(o))
                              for i, o in enumerate(options))
            return f'<span class="vnetlab-still-control">{labelled}{items}</span>'
        if name in ("CheckboxModel", "ToggleButtonModel"):
            return f'<span class="vnetlab-still-control">{label or "option"}: {"on" if s.get("value") else "off"}</span>'
        if "value" in s and name.endswith(("TextModel", "TextareaModel", "SliderModel", "IntTextModel",
                                           "FloatTextModel")):
            return f'<span class="vnetlab-still-control">{labelled}<code>{html.escape(str(s["value"]))}</code></span>'
        if name == "OutputModel":
            return f'<div class="vnetlab-still-output">{self.outputs(s.get("outputs", []))}</div>'
        if model_id in self.figures:  # plotly's FigureWidget, as the lesson left it
            self.count += 1
            return figure_html(self.figures[model_id])
        return ""


def widget_still(model_id: str, state: dict, figures: dict, name: str) -> str:
    """What the page shows for a widget: a note that it runs in the lab, with the launch link, and its still."""
    still = Still(state, figures)
    body = still.html(model_id)
    link = html.escape(lite_link("notebooks", name), quote=True)
    return ('<div class="vnetlab-widget-still"><p class="vnetlab-widget-note"><strong>Interactive widget, shown as '
            f'the lesson left it.</strong> Its controls need a running Python: <a href="{link}">run this lesson in '
            f'JupyterLite</a> to use them.</p>{body}</div>')


def make_static(nb: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """The executed lesson for the page: figures as HTML for the site's plotly.js, widgets as stills, links to the
    exercises opening them in JupyterLite, and the launch buttons under the title."""
    nb = copy.deepcopy(nb)
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    figures = nb.metadata.pop(FIGURES_KEY, {})
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            # a link to an exercise opens it in the lab (raw HTML: the lab is beside the pages, not one of them)
            cell.source = re.sub(r"\[([^\]]+)\]\(\.\./exercises/([\w.-]+\.ipynb)(?:#[^)]*)?\)",
                                 lambda m: f'<a href="{lite_link("exercises", m.group(2))}">{m.group(1)}</a>',
                                 cell.source)
            continue
        if cell.cell_type != "code":
            continue
        for output in cell.outputs:
            data = output.get("data")
            if not data:
                continue
            if WIDGET_VIEW in data:
                still = widget_still(data[WIDGET_VIEW]["model_id"], state, figures, name)
                output["data"] = {"text/html": still, "text/plain": "Interactive widget"}
            elif PLOTLY in data:
                figure = data[PLOTLY]
                output["data"] = {"text/html": figure_html(figure), "text/plain": figure_title(figure) or "Figure"}
    nb.metadata.pop("widgets", None)
    launch = (
        '<div class="vnetlab-launch" role="group" aria-label="Run this lesson">'
        f'<a class="vnetlab-launch-button" href="{html.escape(lite_link("notebooks", name), quote=True)}">'
        'Launch in JupyterLite</a> '
        f'<a class="vnetlab-launch-button vnetlab-launch-second" href="{html.escape(binder_link("notebooks", name), quote=True)}">'
        'Launch on Binder</a>'
        '<span class="vnetlab-launch-note">JupyterLite runs the lesson in your browser, nothing to install; the '
        'widgets on this page come alive there.</span></div>')
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(launch))
    return nb


# ---------------------------------------------------------------------------------------------------------------
# Navigation pages, from lesson 00's course map


def course_tables() -> tuple[list[list[str]], dict[str, str]]:
    """Lesson 00's course map (rows: lesson, topic, concepts, status) and its concepts (C1 -> its line)."""
    nb = nbformat.read(str(LESSONS / "00-start-here.ipynb"), as_version=4)
    text = next(c.source for c in nb.cells if c.cell_type == "markdown" and "| Lesson | Topic |" in c.source)
    rows = [[part.strip() for part in line.strip().strip("|").split("|")]
            for line in text.splitlines() if line.startswith("|")]
    lesson_rows = [r for r in rows if re.fullmatch(r"`[\w-]+`", r[0])]
    concepts = {r[0]: r[1] for r in rows if re.fullmatch(r"C\d+", r[0])}
    return lesson_rows, concepts


def index_page(lesson_rows: list[list[str]]) -> str:
    table = ["| Lesson | Topic | Concepts |", "|---|---|---|"]
    for lesson, topic, concepts, *_ in lesson_rows:
        stem = lesson.strip("`")
        table.append(f"| [{stem}](notebooks/{stem}.ipynb) | {topic} | {concept_links(concepts)} |")
    return f"""# vnetlab: connect Azure virtual networks

A hands-on course on connecting Azure virtual networks: **VNet peering** and **VPN gateway connections**
(VNet-to-VNet, Site-to-Site, Point-to-Site), taught by experiment on a simulator that follows Azure's documented
rules. Every lesson below is shown with its results; each page has a **Launch in JupyterLite** button that runs
the lesson in your browser, with nothing to install, and a **Binder** button.

The graded exercises and the drills run in the lab: <a href="lite/lab/index.html">open the course in
JupyterLite</a>.

## Course map

{chr(10).join(table)}

The concepts (C1-C20) are the ideas the course teaches: see [the concepts](concepts.md), each with its lessons.

```{{toctree}}
:hidden:
:caption: Lessons

{chr(10).join(f"notebooks/{row[0].strip('`')}" for row in lesson_rows)}
```

```{{toctree}}
:hidden:
:caption: Course

concepts
```
"""


def concept_links(concepts: str) -> str:
    return ", ".join(f"[{c}](concepts.md#{c.lower()})" for c in re.findall(r"C\d+", concepts))


def concepts_page(lesson_rows: list[list[str]], concepts: dict[str, str]) -> str:
    parts = ["# Concepts", "", "The ideas the course teaches, each with the lessons that teach it.", ""]
    for concept, line in concepts.items():
        taught = [row[0].strip("`") for row in lesson_rows if concept in re.findall(r"C\d+", row[2])]
        links = ", ".join(f"[{stem}](notebooks/{stem}.ipynb)" for stem in taught) or "not yet in a lesson"
        parts += [f"({concept.lower()})=", f"## {concept}", "", line, "", f"Lessons: {links}", ""]
    return "\n".join(parts)


# ---------------------------------------------------------------------------------------------------------------
# The build


def inputs_digest() -> str:
    return tree_digest(ROOT / "vnetlab", LESSONS, HERE / "build.py", HERE / "conf.py", HERE / "static",
                       HERE / "templates", ROOT / "pyproject.toml")


def link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def build(out: Path, force: bool = False) -> Path:
    lite = LITE.build(LITE_OUT)
    digest = hashlib.sha256((inputs_digest() + (lite / STAMP).read_text()).encode()).hexdigest()
    if not force and LITE.is_current(out, digest):
        print(f"site: {out} is up to date with its inputs")
        return out
    package = tree_digest(ROOT / "vnetlab", ROOT / "pyproject.toml")
    source = CACHE / "source"
    shutil.rmtree(source, ignore_errors=True)
    (source / "notebooks").mkdir(parents=True)
    shutil.copy2(HERE / "conf.py", source / "conf.py")
    shutil.copytree(HERE / "static", source / "_static")
    shutil.copytree(HERE / "templates", source / "_templates")
    import plotly

    shutil.copy2(Path(plotly.__file__).parent / "package_data" / "plotly.min.js", source / "_static" / "plotly.min.js")
    with tempfile.TemporaryDirectory() as scratch:
        execute_all(lessons(), package, Path(scratch))
    for path in lessons():
        nb = make_static(nbformat.read(str(cached_run(path, package)), as_version=4), path.name)
        nbformat.write(nb, str(source / "notebooks" / path.name))
    lesson_rows, concepts = course_tables()
    missing = {row[0].strip("`") for row in lesson_rows} - {p.stem for p in lessons()}
    if missing:
        raise SystemExit(f"site: the course map names lessons that do not exist: {sorted(missing)}")
    (source / "index.md").write_text(index_page(lesson_rows), encoding="utf-8")
    (source / "concepts.md").write_text(concepts_page(lesson_rows, concepts), encoding="utf-8")
    html_dir = CACHE / "html"
    shutil.rmtree(html_dir, ignore_errors=True)
    # -W: a warning (a broken cross-reference, a missing page) fails the build
    run(sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going", "-E", source, html_dir)
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(html_dir, out, copy_function=link_or_copy)
    shutil.rmtree(out / ".doctrees", ignore_errors=True)
    (out / ".buildinfo").unlink(missing_ok=True)
    shutil.copytree(lite, out / "lite", copy_function=link_or_copy)
    (out / ".nojekyll").write_text("")  # GitHub Pages: serve _static/ (Jekyll would drop folders starting with _)
    (out / STAMP).write_text(digest + "\n")
    print(f"site: built {out}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the site's folder (default build/site)")
    parser.add_argument("--force", action="store_true", help="rebuild even when the inputs are unchanged")
    parser.add_argument("--execute", nargs=2, type=Path, metavar=("LESSON", "TARGET"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.execute:
        execute(*args.execute)
        return 0
    build(args.out.resolve(), args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
