"""``vnetlab generate``: write ``exercises/`` from ``solutions/`` (the single source, in nbgrader's markup).

The solution notebooks use nbgrader's conventions, so an instructor can also run nbgrader on them:

* answer cells carry ``nbgrader`` metadata ``{"solution": true, "grade": false, "locked": false, ...}`` and
  mark the worked answer with ``### BEGIN SOLUTION`` / ``### END SOLUTION``;
* check cells carry ``{"grade": true, "points": N, "locked": true, ...}`` (``grade_id`` = ``<question>-check``)
  and hide the full check between ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``;
* every nbgrader cell has a unique ``grade_id`` and ``schema_version: 3``.

**Stub convention.** An answer cell first gives the answer variable its "unanswered" value, then the solution
region overrides it::

    plan = None  # YOUR ANSWER: a dict of subnet name -> prefix
    ### BEGIN SOLUTION
    plan = {...}
    ### END SOLUTION

The generator replaces each solution region with the single line ``# YOUR CODE HERE`` (indented like the
``BEGIN`` line), so the exercise runs top to bottom and an unanswered question gets feedback, not an
exception. With nbgrader, use the same stub: ``c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE"}``.
In Markdown cells a region becomes ``YOUR ANSWER HERE`` (nbgrader's text stub). Hidden-test regions are
removed with their markers. Outputs, execution counts and saved widget state are cleared; metadata (nbgrader's
included) is kept; the output is byte-for-byte deterministic. A marker outside a solution / grade cell, a
nested or an unterminated region is an error, as with nbgrader's ``enforce_metadata``.
"""
from __future__ import annotations

import os
from pathlib import Path

import nbformat

from ..errors import GradingError

BEGIN_SOLUTION, END_SOLUTION = "BEGIN SOLUTION", "END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
CODE_STUB = "# YOUR CODE HERE"
TEXT_STUB = "YOUR ANSWER HERE"


def replace_regions(source: str, begin: str, end: str, stub: str | None, where: str) -> str:
    """``source`` with every ``begin``…``end`` region replaced by ``stub`` (or removed when ``stub`` is None)."""
    out: list[str] = []
    inside = False
    for number, line in enumerate(source.split("\n"), 1):
        if begin in line:
            if inside:
                raise GradingError(f"{where}, line {number}: nested {begin!r}.", value=line, rule="regions do not nest")
            inside = True
            if stub is not None:
                out.append(line[: len(line) - len(line.lstrip())] + stub)
        elif end in line:
            if not inside:
                raise GradingError(f"{where}, line {number}: {end!r} without {begin!r}.", value=line,
                                   rule="regions are closed once")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise GradingError(f"{where}: {begin!r} is never closed by {end!r}.", value=begin, rule="regions are closed")
    return "\n".join(out)


def exercise_notebook(nb: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """The learner's version of a solution notebook (a new object; ``nb`` is not changed)."""
    nb = nbformat.from_dict(nb)
    nb.metadata.pop("widgets", None)
    for index, cell in enumerate(nb.cells):
        where = f"{name}, cell {index + 1}"
        grading = cell.metadata.get("nbgrader", {})
        source = cell.source
        if BEGIN_SOLUTION in source or END_SOLUTION in source:
            if not grading.get("solution"):
                raise GradingError(f"{where} has a solution region but is not an nbgrader solution cell.",
                                   value=where, rule="solution regions live in solution cells")
            source = replace_regions(source, BEGIN_SOLUTION, END_SOLUTION,
                                     CODE_STUB if cell.cell_type == "code" else TEXT_STUB, where)
        if BEGIN_HIDDEN in source or END_HIDDEN in source:
            if not grading.get("grade"):
                raise GradingError(f"{where} has hidden tests but is not an nbgrader grade cell.", value=where,
                                   rule="hidden tests live in grade cells")
            source = replace_regions(source, BEGIN_HIDDEN, END_HIDDEN, None, where).rstrip("\n")
        cell.source = source
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.validate(nb)
    return nb


def render(path: "str | os.PathLike") -> str:
    """The exercise notebook for the solution at ``path``, as the exact text written to disk."""
    path = Path(path)
    nb = exercise_notebook(nbformat.read(str(path), as_version=4), path.name)
    return nbformat.writes(nb).rstrip("\n") + "\n"


def generate(source: "str | os.PathLike", dest: "str | os.PathLike", *, check: bool = False) -> list[str]:
    """Write ``dest/<name>.ipynb`` for every ``source/<name>.ipynb``; return what was written.

    With ``check=True`` nothing is written; the return value lists every exercise that is missing, differs
    from what would be generated, or has no solution (empty when ``dest`` is up to date).
    """
    source, dest = Path(source), Path(dest)
    solutions = sorted(source.glob("*.ipynb"))
    if not solutions:
        raise GradingError(f"No solution notebooks in {source}.", value=str(source), rule="generate needs solutions")
    report = []
    for path in solutions:
        text, target = render(path), dest / path.name
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if check:
            if current is None:
                report.append(f"{target}: missing")
            elif current != text:
                report.append(f"{target}: out of date with {path}")
        elif current != text:
            dest.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            report.append(str(target))
    if check:
        names = {p.name for p in solutions}
        report += [f"{p}: no solution notebook {source / p.name}" for p in sorted(dest.glob("*.ipynb"))
                   if p.name not in names]
    return report
