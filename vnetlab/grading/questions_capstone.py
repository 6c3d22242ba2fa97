"""Graded capstone · The merger (lesson ``notebooks/10-choosing-a-design``; azure-facts §1, §3, §5, §6.6, §7.4, §8,
§10, S1, S9, S12, S13).

Northwind (org A) buys Litware (org B). Each has a VNet; Northwind's data centre was numbered from the same 10.x
range Litware uses in Azure (it overlaps Litware's VNet, not Northwind's); Northwind's remote staff work over
Point-to-Site; Litware's ``records`` tier holds regulated (patient and payment) data, which must be encrypted in
transit; the parts of the design with a sourced price must fit a monthly budget.

q1 build the merged network. The learner starts from ``starting_network(G)`` (VNets, subnets, VMs and the data
centre's local network gateway, no connectivity) and hands in the :class:`~vnetlab.network.Network` they built
(or ``{"network": net, "justification": "..."}``). The grader rebuilds it with the engine (which refuses what
Azure refuses) and checks invariants with traces, IP flow verify and ``encryption_report``: Northwind's app reaches
the records API on its port; the data centre reaches both organisations' apps and their replies come back; remote
staff reach Northwind; nothing else reaches the records tier; every leg of the regulated path outside a VNet is
encrypted at the network layer (VNet encryption with accelerated networking over peering, or IPsec between
gateways); each gateway's SKU fits what it carries; the priced parts fit the budget, and a part without a sourced
price (VpnGw2AZ and larger, §10.1) is justified rather than counted as zero.

q2 decide: for four ways of joining the pieces, what the engine and the facts say (the misconceptions the build
question can run into), and which design you chose.

Every address the checks use is read from the learner's givens or from their own network, never a literal.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any, Mapping

from netaddr import IPAddress, IPNetwork, IPSet

from .. import gateway as gw_mod
from ..encryption import IN_VNET
from ..facts import fact, raw as raw_fact
from ..network import Network
from .core import AnswerError, Check, ExerciseSpec, Question, Unanswered, still_open

A, B, SITE = "northwind", "litware", "northwind-dc"
A_APP, A_WEB, B_PORTAL, B_RECORDS = "vm-nw-app", "vm-nw-web", "vm-lw-portal", "vm-lw-records"
APP_PORT = 443   # the apps' HTTPS port; the records API's port is seeded
OTHER_PORTS = (22, 3389)   # management ports no one outside the records tier should reach


# --- givens -------------------------------------------------------------------------------------------------------
def _host(rng: random.Random, third: int, a: int) -> str:
    return f"10.{a}.{third}.{rng.randint(4, 250)}"


def merger_setup(rng: random.Random) -> dict:
    a, b = rng.sample(range(16, 200), 2)
    k = rng.randint(0, 3)
    dc = f"10.{b}.{16 * k}.0/20"                     # inside Litware's /16, outside its subnets
    app, web = rng.sample(range(1, 120), 2)
    portal, records = rng.sample(range(64, 250), 2)
    vms = {A_APP: _host(rng, app, a), A_WEB: _host(rng, web, a), B_PORTAL: _host(rng, portal, b),
           B_RECORDS: _host(rng, records, b)}
    network = {
        "name": "merger",
        "vnets": [
            {"name": A, "address_space": [f"10.{a}.0.0/16"], "region": "westeurope", "subscription": "northwind",
             "subnets": [{"name": "app", "prefix": f"10.{a}.{app}.0/24", "nics": [{"name": A_APP, "ip": vms[A_APP]}]},
                         {"name": "web", "prefix": f"10.{a}.{web}.0/24", "nics": [{"name": A_WEB, "ip": vms[A_WEB]}]},
                         {"name": "GatewaySubnet", "prefix": f"10.{a}.255.0/27"}]},
            {"name": B, "address_space": [f"10.{b}.0.0/16"], "region": "westeurope", "subscription": "litware",
             "subnets": [{"name": "portal", "prefix": f"10.{b}.{portal}.0/24",
                          "nics": [{"name": B_PORTAL, "ip": vms[B_PORTAL]}]},
                         {"name": "records", "prefix": f"10.{b}.{records}.0/24",
                          "nics": [{"name": B_RECORDS, "ip": vms[B_RECORDS]}]},
                         {"name": "GatewaySubnet", "prefix": f"10.{b}.255.0/27"}]}],
        "local_network_gateways": [{"name": SITE, "gateway_ip": f"198.51.100.{rng.randint(2, 250)}", "prefixes": [dc]}],
    }
    dc_net = IPNetwork(dc)
    hosts = sorted({str(dc_net[rng.randint(4, dc_net.size - 2)]) for _ in range(2)})
    gb_a_to_b, gb_b_to_a = rng.randrange(1000, 6001, 500), rng.randrange(1000, 6001, 500)
    return {"network": network, "vms": vms, "site": SITE, "site_prefix": dc, "site_hosts": hosts,
            "records_port": rng.choice([8443, 9443, 5443, 1433, 5432]), "app_port": APP_PORT,
            "remote_staff": rng.randint(40, 120), "region": "westeurope",
            "gb_per_month": {f"{A_APP} → {B_RECORDS}": gb_a_to_b, f"{B_RECORDS} → {A_APP}": gb_b_to_a},
            "budget_usd": rng.randrange(300, 501, 25)}


def starting_network(givens: Mapping) -> Network:
    """The merger as it stands on day one: both VNets with their VMs, the data centre's LNG, no connectivity."""
    return Network.from_dict(givens["network"])


# --- cost ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CostItem:
    component: str
    usd: float | None      # None: no sourced price; never counted as zero
    origin: str


@dataclass(frozen=True)
class MonthlyCost:
    items: tuple[CostItem, ...]

    @property
    def known_total(self) -> float:
        return round(sum(i.usd for i in self.items if i.usd is not None), 2)

    @property
    def unpriced(self) -> tuple[CostItem, ...]:
        return tuple(i for i in self.items if i.usd is None)

    def __str__(self) -> str:
        rows = [f"  {i.component}: " + (f"${i.usd:,.2f}" if i.usd is not None else "no sourced price") +
                f" ({i.origin})" for i in self.items]
        tail = f"  priced total: ${self.known_total:,.2f} a month"
        if self.unpriced:
            tail += f"; {len(self.unpriced)} component(s) without a sourced price"
        return "\n".join(["Monthly cost (Azure list prices as of 2025-01-15 (Azure Retail Prices API via Infracost); check https://azure.microsoft.com/pricing/details/vpn-gateway/)", *rows, tail])


def _included_p2s() -> int | None:
    match = re.search(r"above the (\d+) included", raw_fact("pricing", "p2s_connection_monthly_usd").get("note", ""))
    return int(match.group(1)) if match else None


def monthly_cost(network: Network, givens: Mapping) -> MonthlyCost:
    """The engine's sourced figures for ``network``: gateway hours (East US list prices, 730 h), Site-to-Site
    connection meters, Point-to-Site clients above those included, peering per GB and VNet-to-VNet egress for the
    givens' traffic between Northwind's app and the records tier. A component without a sourced price has
    ``usd=None``."""
    from ..compare import gateway_hours, peering_cost

    items = []
    for g in network.gateways:
        figure = gateway_hours(g.sku, count=1)
        items.append(CostItem(f"VPN gateway {g.name} ({g.sku.name})", figure.value, figure.origin))
    meter = fact("pricing", "s2s_connection_monthly_usd")
    for c in network.connections:
        if c.kind == "IPsec":
            items.append(CostItem(f"Site-to-Site connection {c.name}", meter.value,
                                  f"connection meter, {meter.note} ({meter.as_of})"))
    included = _included_p2s()
    p2s = fact("pricing", "p2s_connection_monthly_usd")
    for g in network.gateways:
        if g.p2s is not None:
            staff = givens["remote_staff"]
            usd = None if included is None else max(0, staff - included) * p2s.value
            items.append(CostItem(f"Point-to-Site on {g.name}, {staff} clients", usd,
                                  f"${p2s.value} {p2s.note} ({p2s.as_of})"))
    (there, gb_there), (back, gb_back) = givens["gb_per_month"].items()
    va, vb = network.nic(A_APP).vnet, network.nic(B_RECORDS).vnet
    path = network.trace(A_APP, str(network.nic(B_RECORDS).ip), "Tcp", givens["records_port"])
    if any(h.action == "cross peering" for h in path.hops):
        figure = peering_cost(va.region, vb.region, gb_there, gb_back)
        items.append(CostItem(f"peering traffic {there} ({gb_there:g} GB) and back ({gb_back:g} GB)", figure.value,
                              figure.origin))
    elif any("VNet-to-VNet" in h.action for h in path.hops):
        if va.region == vb.region:
            free = fact("pricing", "vnet_to_vnet_same_region_data")
            items.append(CostItem("VNet-to-VNet traffic in one region", free.value, free.note))
        else:
            egress = fact("pricing", "inter_vnet_egress_usd_per_gb")
            items.append(CostItem(f"VNet-to-VNet egress ({gb_there + gb_back:g} GB)", (gb_there + gb_back) * egress.value,
                                  f"${egress.value}/GB, {egress.note}"))
    return MonthlyCost(tuple(items))


# --- reading the answer ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Design:
    net: Network
    justification: str


def read_design(raw: Any, givens: Mapping) -> Design:
    if still_open(raw):
        raise Unanswered("No answer yet: set `merger` to the Network you built (or to {'network': net, "
                         "'justification': '...'}).")
    if not isinstance(raw, dict):
        raise AnswerError(f"`merger` should be your vl.Network (or a dict with 'network' and 'justification'); got "
                          f"{type(raw).__name__}.", value=raw, rule="answer format")
    justification = ""
    if "vnets" not in raw:
        if not isinstance(raw.get("network"), dict):
            raise AnswerError("`merger` needs 'network': the vl.Network you built, and optionally 'justification': "
                              "text.", value=sorted(raw), rule="answer format")
        justification = raw.get("justification") or ""
        if not isinstance(justification, str):
            raise AnswerError("merger['justification'] should be text.", value=justification, rule="answer format")
        raw = raw["network"]
    return Design(Network.from_dict(raw), justification.strip())


# --- helpers --------------------------------------------------------------------------------------------------------
def _site_connections(net: Network) -> list:
    return [c for c in net.connections if c.kind == "IPsec" and c.remote.name == SITE]


def _translated(net: Network, address: str, links: str) -> list[str]:
    """``address`` through the first rule holding it among each site connection's ``links`` (``"egress_nat_rules"``
    or ``"ingress_nat_rules"``), or as it is; one entry per distinct result."""
    out = []
    for c in _site_connections(net):
        rule = next((r for r in (c.gateway.nat_rules[n] for n in getattr(c, links)) if IPAddress(address) in r.internal),
                    None)
        out.append(str(rule.translate(IPAddress(address))) if rule else address)
    return list(dict.fromkeys(out)) or [address]


def _seen_by_site(net: Network, ip: str) -> list[str]:
    """A VM's address as the data centre addresses it: through the connections' EgressSnat rules (or as it is)."""
    return _translated(net, ip, "egress_nat_rules")


def _site_host_in_azure(net: Network, host: str) -> list[str]:
    """A data-centre host as Azure addresses it: through the connections' IngressSnat rules (or as it is)."""
    return _translated(net, host, "ingress_nat_rules")


def _ip(net: Network, vm: str) -> str:
    return str(net.nic(vm).ip)


def _from_site(net: Network, host: str, vm: str, port: int):
    """The first trace from ``host`` at the site that reaches ``vm`` (or the last one tried)."""
    t = None
    for address in _seen_by_site(net, _ip(net, vm)):
        t = net.trace(host, address, "Tcp", port, from_site=SITE)
        if t.reachable and t.hops[-1].vnet == net.nic(vm).vnet.name:
            return t
    return t


# --- q1 checks ------------------------------------------------------------------------------------------------------
def kept_givens(d: Design, givens: Mapping) -> str | None:
    net = d.net
    for v in givens["network"]["vnets"]:
        if v["name"] not in net.vnets:
            return f"Your network has no VNet {v['name']}: start from starting_network(G1) and add to it."
        space = [str(p) for p in net.vnet(v["name"]).address_space]
        if space != v["address_space"]:
            return (f"{v['name']}'s address space is {space}, not {v['address_space']}: renumbering a production VNet "
                    "is not on the table in this merger; join the networks as they are.")
    for vm, ip in givens["vms"].items():
        if vm not in {n.name for n in net.nics} or _ip(net, vm) != ip:
            return f"{vm} should keep its address {ip} (the VMs stay as they are)."
    lng = net.local_gateways.get(SITE)
    if lng is None or [str(p) for p in lng.prefixes] != [givens["site_prefix"]]:
        return (f"The local network gateway {SITE} must describe the data centre as it is numbered: "
                f"{givens['site_prefix']}. Hide the overlap with NAT, not by editing the site's prefixes.")
    return None


def app_reaches_records(d: Design, givens: Mapping) -> str | None:
    net, port = d.net, givens["records_port"]
    t = net.trace(A_APP, _ip(net, B_RECORDS), "Tcp", port)
    if t.reachable:
        return None
    if not net.peering_links and not [c for c in net.connections if c.kind == "Vnet2Vnet"]:
        return (f"{A_APP} → {B_RECORDS} on TCP {port}: {t.verdict}. {A} and {B} are not joined: their spaces do "
                "not overlap, so peering (or a VNet-to-VNet connection) can join them.")
    return f"{A_APP} → {B_RECORDS} on TCP {port}: {t.verdict}. {t.reason}"


def _reply_message(net: Network, vm: str, host: str, t) -> str:
    route = next((h.route for h in t.hops if h.route is not None), None)
    if route is not None and route.next_hop_type in ("VNetPeering", "VNetGlobalPeering"):
        return (f"{vm}'s reply to data-centre host {host} follows {route.prefix} → {route.next_hop_type}: the data "
                f"centre's {SITE} prefix overlaps the peered VNet, and routes for the VNet itself and its peerings are "
                "preferred over gateway routes, even more specific ones (UDR overview, https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview, 2023-05-27), so the gateway route is "
                "Invalid. Make the data centre appear outside that range: NAT on the gateway whose VNet overlaps it.")
    return f"{vm} → data-centre host {host} (the reply path): {t.verdict}. {t.reason}"


def site_reaches_apps(d: Design, givens: Mapping) -> str | None:
    net, port = d.net, givens["app_port"]
    if not _site_connections(net):
        return (f"{SITE} has no Site-to-Site connection. Its {givens['site_prefix']} overlaps {B}'s space: connect "
                f"it to a gateway with NAT rules (IngressSnat for the site, EgressSnat for the VNet it overlaps; NAT "
                "needs VpnGw2AZ or larger and an IPsec connection).")
    for host in givens["site_hosts"]:
        for vm in (A_APP, B_PORTAL):
            t = _from_site(net, host, vm, port)
            if not (t.reachable and t.hops[-1].vnet == net.nic(vm).vnet.name):
                return (f"Data-centre host {host} → {vm} on TCP {port}: {t.verdict}. {t.reason} "
                        f"(addresses tried: {', '.join(_seen_by_site(net, _ip(net, vm)))}).")
            replies = [net.trace(vm, x, "Tcp", port) for x in _site_host_in_azure(net, host)]
            if not any(r.reachable and r.hops[-1].vnet == SITE for r in replies):
                return _reply_message(net, vm, host, replies[0])
    return None


def staff_reach_a(d: Design, givens: Mapping) -> str | None:
    net, staff = d.net, givens["remote_staff"]
    gateways = [g for g in net.gateways if g.p2s is not None]
    if not gateways:
        return (f"No gateway has Point-to-Site: {staff} remote staff need a P2S configuration (a client address pool "
                "and tunnel types) on a route-based gateway that reaches Northwind.")
    for g in gateways:
        size = sum(p.size for p in g.p2s.address_pool)
        if size < staff:
            return f"{g.name}'s P2S pool holds {size} addresses, fewer than the {staff} remote staff."
        clash = [(str(p), x) for p in g.p2s.address_pool for x in
                 [givens["site_prefix"], *(s for v in givens["network"]["vnets"] for s in v["address_space"])]
                 if IPSet([p]) & IPSet([x])]
        if clash:
            return (f"{g.name}'s P2S pool {clash[0][0]} overlaps {clash[0][1]}: the client pool must be a range no "
                    "connected network uses.")
        client = str(g.p2s.address_pool[0][10])
        t = net.trace(A_APP, client)
        if t.reachable and t.hops[-1].action == "Point-to-Site":
            return None
    return (f"{A_APP} cannot reach the P2S client pool ({t.verdict}: {t.reason}). P2S clients reach a peered VNet "
            "only when it uses the gateway VNet's gateway (Use remote gateways + Allow gateway transit, Gateway transit, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-peering-gateway-transit, 2023-08-18).")


def _leg_message(net: Network, leg) -> str:
    bad = [n for n in (A_APP, B_RECORDS) if not net.nic(n).accelerated_networking]
    off = [v for v in (net.nic(A_APP).vnet, net.nic(B_RECORDS).vnet) if not v.encryption]
    where = f"{leg.direction} step {leg.step} ({leg.action}, {leg.path})"
    if leg.action == "cross peering":
        if off:
            return (f"Regulated data crosses the peering unencrypted at {where}: peering adds no IPsec (MACsec between "
                    f"datacenters is layer 2 and not yours to control, VNet encryption overview, https://learn.microsoft.com/azure/virtual-network/virtual-network-encryption-overview, 2024-12-11). Turn on virtual network encryption on "
                    f"both VNets ({' and '.join(v.name for v in off)} {'has' if len(off) == 1 else 'have'} it off) with "
                    "accelerated networking on both "
                    "VMs, or carry the traffic through a VPN tunnel.")
        if bad:
            return (f"Regulated data crosses the peering unencrypted at {where}: virtual network encryption is on, but "
                    f"{', '.join(bad)} has no accelerated networking, and traffic to a VM without it goes unencrypted "
                    "(VNet encryption overview, https://learn.microsoft.com/azure/virtual-network/virtual-network-encryption-overview, 2024-12-11).")
    return f"Regulated data is not encrypted at {where}: {leg.protection}."


def regulated_encrypted(d: Design, givens: Mapping) -> str | None:
    net = d.net
    report = net.encryption_report(A_APP, B_RECORDS, "Tcp", givens["records_port"])
    if not all(report.reachable):
        return f"{A_APP} and {B_RECORDS} do not reach each other both ways yet, so there is no path to encrypt."
    # Legs inside a VNet on the way to or from a gateway are outside any tunnel and cannot be encrypted at the
    # network layer there (encryption module); every other leg must be.
    gaps = [leg for leg in report.gaps if leg.path != IN_VNET]
    return _leg_message(net, gaps[0]) if gaps else None


def _isolation_message(net: Network, source: str, t, port: int) -> str:
    v = net.flow_verify(B_RECORDS, "Inbound", "Tcp", local_port=port,
                        remote_ip=t.delivered_as[0] if t.delivered_as else None)
    if v.allowed and v.deciding.rule == "AllowVNetInBound":
        return (f"{source} reaches {B_RECORDS} on TCP {port}: it is allowed by the default rule AllowVNetInBound "
                "(65000), which comes before DenyAllInbound (65500); the VirtualNetwork tag covers peered and "
                "connected spaces and on-premises. Add your own rule that denies it, with a lower priority number (NSG overview, https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview, 2025-07-15).")
    if not any(h.action == "NSG" for h in t.hops):
        return (f"{source} reaches {B_RECORDS} on TCP {port} and no NSG is on the way: associate an NSG with the "
                "records subnet (or the VM's NIC) that allows only Northwind's app.")
    return f"{source} reaches {B_RECORDS} on TCP {port} ({v.deciding.rule} of {v.deciding.nsg} allows it)."


def records_isolated(d: Design, givens: Mapping) -> str | None:
    net, port = d.net, givens["records_port"]
    for source in (A_WEB, B_PORTAL):
        t = net.trace(source, _ip(net, B_RECORDS), "Tcp", port)
        if t.reachable:
            return _isolation_message(net, source, t, port)
    return None


# BEGIN HIDDEN CHECKS
def records_isolated_from_outside(d: Design, givens: Mapping) -> str | None:
    """Hidden: the data centre (through any connection's NAT) and remote staff never reach the records tier."""
    net, port = d.net, givens["records_port"]
    for host in givens["site_hosts"]:
        for address in _seen_by_site(net, _ip(net, B_RECORDS)):
            t = net.trace(host, address, "Tcp", port, from_site=SITE) if _site_connections(net) else None
            if t is not None and t.reachable and t.hops[-1].vnet == B:
                return _isolation_message(net, f"Data-centre host {host}", t, port)
    for g in net.gateways:
        if g.p2s is not None:
            client = str(g.p2s.address_pool[0][10])
            v = net.flow_verify(B_RECORDS, "Inbound", "Tcp", local_port=port, remote_ip=client)
            if v.allowed:
                return (f"A remote-staff client ({client}, {g.name}'s P2S pool) is allowed into {B_RECORDS} by "
                        f"{v.deciding.rule}: the records tier is for Northwind's app only.")
    return None
# END HIDDEN CHECKS


# BEGIN HIDDEN CHECKS
def records_one_port(d: Design, givens: Mapping) -> str | None:
    """Hidden: Northwind's app reaches the records tier on its port only."""
    net = d.net
    for port in OTHER_PORTS:
        t = net.trace(A_APP, _ip(net, B_RECORDS), "Tcp", port)
        if t.reachable:
            return (f"{A_APP} reaches {B_RECORDS} on TCP {port} too: allow only the records API's port "
                    f"{givens['records_port']}.")
    t = net.trace(A_APP, _ip(net, B_RECORDS), "Udp", givens["records_port"])
    if t.reachable:
        return f"{A_APP} reaches {B_RECORDS} over UDP too: allow TCP {givens['records_port']} only."
    return None
# END HIDDEN CHECKS


def _load(g, givens: Mapping) -> dict:
    """What gateway ``g`` carries, as :func:`vnetlab.gateway.requirements_met` takes it."""
    return {"tunnels": len(g.connections), "nat": bool(g.nat_rules),
            "p2s": givens["remote_staff"] if g.p2s is not None else 0,
            "p2s_protocols": g.p2s.protocols if g.p2s is not None else None}


def _smaller_fits(g, givens: Mapping) -> list:
    """The current SKUs with gateway transit, smaller (less aggregate throughput) than ``g``'s, that carry what
    ``g`` carries."""
    return [s for s in gw_mod.catalog() if s.status == "current" and s.gateway_transit
            and s.name != g.sku.name and s.throughput_mbps < g.sku.throughput_mbps
            and not gw_mod.requirements_met(s, **_load(g, givens))]


def _unpriced(sku) -> bool:
    from ..compare import gateway_hours

    return gateway_hours(sku, count=1).value is None


def skus_fit(d: Design, givens: Mapping) -> str | None:
    for g in d.net.gateways:
        short = gw_mod.requirements_met(g.sku, **_load(g, givens))
        if short:
            return f"{g.name} ({g.sku.key}) does not fit what it carries: {'; '.join(short)} (About gateway SKUs, https://learn.microsoft.com/azure/vpn-gateway/about-gateway-skus, 2025-06-23)."
        if g.sku.status != "current":
            return f"{g.name} uses {g.sku.key}, which is {g.sku.status}: choose a current AZ SKU (About gateway SKUs, https://learn.microsoft.com/azure/vpn-gateway/about-gateway-skus, 2025-06-23; Legacy SKUs, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-skus-legacy, 2026-02-27)."
    return None


def within_budget(d: Design, givens: Mapping) -> str | None:
    cost = monthly_cost(d.net, givens)
    budget = givens["budget_usd"]
    if cost.known_total > budget:
        items = "; ".join(f"{i.component} ${i.usd:,.2f}" for i in cost.items if i.usd)
        return (f"The parts with a sourced price cost ${cost.known_total:,.2f} a month, over the budget of "
                f"${budget:,.2f} ({items}).")
    needless = [g for g in d.net.gateways if _unpriced(g.sku) and _smaller_fits(g, givens)]
    if needless:
        g = needless[0]
        return (f"Cannot verify the budget: {g.name} uses {g.sku.key}, which has no sourced price, yet a smaller SKU "
                "carries what this gateway carries (its tunnels, NAT rules and P2S clients). A justification covers "
                "an unpriced SKU only when no smaller SKU would do: size the gateway by what it carries.")
    missing = [i for i in cost.unpriced if not _named(i.component, d.justification)]
    if missing:
        return (f"Cannot verify the budget: {missing[0].component} has no sourced price ({missing[0].origin}). "
                "Choose a SKU with a sourced price, or justify it: write in merger['justification'] why this SKU is "
                "needed, naming it, and that its price must be checked on the official page.")
    return None


def _named(component: str, text: str) -> bool:
    sku = re.search(r"\(([A-Za-z0-9]+)\)", component)
    return bool(text) and len(text) >= 40 and (sku is None or sku.group(1).lower() in text.lower())


Q1 = Question(
    id="q1", title="Build the merged network", points=20, answer="merger",
    setup=merger_setup, read=read_design,
    checks=(
        Check("Your network keeps the givens (VNets, VMs, the data centre's prefix)", kept_givens, weight=0.5,
              targeted=False),
        Check("Northwind's app reaches the records API on its port", app_reaches_records, weight=2,
              misconceptions=("overlap-blocks-peering", "nat-on-vnet2vnet")),
        Check("The data centre reaches both organisations' apps, and the replies come back", site_reaches_apps,
              weight=2, misconceptions=("gateway-transit", "nat-direction")),
        Check("Remote staff reach Northwind over Point-to-Site", staff_reach_a, misconceptions=("p2s-for-users",)),
        Check("Regulated traffic is encrypted on every leg outside a VNet", regulated_encrypted, weight=2,
              misconceptions=("peering-encrypted",)),
        Check("Only Northwind's app reaches the records tier (east-west)", records_isolated, weight=1.5,
              misconceptions=("nsg-default-allows-vnet",)),
        Check("Each gateway's SKU fits what it carries", skus_fit, misconceptions=("sku-too-small",)),
        Check("The monthly cost fits the budget, or what has no price is justified", within_budget,
              misconceptions=("gateway-cost",)),
        # BEGIN HIDDEN CHECKS
        Check("The records tier is closed to the data centre and to remote staff", records_isolated_from_outside,
              weight=1.5, visible=False,
              rule="Isolate regulated data: the records tier admits no traffic from on-premises or remote "
                   "users.",
              source=fact("nsg", "default_rules").cite(), misconceptions=("nsg-default-allows-vnet",)),
        Check("The records tier is open on its port only", records_one_port, visible=False,
              rule="Open only the port a tier serves, to the sources that need it.",
              source=fact("nsg", "first_match").cite(), misconceptions=("nsg-first-match",)),
        # END HIDDEN CHECKS
    ),
    hints=(
        "List the overlaps first: which of the three spaces (Northwind, Litware, the data centre) overlap? Peering "
        "and VNet-to-VNet join only spaces that do not overlap; NAT on a VpnGw2AZ+ gateway hides an overlap with an "
        "on-premises site (Site-to-Site only).",
        "If Northwind is peered with Litware, a route from Northwind's own gateway to the data centre lies inside "
        "Litware's range: peering routes win over gateway routes, even more specific ones (UDR overview, https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview, 2023-05-27). Put the NAT where the "
        "overlap is, on Litware's gateway, and let Northwind use it through gateway transit.",
        "Regulated data: peering adds no IPsec. Virtual network encryption on both VNets plus accelerated "
        "networking on both VMs encrypts the VM-to-VM path; check it with net.encryption_report(...).",
        "NSG on the records subnet: AllowVNetInBound (65000) lets every connected space in before DenyAllInbound. "
        "Allow Northwind's app on the port, then deny the rest with a lower number than 65000.",
        "Cost: print(monthly_cost(net, G1)). A gateway without a sourced price is not zero: name it and say why "
        "it is needed in merger['justification'].",
    ),
)


# --- q2: decide ------------------------------------------------------------------------------------------------------
OPTIONS = ("peer-a-b", "nat-on-vpngw1az", "ingress-only", "gateway-in-a-with-peering")
VERDICTS = ("works", "refused", "breaks-routing", "no-encryption")


def decide_setup(rng: random.Random) -> dict:
    order = list(OPTIONS)
    rng.shuffle(order)
    return {"options": {
        "peer-a-b": "Peer northwind with litware and send regulated traffic over the peering, no other setting.",
        "nat-on-vpngw1az": "Create the NAT rules on a VpnGw1AZ gateway in litware, whose hourly price the course has "
                           "sourced, to keep the whole design priced.",
        "ingress-only": "Link only an IngressSnat rule for the data centre on litware's connection to it.",
        "gateway-in-a-with-peering": "Put the gateway and the data-centre connection in northwind, without NAT, and "
                                     "peer northwind with litware.",
    }, "order": order, "verdicts": list(VERDICTS)}


TRUTH = {"peer-a-b": "no-encryption", "nat-on-vpngw1az": "refused", "ingress-only": "refused",
         "gateway-in-a-with-peering": "breaks-routing"}
WHY = {
    "peer-a-b": "peering adds no IPsec; MACsec between datacenters is layer 2 (VNet FAQ, https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq, undated; VNet encryption overview, https://learn.microsoft.com/azure/virtual-network/virtual-network-encryption-overview, 2024-12-11): without virtual "
                "network encryption the regulated path is not encrypted at the network layer",
    "nat-on-vpngw1az": "NAT is available on VpnGw2–5 and VpnGw2AZ–5AZ only (NAT overview, https://learn.microsoft.com/azure/vpn-gateway/nat-overview, 2024-10-16)",
    "ingress-only": "when the on-premises space overlaps the VNet, the connection needs an EgressSnat rule for the VNet "
                    "too (VPN FAQ, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-vpn-faq, 2026-06-04; NAT overview, https://learn.microsoft.com/azure/vpn-gateway/nat-overview, 2024-10-16)",
    "gateway-in-a-with-peering": "routes for peerings are preferred over gateway routes, even more specific ones (UDR overview, https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview, 2023-05-27), "
                                 "so northwind's route to the data centre, inside litware's range, is Invalid",
}


def read_decisions(raw: Any, givens: Mapping) -> dict:
    if still_open(raw):
        raise Unanswered("No answer yet: fill in `decisions`.")
    if not isinstance(raw, dict):
        raise AnswerError(f"`decisions` should be a dict from option to verdict; got {type(raw).__name__}.",
                          value=raw, rule="answer format")
    out = {}
    for key in OPTIONS:
        value = raw.get(key)
        if still_open(value):
            out[key] = None
            continue
        if not isinstance(value, str) or value.strip().lower() not in VERDICTS:
            raise AnswerError(f"decisions[{key!r}] = {value!r}: choose one of {', '.join(VERDICTS)}.", value=value,
                              rule="answer format")
        out[key] = value.strip().lower()
    if all(v is None for v in out.values()):
        raise Unanswered("No answer yet: replace the None placeholders in `decisions`.")
    return out


def _verdict_check(*keys: str):
    def check(answers: dict, givens: Mapping) -> str | None:
        for key in keys:
            said = answers.get(key)
            if said is None:
                return f"decisions[{key!r}] is not answered yet."
            if said != TRUTH[key]:
                return f"{key}: not {said!r}: {WHY[key]}."
        return None
    return check


Q2 = Question(
    id="q2", title="Judge four shortcuts", points=6, answer="decisions",
    setup=decide_setup, read=read_decisions,
    checks=(
        Check("The plain peering shortcut", _verdict_check("peer-a-b"), misconceptions=("overlap-blocks-peering",)),
        Check("NAT on the cheapest SKU", _verdict_check("nat-on-vpngw1az"), misconceptions=("sku-too-small",)),
        # BEGIN HIDDEN CHECKS
        Check("One NAT rule for the data centre", _verdict_check("ingress-only"), visible=False,
              rule="When the on-premises space overlaps the VNet, the connection needs an EgressSnat rule for "
                   "the VNet as well as the IngressSnat rule for the site.",
              source=fact("nat", "modes").cite(), misconceptions=("nat-direction",)),
        Check("The gateway in Northwind beside a peering", _verdict_check("gateway-in-a-with-peering"), visible=False,
              rule="Routes for peerings are preferred even over a more specific gateway route, so a gateway "
                   "beside a peering can leave a required path without a valid route.",
              source=fact("routing", "peering_routes").cite(), misconceptions=("gateway-transit",)),
        # END HIDDEN CHECKS
    ),
    hints=(
        "Try each shortcut on a copy of starting_network(G1): the engine refuses what Azure refuses, and a trace or "
        "an encryption report shows what breaks.",
        "'refused' means Azure (and the engine) will not create it; 'breaks-routing' means it is accepted but some "
        "required path no longer works; 'no-encryption' means it works but the regulated path is not encrypted.",
        "For the gateway in Northwind: look at northwind's effective routes once it is peered with litware.",
    ),
)


EXERCISE = ExerciseSpec(
    name="capstone-merger",
    title="Capstone · The merger",
    lesson="../notebooks/10-choosing-a-design.ipynb",
    questions=(Q1, Q2),
)

__all__ = ["EXERCISE", "MonthlyCost", "CostItem", "monthly_cost", "starting_network"]
