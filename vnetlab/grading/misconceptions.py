"""The course's misconceptions: one vocabulary for the grader, ``check()`` in the learner's kernel, and the drills.

The list lives in ``vnetlab/data/misconceptions.yaml`` (id, short name, the rule in one sentence, the lesson section
that teaches it, and the fact whose public source and date back the rule, or that source itself). The question specs name these ids on
their checks (``Check(..., misconceptions=("reserved-addresses",))``); a check whose failure message depends on
the answer may return a :class:`Targeted` message with its own ids. When a check fails, its result carries the
ids (:attr:`vnetlab.grading.core.CheckResult.misconceptions`): the grader writes them into ``checks.csv``, the
learner's ``check()`` records them in the local store, and the class report ranks them.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from ..errors import GradingError
from ..facts import fact


@dataclass(frozen=True)
class Misconception:
    """One misconception: ``lesson`` is ``notebooks/<name>.ipynb#<anchor>`` (relative to the course's root) and
    ``source`` the public document, with its date, that states the rule."""

    id: str
    name: str
    rule: str
    lesson: str
    section: str
    source: str

    @property
    def notebook(self) -> str:
        return self.lesson.split("#", 1)[0]

    @property
    def anchor(self) -> str:
        return self.lesson.split("#", 1)[1] if "#" in self.lesson else ""


class Targeted(str):
    """A check's message that names the misconception(s) it caught, when they depend on the answer (a check on
    several items, each a different rule). Otherwise the check's own ``misconceptions`` apply."""

    misconceptions: tuple[str, ...] = ()

    def __new__(cls, text: str, *ids: str) -> "Targeted":
        self = super().__new__(cls, text)
        self.misconceptions = tuple(ids)
        return self


@lru_cache(maxsize=None)
def _data() -> dict:
    text = resources.files("vnetlab").joinpath("data", "misconceptions.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@lru_cache(maxsize=None)
def catalogue() -> dict[str, Misconception]:
    """Every misconception by id, in the file's order."""
    found: dict[str, Misconception] = {}
    for item in _data()["misconceptions"]:
        if "fact" in item:
            book, key = item["fact"].split(".", 1)
            source = fact(book, key).cite()
        else:  # a rule no fact book holds: its public page, with the date, in the entry itself
            source = item["source"]
        found[item["id"]] = Misconception(item["id"], item["name"], item["rule"], item["lesson"], item["section"],
                                          source)
    return found


def ids_in_file() -> list[str]:
    """The ids as written in the file, duplicates included (a test keeps them unique)."""
    return [item["id"] for item in _data()["misconceptions"]]


def misconception(mid: str) -> Misconception:
    try:
        return catalogue()[mid]
    except KeyError:
        raise GradingError(f"Unknown misconception id {mid!r}; the ids are listed in "
                           "vnetlab/data/misconceptions.yaml.", value=mid, rule="a known misconception id") from None


def known(ids: "tuple[str, ...] | list[str]") -> list[Misconception]:
    """The misconceptions of ``ids`` that the vocabulary holds, in the given order (feedback: where to read again)."""
    found = catalogue()
    return [found[i] for i in dict.fromkeys(ids) if i in found]


def for_drill(topic: str, faults: "tuple[str, ...] | list[str]" = ()) -> tuple[str, ...]:
    """The misconception(s) a wrong answer to a drill of ``topic`` shows: the topic's own id, or for a
    troubleshooting drill the id of each fault injected into its network."""
    data = _data()
    own = data["drill_topics"].get(topic)
    if own:
        return (own,)
    return tuple(dict.fromkeys(data["faults"][f] for f in faults if f in data["faults"]))


def for_fault(fault_id: str) -> tuple[str, ...]:
    """The misconception behind fault ``fault_id`` of the troubleshooting catalogue (``vnetlab/data/faults.yaml``)."""
    mid = _data()["faults"].get(fault_id)
    return (mid,) if mid else ()


def joined(ids: "tuple[str, ...] | list[str]") -> str:
    """Ids as one CSV cell: joined by ``;``."""
    return ";".join(ids)


def split(cell: str) -> tuple[str, ...]:
    return tuple(i for i in (cell or "").split(";") if i)


__all__ = ["Misconception", "Targeted", "catalogue", "for_drill", "for_fault", "ids_in_file", "joined",
           "known", "misconception", "split"]
