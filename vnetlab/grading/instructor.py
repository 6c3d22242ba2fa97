"""The instructor's side of grading: the hidden checks, and ``verify`` for the solution notebooks.

The hidden checks live in the question modules between ``# BEGIN HIDDEN CHECKS`` and ``# END HIDDEN CHECKS``
lines. ``vnetlab release`` (:mod:`vnetlab.grading.release`) removes those regions from the package it publishes
for a class, so a learner's copy of vnetlab holds the visible checks only: ``ex.check`` runs them and says the
hidden ones remain, and nothing in the learner's kernel can run (or read) a hidden check. ``vnetlab grade``
and ``verify`` take every check from :func:`full_spec`, which refuses to work in a learner release.

``verify(ex, "q1", plan)`` runs *every* check, visible and hidden, and raises ``AssertionError`` unless the
answer earns full marks: in ``solutions/`` it proves the worked solution is right, and under nbgrader's
autograder a failing hidden-test cell scores zero as usual. ``vnetlab grade`` does not rely on it: it
re-checks the extracted answers itself and gives partial credit per check.
"""
from __future__ import annotations

from typing import Any

from ..errors import GradingError
from .core import MISSING, ExerciseSpec, QuestionResult, evaluate
from .notebook import Exercise
from .plain import to_plain


def full_spec(name: str) -> ExerciseSpec:
    """Exercise ``name`` with its hidden checks: every question of a course exercise has some, so a question
    without any means this package is a learner release (GradingError)."""
    from . import spec

    exercise = spec(name)
    missing = [q.id for q in exercise.questions if not q.hidden]
    if missing:
        raise GradingError(f"Exercise {name}: no hidden checks for {', '.join(missing)}. This vnetlab is a learner "
                           "release (made by `vnetlab release`), which holds the visible checks only; grade with "
                           "the instructor's copy of the course.", value=name,
                           rule="hidden checks stay on the instructor's side")
    return exercise


def require_hidden_checks() -> None:
    """GradingError unless every exercise has its hidden checks (i.e. this is not a learner release)."""
    from . import EXERCISES

    for name in EXERCISES:
        full_spec(name)


def evaluate_all(ex: Exercise, qid: str, answer: Any = MISSING) -> QuestionResult:
    """Every check of ``qid``, hidden ones included, on ``answer`` (for a widget question: the recorded answer)."""
    question = full_spec(ex.spec.name).question(qid)
    if question.widget and answer is MISSING:
        data = ex.recorded(qid)
    else:
        data = None if answer is MISSING else to_plain(answer)
    return evaluate(question, data, ex.spec.givens(ex.learner, qid))


def verify(ex: Exercise, qid: str, answer: Any = MISSING) -> None:
    result = evaluate_all(ex, qid, answer)
    failed = [f"{c.name}: {c.message}" for c in result.checks if not c.passed]
    assert result.problem is None and not failed, f"{qid} is not full marks: {result.problem or failed}"
