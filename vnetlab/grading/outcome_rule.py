""""Outcome and rule" predictions: for each item, what happens and the rule that decides it.

A prediction that one simulator call answers (a trace, a route lookup, a flow verdict) tests tool use more than
understanding. These questions ask for the outcome *and* the rule that decides it, one of a few named rules (a
choice, never free text). The truth of both comes from the engine: the question's ``truth(givens)`` runs the engine
and reads which rule decided from its result (which route won and why, where the trace stopped, which NSG level
denied). The answer is ``{item: [outcome, rule id]}``.

Feedback never names an item or the expected value: with a handful of labels, naming the wrong item next to a rule
hands over its answer, one item per attempt. It counts the wrong outcomes, and for each rule the learner chose
where another one decides, it names the misconception that choice shows (what that rule does not explain).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .core import AnswerError, Check, Question, Unanswered, still_open
from .misconceptions import Targeted
# BEGIN HIDDEN CHECKS
from ..facts import fact
from .core import differences
# END HIDDEN CHECKS

Truth = Callable[[Mapping], "dict[str, tuple[str, str]]"]


@dataclass(frozen=True)
class Rule:
    """A rule the learner may name: its id, the rule in words (shown in the givens), and what choosing it where
    another rule decides shows (named in the feedback)."""

    id: str
    statement: str
    misconception: str
    ids: tuple[str, ...] = ()  # the misconception ids (vnetlab/data/misconceptions.yaml) that choice shows


def rule_givens(rules: tuple[Rule, ...], outcomes: tuple[str, ...]) -> dict:
    """What the givens show: the outcomes and the rules to choose from, each with its statement."""
    return {"outcomes": list(outcomes), "rules": [{"id": r.id, "rule": r.statement} for r in rules]}


def read_outcome_rules(name: str, outcomes: tuple[str, ...], rules: tuple[Rule, ...]):
    """The reader of ``{item: [outcome, rule id]}`` (case-insensitive; a placeholder counts as no answer)."""
    by_outcome = {o.lower(): o for o in outcomes}
    by_rule = {r.id.lower(): r.id for r in rules}

    def pick(table: dict, value: Any, where: str, what: str) -> str | None:
        if still_open(value):
            return None
        found = table.get(value.strip().lower()) if isinstance(value, str) else None
        if found is None:
            raise AnswerError(f"{where} = {value!r}: the {what} is one of {', '.join(map(repr, table.values()))}.",
                              value=value, rule="answer format")
        return found

    def read(raw: Any, givens: Mapping) -> dict[str, tuple[str | None, str | None]]:
        if still_open(raw):
            raise Unanswered(f"No answer yet: fill in `{name}`.")
        if not isinstance(raw, dict):
            raise AnswerError(f"`{name}` should be a dict from item id to [outcome, rule]; got {type(raw).__name__}.",
                              value=raw, rule="answer format")
        out = {}
        for item in givens["items"]:
            value = raw.get(item)
            if still_open(value):
                value = [None, None]
            if not isinstance(value, (list, tuple)) or len(value) != 2:
                raise AnswerError(f"{name}[{item!r}] = {value!r}: write [outcome, rule], e.g. "
                                  f"[{outcomes[0]!r}, {rules[0].id!r}].", value=value, rule="answer format")
            out[item] = (pick(by_outcome, value[0], f"{name}[{item!r}][0]", "outcome"),
                         pick(by_rule, value[1], f"{name}[{item!r}][1]", "rule"))
        if all(o is None and r is None for o, r in out.values()):
            raise Unanswered(f"No answer yet: replace the placeholders in `{name}`.")
        return out
    read.__name__ = f"read_{name}"
    return read


def _gaps(answers: Mapping, index: int, what: str) -> list[str]:
    return [f"{item} has no {what} yet." for item, pair in answers.items() if pair[index] is None]


def outcomes_check(truth: Truth, what: str):
    """Every outcome as the engine has it: how many differ, never which."""
    def check(answers: Mapping, givens: Mapping) -> str | None:
        real = truth(givens)
        parts = _gaps(answers, 0, "outcome")
        wrong = sum(1 for item, (said, _) in answers.items() if said is not None and said != real[item][0])
        if wrong:
            parts.append(f"{wrong} of your {len(answers)} outcomes {'differs' if wrong == 1 else 'differ'} from what "
                         f"{what}. Work each one out from the rule you named for it.")
        return " ".join(parts) or None
    return check


def rules_check(truth: Truth, rules: tuple[Rule, ...]):
    """Every rule as the engine's explanation has it: for each rule the learner chose where another one decides,
    the misconception that choice shows (how many items, never which, nor the rule that does decide)."""
    by_id = {r.id: r for r in rules}

    def check(answers: Mapping, givens: Mapping) -> str | None:
        real = truth(givens)
        parts = _gaps(answers, 1, "rule")
        wrong: dict[str, int] = {}
        for item, (_, said) in answers.items():
            if said is not None and said != real[item][1]:
                wrong[said] = wrong.get(said, 0) + 1
        for said, n in wrong.items():
            parts.append(f"{'One item' if n == 1 else f'{n} items'} you explained with '{said}' "
                         f"{'is' if n == 1 else 'are'} decided by another rule: {by_id[said].misconception}")
        ids = tuple(dict.fromkeys(i for said in wrong for i in by_id[said].ids))
        return (Targeted(" ".join(parts), *ids) if ids else " ".join(parts)) or None
    return check


# BEGIN HIDDEN CHECKS
def all_check(truth: Truth):
    def check(answers: Mapping, givens: Mapping) -> str | None:
        real = truth(givens)
        return differences([item for item, pair in answers.items() if tuple(pair) != tuple(real[item])],
                           "outcome-and-rule answers", "engine's")
    return check
# END HIDDEN CHECKS


def outcome_rule_question(*, id: str, title: str, points: float, answer: str, setup: Callable, truth: Truth,
                          outcomes: tuple[str, ...], rules: tuple[Rule, ...], what: str, hints: tuple[str, ...],
                          misconceptions: tuple[str, ...], rule: str = "",
                          source: tuple[str, str] | None = None) -> Question:
    """A question asking, per item, the outcome and the rule that decides it (see the module docstring). ``rule``
    and ``source`` (a facts entry: file, key) describe the hidden check that compares every answer;
    ``misconceptions`` are the ids a wrong outcome shows (a wrong rule shows the chosen rule's own ids)."""
    checks = [Check("Each outcome is what the simulator does", outcomes_check(truth, what),
                    misconceptions=misconceptions),
              Check("Each rule is the one that decides (the engine's explanation)", rules_check(truth, rules),
                    weight=2, misconceptions=misconceptions)]
    # BEGIN HIDDEN CHECKS
    checks.append(Check("Every outcome and rule matches the engine", all_check(truth), visible=False,
                        rule=rule, source=fact(*source).cite() if source else None, misconceptions=misconceptions))
    # END HIDDEN CHECKS
    return Question(id=id, title=title, points=points, answer=answer, setup=setup,
                    read=read_outcome_rules(answer, outcomes, rules), checks=tuple(checks), hints=hints)
