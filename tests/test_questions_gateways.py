"""The graded gateway exercises (03 VPN gateway, 04 VNet-to-VNet vs Site-to-Site, 06 effective routes) as a learner
meets them through ``ex.check``: right answers pass for every learner, realistic wrong answers get a message that
names the mistake, unanswered questions get feedback instead of an exception, hidden checks stay hidden.

Expected values come from the fact sheet (``/work/shared/azure-facts.md``), not from the grading code: the current
SKU table and features (§1.1, §1.4: NAT from VpnGw2AZ, no BGP or transit on Basic; non-AZ VpnGw1-5 not creatable
from 2025-01-01, §1.6), GatewaySubnet /27 or larger (§2.3), LNG prefixes typed by hand while VNet-to-VNet follows
the address space and a peering needs a sync (§3.2, §3.3, §6.4, S3), and route selection (§7.4, §7.5, S1, S11).
Networks are built the way a learner builds them, with the engine's public API.
"""
from __future__ import annotations

import re

import pytest
from netaddr import IPAddress, IPNetwork

import vnetlab as vl
import vnetlab.grading as g
from vnetlab.grading.instructor import evaluate_all
from question_support import (  # noqa: F401  (exercise: fixture)
    assert_caught_only_by_hidden_checks, assert_hidden_checks_stay_hidden, assert_unanswered_scores_zero, exercise,
    feedback, record, score, StandIn)

NAMES = ("03-vpn-gateway", "04-vnet-to-vnet-vs-site-to-site", "06-effective-routes")
GATEWAY_PREFIX = 27  # §2.3, non-Basic SKUs
# §1.1 current (AZ) SKUs: name, generation, aggregate Mbps, S2S tunnels, BGP, NAT (§1.4), zone-redundant
CURRENT = [("Basic", 1, 100, 10, False, False, False), ("VpnGw1AZ", 1, 650, 30, True, False, True),
           ("VpnGw2AZ", 1, 1000, 30, True, True, True), ("VpnGw3AZ", 1, 1250, 30, True, True, True),
           ("VpnGw2AZ", 2, 1250, 30, True, True, True), ("VpnGw3AZ", 2, 2500, 30, True, True, True),
           ("VpnGw4AZ", 2, 5000, 100, True, True, True), ("VpnGw5AZ", 2, 10000, 100, True, True, True)]


# --- model answers from the facts ------------------------------------------------------------------------------------
def build_hub(G, *, space=None, gw_prefix=GATEWAY_PREFIX, sku="VpnGw1AZ", site_prefix=None, transit=True,
              remote=True, join_spokes=False) -> vl.Network:
    """S1 with the learner's numbers, built as the lesson does; keyword arguments make the classic mistakes."""
    net = vl.Network()
    for name, cidr in G["vnets"].items():
        cidr = space.get(name, cidr) if space else cidr
        net.add_vnet(name, [cidr], region=G["region"])
        base = IPNetwork(cidr)
        if name == "hub":
            net.vnet(name).add_subnet("GatewaySubnet", str(list(base.subnet(gw_prefix))[-1]))
        else:
            net.vnet(name).add_subnet("app", str(list(base.subnet(24))[1])).add_nic(G["spoke_vms"][name])
    net.add_vpn_gateway("hub", sku)
    net.add_local_network_gateway("branch", G["site"]["device_ip"], [site_prefix or G["site"]["prefix"]])
    net.connect("hub", "branch", kind="IPsec")
    for spoke in G["spoke_vms"]:
        net.peer("hub", spoke, allow_gateway_transit="hub" if transit else None,
                 use_remote_gateways=spoke if transit and remote else None)
    if join_spokes:
        net.peer("spoke1", "spoke2")
    return net


def smallest_sku(needs) -> str:
    fits = [r for r in CURRENT if r[2] >= needs["throughput_mbps"] and r[3] >= needs["tunnels"]
            and (r[4] or not needs["bgp"]) and (r[5] or not needs["nat"]) and (r[6] or not needs["zone_redundant"])]
    name, gen = min(fits, key=lambda r: r[2])[:2]
    return f"{name} (Gen{gen})"


def next_hop(G, qid) -> str:
    """§7.4-§7.5 by hand for the routes-lab network: which route wins for each kind of destination."""
    q, net = G["questions"][qid], G["network"]
    dest = IPAddress(q["destination"])
    spaces = {v["name"]: IPNetwork(v["address_space"][0]) for v in net["vnets"]}
    regions = {v["name"]: v["region"] for v in net["vnets"]}
    site = IPNetwork(net["local_network_gateways"][0]["advertised"][1])
    peers = {"hub": {"spoke1", "spoke2"}, "spoke1": {"hub"}, "spoke2": {"hub"}}
    if dest in spaces[q["vnet"]]:
        return "VnetLocal"
    owner = next((n for n, s in spaces.items() if dest in s), None)
    if owner in peers[q["vnet"]]:  # system peering routes win even over a longer BGP route (S11c)
        return "VNetPeering" if regions[owner] == regions[q["vnet"]] else "VNetGlobalPeering"
    if owner is not None:  # peering is not transitive (S2): 10.0.0.0/8 → None, but in app the 0.0.0.0/0 user route
        # removed the None routes ("Azure removed the routes for the 10.0.0.0/8, 192.168.0.0/16, and 100.64.0.0/10
        # address prefixes ... when the user-defined route for the 0.0.0.0/0 address prefix was added", UDR overview)
        return "VirtualNetworkGateway" if q["subnet"] == "app" else "None"
    if dest in site:  # learned over BGP unless the subnet's table disables propagation (S1 variant B)
        return "None" if q["subnet"] == "db" else "VirtualNetworkGateway"
    return "VirtualNetworkGateway" if q["subnet"] == "app" else "Internet"  # S11b: UDR 0/0 beats system 0/0


def spoke_pairs():
    return (("spoke1", "spoke2"), ("spoke2", "spoke1"))


def through_nva(G, *, forwarded=True, spokes=("spoke1", "spoke2"), associate=True, hop_ip=None, prefix=None,
                join_spokes=False) -> vl.Network:
    """Lesson 06 §9 with the learner's numbers: a route table per spoke sending the other spoke's range to the NVA
    (next hop VirtualAppliance), and allow_forwarded_traffic on each spoke's link; keywords make the mistakes."""
    net = vl.Network.from_dict(G["network"])
    for spoke, other in spoke_pairs():
        if spoke not in spokes:
            continue
        net.add_route_table(f"rt-{spoke}")
        net.add_route(f"rt-{spoke}", "via-nva", prefix or str(net.vnet(other).address_space[0]), "VirtualAppliance",
                      hop_ip or G["nva"]["ip"])
        if associate:
            net.associate_route_table(spoke, "app", f"rt-{spoke}")
        if forwarded:
            net.set_peering(spoke, "hub", allow_forwarded_traffic=True)
    if join_spokes:
        net.peer("spoke1", "spoke2")
    return net


def repair_tables(G) -> vl.Network:
    """Lesson 06 §7-§9 read backwards: in each spoke's table, the route for the other spoke's range goes to the NVA,
    no longer route for it drops it, and the table is associated with the spoke's subnet. Routes are changed in
    place (same name); a route that only drops part of the other spoke is removed."""
    net = vl.Network.from_dict(G["network"])
    nva = G["nva"]["ip"]
    for spoke, other in spoke_pairs():
        table = net.route_table(f"rt-{spoke}")
        mine, theirs = net.vnet(spoke).address_space[0], net.vnet(other).address_space[0]
        for name, route in list(table.routes.items()):
            if route.prefix in (mine, theirs):
                net.remove_route(table.name, name)
                net.add_route(table.name, name, str(theirs), "VirtualAppliance", nva)
            elif route.prefix in theirs and route.next_hop_type == "None":
                net.remove_route(table.name, name)
        net.associate_route_table(spoke, "app", table.name)
    return net


JOIN_BY_STORY = {  # S3 and §3.2-§3.3, §6.4 by hand: what carries the packet, or why nothing does
    "Site-to-Site, to the range vnet2 added": ("Dropped", "lng-static"),          # the LNG lists the old range only
    "Site-to-Site, to vnet2's original range": ("Reachable", "lng-static"),
    "VNet-to-VNet, to the range vnet2 added": ("Reachable", "v2v-follows"),       # Azure updates the other side
    "VNet-to-VNet created from vnet1's side only, to vnet2's original range": ("Dropped", "one-connection"),
    "peering, to the range vnet2 added": ("Dropped", "peering-sync"),             # the link is not synced yet
    "VNet-to-VNet and a peering between the same VNets, to vnet2's original range": ("Reachable", "peering-preferred"),
}


def model_answer(ex: g.Exercise, qid: str):
    G = ex.givens(qid)
    name = (ex.spec.name, qid)
    if name == ("03-vpn-gateway", "q1"):
        return build_hub(G)
    if name == ("03-vpn-gateway", "q2"):
        return smallest_sku(G["needs"])
    if name == ("04-vnet-to-vnet-vs-site-to-site", "q1"):
        vnet2 = next(v for v in G["network"]["vnets"] if v["name"] == "vnet2")
        return {"lng-vnet2": list(vnet2["address_space"])}
    if name == ("04-vnet-to-vnet-vs-site-to-site", "q2"):
        return {"Vnet2Vnet": "nothing", "IPsec": "edit the LNG", "VNetPeering": "sync the peering"}
    if name == ("04-vnet-to-vnet-vs-site-to-site", "q3"):
        return {item: list(JOIN_BY_STORY[q["story"]]) for item, q in G["items"].items()}
    if name == ("06-effective-routes", "q1"):
        return {qid_: next_hop(G, qid_) for qid_ in G["questions"]}
    if name == ("06-effective-routes", "q2"):
        return through_nva(G)
    if name == ("06-effective-routes", "q3"):
        return repair_tables(G)
    raise AssertionError(f"no model answer for {name}")


# --- shape, right answers, givens -----------------------------------------------------------------------------------
def test_the_gateway_exercises_are_registered_with_their_lessons():
    for name in NAMES:
        spec = g.spec(name)
        assert spec.lesson == f"../notebooks/{name}.ipynb"
        for q in spec.questions:
            assert q.visible and q.hidden and len(q.hints) >= 2 and q.points > 0, q.id


def test_another_learners_network_and_prefixes_are_not_right_for_you(exercise):
    for name, qid in (("03-vpn-gateway", "q1"), ("04-vnet-to-vnet-vs-site-to-site", "q1"), ("06-effective-routes", "q1"),
                      ("06-effective-routes", "q2"), ("06-effective-routes", "q3")):
        alice, bob = exercise(name, "alice"), exercise(name, "bob")
        assert not score(bob, qid, model_answer(alice, qid)).full, (name, qid)


@pytest.mark.parametrize("name", NAMES)
def test_no_answer_gives_feedback_not_an_exception_and_scores_zero(exercise, name):
    assert_unanswered_scores_zero(exercise(name))


@pytest.mark.parametrize("name", NAMES)
def test_a_perfect_answer_is_not_told_all_passed_and_hidden_checks_stay_hidden(exercise, name):
    assert_hidden_checks_stay_hidden(exercise(name), model_answer)


# --- targeted messages for realistic mistakes ----------------------------------------------------------------------
def learner_where(name, qid, condition) -> str:
    """A learner id whose givens make the mistake possible (e.g. NAT required)."""
    return next(w for w in (f"learner-{i}" for i in range(500))
                if condition(g.exercise(name, w, answers_path="unused.json").givens(qid)["needs"]))


def example_space(ex, a):
    return build_hub(ex.givens("q1"), space={"hub": "10.0.0.0/16"})


def small_gateway_subnet(ex, a):
    return build_hub(ex.givens("q1"), gw_prefix=28)


def basic_gateway(ex, a):  # Basic cannot offer transit (S6d), so the learner leaves it off
    return build_hub(ex.givens("q1"), gw_prefix=29, sku="Basic", transit=False)


def lesson_site_prefix(ex, a):
    G = ex.givens("q1")
    return build_hub(G, site_prefix="192.168.1.0/24" if G["site"]["prefix"] != "192.168.1.0/24" else "192.168.2.0/24")


def no_use_remote_gateways(ex, a):
    return build_hub(ex.givens("q1"), remote=False)


def no_transit_at_all(ex, a):
    return build_hub(ex.givens("q1"), transit=False)


def spokes_joined(ex, a):
    return build_hub(ex.givens("q1"), join_spokes=True)


def stale_unchanged(ex, a):
    G = ex.givens("q1")
    return {"lng-vnet2": G["network"]["local_network_gateways"][0]["prefixes"]}


def stale_replaced(ex, a):
    return {"lng-vnet2": [ex.givens("q1")["added_range"]]}


def stale_typo(ex, a):
    second = int(ex.givens("q1")["added_range"].split(".")[1])
    return {"lng-vnet2": [a["lng-vnet2"][0], f"172.{second + 1}.0.0/16"]}


def stale_wrong_side(ex, a):
    G = ex.givens("q1")
    vnet1 = G["network"]["local_network_gateways"][1]["prefixes"]
    return {"lng-vnet1": [*vnet1, G["added_range"]]}


def stale_overlap(ex, a):
    return {"lng-vnet2": ["10.0.0.0/8", ex.givens("q1")["added_range"]]}


def stale_too_broad(ex, a):
    return {"lng-vnet2": [a["lng-vnet2"][0], "172.16.0.0/12"]}


def s2s_automatic(ex, a):
    return {**a, "IPsec": "nothing"}


def v2v_needs_lng(ex, a):
    return {**a, "Vnet2Vnet": "edit the LNG"}


def peering_automatic(ex, a):
    return {**a, "VNetPeering": "nothing"}


def _kind(ex, predicate):
    G = ex.givens("q1")
    return next(qid for qid, q in G["questions"].items() if predicate(G, q))


def _advertised(G, q):
    return q["vnet"] == "hub" and IPAddress(q["destination"]) in IPNetwork(
        G["network"]["local_network_gateways"][0]["advertised"][0])


def _public(G, q):
    return not any(IPAddress(q["destination"]) in IPNetwork(r) for r in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))


def _site_from_db(G, q):
    return q["subnet"] == "db" and IPAddress(q["destination"]) in IPNetwork(
        G["network"]["local_network_gateways"][0]["advertised"][1])


def _other_spoke(G, q):
    return q["vnet"] == "spoke1" and IPAddress(q["destination"]) in IPNetwork(G["network"]["vnets"][2]["address_space"][0])


def bgp_beats_peering(ex, a):
    return {**a, _kind(ex, _advertised): "VirtualNetworkGateway"}


def system_beats_udr(ex, a):
    return {**a, _kind(ex, _public): "Internet"}


def propagation_ignored(ex, a):
    return {**a, _kind(ex, _site_from_db): "VirtualNetworkGateway"}


def transitive_peering(ex, a):
    return {**a, _kind(ex, _other_spoke): "VNetPeering"}


def portal_spelling(ex, a):
    return {**a, _kind(ex, _public): "Virtual network gateway"}


def no_forwarded_traffic(ex, a):
    return through_nva(ex.givens("q2"), forwarded=False)


def one_spoke_only(ex, a):
    return through_nva(ex.givens("q2"), spokes=("spoke1",))


def table_not_associated(ex, a):
    return through_nva(ex.givens("q2"), associate=False)


def hub_vm_as_appliance(ex, a):
    G = ex.givens("q2")
    return through_nva(G, hop_ip=G["vms"]["vm-hub"])


def spokes_peered_too(ex, a):
    return through_nva(ex.givens("q2"), join_spokes=True)


def repair_to_hub_vm(ex, a):
    G = ex.givens("q3")
    net = repair_tables(G)
    for spoke, other in spoke_pairs():
        for name, route in list(net.route_table(f"rt-{spoke}").routes.items()):
            net.remove_route(f"rt-{spoke}", name)
            net.add_route(f"rt-{spoke}", name, str(route.prefix), "VirtualAppliance", G["vms"]["vm-hub"])
    return net


def repair_by_shortcut(ex, a):
    net = vl.Network.from_dict(ex.givens("q3")["network"])
    for spoke, _ in spoke_pairs():
        net.associate_route_table(spoke, "app", None)
    net.peer("spoke1", "spoke2")
    return net


def repair_by_new_table(ex, a):
    net = repair_tables(ex.givens("q3"))
    for spoke, other in spoke_pairs():
        old = net.route_table(f"rt-{spoke}")
        net.add_route_table(f"rt-{spoke}-new")
        for name, route in old.routes.items():
            net.add_route(f"rt-{spoke}-new", name, str(route.prefix), route.next_hop_type,
                          str(route.next_hop_ip) if route.next_hop_ip else None)
        net.associate_route_table(spoke, "app", f"rt-{spoke}-new")
        del net.route_tables[f"rt-{spoke}"]
    return net


def _story_flip(ex, a, story, value):
    G = ex.givens("q3")
    item = next(i for i, q in G["items"].items() if q["story"] == story)
    return {**a, item: value}


def s2s_follows_the_vnet(ex, a):
    return _story_flip(ex, a, "Site-to-Site, to the range vnet2 added", ["Reachable", "v2v-follows"])


def one_resource_is_enough(ex, a):
    return _story_flip(ex, a, "VNet-to-VNet created from vnet1's side only, to vnet2's original range",
                       ["Reachable", "v2v-follows"])


def gateway_wins_over_peering(ex, a):
    return _story_flip(ex, a, "VNet-to-VNet and a peering between the same VNets, to vnet2's original range",
                       ["Reachable", "v2v-follows"])


E3, E4, E6 = NAMES
WRONG = [  # (exercise, question, mistake, words the visible feedback must contain)
    (E3, "q1", example_space, "the lesson's example numbers"),
    (E3, "q1", small_gateway_subnet, "/28: every SKU but Basic needs /27"),
    (E3, "q1", basic_gateway, "Basic does not offer gateway transit"),
    (E3, "q1", lesson_site_prefix, "does not include the site's prefix"),
    (E3, "q1", no_use_remote_gateways, "use_remote_gateways off"),
    (E3, "q1", no_transit_at_all, "allow_gateway_transit off"),
    (E4, "q1", stale_unchanged, "typed by hand"),
    (E4, "q1", stale_replaced, "replaced lng-vnet2's prefix instead of adding"),
    (E4, "q1", stale_typo, "outside it"),
    (E4, "q1", stale_wrong_side, "that LNG stands for vnet1"),
    (E4, "q1", stale_overlap, "overlaps the address space"),
    (E4, "q2", s2s_automatic, "routes only the prefixes typed in the local network gateway"),
    (E4, "q2", v2v_needs_lng, "Azure fills in each side's view"),
    (E4, "q3", s2s_follows_the_vnet, "Azure keeps the other side's ranges current only on a VNet-to-VNet"),
    (E4, "q3", one_resource_is_enough, "1 of your 6 outcomes differs"),
    (E4, "q3", gateway_wins_over_peering, "is decided by another rule"),
    (E6, "q1", bgp_beats_peering, "over gateway routes, even more specific ones"),
    (E6, "q1", system_beats_udr, "a user route beats the system route"),
    (E6, "q1", propagation_ignored, "disables gateway route propagation"),
    (E6, "q1", portal_spelling, "'VnetLocal', 'VNetPeering', 'VNetGlobalPeering'"),
    (E6, "q2", no_forwarded_traffic, "accept traffic the hub forwarded and did not originate"),
    (E6, "q2", one_spoke_only, "no user route sends the other spoke's range to the NVA"),
    (E6, "q2", table_not_associated, "a route table acts only on the subnets it is associated with"),
    (E6, "q2", hub_vm_as_appliance, "the IP of a NIC with IP forwarding on"),
    # (A 0.0.0.0/0 route to the NVA is no mistake: it removes the 10.0.0.0/8 None route (UDR overview, routing
    # example, 2023-05-27), so it carries spoke-to-spoke traffic through the appliance too.)
    (E6, "q3", repair_to_hub_vm, "the IP of a NIC with IP forwarding on"),
    (E6, "q3", repair_by_shortcut, "not through the hub's NVA"),
]


@pytest.mark.parametrize("learner", ["alice", "bob", "zoe"])
@pytest.mark.parametrize("name, qid, mistake, words", WRONG, ids=[f"{n[:2]}-{q}-{m.__name__}" for n, q, m, _ in WRONG])
def test_a_realistic_mistake_gets_a_message_that_names_it(exercise, learner, name, qid, mistake, words):
    ex = exercise(name, learner)
    fb = feedback(ex, qid, mistake(ex, model_answer(ex, qid)))
    assert not fb.visible_passed
    assert any(words in m for m in fb.messages), fb.messages
    assert words in str(fb) and words in fb._repr_html_().replace("&#x27;", "'")


HIDDEN = [  # mistakes only a hidden check catches: the grader sees the message, the learner's check does not
    (E3, "q1", spokes_joined, "the spokes were to stay apart"),
    (E4, "q1", stale_too_broad, "more than vnet2 holds"),
    (E4, "q2", peering_automatic, "is out of sync"),
    (E6, "q1", transitive_peering, "Peering is not transitive"),
    (E6, "q2", spokes_peered_too, "The spokes are peered with each other"),
    (E6, "q3", repair_by_new_table, "was deleted: change the one route at fault"),
]


@pytest.mark.parametrize("name, qid, mistake, words", HIDDEN, ids=[m.__name__ for _, _, m, _ in HIDDEN])
def test_a_mistake_caught_by_a_hidden_check_is_named_to_the_grader_only(exercise, name, qid, mistake, words):
    ex = exercise(name, "alice")
    assert_caught_only_by_hidden_checks(ex, qid, mistake(ex, model_answer(ex, qid)), words)


@pytest.mark.parametrize("mistake, need, words", [
    ("VpnGw2", lambda n: True, "is a non-AZ SKU"),
    ("HighPerformance", lambda n: True, "is a legacy SKU"),
    ("Basic", lambda n: n["bgp"], "Basic has no BGP"),
    ("Basic", lambda n: n["nat"] and not n["bgp"], "Basic has no NAT"),
    ("VpnGw1AZ", lambda n: n["nat"], "VpnGw1AZ has no NAT rules"),
])
def test_the_sku_question_names_the_wrong_choice(exercise, mistake, need, words):
    learner = learner_where(E3, "q2", need)
    fb = exercise(E3, learner).record("q2", StandIn(mistake))
    assert not fb.visible_passed and any(words in m for m in fb.messages), fb.messages


def test_a_generation_too_slow_for_the_throughput_does_not_meet_it(exercise):
    """§1.1: VpnGw2AZ is 1 Gbps in Gen1 and 1.25 Gbps in Gen2; Gen1 cannot carry 1,100 Mbps, and the name alone is
    not an answer (it was read as "either generation", so Gen1 scored full marks)."""
    learner = learner_where(E3, "q2", lambda n: n["throughput_mbps"] == 1100 and n["tunnels"] <= 30)
    ex = exercise(E3, learner)
    result = score(ex, "q2", "VpnGw2AZ (Gen1)")
    assert not result.full and any(not c.passed and c.visible for c in result.checks)
    fb = ex.record("q2", StandIn("VpnGw2AZ"))
    assert fb.result.problem and "generation" in fb.result.problem and fb.result.earned == 0


def test_a_sku_bigger_than_needed_loses_only_the_hidden_check(exercise):
    learner = learner_where(E3, "q2", lambda n: n["throughput_mbps"] <= 1000 and n["tunnels"] <= 30)
    ex = exercise(E3, learner)
    result = score(ex, "q2", "VpnGw4AZ (Gen2)")
    assert [c.visible for c in result.checks if not c.passed] == [False]
    assert "a smaller SKU does too" in next(c.message for c in result.checks if not c.passed)


def test_the_sku_explorer_records_the_smallest_fitting_sku(exercise):
    from vnetlab.widgets import SkuExplorer
    ex = exercise(E3, "alice")
    explorer = SkuExplorer()
    for need, value in ex.givens("q2")["needs"].items():
        getattr(explorer, need).value = value
    assert ex.record("q2", explorer).visible_passed
    assert evaluate_all(ex, "q2").full


def test_spelling_is_azures_effective_route_names_case_insensitively(exercise):
    ex = exercise(E6, "alice")
    answer = {k: v.lower() for k, v in model_answer(ex, "q1").items()}
    assert score(ex, "q1", answer).full
    fb = ex.check("q1", {**answer, "d1": "Null"})
    assert fb.result.problem and re.search(r"one of 'VnetLocal'.*'None'", fb.result.problem)


@pytest.mark.parametrize("mistake", [system_beats_udr, propagation_ignored])
def test_a_wrong_next_hop_gets_the_rule_not_the_next_hop(exercise, mistake):
    """Feedback names the rule that decides (S11b, S1 variant B) and asks which route wins; it used to end
    with the right next hop (": VNetGlobalPeering.")."""
    ex = exercise(E6, "alice")
    fb = ex.check("q1", mistake(ex, model_answer(ex, "q1")))
    text = " ".join(fb.messages)
    assert "Which route wins there" in text, text
    assert not re.search(r": (VnetLocal|VNetPeering|VNetGlobalPeering|VirtualNetworkGateway|Internet|None)\.", text)


def test_exercise_04_neither_its_givens_nor_the_wrong_side_feedback_tell_the_fix(exercise):
    """The givens' trace diagnoses (the LNG's typed prefixes, S3) without prescribing the edit or the q2 answer, and
    editing the wrong LNG is answered with the rule, not with the LNG to edit."""
    ex = exercise(E4, "alice")
    G = ex.givens("q1")
    net = vl.Network.from_dict(G["network"])
    reason = net.trace("vm-vnet1", str(net.nic("vm-new").ip)).reason
    assert "typed by hand" in reason and "edit" not in reason and "VNet-to-VNet" not in reason, reason
    fb = ex.check("q1", stale_wrong_side(ex, model_answer(ex, "q1")))
    text = " ".join(fb.messages)
    assert "that LNG stands for vnet1" in text and "lng-vnet2" not in text, text


def test_every_broken_route_table_shows_its_symptom_and_the_lessons_repair_fixes_it(exercise):
    """Exercise 06 q3 draws one of several route-table faults: each leaves a spoke unable to reach the other
    through the NVA (visible check fails), and repairing the route at fault (model answer) earns full marks."""
    from vnetlab.grading.questions_06 import FAULTS, _fault_draw
    seen = set()
    for i in range(200):
        ex = exercise(E6, f"learner-{i}")
        G = ex.givens("q3")
        fault = _fault_draw(G["incident"]["seed"])[1]
        if fault in seen:
            continue
        seen.add(fault)
        broken = feedback(ex, "q3", vl.Network.from_dict(G["network"]))
        assert not broken.visible_passed and broken.result.earned == 0, fault
        assert score(ex, "q3", repair_tables(G)).full, fault
        if seen == set(FAULTS):
            break
    assert seen == set(FAULTS)


@pytest.mark.parametrize("learner", ["alice", "zoe"])
def test_a_default_route_to_the_nva_also_builds_the_spoke_to_spoke_path(exercise, learner):
    """UDR overview, routing example (2023-05-27): a user route for 0.0.0.0/0 removes the 10.0.0.0/8 None route,
    so each spoke's default route to the hub's NVA carries the other spoke's traffic through the appliance."""
    ex = exercise(E6, learner)
    fb = feedback(ex, "q2", through_nva(ex.givens("q2"), prefix="0.0.0.0/0"))
    assert fb.visible_passed, fb.messages
