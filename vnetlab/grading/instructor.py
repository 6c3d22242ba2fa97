"""For the hidden-test cells of the solution notebooks (removed from the exercises by the generator).

``verify(ex, "q1", plan)`` runs *every* check, visible and hidden, and raises ``AssertionError`` unless the
answer earns full marks: in ``solutions/`` it proves the worked solution is right, and under nbgrader's
autograder a failing hidden-test cell scores zero as usual. ``vnetlab grade`` does not rely on it: it
re-checks the extracted answers itself and gives partial credit per check.
"""
from __future__ import annotations

from typing import Any

from .core import MISSING
from .notebook import Exercise


def verify(ex: Exercise, qid: str, answer: Any = MISSING) -> None:
    result = ex._evaluate(qid, answer)
    failed = [f"{c.name}: {c.message}" for c in result.checks if not c.passed]
    assert result.problem is None and not failed, f"{qid} is not full marks: {result.problem or failed}"


def full_spec(name: str):
    from . import spec
    return spec(name)
