"""Azure facts as data.

Numbers, limits, defaults and reserved ranges live in ``vnetlab/data/*.yaml``, each with the
``source`` it was read from and the ``as_of`` date printed on that source. Code reads them through
:func:`fact` so that an explanation can always cite where a rule comes from.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True)
class Fact:
    """One vetted fact: its value, where it is written, and the date of that document."""

    key: str
    value: Any
    source: str
    as_of: str
    note: str = ""

    def cite(self) -> str:
        """The source with its date, or "(undated)" for pages that print none; a source that already carries its
        documents' dates is returned as it is."""
        if re.search(r"\(\d{4}-\d{2}(-\d{2})?\)", self.source):
            return self.source
        return f"{self.source} ({self.as_of if self.as_of[:1].isdigit() else 'undated'})"


@lru_cache(maxsize=None)
def _load(book: str) -> dict[str, Any]:
    text = resources.files("vnetlab").joinpath("data", f"{book}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def fact(book: str, key: str) -> Fact:
    """Return fact ``key`` from data file ``book`` (``addressing``, ``routing``, ``peering``)."""
    entry = _load(book)[key]
    value = entry.get("value", {k: v for k, v in entry.items() if k not in ("source", "as_of", "note")})
    return Fact(key=key, value=value, source=entry["source"], as_of=str(entry["as_of"]), note=entry.get("note", ""))


def raw(book: str, key: str) -> dict[str, Any]:
    """The whole entry, for facts with several fields (e.g. ``gateway_subnet``)."""
    return dict(_load(book)[key])
