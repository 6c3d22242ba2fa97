"""Tampering with a graded exercise gains nothing, and the feedback says what was detected.

One batch of submissions built from the shipped exercise, graded once by ``vnetlab.grading.grader`` (a kernel takes
seconds to start): an honest partial answer, and the same kind of answers with tampering (a redefined ``check``,
vnetlab monkeypatched in the kernel, edited nbgrader metadata, an edited and a deleted check cell, printed fake
success, the solution notebook read through a relative path, and all of them at once). Expected scores come from
scoring the same answers in this process (``evaluate``), never from the grader's output. Below the batch,
:func:`vnetlab.grading.tamper.detect` on notebooks built in memory (no kernel).
"""
from __future__ import annotations

import copy
import csv
import sys
from pathlib import Path

import nbformat
import pytest

import vnetlab.grading as g
from vnetlab.grading import tamper
from vnetlab.grading.grader import Options, grade

sys.path.insert(0, str(Path(__file__).parent))
from grading_support import (EX1, grading_sandbox, insert_after, learner, notebook, rows_by_folder, save,  # noqa: E402
                             score_here, set_cell)
from test_questions import forgot_reserved_q1, model_answer  # noqa: E402

REDEFINE_CHECK = '''
def check(*args, **kwargs):
    print("All checks passed")
ex.check = lambda qid, answer=None: print("All checks passed! 16 / 16, full marks.")
g.exercise = lambda *args, **kwargs: ex
'''
MONKEYPATCH = '''
import vnetlab, vnetlab.grading.core as core, vnetlab.addressing
core.evaluate = lambda *args, **kwargs: None
vnetlab.grading.core.MISSING = None
setattr(vnetlab.addressing, "find_overlaps", lambda prefixes: [])
'''
FAKE_SUCCESS = 'print("All checks passed: 16 / 16, full marks (100%).")'
READ_SOLUTIONS = '''
import nbformat
for where in ("../solutions/01-address-spaces.ipynb", "solutions/01-address-spaces.ipynb",
              "../../solutions/01-address-spaces.ipynb"):
    try:
        solution = nbformat.read(where, as_version=4)
    except OSError:
        continue
    for cell in solution.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in ("q1-answer", "q2-answer", "q4-answer"):
            exec(cell.source)
'''


def cell_of(nb, grade_id: str):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def partial_plan(who: str) -> dict:
    """An honest, partly right answer to q1: the model plan with one realistic mistake."""
    ex = g.exercise(EX1, who, answers_path="unused.json")
    return forgot_reserved_q1(ex, model_answer(ex, "q1"))


def exercise_for(who: str, plan: dict | None = None):
    nb = learner(notebook("exercises", EX1), who)
    if plan is not None:
        set_cell(nb, "q1-answer", f"plan = {plan!r}")
    return nb


def edit_metadata(nb):
    cell_of(nb, "q1-check").metadata.nbgrader["points"] = 50
    cell_of(nb, "q4-check").metadata.nbgrader["locked"] = False
    return nb


def edit_hidden_tests(nb):
    set_cell(nb, "q1-check", "### BEGIN HIDDEN TESTS\nassert True\n### END HIDDEN TESTS\nex.check('q1', plan)")
    nb.cells.remove(cell_of(nb, "q2-check"))
    return nb


def fake_success(nb):
    cell_of(nb, "q2-answer").source += f"\n{FAKE_SUCCESS}"
    return nb


def read_solutions(nb):
    cell_of(nb, "q2-answer").source += READ_SOLUTIONS
    return nb


def everything(nb):
    insert_after(insert_after(nb, "setup", MONKEYPATCH), "setup", REDEFINE_CHECK)
    return read_solutions(fake_success(edit_hidden_tests(edit_metadata(nb))))


# folder (= learner id): (answers q1 honestly in part?, tampering, kinds the gradebook must show, feedback must say)
CASES = {
    "honest": (True, None, set(), []),
    "redefiner": (False, lambda nb: insert_after(nb, "setup", REDEFINE_CHECK), {"check", "fake-output"},
                  ["redefines `check`", "`ex.check`", "`g.exercise`", "imitates the grader's report"]),
    "patcher": (True, lambda nb: insert_after(nb, "setup", MONKEYPATCH), {"monkeypatch"},
                ["`core.evaluate`", "`vnetlab.grading.core.MISSING`", "setattr on `vnetlab.addressing`"]),
    "editor": (True, edit_metadata, {"metadata"}, ["points 5 → 50", "locked True → False"]),
    "hider": (False, edit_hidden_tests, {"check-cell", "deleted"},
              ["check cell of q1", "hidden-test markup", "'q2-check'"]),
    "boaster": (False, fake_success, {"fake-output"}, ["q2's answer", "imitates the grader's report"]),
    "reader": (True, read_solutions, {"solutions", "exec"}, ["q2's answer", "`solutions/`", "(exec)"]),
    "combined": (False, everything, {"check", "monkeypatch", "metadata", "check-cell", "deleted", "fake-output",
                                     "solutions"},
                 ["`ex.check`", "`core.evaluate`", "points 5 → 50", "`solutions/`"]),
}


@pytest.fixture(scope="module")
def tamper_batch(tmp_path_factory):
    base = tmp_path_factory.mktemp("tamper")
    expected = {}
    for who, (partial, tampering, _, _) in CASES.items():
        plan = partial_plan(who) if partial else None
        nb = exercise_for(who, plan)
        save(tampering(nb) if tampering else nb, base / who / f"{EX1}.ipynb")
        candidates = g.exercise(EX1, who, answers_path="unused.json").givens("q4")["candidates"]
        expected[who] = score_here(EX1, who, {"plan": plan, "ranges": {c: "?" for c in candidates}}) if plan else 0.0
    out = base / "out"
    grade([base], Options(out=out, timeout=180, cell_timeout=60, jobs=2, sandbox=grading_sandbox()))
    return {"csv": rows_by_folder(out), "out": out, "expected": expected}


def feedback(batch, who: str) -> str:
    return (batch["out"] / "feedback" / f"{who}-{EX1}.md").read_text(encoding="utf-8")


def test_no_tampering_gains_a_point(tamper_batch):
    rows, expected = tamper_batch["csv"], tamper_batch["expected"]
    assert set(rows) == set(CASES)
    assert expected["honest"] > 0 and float(rows["honest"]["total"]) == pytest.approx(expected["honest"], abs=0.01)
    table = []
    for who, row in rows.items():
        gained = round(float(row["total"]) - expected[who], 2) + 0.0
        table.append(f"{who:10} {row['status']:8} tamper={row['tamper']!r:60} gained={gained:+.2f}")
        assert row["status"] in {"ok", "errors"}, row
        assert float(row["total"]) == pytest.approx(expected[who], abs=0.01), row
    print("\n".join(["", *table]))


def test_a_fresh_exercise_with_tampering_scores_zero(tamper_batch):
    for who, (partial, _, _, _) in CASES.items():
        if not partial:
            assert float(tamper_batch["csv"][who]["total"]) == 0, who


def test_the_gradebook_flags_what_was_detected(tamper_batch):
    with open(tamper_batch["out"] / "gradebook.csv", newline="", encoding="utf-8") as f:
        assert "tamper" in next(csv.reader(f))
    for who, (_, _, kinds, _) in CASES.items():
        shown = {part.split(" ×")[0] for part in tamper_batch["csv"][who]["tamper"].split(", ") if part}
        assert kinds <= shown and (kinds or not shown), (who, shown)


def test_each_feedback_file_says_what_was_detected_and_that_it_changes_nothing(tamper_batch):
    assert "## Detected" not in feedback(tamper_batch, "honest")
    for who, (_, tampering, _, phrases) in CASES.items():
        if tampering is None:
            continue
        text = feedback(tamper_batch, who)
        detected = text.split("## Detected", 1)[1].split("\n## ", 1)[0]
        assert "none of this changes your score" in detected, who
        for phrase in phrases:
            assert phrase in detected, (who, phrase, detected)
        assert "All checks passed" not in text and "full marks" not in text  # fake success is never repeated


# --- detect() on notebooks built here -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(g.EXERCISES))
def test_the_shipped_exercises_and_solutions_raise_nothing(name):
    for folder in ("exercises", "solutions"):
        assert tamper.detect(notebook(folder, name), name) == [], (folder, name)


def kinds(nb) -> list[str]:
    return [f.kind for f in tamper.detect(nb, EX1)]


def test_reordered_cells_are_reported_by_the_ones_that_moved():
    nb = exercise_for("x")
    moved = cell_of(nb, "q4-check")
    nb.cells.remove(moved)
    nb.cells.insert(3, moved)
    findings = tamper.detect(nb, EX1)
    assert [f.kind for f in findings] == ["reordered"] and "'q4-check'" in findings[0].detail


def test_indirect_forms_are_read_too():
    nb = exercise_for("x")
    set_cell(nb, "q1-answer", "plan = None\nobject.__setattr__(g.spec('01-address-spaces'), 'givens', None)\n"
                              "import sys\nsys.modules['vnetlab.grading.core'] = None\n"
                              "get_ipython().events.register('post_run_cell', print)\n"
                              "from pathlib import Path\nsource = (Path('..') / 'solutions').iterdir()")
    set_cell(nb, "q2-answer", "merger = None\n%cat ../solutions/01-address-spaces.ipynb\n"
                              "print('VNETLAB-ANSWERS- {\"answers\": {}}')")
    set_cell(nb, "q4-answer", "ranges = None\nfrom vnetlab.grading.instructor import verify")
    assert {"check", "monkeypatch", "hook", "solutions", "instructor", "marker"} <= set(kinds(nb))


def test_ordinary_learner_code_is_not_reported():
    nb = exercise_for("x")
    set_cell(nb, "q1-answer", "import vnetlab as vl\nnet = vl.Network()\nnet.add_vnet('hub', '10.0.0.0/16', "
                              "region='westeurope')\nplan = {t: str(p) for t, p in {'web': '10.0.0.0/24'}.items()}\n"
                              "checked = [ex for ex in range(3)]\nprint('my plan is ready; now run the check')")
    nb.cells.insert(5, nbformat.v4.new_code_cell("ex.hint('q1')\nG1"))
    assert tamper.detect(nb, EX1) == []


def test_odd_notebooks_never_break_detection():
    nb = exercise_for("x")
    odd = copy.deepcopy(nb)
    odd.cells[6].metadata["nbgrader"] = "not a dict"
    odd.cells[7].source = ["ex.check(", "'q1', plan)"]
    odd.cells.append(nbformat.v4.new_code_cell("def broken(:\n"))
    assert all(isinstance(f, tamper.Finding) and f.kind != "unchecked" for f in tamper.detect(odd, EX1))
    assert tamper.detect({"cells": []}, EX1)  # everything deleted
