"""``vnetlab release --out DIR``: the tree an instructor publishes for a class, without answers.

The instructor's repository holds the worked solutions (``solutions/``) and every question's hidden checks.
Learners get a *release* instead, the tree the workshop links (Binder, nbgitpuller) point at:

* ``notebooks/`` (the lessons) and ``exercises/`` (written afresh from ``solutions/`` by the generator, so no
  solution region and no hidden-test cell can reach it), every notebook without outputs;
* the environment files (``pyproject.toml``, ``environment.yml``, ``postBuild``, ``Makefile``, ``jupyter/``);
* a learner ``README.md``: the learner's sections of the course README, without the instructor's;
* the ``vnetlab`` package with the **visible checks only**: in its Python sources every region between a line
  ``# BEGIN HIDDEN CHECKS`` and a line ``# END HIDDEN CHECKS`` is removed (the hidden checks and the functions
  only they use). So a learner who installs the release cannot run, or read, a hidden check; ``vnetlab grade``
  refuses to grade with it (:func:`vnetlab.grading.instructor.full_spec`) and runs from the instructor's copy.

No ``solutions/``, no ``tests/``, no ``docs/`` or ``benchmarks/``. The release is written to ``DIR`` (which must
not exist, or be empty), so an old release is never mixed with a new one.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import nbformat

from ..errors import GradingError
from .generate import render

BEGIN_HIDDEN, END_HIDDEN = "# BEGIN HIDDEN CHECKS", "# END HIDDEN CHECKS"
ENVIRONMENT = ("pyproject.toml", "environment.yml", "postBuild", "Makefile", "jupyter")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")
# The README's sections a learner needs (by heading); the rest (instructor, workshop, contributors, benchmarks,
# where the facts come from) stays in the instructor's copy.
LEARNER_SECTIONS = ("What the course teaches, and for whom", "Course map", "Grading", "For a learner",
                    "Interview drills", "Scenarios (YAML)", "Requirements", "Troubleshooting")
LEARNER_HEAD = """# vnetlab: connect Azure virtual networks, hands-on

```sh
make lab    # sets everything up (first run only) and opens the course in JupyterLab
make drill  # the interview drills as an app in your browser
```

The first run creates a virtual environment in `.venv` and installs the course into it; after that, both commands
start at once and need no internet connection. Or open the course in your browser with the link your instructor
gave you.
"""


def strip_hidden(source: str, where: str) -> str:
    """``source`` without its hidden-check regions (marker lines included); GradingError on an unbalanced marker."""
    out, start = [], None
    for number, line in enumerate(source.split("\n"), 1):
        marker = line.strip()
        if marker == BEGIN_HIDDEN:
            if start is not None:
                raise GradingError(f"{where}, line {number}: nested {BEGIN_HIDDEN!r}.", value=where,
                                   rule="hidden-check regions do not nest")
            start = number
        elif marker == END_HIDDEN:
            if start is None:
                raise GradingError(f"{where}, line {number}: {END_HIDDEN!r} without {BEGIN_HIDDEN!r}.", value=where,
                                   rule="hidden-check regions are closed once")
            start = None
        elif start is None:
            out.append(line)
    if start is not None:
        raise GradingError(f"{where}, line {start}: {BEGIN_HIDDEN!r} is never closed.", value=where,
                           rule="hidden-check regions are closed")
    return "\n".join(out)


def learner_readme(readme: str) -> str:
    """The learner's README: a short head, then the README's learner sections (a kept ``##`` section keeps only
    its kept ``###`` subsections)."""
    kept, keep2, keep3 = [], False, False
    for line in readme.split("\n"):
        heading = re.match(r"(#{2,3}) (.+)$", line)
        if heading and len(heading.group(1)) == 2:
            keep2 = keep3 = heading.group(2).strip() in LEARNER_SECTIONS
        elif heading:
            keep3 = keep2 and heading.group(2).strip() in LEARNER_SECTIONS
        if keep2 and keep3:
            kept.append(line)
    return LEARNER_HEAD + "\n" + "\n".join(kept).strip() + "\n"


def _clean_notebook(source: Path, target: Path) -> None:
    nb = nbformat.read(str(source), as_version=4)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    target.write_text(nbformat.writes(nb).rstrip("\n") + "\n", encoding="utf-8")


def _copy_package(source: Path, target: Path) -> None:
    shutil.copytree(source, target, ignore=SKIP)
    for path in sorted(target.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if BEGIN_HIDDEN in text or END_HIDDEN in text:
            path.write_text(strip_hidden(text, str(path.relative_to(target.parent))), encoding="utf-8")


def release(root: "str | os.PathLike", out: "str | os.PathLike") -> list[str]:
    """Write the learner release of the course at ``root`` into ``out``; return the paths written (relative)."""
    root, out = Path(root), Path(out)
    if not (root / "solutions").is_dir() or not (root / "vnetlab").is_dir():
        raise GradingError(f"{root} is not the instructor's copy of the course (no solutions/ or vnetlab/).",
                           value=str(root), rule="a release is made from the instructor's copy")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise GradingError(f"{out} already exists and is not empty: give a new folder for the release.",
                           value=str(out), rule="a release is written to a new folder")
    if out.resolve() == root.resolve() or any(out.resolve().is_relative_to((root / inner).resolve())
                                              for inner in ("solutions", "vnetlab", "notebooks", "exercises")):
        raise GradingError(f"{out} is the course itself or one of its folders: give a folder of its own.",
                           value=str(out), rule="a release is written to a folder of its own")
    out.mkdir(parents=True, exist_ok=True)
    (out / "notebooks").mkdir()
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        _clean_notebook(path, out / "notebooks" / path.name)
    (out / "exercises").mkdir()
    for path in sorted((root / "solutions").glob("*.ipynb")):
        (out / "exercises" / path.name).write_text(render(path), encoding="utf-8")
    for name in ENVIRONMENT:
        if (root / name).is_dir():
            shutil.copytree(root / name, out / name, ignore=SKIP)
        elif (root / name).exists():
            shutil.copy2(root / name, out / name)
    _copy_package(root / "vnetlab", out / "vnetlab")
    (out / "README.md").write_text(learner_readme((root / "README.md").read_text(encoding="utf-8")), encoding="utf-8")
    return sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
