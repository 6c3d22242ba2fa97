"""The fault catalogue: every fault the troubleshooting lesson, exercise and drills use, read from
``vnetlab/data/faults.yaml`` with the public page (and its date) that documents its cause."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from html import escape

from ..errors import NotFoundError
from ..facts import _load

LAYERS = ("addressing", "peering", "routing", "filtering", "tunnel", "capacity")


@dataclass(frozen=True)
class Fault:
    """One catalogued fault: what is seen, why, how to repair it, where the evidence is, and the documenting page."""

    id: str
    title: str
    layer: str
    symptom: str
    cause: str
    repair: str
    tools: tuple[str, ...]
    evidence: str
    source: str
    as_of: str

    def cite(self) -> str:
        return f"{self.source} ({self.as_of})"

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><th style='text-align:left'>{k}</th><td>{escape(v)}</td></tr>" for k, v in (
            ("Symptom", self.symptom), ("Layer", self.layer), ("Cause", self.cause), ("Repair", self.repair),
            ("Evidence", f"{self.evidence} (tools: {', '.join(self.tools)})"), ("Source", self.cite())))
        return f"<table><caption>{escape(self.title)}</caption>{rows}</table>"

    def __str__(self) -> str:
        return (f"{self.title}\n  symptom: {self.symptom}\n  cause: {self.cause}\n  repair: {self.repair}\n"
                f"  evidence: {self.evidence}\n  source: {self.cite()}")


@lru_cache(maxsize=None)
def catalogue() -> tuple[Fault, ...]:
    """All faults, in the data file's order."""
    return tuple(Fault(id=key, title=e["title"], layer=e["layer"], symptom=e["symptom"], cause=e["cause"],
                       repair=e["repair"], tools=tuple(e["tools"]), evidence=e["evidence"], source=e["source"],
                       as_of=str(e["as_of"])) for key, e in _load("faults").items())


def fault(fault_id: str) -> Fault:
    """The catalogued fault ``fault_id`` (a :class:`NotFoundError` naming the known ids otherwise)."""
    found = next((f for f in catalogue() if f.id == fault_id), None)
    if found is None:
        raise NotFoundError(f"No fault {fault_id!r} in the catalogue (faults: {', '.join(f.id for f in catalogue())}).",
                            value=fault_id, rule="a fault from the catalogue")
    return found
