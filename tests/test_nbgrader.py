"""nbgrader, the other way to grade: an instructor who runs nbgrader on ``solutions/`` gets our ``exercises/``
as the release, and a worked solution autogrades to full marks (an unanswered exercise to zero).

nbgrader comes with the test extra (``pip install -e '.[test]'``, which ``make test`` runs), so these tests
never skip: without nbgrader they fail and say how to install it. Everything runs in a throw-away course
directory with its own home and Jupyter folders, so nothing reads or writes the user's nbgrader set-up.
"""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from shipped import shipped_notebook, shipped_text

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted(p.name for p in (ROOT / "solutions").glob("*.ipynb"))
ASSIGNMENT = "vnetlab"
# Our stub (vnetlab.grading.generate): an answer cell keeps its "unanswered" line and the solution region becomes
# this one line, so the exercise runs top to bottom. nbgrader's default stub adds `raise NotImplementedError()`.
CONFIG = """c = get_config()
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_url = {db!r}
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE"}}
c.ExecutePreprocessor.timeout = 300
"""
MISSING = ("nbgrader is not installed in this environment. It comes with the test extra: run "
           "`.venv/bin/pip install -e '.[test]'` (or `make test`, which installs it).")


def nbgrader_env(home: Path) -> dict[str, str]:
    """The environment for nbgrader: this interpreter's bin first (nbgrader runs the `alembic` command it
    installs), and a home and Jupyter folders of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env.update(PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}", HOME=str(home),
               JUPYTER_CONFIG_DIR=str(home / ".jupyter"), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"))
    return env


def nbgrader(course: Path, *args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=nbgrader_env(course.parent),
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """An nbgrader course: source/vnetlab/ holds every solution notebook (as shipped), released with
    `nbgrader generate_assignment`."""
    assert importlib.util.find_spec("nbgrader") is not None, MISSING
    course = tmp_path_factory.mktemp("nbgrader") / "course"
    source = course / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(
        CONFIG.format(root=str(course), db=f"sqlite:///{course / 'gradebook.db'}"), encoding="utf-8")
    for name in SOLUTIONS:
        (source / name).write_text(shipped_text(ROOT / "solutions" / name), encoding="utf-8")
    nbgrader(course, "generate_assignment", ASSIGNMENT)
    return course


@pytest.fixture(scope="module")
def autograded(course) -> Path:
    """The course after `nbgrader autograde`: student "solved" handed in the solutions, "blank" the
    exercises unanswered."""
    for student, folder in (("solved", "solutions"), ("blank", "exercises")):
        submitted = course / "submitted" / student / ASSIGNMENT
        submitted.mkdir(parents=True)
        for name in SOLUTIONS:
            (submitted / name).write_text(shipped_text(ROOT / folder / name), encoding="utf-8")
    nbgrader(course, "autograde", ASSIGNMENT, "--create")
    return course


def comparable(nb: nbformat.NotebookNode, released: bool) -> list[dict]:
    """A notebook's cells as what must agree between nbgrader's release and our exercise."""
    cells = []
    for cell in nb.cells:
        metadata = dict(cell.metadata)
        grading = dict(metadata.pop("nbgrader", {}))
        if released and grading:
            # nbgrader's ComputeChecksums records each graded/locked cell's checksum and type, its own integrity
            # check for autograding; our exercises do not carry them (`vnetlab grade` re-runs every check in the
            # grader's process, so an edited cell cannot change a score).
            grading.pop("checksum")
            grading.pop("cell_type")
            # nbgrader's LockCells marks these cells as not deletable (locked ones also not editable) in the
            # release; our exercises leave the notebook editable. Only `False` may be set, nothing else.
            for flag in ("deletable", "editable"):
                assert metadata.pop(flag, False) is False, (cell.id, flag)
        if grading:
            metadata["nbgrader"] = grading
        # Compared as they are: the cell id, type, source (after nbgrader's solution stubs and its removal of
        # hidden tests), the remaining metadata; outputs and execution counts are empty in both.
        cells.append({"id": cell.get("id"), "cell_type": cell.cell_type, "source": cell.source,
                      "metadata": metadata, "outputs": cell.get("outputs"),
                      "execution_count": cell.get("execution_count")})
    return cells


@pytest.mark.parametrize("name", SOLUTIONS)
def test_nbgrader_release_of_a_solution_is_our_exercise(course, name):
    released = nbformat.read(str(course / "release" / ASSIGNMENT / name), as_version=4)
    exercise = shipped_notebook(ROOT / "exercises" / name)
    assert released.metadata == exercise.metadata
    assert comparable(released, released=True) == comparable(exercise, released=False)


def scores(course: Path, student: str) -> dict[str, tuple[float, float]]:
    """nbgrader's gradebook: notebook -> (score, max score) for ``student``."""
    from nbgrader.api import Gradebook

    env = nbgrader_env(course.parent)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", env["PATH"])  # the gradebook runs `alembic` to check its schema
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
            return {nb.name + ".ipynb": (nb.score, nb.max_score)
                    for nb in gradebook.find_submission(ASSIGNMENT, student).notebooks}


@pytest.mark.notebooks
def test_nbgrader_autogrades_every_solution_to_full_marks(autograded):
    got = scores(autograded, "solved")
    assert sorted(got) == SOLUTIONS
    assert {name: score for name, (score, top) in got.items() if score != top} == {}
    assert all(top > 0 for _, top in got.values())


@pytest.mark.notebooks
def test_nbgrader_gives_an_unanswered_exercise_no_marks(autograded):
    """The hidden tests (restored by nbgrader from its gradebook) fail an unanswered question, so full marks
    above come from the worked answers, not from nbgrader crediting any cell that runs."""
    got = scores(autograded, "blank")
    assert sorted(got) == SOLUTIONS
    assert {name: score for name, (score, _) in got.items() if score != 0} == {}
