"""The capstone merger (exercise ``capstone-merger``): the worked design earns full marks for every learner, each
typical mistake gets the message that names it, givens differ per learner, and another learner's network fails.

Facts behind the model answers: NAT on VpnGw2AZ+ and IPsec (Site-to-Site) only, both rules when the on-premises
space overlaps the VNet (§5.1); peering routes preferred over more specific gateway routes (§7.4); peering adds no
IPsec, virtual network encryption needs accelerated networking (§6.6); AllowVNetInBound (65000) before
DenyAllInbound (65500) (§8.2); P2S through gateway transit (§3.4); VpnGw2AZ has no sourced price (§10.1) and
regional peering costs $0.01 out + $0.01 in per GB (§10.2, S12).
"""
from __future__ import annotations

import pytest
from netaddr import IPNetwork

import vnetlab.grading as g
from vnetlab.errors import VnetlabError
from vnetlab.grading.core import evaluate
from vnetlab.grading.plain import to_plain
from vnetlab.grading.questions_capstone import monthly_cost, starting_network
from vnetlab.network import Network
from question_support import (  # noqa: F401  (exercise: fixture)
    assert_hidden_checks_stay_hidden, assert_model_answers_full, assert_unanswered_scores_zero, exercise, feedback,
    LEARNERS, score)

NAME = "capstone-merger"
LEARNERS = ["alice", "bob", "Chloé", "d-4", "zoe"]
JUSTIFY = ("VpnGw2AZ is the smallest current SKU with NAT, which the data centre's overlap needs; its price is not "
           "in the course's sources and must be checked on the official pricing page.")


# --- the worked design and its mistakes, built with the engine ----------------------------------------------------
def build(G, *, encrypt=True, accelerate=("vm-nw-app", "vm-lw-records"), gateway_in_a=False, deny=True, nsg=True,
          p2s=True, records_ports=None, staff_rule=False, sku="VpnGw2AZ"):
    net = starting_network(G)
    b_space = G["network"]["vnets"][1]["address_space"][0]
    dc = IPNetwork(G["site_prefix"])
    if gateway_in_a:   # the acquirer's own gateway for its data centre, no NAT, and a peering with litware
        net.add_vpn_gateway("northwind", "VpnGw1AZ")
        net.connect("northwind", G["site"], kind="IPsec")
        if p2s:
            net.add_point_to_site("northwind", "172.16.0.0/24", ("OpenVPN",))
        net.peer("northwind", "litware")
    else:
        net.add_vpn_gateway("litware", sku)
        net.add_nat_rule("litware", "litware-out", mode="EgressSnat", internal=b_space, external="100.64.0.0/16")
        net.add_nat_rule("litware", "dc-in", mode="IngressSnat", internal=str(dc),
                         external=f"100.65.0.0/{dc.prefixlen}")
        net.connect("litware", G["site"], kind="IPsec", ingress_nat_rules=["dc-in"], egress_nat_rules=["litware-out"])
        if p2s:
            net.add_point_to_site("litware", "172.16.0.0/24", ("OpenVPN",))
        net.peer("litware", "northwind", allow_gateway_transit="litware", use_remote_gateways="northwind")
    if encrypt:
        for v in ("northwind", "litware"):
            net.set_vnet_encryption(v)
    for n in accelerate:
        net.set_accelerated_networking(n)
    if nsg:
        net.add_network_security_group("records-nsg")
        net.add_security_rule("records-nsg", "allow-nw-app", 100, "Inbound", "Allow", protocol="Tcp",
                              source=G["vms"]["vm-nw-app"], destination_ports=records_ports or str(G["records_port"]))
        if staff_rule:
            net.add_security_rule("records-nsg", "allow-staff", 110, "Inbound", "Allow", protocol="Tcp",
                                  source="172.16.0.0/24", destination_ports=str(G["records_port"]))
        if deny:
            net.add_security_rule("records-nsg", "deny-rest", 4000, "Inbound", "Deny")
        net.associate_network_security_group("litware", "records", nsg="records-nsg")
    return net


def answer(G, justification=JUSTIFY, **mistake):
    return {"network": build(G, **mistake), "justification": justification}


DECISIONS = {"peer-a-b": "no-encryption", "nat-on-vpngw1az": "refused", "ingress-only": "refused",
             "gateway-in-a-with-peering": "breaks-routing"}


def model_answer(ex: g.Exercise, qid: str):
    return answer(ex.givens("q1")) if qid == "q1" else dict(DECISIONS)


# --- shape, right answers, givens ------------------------------------------------------------------------------------
def test_the_exercise_is_registered_with_its_lesson():
    spec = g.spec(NAME)
    assert spec.name == NAME and spec.lesson == "../notebooks/10-choosing-a-design.ipynb"
    for q in spec.questions:
        assert q.visible and q.hidden and len(q.hints) >= 2 and q.points > 0, q.id


@pytest.mark.parametrize("learner", LEARNERS)
def test_the_worked_design_earns_full_marks(exercise, learner):
    assert_model_answers_full(exercise(NAME, learner), model_answer)


def test_givens_differ_per_learner_and_overlap_as_the_brief_says(exercise):
    givens = [exercise(NAME, w).givens("q1") for w in LEARNERS]
    assert len({str(G["network"]) for G in givens}) == len(LEARNERS)
    assert len({G["records_port"] for G in givens} | {G["remote_staff"] for G in givens}) > 2
    for G in givens:
        a, b = (IPNetwork(v["address_space"][0]) for v in G["network"]["vnets"])
        dc = IPNetwork(G["site_prefix"])
        assert dc in b and not (dc in a or a in dc) and not (a in b or b in a)   # the data centre overlaps litware
        assert all(IPNetwork(f"{h}/32") in dc for h in G["site_hosts"])


def test_another_learners_network_is_not_right_for_you(exercise):
    alice, bob = exercise(NAME, "alice"), exercise(NAME, "bob")
    result = score(bob, "q1", answer(alice.givens("q1")))
    assert not result.full and any("should keep its address" in (c.message or "") or "address space is" in
                                   (c.message or "") for c in result.checks)


def test_no_answer_gives_feedback_not_an_exception_and_scores_zero(exercise):
    assert_unanswered_scores_zero(exercise(NAME))


def test_a_perfect_answer_is_not_told_all_passed_and_hidden_checks_stay_hidden(exercise):
    assert_hidden_checks_stay_hidden(exercise(NAME), model_answer)


# --- cost from the sourced figures ------------------------------------------------------------------------------------
def test_the_cost_counts_sourced_figures_and_never_prices_vpngw2az_as_zero(exercise):
    G = exercise(NAME, "alice").givens("q1")
    cost = monthly_cost(build(G), G)
    gb = sum(G["gb_per_month"].values())
    by_name = {i.component.split(" ")[0]: i for i in cost.items}
    assert [i.component for i in cost.unpriced] == ["VPN gateway litware-vpngw (VpnGw2AZ)"]   # §10.1: not found
    assert by_name["peering"].usd == pytest.approx(gb * 0.02)                               # §10.2: $0.01 + $0.01
    assert by_name["Site-to-Site"].usd == pytest.approx(10.95)                              # §10.1 connection meter
    assert cost.known_total == pytest.approx(gb * 0.02 + 10.95)
    a_cost = monthly_cost(build(G, gateway_in_a=True), G)
    assert not a_cost.unpriced and any(i.usd == pytest.approx(730 * 0.21) for i in a_cost.items)  # VpnGw1AZ, S12


# --- targeted messages for realistic mistakes ---------------------------------------------------------------------------
WRONG = [  # (mistake as build() keywords or a givens change, words the visible feedback must contain)
    ({"encrypt": False}, "peering adds no IPsec"),
    ({"accelerate": ("vm-nw-app",)}, "vm-lw-records has no accelerated networking"),
    ({"gateway_in_a": True}, "preferred over gateway routes, even more specific ones"),
    ({"deny": False}, "allowed by the default rule AllowVNetInBound"),
    ({"nsg": False}, "no NSG is on the way"),
    ({"p2s": False}, "No gateway has Point-to-Site"),
    ({"justification": ""}, "Cannot verify the budget: VPN gateway litware-vpngw (VpnGw2AZ) has no sourced price"),
]


@pytest.mark.parametrize("learner", ["alice", "bob", "zoe"])
@pytest.mark.parametrize("mistake, words", WRONG, ids=[next(iter(m)) for m, _ in WRONG])
def test_a_realistic_mistake_gets_a_message_that_names_it(exercise, learner, mistake, words):
    ex = exercise(NAME, learner)
    fb = feedback(ex, "q1", answer(ex.givens("q1"), **mistake))
    assert not fb.visible_passed
    assert any(words in m for m in fb.messages), fb.messages
    assert words in str(fb) and words in fb._repr_html_().replace("&#x27;", "'")


def test_naming_an_oversized_unpriced_sku_does_not_pass_the_budget(exercise):
    """§1.1/§1.4: VpnGw2AZ is the smallest SKU with NAT; a VpnGw5AZ without a sourced price (§10.1), named in a
    justification, is not needed, so the budget cannot be verified (it used to pass on the naming alone)."""
    ex = exercise(NAME, "alice")
    why = JUSTIFY.replace("VpnGw2AZ", "VpnGw5AZ")
    fb = feedback(ex, "q1", answer(ex.givens("q1"), justification=why, sku="VpnGw5AZ"))
    assert not fb.visible_passed
    assert any("Cannot verify the budget" in m and "smaller SKU" in m for m in fb.messages), fb.messages


def test_going_over_the_budget_is_named_with_the_priced_items(exercise):
    ex = exercise(NAME, "alice")
    G = ex.givens("q1")
    tight = {**G, "budget_usd": 50}   # below the peering traffic alone (≥ 2,000 GB × $0.02)
    result = evaluate(ex.spec.question("q1"), to_plain(answer(G)), tight)
    message = next(c.message for c in result.checks if not c.passed)
    assert "over the budget of $50.00" in message and "peering traffic" in message


@pytest.mark.parametrize("change, words", [
    (lambda d: d["vpn_gateways"][0].update(sku="VpnGw1AZ", generation=1), "VpnGw2"),                 # NAT needs VpnGw2+
    (lambda d: d["connections"][0].pop("egress_nat_rules"), "overlap"),                         # EgressSnat forgotten
])
def test_what_azure_refuses_is_refused_with_the_engines_rule(exercise, change, words):
    ex = exercise(NAME, "alice")
    data = build(ex.givens("q1")).to_dict()
    change(data)
    with pytest.raises(VnetlabError):
        Network.from_dict(data)
    fb = ex.check("q1", {"network": data, "justification": JUSTIFY})
    assert not fb.visible_passed and words in str(fb), str(fb)


HIDDEN = [
    ({"records_ports": "*"}, "reaches vm-lw-records on TCP 22 too"),
    ({"staff_rule": True}, "A remote-staff client"),
]


@pytest.mark.parametrize("mistake, words", HIDDEN, ids=[next(iter(m)) for m, _ in HIDDEN])
def test_a_mistake_caught_by_a_hidden_check_is_named_to_the_grader_only(exercise, mistake, words):
    ex = exercise(NAME, "alice")
    wrong = answer(ex.givens("q1"), **mistake)
    result = score(ex, "q1", wrong)
    missed = [c for c in result.checks if not c.passed]
    assert missed and all(not c.visible for c in missed) and any(words in c.message for c in missed), missed
    fb = feedback(ex, "q1", wrong)
    assert fb.visible_passed and words not in str(fb) + fb._repr_html_()


@pytest.mark.parametrize("key, said, words", [
    ("peer-a-b", "works", "peering adds no IPsec"),
    ("nat-on-vpngw1az", "works", "VpnGw2–5 and VpnGw2AZ–5AZ only"),
])
def test_a_wrong_decision_names_the_fact(exercise, key, said, words):
    ex = exercise(NAME, "alice")
    fb = feedback(ex, "q2", {**DECISIONS, key: said})
    assert not fb.visible_passed and any(words in m for m in fb.messages), fb.messages


def test_the_decisions_match_what_the_engine_does(exercise):
    """q2's truths are the engine's: each shortcut, built on the givens, is refused or fails the named check."""
    ex = exercise(NAME, "bob")
    G = ex.givens("q1")
    with pytest.raises(VnetlabError):
        build(G, sku="VpnGw1AZ")
    net = starting_network(G)
    net.add_vpn_gateway("litware", "VpnGw2AZ")
    net.add_nat_rule("litware", "dc-in", mode="IngressSnat", internal=G["site_prefix"], external="100.65.0.0/20")
    with pytest.raises(VnetlabError):
        net.connect("litware", G["site"], kind="IPsec", ingress_nat_rules=["dc-in"])
    failed = {c.name for c in score(ex, "q1", answer(G, gateway_in_a=True)).checks if not c.passed}
    assert any("data centre reaches" in n for n in failed)
    failed = {c.name for c in score(ex, "q1", answer(G, encrypt=False)).checks if not c.passed}
    assert failed == {"Regulated traffic is encrypted on every leg outside a VNet"}


def test_ipsec_between_gateways_is_accepted_as_encryption_too(exercise):
    """§6.6: a VNet-to-VNet tunnel encrypts between the gateways; the legs inside each VNet are outside any tunnel
    and are not held against the design, while the backbone leg of a plain peering is."""
    from vnetlab.grading.questions_capstone import Design, regulated_encrypted
    G = exercise(NAME, "zoe").givens("q1")
    net = starting_network(G)
    for vnet in ("northwind", "litware"):
        net.add_vpn_gateway(vnet, "VpnGw1AZ")
    net.connect("northwind", "litware", kind="Vnet2Vnet")
    report = net.encryption_report("vm-nw-app", "vm-lw-records", port=G["records_port"])
    assert report.gaps and all(leg.path == "inside the VNet" for leg in report.gaps)
    assert regulated_encrypted(Design(net, ""), G) is None
    assert "peering adds no IPsec" in regulated_encrypted(Design(build(G, encrypt=False), ""), G)
