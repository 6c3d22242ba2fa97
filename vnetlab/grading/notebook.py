"""The learner's side of a graded exercise, used inside the exercise notebook::

    import vnetlab.grading as g
    ex = g.exercise("01-address-spaces", learner=LEARNER)
    G1 = ex.givens("q1")          # your own values (seeded from LEARNER)
    ex.check("q1", plan)          # feedback from the visible checks, naming the mistake
    ex.hint("q1")                 # the next hint, one per call
    ex.widget_answer("q3", planner)   # the widget with a "Record my answer" button
    ex.check("q3")                # checks the answer recorded from the widget

``check`` runs the visible checks only; it says hidden checks remain (they run only in ``vnetlab grade``, from
the instructor's copy of the course) and never reports that everything passed. Each ``check`` is recorded in the
learner's own exercise-checks file (:class:`vnetlab.learning.CheckStore`: exercise, question, passed, and the
misconception ids the failed checks showed), which lesson 00's progress map reads; nothing is recorded while the
grader runs the notebook (``VNETLAB_GRADING=1``), and a place that cannot be written never stops a check. Nothing
here decides a grade: the grader re-runs the notebook, takes the answers out as plain data and re-checks them in
its own process.
"""
from __future__ import annotations

import copy
import os
from dataclasses import dataclass, replace
from html import escape
from pathlib import Path
from typing import Any

from ..display import html_table
from ..errors import GradingError
from . import answers as sidecar
from .core import (MISSING, PLACEHOLDER_LEARNER, ExerciseSpec, Feedback, QuestionResult, evaluate, normalize_learner,
                   to_plain)


def _cell(value: Any) -> str:
    """One table cell: lists joined, records (a subnet with its VMs) on one line."""
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return " ".join(_cell(v) for v in value.values())
    return "" if value is None else str(value)


def _records(caption: str, rows: list[dict]) -> str:
    headers = list(dict.fromkeys(k for row in rows for k in row))
    return html_table(headers, [[_cell(row.get(h)) for h in headers] for row in rows], caption=caption)


def _links(peerings: list[dict]) -> list[dict]:
    """Scenario peerings as one row per link (the ``peer: [a, b]`` shorthand is two links)."""
    rows = []
    for p in peerings:
        pair = p.get("peer")
        rows += [{"vnet": a, "remote": b} for a, b in (pair, pair[::-1])] if pair else [p]
    return rows


class Givens(dict):
    """A question's givens: a plain dict that shows VNets, peering links and pairs as tables and lists."""

    def _repr_html_(self) -> str:
        parts = []
        for key, value in self.items():
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                parts.append(_records(key, value))
            elif isinstance(value, dict) and isinstance(value.get("vnets"), list):
                parts.append(_records(f"{key}: VNets", value["vnets"]))
                parts.append(_records(f"{key}: peering links (settings not shown are Azure's defaults)",
                                      _links(value.get("peerings") or [])))
            elif isinstance(value, list) and value and all(isinstance(v, list) for v in value):
                items = "".join(f"<li><code>{escape(', '.join(map(str, v)))}</code></li>" for v in value)
                parts.append(f"<p><b>{escape(key)}</b>:</p><ol>{items}</ol>")
            else:
                parts.append(f"<p><b>{escape(key)}</b>: <code>{escape(repr(value))}</code></p>")
        return "".join(parts)


GRADING_ENV = "VNETLAB_GRADING"  # set in the kernel of a graded run (vnetlab.grading.runner; the widgets read it too)
ATTEMPTS_BEFORE_SUMMARY = 3  # failing checks of one question before the feedback adds "revisit the rule"


@dataclass(frozen=True)
class CheckFeedback(Feedback):
    """The feedback of ``Exercise.check``: after a few failing attempts at one question it also says how many
    visible checks still fail and which rules to revisit (the checks' names, each a rule in words) with the lesson,
    so that changing answers one at a time until green is not the way forward. It names no item and no value."""

    attempt: int = 0
    lesson: str = ""

    def revisit(self) -> str | None:
        if self.attempt < ATTEMPTS_BEFORE_SUMMARY or not self.result.answered or self.result.problem:
            return None
        failing = [c for c in self.visible if not c.passed]
        if not failing:
            return None
        rules = "; ".join(f"“{c.name}”" for c in failing)
        return (f"Attempt {self.attempt}: {len(failing)} of {len(self.visible)} visible checks still fail. Rather than "
                f"changing one answer at a time, revisit the rule behind each: {rules}, in the lesson ({self.lesson}).")

    def summary(self) -> str:
        extra = self.revisit()
        return super().summary() + (f" {extra}" if extra else "")


class Hint(str):
    """One hint; shows as a note in a notebook."""

    def _repr_html_(self) -> str:
        return f'<div class="vnetlab-hint" style="border-left:4px solid #0072B2;padding:4px 10px"><b>Hint:</b> {escape(self)}</div>'


class Exercise:
    """A learner's copy of an exercise: their givens, visible checks, hints and recorded widget answers."""

    def __init__(self, spec: ExerciseSpec, learner: str, answers_path: "str | os.PathLike | None" = None) -> None:
        self.spec = spec
        self.learner = normalize_learner(learner)
        self.answers_path = Path(answers_path) if answers_path else Path.cwd() / sidecar.SIDECAR
        self._hints_shown: dict[str, int] = {}
        self.checks = None  # the learner's CheckStore, opened at the first check
        self.record_problem: str | None = None  # why the last check could not be recorded, if it could not
        self._failed_attempts: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"Exercise({self.spec.name!r}, learner={self.learner!r})"

    def _repr_html_(self) -> str:
        rows = [(q.id, q.title, q.points, f"widget ({q.widget})" if q.widget else f"variable `{q.answer}`")
                for q in self.spec.questions]
        note = ""
        if self.learner == PLACEHOLDER_LEARNER:
            note = ('<p style="color:#8B0000">⚠ LEARNER is still the placeholder: set it to the learner id your '
                    "instructor gave you, then run the notebook again from the top (your givens depend on it).</p>")
        return (note + f"<p><b>{escape(self.spec.title)}</b> for learner <code>{escape(self.learner)}</code>: "
                f"{self.spec.points:g} points.</p>" + html_table(("Question", "Task", "Points", "Answer in"), rows))

    def givens(self, qid: str) -> Givens:
        """Your own values for question ``qid`` (a fresh copy each call)."""
        return Givens(copy.deepcopy(self.spec.givens(self.learner, qid)))

    def check(self, qid: str, answer: Any = MISSING) -> Feedback:
        """Run the visible checks of ``qid`` on ``answer`` (for a widget question: on the recorded answer). Failing
        attempts are counted per question: from the third on, the feedback says which rules to revisit. An answered
        check is recorded in the learner's exercise-checks file."""
        result = self._evaluate(qid, answer)
        failed = result.answered and not result.problem and not all(c.passed for c in result.checks)
        self._failed_attempts[qid] = self._failed_attempts.get(qid, 0) + 1 if failed else 0
        feedback = CheckFeedback(result, self.spec.question(qid).answer, attempt=self._failed_attempts[qid],
                                 lesson=self.spec.lesson)
        if feedback.result.answered:
            self._remember(qid, feedback)
        return feedback

    def _remember(self, qid: str, feedback: Feedback) -> None:
        """Record this check in the learner's exercise-checks file (not while the grader runs the notebook)."""
        if os.environ.get(GRADING_ENV) == "1":  # checked first: a graded run imports no widget stack for this
            return
        from ..learning.store import CheckStore, ProgressError

        try:
            if self.checks is None:
                self.checks = CheckStore()
            self.checks.record(self.spec.name, qid, feedback.visible_passed, feedback.misconceptions)
        except (ProgressError, OSError) as exc:  # a read-only home: the check still shows its feedback
            self.record_problem = str(exc)

    def _evaluate(self, qid: str, answer: Any = MISSING) -> QuestionResult:
        """The visible checks of ``qid``: the hidden ones never run in the learner's kernel (in a learner release
        they are not even there; the grader runs them, :mod:`vnetlab.grading.instructor`)."""
        question = self.spec.question(qid)
        question = replace(question, checks=question.visible)
        if question.widget and answer is MISSING:
            data = self.recorded(qid)
        else:
            data = None if answer is MISSING else to_plain(answer)
        return evaluate(question, data, self.spec.givens(self.learner, qid))

    def hint(self, qid: str) -> Hint:
        """The next hint for ``qid`` (the last one again once all have been shown). Hints never give the answer."""
        hints = self.spec.question(qid).hints
        shown = self._hints_shown.get(qid, 0)
        self._hints_shown[qid] = shown + 1
        if shown >= len(hints):
            return Hint(f"No more hints for {qid}. Last one: {hints[-1]}")
        return Hint(f"Hint {shown + 1} of {len(hints)}: {hints[shown]}")

    # --- widget answers ------------------------------------------------------------------------------------
    def recorded(self, qid: str) -> Any:
        """The answer recorded for ``qid`` in the sidecar file, or None."""
        try:
            return sidecar.lookup(self.answers_path, self.learner, self.spec.name, qid)
        except GradingError:
            return None

    def record(self, qid: str, source: Any) -> Feedback:
        """Store ``source.answer_data()`` (or ``source`` itself, as plain data) as the answer to ``qid`` in the
        sidecar file beside the notebook, then check it. The widget's button calls this for you."""
        question = self.spec.question(qid)
        if not question.widget:
            raise GradingError(f"{qid} is answered in the variable `{question.answer}`, not recorded from a widget.",
                               value=qid, rule="only widget questions are recorded")
        data = to_plain(source)
        sidecar.store(self.answers_path, self.learner, self.spec.name, qid, data)
        return self.check(qid)

    def widget_answer(self, qid: str, widget: Any):
        """``widget`` with a **Record my answer** button and the feedback of the visible checks under it."""
        import ipywidgets as ipw

        question = self.spec.question(qid)
        button = ipw.Button(description="Record my answer", button_style="primary", icon="check",
                            tooltip=f"Save this widget's answer to {question.id} in {sidecar.SIDECAR}")
        feedback = ipw.HTML()
        if self.recorded(qid) is not None:
            feedback.value = ("<i>An answer is already recorded for this question; click again to replace it "
                              "with what the widget shows now.</i>")

        def on_click(_: object) -> None:
            try:
                feedback.value = self.record(qid, widget)._repr_html_()
            except Exception as exc:  # the learner sees why, and the widget keeps working
                feedback.value = f'<div style="color:#8B0000">⚠ {escape(str(exc))}</div>'

        button.on_click(on_click)
        box = ipw.VBox([getattr(widget, "widget", widget), button, feedback])
        box.record_button, box.feedback = button, feedback  # for tests and scripted use
        return box
