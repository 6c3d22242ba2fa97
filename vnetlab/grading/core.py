"""Questions, checks and results: the data every graded exercise is made of.

A :class:`Question` has per-learner *givens* (``setup(rng)`` with a random generator seeded from the
exercise, the learner id and the question id), a ``read`` step that turns the learner's plain answer data
into what the checks need (or raises :class:`AnswerError` with a message that names the problem), and
:class:`Check` s. A check is ``test(answer, givens) -> None`` (passed) or a message that names the
learner's mistake; it has a weight (partial credit: a question's points are shared among its checks by
weight) and is *visible* (the learner can run it any time with ``check``) or *hidden* (run only by the
grader, from the instructor's copy: :mod:`vnetlab.grading.instructor`; its name and message never appear in
learner-facing feedback, but after grading a failed one is named by its ``rule``, the rule it tests in words).

Checks test invariants with the engine (a subnet lies in the space, no overlap, usable = size − 5 holds the
VMs, a trace says Reachable), never literal answers, so two learners' different answers can both be right.
No check pays for an answer that attempts nothing (:func:`degenerate`: empty, the givens unchanged, one value
for every entry): such an answer scores 0 for the whole question.
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, replace
from html import escape
from typing import Any, Callable, Iterable, Mapping

from ..errors import GradingError, VnetlabError
from .plain import PAIRS, UNSUPPORTED, to_plain



class AnswerError(GradingError):
    """The answer cannot be checked as it is (wrong shape, a value that is not a prefix, ...)."""


class Unanswered(AnswerError):
    """No answer yet (the variable is still ``None`` / ``"?"`` or nothing was recorded)."""


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""An answer variable that is not defined at all (e.g. its cell was deleted or raised)."""


@dataclass(frozen=True)
class Check:
    """One invariant of a correct answer; ``test`` returns None when it holds, else a targeted message."""

    name: str
    test: Callable[[Any, Mapping[str, Any]], "str | None"]
    weight: float = 1.0
    visible: bool = True
    rule: str | None = None  # a hidden check's rule, in words: the learner's feedback names it when the check fails
    source: str | None = None  # where the rule is written: a public document with its date (``Fact.cite()``)
    misconceptions: tuple[str, ...] = ()  # ids (vnetlab/data/misconceptions.yaml) its failure shows
    targeted: bool = True  # False: a catch-all ("every verdict matches") or a completeness check, naming no rule

    def caught(self, message: "str | None") -> tuple[str, ...]:
        """The misconception ids a failure message shows: its own (:class:`Targeted`) or the check's."""
        if message is None:
            return ()
        return tuple(getattr(message, "misconceptions", ()) or self.misconceptions)


@dataclass(frozen=True)
class Question:
    """A graded question. ``answer`` is the notebook variable holding the answer; for a widget question
    (``widget`` set) the answer is recorded from the widget into the sidecar file instead."""

    id: str
    title: str
    points: float
    answer: str
    setup: Callable[[random.Random], dict]
    read: Callable[[Any, Mapping[str, Any]], Any]
    checks: tuple[Check, ...]
    hints: tuple[str, ...]
    widget: str | None = None

    @property
    def visible(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.visible)

    @property
    def hidden(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.visible)

    def share(self, check: Check) -> float:
        return self.points * check.weight / sum(c.weight for c in self.checks)


@dataclass(frozen=True)
class ExerciseSpec:
    """An exercise notebook's questions, in order."""

    name: str
    title: str
    lesson: str
    questions: tuple[Question, ...]

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        known = ", ".join(q.id for q in self.questions)
        raise GradingError(f"Exercise {self.name} has no question {qid!r} (questions: {known}).", value=qid,
                           rule="question ids are listed by the exercise")

    @property
    def points(self) -> float:
        return sum(q.points for q in self.questions)

    def givens(self, learner: str, qid: str) -> dict:
        """The learner's own values for question ``qid`` (the same every time for the same learner)."""
        return self.question(qid).setup(random.Random(seed(self.name, learner, qid)))


PLACEHOLDER_LEARNER = "your-name"  # what the exercise notebooks' LEARNER cell starts with


def normalize_learner(learner: object) -> str:
    if not isinstance(learner, str) or not learner.strip():
        raise GradingError(f"LEARNER = {learner!r}: set it to your learner id as text, e.g. LEARNER = \"alice\".",
                           value=learner, rule="the learner id is non-empty text")
    return learner.strip()


def seed(exercise: str, learner: str, qid: str) -> int:
    """A stable seed (SHA-256, not Python's salted ``hash``) from exercise, learner id and question."""
    text = f"{exercise}\x00{normalize_learner(learner).casefold()}\x00{qid}"
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


# --- results ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckResult:
    name: str
    visible: bool
    possible: float
    passed: bool
    message: str | None = None
    rule: str | None = None
    source: str | None = None
    misconceptions: tuple[str, ...] = ()  # what the failure shows (empty when it passed or the answer was unreadable)

    @property
    def earned(self) -> float:
        return self.possible if self.passed else 0.0


@dataclass(frozen=True)
class QuestionResult:
    """Every check of one question for one answer. ``problem`` is set when the answer could not be read."""

    question: str
    title: str
    points: float
    checks: tuple[CheckResult, ...]
    answered: bool
    problem: str | None = None

    @property
    def earned(self) -> float:
        return round(sum(c.earned for c in self.checks), 9)

    @property
    def full(self) -> bool:
        return all(c.passed for c in self.checks)


def _plain_problem(data: Any) -> str | None:
    """A message when plain answer data carries a value :func:`to_plain` could not convert."""
    if isinstance(data, dict):
        if UNSUPPORTED in data:
            return f"a value of type {data[UNSUPPORTED]} cannot be graded; use text, numbers, lists and dicts"
        if "__error__" in data:
            return f"the answer could not be read from the notebook ({data['__error__']})"
        return next((p for p in map(_plain_problem, data.values()) if p), None)
    if isinstance(data, list):
        return next((p for p in map(_plain_problem, data) if p), None)
    return None


def evaluate(question: Question, raw: Any, givens: Mapping[str, Any]) -> QuestionResult:
    """Run every check of ``question`` on the plain answer ``raw``. Never raises for any answer."""

    def failed_all(message: str, answered: bool) -> QuestionResult:
        checks = tuple(CheckResult(c.name, c.visible, question.share(c), False, None, c.rule, c.source)
                       for c in question.checks)
        return QuestionResult(question.id, question.title, question.points, checks, answered, message)

    if raw is MISSING:
        return failed_all(f"`{question.answer}` is not defined: run the answer cell (or restore it if it was "
                          "deleted).", False)
    problem = _plain_problem(raw)
    if problem:
        return failed_all(f"`{question.answer}`: {problem}.", True)
    try:
        answer = question.read(raw, givens)
        if _blank(raw):
            return failed_all(f"`{question.answer}`: {BLANK}", True)
    except Unanswered as exc:
        return failed_all(str(exc), False)
    except VnetlabError as exc:
        return failed_all(str(exc), True)
    except Exception as exc:  # an answer shape nobody anticipated must not stop grading
        return failed_all(f"`{question.answer}` could not be read ({type(exc).__name__}); check its format "
                          "against the example in the task.", True)
    results = []
    for check in question.checks:
        try:
            message = check.test(answer, givens)
        except VnetlabError as exc:
            message = str(exc)
        except Exception as exc:
            message = f"This check could not run on your answer ({type(exc).__name__}); check its format."
        results.append(CheckResult(check.name, check.visible, question.share(check), message is None,
                                   None if message is None else str(message), check.rule, check.source,
                                   check.caught(message)))
    guess = degenerate(raw, givens)
    if guess:  # no check pays for an answer that attempts nothing; the failing ones still say what is wrong
        results = [replace(r, passed=False, message=r.message or f"`{question.answer}`: {guess}") for r in results]
    return QuestionResult(question.id, question.title, question.points, tuple(results), True)


# --- answers that attempt nothing -------------------------------------------------------------------------
BLANK = "the answer is empty: fill it in (see the example in the task) and run the check again."
UNIFORM_MIN = 3  # entries: fewer than this may share one value by chance


def _blank(data: Any) -> bool:
    """No content at all: None, a placeholder, or containers holding only that."""
    if isinstance(data, dict):
        return all(_blank(v) for k, v in data.items())
    if isinstance(data, list):
        return all(_blank(v) for v in data)
    return data is None or (isinstance(data, str) and still_open(data))


def _canonical(data: Any) -> Any:
    """A network scenario in the form the engine writes it (so an unchanged network compares equal however it was
    written or recorded); anything else as it is."""
    if isinstance(data, dict) and isinstance(data.get("vnets"), list):
        from ..network import Network  # the engine; imported here so that core stays importable on its own
        try:
            return Network.from_dict(data).to_dict()
        except Exception:  # not a valid network: compared as written
            return data
    return data


def _unchanged(data: Any, givens: Mapping[str, Any]) -> bool:
    """The givens (or one of them) handed back: equal to one given, or a dict whose every non-text value equals
    the given of the same name (a justification added to an unchanged network changes nothing)."""
    given = [to_plain(dict(givens)), *(to_plain(v) for v in givens.values())]
    if any(_canonical(data) == _canonical(g) for g in given if isinstance(g, (dict, list)) and g):
        return True
    if not isinstance(data, dict):
        return False
    shared = [k for k in data if k in givens]
    rest = [k for k in data if k not in givens]
    return bool(shared) and all(isinstance(data[k], str) for k in rest) and all(
        isinstance(data[k], (dict, list)) and _canonical(data[k]) == _canonical(to_plain(givens[k])) for k in shared)


def _entries(data: Any) -> list | None:
    """The values of a dict answer (of a dict with pair keys too) or the items of a list answer."""
    if isinstance(data, dict) and set(data) == {PAIRS} and isinstance(data[PAIRS], list):
        return [item[1] for item in data[PAIRS] if isinstance(item, list) and len(item) == 2]
    if isinstance(data, dict):
        return list(data.values())
    return data if isinstance(data, list) else None


def _uniform(data: Any) -> Any:
    """The one value given to every entry (of the answer, or of a dict or list inside it), or MISSING."""
    for entries in [_entries(data), *(_entries(v) for v in (_entries(data) or []) if isinstance(v, (dict, list)))]:
        if not entries or len(entries) < UNIFORM_MIN:
            continue
        first = entries[0]
        numeric = isinstance(first, (int, float)) and not isinstance(first, bool)
        if not numeric and all(e == first for e in entries[1:]):
            return first
    return MISSING


def degenerate(data: Any, givens: Mapping[str, Any]) -> str | None:
    """Why plain answer ``data`` attempts nothing, or None. Such an answer earns no points at all, whatever its
    checks say: a check that holds on nothing ("every listed subnet is inside the space" of an empty plan, "no
    refused component" of an unchanged network, "every private range is labelled private" when everything is)
    must not pay for it. Degenerate: empty (no value anywhere), the givens handed back unchanged, or one value
    for every entry of a collection of three or more (a guess, not an answer; numbers excepted). Every question's
    model answers pass this for any learner (``tests/test_no_free_points.py``)."""
    if _blank(data):
        return BLANK
    if _unchanged(data, givens):
        return "this is your givens handed back unchanged; the question asks you to change or decide something."
    same = _uniform(data)
    if same is not MISSING:
        return (f"every entry has the same value ({same!r}): that is a guess, not an answer. Decide each entry on "
                "its own.")
    return None


# --- learner-facing feedback ---------------------------------------------------------------------------------
def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


@dataclass(frozen=True)
class Feedback:
    """What ``check`` shows: the visible checks only. The hidden checks are not in the learner's package at all
    (``vnetlab release`` leaves them out; ``vnetlab grade`` runs them from the instructor's copy), so the
    feedback says they remain without naming or counting them, and never claims that everything passed."""

    result: QuestionResult
    answer_name: str

    @property
    def visible(self) -> tuple[CheckResult, ...]:
        return tuple(c for c in self.result.checks if c.visible)

    @property
    def visible_passed(self) -> bool:
        return self.result.problem is None and all(c.passed for c in self.visible)

    @property
    def misconceptions(self) -> tuple[str, ...]:
        """The misconception ids the failed visible checks show (vnetlab/data/misconceptions.yaml)."""
        return tuple(dict.fromkeys(m for c in self.visible for m in c.misconceptions))

    @property
    def messages(self) -> list[str]:
        if self.result.problem:
            return [self.result.problem]
        return [c.message for c in self.visible if not c.passed and c.message]

    def summary(self) -> str:
        if not self.result.answered:
            return (f"No answer yet. {_count(len(self.visible), 'visible check')}, and the hidden checks, will run "
                    "once you answer.")
        if self.result.problem:
            return "Your answer cannot be checked yet: fix the problem above."
        passed = sum(c.passed for c in self.visible)
        return (f"{passed} of {_count(len(self.visible), 'visible check')} pass. The hidden checks run only when your "
                "notebook is graded, so this is not your final score.")

    def lines(self) -> list[tuple[str, str, str | None]]:
        """(mark, check name, message) per visible check."""
        if self.result.problem:
            return []
        return [("✔" if c.passed else "✘", c.name, None if c.passed else c.message) for c in self.visible]

    def __str__(self) -> str:
        head = f"{self.result.question} · {self.result.title}"
        body = [f"  ! {self.result.problem}"] if self.result.problem else []
        body += [f"  {mark} {name}" + (f"\n      → {msg}" if msg else "") for mark, name, msg in self.lines()]
        return "\n".join([head, *body, "  " + self.summary()])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        rows = []
        if self.result.problem:
            rows.append(f'<li style="color:#8B0000">⚠ {escape(self.result.problem)}</li>')
        for mark, name, msg in self.lines():
            color = "#1b7f3b" if mark == "✔" else "#8B0000"
            detail = f"<br><span style='margin-left:1.4em'>{escape(msg)}</span>" if msg else ""
            rows.append(f'<li style="color:{color}">{mark} {escape(name)}{detail}</li>')
        return (f'<div class="vnetlab-feedback"><b>{escape(self.result.question)} · {escape(self.result.title)}</b>'
                f'<ul style="list-style:none;padding-left:0.5em">{"".join(rows)}</ul>'
                f"<i>{escape(self.summary())}</i></div>")


def hidden_feedback(result: QuestionResult) -> list[str]:
    """After grading, what the learner is told about the hidden checks: how many passed, and the rule each failed
    one tested (its ``rule`` text, the same for every learner, with its public source: never its message, which
    may hold expected values)."""
    hidden = [c for c in result.checks if not c.visible]
    if not hidden:
        return []
    earned, possible = sum(c.earned for c in hidden), sum(c.possible for c in hidden)
    lines = [f"Hidden checks: {sum(c.passed for c in hidden)} of {len(hidden)} passed "
             f"({round(earned, 2):g} / {round(possible, 2):g} points)."]
    if result.answered and not result.problem:  # an answer that could not be read missed them all alike
        lines += [f"✘ Hidden check missed: {c.rule or 'a rule of this question'}"
                  + (f" [source: {c.source}]" if c.source else "") for c in hidden if not c.passed]
    return lines


# --- helpers the question modules share ------------------------------------------------------------------
def pairs_mapping(raw: Any, what: str) -> list[tuple[Any, Any]]:
    """(key, value) items of a dict answer, whether its keys were text or pairs such as ``("a", "b")``."""
    if isinstance(raw, dict) and set(raw) == {PAIRS} and isinstance(raw[PAIRS], list):
        return [tuple(item) for item in raw[PAIRS] if isinstance(item, list) and len(item) == 2]
    if isinstance(raw, dict):
        return list(raw.items())
    raise AnswerError(f"`{what}` should be a dict, got {type(raw).__name__}.", value=raw, rule="answer format")


def still_open(value: Any) -> bool:
    """A placeholder the exercise pre-filled and the learner has not replaced."""
    return value is None or (isinstance(value, str) and value.strip() in ("", "?", "..."))


def every_message(messages: Iterable["str | None"]) -> str | None:
    """Every message of a check run over several parts of an answer, one after the other (None when every part
    passes): a learner sees all that is wrong at once, not one item per attempt."""
    found = list(dict.fromkeys(m for m in messages if m))
    return " ".join(found) if found else None


def differences(wrong: list, what: str, judge: str) -> str | None:
    """The message of an 'every item matches' check."""
    return f"{len(wrong)} {what} differ from the {judge}, e.g. {wrong[0]}." if wrong else None


def require(raw: Any, name: str) -> Any:
    if raw is None:
        raise Unanswered(f"No answer yet: set `{name}` in the answer cell and run this cell again.")
    return raw


__all__ = ["AnswerError", "Check", "CheckResult", "ExerciseSpec", "Feedback", "MISSING", "Question",
           "QuestionResult", "Unanswered", "degenerate", "differences", "evaluate", "every_message", "hidden_feedback",
           "normalize_learner", "pairs_mapping", "require", "seed", "still_open", "to_plain"]
