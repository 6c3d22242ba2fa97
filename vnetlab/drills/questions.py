"""Interview drills: the question and result types, the topics, and :func:`generate`.

A drill question is generated from ``(topic, level, seed)`` by :mod:`vnetlab.drills.generators`: the same three
values always give an equal question. Its answer and explanation are computed by the simulator and cite the fact
behind them; its distractors are plausible mistakes, each wrong for a reason the engine states. Open questions
("type the next-hop type", "type the external prefix") are judged by the engine, not by comparing strings.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import VnetlabError

TOPICS = ("peerability", "next-hop", "address-change", "nat-rule", "gateway-sku", "connection-type",
          "encryption-legs", "cost-break-even", "seed-claims", "troubleshooting",
          # the interview classics (vnetlab.drills.interview)
          "gateway-redundancy", "bgp", "vpn-type", "forced-tunnelling", "point-to-site", "peering-dns", "hub-nva",
          "global-peering", "better-answer", "tunnel-up-no-traffic")
TOPIC_TITLES = {
    "peerability": "Can these VNets peer?",
    "next-hop": "Next hop in a hub and spoke",
    "address-change": "Address-space change: VNet-to-VNet, Site-to-Site, peering",
    "nat-rule": "The NAT rule that joins overlapping spaces",
    "gateway-sku": "The smallest gateway SKU",
    "connection-type": "Which connection type?",
    "encryption-legs": "Which hops are encrypted?",
    "cost-break-even": "Peering versus gateway: cost break-even",
    "seed-claims": "Myth or fact? Seed claims",
    "troubleshooting": "Troubleshooting: symptom and tool output, pick the cause",
    "gateway-redundancy": "Active-active, active-standby and zone-redundant gateways",
    "bgp": "BGP on VPN gateways: ASNs, APIPA peers, several tunnels",
    "vpn-type": "Policy-based versus route-based",
    "forced-tunnelling": "Forced tunnelling",
    "point-to-site": "Point-to-Site: authentication and tunnel protocols",
    "peering-dns": "Name resolution across peered VNets",
    "hub-nva": "A firewall or NVA in the hub",
    "global-peering": "Global peering and its limits",
    "better-answer": "When ExpressRoute, Virtual WAN or Route Server is the better answer",
    "tunnel-up-no-traffic": "The tunnel is up, traffic does not flow",
}
EXPLAIN_TOPICS = TOPICS[TOPICS.index("gateway-redundancy"):]   # topics whose questions have a model answer
LEVELS = (1, 2, 3)
KINDS = ("choice", "open")
EXPLAIN = "explain"   # the explain-it mode: a spoken-style answer, then the model answer and a self-assessed checklist


class DrillError(VnetlabError):
    """A drill request the generators cannot serve (unknown topic, level outside 1-3, a seed that is not an integer)."""


@dataclass(frozen=True)
class DrillResult:
    """The verdict on one response: ``feedback`` starts with "Correct." or "Not quite: <why>" and ends with the
    explanation; ``answer`` is the canonical correct answer."""

    correct: bool
    feedback: str
    answer: str


@dataclass(frozen=True)
class DrillQuestion:
    """One generated question; :meth:`check` judges a response (never raises on a text response)."""

    topic: str
    level: int
    seed: int
    prompt: str
    kind: str
    choices: tuple[str, ...]
    answer: str
    explanation: str
    sources: tuple[str, ...]
    hint: str = ""
    misconceptions: tuple[str, ...] = ()  # what a wrong answer shows (ids of vnetlab/data/misconceptions.yaml)
    model_answer: str = ""            # explain-it mode: what a good spoken answer says
    key_points: tuple[str, ...] = ()  # explain-it mode: the checklist the learner ticks
    explain_prompt: str = ""          # explain-it mode: the question as an interviewer asks it

    @property
    def explainable(self) -> bool:
        """Whether this question can be practised in the explain-it mode (it has a model answer and key points)."""
        return bool(self.model_answer and self.key_points)

    def check(self, response: str) -> DrillResult:
        """Choice questions: the choice's text (case and spacing ignored) or its 1-based number. Open questions: the
        response is handed to the simulator (a prefix is built into a NAT rule and traced, a next-hop type is compared
        with the effective route, a number with the computed break-even)."""
        from .generators import judge

        return judge(self, response)


def generate(topic: str, level: int, seed: int) -> DrillQuestion:
    """The question for ``(topic, level, seed)``; raises :class:`DrillError` for an unknown topic or level."""
    if not isinstance(topic, str) or topic not in TOPICS:
        raise DrillError(f"Unknown drill topic {topic!r}; topics: {', '.join(TOPICS)}.", value=topic,
                         rule="a known topic")
    if isinstance(level, bool) or level not in LEVELS:
        raise DrillError(f"Drill level {level!r}: use 1 (easy), 2 (medium) or 3 (hard).", value=level,
                         rule="levels 1-3")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise DrillError(f"Drill seed {seed!r}: an integer.", value=seed, rule="seeds are integers")
    from .generators import make

    return make(topic, int(level), seed)


__all__ = ["EXPLAIN", "EXPLAIN_TOPICS", "DrillError", "DrillQuestion", "DrillResult", "KINDS", "LEVELS", "TOPICS", "TOPIC_TITLES", "generate"]
