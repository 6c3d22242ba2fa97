"""Feedback names the misconception and the rule, never the expected value.

Every question's wrong-answer catalogue (the WRONG lists of tests/test_questions*.py, each a realistic mistake
made from the model answer) is run through the learner's check. The values the mistake changed are the expected
answer the learner must work out; the visible feedback must not state any of them verbatim (a value the givens or
the wrong answer already show is fair to quote). Booleans and short tokens are not searchable and are left out.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Iterator

import pytest

import test_questions as t0102
import test_questions_05 as t05
import test_questions_07 as t07
import test_questions_08 as t08
import test_questions_09 as t09
import test_questions_10 as t10
import test_questions_capstone as tcap
import test_questions_gateways as tgw
import vnetlab.grading as g
from vnetlab.grading.plain import to_plain
from question_support import exercise, feedback  # noqa: F401  (exercise: fixture)


def leaves(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """(path, scalar) for every scalar of plain data."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from leaves(v, (*path, str(k)))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from leaves(v, (*path, i))
    else:
        yield path, value


def telling(value: Any) -> str | None:
    """The text of an expected value a message could state, or None when it is not searchable."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return f"{value:g}" if abs(value) >= 10 else None
    text = str(value).strip()
    return text if len(text) >= 4 else None


def expected_values(right: Any, wrong: Any, givens: Any) -> set[str]:
    """The model answer's values that the wrong answer changed, and that neither it nor the givens show."""
    right, wrong = to_plain(right), to_plain(wrong)
    theirs = dict(leaves(wrong))
    shown = {token for _, v in [*leaves(wrong), *leaves(to_plain(givens))]
             for token in [str(v), *re.split(r"[/,\s]+", str(v))]}   # a device's "AES256/SHA1/DHGroup24" shows each
    out = set()
    for path, value in leaves(right):
        text = telling(value)
        if text is not None and theirs.get(path, object()) != value and text not in shown:
            out.add(text)
    return out


def stated(text: str, message: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(text)}(?![\w])", message) is not None


CASES: list[tuple[str, str, str, Callable]] = []   # (exercise, question, case id, learner → (right, wrong))


def _add(name: str, qid: str, mistake_name: str, make: Callable) -> None:
    CASES.append((name, qid, f"{name[:2]}-{qid}-{mistake_name}", make))


for _name, _qid, _mistake, _ in t0102.WRONG:
    _add(_name, _qid, _mistake.__name__, lambda ex, q=_qid, m=_mistake, mod=t0102: (
        mod.model_answer(ex, q), m(ex, mod.model_answer(ex, q))))
for _name, _qid, _mistake, _ in tgw.WRONG:
    _add(_name, _qid, _mistake.__name__, lambda ex, q=_qid, m=_mistake: (
        tgw.model_answer(ex, q), m(ex, tgw.model_answer(ex, q))))
for _qid, _mistake, _ in t05.WRONG:
    _add(t05.NAME, _qid, _mistake.__name__, lambda ex, q=_qid, m=_mistake: (
        t05.model_answer(ex, q), m(ex, t05.model_answer(ex, q))))
for _mod in (t07, t08, t09):
    for _qid, _mistake, _cond, _ in _mod.WRONG:
        _add(_mod.NAME, _qid, _mistake.__name__, lambda ex, q=_qid, m=_mistake, mod=_mod: (
            mod.model_answer(ex, q), m(ex, mod.model_answer(ex, q))))
for _qid, _which, _mistake, _ in t10.WRONG:
    _add(t10.NAME, _qid, _mistake.__name__, lambda ex, q=_qid, m=_mistake: (
        t10.model_answer(ex, q), m(ex.givens(q))))
for _kw, _ in tcap.WRONG:
    _add(tcap.NAME, "q1", next(iter(_kw)), lambda ex, kw=_kw: (
        tcap.model_answer(ex, "q1"), tcap.answer(ex.givens("q1"), **kw)))


@pytest.mark.parametrize("name, qid, make", [(n, q, m) for n, q, _, m in CASES], ids=[c for _, _, c, _ in CASES])
def test_feedback_on_a_catalogued_mistake_never_states_the_expected_value(exercise, name, qid, make):
    conditions = {**{(t07.NAME, q, m.__name__): c for q, m, c, _ in t07.WRONG},
                  **{(t08.NAME, q, m.__name__): c for q, m, c, _ in t08.WRONG},
                  **{(t09.NAME, q, m.__name__): c for q, m, c, _ in t09.WRONG},
                  **{(t10.NAME, q, m.__name__): w for q, w, m, _ in t10.WRONG}}
    case = next(c for n, q, c, m in CASES if m is make)
    condition = conditions.get((name, qid, case.split("-", 2)[2]), lambda G: True)
    learners = [w for w in (f"learner-{i}" for i in range(300))
                if condition(g.exercise(name, w, answers_path="unused.json").givens(qid))][:3]
    assert learners, case
    for learner in learners:
        ex = exercise(name, learner)
        right, wrong = make(ex)
        fb = feedback(ex, qid, wrong)
        told = {v for v in expected_values(right, wrong, ex.givens(qid)) for m in fb.messages if stated(v, m)}
        assert not told, (learner, sorted(told), fb.messages)


OUTCOME_RULE = [("02-vnet-peering", "q4", t0102.model_answer), ("04-vnet-to-vnet-vs-site-to-site", "q3", tgw.model_answer),
                ("08-network-security-groups", "q4", t08.model_answer)]


@pytest.mark.parametrize("name, qid, model", OUTCOME_RULE, ids=[f"{n[:2]}-{q}" for n, q, _ in OUTCOME_RULE])
def test_outcome_and_rule_feedback_names_the_misconception_never_the_item_or_the_deciding_rule(exercise, name, qid,
                                                                                               model):
    """Every single wrong rule (each item explained by each other rule in turn): the feedback names the learner's
    choice and its misconception, and neither the item nor the rule that does decide (ids are short, so they are
    searched as words here rather than through the catalogue's length filter)."""
    ex = exercise(name, "alice")
    right = model(ex, qid)
    rules = [r["id"] for r in ex.givens(qid)["rules"]]
    for item, (outcome, truth) in right.items():
        for said in (r for r in rules if r != truth):
            text = " ".join(feedback(ex, qid, {**right, item: [outcome, said]}).messages)
            assert f"'{said}'" in text and "decided by another rule" in text, text
            assert not stated(truth, text) and not stated(item, text), (item, truth, said, text)
