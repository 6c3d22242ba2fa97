"""Building graded submissions from the shipped exercises and solutions, and watching the processes grading
starts: shared by ``test_grading.py`` and ``test_grading_faults.py``."""
from __future__ import annotations

import csv
import os
import time
from pathlib import Path

import nbformat
import pytest
from shipped import shipped_notebook

import vnetlab.grading as g
from vnetlab.grading import answers as sidecar
from vnetlab.grading.core import evaluate
from vnetlab.grading.plain import to_plain
from vnetlab.grading.sandbox import bwrap_problem
from test_questions import model_answer

ROOT = Path(__file__).resolve().parents[1]
EX1, EX2 = "01-address-spaces", "02-vnet-peering"
MAX = {name: g.spec(name).points for name in g.EXERCISES}
BWRAP_PROBLEM = bwrap_problem()


def sandbox_required() -> bool:
    """``VNETLAB_REQUIRE_SANDBOX=1`` (set by ``.ci/run``): grading tests must run sandboxed, never skip or fall back."""
    return os.environ.get("VNETLAB_REQUIRE_SANDBOX") == "1"


def grading_sandbox() -> str:
    """The sandbox the grading tests use: bubblewrap where it runs (and always under VNETLAB_REQUIRE_SANDBOX, so
    that grading fails loudly where it cannot); elsewhere none, so the grading logic is still tested."""
    return "bwrap" if BWRAP_PROBLEM is None or sandbox_required() else "none"


def sandbox_flags() -> list[str]:
    return [] if grading_sandbox() == "bwrap" else ["--no-sandbox"]


def need_sandbox() -> None:
    """Skip (or, under VNETLAB_REQUIRE_SANDBOX=1, fail) a test that is about the sandbox itself."""
    if BWRAP_PROBLEM is not None:
        if sandbox_required():
            pytest.fail(f"VNETLAB_REQUIRE_SANDBOX=1 but {BWRAP_PROBLEM}")
        pytest.skip(BWRAP_PROBLEM)


# --- building submissions -------------------------------------------------------------------------------------------
def notebook(folder: str, name: str):
    return shipped_notebook(ROOT / folder / f"{name}.ipynb")  # as shipped, not a learner's working copy


def light(nb):
    """Without the widget question's cells (the answer to it can still come from the sidecar): a quicker run."""
    nb.cells = [c for c in nb.cells if "-q3-" not in c.id]
    return nb


def set_cell(nb, grade_id: str, source: str):
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    cell.source = source
    return nb


def insert_after(nb, grade_id: str, source: str):
    index = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    nb.cells.insert(index + 1, nbformat.v4.new_code_cell(source))
    return nb


def learner(nb, name: str):
    return set_cell(nb, "learner", f'LEARNER = "{name}"')


def save(nb, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def record_for(folder: Path, who: str, name: str, qid: str) -> None:
    """What clicking 'Record my answer' leaves beside the notebook."""
    ex = g.exercise(name, who, answers_path=str(folder / sidecar.SIDECAR))
    sidecar.store(folder / sidecar.SIDECAR, who, name, qid, to_plain(model_answer(ex, qid)))


def kernels_of_this_process() -> list[int]:
    """Live (not zombie) ipykernel processes started by this test process (a killed one gets a moment to go)."""
    for _ in range(50):
        found = _kernels()
        if not found:
            return found
        time.sleep(0.1)
    return found


def _kernels() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == os.getpid() and state != "Z" and b"ipykernel" in cmdline:
            found.append(int(entry.name))
    return found


def processes_with(token: str) -> list[int]:
    """Live (not zombie) processes anywhere on this machine whose command line holds ``token``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if state != "Z" and token.encode() in cmdline:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    for _ in range(50):
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                return False
        except OSError:
            return False
        time.sleep(0.1)
    return True


def rows_by_folder(out: Path) -> dict[str, dict]:
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as f:
        return {Path(r["notebook"]).parent.name: r for r in csv.DictReader(f)}


def score_here(name: str, who: str, answers: dict) -> float:
    spec = g.spec(name)
    return sum(evaluate(q, to_plain(answers.get(q.answer)), spec.givens(who, q.id)).earned for q in spec.questions)




def descendants() -> set[int]:
    """Live (not zombie) processes below this one, at any depth."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                state, ppid = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:2]
            except OSError:
                continue
            if state != "Z":
                parents[int(entry.name)] = int(ppid)
    found, frontier = set(), {os.getpid()}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - found
        found |= frontier
    return found
