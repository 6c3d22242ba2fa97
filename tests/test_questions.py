"""The graded questions as a learner meets them through ``ex.check``: right answers pass, realistic wrong answers
get a message naming the mistake, hints never give the answer away, hidden checks stay hidden.

Expected values come from the fact sheet (``/work/shared/azure-facts.md``): 5 reserved addresses per subnet and
the not-allowed / recommended ranges (§9), GatewaySubnet /27 or larger for non-Basic SKUs (§2.3), peering is
refused for overlapping spaces and across clouds but allowed across regions, subscriptions and tenants (§6.1,
§6.3), non-transitive (§6.3, S2). Model answers below are computed from those rules with netaddr, not by the
grading code; the engine's topology and ``peer`` build networks the way a learner does.
"""
from __future__ import annotations

import itertools
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from netaddr import IPNetwork, IPSet

import vnetlab as vl
import vnetlab.grading as g
from vnetlab.grading.core import evaluate, seed
from vnetlab.grading.instructor import full_spec
from vnetlab.grading.plain import to_plain
from question_support import LEARNERS, StandIn, exercise, record, score  # noqa: F401  (exercise: fixture)
from test_questions_gateways import NAMES as GATEWAY_EXERCISES, model_answer as gateway_model_answer

RESERVED = 5                      # azure-facts §9
GATEWAY_PREFIX = 27               # azure-facts §2.3 (non-Basic SKUs)
NOT_ALLOWED = [IPNetwork(p) for p in ("224.0.0.0/4", "255.255.255.255/32", "127.0.0.0/8", "169.254.0.0/16",
                                      "168.63.129.16/32")]                                   # §9
RECOMMENDED = [IPNetwork(p) for p in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")]  # §9
EXERCISES = ["01-address-spaces", "02-vnet-peering"]  # 03, 04, 06: tests/test_questions_gateways.py


# --- model answers from the facts ------------------------------------------------------------------------------
def fits(hosts: int) -> int:
    """The longest prefix whose usable count (size − 5) holds ``hosts``."""
    return max(n for n in range(2, 30) if 2 ** (32 - n) - RESERVED >= hosts)


def place(space: str, lengths: list[int]) -> list[IPNetwork]:
    """Aligned blocks of the given lengths, largest first, in the lowest free places of ``space``."""
    free, out = IPSet([space]), {}
    for i in sorted(range(len(lengths)), key=lambda i: lengths[i]):
        block = next(IPNetwork(f"{c.network}/{lengths[i]}") for c in sorted(free.iter_cidrs(), key=lambda c: c.first)
                     if c.prefixlen <= lengths[i])
        free.remove(block)
        out[i] = block
    return [out[i] for i in range(len(lengths))]


def overlapping(a: IPNetwork, b: IPNetwork) -> bool:
    return a.first <= b.last and b.first <= a.last


def model_answer(ex: g.Exercise, qid: str):
    G = ex.givens(qid)
    name = (ex.spec.name, qid)
    if name == ("01-address-spaces", "q1"):
        tiers = list(G["hosts"])
        blocks = place(G["space"], [fits(G["hosts"][t]) for t in tiers] + [GATEWAY_PREFIX])
        return {**{t: str(b) for t, b in zip(tiers, blocks)}, "GatewaySubnet": str(blocks[-1])}
    if name == ("01-address-spaces", "q2"):
        nets = {n: IPNetwork(p) for n, p in G["vnets"].items()}
        pairs = [(a, b) for a, b in itertools.combinations(nets, 2) if overlapping(nets[a], nets[b])]
        new = next(c for c in IPNetwork("10.0.0.0/8").subnet(16) if not any(overlapping(c, p) for p in nets.values()))
        return {"overlapping": pairs, "new_vnet": str(new)}
    if name == ("01-address-spaces", "q3"):
        return {"space": G["space"], "prefixes": [str(b) for b in place(G["space"], [fits(h) for h in G["hosts"]])]}
    if name == ("01-address-spaces", "q4"):
        def label(p: str) -> str:
            net = IPNetwork(p)
            if any(overlapping(net, bad) for bad in NOT_ALLOWED):
                return "refused"
            return "private" if any(net in r for r in RECOMMENDED) else "public"
        return {p: label(p) for p in G["candidates"]}
    if name == ("02-vnet-peering", "q1"):
        vnets = {v["name"]: v for v in G["vnets"]}
        out = {}
        for a, b in G["pairs"]:
            if vnets[a]["cloud"] != vnets[b]["cloud"]:
                out[(a, b)] = "cloud"
            elif overlapping(IPNetwork(vnets[a]["address_space"][0]), IPNetwork(vnets[b]["address_space"][0])):
                out[(a, b)] = "overlap"
            else:
                out[(a, b)] = "peer"
        return out
    if name == ("02-vnet-peering", "q2"):
        links = {}
        for p in G["network"]["peerings"]:
            if "peer" in p:
                a, b = p["peer"]
                links[(a, b)] = links[(b, a)] = True
            else:
                links[(p["vnet"], p["remote"])] = p.get("allow_virtual_network_access", True)
        vm = {f"vm-{v['name']}": v["name"] for v in G["network"]["vnets"]}
        return {(s, d): (vm[s], vm[d]) in links and (vm[d], vm[s]) in links and links[(vm[s], vm[d])]
                for s, d in G["questions"]}
    if name == ("02-vnet-peering", "q4"):   # §2: one peering at a time, and only over links that allow access
        links = {}
        for p in G["network"]["peerings"]:
            pair = p.get("peer") or [p["vnet"], p["remote"]]
            for a, b in ([pair, pair[::-1]] if "peer" in p else [pair]):
                links[(a, b)] = p.get("allow_virtual_network_access", True)
        vm = {f"vm-{v['name']}": v["name"] for v in G["network"]["vnets"]}
        out = {}
        for item, (s, d) in G["items"].items():
            a, b = vm[s], vm[d]
            if (a, b) not in links:
                out[item] = ["Dropped", "not-transitive"]
            elif links[(a, b)] and links.get((b, a), False):
                out[item] = ["Reachable", "direct-peering"]
            else:
                out[item] = ["Dropped", "access-off"]
        return out
    if name == ("02-vnet-peering", "q3"):
        net = vl.Network.from_dict(G["network"])
        net.peer("spoke1", "spoke2")
        return net.to_dict()
    raise AssertionError(f"no model answer for {name}")


# --- right answers ------------------------------------------------------------------------------------------------
def any_model_answer(ex: g.Exercise, qid: str):
    return (gateway_model_answer if ex.spec.name in GATEWAY_EXERCISES else model_answer)(ex, qid)


@pytest.mark.parametrize("name", EXERCISES + list(GATEWAY_EXERCISES))
@pytest.mark.parametrize("learner", LEARNERS)
def test_a_right_answer_gets_full_marks_for_every_learner(exercise, name, learner):
    ex = exercise(name, learner)
    for q in ex.spec.questions:
        result = score(ex, q.id, any_model_answer(ex, q.id))
        assert result.problem is None, (q.id, result.problem)
        assert result.full, (q.id, [(c.name, c.message) for c in result.checks if not c.passed])
        assert result.earned == pytest.approx(q.points)


@pytest.mark.parametrize("name", EXERCISES + list(GATEWAY_EXERCISES))
def test_learners_get_their_own_stable_givens(exercise, name):
    for q in g.spec(name).questions:
        values = [json.dumps(exercise(name, who).givens(q.id), sort_keys=True) for who in LEARNERS]
        assert len(set(values)) == len(LEARNERS), f"{q.id}: two learners share givens"
        assert exercise(name, "alice").givens(q.id) == exercise(name, " alice ").givens(q.id)


def test_seeds_are_sha256_not_pythons_salted_hash():
    import hashlib
    expected = int.from_bytes(hashlib.sha256("01-address-spaces\x00alice\x00q1".encode()).digest()[:8], "big")
    assert seed("01-address-spaces", "Alice", "q1") == expected


def test_another_learners_right_answer_is_not_right_for_you(exercise):
    alice, bob = exercise("01-address-spaces", "alice"), exercise("01-address-spaces", "bob")
    for qid in ("q1", "q2", "q4"):
        assert not score(bob, qid, model_answer(alice, qid)).full


# --- targeted feedback for realistic wrong answers -------------------------------------------------------------------
def _naive(hosts: int) -> int:
    """The prefix a learner picks who forgets the reserved addresses: size ≥ hosts."""
    return max(n for n in range(2, 33) if 2 ** (32 - n) >= hosts)


def forgot_reserved_q1(ex, answer):
    G = ex.givens("q1")
    tier = next(t for t, h in G["hosts"].items() if 2 ** (32 - _naive(h)) - RESERVED < h)
    return {**answer, tier: f"{IPNetwork(answer[tier]).network}/{_naive(G['hosts'][tier])}"}


def nested_overlap_q1(ex, answer):
    big = max(("web", "app", "data"), key=lambda t: IPNetwork(answer[t]).size)
    small = min(("web", "app", "data"), key=lambda t: IPNetwork(answer[t]).size)
    return {**answer, small: f"{IPNetwork(answer[big]).network}/{IPNetwork(answer[small]).prefixlen}"}


def host_bits_q1(ex, answer):
    net = IPNetwork(answer["web"])
    return {**answer, "web": f"{net[5]}/{net.prefixlen}"}


def gateway_28_q1(ex, answer):
    return {**answer, "GatewaySubnet": f"{IPNetwork(answer['GatewaySubnet']).network}/28"}


def gateway_name_q1(ex, answer):
    answer = dict(answer)
    answer["Gateway Subnet"] = answer.pop("GatewaySubnet")
    return answer


def example_range_q1(ex, answer):
    return {**answer, "web": "10.0.1.0/24"}


def missed_nested_q2(ex, answer):
    G = ex.givens("q2")
    nested = [p for p in answer["overlapping"] if IPNetwork(G["vnets"][p[0]]) != IPNetwork(G["vnets"][p[1]])]
    return {**answer, "overlapping": [p for p in answer["overlapping"] if p != nested[0]]}


def adjacent_listed_q2(ex, answer):
    G = ex.givens("q2")
    nets = {n: IPNetwork(p) for n, p in G["vnets"].items()}
    pair = next((a, b) for a, b in itertools.combinations(nets, 2)
                if nets[a].last + 1 == nets[b].first or nets[b].last + 1 == nets[a].first)
    return {**answer, "overlapping": [*answer["overlapping"], pair]}


def new_vnet_overlaps_q2(ex, answer):
    G = ex.givens("q2")
    inside = next(IPNetwork(p) for p in G["vnets"].values() if p.startswith("10."))
    return {**answer, "new_vnet": f"{inside.network.words[0]}.{inside.network.words[1]}.0.0/16"}


def default_space_q3(ex, answer):
    return {**answer, "space": "10.0.0.0/16"}


def forgot_reserved_q3(ex, answer):
    G = ex.givens("q3")
    lengths = [_naive(h) for h in G["hosts"]]
    return {**answer, "prefixes": [str(b) for b in place(G["space"], lengths)]}


def test_a_planner_subnet_outside_the_space_is_named_once(exercise):
    ex = exercise("01-address-spaces", "alice")
    answer = model_answer(ex, "q3")
    outside = "172.16.0.0/25"     # outside every learner's 10.k.0.0/16
    fb = ex.record("q3", StandIn({**answer, "prefixes": [outside, *answer["prefixes"][1:]]}))
    text = " ".join(fb.messages)
    assert f"Subnet {outside} is outside" in text and f"{outside} {outside}" not in text, text


def test_every_failing_subnet_is_named_and_a_misnamed_gateway_subnet_blocks_no_other_check(exercise):
    """All that is wrong at once: two subnets outside the space are both named, and a gateway subnet called
    'Gateway Subnet' (§2.3: the name must be exactly GatewaySubnet) is one failed check among the others."""
    ex = exercise("01-address-spaces", "alice")
    answer = gateway_name_q1(ex, model_answer(ex, "q1"))
    web, app = list(ex.givens("q1")["hosts"])[:2]
    wrong = {**answer, web: "172.16.0.0/24", app: "172.16.1.0/24"}
    fb = ex.check("q1", wrong)
    text = " ".join(fb.messages)
    assert fb.result.problem is None, fb.result.problem
    assert "172.16.0.0/24 is outside" in text and "172.16.1.0/24 is outside" in text, text
    assert "named exactly 'GatewaySubnet'" in text
    assert sum(c.passed for c in fb.result.checks) >= 2   # the size checks still ran on the rest


@pytest.mark.parametrize("mistake", ["far_pair_refused_02q1", "cross_tenant_refused_02q1", "overlap_peered_02q1"])
def test_peering_verdict_feedback_counts_wrong_verdicts_without_naming_the_pairs(exercise, mistake):
    """02 q1 has three labels: naming the pair beside the rule it breaks hands over its verdict, one pair per
    attempt. The feedback counts the wrong verdicts and names the rule; no pair or VNet of a wrong one is named."""
    for learner in ("alice", "bob", "zoe"):
        ex = exercise("02-vnet-peering", learner)
        right = model_answer(ex, "q1")
        wrong = globals()[mistake](ex, right)
        flipped = [pair for pair in right if wrong[pair] != right[pair]]
        text = " ".join(ex.check("q1", wrong).messages)
        assert f"{len(flipped)} of your" in text, text
        assert not any(a in text or b in text for a, b in flipped), text


def test_reachability_feedback_counts_wrong_predictions_without_naming_them(exercise):
    """Naming the wrong pair of a yes/no prediction hands over its truth; the feedback gives a count and the rule
    (peering is not transitive, §2) so guessing pair by pair until green does not work."""
    ex = exercise("02-vnet-peering", "alice")
    right = model_answer(ex, "q2")
    wrong = transitive_02q2(ex, right)
    flipped = [pair for pair in right if wrong[pair] != right[pair]]
    fb = ex.check("q2", wrong)
    text = " ".join(fb.messages)
    assert f"{len(flipped)} of your" in text and "peering is not transitive" in text, text
    assert not any(f"{a} → {b}" in text for a, b in flipped), text


def relabel(answer, pick, label):
    prefix = next(p for p, lab in answer.items() if pick(p, lab))
    return {**answer, prefix: label}


def public_refused_q4(ex, answer):
    return relabel(answer, lambda p, lab: lab == "public", "refused")


def public_private_q4(ex, answer):
    return relabel(answer, lambda p, lab: lab == "public", "private")


def shared_public_q4(ex, answer):
    return relabel(answer, lambda p, lab: IPNetwork(p) in IPNetwork("100.64.0.0/10"), "public")


def linklocal_private_q4(ex, answer):
    return relabel(answer, lambda p, lab: lab == "refused", "private")


def _flip_rule(ex, answer, truth_rule, said):
    """The model answer with every item decided by ``truth_rule`` explained as ``said`` (the outcome kept)."""
    return {k: [v[0], said] if v[1] == truth_rule else v for k, v in answer.items()}


def access_off_as_transitive_02q4(ex, answer):
    return _flip_rule(ex, answer, "access-off", "not-transitive")


def transitive_as_access_02q4(ex, answer):
    return _flip_rule(ex, answer, "not-transitive", "access-off")


def hub_is_transitive_02q4(ex, answer):
    return {k: ["Reachable", "direct-peering"] if v[1] == "not-transitive" else v for k, v in answer.items()}


def _vnets(ex):
    return {v["name"]: v for v in ex.givens("q1")["vnets"]}


def far_pair_refused_02q1(ex, answer):
    v = _vnets(ex)
    pair = next(p for p, lab in answer.items() if lab == "peer" and v[p[0]]["region"] != v[p[1]]["region"])
    return {**answer, pair: "cloud"}


def cross_tenant_refused_02q1(ex, answer):
    v = _vnets(ex)
    pair = next(p for p, lab in answer.items() if lab == "peer" and v[p[0]]["tenant"] != v[p[1]]["tenant"])
    return {**answer, pair: "overlap"}


def overlap_peered_02q1(ex, answer):
    return {**answer, next(p for p, lab in answer.items() if lab == "overlap"): "peer"}


def transitive_02q2(ex, answer):
    return {**answer, ("vm-spoke1", "vm-spoke2"): True}


def global_dropped_02q2(ex, answer):
    return {**answer, ("vm-spoke2", "vm-hub"): False}


def cross_tenant_dropped_02q2(ex, answer):
    return {**answer, ("vm-partner", "vm-spoke1"): False}


def untouched_02q3(ex, answer):
    return ex.givens("q3")["network"]


def one_link_02q3(ex, answer):
    net = vl.Network.from_dict(ex.givens("q3")["network"])
    net.add_peering_link("spoke1", "spoke2")
    return net.to_dict()


def access_off_02q3(ex, answer):
    net = vl.Network.from_dict(ex.givens("q3")["network"])
    net.peer("spoke1", "spoke2", allow_virtual_network_access=False)
    return net.to_dict()


def renumbered_02q3(ex, answer):
    net = vl.Network.from_dict(answer)
    space = net.vnet("spoke2").address_space[0]
    net.remove_peering("spoke1", "spoke2")
    net.remove_peering("hub", "spoke2")
    net.vnet("spoke2").subnets.clear()
    net.set_address_space("spoke2", [str(space), "172.31.0.0/16"])
    return {**net.to_dict()}


WRONG = [  # (exercise, question, make a realistic wrong answer from the right one, words the feedback must say)
    ("01-address-spaces", "q1", forgot_reserved_q1, "Forgot the reserved addresses"),
    ("01-address-spaces", "q1", nested_overlap_q1, "lies inside"),
    ("01-address-spaces", "q1", host_bits_q1, "host bits set"),
    ("01-address-spaces", "q1", gateway_28_q1, "only a Basic-SKU gateway fits"),
    ("01-address-spaces", "q1", gateway_name_q1, "named exactly 'GatewaySubnet'"),
    ("01-address-spaces", "q1", example_range_q1, "the lessons' example range"),
    ("01-address-spaces", "q2", missed_nested_q2, "A range that lies inside another overlaps it"),
    ("01-address-spaces", "q2", adjacent_listed_q2, "adjacent, not overlapping"),
    ("01-address-spaces", "q2", new_vnet_overlaps_q2, "could never be peered"),
    ("01-address-spaces", "q3", default_space_q3, "still has its default address space"),
    ("01-address-spaces", "q3", forgot_reserved_q3, "Forgot the reserved addresses"),
    ("01-address-spaces", "q4", public_refused_q4, "Azure accepts a public range"),
    ("01-address-spaces", "q4", public_private_q4, "it is a public range"),
    ("01-address-spaces", "q4", shared_public_q4, "RFC 6598"),
    ("01-address-spaces", "q4", linklocal_private_q4, "Azure refuses"),
    ("02-vnet-peering", "q1", far_pair_refused_02q1, "global peering joins VNets in different regions"),
    ("02-vnet-peering", "q1", cross_tenant_refused_02q1, "Microsoft Entra tenants"),
    ("02-vnet-peering", "q1", overlap_peered_02q1, "refuses to peer VNets whose address spaces overlap"),
    ("02-vnet-peering", "q2", transitive_02q2, "peering is not transitive"),
    ("02-vnet-peering", "q2", global_dropped_02q2, "across regions (global peering)"),
    ("02-vnet-peering", "q2", cross_tenant_dropped_02q2, "across tenants"),
    ("02-vnet-peering", "q4", access_off_as_transitive_02q4, "transitivity is the question only for two VNets"),
    ("02-vnet-peering", "q4", transitive_as_access_02q4, "a link's settings matter only for the pair that link joins"),
    ("02-vnet-peering", "q4", hub_is_transitive_02q4, "from what the simulator's trace shows"),
    ("02-vnet-peering", "q3", untouched_02q3, "peering is not transitive"),
    ("02-vnet-peering", "q3", one_link_02q3, "only one of the two links"),
    ("02-vnet-peering", "q3", access_off_02q3, "allow_virtual_network_access off"),
    ("02-vnet-peering", "q3", renumbered_02q3, "You changed spoke2's address space"),
]


def test_every_question_has_at_least_two_targeted_messages():
    for name in EXERCISES:
        for q in g.spec(name).questions:
            assert sum(1 for n, qid, *_ in WRONG if (n, qid) == (name, q.id)) >= 2, (name, q.id)


@pytest.mark.parametrize("learner", ["alice", "bob", "zoe"])
@pytest.mark.parametrize("name, qid, mistake, words", WRONG, ids=[f"{n[:2]}-{q}-{m.__name__}" for n, q, m, _ in WRONG])
def test_a_realistic_mistake_gets_a_message_that_names_it(exercise, learner, name, qid, mistake, words):
    ex = exercise(name, learner)
    wrong = mistake(ex, model_answer(ex, qid))
    if ex.spec.question(qid).widget:
        feedback = ex.record(qid, StandIn(wrong))
    else:
        feedback = ex.check(qid, wrong)
    assert not feedback.visible_passed
    assert any(words in m for m in feedback.messages), feedback.messages
    assert words in str(feedback) and words in feedback._repr_html_().replace("&#x27;", "'")


# --- what check() says, and what it never says ------------------------------------------------------------------
ALL_PASSED = re.compile(r"\ball\b[^.]*\b(pass|passed|correct)\b|\bevery check\b|\bfull marks\b", re.I)


def oversized(ex, qid):
    """A right-looking answer that fails only the hidden 'smallest prefix' check."""
    G = ex.givens(qid)
    if qid == "q1":
        tiers = list(G["hosts"])
        blocks = place(G["space"], [fits(G["hosts"][t]) - 1 for t in tiers] + [GATEWAY_PREFIX])
        return {**{t: str(b) for t, b in zip(tiers, blocks)}, "GatewaySubnet": str(blocks[-1])}
    raise AssertionError(qid)


def test_visible_checks_passing_is_not_called_all_passed_and_hidden_checks_stay_hidden(exercise):
    ex = exercise("01-address-spaces", "alice")
    answer = oversized(ex, "q1")
    full = score(ex, "q1", answer)
    hidden = [c for c in full.checks if not c.visible]
    assert not all(c.passed for c in hidden) and all(c.passed for c in full.checks if c.visible)
    feedback = ex.check("q1", answer)
    text = str(feedback) + feedback._repr_html_()
    assert feedback.visible_passed
    assert "hidden checks run only when your notebook is graded" in text and "not your final score" in text
    assert not ALL_PASSED.search(text)
    assert all(c.visible for c in feedback.result.checks)  # the learner's check runs none of them
    for check in hidden:
        assert check.name not in text and check.message not in text and check.rule not in text


@pytest.mark.parametrize("name", EXERCISES)
def test_even_a_perfect_answer_is_not_told_all_passed(exercise, name):
    ex = exercise(name)
    for q in ex.spec.questions:
        answer = model_answer(ex, q.id)
        feedback = ex.record(q.id, StandIn(answer)) if q.widget else ex.check(q.id, answer)
        text = str(feedback) + feedback._repr_html_()
        assert feedback.visible_passed and "hidden check" in text and not ALL_PASSED.search(text)
        assert not any(c.name in text for c in q.hidden)


@pytest.mark.parametrize("name", EXERCISES)
def test_no_answer_gives_feedback_not_an_exception(exercise, name):
    ex = exercise(name)
    for q in ex.spec.questions:
        for feedback in (ex.check(q.id), ex.check(q.id, None)):
            assert not feedback.result.answered and "No answer" in str(feedback)
            assert feedback.result.earned == 0


def test_the_exercises_placeholders_count_as_unanswered(exercise):
    ex = exercise("02-vnet-peering")
    verdicts = {tuple(p): "?" for p in ex.givens("q1")["pairs"]}
    predictions = {tuple(p): None for p in ex.givens("q2")["questions"]}
    assert not ex.check("q1", verdicts).result.answered
    assert not ex.check("q2", predictions).result.answered
    ranges = {p: "?" for p in exercise("01-address-spaces").givens("q4")["candidates"]}
    assert not exercise("01-address-spaces").check("q4", ranges).result.answered


JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
                       lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children,
                                                                                          max_size=4),
                       max_leaves=12)


@settings(max_examples=60, deadline=None)
@given(data=JSONISH)
def test_no_answer_whatsoever_makes_grading_raise(data):
    for name in EXERCISES:
        spec = g.spec(name)
        for q in spec.questions:
            result = evaluate(q, to_plain(data), spec.givens("fuzz", q.id))
            assert 0 <= result.earned <= q.points


# --- hints -------------------------------------------------------------------------------------------------------------
PREFIX = re.compile(r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/\d{1,2}\b")


@pytest.mark.parametrize("name", EXERCISES)
def test_hints_come_one_at_a_time_and_never_contain_the_answer(exercise, name):
    for learner in LEARNERS:
        ex = exercise(name, learner)
        for q in ex.spec.questions:
            shown = [ex.hint(q.id) for _ in range(len(q.hints) + 1)]
            assert shown[0] != shown[1] and "No more hints" in shown[-1]
            answer_text = json.dumps(to_plain(model_answer(ex, q.id)))
            for hint in shown:
                for prefix in PREFIX.findall(hint):
                    assert prefix not in answer_text, (q.id, hint)
                for check in q.hidden:
                    assert check.name not in hint


# --- answers given through a widget ---------------------------------------------------------------------------------
def test_the_record_button_stores_the_widgets_answer_data_in_the_sidecar(tmp_path):
    ex = g.exercise("01-address-spaces", "alice", answers_path=str(tmp_path / "vnetlab-answers.json"))
    right = model_answer(ex, "q3")
    widget = StandIn(right)
    box = ex.widget_answer("q3", widget)
    assert widget.widget in box.children
    box.record_button.click()
    stored = json.loads((tmp_path / "vnetlab-answers.json").read_text())
    assert stored["answers"]["alice"]["01-address-spaces"]["q3"]["answer"] == right
    assert "visible check" in box.feedback.value and "hidden" in box.feedback.value
    assert ex.check("q3").visible_passed
    # a second learner's record keeps the first one's
    bob = g.exercise("01-address-spaces", "bob", answers_path=str(tmp_path / "vnetlab-answers.json"))
    record(bob, "q3", model_answer(bob, "q3"))
    assert ex.check("q3").visible_passed and bob.check("q3").visible_passed


def test_a_widget_that_fails_shows_the_reason_under_it(tmp_path):
    class Broken(StandIn):
        def answer_data(self):
            raise vl.VnetlabError("the planner could not read '10.0.0.0/33'")

    ex = g.exercise("01-address-spaces", "alice", answers_path=str(tmp_path / "a.json"))
    box = ex.widget_answer("q3", Broken({}))
    box.record_button.click()
    assert "could not read" in box.feedback.value


def test_a_damaged_sidecar_means_no_answer_and_recording_repairs_it(tmp_path):
    path = tmp_path / "vnetlab-answers.json"
    path.write_text("{not json")
    ex = g.exercise("02-vnet-peering", "alice", answers_path=str(path))
    assert not ex.check("q3").result.answered
    record(ex, "q3", model_answer(ex, "q3"))
    assert ex.check("q3").visible_passed


def test_the_real_widgets_answers_are_graded_like_any_other(tmp_path):
    widgets = pytest.importorskip("vnetlab.widgets")
    ex1 = g.exercise("01-address-spaces", "alice", answers_path=str(tmp_path / "a.json"))
    G = ex1.givens("q3")
    planner = widgets.AddressPlanner(prefixes="\n".join(model_answer(ex1, "q3")["prefixes"]), space=G["space"])
    assert ex1.record("q3", planner).visible_passed and score(ex1, "q3").full
    ex2 = g.exercise("02-vnet-peering", "alice", answers_path=str(tmp_path / "a.json"))
    net = vl.Network.from_dict(ex2.givens("q3")["network"])
    explorer = widgets.PeeringExplorer(net)
    assert not ex2.record("q3", explorer).visible_passed  # spokes still not peered
    explorer.vnet_a.value, explorer.vnet_b.value = "spoke1", "spoke2"
    explorer.peer_button.click()
    assert ex2.record("q3", explorer).visible_passed and score(ex2, "q3").full


def test_answers_become_plain_data():
    net = vl.load_scenario("hub-and-spoke")
    assert to_plain({("a", "b"): {1, 2}}) == {"__pairs__": [[["a", "b"], [1, 2]]]}
    assert to_plain(net) == net.to_dict()
    assert to_plain(IPNetwork("10.0.0.0/16")) == "10.0.0.0/16"
    assert to_plain(float("nan")) == "nan" and to_plain(object()) == {"__unsupported__": "object"}
    assert json.loads(json.dumps(to_plain({"x": [(1, 2.5), None, True]})))


def test_an_unsupported_value_is_named_in_the_feedback(exercise):
    feedback = exercise("01-address-spaces").check("q1", {"web": object()})
    assert "cannot be graded" in feedback.messages[0]


@pytest.mark.parametrize("learner", [f"learner-{i}" for i in range(40)])
def test_01_q4_asks_only_what_lesson_01_teaches_about_refused_ranges(learner):
    """Lesson 01 shows a range refused because it lies inside a not-allowed range (127.1.0.0/16 in 127.0.0.0/8); it
    never teaches that a range merely containing a not-allowed address (168.63.0.0/16 holding 168.63.129.16) is
    refused, so no candidate is of that kind, and no check of either kind tests it."""
    G = g.exercise("01-address-spaces", learner, answers_path="unused.json").givens("q4")
    for prefix in G["candidates"]:
        net = IPNetwork(prefix)
        touched = [bad for bad in NOT_ALLOWED if overlapping(net, bad)]
        assert all(net in bad for bad in touched), (prefix, touched)
    rules = " ".join(c.rule or c.name for c in full_spec("01-address-spaces").question("q4").checks)
    assert "168.63" not in rules and "as a whole" not in rules


def test_after_a_few_failing_attempts_the_feedback_names_the_rules_to_revisit_not_the_items(exercise):
    """Guessing one item per attempt is not the way: from the third failing check of a question, the feedback says
    how many visible checks still fail and which rules (the checks' names) to revisit, with the lesson; it names no
    pair. A passing attempt starts the count again."""
    from vnetlab.grading.notebook import ATTEMPTS_BEFORE_SUMMARY
    ex = exercise("02-vnet-peering", "alice")
    right = model_answer(ex, "q2")
    wrong = transitive_02q2(ex, right)
    texts = [str(ex.check("q2", wrong)) for _ in range(ATTEMPTS_BEFORE_SUMMARY)]
    assert not any("revisit" in t for t in texts[:-1])
    last = ex.check("q2", wrong)
    text = str(last) + last._repr_html_()
    assert f"Attempt {ATTEMPTS_BEFORE_SUMMARY + 1}: 1 of 2 visible checks still fail" in text, text
    assert "Peering is not transitive" in text and "02-vnet-peering.ipynb" in text
    assert not any(f"{a} → {b}" in text for a, b in right if wrong[(a, b)] != right[(a, b)])
    ex.check("q2", right)
    assert "revisit" not in str(ex.check("q2", wrong))
