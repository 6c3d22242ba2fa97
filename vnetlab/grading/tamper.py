"""What a submission changed that it should not have: reported to the instructor and the learner, never scored.

``vnetlab grade`` already makes tampering pointless: every answer is taken out of the learner's kernel as plain
data and re-checked in the grader's own process, so a redefined ``check``, a monkeypatched vnetlab, an edited
check cell or printed "success" cannot change a score. :func:`detect` says what was tried, so the feedback can
name it (neutrally) and the gradebook can flag it. A finding neither gives nor takes a point.

Two kinds of evidence, both read without running anything:

* **structure**: the submission is compared with the exercise it came from (regenerated in memory from
  ``solutions/`` by :mod:`vnetlab.grading.generate`, else ``exercises/<name>.ipynb``). Every nbgrader cell keeps
  its metadata (``grade_id``, ``points``, ``locked``, ``grade``, ``solution``); locked and graded cells keep their
  source (the exercise's, or the solution's: an instructor grading a solution is not tampering); none is
  deleted, and they stay in order.
* **code** (with :mod:`ast`, in every code cell that is not an unchanged locked cell): rebinding ``check`` or
  ``ex``, assigning to an attribute of a vnetlab module or of the exercise object (``ex.check = ...``,
  ``vnetlab.grading.core.evaluate = ...``, ``setattr(vnetlab..., ...)``), replacing ``sys.modules`` entries,
  importing :mod:`vnetlab.grading.instructor`, reading a path under ``solutions/``, writing text that imitates
  the grader ("All checks passed", "full marks", "100%", the answer marker), registering IPython hooks, and
  ``exec``/``eval`` (code this reading cannot see).
"""
from __future__ import annotations

import ast
import functools
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import nbformat

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS, EXERCISE_DIR = ROOT / "solutions", ROOT / "exercises"
NBGRADER_KEYS = ("grade", "grade_id", "locked", "points", "solution", "task")
GRADER_NAMES = frozenset({"check", "ex", "verify"})
GRADING_ATTRS = frozenset({"check", "exercise", "evaluate", "verify", "givens", "spec", "record", "recorded"})
SUCCESS = re.compile(r"all\s+(?:\w+\s+)?checks?\s+(?:have\s+)?passed|full\s+marks|\b100\s*%|passed\s+all",
                     re.IGNORECASE)
SOLUTIONS_PATH = re.compile(r"(?:^|[/\\])solutions[/\\]", re.IGNORECASE)
FILE_CALLS = frozenset({"open", "Path", "PurePath", "read", "read_text", "read_bytes", "reads", "load", "listdir",
                        "scandir", "walk", "glob", "iglob", "rglob", "exists", "is_file", "copy", "copyfile",
                        "system", "run", "Popen", "check_output", "getoutput", "run_line_magic", "run_cell_magic",
                        "joinpath", "join", "iterdir", "open_text"})


@dataclass(frozen=True)
class Finding:
    """One thing detected: ``kind`` (short, for the gradebook), ``cell`` (how to find it), ``detail`` (a sentence)."""

    kind: str
    cell: str
    detail: str

    def __str__(self) -> str:
        return f"{self.cell} {self.detail}" if self.cell else self.detail


def summary(findings: Iterable[Finding]) -> str:
    """The gradebook's short form: each kind once, with a count when it occurs more than once."""
    counts = Counter(f.kind for f in findings)
    return ", ".join(k if n == 1 else f"{k} ×{n}" for k, n in counts.items())


# --- the reference: the exercise as generated ---------------------------------------------------------------------
@dataclass(frozen=True)
class Reference:
    cells: tuple[Any, ...]                  # the exercise's cells
    allowed: dict[str, frozenset[str]]      # grade_id -> sources a locked / graded cell may have


def _grading(cell: Any) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta if isinstance(meta, dict) else {}


def _norm(source: Any) -> str:
    text = "".join(source) if isinstance(source, list) else str(source or "")
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


@functools.lru_cache(maxsize=None)
def reference(name: str) -> Reference | None:
    """The generated exercise ``name`` (regenerated from its solution when ``solutions/`` is at hand), or None."""
    from .generate import exercise_notebook

    solution_path, exercise_path = SOLUTIONS / f"{name}.ipynb", EXERCISE_DIR / f"{name}.ipynb"
    sources: list[Any] = []
    if solution_path.is_file():
        solution = nbformat.read(str(solution_path), as_version=4)
        exercise, sources = exercise_notebook(solution, solution_path.name), [solution]
    elif exercise_path.is_file():
        exercise = nbformat.read(str(exercise_path), as_version=4)
    else:
        return None
    allowed: dict[str, set[str]] = {}
    for nb in (exercise, *sources):
        for cell in nb.cells:
            meta = _grading(cell)
            if meta.get("grade_id") and (meta.get("locked") or meta.get("grade")):
                allowed.setdefault(meta["grade_id"], set()).add(_norm(cell.source))
    return Reference(tuple(exercise.cells), {k: frozenset(v) for k, v in allowed.items()})


# --- structure ------------------------------------------------------------------------------------------------------
def _label(index: int, cell: Any) -> str:
    meta = _grading(cell)
    grade_id = meta.get("grade_id", "")
    if grade_id.endswith("-answer"):
        return f"The cell for {grade_id[:-len('-answer')]}'s answer (cell {index + 1})"
    if grade_id.endswith("-check"):
        return f"The check cell of {grade_id[:-len('-check')]} (cell {index + 1})"
    if grade_id:
        return f"The '{grade_id}' cell (cell {index + 1})"
    return f"Cell {index + 1}"


def _structure(cells: list[Any], ref: Reference) -> tuple[list[Finding], set[int]]:
    """Findings about nbgrader cells, and the indexes of the submission's cells that are unchanged locked cells."""
    findings: list[Finding] = []
    unchanged: set[int] = set()
    by_grade_id: dict[str, int] = {}
    by_id: dict[str, int] = {}
    for index, cell in enumerate(cells):
        grade_id = _grading(cell).get("grade_id")
        if isinstance(grade_id, str):
            if grade_id in by_grade_id:
                findings.append(Finding("metadata", _label(index, cell), f"repeats the nbgrader grade_id {grade_id!r} "
                                                                         f"of cell {by_grade_id[grade_id] + 1}."))
            by_grade_id.setdefault(grade_id, index)
        if isinstance(cell.get("id"), str):
            by_id.setdefault(cell["id"], index)
    known = {_grading(c).get("grade_id") for c in ref.cells}
    for grade_id, index in by_grade_id.items():
        if grade_id not in known:
            findings.append(Finding("metadata", _label(index, cells[index]),
                                    f"carries an nbgrader grade_id ({grade_id!r}) the exercise does not have."))
    order: list[tuple[int, str]] = []
    for ref_cell in ref.cells:
        meta = _grading(ref_cell)
        grade_id = meta.get("grade_id")
        if not grade_id:
            continue
        guarded = bool(meta.get("locked") or meta.get("grade"))
        index = by_grade_id.get(grade_id, by_id.get(ref_cell.get("id")))
        what = "check cell" if meta.get("grade") else ("locked cell" if meta.get("locked") else "answer cell")
        if index is None:
            if guarded:
                findings.append(Finding("deleted", "", f"The {what} '{grade_id}' of the exercise is missing: deleted, "
                                                      "or its nbgrader metadata removed."))
            continue
        cell = cells[index]
        order.append((index, grade_id))
        changed = [f"{key} {meta.get(key)!r} → {_grading(cell).get(key)!r}" for key in NBGRADER_KEYS
                   if meta.get(key) != _grading(cell).get(key)]
        if changed:
            findings.append(Finding("metadata", _label(index, cell),
                                    f"has nbgrader metadata changed from the exercise's: {'; '.join(changed)}."))
        if guarded:
            if cell.get("cell_type") != ref_cell.get("cell_type"):
                was, now = ref_cell.get("cell_type"), cell.get("cell_type")
                findings.append(Finding("locked-cell", _label(index, cell), f"was a {was} cell and is now a {now}."))
            elif _norm(cell.get("source")) in ref.allowed.get(grade_id, ()):
                unchanged.add(index)
            else:
                kind = "check-cell" if meta.get("grade") else "locked-cell"
                hidden = " (it now has hidden-test markup)" if "HIDDEN TESTS" in _norm(cell.get("source")) else ""
                findings.append(Finding(kind, _label(index, cell),
                                        f"differs from the exercise's {what}, which is locked{hidden}."))
    moved = _out_of_order(order)
    if moved:
        findings.append(Finding("reordered", "", f"The exercise's cells are not in their order: moved "
                                                 f"{', '.join(repr(m) for m in moved[:5])}."))
    return findings, unchanged


def _out_of_order(order: list[tuple[int, str]]) -> list[str]:
    """The grade_ids outside a longest run of cells that kept the exercise's order (the fewest that moved)."""
    best: list[list[int]] = []
    for i, (index, _) in enumerate(order):
        best.append(max((best[j] for j in range(i) if order[j][0] < index), key=len, default=[]) + [i])
    keep = set(max(best, key=len, default=[]))
    return [grade_id for i, (_, grade_id) in enumerate(order) if i not in keep]


# --- code -----------------------------------------------------------------------------------------------------------
def _python(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        pass
    try:  # a cell with IPython magics (%cat, !cat): read what IPython would run
        from IPython.core.inputtransformer2 import TransformerManager

        return ast.parse(TransformerManager().transform_cell(source))
    except Exception:
        return None


def _dotted(node: ast.AST) -> str:
    """``a.b.c`` for attribute chains (calls and subscripts shown as ``()`` / ``[]``), '' otherwise."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    if isinstance(node, ast.Call):
        base = _dotted(node.func)
        return f"{base}()" if base else ""
    if isinstance(node, ast.Subscript):
        base = _dotted(node.value)
        return f"{base}[]" if base else ""
    return ""


def _root(node: ast.AST) -> str:
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else ""


def _strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


class _Reader(ast.NodeVisitor):
    """Collects what one cell does to the grading machinery (``vnetlab`` holds the names bound to vnetlab)."""

    def __init__(self, vnetlab: set[str]) -> None:
        self.vnetlab = vnetlab
        self.found: list[tuple[str, str]] = []
        self.depth = 0   # inside a function or class body: names bound there are local

    def note(self, kind: str, detail: str) -> None:
        if (kind, detail) not in self.found:
            self.found.append((kind, detail))

    # imports: remember vnetlab aliases; the instructor module is the solutions' own
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name == "vnetlab" or alias.name.startswith("vnetlab."):
                self.vnetlab.add(alias.asname or alias.name.split(".")[0])
                self._instructor(alias.name)
            self._rebind(alias.asname or alias.name.split(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        for alias in node.names:
            if module == "vnetlab" or module.startswith("vnetlab."):
                self.vnetlab.add(alias.asname or alias.name)
                self._instructor(f"{module}.{alias.name}")
            self._rebind(alias.asname or alias.name)

    def _instructor(self, name: str) -> None:
        if name.startswith("vnetlab.grading.instructor"):
            self.note("instructor", "imports vnetlab.grading.instructor, the solutions' own checking helper.")

    def _rebind(self, name: str) -> None:
        if self.depth == 0 and name in GRADER_NAMES:
            self.note("check", f"redefines `{name}`, a name used to check answers.")

    # assignments
    def _target(self, target: ast.AST, verb: str = "assigns to") -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._target(element, verb)
        elif isinstance(target, ast.Starred):
            self._target(target.value, verb)
        elif isinstance(target, ast.Name):
            self._rebind(target.id)
        elif isinstance(target, (ast.Attribute, ast.Subscript)):
            name = _dotted(target) or "an attribute"
            if _dotted(target.value if isinstance(target, ast.Subscript) else target).startswith("sys.modules"):
                self.note("monkeypatch", f"{verb} `{name}`, replacing a loaded module.")
            elif _root(target) in self.vnetlab:
                if isinstance(target, ast.Attribute) and target.attr in GRADING_ATTRS:
                    self.note("check", f"{verb} `{name}`, which the exercise uses to check answers.")
                else:
                    self.note("monkeypatch", f"{verb} `{name}`, part of vnetlab (monkeypatching).")

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._target(target)
        if isinstance(node.value, ast.Call) and _root(node.value) in self.vnetlab \
                and _call_name(node.value) in {"exercise", "Exercise"}:
            self.vnetlab.update(t.id for t in node.targets if isinstance(t, ast.Name))
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._target(node.target)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._target(node.target)
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._target(target, "deletes")
        self.generic_visit(node)

    def visit_For(self, node: ast.For) -> None:
        self._target(node.target)
        self.generic_visit(node)

    def _scope(self, node: ast.AST) -> None:
        if hasattr(node, "name"):
            self._rebind(node.name)
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = visit_Lambda = _scope

    def visit_comprehension(self, node: ast.comprehension) -> None:  # its target is local to the comprehension
        for child in (node.iter, *node.ifs):
            self.visit(child)

    # calls
    def visit_Call(self, node: ast.Call) -> None:
        name = _call_name(node)
        if name in {"setattr", "__setattr__", "delattr", "__delattr__"} and node.args:
            bound = name.startswith("__") and isinstance(node.func, ast.Attribute) \
                and _root(node.func.value) not in {"object", "type"}
            target = node.func.value if bound else node.args[0]
            if _root(target) in self.vnetlab or _dotted(target).startswith("sys.modules"):
                attr = next((s for s in _strings(ast.Tuple(elts=node.args[1:], ctx=ast.Load()))), "an attribute")
                self.note("check" if attr in GRADING_ATTRS else "monkeypatch",
                          f"calls {name} on `{_dotted(target) or 'a vnetlab object'}` ({attr!r}), part of vnetlab "
                          "(monkeypatching).")
        if name in {"import_module", "__import__"} and any(s.startswith("vnetlab.grading.instructor")
                                                           for s in _strings(node)):
            self._instructor("vnetlab.grading.instructor")
        if name in FILE_CALLS and any(SOLUTIONS_PATH.search(s) or s.lower() == "solutions" for s in _strings(node)):
            self.note("solutions", "reads a path under `solutions/` (the instructor's notebooks).")
        if name == "register" and "events" in _dotted(node.func):
            self.note("hook", "registers an IPython event hook, which runs after the cells that follow.")
        if name in {"exec", "eval", "compile"} and isinstance(node.func, ast.Name):
            self.note("exec", f"runs code built at run time ({name}), which this reading cannot see.")
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:  # Path(...) / "solutions" / ...
        if isinstance(node.op, ast.Div) and any(s.lower() == "solutions" or SOLUTIONS_PATH.search(s)
                                                 for s in _strings(node)):
            self.note("solutions", "reads a path under `solutions/` (the instructor's notebooks).")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            if SOLUTIONS_PATH.search(node.value):  # a path into solutions/, wherever it is used
                self.note("solutions", "reads a path under `solutions/` (the instructor's notebooks).")
            if "VNETLAB-ANSWERS" in node.value:
                self.note("marker", "writes the grader's answer marker, to hand in answers by printing them; the "
                                    "grader reads only its own, secret marker.")
            elif SUCCESS.search(node.value):  # not quoted: the feedback must not repeat a fake success line
                self.note("fake-output", "writes text that imitates the grader's report (a pass or a full score); only "
                                         "the grader's own feedback counts.")


def _code(cells: list[Any], skip: set[int]) -> list[Finding]:
    findings: list[Finding] = []
    vnetlab: set[str] = {"vnetlab"}
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "code":
            continue
        tree = _python(_norm(cell.get("source")))
        if tree is None:
            continue
        reader = _Reader(vnetlab)
        if index in skip:  # an unchanged locked cell: learn its imports (``import vnetlab.grading as g``) only
            for node in ast.walk(tree):
                if isinstance(node, (ast.Import, ast.ImportFrom, ast.Assign)):
                    reader.visit(node)
            continue
        reader.visit(tree)
        findings += [Finding(kind, _label(index, cell), detail) for kind, detail in reader.found]
    return findings


def detect(nb: Any, exercise: str) -> list[Finding]:
    """What the submitted notebook ``nb`` changed or does against the grading of ``exercise`` (empty if nothing)."""
    try:
        cells = list(nb.get("cells", []))
        ref = reference(exercise)
        findings, unchanged = _structure(cells, ref) if ref is not None else ([], set())
        return findings + _code(cells, unchanged)
    except Exception as exc:  # a bug here must not cost the submission its grade
        return [Finding("unchecked", "", f"The tampering checks could not run ({type(exc).__name__}: {exc}).")]
