"""Graded exercise 05 · Overlapping address spaces and VPN gateway NAT (lesson ``notebooks/05-overlap-and-nat``;
azure-facts §5, §3.3, §6.3, S4, S5).

q1 join a merger's overlapping networks: a VNet and two on-premises sites numbered from the same range, one site
with two prefixes. The answer is NAT rules and their links, as data (or a ``Network``); the grader creates the
rules and the connections on the givens with the engine (which refuses what Azure refuses) and traces from every
VM to every site host and back. q2 predict a packet as its receiver sees it after the gateway's rewrites; the
truth is ``trace(...).delivered_as``. q3 judge four ways of joining two Azure VNets that share an address space;
the truth is what the engine refuses, plus S4's note that the IPsec-with-NAT pattern is documented for on-premises
branches only.
"""
from __future__ import annotations

import functools
import random
from dataclasses import dataclass, replace
from typing import Any, Mapping

from netaddr import IPAddress, IPNetwork

from ..addressing import overlaps
from ..connection import GatewayConnectionError
from ..errors import PeeringOverlapError, VnetlabError
from ..nat import NatSupportError
from ..network import Network
from .core import AnswerError, Check, ExerciseSpec, Question, Unanswered, differences, every_message, still_open
# BEGIN HIDDEN CHECKS
from ..facts import fact
# END HIDDEN CHECKS

VNET = "contoso"
SITES = ("fabrikam-dc", "fabrikam-lab")
GATEWAY = "GatewaySubnet"
RULE_KEYS = {"name", "type", "mode", "internal", "external", "internal_port", "external_port", "ip_configuration_id"}


def _conn(site: str) -> str:
    return f"{VNET}-{site}"


# --- q1: join the merger ------------------------------------------------------------------------------------------
def merger_setup(rng: random.Random) -> dict:
    a, b = rng.randint(10, 250), 2 * rng.randint(1, 120)
    vnet = f"10.{a}.{b}.0/23"
    shared = b + rng.randint(0, 1)                   # both sites number one /24 of the VNet's /23 alike
    other = b + 1 - (shared - b)                     # the lab's second prefix sits in the VNet's other half
    half = rng.choice([0, 128])
    vms = {"vm-app": f"10.{a}.{b}.{rng.randint(4, 120)}", "vm-data": f"10.{a}.{b + 1}.{rng.randint(4, 120)}"}
    common = f"10.{a}.{shared}.{rng.randint(4, 250)}"  # the same address exists at both sites
    lab_only = f"10.{a}.{other}.{half + rng.randint(4, 120)}"
    network = {
        "name": "merger",
        "vnets": [{"name": VNET, "address_space": [vnet], "region": rng.choice(["westeurope", "northeurope", "eastus"]),
                   "subnets": [
                       {"name": "app", "prefix": f"10.{a}.{b}.0/25", "nics": [{"name": "vm-app", "ip": vms["vm-app"]}]},
                       {"name": "data", "prefix": f"10.{a}.{b + 1}.0/25", "nics": [{"name": "vm-data", "ip": vms["vm-data"]}]},
                       {"name": GATEWAY, "prefix": f"10.{a}.{b + 1}.224/27"}]}],
        "vpn_gateways": [{"vnet": VNET, "sku": rng.choice(["VpnGw2AZ", "VpnGw3AZ"])}],
        "local_network_gateways": [
            {"name": SITES[0], "gateway_ip": f"198.51.100.{rng.randint(2, 120)}", "prefixes": [f"10.{a}.{shared}.0/24"]},
            {"name": SITES[1], "gateway_ip": f"203.0.113.{rng.randint(2, 120)}",
             "prefixes": [f"10.{a}.{shared}.0/24", f"10.{a}.{other}.{half}/25"]}],
    }
    return {"network": network, "vnet": VNET, "vms": vms,
            "sites": {SITES[0]: {"prefixes": [f"10.{a}.{shared}.0/24"], "hosts": [common]},
                      SITES[1]: {"prefixes": [f"10.{a}.{shared}.0/24", f"10.{a}.{other}.{half}/25"],
                                 "hosts": [common, lab_only]}},
            "connections": {s: _conn(s) for s in SITES}}


@dataclass(frozen=True)
class Merger:
    """The learner's rules and links applied to the givens, or where and why the engine refused them."""

    rules: tuple[dict, ...]
    links: dict
    net: Network | None
    refused: str | None = None
    rule: dict | None = None     # the rule Azure refused, when it was a rule
    site: str | None = None      # the connection Azure refused, when it was a link
    others: tuple["Merger", ...] = ()  # every further refusal, each as its own Merger (a learner sees them all)


def _from_network(raw: dict) -> tuple[list, dict]:
    """Rules and links out of a ``Network``'s plain data (what ``to_plain`` makes of a Network)."""
    gateways = [g for g in raw.get("vpn_gateways") or [] if isinstance(g, dict) and g.get("vnet") == VNET]
    rules = list(gateways[0].get("nat_rules") or []) if gateways else []
    links = {c.get("remote"): {"ingress": c.get("ingress_nat_rules") or [], "egress": c.get("egress_nat_rules") or []}
             for c in raw.get("connections") or [] if isinstance(c, dict) and c.get("vnet") == VNET}
    return rules, links


def _names(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AnswerError(f"{where} should be a list of rule names, e.g. ['my-rule'].", value=value, rule="answer format")
    return value


def read_merger(raw: Any, givens: Mapping) -> Merger:
    if still_open(raw):
        raise Unanswered("No answer yet: set `nat_plan` to {'rules': [...], 'connections': {...}} (or to your Network).")
    if not isinstance(raw, dict):
        raise AnswerError(f"`nat_plan` should be a dict with 'rules' and 'connections' (or a vl.Network); got "
                          f"{type(raw).__name__}.", value=raw, rule="answer format")
    if "vnets" in raw:
        rules, links = _from_network(raw)
    else:
        rules, links = raw.get("rules"), raw.get("connections")
        if not isinstance(rules, list) or not isinstance(links, dict):
            raise AnswerError("`nat_plan` needs 'rules' (a list of rule dicts) and 'connections' (a dict from site name "
                              "to {'ingress': [...], 'egress': [...]}).", value=raw, rule="answer format")
    for rule in rules:
        if not isinstance(rule, dict) or not {"name", "mode", "internal", "external"} <= set(rule) or set(rule) - RULE_KEYS:
            raise AnswerError(f"Each rule is a dict with name, type, mode, internal and external; got {rule!r}.",
                              value=rule, rule="answer format")
    clean = {}
    by_connection = {name: site for site, name in givens["connections"].items()}
    for site, link in links.items():
        site = by_connection.get(site, site)   # the NAT rule builder keys its links by connection name
        if site not in givens["sites"]:
            raise AnswerError(f"connections: {site!r} is neither a site of your givens ({', '.join(givens['sites'])}) "
                              "nor one of their connections.",
                              value=site, rule="answer format")
        if not isinstance(link, dict):
            raise AnswerError(f"connections[{site!r}] should be {{'ingress': [...], 'egress': [...]}}.", value=link,
                              rule="answer format")
        clean[site] = {"ingress": _names(link.get("ingress", link.get("ingress_nat_rules")), f"connections[{site!r}]['ingress']"),
                       "egress": _names(link.get("egress", link.get("egress_nat_rules")), f"connections[{site!r}]['egress']")}
    net = Network.from_dict(givens["network"])
    refused: list[tuple[str, dict | None, str | None]] = []   # every refusal: (Azure's reason, rule, site)
    for rule in rules:
        try:
            net.add_nat_rule(VNET, **rule)
        except VnetlabError as exc:
            refused.append((str(exc), rule, None))
    missing = {str(r.get("name")) for _, r, _ in refused}
    for site in givens["sites"]:
        link = clean.get(site, {"ingress": [], "egress": []})
        if missing & {*link["ingress"], *link["egress"]}:
            continue  # it names a refused rule: that refusal is reported, and this link cannot be judged yet
        try:
            net.connect(VNET, site, kind="IPsec", name=_conn(site), ingress_nat_rules=link["ingress"],
                        egress_nat_rules=link["egress"])
        except VnetlabError as exc:
            refused.append((str(exc), None, site))
    if not refused:
        return Merger(tuple(rules), clean, net)
    each = [Merger(tuple(rules), clean, None, reason, rule=rule, site=site) for reason, rule, site in refused]
    return replace(each[0], others=tuple(each[1:]))


def _overlap(a: str, b: str) -> bool:
    return bool(overlaps(a, b))


def _rule_refusal(m: Merger, givens: Mapping) -> str:
    r, vnet = m.rule, givens["network"]["vnets"][0]["address_space"][0]
    name, internal, external = r["name"], str(r["internal"]), str(r["external"])
    kind = str(r.get("type", "Static")).strip().capitalize()
    try:
        inside, outside = IPNetwork(internal), IPNetwork(external)
    except Exception:
        return f"Azure refuses rule {name}: {m.refused}"
    if kind == "Static" and inside.prefixlen != outside.prefixlen:
        return (f"Rule {name} maps {internal} to {external}: the prefix lengths differ. A Static rule maps 1:1 in "
                f"sequential order, so the external prefix must be a /{inside.prefixlen} too (VPN FAQ).")
    if _overlap(external, vnet):
        return (f"Rule {name}'s external mapping {external} overlaps the VNet's own range {vnet}: an external "
                "mapping is the new address space the other side sees, so it must be free (NAT overview).")
    clash = next((o for o in m.rules if o is not r and o in m.rules[:m.rules.index(r)]
                  and _overlap(external, str(o["external"]))), None)
    if clash is not None:
        return (f"Rule {name}'s external mapping {external} overlaps rule {clash['name']}'s {clash['external']}: "
                "external mappings must not overlap each other, or the VNet could not tell the sites apart "
                "(NAT overview).")
    if kind == "Dynamic":
        return (f"Azure refuses dynamic rule {name} ({m.refused}). Besides, a dynamic rule is one-way; this merger "
                "needs connections started from both sides, which takes Static rules.")
    return f"Azure refuses rule {name}: {m.refused}"


def _link_refusal(m: Merger, givens: Mapping) -> str:
    site, link = m.site, m.links.get(m.site, {"ingress": [], "egress": []})
    by_name = {r["name"]: r for r in m.rules}
    for side, mode in (("ingress", "IngressSnat"), ("egress", "EgressSnat")):
        for n in link[side]:
            r = by_name.get(n)
            if r is not None and str(r["mode"]).strip().lower() != mode.lower():
                return (f"Rule {n} is {r['mode']} but you linked it as an {side} rule on {_conn(site)}. IngressSnat "
                        "maps an on-premises space (how Azure sees the site) and is linked as ingress; EgressSnat maps "
                        "the VNet's space (how the site sees the VNet) and is linked as egress.")
    dynamic = [n for n in (*link["ingress"], *link["egress"]) if str(by_name.get(n, {}).get("type", "")).lower() == "dynamic"]
    if dynamic and "dynamic rule" in m.refused.lower():
        return (f"Dynamic rule {dynamic[0]} is already linked to the other connection: a dynamic rule serves one "
                "connection (NAT overview). The merger needs Static rules anyway (two-way initiation).")
    if not link["ingress"] and not link["egress"]:
        return (f"{_conn(site)} has no NAT rules, and {site}'s space overlaps the VNet: Azure refuses a connection "
                "between overlapping spaces. Create the rules first, then link them when you create the connection.")
    vnet = givens["network"]["vnets"][0]["address_space"][0]
    ingress = [by_name[n] for n in link["ingress"] if n in by_name]
    for prefix in givens["sites"][site]["prefixes"]:
        if any(IPNetwork(prefix) in IPNetwork(str(r["internal"])) for r in ingress):
            continue
        elsewhere = next((r for r in m.rules if str(r["mode"]).lower() == "ingresssnat"
                          and IPNetwork(prefix) in IPNetwork(str(r["internal"])) and r["name"] not in link["ingress"]), None)
        if not ingress:
            return (f"{_conn(site)} links no IngressSnat rule: {site}'s {prefix} would reach the VNet untranslated, "
                    f"inside the VNet's own {vnet}. Link an IngressSnat rule that maps the site's prefix to a free range.")
        if elsewhere is not None and len(givens["sites"][site]["prefixes"]) > 1 and ingress:
            return (f"{site} has two prefixes and {prefix} is left untranslated on {_conn(site)}: one prefix per rule, so "
                    f"a space with two prefixes needs two IngressSnat rules, both linked (VPN FAQ). Rule "
                    f"{elsewhere['name']} maps it, but it is not linked to this connection.")
        if elsewhere is not None:
            return (f"Rule {elsewhere['name']} maps {site}'s {prefix}, but it is not linked to {_conn(site)}: a rule "
                    "translates only on the connections it is linked to.")
        if len(givens["sites"][site]["prefixes"]) > 1:
            return (f"{site} has two prefixes and {prefix} is left untranslated: one prefix per rule, so a space with "
                    "two prefixes needs two IngressSnat rules (VPN FAQ).")
    if not link["egress"]:
        return (f"{_conn(site)} links IngressSnat rules only: {site} would see the VNet's {vnet} overlapping its own "
                "range. When the on-premises space overlaps the VNet, the connection needs an EgressSnat rule for the "
                "VNet too (VPN FAQ).")
    return f"Azure refuses {_conn(site)}: {m.refused}"


def merger_accepted(m: Merger, givens: Mapping) -> str | None:
    """Every rule and connection Azure refuses, each with the rule it breaks."""
    if m.refused is None:
        return None
    return every_message(_rule_refusal(r, givens) if r.rule is not None else _link_refusal(r, givens)
                         for r in (m, *m.others))


def _on_merged_network(check):
    """A check that needs the built network; when Azure refused the plan, the refusal is reported once, above."""
    @functools.wraps(check)
    def run(m: Merger, givens: Mapping) -> str | None:
        return "Azure refused your rules or links (see the first check)." if m.net is None else check(m, givens)
    return run


def _seen(rules, address: str) -> str:
    """``address`` after the first rule whose internal mapping holds it (unchanged when none does)."""
    a = IPAddress(address)
    rule = next((r for r in rules if a in r.internal), None)
    return str(rule.translate(a)) if rule else address


def site_as_seen_by_azure(net: Network, site: str, host: str) -> str:
    c = net.connection(VNET, _conn(site))
    return _seen([c.gateway.nat_rules[n] for n in c.ingress_nat_rules], host)


def vm_as_seen_by_site(net: Network, site: str, vm_ip: str) -> str:
    c = net.connection(VNET, _conn(site))
    return _seen([c.gateway.nat_rules[n] for n in c.egress_nat_rules], vm_ip)


def _dynamic_message(reason: str) -> str | None:
    if "dynamic" in reason.lower():
        return f"{reason} The merger needs connections started from both sides, so its rules must be Static."
    return None


def _vnet_to_site(m: Merger, vm: str, site: str, host: str) -> str | None:
    address = site_as_seen_by_azure(m.net, site, host)
    t = m.net.trace(vm, address)
    if not t.reachable:
        return _dynamic_message(t.reason) or f"{vm} → {site} host {host} (addressed as {address}): {t.verdict}. {t.reason}"
    if not t.translations:
        return f"{vm} → {site} host {host} passed the gateway without any NAT rewrite."
    return None


@_on_merged_network
def merger_vnet_to_sites(m: Merger, givens: Mapping) -> str | None:
    """Every flow from a VM to a site host that fails, each with its reason."""
    return every_message(_vnet_to_site(m, vm, site, host) for vm in givens["vms"]
                         for site, info in givens["sites"].items() for host in info["hosts"])


def _site_to_vnet(m: Merger, site: str, host: str, vm: str, ip: str) -> str | None:
    address = vm_as_seen_by_site(m.net, site, ip)
    t = m.net.trace(host, address, from_site=site)
    if not t.reachable or t.delivered_as[1] != ip:
        return _dynamic_message(t.reason) or (f"{site} host {host} → {vm} (addressed as {address}): "
                                              f"{t.verdict}. {t.reason}")
    return None


@_on_merged_network
def merger_sites_to_vnet(m: Merger, givens: Mapping) -> str | None:
    """Every flow from a site host to a VM that fails, each with its reason."""
    return every_message(_site_to_vnet(m, site, host, vm, ip) for site, info in givens["sites"].items()
                         for host in info["hosts"] for vm, ip in givens["vms"].items())


# BEGIN HIDDEN CHECKS
@_on_merged_network
def merger_told_apart(m: Merger, givens: Mapping) -> str | None:
    seen = {}
    for site, info in givens["sites"].items():
        for host in info["hosts"]:
            address = site_as_seen_by_azure(m.net, site, host)
            if address in seen:
                return (f"The VNet sees {host} at {site} and {seen[address]} as the same address {address}: both "
                        "connections share one IngressSnat mapping. A rule may be shared only by connections that "
                        "reach the same on-premises network (VPN FAQ); these are two sites, so give each its own rule "
                        "and external range.")
            seen[address] = f"{host} at {site}"
            t = m.net.trace(next(iter(givens["vms"])), address)
            if t.reachable and t.hops[-1].vnet != site:
                return f"A packet for {site}'s host {host} (as {address}) is handed to {t.hops[-1].vnet} instead."
    return None
# END HIDDEN CHECKS


# BEGIN HIDDEN CHECKS
def merger_static(m: Merger, givens: Mapping) -> str | None:
    linked = {n for link in m.links.values() for n in (*link["ingress"], *link["egress"])}
    dynamic = [r["name"] for r in m.rules if r["name"] in linked and str(r.get("type", "Static")).lower() == "dynamic"]
    if dynamic:
        return (f"Rule {dynamic[0]} is Dynamic: dynamic NAT is one-way, so one side could never start a connection. "
                "Both sides of the merger start connections: use Static rules.")
    return None
# END HIDDEN CHECKS


Q1 = Question(
    id="q1", title="Join the merger's overlapping networks", points=6, answer="nat_plan",
    setup=merger_setup, read=read_merger,
    checks=(
        Check("Azure accepts your NAT rules and both connections", merger_accepted,
              misconceptions=("nat-refused-config",)),
        Check("Every VM reaches every site host, through NAT", merger_vnet_to_sites, weight=2,
              misconceptions=("nat-direction",)),
        Check("Every site host reaches every VM, through NAT", merger_sites_to_vnet, weight=2,
              misconceptions=("nat-direction",)),
        # BEGIN HIDDEN CHECKS
        Check("The VNet tells the two sites apart", merger_told_apart, visible=False,
              rule="When two sites use the same range, NAT must map them to different external ranges so the "
                   "VNet can tell them apart.",
              source=fact("nat", "external_no_overlap").cite(), misconceptions=("nat-direction",)),
        Check("Static rules only (both sides start connections)", merger_static, visible=False,
              rule="Use static NAT rules when both sides start connections: dynamic rules only let one side "
                   "start them.",
              source=fact("nat", "types").cite(), misconceptions=("dynamic-nat-one-way",)),
        # END HIDDEN CHECKS
    ),
    hints=(
        "Count the address spaces that overlap: the VNet's, and each site's prefixes. Each needs a range it is known "
        "by on the other side of the gateway: an EgressSnat rule for the VNet, IngressSnat rules for the sites.",
        "One prefix per rule, and a Static rule keeps the prefix length: a /23 maps to a /23, a /25 to a /25.",
        "Pick external ranges that overlap nothing: not the VNet, not another rule's external range.",
        "Link each site's IngressSnat rules and the VNet's EgressSnat rule to that site's connection.",
    ),
)


# --- q2: predict the rewritten packet ---------------------------------------------------------------------------
def packet_setup(rng: random.Random) -> dict:
    a, k = rng.randint(10, 250), 2 * rng.randint(1, 120)
    m, n = rng.sample(range(1, 120), 2)
    space = f"10.{a}.{k}.0/23"
    vm_ip = f"10.{a}.{k + 1}.{rng.randint(4, 120)}"
    network = {
        "name": "nat-pair",
        "vnets": [{"name": "hub", "address_space": [space], "region": "westeurope", "subnets": [
            {"name": "app", "prefix": f"10.{a}.{k + 1}.0/25", "nics": [{"name": "vm-app", "ip": vm_ip}]},
            {"name": GATEWAY, "prefix": f"10.{a}.{k + 1}.224/27"}]}],
        "vpn_gateways": [{"vnet": "hub", "sku": "VpnGw2AZ", "nat_rules": [
            {"name": "hub-out", "type": "Static", "mode": "EgressSnat", "internal": space, "external": f"192.168.{2 * m}.0/23"},
            {"name": "branch-in", "type": "Static", "mode": "IngressSnat", "internal": space,
             "external": f"192.168.{2 * n}.0/23"}]}],
        "local_network_gateways": [{"name": "branch", "gateway_ip": "198.51.100.7", "prefixes": [space]}],
        "connections": [{"vnet": "hub", "remote": "branch", "kind": "IPsec", "name": "hub-branch",
                         "ingress_nat_rules": ["branch-in"], "egress_nat_rules": ["hub-out"]}],
    }
    h1, h2 = (f"10.{a}.{k + rng.randint(0, 1)}.{rng.randint(4, 250)}" for _ in range(2))
    h3 = f"10.{a}.{k + 1}.{rng.randint(130, 250)}"   # the upper /24 of the /23: the offset crosses the third octet
    vm_ext = f"192.168.{2 * m + 1}.{vm_ip.split('.')[-1]}"      # the course's own arithmetic: S5's offset rule
    h2_ext = str(IPNetwork(f"192.168.{2 * n}.0/23")[int(IPAddress(h2)) - IPNetwork(space).first])
    return {"network": network, "vm": "vm-app", "vm_ip": vm_ip, "packets": {
        "p1": {"from": f"branch host {h1}", "to": f"vm-app, addressed as {vm_ext}", "src": h1, "dst": vm_ext,
               "from_site": "branch", "receiver": "vm-app"},
        "p2": {"from": "vm-app", "to": f"branch host {h2}, addressed as {h2_ext}", "src": "vm-app", "dst": h2_ext,
               "receiver": f"branch host {h2}"},
        "p3": {"from": f"branch host {h3}", "to": f"vm-app, addressed as {vm_ext}", "src": h3, "dst": vm_ext,
               "from_site": "branch", "receiver": "vm-app"}}}


def _packet_trace(givens: Mapping, pid: str):
    p = givens["packets"][pid]
    net = Network.from_dict(givens["network"])
    return net.trace(p["src"], p["dst"], from_site=p.get("from_site"))


def read_packets(raw: Any, givens: Mapping) -> dict:
    if still_open(raw):
        raise Unanswered("No answer yet: fill in `seen` with the source and destination each receiver sees.")
    if not isinstance(raw, dict):
        raise AnswerError(f"`seen` should be a dict such as {{'p1': ('a.b.c.d', 'e.f.g.h'), ...}}; got "
                          f"{type(raw).__name__}.", value=raw, rule="answer format")
    out = {}
    for pid in givens["packets"]:
        value = raw.get(pid)
        if isinstance(value, dict):
            value = [value.get("source", value.get("src")), value.get("destination", value.get("dst"))]
        if still_open(value) or (isinstance(value, list) and all(still_open(v) for v in value)):
            out[pid] = None
            continue
        if not isinstance(value, list) or len(value) != 2:
            raise AnswerError(f"seen[{pid!r}] should be a pair (source, destination); got {value!r}.", value=value,
                              rule="answer format")
        try:
            out[pid] = tuple(str(IPAddress(str(v).strip())) for v in value)
        except Exception:
            raise AnswerError(f"seen[{pid!r}] = {value!r}: write two IPv4 addresses as text.", value=value,
                              rule="answer format") from None
    if all(v is None for v in out.values()):
        raise Unanswered("No answer yet: replace the None placeholders in `seen`.")
    return out


def _packet_check(pid: str):
    def check(answers: dict, givens: Mapping) -> str | None:
        t = _packet_trace(givens, pid)
        truth, said, p = t.delivered_as, answers[pid], givens["packets"][pid]
        if said == truth:
            return None
        if said is None:
            return f"{pid} has no prediction yet."
        src, dst = said
        sent_src = givens["vm_ip"] if p["src"] == "vm-app" else p["src"]
        if (src, dst) == (truth[1], truth[0]):
            return f"{pid}: you swapped source and destination; the receiver is {p['receiver']}."
        if src != truth[0] and src == sent_src:
            return (f"{pid}: the source {src} is the sender's own address, but the gateway rewrites the source of every "
                    "packet it translates (SNAT): the receiver sees the sender through its external range.")
        if dst != truth[1] and dst == p["dst"]:
            return (f"{pid}: {dst} is the address the sender used; one SNAT rule works both ways, so the rule that "
                    "maps the receiver's side also translates the destination back to the receiver's own address.")
        wrong = src if src != truth[0] else dst
        near = truth[0] if src != truth[0] else truth[1]
        if IPNetwork(f"{near}/23").network == IPNetwork(f"{wrong}/23").network:
            return (f"{pid}: {wrong} is in the right range but not the right address: a Static rule maps 1:1 in "
                    "sequential order, keeping each address's offset from the start of the prefix.")
        return f"{pid}: the packet does not arrive as {src} → {dst}; follow each rule's rewrite in turn."
    check.__name__ = f"packet_{pid}"
    return check



# BEGIN HIDDEN CHECKS
def packets_all(answers: dict, givens: Mapping) -> str | None:
    return differences([pid for pid in givens["packets"] if answers[pid] != _packet_trace(givens, pid).delivered_as],
                       "predictions", "trace's")
# END HIDDEN CHECKS


Q2 = Question(
    id="q2", title="Predict the packet after NAT", points=3, answer="seen",
    setup=packet_setup, read=read_packets,
    checks=(
        Check("p1: what vm-app receives from the branch", _packet_check("p1"), misconceptions=("nat-direction",)),
        Check("p2: what the branch host receives from vm-app", _packet_check("p2"), misconceptions=("nat-direction",)),
        # BEGIN HIDDEN CHECKS
        Check("p3: a host in the other half of the range", _packet_check("p3"), visible=False,
              rule="A static NAT rule maps each address to the address at the same offset in the other range.",
              source=fact("nat", "types").cite(), misconceptions=("nat-direction",)),
        Check("Every prediction matches the trace", packets_all, visible=False,
              rule="IngressSnat rewrites the source of traffic arriving from a site and EgressSnat that of "
                   "traffic leaving for it; the address keeps its offset in the range.",
              source=fact("nat", "modes").cite(), targeted=False),
        # END HIDDEN CHECKS
    ),
    hints=(
        "On its way through the gateway a packet meets two rules: one rewrites its source, the other (used in "
        "reverse) its destination.",
        "IngressSnat rewrites the branch's addresses, EgressSnat the VNet's. Internal is the real address, external "
        "the address the other side uses.",
        "Static: same offset from the start of the prefix. In a /23 the offset can cross into the third octet.",
    ),
)


# --- q3: two Azure VNets with the same address space ---------------------------------------------------------------
OPTIONS = ("VNetPeering", "Vnet2Vnet", "Vnet2Vnet + NAT", "IPsec + NAT")
VERDICTS = {
    "overlap": "refused: the address spaces overlap",
    "nat-connection": "refused: NAT rules work on IPsec (Site-to-Site) connections only",
    "nat-sku": "refused: the gateway SKU has no NAT",
    "extrapolation": "accepted, but not a documented scenario: the documented NAT pattern is for on-premises branches",
    "documented": "accepted, and the documented way to do it",
}


def twins_setup(rng: random.Random) -> dict:
    a = rng.randint(10, 250)
    options = list(OPTIONS)
    rng.shuffle(options)
    return {"space": f"10.{a}.0.0/16", "vnets": ["east", "west"], "sku": rng.choice(["VpnGw2AZ", "VpnGw3AZ", "VpnGw4AZ"]),
            "externals": {"east": f"172.{rng.randint(16, 23)}.0.0/16", "west": f"172.{rng.randint(24, 31)}.0.0/16"},
            "options": options, "verdicts": dict(VERDICTS)}


def _twins(givens: Mapping, gateways: bool) -> Network:
    net = Network("twins")
    space = IPNetwork(givens["space"])
    for i, name in enumerate(givens["vnets"]):
        v = net.add_vnet(name, [str(space)], region="westeurope")
        v.add_subnet("app", str(list(space.subnet(24))[1])).add_nic(f"vm-{name}")
        if gateways:
            v.add_subnet(GATEWAY, str(list(space.subnet(27))[-8]))
            net.add_vpn_gateway(name, givens["sku"])
    return net


def _try(givens: Mapping, option: str) -> str:
    """What the engine says when the option is tried on the two VNets: a VERDICTS key."""
    east, west = givens["vnets"]
    try:
        if option == "VNetPeering":
            _twins(givens, False).peer(east, west)
            return "documented"
        net = _twins(givens, True)
        if option == "Vnet2Vnet":
            net.connect(east, west, kind="Vnet2Vnet")
            return "documented"
        for me, other in ((east, west), (west, east)):
            net.add_nat_rule(me, f"{me}-out", mode="EgressSnat", internal=givens["space"], external=givens["externals"][me])
            net.add_nat_rule(me, f"{other}-in", mode="IngressSnat", internal=givens["space"],
                             external=givens["externals"][other])
        if option == "Vnet2Vnet + NAT":
            net.connect(east, west, kind="Vnet2Vnet", ingress_nat_rules=[f"{west}-in"], egress_nat_rules=[f"{east}-out"])
            return "documented"
        for me, other in ((east, west), (west, east)):
            net.add_local_network_gateway(f"lng-{other}", net.gateway(other).public_ips[0], [givens["space"]])
            net.connect(me, f"lng-{other}", kind="IPsec", ingress_nat_rules=[f"{other}-in"], egress_nat_rules=[f"{me}-out"])
        if not net.trace(f"vm-{east}", str(IPNetwork(givens["externals"][west])[260])).reachable:
            return "overlap"
        # S4: accepted by the rules, but the documented NAT pattern joins on-premises branches, not two VNets.
        return "extrapolation"
    except PeeringOverlapError:
        return "overlap"
    except NatSupportError as exc:
        return "nat-sku" if "VpnGw2" in (exc.rule or "") else "nat-connection"
    except GatewayConnectionError as exc:
        return "overlap" if "overlap" in (exc.rule or "") else "nat-connection"


@functools.lru_cache(maxsize=64)
def _truth_cached(space: str, sku: str, externals: tuple, vnets: tuple) -> tuple:
    givens = {"space": space, "sku": sku, "externals": dict(externals), "vnets": list(vnets)}
    return tuple((o, _try(givens, o)) for o in OPTIONS)


def twins_truth(givens: Mapping) -> dict[str, str]:
    return dict(_truth_cached(givens["space"], givens["sku"], tuple(sorted(givens["externals"].items())),
                              tuple(givens["vnets"])))


def read_twins(raw: Any, givens: Mapping) -> dict:
    if still_open(raw):
        raise Unanswered("No answer yet: fill in `verdicts` (one key per option) and `verdicts['pick']`.")
    if not isinstance(raw, dict):
        raise AnswerError(f"`verdicts` should be a dict from option to verdict key; got {type(raw).__name__}.",
                          value=raw, rule="answer format")
    out = {}
    for option in (*OPTIONS, "pick"):
        value = raw.get(option)
        if still_open(value):
            out[option] = None
            continue
        allowed = OPTIONS if option == "pick" else tuple(VERDICTS)
        match = next((x for x in allowed if isinstance(value, str) and x.lower() == value.strip().lower()), None)
        if match is None:
            raise AnswerError(f"verdicts[{option!r}] = {value!r}: use one of {', '.join(map(repr, allowed))}.",
                              value=value, rule="answer format")
        out[option] = match
    if all(v is None for v in out.values()):
        raise Unanswered("No answer yet: replace the '?' in `verdicts`.")
    return out


WHY = {
    "VNetPeering": "Overlapping VNets cannot be peered (Manage peering); NAT rules live on VPN gateways, linked to "
                   "IPsec connections, and a peering has none.",
    "Vnet2Vnet": "The address spaces of VNets joined by VNet-to-VNet must not overlap (VNet-to-VNet how-to).",
    "Vnet2Vnet + NAT": "NAT rules work on IPsec (Site-to-Site) connections only, not on VNet-to-VNet or Point-to-Site "
                       "(NAT overview). Read your gateway's SKU in the givens before you blame it.",
    "IPsec + NAT": "Which connection kinds take NAT rules, on which SKUs (NAT overview)? And the documented NAT "
                   "pattern joins on-premises branches: is an Azure VNet behind an LNG that pattern, or an "
                   "extrapolation?",
}


def _twins_check(option: str):
    def check(answers: dict, givens: Mapping) -> str | None:
        truth = twins_truth(givens)[option]
        if answers[option] == truth:
            return None
        if answers[option] is None:
            return f"{option} has no verdict yet."
        return f"{option}: not {answers[option]!r}. {WHY[option]}"
    check.__name__ = f"twins_{option}"
    return check


def twins_pick(answers: dict, givens: Mapping) -> str | None:
    truth = twins_truth(givens)
    works = [o for o in OPTIONS if not truth[o].startswith(("overlap", "nat"))]
    if answers["pick"] in works:
        return None
    if answers["pick"] is None:
        return "Pick the option that can join the two VNets."
    return f"{answers['pick']} cannot join them: {WHY[answers['pick']]}"


# BEGIN HIDDEN CHECKS
def twins_all(answers: dict, givens: Mapping) -> str | None:
    return differences([o for o, v in twins_truth(givens).items() if answers[o] != v], "verdicts", "documented rules'")
# END HIDDEN CHECKS


Q3 = Question(
    id="q3", title="Two Azure VNets with the same address space", points=3, answer="verdicts",
    setup=twins_setup, read=read_twins,
    checks=(
        Check("Peering two overlapping VNets", _twins_check("VNetPeering"), misconceptions=("overlap-blocks-peering",)),
        Check("VNet-to-VNet with NAT rules", _twins_check("Vnet2Vnet + NAT"), misconceptions=("nat-on-vnet2vnet",)),
        Check("The option you pick can join them", twins_pick, misconceptions=("nat-on-vnet2vnet",)),
        # BEGIN HIDDEN CHECKS
        Check("IPsec with NAT between two Azure VNets", _twins_check("IPsec + NAT"), visible=False,
              rule="NAT rules work on IPsec (Site-to-Site) connections; using them between two Azure VNets is "
                   "accepted but is not a documented scenario (the documented pattern is for on-premises "
                   "branches).",
              source=fact("nat", "connection_kinds").cite(), misconceptions=("nat-on-vnet2vnet",)),
        Check("Every verdict matches the rules", twins_all, visible=False,
              rule="Overlapping VNets cannot be peered or joined by a plain connection; NAT rules need a SKU "
                   "that has NAT and work on IPsec (Site-to-Site) connections only.",
              source=fact("nat", "connection_kinds").cite(), targeted=False),
        # END HIDDEN CHECKS
    ),
    hints=(
        "Try each option on two VNets in the simulator and read the error's rule.",
        "Where does Azure support NAT rules: which connection type, which SKUs?",
        "Accepted is not the same as documented: which networks does the documented NAT example join?",
    ),
)


EXERCISE = ExerciseSpec(
    name="05-overlap-and-nat", title="Overlapping address spaces and VPN gateway NAT",
    lesson="../notebooks/05-overlap-and-nat.ipynb", questions=(Q1, Q2, Q3),
)
