"""Graded exercise 08 · Network security groups (concept C15; lesson ``notebooks/08-network-security-groups``;
azure-facts §8, §2.3, §6.2, S9).

q1 lock east-west traffic down to one port between two tiers: the learner writes an NSG (rules as data plus
where it is associated) for the app tier of a seeded shop VNet that also has a data tier, a peered hub with a
VPN gateway to a branch, and a peered reporting spoke. The grader builds the network with those rules and
traces many flows with the engine: web → app on the port reachable; other ports, protocols and sources
(data tier, hub, on-premises over the VPN, the peered spoke) dropped; load-balancer health probes still
allowed (IP flow verify); the app's own outbound connections untouched.
q2 predict access and deciding rule for seeded flows through a subnet NSG and a NIC NSG (truth: ``flow_verify``).
q3 decide whether on-premises traffic over the VPN passes the default rules, which tag covers it, and which
addresses the ``VirtualNetwork`` tag holds (truth: ``virtual_network_prefixes``, ``flow_verify``).
q4 outcome and rule: for q2's kind of flows, the access and the evaluation principle that decides it (which level
denies first, or the default VirtualNetwork rules), read from the verdict's steps (:mod:`.outcome_rule`).
Every truth is the engine's; messages name the misconception (DenyAllInbound behind AllowVNetInBound,
priority order, the Internet tag for private traffic, wrong direction, GatewaySubnet, VirtualNetwork as source).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Mapping

from netaddr import IPAddress, IPNetwork

from .. import nsg as nsg_mod
from ..network import Network
from .core import AnswerError, Check, ExerciseSpec, Question, Unanswered, differences, every_message, still_open
from .outcome_rule import Rule, outcome_rule_question, rule_givens
# BEGIN HIDDEN CHECKS
from ..facts import fact
# END HIDDEN CHECKS

RULE_KEYS = ("name", "priority", "direction", "access", "protocol", "source", "source_ports", "destination",
             "destination_ports")
PROBE_SOURCE = "168.63.129.16"  # the AzureLoadBalancer tag (azure-facts §8.4)


def _hub_and_branch(k: int, rng: random.Random) -> tuple[dict, dict, str]:
    """A hub with a VPN gateway and a Site-to-Site connection to a seeded branch /24; the branch's host."""
    m = rng.randint(1, 250)
    hub = {"name": "hub", "address_space": [f"10.{k}.0.0/16"], "region": "westeurope", "subnets": [
        {"name": "GatewaySubnet", "prefix": f"10.{k}.255.0/27"},
        {"name": "shared", "prefix": f"10.{k}.1.0/24", "nics": [{"name": "vm-hub", "ip": f"10.{k}.1.{rng.randint(4, 250)}"}]}]}
    lng = {"name": "branch", "gateway_ip": f"198.51.100.{rng.randint(2, 250)}", "prefixes": [f"192.168.{m}.0/24"]}
    return hub, lng, f"192.168.{m}.{rng.randint(4, 250)}"


def _transit(spoke: str) -> list[dict]:
    return [{"vnet": "hub", "remote": spoke, "allow_gateway_transit": True},
            {"vnet": spoke, "remote": "hub", "use_remote_gateways": True}]


def _gateway_parts() -> dict:
    return {"vpn_gateways": [{"vnet": "hub", "sku": "VpnGw2AZ"}],
            "connections": [{"vnet": "hub", "remote": "branch", "kind": "IPsec"}]}


def _public(rng: random.Random) -> str:
    """An address from the documentation range 203.0.113.0/24 (RFC 5737), standing for an internet host."""
    return f"203.0.113.{rng.randint(2, 250)}"


# --- q1: lock east-west traffic down to one port --------------------------------------------------------------
def lockdown_setup(rng: random.Random) -> dict:
    k = rng.randint(20, 190)
    port = rng.choice([1433, 3306, 5432, 8080, 8443, 9000])
    db_port = rng.choice([p for p in (1433, 5432, 6379) if p != port])
    w, a, d = rng.sample(range(1, 250), 3)
    hub, lng, onprem = _hub_and_branch(k, rng)

    def host(third: int) -> str:
        return f"10.{k + 1}.{third}.{rng.randint(4, 250)}"

    shop = {"name": "shop", "address_space": [f"10.{k + 1}.0.0/16"], "region": "westeurope", "subnets": [
        {"name": "web", "prefix": f"10.{k + 1}.{w}.0/24", "nics": [{"name": "vm-web1", "ip": host(w)},
                                                                    {"name": "vm-web2", "ip": host(w)}]},
        {"name": "app", "prefix": f"10.{k + 1}.{a}.0/24", "nics": [{"name": "vm-app", "ip": host(a)}]},
        {"name": "data", "prefix": f"10.{k + 1}.{d}.0/24", "nics": [{"name": "vm-data", "ip": host(d)}]}]}
    if shop["subnets"][0]["nics"][0]["ip"] == shop["subnets"][0]["nics"][1]["ip"]:
        shop["subnets"][0]["nics"][1]["ip"] = str(IPAddress(shop["subnets"][0]["nics"][0]["ip"]) + 1)
    reports = {"name": "reports", "address_space": [f"10.{k + 2}.0.0/16"], "region": "westeurope", "subnets": [
        {"name": "bi", "prefix": f"10.{k + 2}.1.0/24", "nics": [{"name": "vm-reports", "ip": f"10.{k + 2}.1.{rng.randint(4, 250)}"}]}]}
    network = {"name": "shop-lab", "vnets": [hub, shop, reports], "local_network_gateways": [lng],
               "peerings": [*_transit("shop"), {"peer": ["shop", "reports"]}], **_gateway_parts()}
    others = sorted({22, 3389, port + 1, rng.choice([80, 443, 445, 25, 5985])} - {port})
    return {"network": network, "nsg": "app-nsg", "port": port, "db_port": db_port, "onprem_host": onprem,
            "allow": [{"from": "vm-web1", "protocol": "Tcp", "port": port},
                      {"from": "vm-web2", "protocol": "Tcp", "port": port}],
            "deny_ports": [{"from": rng.choice(["vm-web1", "vm-web2"]), "protocol": "Tcp", "port": p} for p in others],
            "deny_protocols": [{"from": "vm-web1", "protocol": "Udp", "port": port},
                               {"from": "vm-web2", "protocol": "Icmp", "port": None}],
            "deny_sources": [{"from": "vm-data", "protocol": "Tcp", "port": port},
                             {"from": onprem, "site": "branch", "protocol": "Tcp", "port": port}],
            "deny_more_sources": [{"from": "vm-hub", "protocol": "Tcp", "port": port},
                                  {"from": "vm-reports", "protocol": "Tcp", "port": port}],
            "probe": {"remote_ip": PROBE_SOURCE, "protocol": "Tcp", "port": port},
            "app_outbound": {"from": "vm-app", "to": "vm-data", "protocol": "Tcp", "port": db_port}}


@dataclass(frozen=True)
class Lockdown:
    """The givens' network with the learner's NSG built in, and where it went."""

    net: Network
    nsg: str
    places: tuple[str, ...]


def _rule_kwargs(raw: Any, i: int) -> dict:
    if not isinstance(raw, dict):
        raise AnswerError(f"`lockdown['rules'][{i}]` should be a dict such as {{'name': 'allow-web', 'priority': 100, "
                          "'direction': 'Inbound', 'access': 'Allow', ...}}.", value=raw, rule="answer format")
    unknown = sorted(set(raw) - set(RULE_KEYS))
    if unknown:
        raise AnswerError(f"`lockdown['rules'][{i}]` has unknown keys {unknown}; use {', '.join(RULE_KEYS)}.",
                          value=unknown, rule="answer format")
    missing = [key for key in ("name", "priority", "direction", "access") if key not in raw]
    if missing:
        raise AnswerError(f"`lockdown['rules'][{i}]` needs {', '.join(missing)}.", value=raw, rule="answer format")
    return dict(raw)


def read_lockdown(raw: Any, givens: Mapping) -> Lockdown:
    if still_open(raw) or (isinstance(raw, dict) and not raw.get("rules") and not raw.get("associations")):
        raise Unanswered("No answer yet: fill in `lockdown` (its rules and its associations).")
    if not isinstance(raw, dict) or not isinstance(raw.get("rules"), list) or not isinstance(raw.get("associations"), list):
        raise AnswerError("`lockdown` should be a dict with 'rules' (a list of rule dicts) and 'associations' (a list "
                          "such as [{'vnet': 'shop', 'subnet': 'app'}] or [{'nic': 'vm-app'}]).", value=raw,
                          rule="answer format")
    if not raw["associations"]:
        raise AnswerError("Your NSG is associated with nothing, so it filters nothing: add a subnet or a NIC to "
                          "'associations'.", value=raw["associations"], rule="an NSG filters where it is associated")
    net = Network.from_dict(givens["network"])
    name = givens["nsg"]
    net.add_network_security_group(name)
    for i, rule in enumerate(raw["rules"]):
        net.add_security_rule(name, **_rule_kwargs(rule, i))
    places = []
    for place in raw["associations"]:
        if not isinstance(place, dict) or not (set(place) in ({"vnet", "subnet"}, {"nic"})):
            raise AnswerError(f"Association {place!r}: write {{'vnet': 'shop', 'subnet': 'app'}} or {{'nic': 'vm-app'}}.",
                              value=place, rule="answer format")
        if place.get("subnet") == "GatewaySubnet":
            raise AnswerError("You associated the NSG with GatewaySubnet. NSGs on GatewaySubnet are not supported "
                              "(Gateway settings, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings, 2024-02-29), and the app tier is not there anyway: traffic to vm-app is filtered "
                              "by an NSG on subnet shop/app or on vm-app's NIC.", value=place,
                              rule="no NSG on GatewaySubnet")
        net.associate_network_security_group(place.get("vnet"), place.get("subnet"), nic=place.get("nic"), nsg=name)
        places.append(f"NIC {place['nic']}" if "nic" in place else f"subnet {place['vnet']}/{place['subnet']}")
    return Lockdown(net, name, tuple(places))


def _source_ip(net: Network, flow: Mapping) -> str:
    return flow["from"] if "site" in flow else str(net.nic(flow["from"]).ip)


def _describe(flow: Mapping, to: str = "vm-app") -> str:
    src = f"on-premises {flow['from']}" if "site" in flow else flow["from"]
    port = f" {flow['port']}" if flow.get("port") is not None else ""
    return f"{src} → {to} ({flow['protocol']}{port})"


def _trace(net: Network, flow: Mapping, to: str = "vm-app"):
    return net.trace(flow["from"], str(net.nic(to).ip), protocol=flow["protocol"], port=flow["port"],
                     from_site=flow.get("site"))


def _verdict(lock: Lockdown, flow: Mapping):
    return lock.net.flow_verify("vm-app", "Inbound", flow["protocol"], local_port=flow["port"],
                                remote_ip=flow.get("remote_ip") or _source_ip(lock.net, flow),
                                remote_port=None if flow["protocol"] == "Icmp" else 50000)


def _custom(lock: Lockdown) -> list[nsg_mod.SecurityRule]:
    return list(lock.net.network_security_group(lock.nsg).custom.values())


def _tags(lock: Lockdown) -> dict:
    return nsg_mod.service_tag_sets(lock.net, "shop", "app")


def _matching(lock: Lockdown, packet, *, direction: str, access: str) -> list[nsg_mod.SecurityRule]:
    """The learner's rules of ``direction`` and ``access`` whose 5-tuple matches ``packet`` (direction aside)."""
    return [r for r in _custom(lock) if r.direction == direction and r.access == access
            and nsg_mod.rule_matches(r, packet, _tags(lock))]


def _has_tag(rule: nsg_mod.SecurityRule, tag: str) -> bool:
    return any(m.tag == tag for m in rule.sources)


def _no_nsg_at_app(lock: Lockdown) -> str:
    return (f"No NSG filters traffic arriving at vm-app: yours is on {', '.join(lock.places)}. An inbound rule acts "
            "where the packet arrives: associate the NSG with subnet shop/app or with vm-app's NIC.")


def why_allowed(lock: Lockdown, flow: Mapping) -> str:
    """Why a flow that should be dropped reached vm-app, in terms of the rule that let it through."""
    verdict = _verdict(lock, flow)
    what = _describe(flow)
    if not any(step.nsg for step in verdict.steps):
        return f"{what} is reachable. " + _no_nsg_at_app(lock)
    step = verdict.deciding
    if step.rule == "AllowVNetInBound":
        text = (f"{what} is allowed by the default rule AllowVNetInBound (65000): the source is in the VirtualNetwork "
                "tag (the VNet, its peered VNets and the on-premises spaces behind the gateway), and DenyAllInbound "
                "(65500) comes after it, so it never sees this packet. East-west traffic is allowed by default: to stop "
                "it, a rule of yours must match it first, with a number lower than 65000 (and higher than the allow "
                "it must not shadow).")
        internet = [r for r in _custom(lock) if r.access == "Deny" and _has_tag(r, "Internet")]
        if internet:
            text += (f" Your rule {internet[0].name} denies source Internet, but Internet is public address space "
                     f"outside the VNet; this private source is in VirtualNetwork, not Internet.")
        outbound = _matching(lock, verdict.packet, direction="Outbound", access="Deny")
        if outbound:
            text += (f" Your rule {outbound[0].name} is Outbound: it filters packets leaving the app tier, not those "
                     "arriving at it.")
        return text
    rule = lock.net.network_security_group(step.nsg).custom.get(step.rule)
    if rule is not None and rule.access == "Allow":
        if flow["from"] not in ("vm-web1", "vm-web2") and _has_tag(rule, "VirtualNetwork"):
            return (f"{what} is allowed by your rule {rule.name} ({rule.priority}), whose source is VirtualNetwork: "
                    "that tag holds the whole VNet, the peered VNets and the on-premises spaces behind the gateway "
                    "(NSG overview, https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview, 2025-07-15). Name the web subnet's prefix as the source instead.")
        if flow["from"] not in ("vm-web1", "vm-web2") and any(str(m) == "*" for m in rule.sources):
            return f"{what} is allowed by your rule {rule.name} ({rule.priority}), which accepts any source."
        return (f"{what} is allowed by your rule {rule.name} ({rule.priority}: {rule.protocol} ports "
                f"{', '.join(map(str, rule.destination_ports))}): it lets through more than TCP port "
                f"{flow.get('expected_port', '')}".rstrip() + ".")
    return f"{what} is allowed: {verdict.reason}."


def why_denied(lock: Lockdown, flow: Mapping) -> str | None:
    """None when ``flow`` reaches vm-app; else why not, naming the learner's rule and its mistake."""
    result = _trace(lock.net, flow)
    if result.reachable:
        return None
    verdict = _verdict(lock, flow)
    what = _describe(flow)
    if verdict.allowed:
        return f"{what} is dropped: {result.reason}"
    step = verdict.deciding
    packet = verdict.packet
    allows = _matching(lock, packet, direction="Inbound", access="Allow")
    if allows and step.priority is not None and step.priority < allows[0].priority:
        a = allows[0]
        return (f"{what} is denied by {step.rule} (priority {step.priority}) before your allow {a.name} (priority "
                f"{a.priority}) is reached: the lower number is processed first and the first match stops. Give the "
                "allow the lower number.")
    outbound = _matching(lock, packet, direction="Outbound", access="Allow")
    if outbound:
        return (f"{what} is denied by {step.rule} ({step.priority}). Your rule {outbound[0].name} is Outbound, but a "
                "packet arriving at vm-app meets the Inbound rules.")
    internet = [r for r in _custom(lock) if r.access == "Allow" and r.direction == "Inbound" and _has_tag(r, "Internet")]
    if internet:
        return (f"{what} is denied by {step.rule} ({step.priority}). Your rule {internet[0].name} allows source "
                "Internet, but the web VMs' private addresses are in VirtualNetwork, not Internet (public space).")
    return f"{what} is denied by {step.rule} ({step.priority}) of NSG {step.nsg}: no rule of yours allows it first."


def lock_web_allowed(lock: Lockdown, givens: Mapping) -> str | None:
    return every_message(why_denied(lock, flow) for flow in givens["allow"])


def _must_drop(lock: Lockdown, givens: Mapping, key: str) -> str | None:
    for flow in givens[key]:
        if _trace(lock.net, flow).reachable:
            return why_allowed(lock, {**flow, "expected_port": givens["port"]})
    return None


def lock_other_ports(lock: Lockdown, givens: Mapping) -> str | None:
    return _must_drop(lock, givens, "deny_ports")


# BEGIN HIDDEN CHECKS
def lock_other_protocols(lock: Lockdown, givens: Mapping) -> str | None:
    return _must_drop(lock, givens, "deny_protocols")
# END HIDDEN CHECKS


def lock_other_sources(lock: Lockdown, givens: Mapping) -> str | None:
    return _must_drop(lock, givens, "deny_sources")


# BEGIN HIDDEN CHECKS
def lock_more_sources(lock: Lockdown, givens: Mapping) -> str | None:
    return _must_drop(lock, givens, "deny_more_sources")
# END HIDDEN CHECKS


def lock_probes(lock: Lockdown, givens: Mapping) -> str | None:
    verdict = _verdict(lock, givens["probe"])
    if verdict.allowed:
        return None
    step = verdict.deciding
    text = (f"Health probes from {PROBE_SOURCE} (the host's virtual IP) to vm-app on port {givens['port']} are "
            f"denied by {step.rule} ({step.priority}) of NSG {step.nsg}, before the default "
            "AllowAzureLoadBalancerInBound (65001) is reached.")
    rule = lock.net.network_security_group(step.nsg).custom.get(step.rule)
    if rule is not None and _has_tag(rule, "VirtualNetwork"):
        text += f" The VirtualNetwork tag includes the host's virtual IP {PROBE_SOURCE} (NSG overview, https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview, 2025-07-15)."
    return text + (" A rule that denies everything else needs, ahead of it, an allow for the service tag the probes "
                   "come from (lesson 08, the service tags).")


# BEGIN HIDDEN CHECKS
def lock_app_outbound(lock: Lockdown, givens: Mapping) -> str | None:
    flow = givens["app_outbound"]
    result = _trace(lock.net, flow, to=flow["to"])
    if result.reachable:
        return None
    return (f"{_describe(flow, flow['to'])}, a connection the app tier opens itself, is dropped: {result.reason} The "
            "task filters traffic arriving at the app tier, not the app's own outbound flows (replies to allowed "
            "inbound flows need no rule: NSGs are stateful).")
# END HIDDEN CHECKS


Q1 = Question(
    id="q1", title="Lock east-west traffic down to one port", points=8, answer="lockdown",
    setup=lockdown_setup, read=read_lockdown,
    checks=(
        Check("Every web VM reaches the app tier on its port", lock_web_allowed, weight=2,
              misconceptions=("nsg-first-match",)),
        Check("Other ports from the web tier are denied", lock_other_ports, weight=2,
              misconceptions=("nsg-first-match",)),
        Check("Other sources are denied: the data tier and on-premises over the VPN", lock_other_sources, weight=2,
              misconceptions=("nsg-default-allows-vnet",)),
        Check("Load-balancer health probes still reach the app tier", lock_probes, misconceptions=("nsg-probes",)),
        # BEGIN HIDDEN CHECKS
        Check("Other protocols from the web tier are denied", lock_other_protocols, visible=False,
              rule="Allow only the protocol and port the tier needs: a rule with protocol * opens every "
                   "protocol.",
              source=fact("nsg", "protocols").cite(), misconceptions=("nsg-first-match",)),
        Check("The hub and the peered spoke are denied too", lock_more_sources, visible=False,
              rule="The default AllowVNetInBound rule admits every peered VNet: allowing one source is not "
                   "enough, the others must be denied.",
              source=fact("nsg", "peered_vnet_in_virtual_network").cite(), misconceptions=("nsg-default-allows-vnet",)),
        Check("The app tier's own outbound connections still work", lock_app_outbound, visible=False,
              rule="Locking a tier down inbound must not block its own outbound connections (NSGs are "
                   "stateful: replies to them are allowed).",
              source=fact("nsg", "stateful").cite(), misconceptions=("nsg-first-match",)),
        # END HIDDEN CHECKS
    ),
    hints=(
        "Trace vm-web1 → vm-app on another port with no NSG of yours, then with an NSG holding only your allow: "
        "which default rule lets it through, and why is DenyAllInbound never reached?",
        "Write the allow first (low number), then a deny for everything else with a higher number, still below "
        "65000. Which source does the web tier have, as a prefix?",
        "The VirtualNetwork tag contains more than you think (net.flow_verify and "
        "vnetlab.nsg.virtual_network_prefixes show it), including the address health probes come from.",
    ),
)


# --- q2: predict the NSG verdicts ---------------------------------------------------------------------------------
ACCESS = ("Allow", "Deny")


def verdicts_setup(rng: random.Random) -> dict:
    k = rng.randint(20, 190)
    hub, lng, onprem = _hub_and_branch(k, rng)
    admin = rng.choice([22, 3389])
    app_port = rng.choice([1433, 5432, 8080, 8443])
    web_port = rng.choice([80, 443])
    a, b = rng.sample(range(4, 250), 2)
    spoke = {"name": "spoke", "address_space": [f"10.{k + 1}.0.0/16"], "region": "westeurope", "subnets": [
        {"name": "app", "prefix": f"10.{k + 1}.1.0/24", "nics": [{"name": "vm-app", "ip": f"10.{k + 1}.1.{a}"},
                                                                  {"name": "vm-app2", "ip": f"10.{k + 1}.1.{b}"}]}]}
    subnet_rule = {"name": f"deny-{'ssh' if admin == 22 else 'rdp'}", "priority": rng.randrange(200, 400, 10),
                   "direction": "Inbound", "access": "Deny", "protocol": "Tcp", "source": "VirtualNetwork",
                   "destination": "*", "destination_ports": str(admin)}
    nic_rules = [
        {"name": "allow-admin", "priority": rng.randrange(100, 200, 10), "direction": "Inbound", "access": "Allow",
         "protocol": "Tcp", "source": "*", "destination": "*", "destination_ports": str(admin)},
        {"name": "allow-web", "priority": rng.randrange(200, 300, 10), "direction": "Inbound", "access": "Allow",
         "protocol": "Tcp", "source": "Internet", "destination": "*", "destination_ports": str(web_port)},
        {"name": "deny-smtp-out", "priority": rng.randrange(100, 300, 10), "direction": "Outbound", "access": "Deny",
         "protocol": "Tcp", "source": "*", "destination": "Internet", "destination_ports": "25"},
    ]
    network = {"name": "nsg-lab", "vnets": [hub, spoke], "local_network_gateways": [lng], "peerings": _transit("spoke"),
               **_gateway_parts(),
               "network_security_groups": [
                   {"name": "subnet-nsg", "rules": [subnet_rule], "associations": [{"vnet": "spoke", "subnet": "app"}]},
                   {"name": "nic-nsg", "rules": nic_rules, "associations": [{"nic": "vm-app"}]}]}
    hub_vm = hub["subnets"][1]["nics"][0]["ip"]
    flows = [
        {"direction": "Inbound", "remote_ip": hub_vm, "local_port": admin},                 # S9c
        {"direction": "Inbound", "remote_ip": f"10.{k + 1}.1.{b}", "local_port": admin},    # within the subnet
        {"direction": "Inbound", "remote_ip": _public(rng), "local_port": web_port},        # both levels must allow
        {"direction": "Inbound", "remote_ip": _public(rng), "local_port": admin},
        {"direction": "Inbound", "remote_ip": onprem, "local_port": app_port},              # S9a
        {"direction": "Outbound", "remote_ip": hub_vm, "remote_port": admin},               # S9d
        {"direction": "Outbound", "remote_ip": _public(rng), "remote_port": 25},
    ]
    rng.shuffle(flows)
    return {"network": network, "target": "vm-app", "protocol": "Tcp",
            "flows": {f"f{i + 1}": {"target": "vm-app", "protocol": "Tcp", **f} for i, f in enumerate(flows)}}


def _flow_verdict(net: Network, flow: Mapping):
    return net.flow_verify(flow["target"], flow["direction"], flow["protocol"], local_port=flow.get("local_port"),
                           remote_ip=flow["remote_ip"], remote_port=flow.get("remote_port"))


def flow_truths(givens: Mapping) -> dict:
    net = Network.from_dict(givens["network"])
    return {fid: _flow_verdict(net, flow) for fid, flow in givens["flows"].items()}


def read_flow_answers(raw: Any, givens: Mapping) -> dict:
    if still_open(raw):
        raise Unanswered("No answer yet: fill in `flows`.")
    if not isinstance(raw, dict):
        raise AnswerError(f"`flows` should be a dict from flow id ('f1', ...) to [access, rule]; got "
                          f"{type(raw).__name__}.", value=raw, rule="answer format")
    out = {}
    for fid in givens["flows"]:
        value = raw.get(fid)
        if still_open(value) or (isinstance(value, list) and all(still_open(v) for v in value)):
            out[fid] = None
            continue
        if isinstance(value, dict):
            value = [value.get("access"), value.get("rule")]
        if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
            raise AnswerError(f"flows[{fid!r}] = {value!r}: write [access, rule], e.g. ['Deny', 'DenyAllInbound'].",
                              value=value, rule="answer format")
        access = value[0].strip().capitalize()
        if access not in ACCESS:
            raise AnswerError(f"flows[{fid!r}]: access {value[0]!r} should be 'Allow' or 'Deny'.", value=value[0],
                              rule="answer format")
        out[fid] = (access, value[1].strip())
    if all(v is None for v in out.values()):
        raise Unanswered("No answer yet: replace the None placeholders in `flows`.")
    return out


def _flow_kind(flow: Mapping, verdict) -> str:
    if flow["direction"] == "Outbound":
        return "outbound"
    if verdict.rule.startswith("deny-"):
        return "order"
    if not verdict.allowed and verdict.deciding.level == "subnet" and verdict.rule == "DenyAllInbound":
        return "both"
    return "vpn" if verdict.rule == "AllowVNetInBound" else "other"


PAST = {"Allow": "allowed", "Deny": "denied"}


def _flow_misses(answers: dict, givens: Mapping, kind: str):
    for fid, verdict in flow_truths(givens).items():
        flow = givens["flows"][fid]
        if _flow_kind(flow, verdict) == kind and (answers[fid] is None or answers[fid][0] != verdict.access):
            yield fid, flow, verdict


def _flow_text(fid: str, flow: Mapping) -> str:
    port = flow.get("local_port", flow.get("remote_port"))
    arrow = f"{flow['remote_ip']} → vm-app" if flow["direction"] == "Inbound" else f"vm-app → {flow['remote_ip']}"
    return f"{fid} ({flow['direction']} {arrow}, TCP {port})"


def _flow_trap(kind: str, explain):
    def check(answers: dict, givens: Mapping) -> str | None:
        for fid, flow, verdict in _flow_misses(answers, givens, kind):
            if answers[fid] is None:
                return f"{_flow_text(fid, flow)} has no prediction yet."
            return f"{_flow_text(fid, flow)} is {PAST[verdict.access]}: {explain(verdict)}"
        return None
    check.__name__ = f"flows_{kind}"
    return check


flows_order = _flow_trap("order", lambda v: (
    f"inbound, the subnet's NSG is evaluated first, and its rule {v.rule} ({v.deciding.priority}) denies the packet "
    "before the NIC's allow is ever seen; a deny at the first level stops evaluation, also between VMs of the same "
    "subnet (NSG overview, https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview, 2025-07-15)."))
flows_both = _flow_trap("both", lambda v: (
    f"the NIC's NSG may allow it, but inbound the subnet's NSG comes first and its {v.rule} ({v.deciding.priority}) "
    "denies it. Both levels must allow; that is why the advice is one level, not both."))
flows_vpn = _flow_trap("vpn", lambda v: (
    "the on-premises space behind the gateway is inside the VirtualNetwork tag, so AllowVNetInBound (65000) allows "
    "it at both levels (NSG overview, https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview, 2025-07-15)."))
flows_outbound = _flow_trap("outbound", lambda v: (
    f"outbound, the NIC's NSG is evaluated first, then the subnet's; the deciding rule is {v.rule} of NSG {v.nsg} "
    "(NSG overview, https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview, 2025-07-15)."))


# BEGIN HIDDEN CHECKS
def flows_all(answers: dict, givens: Mapping) -> str | None:
    wrong = [fid for fid, v in flow_truths(givens).items()
             if answers[fid] is None or answers[fid][0] != v.access or answers[fid][1].lower() != v.rule.lower()]
    return differences(wrong, "verdicts (access or deciding rule)", "IP flow verify's")
# END HIDDEN CHECKS


Q2 = Question(
    id="q2", title="Predict the NSG verdicts", points=6, answer="flows",
    setup=verdicts_setup, read=read_flow_answers,
    checks=(
        Check("Inbound: the subnet's NSG decides before the NIC's", flows_order, weight=2,
              misconceptions=("nsg-evaluation-order",)),
        Check("Both levels must allow", flows_both, misconceptions=("nsg-evaluation-order",)),
        Check("On-premises traffic over the VPN is in VirtualNetwork", flows_vpn,
              misconceptions=("virtualnetwork-tag",)),
        # BEGIN HIDDEN CHECKS
        Check("Outbound: the NIC's NSG, then the subnet's", flows_outbound, visible=False,
              rule="Outbound traffic meets the NIC's NSG first, then the subnet's; both must allow it.",
              source=fact("nsg", "evaluation_order").cite(), misconceptions=("nsg-evaluation-order",)),
        Check("Every access and deciding rule matches IP flow verify", flows_all, weight=2, visible=False,
              rule="Within an NSG the rule with the lowest priority number that matches decides; inbound the "
                   "subnet's NSG is evaluated before the NIC's.",
              source=fact("nsg", "first_match").cite(), targeted=False),
        # END HIDDEN CHECKS
    ),
    hints=(
        "Write the two NSGs' rules in order, custom rules by number, then the three default rules of the direction.",
        "Inbound: subnet NSG, then NIC NSG. Outbound: NIC NSG, then subnet NSG. The first Deny stops everything.",
        "For each address, ask which tag holds it: VirtualNetwork (VNet, peers, on-premises behind the gateway) or "
        "Internet (public space).",
    ),
)


# --- q3: on-premises traffic over the VPN and the VirtualNetwork tag ----------------------------------------------
def tag_setup(rng: random.Random) -> dict:
    k = rng.randint(20, 190)
    hub, lng, onprem = _hub_and_branch(k, rng)
    hub["subnets"].append({"name": "nva", "prefix": f"10.{k}.2.0/24",
                           "nics": [{"name": "nva", "ip": f"10.{k}.2.4", "ip_forwarding": True}]})
    spoke = {"name": "spoke", "address_space": [f"10.{k + 1}.0.0/16"], "region": "westeurope", "subnets": [
        {"name": "app", "prefix": f"10.{k + 1}.1.0/24", "nics": [{"name": "vm-app", "ip": f"10.{k + 1}.1.{rng.randint(4, 250)}"}]},
        {"name": "egress", "prefix": f"10.{k + 1}.2.0/24", "route_table": "rt-egress",
         "nics": [{"name": "vm-egress", "ip": f"10.{k + 1}.2.{rng.randint(4, 250)}"}]}]}
    lab = {"name": "lab", "address_space": [f"10.{k + 2}.0.0/16"], "region": "westeurope", "subnets": [
        {"name": "test", "prefix": f"10.{k + 2}.1.0/24", "nics": [{"name": "vm-lab", "ip": f"10.{k + 2}.1.{rng.randint(4, 250)}"}]}]}
    site_third = int(lng["prefixes"][0].split(".")[2])
    other_third = rng.choice([t for t in range(1, 251) if t != site_third])
    network = {"name": "tag-lab", "vnets": [hub, spoke, lab], "local_network_gateways": [lng],
               "peerings": [*_transit("spoke"), {"vnet": "spoke", "remote": "lab"},
                            {"vnet": "lab", "remote": "spoke", "allow_virtual_network_access": False}],
               "route_tables": [{"name": "rt-egress", "routes": [{"name": "all-to-nva", "prefix": "0.0.0.0/0",
                                                                  "next_hop_type": "VirtualAppliance",
                                                                  "next_hop_ip": f"10.{k}.2.4"}]}],
               **_gateway_parts(),
               "network_security_groups": [{"name": "defaults-only", "rules": [],
                                            "associations": [{"vnet": "spoke", "subnet": "app"}]}]}
    addresses = [("app", onprem), ("app", f"192.168.{other_third}.{rng.randint(4, 250)}"),
                 ("app", hub["subnets"][1]["nics"][0]["ip"]), ("app", lab["subnets"][0]["nics"][0]["ip"]),
                 ("app", _public(rng)), ("egress", _public(rng))]
    rng.shuffle(addresses)
    return {"network": network, "onprem_host": onprem, "port": rng.choice([22, 445, 1433, 3389]),
            "flow": "new inbound TCP connection from onprem_host to vm-app on `port`",
            "addresses": {f"a{i + 1}": {"vnet": "spoke", "subnet": s, "address": a} for i, (s, a) in enumerate(addresses)}}


@dataclass(frozen=True)
class TagAnswer:
    access: str | None
    rule: str | None
    tag: str | None
    members: dict


def read_tag_answer(raw: Any, givens: Mapping) -> TagAnswer:
    if still_open(raw):
        raise Unanswered("No answer yet: fill in `vpn`.")
    if not isinstance(raw, dict):
        raise AnswerError(f"`vpn` should be a dict with 'access', 'rule', 'tag' and 'in_virtual_network'; got "
                          f"{type(raw).__name__}.", value=raw, rule="answer format")
    access = None if still_open(raw.get("access")) else raw["access"]
    if access is not None:
        if not isinstance(access, str) or access.strip().capitalize() not in ACCESS:
            raise AnswerError(f"vpn['access'] = {access!r}: write 'Allow' or 'Deny'.", value=access, rule="answer format")
        access = access.strip().capitalize()
    texts = {}
    for key in ("rule", "tag"):
        value = raw.get(key)
        if not still_open(value) and not isinstance(value, str):
            raise AnswerError(f"vpn[{key!r}] = {value!r} should be text.", value=value, rule="answer format")
        texts[key] = None if still_open(value) else value.strip()
    members = raw.get("in_virtual_network") or {}
    if not isinstance(members, dict):
        raise AnswerError("vpn['in_virtual_network'] should be a dict from 'a1', 'a2', ... to True or False.",
                          value=members, rule="answer format")
    out = {}
    for aid in givens["addresses"]:
        value = members.get(aid)
        if value is not None and not isinstance(value, bool):
            raise AnswerError(f"vpn['in_virtual_network'][{aid!r}] = {value!r}: write True or False.", value=value,
                              rule="answer format")
        out[aid] = value
    answer = TagAnswer(access, texts["rule"], texts["tag"], out)
    if answer.access is None and answer.rule is None and answer.tag is None and all(v is None for v in out.values()):
        raise Unanswered("No answer yet: replace the None placeholders in `vpn`.")
    return answer


def _onprem_verdict(givens: Mapping):
    net = Network.from_dict(givens["network"])
    return net.flow_verify("vm-app", "Inbound", "Tcp", local_port=givens["port"], remote_ip=givens["onprem_host"],
                           remote_port=50000)


def tag_default(answer: TagAnswer, givens: Mapping) -> str | None:
    truth = _onprem_verdict(givens)
    if answer.access is None or answer.rule is None:
        return "Give both vpn['access'] and vpn['rule'] for the on-premises flow."
    if answer.access != truth.access:
        return (f"A new connection from on-premises {givens['onprem_host']} over the VPN is not "
                f"{PAST.get(answer.access, answer.access)} by default: the VirtualNetwork tag includes all connected "
                "on-premises address spaces, and the default inbound rule for that tag (priority 65000) comes before "
                "DenyAllInbound (65500) (NSG overview, https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview, 2025-07-15). Which default rule is it, and "
                "what does it do? To filter such traffic you need your own rule.")
    if answer.rule.lower() != truth.rule.lower():
        return f"The flow is {PAST[truth.access]}, but not by {answer.rule}: which default rule comes first?"
    return None


def tag_which(answer: TagAnswer, givens: Mapping) -> str | None:
    if answer.tag is None:
        return "Give the service tag in vpn['tag']."
    names = {t.lower(): t for t in nsg_mod.service_tag_names()}
    if answer.tag.lower() not in names:
        return f"{answer.tag!r} is not a service tag; the lesson uses {', '.join(names.values())}."
    net = Network.from_dict(givens["network"])
    tags = nsg_mod.service_tag_sets(net, "spoke", "app")
    if IPAddress(givens["onprem_host"]) in tags[names[answer.tag.lower()]]:
        return None
    if names[answer.tag.lower()] == "Internet":
        return (f"Internet is the public address space outside the VNet; {givens['onprem_host']} is a private "
                "on-premises address reached through the gateway, and the NSG overview lists connected on-premises "
                "spaces in the tag that also holds the VNet's own ranges (NSG overview, https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview, 2025-07-15).")
    return f"{answer.tag} does not contain {givens['onprem_host']}."


def membership(givens: Mapping) -> dict:
    """address id → (in VirtualNetwork per the engine, kind)."""
    net = Network.from_dict(givens["network"])
    out = {}
    for aid, q in givens["addresses"].items():
        address = IPAddress(q["address"])
        inside = address in nsg_mod.virtual_network_prefixes(net, q["vnet"], q["subnet"])
        owner = next((v for v in net.vnets.values() if v.contains(address)), None)
        routes = net.effective_routes(q["vnet"], q["subnet"])
        if any(r.source == "User" and IPNetwork(r.prefix).prefixlen == 0 for r in routes):
            kind = "udr"
        elif any(address in IPNetwork(p) for lng in net.local_gateways.values() for p in lng.prefixes):
            kind = "vpn"
        elif owner is not None and owner.name in net.vnet(q["vnet"]).peerings and not inside:
            kind = "access-off"
        elif address in IPNetwork("192.168.0.0/16"):
            kind = "lng-only"
        else:
            kind = "plain"
        out[aid] = (inside, kind)
    return out


def _member_trap(kind: str, explain: str):
    def check(answer: TagAnswer, givens: Mapping) -> str | None:
        for aid, (inside, k) in membership(givens).items():
            if k != kind or answer.members[aid] is inside:
                continue
            q = givens["addresses"][aid]
            where = f"{aid} ({q['address']}, seen from {q['vnet']}/{q['subnet']})"
            if answer.members[aid] is None:
                return f"{where} has no answer yet."
            return f"{where} is {'in' if inside else 'not in'} VirtualNetwork: {explain}"
        return None
    check.__name__ = f"members_{kind}"
    return check


members_vpn = _member_trap("vpn", "the tag includes all connected on-premises address spaces (NSG overview, https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview, 2025-07-15).")
members_access = _member_trap("access-off", "a peer is in the tag only while allowVirtualNetworkAccess is on; this "
                                            "peering has it off (Manage peering, https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering, 2025-05-08).")
members_lng = _member_trap("lng-only", "only the address spaces of the connected site (its local network gateway's "
                                       "prefixes) are in the tag, not every private address.")
members_udr = _member_trap("udr", "the tag includes the prefixes of user-defined routes; this subnet's route table "
                                  "has 0.0.0.0/0, which widens VirtualNetwork to every address, so AllowVNetInBound "
                                  "would admit the internet.")


# BEGIN HIDDEN CHECKS
def members_all(answer: TagAnswer, givens: Mapping) -> str | None:
    return differences([aid for aid, (inside, _) in membership(givens).items() if answer.members[aid] is not inside],
                       "tag memberships", "engine's")
# END HIDDEN CHECKS


Q3 = Question(
    id="q3", title="On-premises traffic and the VirtualNetwork tag", points=6, answer="vpn",
    setup=tag_setup, read=read_tag_answer,
    checks=(
        Check("On-premises traffic over the VPN meets a default Allow", tag_default, weight=2,
              misconceptions=("nsg-default-allows-vnet",)),
        Check("The service tag that covers on-premises space", tag_which, misconceptions=("virtualnetwork-tag",)),
        Check("Connected on-premises space is in VirtualNetwork", members_vpn, misconceptions=("virtualnetwork-tag",)),
        Check("A peer with virtual network access off is not", members_access, misconceptions=("virtualnetwork-tag",)),
        # BEGIN HIDDEN CHECKS
        Check("Only the site's own prefixes are in the tag", members_lng, visible=False,
              rule="The VirtualNetwork service tag covers the VNet, its peers and the prefixes of connected "
                   "sites (local network gateways), not every address.",
              source=fact("nsg", "service_tags").cite(), misconceptions=("virtualnetwork-tag",)),
        Check("A user route 0.0.0.0/0 widens the tag", members_udr, visible=False,
              rule="The prefixes of user-defined routes are part of the VirtualNetwork tag: a route for "
                   "0.0.0.0/0 makes the tag cover every address.",
              source=fact("nsg", "service_tags").cite(), misconceptions=("virtualnetwork-tag",)),
        Check("Every membership matches the engine", members_all, visible=False,
              rule="The VirtualNetwork tag holds the VNet's address space, peered VNets, connected on-premises "
                   "prefixes and the prefixes of user-defined routes.",
              source=fact("nsg", "service_tags").cite(), targeted=False),
        # END HIDDEN CHECKS
    ),
    hints=(
        "Write down the default inbound rules of an NSG and their sources. Then ask which of them the on-premises "
        "host matches first.",
        "VirtualNetwork is built from what the subnet can reach privately: its VNet, its peers (with access on), "
        "the gateway's sites, and the prefixes of its user routes.",
        "Compare the two subnets of `spoke`: one has a route table. What prefix does its route have?",
    ),
)


# --- q4: outcome and rule --------------------------------------------------------------------------------------------
NSG_RULES = (
    Rule("subnet-first-inbound",
         "Inbound, the subnet's NSG is evaluated first; when it denies, the NIC's NSG never sees the packet, whatever "
         "it allows.",
         "the subnet's NSG goes first only for packets arriving (Inbound), and it decides only when it denies; check "
         "the direction, and whether the subnet's NSG has a rule or default that matches and denies.",
         ids=('nsg-evaluation-order',)),
    Rule("nic-first-outbound",
         "Outbound, the NIC's NSG is evaluated first; when it denies, the packet never reaches the subnet's NSG.",
         "the NIC's NSG goes first only for packets leaving (Outbound), and it decides only when it denies.",
         ids=('nsg-evaluation-order',)),
    Rule("second-level-denies",
         "The first NSG on the way allows the packet, but the second denies it: every level must allow.",
         "that rule needs the first level to allow and the second to deny; look at which level's rule decides.",
         ids=('nsg-evaluation-order',)),
    Rule("virtualnetwork-tag",
         "The other end is in the VirtualNetwork tag (the VNet, its peers, on-premises spaces behind the gateway), "
         "and the default VirtualNetwork rules let it through at every level.",
         "the default VirtualNetwork rules decide only when no rule with a lower number matches first, and only for "
         "addresses inside the tag; public addresses are not in it.",
         ids=('virtualnetwork-tag',)),
    Rule("both-levels-allow",
         "A rule of yours allows it at the first level and the other level allows it too.",
         "a custom allow decides only when no deny comes first at either level.",
         ids=('nsg-first-match',)),
)
NSG_OUTCOMES = ("Allow", "Deny")
VNET_DEFAULTS = ("AllowVNetInBound", "AllowVnetOutBound")


def nsg_why_setup(rng: random.Random) -> dict:
    given = verdicts_setup(rng)
    return {"network": given["network"], "items": given["flows"], **rule_givens(NSG_RULES, NSG_OUTCOMES)}


def nsg_why_truth(givens: Mapping) -> dict[str, tuple[str, str]]:
    """IP flow verify's access, and the rule its steps show: which level denied (first or second on the way), or
    whether the default VirtualNetwork rules or the learner's own rules allowed."""
    net = Network.from_dict(givens["network"])
    out = {}
    for item, flow in givens["items"].items():
        v = _flow_verdict(net, flow)
        checked = [step for step in v.steps if step.nsg]
        deciding = v.deciding
        if v.allowed:
            rule = "virtualnetwork-tag" if all(step.rule in VNET_DEFAULTS for step in checked) else "both-levels-allow"
        elif checked and deciding == checked[0]:
            rule = "subnet-first-inbound" if v.direction == "Inbound" else "nic-first-outbound"
        else:
            rule = "second-level-denies"
        out[item] = (v.access, rule)
    return out


Q4 = outcome_rule_question(
    id="q4", title="Outcome and rule: which evaluation rule decides?", points=4, answer="why", setup=nsg_why_setup,
    truth=nsg_why_truth, outcomes=NSG_OUTCOMES, rules=NSG_RULES, what="IP flow verify says",
    misconceptions=('nsg-evaluation-order',),
    hints=("Each flow meets two NSGs, in an order set by its direction: Inbound, subnet then NIC; Outbound, NIC then "
           "subnet. Which one matches first, and does it allow or deny?",
           "IP flow verify names the deciding NSG rule; the question is the principle behind it: which level, in "
           "which order, or the default VirtualNetwork rules.",),
    rule="Each flow's verdict follows from the evaluation order (Inbound: subnet then NIC; Outbound: NIC then subnet), "
         "the first match by priority at each level, and the default VirtualNetwork rules.",
    source=("nsg", "evaluation_order"))


EXERCISE = ExerciseSpec(
    name="08-network-security-groups", title="Network security groups",
    lesson="../notebooks/08-network-security-groups.ipynb", questions=(Q1, Q2, Q3, Q4),
)
