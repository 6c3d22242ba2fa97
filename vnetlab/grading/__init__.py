"""Graded exercises: questions with per-learner givens, visible and hidden checks, hints, and a grader.

In an exercise notebook::

    import vnetlab.grading as g
    ex = g.exercise("01-address-spaces", learner=LEARNER)
    ex.givens("q1"); ex.check("q1", plan); ex.hint("q1"); ex.widget_answer("q3", planner)

For instructors: ``vnetlab generate solutions exercises`` writes the exercise notebooks from the nbgrader-style
solutions (:mod:`vnetlab.grading.generate`); ``vnetlab grade PATH...`` runs submissions in fresh kernels and
re-checks their answers in its own process (:mod:`vnetlab.grading.grader`). Question content lives in
``questions_01.py``, ``questions_02.py``; shared address-plan invariants in ``invariants.py``.
"""
from __future__ import annotations

import importlib

from ..errors import GradingError
from .core import AnswerError, Check, ExerciseSpec, Feedback, Question, QuestionResult, evaluate
from .notebook import Exercise

EXERCISES = {"01-address-spaces": "questions_01", "02-vnet-peering": "questions_02", "03-vpn-gateway": "questions_03",
             "04-vnet-to-vnet-vs-site-to-site": "questions_04", "05-overlap-and-nat": "questions_05",
             "06-effective-routes": "questions_06", "07-encryption-paths": "questions_07",
             "08-network-security-groups": "questions_08", "09-performance-and-cost": "questions_09",
             "10-choosing-a-design": "questions_10", "11-troubleshooting": "questions_11",
             "capstone-merger": "questions_capstone"}


def spec(name: str) -> ExerciseSpec:
    """The questions of exercise ``name`` (e.g. ``"01-address-spaces"``)."""
    if name not in EXERCISES:
        raise GradingError(f"No graded exercise {name!r}; available: {', '.join(EXERCISES)}.", value=name,
                           rule="exercise must exist")
    return importlib.import_module(f"{__name__}.{EXERCISES[name]}").EXERCISE


def exercise(name: str, learner: str, answers_path: str | None = None) -> Exercise:
    """Your copy of exercise ``name``: givens seeded from ``learner``, checks, hints, widget answers."""
    return Exercise(spec(name), learner, answers_path)


__all__ = ["AnswerError", "Check", "EXERCISES", "Exercise", "ExerciseSpec", "Feedback", "Question",
           "QuestionResult", "evaluate", "exercise", "spec"]
