"""Every course notebook runs top to bottom in a fresh kernel, and is stored clean.

What a learner relies on: *Run All* on a lesson, an exercise or a solution never stops on an error or shows a
traceback or a warning; notebooks open without stale outputs and with the "Python 3 (ipykernel)" kernel
selected (no "Select Kernel" dialog); links from one notebook to another lead somewhere.

Each notebook is executed on an in-memory copy (nothing is written back), with the notebook's own folder as the
working directory, as JupyterLab runs it.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from kernel_pool import KernelPool
from shipped import shipped_notebook

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("notebooks", "solutions", "exercises")
NOTEBOOKS = sorted(p for folder in FOLDERS for p in (ROOT / folder).glob("*.ipynb"))
CELL_TIMEOUT = 120  # seconds per cell; a lesson cell takes well under one


def _vnetlab_classes() -> list[str]:
    """Names of the classes the package defines (Route, Trace, Hop, ...): their raw repr is Python, not a lesson."""
    import importlib
    import inspect
    import pkgutil

    import vnetlab

    names = set()
    for info in pkgutil.walk_packages(vnetlab.__path__, "vnetlab."):
        if ".widgets" in info.name or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        names.update(n for n, obj in vars(module).items()
                     if inspect.isclass(obj) and obj.__module__ == info.name and not n.startswith("_"))
    return sorted(names)


CLASS_REPR = re.compile(r"(?<![\w.])(?:" + "|".join(_vnetlab_classes()) + r")\((?:[a-z_]+=|'|\))")


def raw_reprs(cell) -> list[str]:
    """What a learner sees of a cell's outputs that is a vnetlab class repr (``Route(prefix=...``).

    A rich output shows its HTML, so only the text of outputs without HTML (and printed text) is what they see."""
    found = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            text = output.text
        elif output.output_type in ("execute_result", "display_data"):
            data = output.get("data", {})
            text = "" if "text/html" in data or any(k.startswith("application/vnd") for k in data) \
                else data.get("text/plain", "")
        else:
            continue
        found += [m.group(0) for m in CLASS_REPR.finditer(text)]
    return found

pytestmark = pytest.mark.notebooks


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _where(index: int, cell) -> str:
    first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
    return f"cell {index} ({first[:70]!r})"


@pytest.fixture(scope="module")
def kernels():
    pool = KernelPool()
    yield pool
    pool.close()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_notebook_runs_top_to_bottom_without_errors(path: Path, kernels: KernelPool, request) -> None:
    nb = shipped_notebook(path)  # as shipped (not a learner's working copy), in memory only: never written back
    km = kernels.take(path.parent)
    following = [item for item in request.session.items if item.originalname == request.node.originalname]
    position = following.index(request.node)
    if position + 1 < len(following):  # the next notebook this run executes gets its kernel started now
        kernels.prepare(following[position + 1].callspec.params["path"].parent)
    client = NotebookClient(nb, km=km, timeout=CELL_TIMEOUT, startup_timeout=60, kernel_name="python3",
                            allow_errors=True, resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    finally:
        km.shutdown_kernel(now=True)
    problems = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                problems.append(f"{_where(index, cell)}: {output.ename}: {output.evalue}")
            elif output.output_type == "stream" and output.name == "stderr" and re.search(
                    r"Traceback|Warning", output.text):
                problems.append(f"{_where(index, cell)} wrote to stderr: {output.text.strip()[:300]}")
        if reprs := raw_reprs(cell):
            problems.append(f"{_where(index, cell)} shows Python reprs instead of a table: {sorted(set(reprs))}")
    assert not problems, f"{_id(path)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_notebook_is_stored_clean_with_its_kernel(path: Path) -> None:
    nb = shipped_notebook(path)  # the committed version: a learner's autosaved outputs are their own
    nbformat.validate(nb)
    dirty = [_where(i, c) for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"{_id(path)} is stored with outputs or execution counts in: {', '.join(dirty)}"
    spec = nb.metadata.get("kernelspec", {})
    assert (spec.get("name"), spec.get("display_name"), spec.get("language")) == (
        "python3", "Python 3 (ipykernel)", "python"), f"{_id(path)} kernelspec is {spec}"
    assert nb.metadata.get("language_info", {}).get("name") == "python", f"{_id(path)} has no language_info"


LINK = re.compile(r"\]\(([^)#\s]+\.ipynb)(?:#[^)]*)?\)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_links_to_other_notebooks_lead_somewhere(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    broken = sorted({target for cell in nb.cells if cell.cell_type == "markdown"
                     for target in LINK.findall(cell.source)
                     if "://" not in target and not (path.parent / target).resolve().is_file()})
    assert not broken, f"{_id(path)} links to notebooks that do not exist: {broken}"


SECTION_LINK = re.compile(r"\[sections?\s+(\d+)(?:\s*(?:,|and|to)\s*(\d+))?[^\]]*\]\(([^)#\s]+\.ipynb)", re.I)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_links_to_a_lesson_section_name_a_section_it_has(path: Path) -> None:
    # Exercises send learners to "[section 6, overlaps](../notebooks/01-address-spaces.ipynb)": section 6 must exist.
    nb = nbformat.read(path, as_version=4)
    missing = []
    for cell in (c for c in nb.cells if c.cell_type == "markdown"):
        for first, last, target in SECTION_LINK.findall(cell.source):
            lesson = (path.parent / target).resolve()
            if not lesson.is_file():
                continue  # reported by the link test
            headings = "\n".join(c.source for c in nbformat.read(lesson, as_version=4).cells if c.cell_type == "markdown")
            for number in filter(None, (first, last)):
                if not re.search(rf"^## {number}\. ", headings, flags=re.M):
                    missing.append(f"section {number} of {target}")
    assert not missing, f"{_id(path)} points learners to sections that do not exist: {missing}"


def test_the_available_lessons_are_there() -> None:
    # The course map (README, 00-start-here) promises lessons 00-02 as available.
    names = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert {"00-start-here", "01-address-spaces", "02-vnet-peering"} <= names
