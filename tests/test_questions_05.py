"""Graded exercise 05 (overlapping address spaces and VPN gateway NAT) as a learner meets it through ``ex.check``:
right answers pass for several learners, realistic wrong answers get a message that names the mistake, givens
differ per learner, hidden checks stay hidden.

Expected values come from the fact sheet (``/work/shared/azure-facts.md``), not from the grading code: NAT rules
are Static 1:1 in sequential order with equal prefix lengths, one prefix per rule, IngressSnat for on-premises and
EgressSnat for the VNet, both needed when the spaces overlap, external mappings distinct, dynamic NAT one-way, a
dynamic rule on one connection (§5.1, S5); overlapping VNets cannot be peered (§6.3) nor joined by VNet-to-VNet
(§3.3), NAT is not available on VNet-to-VNet and IPsec with LNGs between two Azure VNets is an extrapolation (S4).
Every address below is read from the learner's givens or computed from them.
"""
from __future__ import annotations

import pytest
from netaddr import IPAddress, IPNetwork

import vnetlab as vl
import vnetlab.grading as g
from question_support import (  # noqa: F401  (exercise: fixture)
    assert_caught_only_by_hidden_checks, assert_hidden_checks_stay_hidden, assert_model_answers_full,
    assert_registered_with_lesson, assert_unanswered_scores_zero, exercise, feedback, LEARNERS, score)

NAME = "05-overlap-and-nat"
LEARNERS = ["alice", "bob", "Chloé", "d-4", "zoe"]


# --- model answers from the facts -----------------------------------------------------------------------------------
def _free(G, index: int, prefixlen: int) -> str:
    """A /prefixlen in 192.168.0.0/16, the index-th /22 block: clear of the givens' 10.x networks and of each other."""
    return str(IPNetwork(f"192.168.{4 * (index + 1)}.0/{prefixlen}"))


def merger_plan(G, *, egress_len=None, egress=True, lab_rules=None, dynamic_dc=False, dc_external=None,
                lab_first_external=None, vnet_link="egress", second_rule=True, second_on_dc=False) -> dict:
    """§5.4's pattern on the learner's merger; keyword arguments make the classic mistakes."""
    vnet = G["network"]["vnets"][0]["address_space"][0]
    length = IPNetwork(vnet).prefixlen
    rules = [{"name": "contoso-out", "type": "Static", "mode": "EgressSnat", "internal": vnet,
              "external": str(IPNetwork(f"{IPNetwork(_free(G, 0, length)).ip}/{egress_len or length}"))}]
    dc, lab = G["sites"]
    dc_prefix = G["sites"][dc]["prefixes"][0]
    rules.append({"name": "dc-in", "type": "Dynamic" if dynamic_dc else "Static", "mode": "IngressSnat",
                  "internal": dc_prefix, "external": dc_external or _free(G, 1, 26 if dynamic_dc else 24)})
    first, second = G["sites"][lab]["prefixes"]
    rules.append({"name": "lab-in-1", "type": "Static", "mode": "IngressSnat", "internal": first,
                  "external": lab_first_external or _free(G, 2, 24)})
    if second_rule:
        rules.append({"name": "lab-in-2", "type": "Static", "mode": "IngressSnat", "internal": second,
                      "external": _free(G, 3, IPNetwork(second).prefixlen)})
    lab_links = lab_rules if lab_rules is not None else ["lab-in-1", "lab-in-2"] if second_rule else ["lab-in-1"]
    dc_links = ["dc-in", "lab-in-2"] if second_on_dc else ["dc-in"]
    if second_on_dc:
        lab_links = ["lab-in-1"]
    links = {dc: {"ingress": dc_links, "egress": []}, lab: {"ingress": lab_links, "egress": []}}
    for link in links.values():
        if egress:
            link[vnet_link].append("contoso-out")
    return {"rules": rules, "connections": links}


def _host_via(G, rule_internal: str, rule_external: str, host: str) -> str:
    """S5: a static rule keeps each address's offset inside the prefix."""
    return str(IPNetwork(rule_external)[int(IPAddress(host)) - IPNetwork(rule_internal).first])


def predicted_packets(G) -> dict:
    """What each receiver sees, by the S5 arithmetic: the source through its side's rule, the destination back."""
    rules = {r["mode"]: r for r in G["network"]["vpn_gateways"][0]["nat_rules"]}
    vnet_rule, site_rule = rules["EgressSnat"], rules["IngressSnat"]
    out = {}
    for pid, p in G["packets"].items():
        if p.get("from_site"):   # branch → VNet: source by IngressSnat, destination back by EgressSnat
            src = _host_via(G, site_rule["internal"], site_rule["external"], p["src"])
            dst = _host_via(G, vnet_rule["external"], vnet_rule["internal"], p["dst"])
        else:                    # VNet → branch: source by EgressSnat, destination back by IngressSnat
            src = _host_via(G, vnet_rule["internal"], vnet_rule["external"], G["vm_ip"])
            dst = _host_via(G, site_rule["external"], site_rule["internal"], p["dst"])
        out[pid] = (src, dst)
    return out


TWINS = {"VNetPeering": "overlap",            # §6.3: overlapping VNets cannot be peered
         "Vnet2Vnet": "overlap",              # §3.3: connected spaces must not overlap
         "Vnet2Vnet + NAT": "nat-connection",  # §5.1: NAT on IPsec (S2S) only
         "IPsec + NAT": "extrapolation"}      # S4: accepted on VpnGw2+, but not a documented scenario


def model_answer(ex: g.Exercise, qid: str):
    G = ex.givens(qid)
    if qid == "q1":
        return merger_plan(G)
    if qid == "q2":
        return {pid: list(v) for pid, v in predicted_packets(G).items()}
    return {**TWINS, "pick": "IPsec + NAT"}


# --- shape, right answers, givens -----------------------------------------------------------------------------------
def test_the_exercise_is_registered_with_its_lesson():
    assert_registered_with_lesson(NAME)


@pytest.mark.parametrize("learner", LEARNERS)
def test_the_model_answers_earn_full_marks(exercise, learner):
    assert_model_answers_full(exercise(NAME, learner), model_answer)


def test_a_network_built_with_the_engine_is_a_valid_answer(exercise):
    ex = exercise(NAME, "bob")
    G, plan = ex.givens("q1"), model_answer(ex, "q1")
    net = vl.Network.from_dict(G["network"])
    for rule in plan["rules"]:
        net.add_nat_rule(G["vnet"], **rule)
    for site, link in plan["connections"].items():
        net.connect(G["vnet"], site, kind="IPsec", name=G["connections"][site], ingress_nat_rules=link["ingress"],
                    egress_nat_rules=link["egress"])
    assert score(ex, "q1", net).full


def test_givens_differ_per_learner_and_overlap_as_the_task_says(exercise):
    givens = [exercise(NAME, w).givens("q1") for w in LEARNERS]
    assert len({G["network"]["vnets"][0]["address_space"][0] for G in givens}) > 1
    for G in givens:
        vnet = IPNetwork(G["network"]["vnets"][0]["address_space"][0])
        dc, lab = G["sites"].values()
        assert all(IPNetwork(p) in vnet for p in (*dc["prefixes"], *lab["prefixes"]))   # everything overlaps
        assert len(lab["prefixes"]) == 2 and dc["hosts"][0] in lab["hosts"]             # the same host at both sites
    for qid in ("q2", "q3"):
        assert len({str(exercise(NAME, w).givens(qid)) for w in LEARNERS}) == len(LEARNERS)


def test_another_learners_answers_are_not_right_for_you(exercise):
    alice, bob = exercise(NAME, "alice"), exercise(NAME, "bob")
    for qid in ("q1", "q2"):
        assert not score(bob, qid, model_answer(alice, qid)).full, qid


def test_no_answer_gives_feedback_not_an_exception_and_scores_zero(exercise):
    assert_unanswered_scores_zero(exercise(NAME))


def test_a_perfect_answer_is_not_told_all_passed_and_hidden_checks_stay_hidden(exercise):
    assert_hidden_checks_stay_hidden(exercise(NAME), model_answer)


# --- targeted messages for realistic mistakes ----------------------------------------------------------------------
def lengths_differ(ex, a):
    G = ex.givens("q1")
    return merger_plan(G, egress_len=IPNetwork(G["network"]["vnets"][0]["address_space"][0]).prefixlen + 1)


def ingress_only(ex, a):
    return merger_plan(ex.givens("q1"), egress=False)


def vnet_rule_as_ingress(ex, a):
    return merger_plan(ex.givens("q1"), vnet_link="ingress")


def second_rule_on_wrong_connection(ex, a):
    return merger_plan(ex.givens("q1"), second_on_dc=True)


def second_prefix_untranslated(ex, a):
    return merger_plan(ex.givens("q1"), second_rule=False)


def dynamic_for_a_site(ex, a):
    return merger_plan(ex.givens("q1"), dynamic_dc=True)


def external_in_the_vnet(ex, a):
    G = ex.givens("q1")
    return merger_plan(G, dc_external=str(list(IPNetwork(G["network"]["vnets"][0]["address_space"][0]).subnet(24))[0]))


def external_of_another_site(ex, a):
    G = ex.givens("q1")
    return merger_plan(G, lab_first_external=_free(G, 1, 24))   # dc-in's external range


def packet_source_untranslated(ex, a):
    G = ex.givens("q2")
    return {**a, "p1": [G["packets"]["p1"]["src"], a["p1"][1]]}


def packet_destination_as_sent(ex, a):
    G = ex.givens("q2")
    return {**a, "p2": [a["p2"][0], G["packets"]["p2"]["dst"]]}


def packet_offset_lost(ex, a):
    src = IPAddress(a["p1"][0])
    return {**a, "p1": [str(IPAddress(int(src) ^ 256)), a["p1"][1]]}   # same /23, the other /24 half


def packet_swapped(ex, a):
    return {**a, "p2": list(reversed(a["p2"]))}


def peering_with_nat(ex, a):
    return {**a, "VNetPeering": "extrapolation"}


def v2v_nat_blamed_on_sku(ex, a):
    return {**a, "Vnet2Vnet + NAT": "nat-sku"}


def v2v_nat_picked(ex, a):
    return {**a, "Vnet2Vnet + NAT": "documented", "pick": "Vnet2Vnet + NAT"}


WRONG = [  # (question, mistake, words the visible feedback must contain)
    ("q1", lengths_differ, "the prefix lengths differ"),
    ("q1", ingress_only, "needs an EgressSnat rule for the VNet too"),
    ("q1", vnet_rule_as_ingress, "but you linked it as an ingress rule"),
    ("q1", second_rule_on_wrong_connection, "is not linked to this connection"),
    ("q1", second_prefix_untranslated, "needs two IngressSnat rules"),
    ("q1", dynamic_for_a_site, "dynamic NAT is one-way"),
    ("q1", external_in_the_vnet, "overlaps the VNet's own range"),
    ("q1", external_of_another_site, "external mappings must not overlap each other"),
    ("q2", packet_source_untranslated, "rewrites the source of every packet"),
    ("q2", packet_destination_as_sent, "one SNAT rule works both ways"),
    ("q2", packet_offset_lost, "keeping each address's offset"),
    ("q2", packet_swapped, "you swapped source and destination"),
    ("q3", peering_with_nat, "Overlapping VNets cannot be peered"),
    ("q3", v2v_nat_blamed_on_sku, "NAT rules work on IPsec (Site-to-Site) connections only"),
    ("q3", v2v_nat_picked, "cannot join them"),
]


@pytest.mark.parametrize("learner", ["alice", "bob", "zoe"])
@pytest.mark.parametrize("qid, mistake, words", WRONG, ids=[f"{q}-{m.__name__}" for q, m, _ in WRONG])
def test_a_realistic_mistake_gets_a_message_that_names_it(exercise, learner, qid, mistake, words):
    ex = exercise(NAME, learner)
    fb = feedback(ex, qid, mistake(ex, model_answer(ex, qid)))
    assert not fb.visible_passed
    assert any(words in m for m in fb.messages), fb.messages
    assert words in str(fb) and words in fb._repr_html_().replace("&#x27;", "'")


def sites_share_a_rule(ex, a):
    return merger_plan(ex.givens("q1"), lab_rules=["dc-in", "lab-in-2"])


def upper_half_host(ex, a):
    src, dst = a["p3"]
    return {**a, "p3": [str(IPAddress(src) - 256), dst]}   # the offset kept in the last octet only


def ipsec_called_documented(ex, a):
    return {**a, "IPsec + NAT": "documented"}


HIDDEN = [  # mistakes only a hidden check catches: the grader sees the message, the learner's check does not
    ("q1", sites_share_a_rule, "both connections share one IngressSnat mapping"),
    ("q2", upper_half_host, "keeping each address's offset"),
    ("q3", ipsec_called_documented, "or an extrapolation?"),
]


@pytest.mark.parametrize("qid, mistake, words", HIDDEN, ids=[m.__name__ for _, m, _ in HIDDEN])
def test_a_mistake_caught_by_a_hidden_check_is_named_to_the_grader_only(exercise, qid, mistake, words):
    ex = exercise(NAME, "alice")
    assert_caught_only_by_hidden_checks(ex, qid, mistake(ex, model_answer(ex, qid)), words)


def test_a_dynamic_rule_linked_to_both_connections_is_refused_with_the_rule(exercise):
    ex = exercise(NAME, "alice")
    G = ex.givens("q1")
    plan = merger_plan(G)
    plan["rules"][0].update(type="Dynamic", external=_free(G, 0, 26))   # the VNet's rule, on both connections
    fb = ex.check("q1", plan)
    assert not fb.visible_passed and any("a dynamic rule serves one connection" in m for m in fb.messages), fb.messages


def test_every_refused_rule_and_link_is_named_not_only_the_first(exercise):
    """Two mistakes at once (a rule whose external range lies in the VNet, and the VNet's rule linked as ingress on
    the other site's connection): the learner is told both at once, not one per attempt."""
    for learner in ("alice", "bob", "zoe"):
        ex = exercise(NAME, learner)
        G = ex.givens("q1")
        inside = str(list(IPNetwork(G["network"]["vnets"][0]["address_space"][0]).subnet(24))[0])
        fb = feedback(ex, "q1", merger_plan(G, dc_external=inside, vnet_link="ingress"))
        text = " ".join(fb.messages)
        assert "overlaps the VNet's own range" in text and "but you linked it as an ingress rule" in text, fb.messages
