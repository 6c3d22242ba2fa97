"""One vocabulary of misconceptions runs through the course: the data file, the grader's checks, ``check()`` in the
learner's kernel, the drills and lesson 00's progress map.

The realistic wrong answers are the ones ``test_questions.py`` builds from the fact sheet; each must be named by
the misconception that the lesson teaching its rule is about.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import vnetlab.grading as g
from vnetlab.drills.progress import ProgressStore
from vnetlab.drills.questions import TOPICS, generate
from vnetlab.drills.session import DrillSession
from vnetlab.grading.instructor import full_spec
from vnetlab.grading.misconceptions import catalogue, for_drill, ids_in_file, _data
from vnetlab.learning.progress_map import progress
from vnetlab.learning.store import CheckStore, PredictionStore
from question_support import StandIn
from test_questions import (adjacent_listed_q2, access_off_02q3, forgot_reserved_q1, gateway_28_q1, gateway_name_q1,
                            linklocal_private_q4, missed_nested_q2, model_answer, nested_overlap_q1, one_link_02q3,
                            overlap_peered_02q1, shared_public_q4, transitive_02q2, untouched_02q3,
                            far_pair_refused_02q1, public_refused_q4, default_space_q3, forgot_reserved_q3,
                            access_off_as_transitive_02q4, hub_is_transitive_02q4)

ROOT = Path(__file__).resolve().parents[1]
EX1, EX2 = "01-address-spaces", "02-vnet-peering"


def every_check():
    for name in g.EXERCISES:
        for q in full_spec(name).questions:  # hidden checks included
            for c in q.checks:
                yield name, q.id, c


def headings(notebook: Path) -> set[str]:
    """The JupyterLab anchors of a notebook's Markdown headings: the heading's text with spaces as ``-``."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    found = set()
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                m = re.match(r"^#{1,6} (.+?)\s*$", line)
                if m:
                    found.add(m.group(1).replace(" ", "-"))
    return found


def test_ids_are_unique_and_every_entry_is_complete():
    ids = ids_in_file()
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    for item in _data()["misconceptions"]:  # the rule's backing: a fact of a fact book, or its public page
        assert ("fact" in item) != ("source" in item), item["id"]
    for m in catalogue().values():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", m.id), m.id
        assert m.name and m.rule.endswith(".") and len(m.rule) < 240, m.id
        # a learner reads the rule's source: a public document with its date (or "undated"), never our fact sheet
        assert m.source.startswith("https://") and re.search(r"\((\d{4}-\d{2}|undated)", m.source), m.source


def test_every_lesson_section_exists_in_its_notebook():
    for m in catalogue().values():
        assert re.fullmatch(r"notebooks/[0-9][0-9]-[a-z0-9-]+\.ipynb", m.notebook), m.lesson
        path = ROOT / m.notebook
        assert path.is_file(), m.lesson
        assert m.anchor in headings(path), f"{m.id}: no heading {m.section!r} (#{m.anchor}) in {m.notebook}"
        assert m.anchor == m.section.replace(" ", "-")


def test_every_targeted_check_names_known_misconceptions():
    known = set(catalogue())
    for name, qid, c in every_check():
        where = f"{name} {qid} {c.name!r}"
        if c.targeted:
            assert c.misconceptions, f"{where}: a targeted check names no misconception"
        else:
            assert not c.misconceptions, f"{where}: an untargeted check (a catch-all) names misconceptions"
        assert set(c.misconceptions) <= known, f"{where}: {set(c.misconceptions) - known} not in misconceptions.yaml"
    # most checks are targeted: the catch-alls ("every verdict matches") are the exception
    checks = list(every_check())
    assert sum(c.targeted for *_, c in checks) > 0.8 * len(checks)


def test_every_misconception_is_used_and_every_drill_topic_maps_to_one():
    used = {m for *_, c in every_check() for m in c.misconceptions}
    data = _data()
    drills = {m for m in data["drill_topics"].values() if m} | set(data["faults"].values())
    assert set(catalogue()) == used | drills, set(catalogue()) - used - drills
    assert set(data["drill_topics"]) == set(TOPICS)
    assert drills <= set(catalogue())
    faults = set(json.loads(json.dumps(__import__("yaml").safe_load(
        (ROOT / "vnetlab" / "data" / "faults.yaml").read_text()))))
    assert set(data["faults"]) == faults  # every fault of the catalogue has its misconception


REALISTIC = [  # (exercise, question, a realistic wrong answer, the misconception its feedback must name)
    (EX1, "q1", forgot_reserved_q1, "reserved-addresses"),
    (EX1, "q1", nested_overlap_q1, "overlapping-ranges"),
    (EX1, "q1", gateway_28_q1, "gateway-subnet-size"),
    (EX1, "q1", gateway_name_q1, "gateway-subnet-name"),
    (EX1, "q2", missed_nested_q2, "overlapping-ranges"),
    (EX1, "q2", adjacent_listed_q2, "adjacent-is-overlap"),
    (EX1, "q3", default_space_q3, "default-address-space"),
    (EX1, "q3", forgot_reserved_q3, "reserved-addresses"),
    (EX1, "q4", public_refused_q4, "public-range-refused"),
    (EX1, "q4", shared_public_q4, "private-ranges"),
    (EX1, "q4", linklocal_private_q4, "refused-ranges"),
    (EX2, "q1", far_pair_refused_02q1, "peering-limited-by-boundaries"),
    (EX2, "q1", overlap_peered_02q1, "overlap-blocks-peering"),
    (EX2, "q2", transitive_02q2, "transitive-peering"),
    (EX2, "q3", untouched_02q3, "transitive-peering"),
    (EX2, "q3", one_link_02q3, "peering-two-links"),
    (EX2, "q3", access_off_02q3, "peering-access-off"),
    # outcome and rule: a wrong rule shows the chosen rule's misconception
    (EX2, "q4", access_off_as_transitive_02q4, "peering-limited-by-boundaries"),
    (EX2, "q4", hub_is_transitive_02q4, "transitive-peering"),
]


@pytest.mark.parametrize("name, qid, mistake, expected", REALISTIC, ids=[m.__name__ for _, _, m, _ in REALISTIC])
def test_a_realistic_mistake_is_named_by_its_misconception_and_recorded(tmp_path, monkeypatch, name, qid, mistake,
                                                                           expected):
    monkeypatch.setenv("VNETLAB_CHECKS", str(tmp_path / "checks.json"))
    ex = g.exercise(name, "zoe", answers_path=str(tmp_path / "answers.json"))
    wrong = mistake(ex, model_answer(ex, qid))
    feedback = ex.record(qid, StandIn(wrong)) if ex.spec.question(qid).widget else ex.check(qid, wrong)
    assert expected in feedback.misconceptions, feedback.misconceptions
    last = CheckStore(tmp_path / "checks.json").checks()[-1]
    assert (last.exercise, last.question, last.passed) == (name, qid, False)
    assert expected in last.misconceptions


def test_a_right_answer_is_recorded_as_passed_with_no_misconception(tmp_path, monkeypatch):
    monkeypatch.setenv("VNETLAB_CHECKS", str(tmp_path / "checks.json"))
    ex = g.exercise(EX1, "zoe")
    ex.check("q1", model_answer(ex, "q1"))
    ex.check("q2")  # no answer yet: nothing to record
    [only] = CheckStore(tmp_path / "checks.json").checks()
    assert (only.exercise, only.question, only.passed, only.misconceptions) == (EX1, "q1", True, ())


def test_nothing_is_recorded_while_the_grader_runs_the_notebook(tmp_path, monkeypatch):
    monkeypatch.setenv("VNETLAB_CHECKS", str(tmp_path / "checks.json"))
    monkeypatch.setenv("VNETLAB_GRADING", "1")
    ex = g.exercise(EX1, "zoe")
    assert not ex.check("q1", forgot_reserved_q1(ex, model_answer(ex, "q1"))).visible_passed
    assert not (tmp_path / "checks.json").exists()


def test_a_store_that_cannot_be_written_never_stops_a_check(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("VNETLAB_CHECKS", str(blocker / "checks.json"))  # a folder that is a file
    ex = g.exercise(EX1, "zoe")
    feedback = ex.check("q1", forgot_reserved_q1(ex, model_answer(ex, "q1")))
    assert "reserved-addresses" in feedback.misconceptions and ex.record_problem


def test_a_damaged_checks_file_is_set_aside_and_a_new_one_started(tmp_path):
    path = tmp_path / "checks.json"
    path.write_text('{"format": "vnetlab-checks", "version": 1, "checks": [{"id": 1}]}')
    store = CheckStore(path)
    assert store.checks() == () and "kept as" in store.messages[0]
    store.record(EX1, "q1", False, ["reserved-addresses"])
    assert CheckStore(path).checks()[0].misconceptions == ("reserved-addresses",)


def test_a_wrong_drill_answer_records_the_misconception_it_shows(tmp_path):
    store = ProgressStore(tmp_path / "drills.json")
    session = DrillSession(["peerability"], level=1, count=2, seed=3, store=store)
    q = session.next()
    wrong = next(c for c in q.choices if c != q.answer) if q.choices else "certainly not an answer"
    session.answer(wrong)
    q2 = session.next()
    session.answer(q2.answer)
    first, second = ProgressStore(tmp_path / "drills.json").attempts()[-2:]
    assert (first.correct, first.misconceptions) == (False, ("overlap-blocks-peering",))
    assert (second.correct, second.misconceptions) == (True, ())
    raw = json.loads((tmp_path / "drills.json").read_text())["attempts"]
    assert "misconceptions" not in raw[1]  # written only when there are some: older readers still read right answers


def test_every_drill_question_names_known_misconceptions():
    for topic in TOPICS:
        for level in (1, 2, 3):
            q = generate(topic, level, 11)
            assert q.misconceptions and set(q.misconceptions) <= set(catalogue()), (topic, level)
    assert for_drill("troubleshooting", ["peering_initiated"]) == ("peering-two-links",)


def test_the_progress_map_shows_the_exercises_checked(tmp_path):
    checks = CheckStore(tmp_path / "c.json")
    questions = full_spec(EX2).questions
    checks.record(EX2, questions[0].id, False, ["overlap-blocks-peering"])
    checks.record(EX2, questions[0].id, True)
    checks.record(EX2, questions[1].id, False, ["transitive-peering"])
    rows = {r.id: r for r in progress(PredictionStore(tmp_path / "p.json"), ProgressStore(tmp_path / "d.json"),
                                      checks).rows}
    # C4 is taught in lesson 02 only: one of exercise 02's questions passed its visible checks
    assert rows["C4"].exercises_checked == pytest.approx(1 / len(questions))
    assert rows["C20"].exercises_checked is None  # lesson 12 has no graded exercise: nothing to measure, not a zero
    assert rows["C2"].exercises_checked == 0.0
    fig = progress(PredictionStore(tmp_path / "p.json"), ProgressStore(tmp_path / "d.json"), checks).figure()
    assert "exercises checked" in list(fig.data[0].x)


def test_every_rule_of_an_outcome_and_rule_question_names_known_misconceptions():
    """Choosing a rule where another decides shows that rule's misconceptions: each rule names at least one, and
    every id is in the vocabulary (they reach checks.csv through the rule check's message)."""
    from vnetlab.grading import questions_02, questions_04, questions_08

    for rules in (questions_02.REACH_RULES, questions_04.JOIN_RULES, questions_08.NSG_RULES):
        for rule in rules:
            assert rule.ids and set(rule.ids) <= set(catalogue()), rule.id


def test_a_check_in_a_graded_run_imports_no_widget_stack_and_every_layer_reads_one_flag():
    """The grader's kernel runs with VNETLAB_GRADING=1: check() then records nothing and imports neither plotly nor
    ipywidgets (grading never shows a widget); the runner, the widgets and check() name the same variable."""
    import os
    import subprocess
    import sys

    from vnetlab.grading import notebook, runner
    from vnetlab.widgets import GRADING_ENV

    assert notebook.GRADING_ENV == runner.GRADING_ENV == GRADING_ENV
    code = ("import sys, vnetlab.grading as g\n"
            f"ex = g.exercise({EX1!r}, 'zoe')\n"
            "ex.check('q1', {})\n"
            "print(sorted(m for m in ('plotly', 'ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, GRADING_ENV: "1"}).stdout
    assert out.strip() == "[]"
