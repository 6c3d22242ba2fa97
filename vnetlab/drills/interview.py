"""The interview classics of "VNet peering versus VPN gateway": drill items built from sourced facts or the simulator.

Each topic is a bank of :class:`Item` objects. Fact-backed items take every number and rule from
``vnetlab/data/interview.yaml`` (or another fact book) and cite its public source with the date printed on it; the
hub-and-appliance topic is answered by the engine (effective routes and a trace of the base network of lesson 11).
Every item also carries a model answer and the key points an interviewer listens for: the drill's *explain it* mode
shows them after the learner has answered in their own words and asks which points the answer made.

Levels: 1 one rule; 2 a rule with its condition (which setting, which SKU, which side); 3 two rules interacting
(e.g. a route table and gateway transit, forced tunnelling and a subnet exception, BGP and active-active). Within a
topic no two items share an answer, so a drill that refuses a repeated answer shape can always draw a new item.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from ..facts import Fact, fact, raw

BOOK = "interview"


@dataclass(frozen=True)
class Item:
    """One interview question: the prompt, the answer and distractors (each with why it is wrong), a two- or
    three-sentence explanation, its sources, and for *explain it* the model answer and key points."""

    key: str
    level: int
    prompt: str
    answer: str
    wrong: tuple[tuple[str, str], ...]   # (distractor, why it is wrong)
    explanation: str
    sources: tuple[str, ...]
    model_answer: str
    key_points: tuple[str, ...]
    explain_prompt: str = ""


def _f(key: str, book: str = BOOK) -> Fact:
    return fact(book, key)


def _v(key: str) -> dict:
    return _f(key).value


def _cap(text: str) -> str:
    """``text`` with its first letter capitalised, the rest untouched (RADIUS stays RADIUS)."""
    return text[:1].upper() + text[1:]


def _cite(*facts: Fact) -> tuple[str, ...]:
    out: list[str] = []
    for f in facts:
        for part in f.cite().split("; "):
            if part not in out:
                out.append(part)
    return tuple(out)


# --- gateway redundancy -----------------------------------------------------------------------------------------
def _redundancy() -> list[Item]:
    aa, zr, skus = _f("active_active"), _f("zone_redundant"), fact("vpn_gateway_skus", "features")
    a, z = aa.value, zr.value
    src = _cite(aa)
    return [
        Item("aa-default", 1,
             "A new VPN gateway is created with the default settings. How many of its instances carry your tunnels at "
             "a time?",
             "One: active-standby, the other instance takes over on failure",
             (("Two: every gateway is active-active", f"the default is {a['default_mode']}; active-active is a choice"),
              ("One, and a failure needs a new gateway", "the standby instance takes over by itself"),
              ("Four: one per availability zone and a spare", "a gateway has two instances in either mode")),
             f"A VPN gateway has two instances and by default runs {a['default_mode']}. On failover {a['standby_failover']}.",
             src,
             f"By default a VPN gateway is {a['default_mode']}: two instances, one carries the tunnels. If it fails "
             f"the standby takes over, which briefly interrupts Site-to-Site tunnels and disconnects Point-to-Site users.",
             ("two instances", "active-standby is the default", "failover interrupts tunnels briefly",
              "P2S clients reconnect"),
             "Explain how a default VPN gateway behaves when one of its instances fails."),
        Item("aa-needs", 2,
             "You switch a VPN gateway to active-active. What must it have that an active-standby gateway does not?",
             f"A second public IP: {a['public_ips']} Standard static public IPs, one per instance",
             (("A second GatewaySubnet", "both instances sit in the one GatewaySubnet"),
              ("A second local network gateway for the same site", "the same local network gateway serves both tunnels"),
              ("A policy-based VPN type", "active-active needs a route-based gateway")),
             f"Active-active gives each of the {a['instances']} instances its own public IP and tunnel; "
             f"{a['active_active_effect']}. It needs a route-based gateway and costs {a['price']}.",
             src,
             "In active-active both gateway instances have their own public IP and keep their own tunnel to the "
             "on-premises device. When one instance fails the traffic moves to the other tunnel, with no failover to "
             "wait for. It needs a route-based gateway and a second Standard public IP.",
             ("each instance its own public IP", "two tunnels to the device", "no failover wait",
              "route-based only"),
             "Explain what active-active changes compared with active-standby."),
        Item("zone-redundant", 2,
             "A VpnGw2AZ gateway is created with a Standard public IP that names no zone. Where do its instances run?",
             "Spread over availability zones: the gateway is zone-redundant",
             (("All in zone 1", "that is a zonal gateway: its public IP names a zone"),
              ("In one datacentre with no zones", "an AZ SKU with a zone-less Standard IP is zone-redundant where the "
                                                  "region has zones"),
              ("In two regions", "a gateway lives in one region; zones are inside a region")),
             f"Zone redundancy comes with the AZ SKUs ({z['skus']}). The public IP decides: {z['zone_redundant']}; "
             f"{z['zonal']}.",
             _cite(zr),
             "Zone redundancy comes from the AZ SKUs. With a Standard public IP that names no zone, Azure spreads the "
             "gateway's instances over availability zones, so losing one zone does not take the gateway down; a zonal "
             "IP pins every instance to one zone instead.",
             ("AZ SKU", "Standard public IP without a zone", "instances in different zones", "zonal pins to one zone"),
             "Explain how you make a VPN gateway survive the loss of an availability zone."),
        Item("aa-price", 1,
             "Does an active-active VPN gateway cost more gateway hours than an active-standby one?",
             "No: the same gateway price; only the second public IP adds to the bill",
             (("Yes: twice the price, one per active instance", f"it is {a['price']}"),
              ("Yes: active-active needs a larger SKU", "every VpnGw SKU can run active-active"),
              ("No: active-active is free, active-standby is billed", "both modes bill gateway hours")),
             f"Active-active costs {a['price']}. It changes how the {a['instances']} instances work, not the SKU.",
             src,
             "Active-active costs the same gateway hours as active-standby; the extra is the second public IP. So "
             "the reason not to use it is the on-premises side, which must handle two tunnels, not the price.",
             ("same gateway price", "second public IP billed", "on-premises device needs two tunnels"),
             "Explain what active-active costs compared with active-standby."),
        Item("aa-v2v", 3,
             "Two VNets are joined by VNet-to-VNet and must survive the failure of a gateway instance with redundant "
             "tunnels. What must the gateways be?",
             "At least one of the two gateways active-active",
             (("Both active-standby, with two connections", a["v2v_redundancy"]),
              ("Zone-redundant, whatever the mode", "zones spread instances; redundant tunnels come from active-active"),
              ("Policy-based", "VNet-to-VNet needs route-based gateways")),
             f"{_cap(a['v2v_redundancy'])}. An active-active gateway keeps a tunnel from each instance.",
             _cite(aa, _f("bgp_multiple_tunnels")),
             "Redundant VNet-to-VNet tunnels need at least one of the two gateways in active-active mode, so each of "
             "its instances keeps a tunnel. With both active-active there are four tunnels, and BGP carries the "
             "routes over them.",
             ("at least one gateway active-active", "a tunnel per instance", "both active-active gives four tunnels",
              "BGP over the tunnels"),
             "Explain how to make a VNet-to-VNet connection highly available."),
        Item("aa-bgp-two-tunnels", 3,
             "An on-premises site must keep its traffic flowing when either gateway instance fails, with two tunnels "
             "from one device to an active-active gateway. What else must the design have?",
             "BGP on both sides: several tunnels to one site need BGP",
             (("A second VPN gateway in the same VNet", "a VNet has one VPN gateway"),
              ("Two local network gateways with the same prefixes, no BGP", "several tunnels to one site need BGP"),
              ("Policy-based traffic selectors", "policy-based designs allow one tunnel, and no active-active")),
             f"Active-active gives two tunnels, one per instance ({a['active_active_effect']}). "
             f"{_cap(_v('bgp_multiple_tunnels')['rule'])}.",
             _cite(aa, _f("bgp_multiple_tunnels")),
             "Active-active gives two tunnels, one from each gateway instance to the device. Several tunnels to one "
             "site need BGP on both sides, so routes move to the surviving tunnel; each tunnel also counts against the "
             "SKU's tunnel limit.",
             ("two tunnels, one per instance", "BGP on both sides", "routes move to the surviving tunnel",
              "tunnels count against the SKU limit"),
             "Explain how to build a Site-to-Site design with no single gateway instance as a point of failure."),
    ]


# --- BGP -----------------------------------------------------------------------------------------------------------
def _bgp() -> list[Item]:
    asn, apipa, multi = _f("bgp_asn"), _f("bgp_apipa"), _f("bgp_multiple_tunnels")
    a, p, m = asn.value, apipa.value, multi.value
    return [
        Item("asn-65515", 1,
             f"Your on-premises router is configured with BGP ASN {a['azure_default']}. Will BGP with the Azure VPN "
             "gateway work?",
             f"No: {a['azure_default']} is Azure's own default ASN and is reserved",
             (("Yes: any private ASN works", f"{a['azure_default']} is reserved by Azure ({a['reserved_by_azure']})"),
              ("Yes, if the gateway is active-active", "active-active does not change which ASNs are reserved"),
              ("No: Azure accepts only public ASNs", f"private ASNs {a['usable_private']} are usable")),
             f"Azure's VPN gateway uses ASN {a['azure_default']} by default, and Azure reserves {a['reserved_by_azure']}; "
             f"{a['rule']}. Usable private ASNs are {a['usable_private']}.",
             _cite(asn),
             f"No. {a['azure_default']} is the Azure VPN gateway's default ASN and is reserved, and the two sides of a "
             f"BGP session must use different ASNs. Give the device a private ASN from {a['usable_private']}.",
             (f"{a['azure_default']} is Azure's default", "reserved ASNs", "the two sides need different ASNs",
              "usable private ranges"),
             f"Explain why an on-premises router cannot use ASN {a['azure_default']} with a VPN gateway."),
        Item("bgp-basic", 1,
             "Which VPN gateway SKU cannot run BGP?",
             "Basic",
             (("VpnGw1AZ", "BGP is supported on every SKU except Basic"),
              ("All AZ SKUs", "BGP is supported on every SKU except Basic"),
              ("None: BGP works on every SKU", "Basic has no BGP")),
             f"{m['basic']}. BGP also needs a route-based gateway.",
             _cite(multi),
             "Every SKU except Basic runs BGP, on a route-based gateway. BGP lets the gateway learn and advertise "
             "routes instead of static prefixes, and it is needed for several tunnels to one site and for transit.",
             ("not on Basic", "route-based", "learned instead of static routes", "needed for several tunnels"),
             "Explain why a design would turn BGP on for a Site-to-Site connection."),
        Item("bgp-lng", 3,
             "A site connects with BGP. What must its local network gateway list as address space?",
             "Nothing is required: routes arrive over BGP, and any prefix added becomes an extra static route",
             (("Every on-premises prefix, as without BGP", m["lng_address_space"]),
              ("The BGP peer's /32 only", "the peer's own /32 is not added"),
              ("0.0.0.0/0", "a default route comes over BGP when on-premises advertises it")),
             f"{_cap(m['lng_address_space'])}. Static and BGP routes then both point at the tunnel.",
             _cite(multi),
             "With BGP the local network gateway needs no address prefixes: the site's routes come over the session. "
             "Prefixes that are listed become static routes next to the BGP ones, and the peer's /32 is never listed.",
             ("address space may be empty", "routes arrive over BGP", "listed prefixes become static routes",
              "no /32 of the peer"),
             "Explain what the local network gateway holds when BGP is on."),
        Item("apipa-range", 2,
             "The on-premises device uses an APIPA address (169.254.x.x) as its BGP peer IP. Which addresses may you "
             "give the Azure VPN gateway as its custom APIPA BGP address?",
             f"One from {p['first']} to {p['last']}",
             (("Any address in 169.254.0.0/16", f"Azure reserves only {p['first']}-{p['last']} for VPN"),
              ("An address from the GatewaySubnet", f"that is the default peer IP ({p['default_peer_ip']}), not APIPA"),
              ("The gateway's public IP", "the BGP peer IP is a private or APIPA address, not the public IP")),
             f"By default the gateway's BGP peer IP is {p['default_peer_ip']}; a custom APIPA address is needed when "
             f"{p['needed_when']}, and it must come from {p['first']}-{p['last']}. Then {p['initiator']}.",
             _cite(apipa),
             f"The gateway's BGP address is normally from the GatewaySubnet. When the device peers from an APIPA "
             f"address, give the gateway a custom APIPA address from {p['first']} to {p['last']}, a second one for "
             "active-active, and let the device open the session.",
             ("default peer IP from the GatewaySubnet", f"range {p['first']}-{p['last']}",
              "second address for active-active", "the device initiates"),
             "Explain how BGP peer addresses work when the on-premises device uses APIPA."),
        Item("v2v-bgp-transit", 2,
             "VNet A has a Site-to-Site connection to a branch and a VNet-to-VNet connection to VNet B, all without "
             "BGP. Can VNet B reach the branch?",
             "No: without BGP a VNet-to-VNet connection carries only the two VNets' traffic",
             (("Yes: the gateway forwards everything it learns", "without BGP the gateway learns nothing to pass on"),
              ("Yes, once gateway transit is enabled", "gateway transit is a peering setting, not a VPN connection one"),
              ("No: a VNet can have only one connection", "a gateway carries many connections")),
             f"{_cap(m['transit'])}. Enable BGP on both connections so VNet B learns the branch's prefixes.",
             _cite(multi),
             "Not without BGP. A VNet-to-VNet connection without BGP only joins its two VNets; with BGP on the "
             "connections the gateway passes the branch's routes to VNet B and VNet B's to the branch.",
             ("no transit without BGP", "enable BGP on both connections", "the gateway re-advertises learned routes"),
             "Explain how a VNet behind a VNet-to-VNet connection reaches a branch of the other VNet."),
        Item("apipa-aa", 3,
             "An active-active gateway peers over BGP with a device that uses APIPA peer addresses. What do you give the "
             "gateway?",
             f"Two different custom APIPA addresses in {p['first']}-{p['last']}, one per instance",
             ((f"One APIPA address in {p['first']}-{p['last']}, shared", "each instance needs its own"),
              ("The GatewaySubnet defaults, nothing custom", "with an APIPA device the session needs APIPA on Azure's side"),
              ("Two APIPA addresses anywhere in 169.254.0.0/16", f"only {p['first']}-{p['last']} is allowed")),
             f"An active-active gateway has two instances, so it gets two custom APIPA addresses, both from "
             f"{p['first']}-{p['last']} and different from each other. Then {p['initiator']}.",
             _cite(apipa, _f("active_active")),
             "Each instance of an active-active gateway needs its own BGP address. With an APIPA device both are "
             f"custom APIPA addresses from {p['first']} to {p['last']}, different from each other, and the device "
             "opens both sessions.",
             ("one address per instance", f"range {p['first']}-{p['last']}", "addresses differ", "the device initiates"),
             "Explain how to set up BGP on an active-active gateway with an APIPA device."),
    ]


# --- policy-based versus route-based -----------------------------------------------------------------------------
def _vpn_type() -> list[Item]:
    vt = _f("vpn_type")
    v = vt.value
    src = _cite(vt)
    return [
        Item("pb-p2s", 1,
             "A policy-based VPN gateway must also accept Point-to-Site users. What do you do?",
             "Delete it and create a route-based gateway: the VPN type cannot be changed",
             (("Switch the VPN type to route-based in place", v["change"]),
              ("Add a P2S configuration to the policy-based gateway", f"policy-based means {v['policy_based']}"),
              ("Resize it to VpnGw1AZ", "a resize keeps the VPN type; policy-based is Basic only")),
             f"Policy-based gateways are {v['policy_based']}. {_cap(v['change'])}.",
             src,
             f"Point-to-Site needs a route-based gateway; a policy-based one is {v['policy_based']}. The VPN type "
             "cannot be changed, so the gateway is deleted and created again as route-based, with downtime.",
             ("P2S needs route-based", "policy-based is Basic, IKEv1, one tunnel", "type is fixed at creation",
              "delete and re-create"),
             "Explain the difference between a policy-based and a route-based VPN gateway."),
        Item("pb-ike", 1,
             "Which IKE version does a policy-based VPN gateway use?",
             f"{v['policy_ike']} only",
             (("IKEv2 only", f"policy-based means {v['policy_based']}"),
              ("IKEv1 and IKEv2", "that is a route-based gateway on a VpnGw SKU"),
              ("None: policy-based gateways do not use IKE", "every Site-to-Site tunnel negotiates with IKE")),
             f"Policy-based gateways are {v['policy_based']}.",
             src,
             f"A policy-based gateway is {v['policy_based']}. Route-based gateways on the VpnGw SKUs speak IKEv1 and "
             "IKEv2, which is one more reason designs use route-based.",
             ("policy-based uses IKEv1", "Basic SKU only", "route-based has IKEv2"),
             "Explain the limits of a policy-based VPN gateway."),
        Item("pb-tunnels", 2,
             "A policy-based gateway has one Site-to-Site tunnel. A second branch must connect. What happens?",
             "It cannot: a policy-based gateway has one Site-to-Site tunnel",
             (("A second tunnel is added", f"policy-based means {v['policy_based']}"),
              ("A second policy-based gateway is added to the VNet", "a VNet has one VPN gateway"),
              ("The two branches share one tunnel by traffic selectors", "each site needs its own tunnel")),
             f"Policy-based gateways are {v['policy_based']}. {_cap(v['change'])}.",
             src,
             f"A policy-based gateway takes {v['policy_tunnels']} Site-to-Site tunnel, so a second branch means a "
             "route-based gateway, which is a new gateway because the type cannot be changed.",
             ("one tunnel on policy-based", "several sites need route-based", "re-create to change the type"),
             "Explain what happens when a policy-based design must grow."),
        Item("rb-features", 2,
             "Which of these needs a route-based VPN gateway?",
             "All of them: VNet-to-VNet, BGP, active-active and NAT",
             (("Only Point-to-Site", f"route-based is needed for {v['route_based_needed_for']}"),
              ("Only BGP", f"route-based is needed for {v['route_based_needed_for']}"),
              ("None: policy-based supports them on VpnGw1AZ", "policy-based exists only on Basic")),
             f"Route-based is needed for {v['route_based_needed_for']}. Policy-based gateways are {v['policy_based']}.",
             src,
             f"Route-based gateways route by the route table, so they support {v['route_based_needed_for']}. "
             f"Policy-based ones match traffic selectors and are {v['policy_based']}.",
             ("route-based routes by route table", "policy-based uses traffic selectors",
              "features that need route-based", "policy-based is Basic only"),
             "Explain why almost every design uses a route-based gateway."),
        Item("rb-policy-devices", 3,
             "Two on-premises sites have policy-based VPN devices, and the Azure side also needs Point-to-Site. Which "
             "gateway?",
             "Route-based, with UsePolicyBasedTrafficSelectors on the two connections",
             (("Policy-based, because the devices are policy-based", f"policy-based means {v['policy_based']}"),
              ("Two policy-based gateways, one per site", "a VNet has one VPN gateway"),
              ("Route-based: policy-based devices cannot connect to it", v["several_policy_devices"])),
             f"{_cap(v['several_policy_devices'])}, and route-based is needed for {v['route_based_needed_for']}. "
             f"A policy-based gateway is {v['policy_based']}.",
             src,
             "A route-based gateway, because Point-to-Site and a second site both need it. The policy-based devices "
             "connect with UsePolicyBasedTrafficSelectors on their connections, which makes the gateway offer the "
             "devices' prefix pairs as traffic selectors.",
             ("route-based for P2S and several sites", "UsePolicyBasedTrafficSelectors",
              "devices keep their policy-based setup"),
             "Explain how a route-based gateway works with policy-based on-premises devices."),
        Item("pb-selectors", 3,
             "A route-based gateway connects a policy-based device with UsePolicyBasedTrafficSelectors. On-premises has "
             "2 prefixes and the VNet 3. How many traffic selectors must the device define?",
             f"{2 * 3}: one per pair of an on-premises prefix and a VNet prefix",
             ((f"{2 + 3}: one per prefix", v["selectors"]),
              ("1: one selector covers everything", v["selectors"]),
              ("None: the gateway sends them", "the device must define them to match")),
             f"{_cap(v['selectors'])}: 2 × 3 = {2 * 3}. A missing pair is traffic the tunnel will not carry.",
             src,
             "Policy-based devices match traffic by selectors, so with UsePolicyBasedTrafficSelectors the device lists "
             "every on-premises prefix paired with every VNet prefix: here 2 times 3, six selectors. A missing pair "
             "is traffic the tunnel will not carry.",
             ("selectors are prefix pairs", "on-premises × VNet prefixes", "missing pair means dropped traffic"),
             "Explain how traffic selectors work between a route-based gateway and a policy-based device."),
    ]


# --- forced tunnelling ---------------------------------------------------------------------------------------------
def _forced() -> list[Item]:
    ft = _f("forced_tunnelling")
    v = ft.value
    src = _cite(ft)
    bgp = _v("bgp_asn")
    return [
        Item("ft-default", 1,
             "Without forced tunnelling, where does internet-bound traffic from a VM in a VNet with a Site-to-Site "
             "connection go?",
             "Straight to the internet from Azure",
             (("Through the tunnel to on-premises", "only forced tunnelling sends it there"),
              ("Nowhere: VNets have no internet access", f"by default {v['default']}"),
              ("Through the VPN gateway's public IP", "the gateway carries tunnel traffic, not VM internet traffic")),
             f"By default {v['default']}. Forced tunnelling changes that to inspect it on-premises.",
             src,
             f"By default {v['default']}. Forced tunnelling sends it back through the tunnel to on-premises for "
             "inspection, configured with a BGP default route or a Default Site.",
             ("default is straight out", "forced tunnelling sends it on-premises", "two ways to configure it"),
             "Explain what forced tunnelling is and why companies use it."),
        Item("ft-why", 1,
             "Why do companies force a VNet's internet traffic through the tunnel to on-premises?",
             "To inspect and audit it on-premises before it reaches the internet",
             (("To make it faster", "it takes a longer path"),
              ("Because VNets cannot reach the internet otherwise", f"by default {v['default']}"),
              ("To encrypt traffic between VNets", "forced tunnelling is about internet-bound traffic")),
             f"Forced tunnelling exists {v['purpose']}. By default {v['default']}.",
             src,
             f"Forced tunnelling exists {v['purpose']}. The price is a longer path for internet traffic, through the "
             "tunnel and the on-premises proxy or firewall.",
             ("inspection and audit on-premises", "security requirement", "longer path for internet traffic"),
             "Explain why a company would use forced tunnelling."),
        Item("ft-default-site-type", 2,
             "You configure forced tunnelling with a Default Site. What must the gateway be, and what must the device use?",
             "Route-based, with 0.0.0.0/0 as the device's traffic selectors",
             (("Policy-based, with the on-premises prefixes as selectors", v["default_site"]),
              ("Any type; nothing changes on the device", v["default_site"]),
              ("Route-based, with BGP off and no selectors", v["default_site"])),
             f"A Default Site means: {v['default_site']}.",
             src,
             f"With a Default Site, {v['default_site']}. The BGP alternative advertises 0.0.0.0/0 from on-premises "
             "instead.",
             ("route-based gateway", "Default Site set with PowerShell", "device selectors 0.0.0.0/0",
              "or a BGP default route"),
             "Explain how a Default Site forces tunnelling."),
        Item("ft-how", 2,
             "How do you force a VNet's internet traffic through the Site-to-Site tunnel to on-premises?",
             "Advertise 0.0.0.0/0 over BGP from on-premises, or set a Default Site on a route-based gateway",
             (("A route table with 0.0.0.0/0 next hop Internet", "that sends traffic straight out"),
              ("Turn on allow_gateway_transit", "that is a peering setting for sharing a gateway"),
              ("Add 0.0.0.0/0 to the VNet's address space", "a VNet's address space is private ranges")),
             f"Two ways: {v['bgp']}, or {v['default_site']}.",
             src,
             f"Either {v['bgp']}, or {v['default_site']}. Then all internet-bound traffic goes to on-premises.",
             ("BGP default route from on-premises", "Default Site on a route-based gateway",
              "device uses 0.0.0.0/0 selectors"),
             "Explain the two ways to configure forced tunnelling on a VPN gateway."),
        Item("ft-exception", 3,
             "Forced tunnelling sends all internet traffic on-premises, but one subnet's VMs must reach the internet "
             "directly. What do you add?",
             "A route table on that subnet with 0.0.0.0/0 next hop Internet",
             (("An NSG rule allowing Internet outbound", "NSGs filter; they do not choose the route"),
              ("A second VPN gateway without a Default Site", "a VNet has one VPN gateway"),
              ("Nothing: subnets cannot differ", v["exceptions"])),
             f"{_cap(v['exceptions'])}. A user-defined route wins over the default route learned from the "
             "gateway for that subnet only.",
             _cite(ft, fact("routing", "default_system_routes")),
             "Combine forced tunnelling with a user-defined route. On the subnet that needs direct internet, a route "
             "table with 0.0.0.0/0 next hop Internet overrides the default route towards the gateway; every other "
             "subnet still goes on-premises.",
             ("user-defined route on that subnet", "0.0.0.0/0 next hop Internet", "other subnets keep forced tunnelling",
              "user-defined beats the learned default"),
             "Explain how to exempt one subnet from forced tunnelling."),
        Item("ft-bgp-asn", 3,
             f"You advertise 0.0.0.0/0 over BGP from an on-premises router with ASN {bgp['azure_default']}, and nothing "
             "is forced through the tunnel. Why?",
             f"The BGP session never comes up: ASN {bgp['azure_default']} is reserved by Azure",
             (("The gateway never accepts a default route", "a BGP default route is one way to force tunnelling"),
              ("Forced tunnelling needs policy-based", "it needs a route-based gateway"),
              ("0.0.0.0/0 must be in the local network gateway", "with BGP the route comes over the session")),
             f"Forced tunnelling over BGP needs a working BGP session: {v['bgp']}. ASN {bgp['azure_default']} is "
             f"Azure's and reserved ({bgp['reserved_by_azure']}), so the session fails and no route arrives.",
             _cite(ft, _f("bgp_asn")),
             f"Forced tunnelling over BGP only works when the session is up. With ASN {bgp['azure_default']} on the "
             "device the session fails, because that ASN is Azure's own, so the default route is never learned. Use a "
             f"private ASN from {bgp['usable_private']}.",
             ("the default route needs a BGP session", f"{bgp['azure_default']} is reserved", "use a usable private ASN"),
             "Explain why forced tunnelling over BGP can fail before any route is exchanged."),
    ]


# --- Point-to-Site ----------------------------------------------------------------------------------------------------
def _p2s() -> list[Item]:
    pr, au = _f("p2s_protocols"), _f("p2s_authentication")
    p, a = pr.value, au.value
    src = _cite(pr, au)
    return [
        Item("p2s-entra", 1,
             "Remote users must sign in to the VPN with their Microsoft Entra ID accounts. Which tunnel protocol?",
             "OpenVPN, with the Azure VPN Client",
             (("SSTP", "Microsoft Entra ID authentication works with OpenVPN only"),
              ("IKEv2", "Microsoft Entra ID authentication works with OpenVPN only"),
              ("Any of the three", a["entra_id"])),
             f"{_cap(a['entra_id'])}. Certificate authentication works with every protocol.",
             src,
             "Microsoft Entra ID authentication needs OpenVPN and the Azure VPN Client. Certificates work with every "
             "protocol, and RADIUS brings an existing directory.",
             ("Entra ID means OpenVPN", "Azure VPN Client", "certificates work with all protocols", "RADIUS option"),
             "Explain the three ways Point-to-Site users can authenticate."),
        Item("p2s-sstp", 1,
             "Which Point-to-Site tunnel protocol works only on Windows?",
             "SSTP",
             (("OpenVPN", f"OpenVPN clients: {p['OpenVPN']['clients']}"),
              ("IKEv2", f"IKEv2 clients: {p['IKEv2']['clients']}"),
              ("None: every protocol works everywhere", f"SSTP clients: {p['SSTP']['clients']}")),
             f"SSTP ({p['SSTP']['transport']}) is {p['SSTP']['clients']}. OpenVPN has clients for "
             f"{p['OpenVPN']['clients']}.",
             src,
             "SSTP is Windows-only; it runs over TCP 443 like OpenVPN, which has clients for every major platform. "
             "IKEv2 is a standards-based IPsec VPN whose UDP ports some firewalls block.",
             ("SSTP Windows only", "OpenVPN everywhere", "IKEv2 may be blocked"),
             "Explain the three Point-to-Site tunnel protocols."),
        Item("p2s-mixed-clients", 2,
             "Point-to-Site users have Windows, macOS, Linux, iOS and Android devices. Which one protocol serves all?",
             "OpenVPN",
             (("SSTP", f"SSTP clients: {p['SSTP']['clients']}"),
              ("IKEv2", f"IKEv2 clients: {p['IKEv2']['clients']}"),
              ("No single protocol: each OS needs its own", f"OpenVPN clients: {p['OpenVPN']['clients']}")),
             f"OpenVPN ({p['OpenVPN']['transport']}) has clients for {p['OpenVPN']['clients']}. SSTP is "
             f"{p['SSTP']['clients']}.",
             src,
             f"OpenVPN, because it has clients for {p['OpenVPN']['clients']} and runs over TCP 443, which firewalls let "
             f"through. SSTP is {p['SSTP']['clients']}, and IKEv2 uses UDP ports that some firewalls block.",
             ("OpenVPN on every OS", "TCP 443 passes firewalls", "SSTP Windows only", "IKEv2 may be blocked"),
             "Explain how you choose a Point-to-Site tunnel protocol."),
        Item("p2s-radius-basic", 2,
             "Users must authenticate against the company's RADIUS server. Can the gateway be the Basic SKU?",
             "No: RADIUS authentication is not available on Basic",
             (("Yes: every SKU supports every authentication type", a["radius"]),
              ("Yes, with SSTP", "Basic supports SSTP, but not RADIUS"),
              ("No: RADIUS needs ExpressRoute", "the RADIUS server is reached over the VNet or Site-to-Site")),
             f"{_cap(a['radius'])}. {_cap(a['route_based'])}.",
             src,
             f"No. {_cap(a['radius'])}, so the gateway must be VpnGw1AZ or larger; Basic is SSTP with certificates only.",
             ("RADIUS not on Basic", "RADIUS reached over the VNet or S2S", "Basic is SSTP only"),
             "Explain what the Basic SKU cannot do for Point-to-Site users."),
        Item("p2s-entra-mac-ikev2", 3,
             "Mac users connect with IKEv2 and certificates. The company now wants Microsoft Entra ID sign-in for "
             "everyone. What changes for the Mac users?",
             "They move to OpenVPN with the Azure VPN Client: Entra ID does not work over IKEv2",
             (("Nothing: Entra ID works over IKEv2", a["entra_id"]),
              ("They move to SSTP", f"SSTP clients: {p['SSTP']['clients']}"),
              ("They keep IKEv2 and add RADIUS", "the requirement is Entra ID sign-in")),
             f"{_cap(a['entra_id'])}, and OpenVPN has clients for {p['OpenVPN']['clients']}. So the Mac users "
             "switch protocol as well as sign-in method.",
             src,
             "Entra ID sign-in only works with OpenVPN and the Azure VPN Client, so the Mac users leave IKEv2. OpenVPN "
             "has a macOS client, and the gateway can offer OpenVPN alongside IKEv2 while they move.",
             ("Entra ID needs OpenVPN", "macOS has an OpenVPN client", "IKEv2 cannot carry Entra ID",
              "both protocols can run during the move"),
             "Explain how the choice of authentication constrains the tunnel protocol."),
        Item("p2s-radius-er", 3,
             "Point-to-Site users authenticate with RADIUS. The RADIUS server is on-premises and reachable from the "
             "hub only over ExpressRoute. Does authentication work?",
             "No: the gateway reaches on-premises RADIUS over Site-to-Site, not ExpressRoute",
             (("Yes: any private path to the server works", a["radius"]),
              ("Yes, with Microsoft Entra ID as well", "the requirement is RADIUS"),
              ("No: RADIUS needs the Basic SKU", "RADIUS is not available on Basic")),
             f"{_cap(a['radius'])}. Put the server in the VNet, or reach it over a Site-to-Site connection.",
             src,
             "Not over ExpressRoute. The VPN gateway reaches a RADIUS server in the VNet or over a Site-to-Site "
             "connection, so either deploy a RADIUS server in Azure or add a Site-to-Site path to it.",
             ("RADIUS not over ExpressRoute", "server in the VNet", "or over Site-to-Site"),
             "Explain where a RADIUS server for Point-to-Site may live."),
    ]


# --- name resolution across peered VNets ----------------------------------------------------------------------------
def _dns() -> list[Item]:
    d = _f("peering_dns")
    v = d.value
    src = _cite(d)
    return [
        Item("dns-default", 1,
             "Two VNets are peered and use Azure-provided DNS. Can a VM in one resolve the other VNet's VM names?",
             "No: Azure-provided DNS does not resolve names across peered VNets",
             (("Yes: peering shares DNS like it shares routes", v["default_dns"]),
              ("Yes, once allow_forwarded_traffic is on", "that setting is about forwarded packets, not names"),
              ("No: peered VNets cannot talk at all", "peering carries the traffic; only names are missing")),
             f"{_cap(v['default_dns'])}. Use a private DNS zone linked to both VNets, or your own DNS servers.",
             src,
             "Peering joins the address spaces, not the names. Azure-provided DNS only answers within a VNet, so use a "
             "private DNS zone linked to both VNets, or custom DNS servers.",
             ("peering does not share names", "private DNS zone", "link both VNets", "or custom DNS servers"),
             "Explain how VMs in peered VNets find each other by name."),
        Item("dns-custom", 1,
             "Besides a private DNS zone, how else can VMs in peered VNets resolve each other's names?",
             "Your own DNS servers, set as the VNets' DNS servers",
             (("Turn on allow_virtual_network_access", "that setting carries traffic, not names"),
              ("Nothing else: only private DNS zones work", v["alternatives"]),
              ("A hosts file is created by peering", "peering creates routes, not name records")),
             f"{_cap(v['default_dns'])}: {v['alternatives']}.",
             src,
             f"{_cap(v['default_dns'])}, so {v['alternatives']}. Custom DNS servers must themselves be "
             "reachable from every VNet that uses them.",
             ("Azure-provided DNS stops at the VNet", "private DNS zone", "or custom DNS servers"),
             "Explain the options for name resolution across VNets."),
        Item("dns-one-link", 2,
             "Can you create two virtual network links between the same private DNS zone and the same VNet, one for "
             "registration and one for resolution?",
             "No: one link per zone and VNet; registration is a setting of that link",
             (("Yes: one link per purpose", v["one_link"]),
              ("Yes, if the VNets are peered", v["one_link"]),
              ("No: a zone can link to one VNet only", "a zone can link many VNets")),
             f"{_cap(v['one_link'])}; autoregistration is a property of the link. {_cap(v['registration'])}.",
             src,
             "There is one link between a zone and a VNet. Turning autoregistration on for that link makes the VNet "
             "a registration VNet; without it the VNet only resolves.",
             ("one link per zone and VNet", "autoregistration is a link setting", "registration versus resolution"),
             "Explain registration and resolution links of a private DNS zone."),
        Item("dns-link", 2,
             "A private DNS zone holds the records, and its only virtual network link is to the hub. A VM in a peered "
             "spoke asks for a name in the zone. What happens?",
             "No answer from the zone: the spoke has no virtual network link to it",
             (("It resolves: peering extends the hub's zones", v["private_zone_link"]),
              ("It resolves if the spoke uses the hub's gateway", "gateway transit shares a gateway, not DNS zones"),
              ("It resolves once allow_gateway_transit is on", "gateway transit shares a gateway, not DNS zones")),
             f"{_cap(v['private_zone_link'])}. Add a link from the zone to the spoke.",
             src,
             "A private DNS zone answers only the VNets it is linked to. Peering does not carry the link, so each spoke "
             "gets its own virtual network link, as a resolution VNet.",
             ("zones answer linked VNets only", "peering does not carry links", "link each spoke",
              "resolution versus registration"),
             "Explain what a virtual network link to a private DNS zone does."),
        Item("dns-registration", 3,
             "Each spoke's VMs must register their own names automatically, and every VNet must resolve every name. "
             "One private DNS zone per spoke. How do you link them?",
             "Each spoke is the registration VNet of its own zone and a resolution VNet of the others",
             (("Each spoke registers in every zone", "a VNet has at most one registration zone"),
              ("Only the hub is linked; peering does the rest", v["private_zone_link"]),
              ("One zone with every spoke as a resolution VNet", "resolution-only links register no names")),
             f"{_cap(v['registration'])}. {_cap(v['private_zone_link'])}.",
             src,
             "A VNet can register in only one zone, so each spoke registers in its own zone. Every VNet that must "
             "resolve those names needs a resolution link to each zone, because peering does not carry DNS.",
             ("one registration zone per VNet", "resolution links to the other zones", "peering does not carry DNS"),
             "Explain how to plan DNS registration and resolution across a hub and spokes."),
        Item("dns-two-registrations", 3,
             "A spoke already autoregisters its VMs in zone A. The team links it to zone B with autoregistration on "
             "too. What does Azure allow?",
             "Not both: a VNet has one registration zone; link zone B for resolution only",
             (("Both: VMs register in every linked zone", v["registration"]),
              ("Both, once the spoke is peered with zone B's VNet", "zones link to VNets; peering plays no part"),
              ("Neither: a VNet can link only one zone", "a VNet can have many resolution zones")),
             f"{_cap(v['registration'])}. The link to zone B can resolve without registering.",
             src,
             "A VNet registers its VMs in at most one private zone. It can still resolve names from many zones, so "
             "zone B gets a resolution-only link.",
             ("one registration zone per VNet", "many resolution zones", "resolution-only link"),
             "Explain the limit on autoregistration across private DNS zones."),
    ]


# --- global peering ---------------------------------------------------------------------------------------------------
def _global() -> list[Item]:
    g = _f("global_peering_limits")
    v = g.value
    src = _cite(g)
    routes = fact("routing", "peering_routes")
    return [
        Item("gp-basic-lb", 1,
             "VNet A (westeurope) is globally peered with VNet B (eastus). A VM in A calls a service behind a Basic "
             "internal load balancer in B. Does it work?",
             "No: a Basic load balancer's front end is not reachable across global peering",
             (("Yes: global peering works like regional peering", v["basic_lb"]),
              ("Yes, with allow_forwarded_traffic on", "the limit is the Basic load balancer, not a peering setting"),
              ("No: VNets in different regions cannot be peered", "global peering joins regions")),
             f"{_cap(v['basic_lb'])}. Move the service behind a Standard load balancer.",
             src,
             "Global peering works for VMs, but a Basic load balancer's front end cannot be reached from a globally "
             "peered VNet. A Standard load balancer works, so the answer is to use the Standard SKU.",
             ("global peering limits", "Basic LB front end unreachable", "Standard LB works"),
             "Explain one limitation of global VNet peering."),
        Item("gp-allowed", 1,
             "Can a VNet in westeurope be peered with a VNet in japanwest?",
             "Yes: global peering joins VNets in different regions",
             (("No: peering is for one region only", "global peering joins regions"),
              ("Only with a VPN gateway in each", "peering needs no gateway"),
              ("Only in the same subscription", "peering works across subscriptions and tenants")),
             f"Global peering joins regions within one Azure cloud; its routes show {routes.value}.",
             _cite(routes, fact("peering", "clouds")),
             "Yes. Global peering joins VNets in different regions of the same Azure cloud, over the Microsoft "
             "backbone, with no gateway; a few features differ from regional peering, such as Basic load balancers.",
             ("regions can be peered", "same Azure cloud", "no gateway", "some limits, e.g. Basic LB"),
             "Explain what global VNet peering is."),
        Item("gp-clouds", 2,
             "A VNet in Azure's public cloud must reach a VNet in Azure China. Peering?",
             "No: peering works only within one Azure cloud",
             (("Yes: global peering crosses clouds", fact("peering", "clouds").note),
              ("Yes, across tenants", "tenants are not the limit; the cloud is"),
              ("Only with gateway transit", "gateway transit needs a peering first")),
             f"{fact('peering', 'clouds').note} Across clouds, connect the VNets with a Site-to-Site VPN.",
             _cite(fact("peering", "clouds")),
             "No. Peering, global or not, stays within one Azure cloud. Between the public cloud and Azure China the "
             "answer is a Site-to-Site VPN between gateways.",
             ("peering stays within one cloud", "Site-to-Site across clouds"),
             "Explain how to connect VNets in two Azure clouds."),
        Item("gp-next-hop", 2,
             "Which next-hop type do the routes to a globally peered VNet show in the effective routes?",
             "VNetGlobalPeering",
             (("VNetPeering", "that is the same-region peering next hop"),
              ("VirtualNetworkGateway", "peering uses no gateway"),
              ("Internet", "peered traffic stays on the Microsoft backbone")),
             f"Peering adds {routes.value}. The traffic uses no gateway.",
             _cite(routes, g),
             "A globally peered VNet's ranges show up as routes with next hop VNetGlobalPeering, one per range. No "
             "gateway and no internet hop is involved.",
             ("one route per peered range", "VNetGlobalPeering across regions", "no gateway"),
             "Explain how global peering appears in a VM's effective routes."),
        Item("gp-transit", 3,
             "A spoke in eastus is globally peered to a hub in westeurope that has a VPN gateway to a branch. Can the "
             "spoke use the hub's gateway, and what must be set?",
             "Yes: allow_gateway_transit on the hub's link and use_remote_gateways on the spoke's",
             (("No: gateway transit works only within a region", v["gateway_transit"]),
              ("Yes, with nothing set: peering is transitive", "peering is not transitive; transit is a setting"),
              ("Only with a VNet-to-VNet connection as well", "gateway transit over the peering is enough")),
             f"{_cap(v['gateway_transit'])}. The hub's link allows transit and the spoke's link uses the remote "
             "gateway.",
             _cite(g, fact("peering", "settings")),
             "Yes. Gateway transit works over global peering too: the hub's link allows gateway transit and the "
             "spoke's link uses remote gateways, and the spoke learns the branch routes.",
             ("works across regions", "allow_gateway_transit on the hub", "use_remote_gateways on the spoke"),
             "Explain how a spoke in another region reaches the hub's branch."),
        Item("gp-transit-basic", 3,
             "A globally peered spoke must use the hub's Basic-SKU VPN gateway to reach a branch. Does gateway transit "
             "work?",
             "No: gateway transit does not work with a Basic-SKU gateway",
             (("Yes: transit works over global peering", v["gateway_transit"]),
              ("Only within one region", "region is not the limit here; the SKU is"),
              ("Yes, with allow_forwarded_traffic", "the limit is the gateway SKU")),
             f"{_cap(v['gateway_transit'])}. Resize to a VpnGw SKU first.",
             _cite(g, fact("vpn_gateway_skus", "features")),
             "Two rules meet: gateway transit works across regions, but not with a Basic gateway. So the hub needs a "
             "VpnGw SKU before the spoke can use it.",
             ("transit works across regions", "not with Basic", "use a VpnGw SKU"),
             "Explain what limits gateway transit."),
    ]


# --- when another service is the better answer -------------------------------------------------------------------------
def _better() -> list[Item]:
    b = _f("better_answer")
    v = b.value
    src = _cite(b)
    return [
        Item("ba-er", 1,
             "A bank wants its datacentre connected to Azure over a private connection that never crosses the public "
             "internet. VPN gateway, ExpressRoute, Virtual WAN or Route Server?",
             "ExpressRoute",
             (("A Site-to-Site VPN", "a Site-to-Site tunnel crosses the public internet"),
              ("Route Server", "Route Server exchanges routes with appliances; it is not a connection to on-premises"),
              ("Point-to-Site", "Point-to-Site connects single computers over the internet")),
             f"ExpressRoute is {v['expressroute']}. A Site-to-Site VPN is encrypted but runs over the internet.",
             src,
             f"ExpressRoute, because it is {v['expressroute']}. A VPN gateway encrypts traffic but still uses the "
             "internet, so it does not meet a private-connection requirement.",
             ("ExpressRoute is private", "VPN crosses the internet", "encryption is not the same as private"),
             "Explain when ExpressRoute is the better answer than a VPN gateway."),
        Item("ba-vpn", 1,
             "Five branch offices on ordinary internet links need encrypted access to one hub VNet, at the lowest cost. "
             "VPN gateway, ExpressRoute, Virtual WAN or Route Server?",
             "A VPN gateway with a Site-to-Site connection per branch",
             (("ExpressRoute", "a private circuit per site is the expensive answer for internet-connected offices"),
              ("Route Server", "Route Server does not terminate tunnels"),
              ("Virtual WAN", f"five tunnels are well within a VPN gateway's {v['tunnels_max_vpn_gateway']}")),
             f"Site-to-Site tunnels are IPsec over the internet, and a VPN gateway takes up to "
             f"{v['tunnels_max_vpn_gateway']}. Virtual WAN is for {v['virtual_wan']}.",
             src,
             f"A VPN gateway with Site-to-Site tunnels: encrypted over the internet links the offices already have. "
             f"Virtual WAN becomes the better answer at scale, past {v['tunnels_max_vpn_gateway']} tunnels or with "
             "any-to-any transit needs.",
             ("Site-to-Site over the internet", "IPsec encryption", f"gateway limit {v['tunnels_max_vpn_gateway']}",
              "Virtual WAN at scale"),
             "Explain when a VPN gateway is enough."),
        Item("ba-er-vpn", 2,
             "Some branches reach the hub over ExpressRoute, others over Site-to-Site VPN, and they must reach each "
             "other through the hub. What does Microsoft point to?",
             "Azure Route Server in the hub (or Virtual WAN with branch-to-branch on)",
             (("Nothing: the gateways exchange routes by themselves", v["route_server"]),
              ("A second ExpressRoute circuit", "the branches stay where they are"),
              ("Global peering", "peering joins VNets, not branches")),
             f"Route Server: {v['route_server']}. Virtual WAN also offers VPN-ExpressRoute transit.",
             src,
             "The transit between ExpressRoute-connected and VPN-connected branches needs Azure Route Server in the "
             "hub VNet; Virtual WAN provides the same transit with its hub router.",
             ("ExpressRoute-VPN transit", "Route Server", "or Virtual WAN"),
             "Explain how ExpressRoute and VPN branches reach each other."),
        Item("ba-vwan", 2,
             f"A retailer must connect 300 stores by Site-to-Site VPN, plus remote users and many VNets that talk to "
             f"each other. A VPN gateway takes at most {v['tunnels_max_vpn_gateway']} tunnels. What does Microsoft "
             "point to?",
             "Virtual WAN",
             (("Three VPN gateways in one VNet", "a VNet has one VPN gateway"),
              ("Route Server", "Route Server does not terminate tunnels"),
              ("ExpressRoute", "stores on internet links use VPN; ExpressRoute is a private circuit")),
             f"Virtual WAN is for {v['virtual_wan']}.",
             src,
             f"Virtual WAN. A VPN gateway stops at {v['tunnels_max_vpn_gateway']} tunnels, and Virtual WAN's managed "
             "hubs give any-to-any transit between branches, users and VNets.",
             (f"gateway limit {v['tunnels_max_vpn_gateway']} tunnels", "managed hubs", "any-to-any transit"),
             "Explain when Virtual WAN is the better answer than hub-and-spoke with a VPN gateway."),
        Item("ba-rs", 3,
             "A hub has an SD-WAN appliance that speaks BGP, an ExpressRoute gateway and a VPN gateway. Branches on "
             "each side must reach each other, and nobody wants to maintain route tables. What do you add?",
             "Azure Route Server",
             (("More user-defined routes on every subnet", "that is what Route Server avoids"),
              ("A second VPN gateway", "a VNet has one VPN gateway"),
              ("Global peering", "peering joins VNets; it exchanges no routes with appliances")),
             f"Route Server: {v['route_server']}.",
             src,
             "Azure Route Server. The appliance peers with it over BGP, so routes reach the VNet without route tables, "
             "and it provides the transit between ExpressRoute-connected and VPN-connected branches.",
             ("BGP with the appliance", "no hand-maintained route tables", "ExpressRoute-VPN branch transit"),
             "Explain when Azure Route Server is the better answer."),
        Item("ba-vwan-transit", 3,
             "Forty VNets in three regions must all reach each other and 20 branches, and the team does not want to "
             "run appliances and route tables for the transit. What does Microsoft point to?",
             "Virtual WAN: its hubs give any-to-any transit",
             (("Peer all forty VNets with each other", "a full mesh works but is not the transit design asked for"),
              ("One VPN gateway hub with gateway transit", "peering is not transitive: spoke-to-spoke needs an appliance"),
              ("Route Server", "Route Server exchanges routes with appliances you still run")),
             f"Virtual WAN is for {v['virtual_wan']}.",
             src,
             "Virtual WAN, because its managed hubs give transit between VNets, branches and users across regions "
             "without appliances. A VPN-gateway hub needs an appliance for spoke-to-spoke, since peering is not "
             "transitive.",
             ("managed hubs", "any-to-any transit", "no appliances for transit", "peering is not transitive"),
             "Explain when Virtual WAN beats a hand-built hub and spoke."),
    ]


# --- tunnel up, traffic not flowing ----------------------------------------------------------------------------------
def _tunnel_up() -> list[Item]:
    """Faults of the troubleshooting catalogue whose tunnel stays Connected: level 1 and 2 one fault, level 3 two
    faults at once (the choices are pairs). Tunnel-layer faults are the distractors: their tunnel is not up."""
    from ..troubleshoot import fault

    levels = {1: ("stale_lng_prefixes", "missing_use_remote_gateways"), 2: ("udr_blackhole", "overlap_by_change")}
    down = [fault(i) for i in ("ike_policy_mismatch", "bgp_reserved_asn")]
    method = ("A Connected tunnel only proves that IKE and IPsec agree. Check routing next (the next hop and the "
              "effective routes), then the peering settings and the NSGs.")
    items = []
    for level, ids in levels.items():
        for fid in ids:
            f = fault(fid)
            other = fault(next(i for i in ids if i != fid))
            wrong = ((down[0].title, f"the tunnel would not be Connected: {down[0].symptom}"),
                     (down[1].title, f"the BGP session would be refused: {down[1].symptom}"),
                     (other.title, f"its evidence would be: {other.evidence}"))
            items.append(Item(
                f"up-{fid}", level,
                f"The VPN connection shows Connected, yet traffic does not flow. {f.symptom} The tools show: "
                f"{f.evidence} What is the cause?",
                f.title, wrong, f"{f.cause} Repair: {f.repair}", (f.cite(),),
                f"{method} Here: {f.cause}",
                ("Connected proves only the tunnel", "check next hop and effective routes", "check peering and NSGs",
                 "repair the cause found"),
                "Explain how you troubleshoot a tunnel that is up while traffic does not flow."))
    for a, b in (("stale_lng_prefixes", "udr_blackhole"), ("missing_use_remote_gateways", "overlap_by_change")):
        fa, fb = fault(a), fault(b)
        x, y = fault("ike_policy_mismatch"), fault("nsg_shadowed_allow")
        items.append(Item(
            f"up-{a}+{b}", 3,
            f"The VPN connection shows Connected, and two things fail at once. First: {fa.symptom} Second: "
            f"{fb.symptom} The tools show: {fa.evidence} {fb.evidence} What are the two causes?",
            f"{fa.title} + {fb.title}",
            ((f"{x.title} + {fb.title}", f"the tunnel is Connected, so not: {x.title}"),
             (f"{fa.title} + {y.title}", f"the evidence points at routes, not at NSG rules ({y.title})"),
             (f"{x.title} + {y.title}", "the tunnel is Connected and the evidence points at routes")),
            f"{fa.cause} {fb.cause}", (fa.cite(), fb.cite()),
            f"{method} Here two routing rules fail at once: {fa.cause} {fb.cause}",
            ("Connected proves only the tunnel", "each symptom has its own evidence", "check routes for both",
             "repair both causes"),
            "Explain how you separate two faults that show up at the same time."))
    return items


# --- hub and appliance (simulator) -------------------------------------------------------------------------------------
def _hub_nva() -> list[Item]:
    """Answered by the engine on lesson 11's base network: a hub with an appliance and a VPN gateway, two or three
    spokes with ``10.0.0.0/8 → VirtualAppliance`` route tables, gateway transit on."""
    from ..troubleshoot import fault
    from ..troubleshoot.bases import HUB, base_network

    net, lay = base_network(7)
    s1, s2 = lay.spokes[0], lay.spokes[1]
    udr_hop = net.effective_routes(s1, "app").lookup(lay.vm_ip(s2)).next_hop_type
    branch_route = net.effective_routes(s1, "app").lookup(lay.branch_host)
    bare, _ = base_network(7)
    bare.associate_route_table(s1, "app", None)
    bare_hop = bare.effective_routes(s1, "app").lookup(lay.vm_ip(s2)).next_hop_type
    no_fwd, _ = base_network(7)
    no_fwd.set_ip_forwarding("nva", False)
    fwd_trace = no_fwd.trace(lay.vm(s1), lay.vm_ip(s2), port=443)
    ok_trace = net.trace(lay.vm(s1), lay.vm_ip(s2), port=443)
    hub_hop = net.effective_routes(s1, "app").lookup(lay.vm_ip(HUB)).next_hop_type
    no_accept, _ = base_network(7)
    no_accept.set_peering(s2, HUB, allow_forwarded_traffic=False)
    accept_trace = no_accept.trace(lay.vm(s1), lay.vm_ip(s2), port=443)
    if not ok_trace.reachable or fwd_trace.reachable or accept_trace.reachable:  # the engine must agree with the items below
        raise AssertionError("base network does not behave as the hub-nva items state")
    udr = fact("routing", "default_system_routes")
    peer = fact("peering", "settings")
    src = _cite(udr, peer)
    story = (f"A hub ({HUB}, 10.{lay.hub_octet}.0.0/16) holds an appliance at {lay.nva_ip} and a VPN gateway to a "
             f"branch ({lay.branch_prefix}); spokes {', '.join(lay.spokes)} are peered with the hub only.")
    return [
        Item("nva-none", 1,
             f"{story} With no route table on {s1}, what is the next hop from a VM in {s1} to {lay.vm_ip(s2)} in {s2}?",
             bare_hop,
             (("VNetPeering", "peering is not transitive: the spokes are not peered with each other"),
              ("VirtualAppliance", "no route table names the appliance yet"),
              ("VirtualNetworkGateway", "the gateway's routes are the branch's, not the other spoke's")),
             f"{bare_hop}: peering is not transitive, so {s1} has no route to {s2}'s range and the packet is dropped. "
             "A route table that sends it to the appliance in the hub fixes that.",
             src,
             "Peering is not transitive, so two spokes of the same hub cannot reach each other by themselves: the "
             "next hop is None. Either peer the spokes or send spoke-to-spoke traffic to an appliance in the hub with "
             "a route table.",
             ("peering is not transitive", "next hop None", "peer directly or route through the hub"),
             "Explain why two spokes of one hub cannot talk to each other by default."),
        Item("nva-hub", 1,
             f"{story} What is the next hop from a VM in {s1} to {lay.vm_ip(HUB)} in the hub?",
             hub_hop,
             (("None", f"{s1} is peered with the hub, so the hub's range has a route"),
              ("VirtualAppliance", "the hub's own range is a longer match than 10.0.0.0/8"),
              ("VirtualNetworkGateway", "the hub's range is a peered VNet, not a branch")),
             f"{hub_hop}: a peered VNet's range is routed with next hop {hub_hop}, and /16 is a longer match than "
             "the route table's 10.0.0.0/8, so the hub itself is reached directly.",
             _cite(fact("routing", "peering_routes"), udr),
             "The spoke is peered with the hub, so the hub's range has a route with next hop VNetPeering. It is a "
             "longer match than the 10.0.0.0/8 user-defined route, so hub traffic goes straight over the peering.",
             ("peering route to the hub", "next hop VNetPeering", "longer prefix than 10.0.0.0/8"),
             "Explain how a spoke reaches its hub."),
        Item("nva-udr", 2,
             f"{story} {s1}'s subnet has a route table with 10.0.0.0/8 → VirtualAppliance {lay.nva_ip}. What is the "
             f"next hop from a VM in {s1} to {lay.vm_ip(s2)}?",
             udr_hop,
             (("None", "the route table gives the 10.0.0.0/8 range a next hop"),
              ("VNetPeering", f"{s1} is not peered with {s2}"),
              ("VnetLocal", f"{lay.vm_ip(s2)} is not in {s1}'s own space")),
             f"{udr_hop}: the user-defined 10.0.0.0/8 route is the longest match for the other spoke. The appliance "
             "needs IP forwarding on its NIC, and the hub's links must accept forwarded traffic.",
             src,
             "A route table on each spoke subnet sends the other spokes' ranges to the appliance's IP, next hop "
             "VirtualAppliance. The appliance's NIC needs IP forwarding, and the peering links must allow forwarded "
             "traffic, or the packets are dropped on the way.",
             ("route table per spoke", "next hop VirtualAppliance", "IP forwarding on the NIC",
              "allow forwarded traffic"),
             "Explain how you route spoke-to-spoke traffic through a firewall in the hub."),
        Item("nva-forwarding", 2,
             f"{story} The route tables send spoke traffic to the appliance, but the appliance's NIC has IP forwarding "
             f"off. Does a packet from {s1} reach {s2}?",
             "No: the appliance's NIC drops traffic not addressed to it",
             (("Yes: the route table is enough", "Azure drops traffic to a NIC without IP forwarding that is not its own"),
              ("Yes, but unencrypted", "it is dropped, not delivered"),
              ("No: peering is not transitive even with a route table", "the route table makes the path; the NIC breaks it")),
             f"The engine's trace: {fwd_trace.reason} Turn on IP forwarding on the appliance's NIC.",
             (fault("nva_ip_forwarding_off").cite(), *src),
             "The route gets the packet to the appliance, but Azure only lets a NIC send and receive traffic for "
             "other addresses when IP forwarding is on. With it off the packet is dropped at the appliance.",
             ("route reaches the appliance", "IP forwarding on the NIC", "otherwise dropped"),
             "Explain what IP forwarding does for a network virtual appliance."),
        Item("nva-branch", 3,
             f"{story} {s1} uses the hub's gateway (gateway transit) and its route table sends 10.0.0.0/8 to the "
             f"appliance. Which next hop does a packet from {s1} to the branch host {lay.branch_host} take?",
             branch_route.next_hop_type,
             (("VirtualAppliance", f"the route table covers 10.0.0.0/8 only; {lay.branch_host} is outside it"),
              ("None", "gateway transit gives the spoke the branch's route"),
              ("Internet", f"the gateway route {branch_route.prefix} is a longer match than 0.0.0.0/0")),
             f"{branch_route.next_hop_type}: the longest match for {lay.branch_host} is {branch_route.prefix}, learned "
             "through gateway transit, and the 10.0.0.0/8 user-defined route does not cover the branch. To inspect "
             "branch traffic too, the route table needs the branch's prefix towards the appliance.",
             _cite(udr, peer, fact("routing", "peering_routes")),
             "Two rules meet here: gateway transit gives the spoke a route to the branch through the hub's gateway, "
             "and route selection takes the longest matching prefix. The 10.0.0.0/8 user-defined route does not cover "
             "the branch, so branch traffic bypasses the appliance unless the route table also names the branch's "
             "prefix.",
             ("gateway transit gives the branch route", "longest prefix wins", "10.0.0.0/8 does not cover the branch",
              "add the branch prefix to the route table"),
             "Explain whether branch traffic from a spoke passes the hub firewall."),
        Item("nva-accept", 3,
             f"{story} The route tables and the appliance are right, but {s2}'s peering link to the hub has "
             f"allow_forwarded_traffic off. Does a packet from {s1} reach {s2}?",
             f"No: {s2}'s link refuses traffic the appliance forwarded",
             (("Yes: the route table decides, not the peering", "the peering link must accept forwarded traffic too"),
              ("Yes: allow_forwarded_traffic matters only for gateways", "it is about anything another VNet forwards"),
              ("No: peering is not transitive even with a route table", "the route makes the path; the link refuses it")),
             f"The engine's trace: {accept_trace.reason} Routing and peering settings must both allow the path.",
             (fault("forwarded_traffic_off").cite(), *src),
             "Two settings meet: the route table sends the packet to the appliance, and the appliance forwards it into "
             "the other spoke. That spoke's link must allow forwarded traffic, or the packet is dropped, because it "
             "did not come from the hub itself.",
             ("route table to the appliance", "appliance forwards", "allow_forwarded_traffic on the spoke's link"),
             "Explain which peering settings a hub firewall design needs."),
    ]


BANKS: dict[str, Callable[[], list[Item]]] = {
    "gateway-redundancy": _redundancy,
    "bgp": _bgp,
    "vpn-type": _vpn_type,
    "forced-tunnelling": _forced,
    "point-to-site": _p2s,
    "peering-dns": _dns,
    "hub-nva": _hub_nva,
    "global-peering": _global,
    "better-answer": _better,
    "tunnel-up-no-traffic": _tunnel_up,
}
@lru_cache(maxsize=None)
def bank(topic: str) -> tuple[Item, ...]:
    return tuple(BANKS[topic]())


def pick(topic: str, level: int, rng: random.Random) -> Item:
    """An item of ``topic`` for ``level``: that level's items, or the nearest lower level's if it has none."""
    items = bank(topic)
    for lv in range(level, 0, -1):
        pool = [i for i in items if i.level == lv]
        if pool:
            return rng.choice(pool)
    return rng.choice(list(items))


__all__ = ["BANKS", "Item", "bank", "pick"]
