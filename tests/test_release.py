"""``vnetlab release``: the tree an instructor publishes for a class holds no answers and no hidden checks.

A release is built into a temporary folder with the command an instructor runs, then scanned: no
``solutions/``, none of the worked solutions' lines in its exercises, no solution or hidden-test markers, and
none of the hidden checks (their names, their rules, the functions only they use) anywhere in it. Its package
is then used as a learner uses it, from the release alone: every exercise loads with its visible checks only,
``vnetlab grade`` refuses to grade with it, and an exercise notebook runs in a kernel that imports vnetlab from
the release, where ``check`` runs the visible checks and says hidden ones remain.
"""
from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import vnetlab.grading as g
from vnetlab.cli import main
from vnetlab.errors import GradingError
from vnetlab.grading.generate import BEGIN_SOLUTION, END_SOLUTION, render
from vnetlab.grading.instructor import full_spec
from vnetlab.grading.release import BEGIN_HIDDEN, learner_readme, release, strip_hidden

ROOT = Path(__file__).resolve().parents[1]
FACT_SHEET = re.compile(r"azure-facts|fact sheet|§\s*\d|\(S\d+\)", re.IGNORECASE)


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("class") / "vnetlab-class"
    assert main(["release", "--out", str(out), "--course", str(ROOT)]) == 0
    return out


def texts(tree: Path) -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in tree.rglob("*") if p.is_file()}


def hidden_checks():
    return [(name, q.id, c) for name in g.EXERCISES for q in full_spec(name).questions for c in q.hidden]


def hidden_only_functions() -> set[str]:
    """Functions of the question modules that are defined inside a hidden-check region."""
    found = set()
    for module in set(g.EXERCISES.values()):
        source = Path(importlib.import_module(f"vnetlab.grading.{module}").__file__).read_text(encoding="utf-8")
        kept = strip_hidden(source, module)
        found |= set(re.findall(r"^def (\w+)\(", source, re.M)) - set(re.findall(r"^def (\w+)\(", kept, re.M))
    return found


def test_the_release_holds_the_course_for_a_learner(published):
    assert sorted(p.name for p in (published / "notebooks").glob("*.ipynb")) == sorted(
        p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        assert (published / "exercises" / path.name).read_text(encoding="utf-8") == render(path)
    for name in ("README.md", "pyproject.toml", "environment.yml", "postBuild", "Makefile", "jupyter/overrides.json",
                 "vnetlab/__init__.py", "vnetlab/data/addressing.yaml"):
        assert (published / name).is_file(), name
    assert os.access(published / "postBuild", os.X_OK)
    for path in published.rglob("*.ipynb"):
        nb = nbformat.read(str(path), as_version=4)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), path.name


def solution_lines(path: Path) -> set[str]:
    """The lines of a solution notebook's solution regions that appear nowhere else in it: the worked answers."""
    inside, outside = set(), set()
    for cell in nbformat.read(str(path), as_version=4).cells:
        within = False
        for line in cell.source.split("\n"):
            if BEGIN_SOLUTION in line or END_SOLUTION in line:
                within = BEGIN_SOLUTION in line
                continue
            (inside if within else outside).add(line.strip())
    return {line for line in inside - outside if len(line) > 12}


def test_the_release_holds_no_solutions(published):
    assert not (published / "solutions").exists() and not (published / "tests").exists()
    for path, text in texts(published).items():
        for marker in (BEGIN_SOLUTION, END_SOLUTION, "BEGIN HIDDEN TESTS", "instructor import verify"):
            assert marker not in text or path.suffix == ".py", (path, marker)
    found = 0
    for solution in sorted((ROOT / "solutions").glob("*.ipynb")):
        answers = solution_lines(solution)
        found += len(answers)
        exercise = nbformat.read(str(published / "exercises" / solution.name), as_version=4)
        lines = {line.strip() for c in exercise.cells for line in c.source.split("\n")}
        assert not answers & lines, solution.name
    assert found > 100  # the scan has something to look for


def test_the_release_holds_no_hidden_check(published):
    checks = hidden_checks()
    functions = hidden_only_functions()
    assert len(checks) >= 30 and len(functions) >= 20
    for path, text in texts(published).items():
        for name, qid, check in checks:
            assert check.name not in text and check.rule not in text, (path, name, qid, check.name)
        found = [f for f in functions if re.search(rf"\b{f}\b", text)]
        assert not found, (path, found)
        assert BEGIN_HIDDEN not in text or path.name in ("release.py", "instructor.py"), path


def test_hidden_checks_name_a_rule_for_the_learner_with_its_public_source():
    for name, qid, check in hidden_checks():
        assert check.rule and len(check.rule) > 20, (name, qid, check.name)
        assert not FACT_SHEET.search(check.rule), (name, qid, check.rule)  # learners cannot read our fact sheet
    cited = [c.source for _, _, c in hidden_checks() if c.source]
    # Without a single source, by design: the claim audits cite one document per claim (in the givens), and
    # exercise 11's minimal-repair check states a course rule (change the setting at fault), not an Azure fact.
    unsourced = {(name, check.name) for name, _, check in hidden_checks() if not check.source}
    assert unsourced <= {("10-choosing-a-design", "Verdicts of the other claims"),
                         ("10-choosing-a-design", "Key facts of the other claims"),
                         ("10-choosing-a-design", "Every claim matches the audit"),
                         ("11-troubleshooting", "The repair is minimal (a setting, not renumbering or deletion)")}
    for source in cited:
        assert re.match(r"https://(learn\.microsoft\.com|github\.com)/", source) and re.search(
            r"\((\d{4}-\d{2}-\d{2}|undated)\)", source) and not FACT_SHEET.search(source), source


def test_the_learner_readme_keeps_the_learners_sections_only(published):
    text = (published / "README.md").read_text(encoding="utf-8")
    assert "### For a learner" in text and "## Interview drills" in text and "## Course map" in text
    for absent in ("For an instructor", "Running a workshop", "solutions/", "vnetlab grade", "azure-facts",
                   "For contributors"):
        assert absent not in text, absent
    assert learner_readme("# x\n## Course map\nkept\n## Benchmarks\ndropped\n").endswith("## Course map\nkept\n")


def learner_python(published: Path, code: str) -> subprocess.CompletedProcess:
    """Python with the release first on the path (as if the learner had installed it), outside the course."""
    env = {**os.environ, "PYTHONPATH": str(published)}
    return subprocess.run([sys.executable, "-c", code], cwd=published, env=env, capture_output=True, text=True,
                          timeout=300)


def test_the_released_package_has_visible_checks_only_and_cannot_grade(published):
    run = learner_python(published, (
        "import json, vnetlab, vnetlab.grading as g\n"
        "print(json.dumps({'file': vnetlab.__file__, 'checks': {n: {q.id: [len(q.visible), len(q.hidden)] "
        "for q in g.spec(n).questions} for n in g.EXERCISES}}))\n"))
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    assert Path(seen["file"]).is_relative_to(published)
    for name in g.EXERCISES:
        full = {q.id: [len(q.visible), 0] for q in full_spec(name).questions}
        assert seen["checks"][name] == full, name  # every visible check, no hidden one
    graded = subprocess.run([sys.executable, "-m", "vnetlab.cli", "grade", "exercises", "--out", "gradebook"],
                            cwd=published, env={**os.environ, "PYTHONPATH": str(published)}, capture_output=True,
                            text=True, timeout=300)
    assert graded.returncode == 2 and "learner release" in graded.stderr and not (published / "gradebook").exists()


def test_an_exercise_runs_from_the_release_with_visible_checks(published):
    path = published / "exercises" / "04-vnet-to-vnet-vs-site-to-site.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import vnetlab, vnetlab.grading.instructor as instructor\n"
        "fb = ex.check('q1', {'lng-vnet2': [str(r) for r in net1.vnet('vnet2').address_space]})\n"
        "try:\n    instructor.verify(ex, 'q1', {})\n    refused = False\n"
        "except Exception as exc:\n    refused = 'learner release' in str(exc)\n"
        "print(vnetlab.__file__, fb.visible_passed, len(fb.result.checks), refused)\nprint(fb)\n"))
    client = NotebookClient(nb, kernel_name="python3", timeout=300, startup_timeout=120,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute(env={**os.environ, "PYTHONPATH": str(published)})
    out = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    file, passed, count, refused = out.splitlines()[0].split()
    assert Path(file).is_relative_to(published) and passed == "True" and refused == "True"
    assert int(count) == len(full_spec("04-vnet-to-vnet-vs-site-to-site").question("q1").visible)
    assert "hidden checks run only when your notebook is graded" in out and "not your final score" in out


def test_release_refuses_to_mix_with_an_existing_folder_or_to_run_without_solutions(tmp_path, published):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "stale.txt").write_text("x")
    with pytest.raises(GradingError, match="not empty"):
        release(ROOT, tmp_path / "old")
    with pytest.raises(GradingError, match="instructor's copy"):
        release(published, tmp_path / "again")
    with pytest.raises(GradingError, match="folder of its own"):
        release(ROOT, ROOT / "vnetlab" / "out")
    with pytest.raises(GradingError, match="never closed"):
        strip_hidden(f"a = 1\n{BEGIN_HIDDEN}\nb = 2\n", "m.py")
