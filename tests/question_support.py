"""What the question tests share: learners, a widget stand-in, an exercise fixture and scoring by the grader's rules."""
from __future__ import annotations

import json

import ipywidgets as ipw
import pytest

import vnetlab.grading as g
from vnetlab.grading.core import evaluate
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
    question = ex.spec.question(qid)
    if question.widget:
        if answer is not None:
            record(ex, qid, answer)
        return evaluate(question, ex.recorded(qid), ex.givens(qid))
    return evaluate(question, to_plain(answer), ex.givens(qid))


def feedback(ex: g.Exercise, qid: str, answer):
    return ex.record(qid, StandIn(answer)) if ex.spec.question(qid).widget else ex.check(qid, answer)
