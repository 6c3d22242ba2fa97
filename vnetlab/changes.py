"""Change over time: what a change does to every subnet's routes, and how long a plan takes.

:func:`what_changes` applies a change to a copy of a network (or to the network itself) and reports, per
subnet, the routes that appear, disappear or change next hop — the seed's point in one table: add an
address range to a VNet and a ``Vnet2Vnet`` connection carries it at once, an ``IPsec`` connection does
not until its local network gateway is edited, a peering not until it is synced.

:func:`timeline` lays out a plan's steps with the durations the documents give: a VPN gateway "can take
45 minutes or more" (VPN docs; the Architecture Center says "~30 minutes"); a peering is "Fast" (no figure
published, so none is invented here).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .display import html_table, text_table
from .facts import fact


@dataclass(frozen=True)
class RouteChange:
    vnet: str
    subnet: str
    prefix: str
    before: str  # "" when the route did not exist
    after: str   # "" when the route no longer exists

    @property
    def kind(self) -> str:
        return "added" if not self.before else "removed" if not self.after else "changed"


@dataclass(frozen=True)
class ChangeReport:
    description: str
    changes: tuple[RouteChange, ...]

    def for_subnet(self, vnet: str, subnet: str) -> list[RouteChange]:
        return [c for c in self.changes if c.vnet == vnet and c.subnet == subnet]

    def rows(self) -> list[tuple]:
        return [(c.vnet, c.subnet, c.prefix, c.kind, c.before or "—", c.after or "—") for c in self.changes]

    HEADERS = ("VNet", "Subnet", "Prefix", "Change", "Before", "After")

    def _repr_html_(self) -> str:
        if not self.changes:
            return f"<p><b>{self.description}</b>: no effective route changes in any subnet.</p>"
        return html_table(self.HEADERS, self.rows(), caption=self.description)

    def __str__(self) -> str:
        return self.description + "\n" + (text_table(self.HEADERS, self.rows()) if self.changes else "no route changes")


def _active(net) -> dict[tuple[str, str, str], str]:
    """(vnet, subnet, prefix) → 'next hop type (source)' of each Active route."""
    out = {}
    for v in net.vnets.values():
        for s in v.subnets.values():
            for r in net.effective_routes(v.name, s.name).active:
                out[(v.name, s.name, r.prefix)] = f"{r.next_hop_type} ({r.source})"
    return out


def what_changes(net, change: Callable[[object], object], description: str = "change", *,
                 apply: bool = False) -> ChangeReport:
    """Apply ``change(network)`` to a copy (or to ``net`` itself with ``apply=True``) and diff every subnet's
    Active effective routes, before versus after. A refused change raises its ``VnetlabError`` and changes nothing."""
    before = _active(net)
    target = net if apply else net.copy()
    change(target)
    after = _active(target)
    keys = sorted(set(before) | set(after))
    diffs = [RouteChange(*k, before.get(k, ""), after.get(k, "")) for k in keys if before.get(k) != after.get(k)]
    return ChangeReport(description=description, changes=tuple(diffs))


# --- a plan on a timeline ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    name: str
    minutes: float | None  # None: the documents give no figure
    note: str = ""
    source: str = ""


@dataclass(frozen=True)
class Timeline:
    steps: tuple[Step, ...]
    starts: tuple[float, ...]

    @property
    def total_minutes(self) -> float:
        """Elapsed minutes until the last step ends (steps without a published figure count as 0: see ``unknown``)."""
        return max((start + (s.minutes or 0) for s, start in zip(self.steps, self.starts)), default=0.0)

    @property
    def unknown(self) -> list[str]:
        return [s.name for s in self.steps if s.minutes is None]

    def _repr_html_(self) -> str:
        rows = [(s.name, f"{start:g}", "no figure published" if s.minutes is None else f"{s.minutes:g}", s.note)
                for s, start in zip(self.steps, self.starts)]
        return html_table(("Step", "Starts at (min)", "Takes (min)", "Note"), rows,
                          caption=f"Plan: about {self.total_minutes:g} minutes")


def gateway_step(vnet: str) -> Step:
    p = fact("vpn_gateway_skus", "provisioning")
    return Step(f"create VPN gateway in {vnet}", p.value["gateway_minutes"], p.value["wording"], p.cite())


def peering_step(a: str, b: str) -> Step:
    f = fact("peering", "setup_time")
    return Step(f"peer {a} and {b}", None, f"{f.value}: {f.note}", f.cite())


def timeline(steps: list[Step], *, parallel_gateways: bool = True) -> Timeline:
    """Start times for a plan run step after step; consecutive gateway creations (separate resources in
    separate VNets) start together when ``parallel_gateways``."""
    starts: list[float] = []
    clock = run_start = 0.0
    previous_gateway = False
    for s in steps:
        is_gateway = s.name.startswith("create VPN gateway")
        start = run_start if (parallel_gateways and is_gateway and previous_gateway) else clock
        run_start = start if not (is_gateway and previous_gateway) else run_start
        starts.append(start)
        clock = max(clock, start + (s.minutes or 0))
        previous_gateway = is_gateway
    return Timeline(steps=tuple(steps), starts=tuple(starts))
