"""Graded exercise 07 (encryption paths) as a learner meets it through ``ex.check``: right answers pass for every
learner, realistic mistakes get a message that names the misconception, givens differ per learner, hidden checks
stay hidden.

Expected values come from the fact sheet (``/work/shared/azure-facts.md``), not from the grading code: Azure's
default phase 1 offers all use DH group 2 (§4.1), so a device offering only groups 14/24/ECP shares none with them;
a custom policy gives every field, is proposed and accepted alone, needs GCMAES integrity with GCMAES encryption, and
is not supported on Basic (§4.2, S13); VNet-to-VNet crosses the Microsoft backbone, not the internet (§3.1, §3.3,
Appendix A); peering adds no IPsec, MACsec is layer 2, virtual network encryption needs both VNets enabled and
accelerated networking on both VMs (§6.6); TCP MSS 1350 / tunnel MTU 1400 and no fragmentation of ESP (§4.4). ESP
byte sizes are RFC 4303 (8-byte header, 2-byte trailer, padding to the block), RFC 3602 (AES-CBC IV 16, block 16),
RFC 4106 (GCM IV 8, ICV 16, 4-byte alignment), RFC 4868 (HMAC-SHA-256-128: 16), RFC 2404 (HMAC-SHA1-96: 12),
RFC 3948 (NAT-T UDP 8).
"""
from __future__ import annotations

import pytest

import vnetlab as vl
import vnetlab.grading as g
from question_support import (  # noqa: F401  (exercise: fixture)
    assert_caught_only_by_hidden_checks, assert_hidden_checks_stay_hidden, assert_unanswered_scores_zero, exercise,
    feedback, LEARNERS, score)

NAME = "07-encryption-paths"
WEAK = ("SHA1", "MD5", "DES")
AZURE_DEFAULT_DH = "DHGroup2"  # §4.1: every default phase 1 offer uses DH group 2
AZURE_MSS = 1350  # §4.4

# RFC sizes (bytes): IV, block alignment, ICV per algorithm
CIPHER = {"AES": (16, 16), "GCMAES": (8, 4)}
ICV = {"SHA256": 16, "SHA1": 12, "GCMAES256": 16, "GCMAES128": 16}


def expected_mss(encryption: str, integrity: str, mtu: int, nat_t: bool) -> int:
    """RFC 4303 arithmetic by hand: outer IPv4 20 (+ UDP 8 with NAT-T) + ESP 8 + IV + inner + pad + 2 + ICV ≤ MTU."""
    iv, block = CIPHER["GCMAES" if encryption.startswith("GCMAES") else "AES"]
    room = mtu - 20 - (8 if nat_t else 0) - 8 - iv - ICV[integrity]
    inner = room // block * block - 2
    return inner - 40


def compliant(offers):
    return next(o for o in offers if not any(w in o for w in WEAK)).split("/")


def policy_from(p1, p2) -> dict:
    return dict(zip(("ike_encryption", "ike_integrity", "dh_group", "ipsec_encryption", "ipsec_integrity", "pfs_group"),
                    [*p1, *p2]))


def model_answer(ex: g.Exercise, qid: str):
    G = ex.givens(qid)
    if qid == "q1":
        sku = "VpnGw1AZ" if G["gateway_sku"] == "Basic" else G["gateway_sku"]
        d = G["device"]
        return {"gateway_sku": sku, "ipsec_policy": policy_from(compliant(d["phase1"]), compliant(d["phase2"]))}
    if qid == "q2":
        return {qid_: by_hand_gaps(G, qid_) for qid_ in G["pairs"]}
    mss = expected_mss(G["ipsec_encryption"], G["ipsec_integrity"], G["path_mtu"], G["nat_t"])
    return {"max_mss": mss, "clamp": min(AZURE_MSS, mss)}


def by_hand_gaps(G, qid) -> list:
    """§6.6 and §3.3 by hand for the paths-lab network."""
    if qid == "p1":  # VNet-to-VNet: IPsec between the gateways, the legs inside each VNet outside the tunnel
        return ["inside the VNet"]
    vnets = {v["name"]: v for v in G["network"]["vnets"]}
    nics = {n["name"]: (v["name"], n) for v in vnets.values() for s in v["subnets"] for n in s.get("nics", [])}
    a, b = G["pairs"][qid]
    encrypted = all(vnets[nics[x][0]].get("encryption") and nics[x][1].get("accelerated_networking") for x in (a, b))
    return [] if encrypted else ["Microsoft backbone"]


def learner_where(qid, condition) -> str:
    return next(w for w in (f"learner-{i}" for i in range(500))
                if condition(g.exercise(NAME, w, answers_path="unused.json").givens(qid)))


# --- shape, right answers, givens ---------------------------------------------------------------------------------
def test_the_exercise_is_registered_with_its_lesson():
    spec = g.spec(NAME)
    assert spec.lesson == f"../notebooks/{NAME}.ipynb" and [q.id for q in spec.questions] == ["q1", "q2", "q3"]
    for q in spec.questions:
        assert q.visible and q.hidden and len(q.hints) >= 2 and q.points > 0, q.id


@pytest.mark.parametrize("learner", LEARNERS)
def test_the_model_answer_earns_full_marks_for_every_learner(exercise, learner):
    ex = exercise(NAME, learner)
    for q in ex.spec.questions:
        assert score(ex, q.id, model_answer(ex, q.id)).full, (learner, q.id)


@pytest.mark.parametrize("learner", LEARNERS)
def test_the_seeded_tunnel_is_down_with_azures_defaults(exercise, learner):
    G = exercise(NAME, learner).givens("q1")
    assert not any(p.endswith(AZURE_DEFAULT_DH) for p in G["device"]["phase1"])
    c = vl.Network.from_dict(G["network"]).connection("hub", G["connection"])
    assert c.status == "NotConnected"


def test_givens_differ_per_learner(exercise):
    for qid in ("q1", "q2", "q3"):
        seen = {repr(exercise(NAME, w).givens(qid)) for w in LEARNERS}
        assert len(seen) > 1, qid


def test_another_learners_answers_are_not_right_for_you(exercise):
    alice = exercise(NAME, "alice")
    other = learner_where("q1", lambda G: G["device"] != alice.givens("q1")["device"]
                          and G["gateway_sku"] != "Basic")
    assert not score(exercise(NAME, other), "q1", model_answer(alice, "q1")).full
    q3 = alice.givens("q3")
    other3 = learner_where("q3", lambda G: expected_mss(G["ipsec_encryption"], G["ipsec_integrity"], G["path_mtu"],
                                                          G["nat_t"]) != expected_mss(q3["ipsec_encryption"],
                                                          q3["ipsec_integrity"], q3["path_mtu"], q3["nat_t"]))
    assert not score(exercise(NAME, other3), "q3", model_answer(alice, "q3")).full


def test_no_answer_gives_feedback_not_an_exception_and_scores_zero(exercise):
    assert_unanswered_scores_zero(exercise(NAME))


def test_a_perfect_answer_is_not_told_all_passed_and_hidden_checks_stay_hidden(exercise):
    assert_hidden_checks_stay_hidden(exercise(NAME), model_answer)


# --- targeted messages ------------------------------------------------------------------------------------------
def _policy(a, **change):
    return {**a, "ipsec_policy": {**a["ipsec_policy"], **change}}


def gcm_with_sha(ex, a):
    return _policy(a, ipsec_encryption="GCMAES256", ipsec_integrity="SHA256")


def azure_default_dh(ex, a):
    return _policy(a, dh_group=AZURE_DEFAULT_DH)


def no_pfs(ex, a):
    return _policy(a, pfs_group="None")


def partial_policy(ex, a):
    return {**a, "ipsec_policy": {k: v for k, v in a["ipsec_policy"].items() if k != "pfs_group"}}


def basic_gateway(ex, a):
    return {**a, "gateway_sku": "Basic"}


def first_offers(ex, a):  # copies the device's first offers, whatever their algorithms
    d = ex.givens("q1")["device"]
    return {**a, "ipsec_policy": policy_from(d["phase1"][0].split("/"), d["phase2"][0].split("/"))}


def gaps_v2v_over_internet(ex, a):
    return {**a, "p1": ["inside the VNet", "public internet"]}


def gaps_tunnel_end_to_end(ex, a):
    return {**a, "p1": []}


def gaps_peering_encrypted(ex, a):
    return {**a, "p2": []}


def mss_without_esp(ex, a):
    return {**a, "max_mss": ex.givens("q3")["path_mtu"] - 40}


def mss_without_nat_t(ex, a):
    G = ex.givens("q3")
    return {**a, "max_mss": expected_mss(G["ipsec_encryption"], G["ipsec_integrity"], G["path_mtu"], False)}


def clamp_too_big(ex, a):
    return {**a, "clamp": a["max_mss"] + 16}


WRONG = [  # (question, mistake, givens condition, words the visible feedback must contain)
    ("q1", gcm_with_sha, lambda G: True, "GCMAES encryption needs the same GCMAES as integrity"),
    ("q1", azure_default_dh, lambda G: G["gateway_sku"] != "Basic", "DH group mismatch"),
    ("q1", no_pfs, lambda G: G["gateway_sku"] != "Basic", "PFS group mismatch"),
    ("q1", partial_policy, lambda G: True, "must specify every field"),
    ("q1", basic_gateway, lambda G: True, "supported on every SKU except Basic"),
    ("q1", first_offers, lambda G: any(w in G["device"]["phase1"][0] + G["device"]["phase2"][0] for w in WEAK),
     "compliance rule"),
    ("q2", gaps_v2v_over_internet, lambda G: True, "crosses the Microsoft backbone, not the public internet"),
    # (where every leg would then be [], the answer gives one value for every pair and earns nothing at all)
    ("q2", gaps_tunnel_end_to_end, lambda G: by_hand_gaps(G, "p2") or by_hand_gaps(G, "p3"),
     "only between the two gateways"),
    ("q2", gaps_peering_encrypted, lambda G: by_hand_gaps(G, "p2"), "peering adds no IPsec"),
    ("q3", mss_without_esp, lambda G: True, "the MSS without the tunnel"),
    ("q3", mss_without_nat_t, lambda G: G["nat_t"], "leaves out NAT-T"),
    ("q3", clamp_too_big, lambda G: True, "fragmentation isn't supported for ESP"),
]


@pytest.mark.parametrize("nth", [0, 1, 2])
@pytest.mark.parametrize("qid, mistake, condition, words", WRONG, ids=[f"{q}-{m.__name__}" for q, m, _, _ in WRONG])
def test_a_realistic_mistake_gets_a_message_that_names_it(exercise, nth, qid, mistake, condition, words):
    learners = (f"learner-{i}" for i in range(500))
    learner = [w for w in learners if condition(g.exercise(NAME, w, answers_path="unused.json").givens(qid))][nth]
    ex = exercise(NAME, learner)
    fb = feedback(ex, qid, mistake(ex, model_answer(ex, qid)))
    assert not fb.visible_passed
    assert any(words in m for m in fb.messages), fb.messages
    assert words in str(fb) and words in fb._repr_html_().replace("&#x27;", "'")


def test_the_basic_mistake_also_keeps_the_tunnel_down(exercise):
    ex = exercise(NAME, learner_where("q1", lambda G: G["gateway_sku"] == "Basic"))
    fb = feedback(ex, "q1", model_answer(ex, "q1") | {"gateway_sku": "Basic"})
    assert sum(not c.passed for c in fb.visible) >= 2


def gaps_vnet_encryption_wrong(ex, a):
    return {**a, "p3": [] if a["p3"] else ["Microsoft backbone"]}


def sku_resized(ex, a):
    return {**a, "gateway_sku": "VpnGw4AZ"}


def clamp_at_maximum(ex, a):
    return {**a, "clamp": a["max_mss"]}


HIDDEN = [  # mistakes only a hidden check catches
    ("q1", sku_resized, lambda G: G["gateway_sku"] not in ("Basic", "VpnGw4AZ"), "was not needed"),
    ("q2", gaps_vnet_encryption_wrong, lambda G: True, "virtual network encryption"),
    ("q3", clamp_at_maximum, lambda G: expected_mss(G["ipsec_encryption"], G["ipsec_integrity"], G["path_mtu"],
                                                       G["nat_t"]) > AZURE_MSS, "Azure recommends clamping TCP MSS at 1350"),
]


@pytest.mark.parametrize("qid, mistake, condition, words", HIDDEN, ids=[m.__name__ for _, m, _, _ in HIDDEN])
def test_a_mistake_caught_by_a_hidden_check_is_named_to_the_grader_only(exercise, qid, mistake, condition, words):
    ex = exercise(NAME, learner_where(qid, condition))
    assert_caught_only_by_hidden_checks(ex, qid, mistake(ex, model_answer(ex, qid)), words)


def test_path_names_are_the_reports_case_insensitively(exercise):
    ex = exercise(NAME)
    answer = {k: [p.upper() for p in v] for k, v in model_answer(ex, "q2").items()}
    assert score(ex, "q2", answer).full
    fb = ex.check("q2", {**answer, "p1": ["the internet"]})
    assert fb.result.problem and "'inside the VNet', 'Microsoft backbone', 'public internet'" in fb.result.problem


def test_another_name_of_the_same_dh_group_is_accepted(exercise):
    """§4.2: DHGroup14 and DHGroup2048 are the same group, so either spelling brings the tunnel up."""
    ex = exercise(NAME, learner_where("q1", lambda G: G["gateway_sku"] != "Basic"
                                      and any(o.endswith("/DHGroup14") for o in G["device"]["phase1"])))
    assert score(ex, "q1", _policy(model_answer(ex, "q1"), dh_group="DHGroup2048")).full
