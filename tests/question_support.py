"""What the question tests share: learners, a widget stand-in, an exercise fixture and scoring by the grader's rules."""
from __future__ import annotations

import json

import ipywidgets as ipw
import pytest

import vnetlab.grading as g
from vnetlab.grading.core import evaluate
from vnetlab.grading.instructor import full_spec
from vnetlab.grading.plain import to_plain

LEARNERS = ["alice", "bob", "Chloé", "d-4", "instructor"]


class StandIn:
    """A stand-in for a widget of the contract: ``.widget`` and ``.answer_data()``."""

    def __init__(self, data) -> None:
        self.data, self.widget = data, ipw.HTML("stand-in")

    def answer_data(self):
        return json.loads(json.dumps(self.data))


def record(ex: g.Exercise, qid: str, data) -> None:
    """Record plain data as a widget answer, as the widget's button does."""
    ex.record(qid, StandIn(data))


@pytest.fixture
def exercise(tmp_path):
    def make(name: str, learner: str = "alice") -> g.Exercise:
        return g.exercise(name, learner, answers_path=str(tmp_path / "vnetlab-answers.json"))
    return make


def score(ex: g.Exercise, qid: str, answer=None):
    """Every check (hidden included), on ``answer`` or, for a widget question, on the recorded answer."""
    question = full_spec(ex.spec.name).question(qid)
    if question.widget:
        if answer is not None:
            record(ex, qid, answer)
        return evaluate(question, ex.recorded(qid), ex.givens(qid))
    return evaluate(question, to_plain(answer), ex.givens(qid))


def feedback(ex: g.Exercise, qid: str, answer):
    return ex.record(qid, StandIn(answer)) if ex.spec.question(qid).widget else ex.check(qid, answer)


def assert_unanswered_scores_zero(ex: g.Exercise) -> None:
    """No answer: feedback that says so, no exception, zero points (every question of the exercise)."""
    for q in ex.spec.questions:
        fb = ex.check(q.id) if q.widget else ex.check(q.id, None)
        assert not fb.result.answered and fb.result.earned == 0 and "No answer" in str(fb)


def assert_hidden_checks_stay_hidden(ex: g.Exercise, model_answer) -> None:
    """A perfect answer is never told "all passed" while hidden checks remain, and their content never shows."""
    for q in ex.spec.questions:
        fb = feedback(ex, q.id, model_answer(ex, q.id))
        text = str(fb) + fb._repr_html_()
        assert fb.visible_passed and "hidden checks" in text and "not your final score" in text
        assert not any(c.name in text or c.rule in text for c in full_spec(ex.spec.name).question(q.id).hidden)


def assert_registered_with_lesson(name: str) -> None:
    """The exercise is registered, links its lesson, and each question has visible and hidden checks and hints."""
    spec = full_spec(name)
    assert spec.lesson == f"../notebooks/{name}.ipynb" and len(spec.questions) >= 3
    for q in spec.questions:
        assert q.visible and q.hidden and len(q.hints) >= 2 and q.points > 0, q.id


def assert_model_answers_full(ex: g.Exercise, model_answer) -> None:
    for q in ex.spec.questions:
        result = score(ex, q.id, model_answer(ex, q.id))
        assert result.full, (q.id, result.problem, [c.message for c in result.checks if not c.passed])


def assert_caught_only_by_hidden_checks(ex: g.Exercise, qid: str, wrong, words: str) -> None:
    """A mistake that passes every visible check: the hidden checks name it to the grader, the learner never sees it."""
    result = score(ex, qid, wrong)
    missed = [c for c in result.checks if not c.passed]
    assert missed and all(not c.visible for c in missed) and any(words in c.message for c in missed), missed
    fb = feedback(ex, qid, wrong)
    assert fb.visible_passed and words not in str(fb) + fb._repr_html_()
