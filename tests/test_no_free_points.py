"""No free points: an answer that attempts nothing earns nothing, on every question of every exercise.

Every question of every registered exercise is enumerated from the grader's own specs (hidden checks
included), so a new question is covered without editing this file. For learners drawn by hypothesis, each
question is scored on answers that attempt nothing: ``None``, empty containers, junk text, the learner's
givens handed back unchanged (whole, or one given), the model answer's shape with every entry emptied, with one
value for every entry (the same label for every candidate), and the same shape filled with hypothesis-drawn
junk. Each must earn 0 points for the whole question. The model answers (from the question tests, computed
from the cited facts) are scored too: the guard that refuses degenerate answers never refuses a right one.
"""
from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vnetlab.grading as g
from vnetlab.grading.core import UNIFORM_MIN, degenerate, evaluate
from vnetlab.grading.instructor import full_spec
from vnetlab.grading.plain import PAIRS, to_plain
import test_questions
import test_questions_05
import test_questions_07
import test_questions_08
import test_questions_09
import test_questions_10
import test_questions_11
import test_questions_capstone


def _model_01_to_06(ex, qid):
    gateway = ex.spec.name in test_questions.GATEWAY_EXERCISES
    return (test_questions.gateway_model_answer if gateway else test_questions.model_answer)(ex, qid)


MODELS = {"05-overlap-and-nat": test_questions_05.model_answer, "07-encryption-paths": test_questions_07.model_answer,
          "08-network-security-groups": test_questions_08.model_answer,
          "09-performance-and-cost": test_questions_09.model_answer,
          "10-choosing-a-design": test_questions_10.model_answer,
          "11-troubleshooting": test_questions_11.model_answer,
          "capstone-merger": test_questions_capstone.model_answer}
QUESTIONS = [(name, q.id) for name in g.EXERCISES for q in full_spec(name).questions]
LEARNER_IDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)
SETTINGS = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def model_answer(ex: g.Exercise, qid: str):
    return MODELS.get(ex.spec.name, _model_01_to_06)(ex, qid)


def test_every_exercise_has_a_model_answer():
    """A new exercise needs model answers in its question tests; register them in MODELS to be covered here."""
    for name in g.EXERCISES:
        ex = g.exercise(name, "alice")
        for q in ex.spec.questions:
            assert model_answer(ex, q.id) is not None, (name, q.id)


def _entries(data):
    if isinstance(data, dict) and set(data) == {PAIRS}:
        return [value for _, value in data[PAIRS]]
    return list(data.values()) if isinstance(data, dict) else list(data) if isinstance(data, list) else []


def _fill(data, value):
    """``data``'s shape with every entry (dict value, list item) set to ``value``."""
    if isinstance(data, dict) and set(data) == {PAIRS}:
        return {PAIRS: [[key, copy.deepcopy(value)] for key, _ in data[PAIRS]]}
    if isinstance(data, dict):
        return {k: copy.deepcopy(value) for k in data}
    if isinstance(data, list):
        return [copy.deepcopy(value) for _ in data]
    return value


def _texts(data) -> set[str]:
    if isinstance(data, str):
        return {data.casefold()}
    if isinstance(data, dict):
        return set().union(*map(_texts, data.keys()), *map(_texts, data.values()))
    if isinstance(data, list):
        return set().union(*map(_texts, data))
    return set()


def degenerate_answers(givens: dict, model) -> dict[str, object]:
    """Answers that attempt nothing, for one learner's givens and the shape of the model answer."""
    out = {"None": None, "{}": {}, "[]": [], "''": "", "'junk'": "junk", "'?'": "?", "[{}]": [{}],
           "givens": copy.deepcopy(givens)}
    out.update({f"givens[{k!r}]": copy.deepcopy(v) for k, v in givens.items()})
    for empty in (None, [], {}, "?"):
        out[f"every entry {empty!r}"] = _fill(model, empty)
    owners = [model, *(v for v in _entries(model) if isinstance(v, (dict, list)))]
    for owner in (o for o in owners if len(_entries(o)) >= UNIFORM_MIN):  # fewer may share a value by chance
        for value in {json.dumps(v) for v in _entries(owner) if not isinstance(v, (int, float)) or isinstance(v, bool)}:
            filled = _fill(owner, json.loads(value))
            label = f"one value for every entry: {value[:40]}"
            out[label] = filled if owner is model else _replace(model, owner, filled)
    return out


def _replace(data, old, new):
    """``data`` with the nested value ``old`` (by identity) replaced by ``new``."""
    if data is old:
        return new
    if isinstance(data, dict):
        return {k: _replace(v, old, new) for k, v in data.items()}
    if isinstance(data, list):
        return [_replace(v, old, new) for v in data]
    return data


def junk_like(data, known: set[str]):
    """A strategy for ``data``'s shape (keys kept) with every leaf replaced by junk: text that is none of the
    question's words, a negative number, None or an empty container."""
    leaf = st.one_of(st.none(), st.integers(max_value=-1), st.just([]), st.just({}),
                     st.text(alphabet="bcdfghjklmnpqrstvwxz", min_size=1, max_size=10).filter(
                         lambda t: t.casefold() not in known))
    if isinstance(data, dict) and set(data) == {PAIRS}:
        return st.tuples(*(junk_like(v, known) for _, v in data[PAIRS])).map(
            lambda values: {PAIRS: [[k, v] for (k, _), v in zip(data[PAIRS], values)]})
    if isinstance(data, dict):
        keys = list(data)
        return st.tuples(*(junk_like(data[k], known) for k in keys)).map(lambda values: dict(zip(keys, values)))
    if isinstance(data, list):
        return st.tuples(*(junk_like(v, known) for v in data)).map(list) if data else st.just([])
    return leaf


def _learner(name: str, who: str, tmp_path) -> g.Exercise:
    return g.exercise(name, who, answers_path=str(tmp_path / "vnetlab-answers.json"))


def _question(name: str, qid: str, who: str, tmp_path_factory):
    """Learner ``who``'s exercise, the question with every check (hidden ones too) and its givens."""
    ex = _learner(name, who, tmp_path_factory.mktemp("answers"))
    return ex, full_spec(name).question(qid), ex.givens(qid)


@pytest.mark.parametrize("name,qid", QUESTIONS)
@SETTINGS
@given(who=LEARNER_IDS)
def test_degenerate_answers_earn_nothing(name, qid, who, tmp_path_factory):
    ex, question, givens = _question(name, qid, who, tmp_path_factory)
    model = to_plain(model_answer(ex, qid))
    for label, answer in degenerate_answers(dict(givens), model).items():
        result = evaluate(question, to_plain(answer), givens)
        assert result.earned == 0, (label, result.problem, [c.name for c in result.checks if c.passed])


@pytest.mark.parametrize("name,qid", QUESTIONS)
@SETTINGS
@given(who=LEARNER_IDS, data=st.data())
def test_junk_of_the_right_shape_earns_nothing(name, qid, who, data, tmp_path_factory):
    ex, question, givens = _question(name, qid, who, tmp_path_factory)
    model = to_plain(model_answer(ex, qid))
    answer = data.draw(junk_like(model, _texts(model) | _texts(to_plain(dict(givens)))))
    result = evaluate(question, answer, givens)
    assert result.earned == 0, (answer, result.problem, [c.name for c in result.checks if c.passed])


@pytest.mark.parametrize("name,qid", QUESTIONS)
@SETTINGS
@given(who=LEARNER_IDS)
def test_the_guard_never_refuses_a_right_answer(name, qid, who, tmp_path_factory):
    ex, question, givens = _question(name, qid, who, tmp_path_factory)
    answer = to_plain(model_answer(ex, qid))
    assert degenerate(answer, givens) is None
    result = evaluate(question, answer, givens)
    assert result.full, (result.problem, [c.message for c in result.checks if not c.passed])
