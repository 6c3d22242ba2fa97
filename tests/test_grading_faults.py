"""A batch of faulty submissions graded with the normal ones, as an instructor's real batch is: every file gets
its row and a reason, the others are graded as if alone, nothing is lost and no process is left behind.

One batch, graded once with short time limits (two notebooks at a time, as on the 2-core machine the suite
runs on). Expected points come from the question specs, never from the grader's own output.
"""
from __future__ import annotations

import secrets
import sys
from pathlib import Path

import nbformat
import pytest

import vnetlab.grading as g
from vnetlab.cli import main

sys.path.insert(0, str(Path(__file__).parent))
from grading_support import (EX1, EX2, MAX, descendants, insert_after, kernels_of_this_process,  # noqa: E402
                             learner, light, notebook, processes_with, rows_by_folder, sandbox_flags, save)

POINTS = {qid: g.spec(EX1).question(qid).points for qid in ("q1", "q2", "q4")}
# a grandchild whose command line carries a token, found afterwards by scanning /proc (inside a sandbox it could
# not write its pid where the test can read it, and its pid there is the sandbox's own)
GRANDCHILD = '''
import subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", %(token)r])
'''
STUBBORN = GRANDCHILD + '''
import time
while True:
    try:
        time.sleep(0.2)
    except KeyboardInterrupt:
        pass
'''
KILLER = GRANDCHILD + '''
import os, signal
os.kill(os.getpid(), signal.SIGKILL)
'''
# One request far beyond the kernel's address-space limit: it fails at once, where filling memory 100 MB at a time
# took longer than the 5 s cell limit on a loaded machine (the zero-filling, not the limit, was what took time).
HOG = '''
hog = [bytearray(16 * 2**30)]
'''


def solution(who: str):
    return learner(light(notebook("solutions", EX1)), who)


def without(nb, grade_id: str):
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != grade_id]
    return nb


def moved_to_end(nb, grade_id: str):
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    nb.cells.remove(cell)
    nb.cells.append(cell)
    return nb


@pytest.fixture(scope="module")
def fault_batch(tmp_path_factory):
    base = tmp_path_factory.mktemp("faults")
    subs = base / "submissions"
    for folder, content in (("notjson", "this is not JSON"), ("notnotebook", '{"hello": "world"}'), ("empty", "")):
        (subs / folder).mkdir(parents=True)
        (subs / folder / f"{EX1}.ipynb").write_text(content)
    save(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), subs / "unknown" / "homework.ipynb")
    tokens = {who: f"vnetlab-test-grandchild-{who}-{secrets.token_hex(6)}" for who in ("stubborn", "killer")}
    save(insert_after(solution("raiser"), "q1-check", "1 / 0"), subs / "raiser" / f"{EX1}.ipynb")
    save(insert_after(solution("looper"), "q2-check", "while True:\n    pass"), subs / "looper" / f"{EX1}.ipynb")
    save(insert_after(solution("hog"), "q1-check", HOG), subs / "hog" / f"{EX1}.ipynb")
    save(insert_after(solution("crasher"), "q1-check", "import os\nos._exit(1)"), subs / "crasher" / f"{EX1}.ipynb")
    save(insert_after(solution("killer"), "q1-check", KILLER % {"token": tokens["killer"]}),
         subs / "killer" / f"{EX1}.ipynb")
    save(insert_after(solution("stubborn"), "setup", STUBBORN % {"token": tokens["stubborn"]}),
         subs / "stubborn" / f"{EX1}.ipynb")
    save(without(solution("deleter"), "q2-answer"), subs / "deleter" / f"{EX1}.ipynb")
    save(moved_to_end(solution("mover"), "q1-answer"), subs / "mover" / f"{EX1}.ipynb")
    # the normal ones: a solution, an untouched exercise, and dave handing in carol's notebook (graded as dave)
    save(solution("sol"), subs / "sol" / f"{EX1}.ipynb")
    save(learner(light(notebook("exercises", EX2)), "fresh"), subs / "fresh" / f"{EX2}.ipynb")
    save(learner(light(notebook("solutions", EX2)), "carol"), subs / "dave" / f"{EX2}.ipynb")
    out = base / "out"
    before = descendants()
    code = main(["grade", str(subs), "--out", str(out), "--timeout", "20", "--cell-timeout", "5", "--jobs", "2",
                 "--learner-from", "folder", "--no-progress", *sandbox_flags()])
    return {"code": code, "csv": rows_by_folder(out), "out": out, "tokens": tokens, "files": 15,
            "before": before, "after": descendants()}


STATUS = {"notjson": "corrupt", "notnotebook": "corrupt", "empty": "corrupt", "unknown": "unknown-exercise",
          "raiser": "errors", "looper": "timeout", "hog": "memory", "crasher": "kernel-died", "killer": "kernel-died",
          "stubborn": "timeout", "deleter": "errors", "mover": "errors", "sol": "ok", "fresh": "ok", "dave": "ok"}
REASON = {"notjson": "not valid JSON", "notnotebook": "not a Jupyter notebook", "empty": "the file is empty",
          "unknown": "not one of the graded exercises", "raiser": "raised ZeroDivisionError",
          "looper": "ran longer than 5 s and was interrupted", "hog": "ran out of memory (the limit is 2048 MB)",
          "crasher": "the kernel died", "killer": "the kernel died", "stubborn": "did not finish within 20 s",
          "deleter": "NameError: name 'merger' is not defined", "mover": "NameError: name 'plan' is not defined",
          "sol": "", "fresh": "", "dave": "'carol'"}


def test_every_file_gets_one_row_with_its_status_and_reason(fault_batch):
    rows = fault_batch["csv"]
    assert fault_batch["code"] == 0
    assert len(rows) == fault_batch["files"] == len(STATUS)
    assert {k: rows[k]["status"] for k in rows} == STATUS
    for folder, reason in REASON.items():
        assert reason in rows[folder]["reason"] and (reason or rows[folder]["reason"] == ""), (folder, rows[folder])
        assert rows[folder]["learner"] == folder  # --learner-from folder, even for unreadable files
    assert len(list((fault_batch["out"] / "feedback").glob("*.md"))) == len(STATUS)


def test_what_was_defined_around_a_failing_cell_is_still_graded(fault_batch):
    rows = fault_batch["csv"]
    points = lambda folder: {k: float(rows[folder][k]) for k in POINTS}  # noqa: E731
    for folder in ("raiser", "looper", "hog", "sol"):
        assert points(folder) == POINTS, rows[folder]
    assert points("deleter") == {**POINTS, "q2": 0}  # the deleted answer only
    assert points("mover") == POINTS  # the answer is defined by the end, where the answers are taken out
    for folder in ("crasher", "killer", "stubborn"):
        assert float(rows[folder]["total"]) == 0, rows[folder]


def test_normal_submissions_in_a_faulty_batch_are_graded_normally(fault_batch):
    rows = fault_batch["csv"]
    assert float(rows["sol"]["total"]) == MAX[EX1] - g.spec(EX1).question("q3").points  # q3: no widget cell
    assert float(rows["fresh"]["total"]) == 0
    assert 0 < float(rows["dave"]["total"]) < MAX[EX2]  # carol's answers against dave's givens


def test_no_kernel_or_process_it_started_is_left_behind(fault_batch):
    assert kernels_of_this_process() == []
    assert fault_batch["after"] <= fault_batch["before"]
    for who, token in fault_batch["tokens"].items():
        assert processes_with(token) == [], who  # a grandchild, reparented when the kernel died
