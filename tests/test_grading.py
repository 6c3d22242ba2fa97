"""``vnetlab grade`` as an instructor relies on it: solutions score full marks, fresh exercises score zero with
feedback, widget answers recorded in the sidecar count, every faulty submission gets its row and reason without
stopping the batch or leaving a kernel behind, and tampering inside the learner's kernel gains nothing.

Two batches, each graded once (a kernel takes seconds to start): a class of ordinary submissions and a set of
faulty ones. Expected scores come from the question specs' points and from scoring the same answers in this
process (``evaluate``), never from the grader's own output.
"""
from __future__ import annotations

import csv
import json
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

import vnetlab.grading as g
from vnetlab.grading.instructor import full_spec
from vnetlab.cli import main
from vnetlab.grading.core import evaluate
from vnetlab.grading.grader import Options, extraction_source, grade
from vnetlab.grading.plain import to_plain

sys.path.insert(0, str(Path(__file__).parent))
from grading_support import (EX1, EX2, MAX, insert_after, kernels_of_this_process, learner, light,  # noqa: E402
                             grading_sandbox, notebook, record_for, rows_by_folder, save, score_here,
                             set_cell)
from test_questions import forgot_reserved_q1, model_answer  # noqa: E402  (model answers from the fact sheet)


# --- batch 1: a class ----------------------------------------------------------------------------------------------------
TAMPER = r'''
import json, builtins
import vnetlab.grading as g, vnetlab.grading.core as core, vnetlab.addressing as addressing
# check() always cheers, the engine and the evaluator lie, the givens become easy
g.Exercise.check = lambda self, qid, answer=None: print("All checks passed! 16/16, full marks.")
addressing.find_overlaps = lambda prefixes: []
addressing.subnet_info = lambda prefix: None
core.evaluate = lambda *args, **kwargs: None
object.__setattr__(g.spec("01-address-spaces"), "givens", lambda who, qid: {"space": "10.0.0.0/8", "hosts": {}})
# fake answers behind guessed markers, and a hook that copies the real marker onto a copied answer
STOLEN = %(stolen)s
print("VNETLAB-ANSWERS- " + json.dumps({"learner": "mallory", "answers": STOLEN}))
def _inject(result):
    source = result.info.raw_cell
    if "VNETLAB-ANSWERS-" in source:
        marker = source[source.index("VNETLAB-ANSWERS-"):].split("'")[0].split("\\")[0]
        builtins.print(marker + json.dumps({"learner": "mallory", "answers": STOLEN}), flush=True)
get_ipython().events.register("post_run_cell", _inject)
'''


@pytest.fixture(scope="module")
def class_batch(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    # the solutions, and the exercises as generated
    save(notebook("solutions", EX1), base / "sol1" / f"{EX1}.ipynb")
    save(notebook("solutions", EX2), base / "sol2" / f"{EX2}.ipynb")
    save(notebook("exercises", EX1), base / "fresh1" / f"{EX1}.ipynb")
    save(notebook("exercises", EX2), base / "fresh2" / f"{EX2}.ipynb")
    # carol: the worked solution under her own id, her widget answer recorded by clicking
    save(learner(light(notebook("solutions", EX1)), "carol"), base / "carol" / f"{EX1}.ipynb")
    record_for(base / "carol", "carol", EX1, "q3")
    # bob: an exercise with one realistic mistake in code and the widget answer in the sidecar only
    bob = g.exercise(EX1, "bob", answers_path=str(base / "x.json"))
    bob_plan = forgot_reserved_q1(bob, model_answer(bob, "q1"))
    nb = learner(light(notebook("exercises", EX1)), "bob")
    save(set_cell(nb, "q1-answer", f"plan = {bob_plan!r}"), base / "bob" / f"{EX1}.ipynb")
    record_for(base / "bob", "bob", EX1, "q3")
    bob_q1 = evaluate(g.spec(EX1).question("q1"), bob_plan, bob.givens("q1")).earned
    # mallory: wrong answers, plus every trick against the grader
    mallory = g.exercise(EX1, "mallory", answers_path=str(base / "x.json"))
    wrong = {"plan": forgot_reserved_q1(mallory, model_answer(mallory, "q1")),
             "ranges": {p: "private" for p in mallory.givens("q4")["candidates"]}}
    alice = g.exercise(EX1, "alice", answers_path=str(base / "x.json"))
    stolen = {"plan": model_answer(alice, "q1"), "merger": to_plain(model_answer(alice, "q2")),
              "ranges": model_answer(alice, "q4")}
    nb = learner(light(notebook("exercises", EX1)), "mallory")
    set_cell(nb, "q1-answer", f"plan = {wrong['plan']!r}")
    set_cell(nb, "q4-answer", f"ranges = {wrong['ranges']!r}")
    insert_after(nb, "setup", TAMPER % {"stolen": repr(stolen)})
    save(nb, base / "mallory" / f"{EX1}.ipynb")
    out = base / "out"
    before = kernels_of_this_process()
    rows = grade([base], Options(out=out, timeout=300, cell_timeout=150, jobs=4, sandbox=grading_sandbox()))
    return {"rows": rows, "csv": rows_by_folder(out), "out": out, "base": base, "before": before,
            "mallory_expected": score_here(EX1, "mallory", wrong), "bob_q1": bob_q1}


def test_solutions_score_full_marks_and_their_hidden_tests_pass(class_batch):
    for folder, name in (("sol1", EX1), ("sol2", EX2)):
        row = class_batch["csv"][folder]
        assert (row["status"], float(row["total"]), float(row["max"])) == ("ok", MAX[name], MAX[name]), row


def test_fresh_exercises_run_to_the_end_and_score_zero_with_feedback(class_batch):
    for folder, name in (("fresh1", EX1), ("fresh2", EX2)):
        row = class_batch["csv"][folder]
        assert row["status"] == "ok" and float(row["total"]) == 0, row
        assert "your-name" in row["reason"]
    text = (class_batch["out"] / "feedback" / f"your-name-{EX1}.md").read_text()
    assert text.count("No answer") >= 4 and "Score: **0 / 16**" in text


def test_another_learner_with_the_solution_method_also_gets_full_marks(class_batch):
    row = class_batch["csv"]["carol"]
    assert (row["learner"], row["status"], float(row["total"])) == ("carol", "ok", MAX[EX1])


def test_partial_credit_per_check_and_widget_answers_from_the_sidecar(class_batch):
    row = class_batch["csv"]["bob"]
    assert float(row["q3"]) == g.spec(EX1).question("q3").points
    assert 0 < float(row["q1"]) < g.spec(EX1).question("q1").points
    assert float(row["q1"]) == pytest.approx(class_batch["bob_q1"], abs=0.01)
    feedback = (class_batch["out"] / "feedback" / f"bob-{EX1}.md").read_text()
    assert "Forgot the reserved addresses" in feedback


def test_tampering_inside_the_kernel_gains_nothing(class_batch):
    row = class_batch["csv"]["mallory"]
    assert float(row["total"]) == pytest.approx(class_batch["mallory_expected"], abs=0.01)
    assert float(row["total"]) < MAX[EX1] / 2
    feedback = (class_batch["out"] / "feedback" / f"mallory-{EX1}.md").read_text()
    # the printed claim is never reported as a result; a tamper finding may quote it, as an imitation
    assert all("imitates" in line for line in feedback.splitlines() if "All checks passed" in line)


def test_feedback_names_the_rule_of_a_failed_hidden_check_never_its_name_or_message(class_batch):
    out = class_batch["out"]
    hidden = {c.name for name in (EX1, EX2) for q in g.spec(name).questions for c in q.hidden}
    rules = {(name, q.id, c.name): c.rule for name in (EX1, EX2) for q in full_spec(name).questions for c in q.hidden}
    for path in (out / "feedback").glob("*.md"):
        text = path.read_text()
        assert not any(name in text for name in hidden), path.name
    assert "Hidden checks:" in (out / "feedback" / f"instructor-{EX1}.md").read_text()
    with open(out / "checks.csv", newline="", encoding="utf-8") as f:
        every = list(csv.DictReader(f))
    rows = [r for r in every if r["visible"] == "False"]
    assert {r["check"] for r in rows} == hidden  # the instructor sees them all
    one_message, shown = {}, {}  # per answer: every check's message; the visible checks' messages
    for r in every:
        one_message.setdefault((r["learner"], r["exercise"], r["question"]), set()).add(r["message"])
        if r["visible"] == "True":
            shown.setdefault((r["learner"], r["exercise"], r["question"]), set()).add(r["message"])
    taught = 0
    for r in rows:
        if r["earned"] == r["possible"] or len(one_message[(r["learner"], r["exercise"], r["question"])]) == 1:
            continue  # passed, or no answer / an unreadable one (the feedback says why instead)
        text = (out / "feedback" / f"{r['learner']}-{r['exercise']}.md").read_text()
        assert rules[(r["exercise"], r["question"], r["check"])] in text, r
        # (a message shared with a visible check, e.g. "the answer is a guess", is shown for that one)
        assert r["message"] not in text or r["message"] in shown[(r["learner"], r["exercise"], r["question"])], r
        taught += 1
    assert taught  # the batch has answers that miss a hidden check


def test_class_statistics_per_question(class_batch):
    with open(class_batch["out"] / "stats.csv", newline="", encoding="utf-8") as f:
        stats = {(r["exercise"], r["question"]): r for r in csv.DictReader(f)}
    q3 = stats[(EX1, "q3")]
    # sol1, carol and bob recorded a right plan; the fresh exercise and mallory recorded none
    assert (int(q3["submissions"]), int(q3["full_marks"]), int(q3["zero"])) == (5, 3, 2)


def test_no_kernel_is_left_behind(class_batch):
    assert kernels_of_this_process() == class_batch["before"] == []


# --- re-running a batch ---------------------------------------------------------------------------------------------------
def test_grading_again_gives_the_same_reports_and_drops_feedback_of_removed_submissions(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    save(learner(light(notebook("solutions", EX1)), "erin"), subs / "erin" / f"{EX1}.ipynb")
    (subs / "gone").mkdir(parents=True)
    (subs / "gone" / f"{EX1}.ipynb").write_text("not a notebook")
    args = ["grade", str(subs), "--out", str(out), "--learner-from", "folder", "--no-progress"]
    owned = ("gradebook.csv", "checks.csv", "stats.csv")
    assert main(args) == 0
    first = {name: (out / name).read_text() for name in owned}
    first_feedback = {p.name: p.read_text() for p in (out / "feedback").iterdir()}
    assert set(first_feedback) == {f"erin-{EX1}.md", "gone-unknown.md", f"erin-{EX1}.html", "gone-unknown.html"}
    assert main(args) == 0
    assert {name: (out / name).read_text() for name in owned} == first  # timings.csv alone may differ
    assert {p.name: p.read_text() for p in (out / "feedback").iterdir()} == first_feedback
    shutil.rmtree(subs / "gone")
    assert main(args) == 0
    assert sorted(p.name for p in (out / "feedback").iterdir()) == [f"erin-{EX1}.html", f"erin-{EX1}.md"]
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as f:
        assert [r["learner"] for r in csv.DictReader(f)] == ["erin"]
    assert sorted(p.name for p in out.iterdir()) == ["checks.csv", "feedback", "gradebook.csv", "stats.csv",
                                                    "timings.csv"]


# --- the extraction cell ------------------------------------------------------------------------------------------------------
def test_the_extraction_cell_survives_shadowed_builtins():
    namespace = {"list": None, "dict": 1, "type": "peer", "isinstance": None, "plan": {("a", "b"): {1}}, "LEARNER": "x"}
    printed = []
    source = extraction_source(["plan", "missing"], "M ")
    import builtins
    real_print = builtins.print
    builtins.print = lambda *a, **k: printed.append(" ".join(map(str, a)))
    try:
        exec(source, namespace)
    finally:
        builtins.print = real_print
    payload = json.loads(printed[-1][2:])
    assert payload == {"learner": "x", "answers": {"plan": {"__pairs__": [[["a", "b"], [1]]]}}}


def test_grading_nothing_is_a_usage_error(tmp_path, capsys):
    assert main(["grade", str(tmp_path)]) == 2
    assert "No notebooks found" in capsys.readouterr().err
    shutil.rmtree(tmp_path, ignore_errors=True)
