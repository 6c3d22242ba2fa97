"""``solutions/`` is the single source: ``vnetlab generate`` derives ``exercises/`` from it, in nbgrader's markup,
and the two are in sync. An instructor relies on the nbgrader metadata being valid; a learner on the exercise
holding no solution, no hidden test and no output, and running top to bottom (executed in test_grading.py).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import vnetlab.grading as g
from shipped import shipped_notebook, shipped_text
from vnetlab.cli import main
from vnetlab.errors import GradingError
from vnetlab.grading.core import PLACEHOLDER_LEARNER
from vnetlab.grading.generate import CODE_STUB, exercise_notebook, generate, render

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def read(path: Path):
    return nbformat.read(str(path), as_version=4)


def test_there_is_a_solution_for_every_graded_exercise():
    assert [p.stem for p in SOLUTIONS] == sorted(g.EXERCISES)


def test_shipped_exercises_are_what_the_solutions_generate():
    for path in SOLUTIONS:
        assert shipped_text(ROOT / "exercises" / path.name) == render(path)


def test_the_vnetlab_command_checks_sync_from_a_shell(tmp_path):
    (tmp_path / "exercises").mkdir()
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    for path in SOLUTIONS:  # the shipped exercises: a learner may be filling in the working copies
        (tmp_path / "exercises" / path.name).write_text(shipped_text(ROOT / "exercises" / path.name), encoding="utf-8")
    done = subprocess.run([str(Path(sys.executable).with_name("vnetlab")), "generate", "--check"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "up to date" in done.stdout


def test_check_exits_non_zero_when_exercises_are_stale_missing_or_orphaned(tmp_path, capsys):
    src, dst = tmp_path / "solutions", tmp_path / "exercises"
    shutil.copytree(ROOT / "solutions", src)
    assert main(["generate", str(src), str(dst), "--check"]) == 1  # missing
    assert main(["generate", str(src), str(dst)]) == 0
    assert main(["generate", str(src), str(dst), "--check"]) == 0
    nb = read(src / SOLUTIONS[0].name)
    nb.cells[0].source += "\nA changed sentence."
    nbformat.write(nb, str(src / SOLUTIONS[0].name))
    assert main(["generate", str(src), str(dst), "--check"]) == 1
    assert "out of date" in capsys.readouterr().out
    main(["generate", str(src), str(dst)])
    shutil.copy(dst / SOLUTIONS[0].name, dst / "99-orphan.ipynb")
    assert main(["generate", str(src), str(dst), "--check"]) == 1
    assert "no solution notebook" in capsys.readouterr().out


def test_generation_is_deterministic_and_writes_nothing_when_up_to_date(tmp_path):
    first = [render(p) for p in SOLUTIONS]
    assert first == [render(p) for p in SOLUTIONS]
    generate(ROOT / "solutions", tmp_path)
    assert generate(ROOT / "solutions", tmp_path) == []


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_the_exercise_keeps_no_solution_hidden_test_or_output(path):
    solution, exercise = read(path), shipped_notebook(ROOT / "exercises" / path.name)
    assert len(solution.cells) == len(exercise.cells)
    for sol, ex in zip(solution.cells, exercise.cells):
        assert sol.id == ex.id and sol.metadata == ex.metadata and sol.cell_type == ex.cell_type
        assert not any(m in ex.source for m in MARKERS)
        if "BEGIN SOLUTION" in sol.source:
            kept = sol.source.split("### BEGIN SOLUTION")[0]
            assert ex.source == kept + CODE_STUB + sol.source.split("### END SOLUTION")[1]
        if "BEGIN HIDDEN TESTS" in sol.source:
            assert "verify(" not in ex.source and "ex.check(" in ex.source
        if ex.cell_type == "code":
            assert ex.outputs == [] and ex.execution_count is None
    assert 'LEARNER = "instructor"' not in nbformat.writes(exercise)
    learner_cell = next(c for c in exercise.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "learner")
    assert learner_cell.source.startswith(f'LEARNER = "{PLACEHOLDER_LEARNER}"')
    assert "widgets" not in exercise.metadata


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_solutions_carry_valid_nbgrader_metadata_matching_the_questions(path):
    nb = read(path)
    nbformat.validate(nb)
    spec = g.spec(nb.metadata["vnetlab"]["exercise"])
    assert spec.name == path.stem
    cells = [c.metadata["nbgrader"] for c in nb.cells if "nbgrader" in c.metadata]
    ids = [c["grade_id"] for c in cells]
    assert len(ids) == len(set(ids)), "grade ids are unique"
    for meta in cells:
        assert meta["schema_version"] == 3 and {"grade", "solution", "locked", "task"} <= set(meta)
        assert not (meta["solution"] and meta["locked"]), meta["grade_id"]
    graded = {c["grade_id"]: c["points"] for c in cells if c["grade"]}
    assert graded == {f"{q.id}-check": q.points for q in spec.questions}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if "BEGIN SOLUTION" in cell.source:
            assert meta.get("solution") and cell.cell_type == "code"
        if "BEGIN HIDDEN TESTS" in cell.source:
            assert meta.get("grade") and meta.get("locked")
    for q in spec.questions:
        answer_cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == f"{q.id}-answer")
        if not q.widget:
            assert re.match(rf"{q.answer} = ", answer_cell.source), "the stub gives the answer variable a value"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_solutions_are_stored_clean_with_kernel_and_lesson_link(path):
    nb = read(path)
    assert all(c.outputs == [] and c.execution_count is None for c in nb.cells if c.cell_type == "code")
    assert nb.metadata["kernelspec"] == {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    assert nb.metadata["language_info"]["name"] == "python"
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert g.spec(nb.metadata["vnetlab"]["exercise"]).lesson in markdown  # a link to the exercise's lesson


def test_region_markup_mistakes_are_refused():
    def nb_with(source, **nbgrader):
        cell = nbformat.v4.new_code_cell(source, metadata={"nbgrader": {"grade_id": "x", "schema_version": 3,
                                                                        **nbgrader}})
        return nbformat.v4.new_notebook(cells=[cell])

    with pytest.raises(GradingError, match="not an nbgrader solution cell"):
        exercise_notebook(nb_with("### BEGIN SOLUTION\nx = 1\n### END SOLUTION"))
    with pytest.raises(GradingError, match="never closed"):
        exercise_notebook(nb_with("### BEGIN SOLUTION\nx = 1", solution=True))
    with pytest.raises(GradingError, match="nested"):
        exercise_notebook(nb_with("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", solution=True))
    with pytest.raises(GradingError, match="without"):
        exercise_notebook(nb_with("x = 1\n### END SOLUTION", solution=True))
    with pytest.raises(GradingError, match="not an nbgrader grade cell"):
        exercise_notebook(nb_with("### BEGIN HIDDEN TESTS\nassert 1\n### END HIDDEN TESTS", solution=True))
    out = exercise_notebook(nb_with("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION", solution=True))
    assert out.cells[0].source == "def f():\n    " + CODE_STUB


def test_generate_without_solutions_is_an_error(tmp_path, capsys):
    assert main(["generate", str(tmp_path), str(tmp_path / "out")]) == 2
    assert "No solution notebooks" in capsys.readouterr().err
