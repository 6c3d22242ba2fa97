"""Graded exercise 11 (troubleshooting) as a learner meets it: a right diagnosis with the documented repair gets full
marks for several learners; a wrong cause is answered with the evidence missed (never the cause); a repair that
breaks a flow that worked before is caught as collateral damage; deleting an NSG or a route table instead of
changing the rule or route at fault is caught as not minimal; unanswered scores zero; hidden checks stay hidden.

The faults, their evidence and their repairs are the catalogue's (vnetlab/data/faults.yaml, each with its
learn.microsoft.com source), tested against the engine in tests/test_troubleshoot.py; the collateral-damage case
relies on peering not being transitive and a deleted link making its peering Disconnected (azure-facts §6.2, §6.3).
"""
from __future__ import annotations

import pytest

import vnetlab.grading as g
from vnetlab.grading.questions_11 import EDGE, INSIDE, incident
from vnetlab.troubleshoot import catalogue, repair
from question_support import (  # noqa: F401  (exercise: fixture)
    assert_hidden_checks_stay_hidden, assert_model_answers_full, assert_registered_with_lesson,
    assert_unanswered_scores_zero, exercise, score)

NAME = "11-troubleshooting"
LEARNERS = ["alice", "bob", "Chloé", "d-4", "instructor"]
MORE = [f"learner-{i}" for i in range(30)]


def model_answer(ex: g.Exercise, qid: str):
    inc = incident(ex.givens(qid))
    return {"cause": list(inc.faults) if qid == "q3" else inc.faults[0], "repaired": repair(inc)}


def failed(result) -> dict[str, str]:
    return {c.name: c.message for c in result.checks if not c.passed}


def test_registered_with_its_lesson():
    assert_registered_with_lesson(NAME)
    assert g.spec(NAME).points == 12


@pytest.mark.parametrize("learner", LEARNERS)
def test_the_documented_repair_earns_full_marks(exercise, learner):
    assert_model_answers_full(exercise(NAME, learner), model_answer)


def test_unanswered_scores_zero_and_hidden_checks_stay_hidden(exercise):
    ex = exercise(NAME)
    assert_unanswered_scores_zero(ex)
    assert_hidden_checks_stay_hidden(ex, model_answer)
    # the exercise's own placeholders count as unanswered too
    G = ex.givens("q1")
    fb = ex.check("q1", {"cause": "?", "repaired": G["network"]})
    assert not fb.result.answered and fb.result.earned == 0


def test_givens_differ_per_learner_and_never_name_the_fault(exercise):
    seen = set()
    for learner in MORE[:12]:
        ex = exercise(NAME, learner)
        for qid in ("q1", "q2", "q3"):
            G = ex.givens(qid)
            inc = incident(G)
            seen.add(inc.faults)
            text = str(G["symptom"]) + str(G["probes"])
            assert not any(f in text for f in inc.faults)
    assert len(seen) >= 8
    for qid, pool in (("q1", INSIDE), ("q2", EDGE)):
        assert {incident(exercise(NAME, l).givens(qid)).faults[0] for l in MORE} <= set(pool)


def test_a_wrong_cause_gets_the_evidence_missed_not_the_answer(exercise):
    ex = exercise(NAME, "bob")
    G = ex.givens("q1")
    inc = incident(G)
    wrong = next(f.id for f in catalogue() if f.id not in inc.faults)
    r = score(ex, "q1", {"cause": wrong, "repaired": repair(inc)})
    msg = failed(r)["The cause is the fault the tools show"]
    assert "Evidence you missed" in msg and wrong in msg and inc.faults[0] not in msg
    assert set(failed(r)) == {"The cause is the fault the tools show"}   # the repair itself still counts


def test_right_cause_without_repair_is_partial(exercise):
    ex = exercise(NAME, "alice")
    G = ex.givens("q2")
    inc = incident(G)
    r = score(ex, "q2", {"cause": inc.faults[0], "repaired": inc.network})
    assert 0 < r.earned < r.points
    assert "The symptom is still there" in failed(r)["The symptom is gone"]


def _learner_with(exercise, qid: str, fault_id: str) -> g.Exercise:
    for learner in MORE:
        ex = exercise(NAME, learner)
        if incident(ex.givens(qid)).faults == (fault_id,):
            return ex
    pytest.skip(f"no learner among {len(MORE)} draws {fault_id}")


@pytest.mark.parametrize("fault_id", ["udr_blackhole", "nsg_shadowed_allow", "missing_use_remote_gateways"])
def test_collateral_damage_is_caught(exercise, fault_id):
    ex = _learner_with(exercise, "q1", fault_id)
    inc = incident(ex.givens("q1"))
    net = repair(inc)
    other = next(s for s in inc.layout.spokes if s != inc.targets[fault_id]["spoke"])
    net.remove_peering_link(other, "hub")        # "cleaning up" an unrelated spoke's link
    r = score(ex, "q1", {"cause": fault_id, "repaired": net})
    assert failed(r)["Nothing that worked before the fault is broken"].startswith("Collateral damage")
    assert "The symptom is gone" not in failed(r)


def test_deleting_instead_of_fixing_is_not_minimal(exercise):
    ex = _learner_with(exercise, "q1", "nsg_shadowed_allow")
    inc = incident(ex.givens("q1"))
    t = inc.targets["nsg_shadowed_allow"]
    net = inc.network.copy()
    net.remove_security_rule(t["nsg"], t["deny"])       # the symptom goes, but so does a rule that was wanted
    r = score(ex, "q1", {"cause": "nsg_shadowed_allow", "repaired": net})
    assert set(failed(r)) == {"The repair is minimal (a setting, not renumbering or deletion)"}
    assert t["deny"] in failed(r)["The repair is minimal (a setting, not renumbering or deletion)"]


def test_two_faults_need_both_causes_and_both_repairs(exercise):
    ex = exercise(NAME, "alice")
    inc = incident(ex.givens("q3"))
    half = repair(inc, inc.network.copy(), faults=inc.faults[:1])
    r = score(ex, "q3", {"cause": list(inc.faults[:1]), "repaired": half})
    assert {"The cause is the fault the tools show", "The symptom is gone"} <= set(failed(r))
    assert "Evidence you missed" in failed(r)["The cause is the fault the tools show"]


def test_bad_answers_get_a_message(exercise):
    ex = exercise(NAME)
    for bad, words in (({"cause": "dns"}, "vocabulary"), ("udr", "dict"),
                       ({"cause": "udr_blackhole", "repaired": {"vnets": "x"}}, "network")):
        fb = ex.check("q1", bad)
        assert fb.result.problem and words in fb.result.problem and fb.result.earned == 0
