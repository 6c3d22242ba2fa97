"""Graded exercise 09 (performance and cost) as a learner meets it through ``ex.check``: right answers pass for every
learner, realistic mistakes get a message that names the misconception, givens differ per learner, hidden checks
stay hidden.

Expected values come from the fact sheet (``/work/shared/azure-facts.md``), not from the grading code: peering is
charged per GB at both ends, outbound at the source and inbound at the destination (§6.7): $0.01 + $0.01 within a
region, $0.035 out and in within billing Zone 1 (West Europe, North Europe), $0.09 into Zone 2 (Japan West) (§10.2);
VNet-to-VNet pays two gateways' hours, 730 h a month, VpnGw1AZ at $0.21/h East US as of 2025-01-15 ($0.361 in the
2024 fixtures, before the 2025-01-01 AZ price cut), no data charge within a region and $0.035/GB inter-VNet egress
across regions (§3.3, §10.1); S12 gives $20, $306.60 and $125. SKUs: the AZ table of §1.1 (non-AZ VpnGw1-5 not
creatable since 2025-01-01, §1.6; NAT from VpnGw2, no BGP on Basic, §1.4) and the measured per-tunnel table of §1.3.
"""
from __future__ import annotations

import pytest

import vnetlab.grading as g
from question_support import (  # noqa: F401  (exercise: fixture)
    assert_caught_only_by_hidden_checks, assert_hidden_checks_stay_hidden, assert_unanswered_scores_zero, exercise,
    feedback, LEARNERS, score)

NAME = "09-performance-and-cost"
PEERING, V2V = "VNet peering", "VNet-to-VNet"

# §10.2 (USD per GB) and §10.1 (USD per hour, East US), §3.3
REGIONAL = (0.01, 0.01)
ZONE = {"westeurope": 1, "northeurope": 1, "japanwest": 2}
ZONE_OUT, ZONE_IN = {1: 0.035}, {1: 0.035, 2: 0.09}
HOURS, VPNGW1AZ, VPNGW1AZ_2024, EGRESS = 730, 0.21, 0.361, 0.035

# §1.1 current SKUs: (name, generation, tunnels, aggregate Mbps, BGP, NAT (§1.4), zone-redundant)
CURRENT = [("Basic", 1, 10, 100, False, False, False), ("VpnGw1AZ", 1, 30, 650, True, False, True),
           ("VpnGw2AZ", 1, 30, 1000, True, True, True), ("VpnGw3AZ", 1, 30, 1250, True, True, True),
           ("VpnGw2AZ", 2, 30, 1250, True, True, True), ("VpnGw3AZ", 2, 30, 2500, True, True, True),
           ("VpnGw4AZ", 2, 100, 5000, True, True, True), ("VpnGw5AZ", 2, 100, 10000, True, True, True)]
# §1.3 per tunnel (Mbps): GCMAES256, AES256+SHA256, DES3+SHA256 by (base SKU, generation)
PER_TUNNEL = {("VpnGw1", 1): (650, 500, 130), ("VpnGw2", 1): (1200, 650, 140), ("VpnGw3", 1): (1250, 700, 140),
              ("VpnGw2", 2): (1250, 550, 130), ("VpnGw3", 2): (1500, 700, 140), ("VpnGw4", 2): (2300, 700, 140),
              ("VpnGw5", 2): (2300, 700, 140)}
ALGORITHMS = ("GCMAES256", "AES256+SHA256", "DES3+SHA256")


# --- the facts by hand -------------------------------------------------------------------------------------------
def peering_rate(a: str, b: str) -> float:
    return sum(REGIONAL) if a == b else ZONE_OUT[ZONE[a]] + ZONE_IN[ZONE[b]]


def peering_bill(G) -> float:
    back = peering_rate(G["b_region"], G["a_region"]) * G["gb_b_to_a"] if G["gb_b_to_a"] else 0.0
    return peering_rate(G["a_region"], G["b_region"]) * G["gb_a_to_b"] + back


def v2v_bill(G, price: float = VPNGW1AZ, gateways: int = 2) -> float:
    data = 0.0 if G["a_region"] == G["b_region"] else EGRESS * (G["gb_a_to_b"] + G["gb_b_to_a"])
    return gateways * HOURS * price + data


def break_even(G) -> float:
    data = 0.0 if G["a_region"] == G["b_region"] else EGRESS
    return 2 * HOURS * VPNGW1AZ / (peering_rate(G["a_region"], G["b_region"]) - data)


def fits(row, needs) -> bool:
    _, _, tunnels, mbps, bgp, nat, zr = row
    return (mbps >= needs["throughput_mbps"] and tunnels >= needs["tunnels"] and (bgp or not needs["bgp"])
            and (nat or not needs["nat"]) and (zr or not needs["zone_redundant"]))


def smallest_rows(needs) -> list:
    ok = [r for r in CURRENT if fits(r, needs)]
    low = min(r[3] for r in ok)
    return [r for r in ok if r[3] == low]


def one_tunnel(row, algorithm) -> int:
    name, gen, _, aggregate = row[:4]
    return min(aggregate, PER_TUNNEL[(name.removesuffix("AZ"), gen)][ALGORITHMS.index(algorithm)])


def model_answer(ex: g.Exercise, qid: str):
    G = ex.givens(qid)
    if qid == "q1":
        return {PEERING: round(peering_bill(G), 2), V2V: round(v2v_bill(G), 2)}
    if qid == "q2":
        bills = {PEERING: peering_bill(G), V2V: v2v_bill(G)}
        cheaper = min(bills, key=bills.get)
        return {"gb": round(break_even(G)), "cheaper": cheaper, "saving_usd": round(abs(bills[PEERING] - bills[V2V]), 2)}
    rows = smallest_rows(G["needs"])
    flow = G["flow"]
    return {"sku": f"{rows[0][0]} (Gen{rows[0][1]})", "one_tunnel_carries_flow": flow["mbps"] <= one_tunnel(rows[0], flow["algorithm"])}


def learner_where(qid, condition, nth: int = 0) -> str:
    matches = (w for w in (f"learner-{i}" for i in range(500))
               if condition(g.exercise(NAME, w, answers_path="unused.json").givens(qid)))
    for _ in range(nth):
        next(matches)
    return next(matches)


# --- shape, right answers, givens ---------------------------------------------------------------------------------
def test_the_hand_arithmetic_reproduces_scenario_s12():
    same = {"a_region": "westeurope", "b_region": "westeurope", "gb_a_to_b": 1000, "gb_b_to_a": 0}
    far = {**same, "b_region": "japanwest"}
    assert (round(peering_bill(same), 2), round(v2v_bill(same), 2), round(peering_bill(far), 2)) == (20, 306.6, 125)
    assert round(v2v_bill(same, VPNGW1AZ_2024), 2) == 527.06


def test_the_exercise_is_registered_with_its_lesson():
    spec = g.spec(NAME)
    assert spec.lesson == f"../notebooks/{NAME}.ipynb" and [q.id for q in spec.questions] == ["q1", "q2", "q3"]
    for q in spec.questions:
        assert q.visible and q.hidden and len(q.hints) >= 2 and q.points > 0, q.id


@pytest.mark.parametrize("learner", LEARNERS + ["learner-7", "learner-12", "learner-30"])
def test_the_model_answer_earns_full_marks_for_every_learner(exercise, learner):
    ex = exercise(NAME, learner)
    for q in ex.spec.questions:
        assert score(ex, q.id, model_answer(ex, q.id)).full, (learner, q.id)


def test_givens_differ_per_learner(exercise):
    for qid in ("q1", "q2", "q3"):
        seen = {repr(exercise(NAME, w).givens(qid)) for w in LEARNERS}
        assert len(seen) > 1, qid


def test_the_givens_cover_both_sides_of_every_decision():
    givens = [g.exercise(NAME, f"learner-{i}", answers_path="unused.json") for i in range(60)]
    pairs = {(e.givens("q1")["a_region"] == e.givens("q1")["b_region"]) for e in givens}
    cheaper = {model_answer(e, "q2")["cheaper"] for e in givens}
    carries = {model_answer(e, "q3")["one_tunnel_carries_flow"] for e in givens}
    assert pairs == {True, False} and cheaper == {PEERING, V2V} and carries == {True, False}


def test_another_learners_answers_are_not_right_for_you(exercise):
    alice = exercise(NAME, "alice")
    for qid in ("q1", "q2"):
        mine = model_answer(alice, qid)
        other = learner_where(qid, lambda G: repr(G) != repr(alice.givens(qid)) and (
            round(peering_bill(G), 2) != mine.get(PEERING) if qid == "q1" else round(break_even(G)) != mine["gb"]))
        assert not score(exercise(NAME, other), qid, mine).full, qid


def test_no_answer_gives_feedback_not_an_exception_and_scores_zero(exercise):
    assert_unanswered_scores_zero(exercise(NAME))


def test_a_perfect_answer_is_not_told_all_passed_and_hidden_checks_stay_hidden(exercise):
    assert_hidden_checks_stay_hidden(exercise(NAME), model_answer)


def test_figures_rounded_to_the_dollar_and_names_in_any_case_are_accepted(exercise):
    ex = exercise(NAME, learner_where("q1", lambda G: G["gb_b_to_a"] > 0))
    a = model_answer(ex, "q1")
    assert score(ex, "q1", {k: round(v) for k, v in a.items()}).full
    b = model_answer(ex, "q2")
    assert score(ex, "q2", {**b, "cheaper": b["cheaper"].upper()}).full


# --- targeted messages ------------------------------------------------------------------------------------------
def peering_charged_once(ex, a):
    G = ex.givens("q1")
    return {**a, PEERING: round(G["gb_a_to_b"] * ZONE_OUT[ZONE[G["a_region"]]] if G["a_region"] != G["b_region"]
                                else G["gb_a_to_b"] * REGIONAL[0], 2)}


def peering_one_direction(ex, a):
    G = ex.givens("q1")
    return {**a, PEERING: round(peering_rate(G["a_region"], G["b_region"]) * G["gb_a_to_b"], 2)}


def peering_regional_rate_across_regions(ex, a):
    G = ex.givens("q1")
    return {**a, PEERING: round(sum(REGIONAL) * (G["gb_a_to_b"] + G["gb_b_to_a"]), 2)}


def one_gateway(ex, a):
    return {**a, V2V: round(v2v_bill(ex.givens("q1"), gateways=1), 2)}


def same_region_data_charged(ex, a):
    G = ex.givens("q1")
    return {**a, V2V: round(v2v_bill(G) + EGRESS * (G["gb_a_to_b"] + G["gb_b_to_a"]), 2)}


def cross_region_data_forgotten(ex, a):
    return {**a, V2V: round(2 * HOURS * VPNGW1AZ, 2)}


def even_peering_once(ex, a):
    return {**a, "gb": 2 * a["gb"]}


def even_one_gateway(ex, a):
    return {**a, "gb": a["gb"] / 2}


def even_without_v2v_egress(ex, a):
    G = ex.givens("q2")
    return {**a, "gb": round(2 * HOURS * VPNGW1AZ / peering_rate(G["a_region"], G["b_region"]))}


def even_wrong_side(ex, a):
    return {**a, "cheaper": PEERING if a["cheaper"] == V2V else V2V}


def aggregate_for_one_tunnel(ex, a):
    return {**a, "one_tunnel_carries_flow": True}


def non_az_sku(ex, a):
    return {**a, "sku": a["sku"].replace("AZ (", " (")}


def nat_on_vpngw1(ex, a):
    return {**a, "sku": "VpnGw1AZ"}


def _q3_aggregate_trap(G) -> bool:
    """The flow fits the smallest SKU's aggregate but not one tunnel with the algorithm (§1.1 vs §1.3)."""
    row = smallest_rows(G["needs"])[0]
    return G["flow"]["mbps"] <= row[3] and G["flow"]["mbps"] > one_tunnel(row, G["flow"]["algorithm"])


WRONG = [  # (question, mistake, givens condition, words the visible feedback must contain)
    ("q1", peering_charged_once, lambda G: G["gb_b_to_a"] == 0, "charges each GB once"),
    ("q1", peering_one_direction, lambda G: G["gb_b_to_a"] > 0, "coming back cross the peering too"),
    ("q1", peering_regional_rate_across_regions, lambda G: G["a_region"] != G["b_region"], "global peering's rates"),
    ("q1", one_gateway, lambda G: G["a_region"] == G["b_region"], "one in each VNet"),
    ("q1", same_region_data_charged, lambda G: G["a_region"] == G["b_region"],
     "same-region VNet-to-VNet traffic is free"),
    ("q1", cross_region_data_forgotten, lambda G: G["a_region"] != G["b_region"], "across regions VNet-to-VNet data"),
    ("q2", even_peering_once, lambda G: G["a_region"] == G["b_region"], "counts each peering GB once"),
    ("q2", even_one_gateway, lambda G: True, "that prices one gateway"),
    ("q2", even_without_v2v_egress, lambda G: G["a_region"] != G["b_region"], "forgets the VNet-to-VNet data charge"),
    ("q2", even_wrong_side, lambda G: True, "break-even volume"),
    ("q3", aggregate_for_one_tunnel, _q3_aggregate_trap, "a single tunnel can be much slower"),
    ("q3", non_az_sku, lambda G: smallest_rows(G["needs"])[0][0] != "Basic", "is a non-AZ SKU"),
    ("q3", nat_on_vpngw1, lambda G: G["needs"]["nat"] and G["needs"]["throughput_mbps"] <= 650
     and G["needs"]["tunnels"] <= 30, "NAT is on the SKUs from VpnGw2 up"),
]


@pytest.mark.parametrize("nth", [0, 1, 2])
@pytest.mark.parametrize("qid, mistake, condition, words", WRONG, ids=[f"{q}-{m.__name__}" for q, m, _, _ in WRONG])
def test_a_realistic_mistake_gets_a_message_that_names_it(exercise, nth, qid, mistake, condition, words):
    ex = exercise(NAME, learner_where(qid, condition, nth))
    fb = feedback(ex, qid, mistake(ex, model_answer(ex, qid)))
    assert not fb.visible_passed
    assert any(words.lower() in m.lower() for m in fb.messages), fb.messages
    assert words in str(fb) or words.lower() in str(fb).lower()


def old_gateway_price(ex, a):
    return {**a, V2V: round(v2v_bill(ex.givens("q1"), VPNGW1AZ_2024), 2)}


def no_saving(ex, a):
    return {**a, "saving_usd": 0}


def sku_bigger(ex, a):
    return {**a, "sku": "VpnGw5AZ"}


HIDDEN = [  # mistakes only a hidden check catches
    ("q1", old_gateway_price, lambda G: True, "before the AZ price cut of 2025-01-01"),
    ("q2", no_saving, lambda G: True, "difference of the two bills"),
    ("q3", sku_bigger, lambda G: "VpnGw5AZ" not in {r[0] for r in smallest_rows(G["needs"])}
     and G["flow"]["mbps"] <= one_tunnel(("VpnGw5AZ", 2, 100, 10000), G["flow"]["algorithm"])
     and G["flow"]["mbps"] <= one_tunnel(smallest_rows(G["needs"])[0], G["flow"]["algorithm"]), "smaller SKU"),
]


@pytest.mark.parametrize("qid, mistake, condition, words", HIDDEN, ids=[m.__name__ for _, m, _, _ in HIDDEN])
def test_a_mistake_caught_by_a_hidden_check_is_named_to_the_grader_only(exercise, qid, mistake, condition, words):
    ex = exercise(NAME, learner_where(qid, condition))
    assert_caught_only_by_hidden_checks(ex, qid, mistake(ex, model_answer(ex, qid)), words)


def test_the_tunnel_verdict_follows_the_sku_the_learner_chose(exercise):
    """A bigger SKU than needed loses only the 'smallest' check when one tunnel on it carries the flow (§1.3)."""
    ex = exercise(NAME, learner_where("q3", lambda G: _q3_aggregate_trap(G) and G["flow"]["algorithm"] == "AES256+SHA256"
                                      and G["flow"]["mbps"] <= 700 and G["needs"]["tunnels"] <= 100))
    assert not model_answer(ex, "q3")["one_tunnel_carries_flow"]
    result = score(ex, "q3", {"sku": "VpnGw4AZ", "one_tunnel_carries_flow": True})
    assert [c.name for c in result.checks if not c.passed] == ["It is the smallest SKU that does"]
