"""Module 5 (troubleshooting): every catalogued fault, injected into several working networks, produces its symptom
through the engine, the tools show its evidence, and the catalogue's repair removes the symptom without breaking
a flow that worked before.

Expected behaviour comes from the fact sheet (/work/shared/azure-facts.md): gateway transit needs
useRemoteGateways on the spoke's link and allowGatewayTransit on the hub's (§6.2); a peering carries traffic only
when both links exist (Initiated otherwise, §6.2/§6.3); after an address-space change the peer's link is
LocalNotInSync until synced (§6.4); UDR next hop None drops, VirtualAppliance needs IP forwarding on the NIC (§7.3);
forwarded traffic needs allowForwardedTraffic (§6.2); NSG rules are processed lowest number first and stop at the
first match (§8.3); no common IKE proposal means no tunnel (§4); overlapping spaces across a VPN connection need NAT
(§5.1); 65515 is reserved by Azure (§2.6); SKU throughput (§1.1); Network Watcher next-hop names (§7.7).
"""
from __future__ import annotations

import re

import pytest

from vnetlab import Network
from vnetlab.errors import NotFoundError, VnetlabError
from vnetlab.troubleshoot import (catalogue, connection_troubleshoot, effective_security_rules, fault, inject,
                                  inject_many, ip_flow_verify, next_hop, peering_status, repair, symptoms,
                                  vpn_troubleshoot)
from vnetlab.troubleshoot.bases import base_network, baseline_flows
from vnetlab.troubleshoot.evidence import gather
from vnetlab.troubleshoot.faults import INJECT, reachability

SEEDS = range(8)  # eight base networks: different addresses, two or three spokes, different branch ranges
FAULTS = [f.id for f in catalogue()]
NETWORK_WATCHER_NEXT_HOPS = {"Internet", "VirtualAppliance", "VirtualNetworkGateway", "VirtualNetwork",
                             "VirtualNetworkPeering", "VirtualNetworkServiceEndpoint", "MicrosoftEdge", "None"}  # §7.7


def test_the_catalogue_covers_the_faults_the_course_promises():
    ids = set(FAULTS)
    assert len(ids) >= 12
    assert {"stale_lng_prefixes", "missing_use_remote_gateways", "peering_initiated", "peering_not_synced",
            "udr_blackhole", "nva_ip_forwarding_off", "forwarded_traffic_off", "nsg_shadowed_allow",
            "ike_policy_mismatch", "nat_missing_for_overlap", "bgp_reserved_asn", "sku_too_small",
            "overlap_by_change"} <= ids
    assert set(INJECT) == ids
    for f in catalogue():
        assert f.source.startswith("https://learn.microsoft.com/"), f.id
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", f.as_of), f.id
        assert f.symptom and f.cause and f.repair and f.evidence and f.tools
        assert f.source in f._repr_html_() and f.title in str(f)


def test_base_networks_work_and_differ():
    layouts = set()
    for seed in SEEDS:
        net, lay = base_network(seed)
        assert all(reachability(net, baseline_flows(lay)).values())
        layouts.add((lay.hub_octet, len(lay.spokes), lay.branch_prefix))
    assert len(layouts) >= 4


@pytest.mark.parametrize("fault_id", FAULTS)
def test_each_fault_shows_its_symptom_and_the_catalogue_repair_removes_it(fault_id):
    for seed in SEEDS:
        healthy, lay = base_network(seed)
        before = reachability(healthy, baseline_flows(lay))
        incident = inject(fault_id, seed)
        found = symptoms(incident.network, incident)
        assert found, f"{fault_id} seed {seed}: no symptom"
        assert not any(fault(fault_id).symptom in s for s in found)  # computed, not the catalogue's text
        repair(incident)
        assert symptoms(incident.network, incident) == [], f"{fault_id} seed {seed}"
        after = reachability(incident.network, baseline_flows(lay))
        assert [f for f, ok in before.items() if ok and not after[f]] == [], f"{fault_id} seed {seed}: collateral"


@pytest.mark.parametrize("fault_id", FAULTS)
def test_the_tools_show_the_evidence_before_the_repair_and_not_after(fault_id):
    for seed in SEEDS[:3]:
        incident = inject(fault_id, seed)
        evidence = gather(incident, fault_id)
        assert {e.tool for e in evidence} & set(fault(fault_id).tools), fault_id
        assert any(e.shows for e in evidence), f"{fault_id} seed {seed}: no tool shows the evidence"
        repair(incident)
        assert not any(e.shows for e in gather(incident, fault_id)), f"{fault_id} seed {seed}"


@pytest.mark.parametrize("fault_id", FAULTS)
def test_an_incident_survives_the_scenario_format(fault_id):
    """Exercise 11 hands the broken network over as plain data: the symptom must survive the round trip."""
    incident = inject(fault_id, 3)
    copy = Network.from_dict(incident.network.to_dict())
    assert symptoms(copy, incident) == symptoms(incident.network, incident)


def test_two_faults_at_once_need_both_repairs():
    for seed in SEEDS:
        incident = inject_many(("udr_blackhole", "ike_policy_mismatch"), seed)
        assert len(symptoms(incident.network, incident)) >= 2
        half = repair(incident, incident.network.copy(), faults=("udr_blackhole",))
        assert symptoms(half, incident)  # repairing only the route leaves the tunnel down
        repair(incident)
        assert symptoms(incident.network, incident) == []


# --- the facts behind the symptoms ----------------------------------------------------------------------------
def test_spoke_without_use_remote_gateways_has_no_gateway_route_to_the_branch():  # §6.2
    incident = inject("missing_use_remote_gateways", 1)
    spoke, lay = incident.targets["missing_use_remote_gateways"]["spoke"], incident.layout
    assert next_hop(incident.network, lay.vm(spoke), lay.branch_host).next_hop_type == "None"
    assert next_hop(incident.network, lay.vm("hub"), lay.branch_host).next_hop_type == "VirtualNetworkGateway"


def test_one_sided_peering_is_initiated():  # §6.2
    incident = inject("peering_initiated", 0)
    spoke = incident.targets["peering_initiated"]["spoke"]
    rows = {r[0]: r for r in peering_status(incident.network, "hub").rows_}
    assert rows[f"hub-to-{spoke}"][2] == "Initiated"
    assert f"{spoke}-to-hub" not in rows


def test_unsynced_link_is_local_not_in_sync():  # §6.4
    incident = inject("peering_not_synced", 0)
    spoke = incident.targets["peering_not_synced"]["spoke"]
    rows = {r[0]: r for r in peering_status(incident.network, "hub").rows_}
    assert rows[f"hub-to-{spoke}"][3] == "LocalNotInSync"


def test_next_hop_names_are_network_watchers():  # §7.7
    net, lay = base_network(0)
    spoke = lay.spokes[0]
    seen = {next_hop(net, lay.vm("hub"), lay.vm_ip(spoke)).next_hop_type,
            next_hop(net, lay.vm("hub"), "10.%d.1.9" % lay.hub_octet).next_hop_type,
            next_hop(net, lay.vm(spoke), lay.branch_host).next_hop_type,
            next_hop(net, lay.vm(spoke), lay.vm_ip(lay.spokes[1])).next_hop_type,
            next_hop(net, lay.vm("hub"), "8.8.8.8").next_hop_type}
    assert seen == {"VirtualNetworkPeering", "VirtualNetwork", "VirtualNetworkGateway", "VirtualAppliance", "Internet"}
    assert seen <= NETWORK_WATCHER_NEXT_HOPS
    udr = next_hop(net, lay.vm(spoke), lay.vm_ip(lay.spokes[1]))
    assert udr.route_table_id == "spokes-via-nva" and udr.next_hop_ip_address == lay.nva_ip
    assert next_hop(net, lay.vm("hub"), "8.8.8.8").route_table_id == "System Route"


def test_ip_flow_verify_names_the_deny_that_shadows_the_allow():  # §8.3
    incident = inject("nsg_shadowed_allow", 2)
    t, lay = incident.targets["nsg_shadowed_allow"], incident.layout
    v = ip_flow_verify(incident.network, lay.vm(t["spoke"]), "Inbound", local_port=443, remote_ip=lay.vm_ip("hub"),
                       remote_port=50000)
    assert (v.access, v.rule_name) == ("Deny", t["deny"])
    rules = effective_security_rules(incident.network, lay.vm(t["spoke"]))
    names = [r[4] for r in rules.rows()]
    assert names.index(t["deny"]) < names.index(t["allow"])  # evaluation order: lower number first
    repair(incident)
    v = ip_flow_verify(incident.network, lay.vm(t["spoke"]), "Inbound", local_port=443, remote_ip=lay.vm_ip("hub"),
                       remote_port=50000)
    assert (v.access, v.rule_name) == ("Allow", t["allow"])


def test_vpn_troubleshoot_reports_the_documented_fault_type():
    incident = inject("ike_policy_mismatch", 0)
    r = vpn_troubleshoot(incident.network, "hub")
    assert r.code == "UnHealthy"
    assert [x.id for x in r.results] == ["ConnectionsNotConnected", "IkePolicyMismatch"]
    repair(incident)
    r = vpn_troubleshoot(incident.network, "hub", "hub-to-branch")
    assert (r.code, [x.id for x in r.results]) == ("Healthy", ["NoFault"])
    assert "vpn-troubleshoot-overview" in r._repr_html_()


def test_connection_troubleshoot_lists_hops_and_the_issue_where_the_packet_stops():
    incident = inject("nva_ip_forwarding_off", 4)
    p = incident.probes[0]
    ct = connection_troubleshoot(incident.network, p.src, p.dst)
    assert ct.connection_status == "Unreachable" and ct.issues
    assert [h for h in ct.hops if h.issues] == [ct.hops[-1]]
    assert "connection-troubleshoot-overview" in ct._repr_html_() and "Unreachable" in str(ct)
    repair(incident)
    ct = connection_troubleshoot(incident.network, p.src, p.dst)
    assert ct.connection_status == "Reachable" and not ct.issues and ct.delivered_to == p.expect


def test_reserved_asn_is_refused_and_a_private_one_accepted():  # §2.6
    incident = inject("bgp_reserved_asn", 0)
    assert "65515" in symptoms(incident.network, incident)[0]
    repair(incident)
    assert incident.network.local_gateway("branch-bgp").bgp_asn == 65010


def test_bad_input_is_a_clear_error():
    net, _ = base_network(0)
    with pytest.raises(VnetlabError, match="no-such-vm"):
        next_hop(net, "no-such-vm", "10.0.0.1")
    with pytest.raises(NotFoundError, match="No fault 'dns'"):
        fault("dns")
    with pytest.raises(NotFoundError):
        inject("dns", 0)
