"""Myths versus facts: the seed texts' claims, each with a verdict, the correction and the source it rests on.

The audit is azure-facts.md Appendix A, stored as data in ``vnetlab/data/claims.yaml``. Verdicts: ``accurate``,
``imprecise`` (true only in part, or with a wrong detail) and ``outdated`` (true of an earlier Azure).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .display import html_table, text_table
from .errors import NotFoundError
from .facts import _load, fact

VERDICTS = ("accurate", "imprecise", "outdated")


@dataclass(frozen=True)
class Claim:
    id: str
    text: str
    verdict: str
    correction: str
    sources: tuple[str, ...]

    def _repr_html_(self) -> str:
        return html_table(("Claim", "Verdict", "Correction", "Source"),
                          [(self.text, self.verdict, self.correction, "; ".join(self.sources))])


@dataclass(frozen=True)
class ClaimTable:
    claims: tuple[Claim, ...]

    def __iter__(self):
        return iter(self.claims)

    def __len__(self) -> int:
        return len(self.claims)

    def rows(self) -> list[tuple]:
        return [(c.text, c.verdict, c.correction, "; ".join(c.sources)) for c in self.claims]

    def _repr_html_(self) -> str:
        return html_table(("Claim (seed texts)", "Verdict", "What the documents say", "Source"), self.rows(),
                          caption="Myths versus facts")

    def __str__(self) -> str:
        return text_table(("Claim", "Verdict", "Correction", "Source"), self.rows())


@lru_cache(maxsize=None)
def claims() -> ClaimTable:
    """Every audited claim, in the order of the audit."""
    out = []
    for key in _load("claims"):
        f = fact("claims", key)
        out.append(Claim(key, f.value["claim"], f.value["verdict"], f.value["correction"],
                         (f.cite(),)))
    return ClaimTable(tuple(out))


def claim(claim_id: str) -> Claim:
    for c in claims():
        if c.id == claim_id:
            return c
    raise NotFoundError(f"No claim {claim_id!r} (claims: {', '.join(c.id for c in claims())}).", value=claim_id,
                        rule="claim must exist")
