"""Answers as plain data: what a learner's variable or widget holds, turned into JSON-able values.

:func:`to_plain` is the one conversion used in two places: by :meth:`Exercise.check` in the learner's
notebook, and, copied as source into the extraction cell the grader appends, inside the learner's kernel.
It therefore imports nothing from vnetlab (the grader's cell must not depend on a module the learner's
code could have changed) and only turns values into data; it decides nothing. The grader re-reads and
re-checks that data in its own process.

Conversions: ``None``/bool/int/str as they are; a float stays a float if finite; tuples, lists and sets
become lists (sets sorted by text); a dict with text keys stays a dict; a dict with other keys (e.g.
``("vm-a", "vm-b")`` pairs) becomes ``{"__pairs__": [[key, value], ...]}``; an object with
``answer_data()`` (a widget) or ``to_dict()`` (a ``Network``) becomes what that returns; netaddr
values become their text; anything else becomes ``{"__unsupported__": "<type name>"}``.
"""
from __future__ import annotations

PAIRS = "__pairs__"
UNSUPPORTED = "__unsupported__"


def to_plain(value, _depth=0):
    """``value`` as JSON-able data (see the module docstring for the rules)."""
    if _depth > 40:
        return {"__unsupported__": "nesting deeper than 40 levels"}
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else str(value)
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: to_plain(v, _depth + 1) for k, v in value.items()}
        return {"__pairs__": [[to_plain(k, _depth + 1), to_plain(v, _depth + 1)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [to_plain(v, _depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((to_plain(v, _depth + 1) for v in value), key=repr)
    for method in ("answer_data", "to_dict"):
        produce = getattr(value, method, None)
        if callable(produce):
            return to_plain(produce(), _depth + 1)
    if type(value).__name__ in ("IPNetwork", "IPAddress", "IPRange"):
        return str(value)
    return {"__unsupported__": type(value).__name__}
