"""Graded exercise 08 (network security groups) as a learner meets it through ``ex.check``: right answers pass for
every learner, each typical mistake gets a message naming it, givens differ per learner, hidden checks stay hidden.

Expected values come from the fact sheet (``/work/shared/azure-facts.md``), not from the grading code: the default
rules (§8.2: AllowVNetInBound 65000, AllowAzureLoadBalancerInBound 65001, DenyAllInbound 65500, AllowVnetOutBound
65000), lowest number first and first match stops (§8.1), inbound subnet then NIC, outbound NIC then subnet, a deny
stops evaluation (§8.3), the VirtualNetwork tag holding the VNet, peers with access on, connected on-premises spaces,
the host IP 168.63.129.16 and UDR prefixes (§8.4, §6.2), no NSG on GatewaySubnet (§2.3), and scenario S9.
"""
from __future__ import annotations

import pytest
from netaddr import IPAddress, IPNetwork

import vnetlab.grading as g
from question_support import (  # noqa: F401  (exercise: fixture)
    assert_hidden_checks_stay_hidden, assert_registered_with_lesson, assert_unanswered_scores_zero, exercise,
    feedback, LEARNERS, score)

NAME = "08-network-security-groups"
HOST_IP = "168.63.129.16"  # §8.4


# --- model answers from the facts ------------------------------------------------------------------------------------
def subnet_prefix(G, name: str) -> str:
    return next(s["prefix"] for v in G["network"]["vnets"] for s in v.get("subnets", []) if s["name"] == name)


def lockdown(G, *, allow_priority=100, deny_priority=4000, allow_source=None, allow_direction="Inbound",
             deny_source="*", deny_direction="Inbound", probes=True, associations=None, protocol="Tcp"):
    """Allow the web subnet on the port first, health probes next, then deny the rest (§8.1, §8.2)."""
    rules = [{"name": "allow-web", "priority": allow_priority, "direction": allow_direction, "access": "Allow",
              "protocol": protocol, "source": allow_source or subnet_prefix(G, "web"), "destination": "*",
              "destination_ports": str(G["port"])}]
    if probes:
        rules.append({"name": "allow-probes", "priority": 110, "direction": "Inbound", "access": "Allow",
                      "source": "AzureLoadBalancer"})
    if deny_source is not None:
        rules.append({"name": "deny-rest", "priority": deny_priority, "direction": deny_direction, "access": "Deny",
                      "source": deny_source})
    return {"rules": rules, "associations": associations or [{"vnet": "shop", "subnet": "app"}]}


def flow_by_hand(G, flow) -> tuple[str, str]:
    """§8.3 and S9 by hand for the nsg-lab network: the subnet NSG denies the admin port from VirtualNetwork; the
    NIC NSG allows it, allows the web port from Internet and denies outbound TCP 25 to Internet."""
    rules = {g_["name"]: g_["rules"] for g_ in G["network"]["network_security_groups"]}
    deny_admin = rules["subnet-nsg"][0]
    private = any(IPAddress(flow["remote_ip"]) in IPNetwork(p) for p in ("10.0.0.0/8", "192.168.0.0/16"))
    if flow["direction"] == "Outbound":
        if not private and flow["remote_port"] == 25:
            return "Deny", "deny-smtp-out"          # NIC first outbound
        return "Allow", "AllowVnetOutBound"          # S9d: defaults allow; subnet decides last
    if private and str(flow["local_port"]) == deny_admin["destination_ports"]:
        return "Deny", deny_admin["name"]            # S9c: subnet first inbound
    if private:
        return "Allow", "AllowVNetInBound"           # S9a: on-premises and the hub are in VirtualNetwork
    return "Deny", "DenyAllInbound"                  # S9b: the subnet NSG denies the internet first


def in_virtual_network(G, q) -> bool:
    """§8.4 by hand for the tag-lab network."""
    net = G["network"]
    address = IPAddress(q["address"])
    if q["subnet"] == "egress":
        return True                                  # UDR 0.0.0.0/0 on that subnet
    spaces = {v["name"]: IPNetwork(v["address_space"][0]) for v in net["vnets"]}
    site = IPNetwork(net["local_network_gateways"][0]["prefixes"][0])
    return address in spaces["spoke"] or address in spaces["hub"] or address in site  # lab's access is off


def principle(G, flow) -> tuple[str, str]:
    """§8.3 by hand, as the principle that decides: the NIC's deny goes first outbound, the subnet's first inbound
    (its custom deny or its default DenyAllInbound), and the default VirtualNetwork rules allow the rest."""
    access, rule = flow_by_hand({"network": G["network"]}, flow)
    if rule == "deny-smtp-out":
        return access, "nic-first-outbound"
    if rule in ("AllowVNetInBound", "AllowVnetOutBound"):
        return access, "virtualnetwork-tag"
    return access, "subnet-first-inbound"


def model_answer(ex: g.Exercise, qid: str):
    G = ex.givens(qid)
    if qid == "q1":
        return lockdown(G)
    if qid == "q2":
        return {fid: list(flow_by_hand(G, f)) for fid, f in G["flows"].items()}
    if qid == "q4":
        return {item: list(principle(G, f)) for item, f in G["items"].items()}
    return {"access": "Allow", "rule": "AllowVNetInBound", "tag": "VirtualNetwork",
            "in_virtual_network": {aid: in_virtual_network(G, q) for aid, q in G["addresses"].items()}}


# --- shape, right answers, givens -------------------------------------------------------------------------------------
def test_the_exercise_is_registered_with_its_lesson():
    assert_registered_with_lesson(NAME)


@pytest.mark.parametrize("learner", LEARNERS[:4])
def test_the_model_answers_earn_full_marks(exercise, learner):
    ex = exercise(NAME, learner)
    for q in ex.spec.questions:
        result = score(ex, q.id, model_answer(ex, q.id))
        assert result.full, (q.id, result.problem, [(c.name, c.message) for c in result.checks if not c.passed])


def test_givens_differ_per_learner_and_another_learners_answer_is_not_yours(exercise):
    alice, bob = exercise(NAME, "alice"), exercise(NAME, "bob")
    for q in alice.spec.questions:
        assert alice.givens(q.id) != bob.givens(q.id)
    assert alice.givens("q1") == exercise(NAME, "alice").givens("q1")
    for qid in ("q1", "q2", "q3"):
        assert not score(bob, qid, model_answer(alice, qid)).full, qid


def test_no_answer_gives_feedback_not_an_exception_and_scores_zero(exercise):
    assert_unanswered_scores_zero(exercise(NAME))


def test_a_perfect_answer_is_not_told_all_passed_and_hidden_checks_stay_hidden(exercise):
    assert_hidden_checks_stay_hidden(exercise(NAME), model_answer)


def test_one_nic_level_is_as_good_as_the_subnet(exercise):
    ex = exercise(NAME, "Chloé")
    assert score(ex, "q1", lockdown(ex.givens("q1"), associations=[{"nic": "vm-app"}])).full


# --- q1: targeted messages ---------------------------------------------------------------------------------------------
def messages(ex, qid, answer) -> str:
    result = score(ex, qid, answer)
    assert not result.full
    return " ".join(filter(None, [result.problem, *(c.message for c in result.checks)]))


Q1_MISTAKES = {
    # relying on DenyAllInbound: the default AllowVNetInBound (65000) comes first for east-west traffic
    "only the allow": (dict(deny_source=None), ["AllowVNetInBound (65000)", "DenyAllInbound"]),
    # the deny has the lower number, so it wins
    "deny before allow": (dict(allow_priority=300, deny_priority=200), ["lower number is processed first"]),
    # Internet is public space; private east-west traffic is VirtualNetwork
    "Internet for private": (dict(deny_source="Internet", deny_priority=200), ["source Internet", "not Internet"]),
    # an outbound allow does nothing for packets arriving at the app tier
    "allow outbound": (dict(allow_direction="Outbound"), ["is Outbound", "Inbound rules"]),
    # an outbound deny leaves inbound traffic to the defaults
    "deny outbound": (dict(deny_direction="Outbound", deny_source="VirtualNetwork"), ["is Outbound"]),
    # VirtualNetwork as source lets the data tier, the hub and on-premises in
    "VirtualNetwork source": (dict(allow_source="VirtualNetwork"), ["source is VirtualNetwork", "web subnet"]),
    # a deny-all with no probe allow
    "probes blocked": (dict(probes=False), [HOST_IP, "AllowAzureLoadBalancerInBound (65001)"]),
    "deny VirtualNetwork blocks probes": (dict(probes=False, deny_source="VirtualNetwork"), [f"includes the host's virtual IP {HOST_IP}"]),
    # GatewaySubnet takes no NSG
    "GatewaySubnet": (dict(associations=[{"vnet": "hub", "subnet": "GatewaySubnet"}]), ["GatewaySubnet", "not supported"]),
    # the NSG on the source's subnet does not filter traffic arriving at app
    "wrong subnet": (dict(associations=[{"vnet": "shop", "subnet": "web"}]), ["No NSG filters traffic arriving at vm-app"]),
    # any protocol on the port lets UDP and ICMP... UDP in (hidden check)
    "any protocol": (dict(protocol="*"), ["Udp"]),
}


@pytest.mark.parametrize("mistake", Q1_MISTAKES)
def test_q1_mistakes_get_targeted_feedback(exercise, mistake):
    ex = exercise(NAME, "bob")
    kwargs, expected = Q1_MISTAKES[mistake]
    text = messages(ex, "q1", lockdown(ex.givens("q1"), **kwargs))
    for phrase in expected:
        assert phrase in text, (mistake, text)


def test_q1_a_single_web_vm_address_leaves_the_other_web_vm_out(exercise):
    ex = exercise(NAME, "d-4")
    G = ex.givens("q1")
    web1 = next(n["ip"] for v in G["network"]["vnets"] for s in v.get("subnets", []) for n in s.get("nics", [])
                if n["name"] == "vm-web1")
    text = messages(ex, "q1", lockdown(G, allow_source=web1))
    assert "vm-web2" in text and "deny-rest" in text


def test_q1_visible_feedback_names_the_default_rule_misconception(exercise):
    ex = exercise(NAME, "alice")
    fb = ex.check("q1", lockdown(ex.givens("q1"), deny_source=None))
    assert not fb.visible_passed and any("AllowVNetInBound" in m for m in fb.messages)


# --- q2, q3: targeted messages -----------------------------------------------------------------------------------------
def flipped(ex, qid, kind):
    """The model answer of q2 with the access of every flow of one kind (by §8.3 reasoning) flipped."""
    G = ex.givens(qid)
    answer = model_answer(ex, qid)
    for fid, flow in G["flows"].items():
        access, rule = answer[fid]
        if kind(flow, access, rule):
            answer[fid] = ["Allow" if access == "Deny" else "Deny", rule]
    return answer


def test_q2_nic_allow_does_not_override_the_subnet_deny(exercise):
    ex = exercise(NAME, "alice")
    text = messages(ex, "q2", flipped(ex, "q2", lambda f, a, r: r.startswith("deny-") and f["direction"] == "Inbound"))
    assert "subnet's NSG is evaluated first" in text
    assert "denyed" not in text and " is denied" in text    # the verdict's past tense was "deny" + "ed"


def test_q2_both_levels_must_allow(exercise):
    ex = exercise(NAME, "bob")
    text = messages(ex, "q2", flipped(ex, "q2", lambda f, a, r: r == "DenyAllInbound"))
    assert "Both levels must allow" in text


def test_q2_onprem_over_vpn_is_in_virtual_network(exercise):
    ex = exercise(NAME, "Chloé")
    text = messages(ex, "q2", flipped(ex, "q2", lambda f, a, r: f["remote_ip"].startswith("192.168.")))
    assert "inside the VirtualNetwork tag" in text


def test_q2_right_access_wrong_rule_is_caught_by_a_hidden_check(exercise):
    ex = exercise(NAME, "alice")
    answer = {fid: [a, "DenyAllInbound" if a == "Deny" else "AllowVNetInBound"] for fid, (a, _) in
              model_answer(ex, "q2").items()}
    result = score(ex, "q2", answer)
    failed = [c for c in result.checks if not c.passed]
    assert failed and all(not c.visible for c in failed)


def test_q3_onprem_denied_by_default_is_corrected(exercise):
    ex = exercise(NAME, "bob")
    text = messages(ex, "q3", {**model_answer(ex, "q3"), "access": "Deny", "rule": "DenyAllInbound"})
    assert "the default inbound rule for that tag (priority 65000)" in text and "on-premises" in text
    assert "AllowVNetInBound" not in text   # the rule the learner has to name


def test_q3_internet_is_not_the_tag_for_onprem(exercise):
    ex = exercise(NAME, "bob")
    text = messages(ex, "q3", {**model_answer(ex, "q3"), "tag": "Internet"})
    assert "public address space" in text and "connected on-premises spaces in the tag" in text
    assert "VirtualNetwork" not in text   # the tag the learner has to name


@pytest.mark.parametrize("which, phrase", [("access-off", "allowVirtualNetworkAccess"), ("udr", "0.0.0.0/0"),
                                           ("lng-only", "local network gateway's prefixes"),
                                           ("vpn", "connected on-premises address spaces")])
def test_q3_tag_membership_mistakes_are_named(exercise, which, phrase):
    ex = exercise(NAME, "d-4")
    G = ex.givens("q3")
    answer = model_answer(ex, "q3")
    net = G["network"]
    lab = IPNetwork(next(v for v in net["vnets"] if v["name"] == "lab")["address_space"][0])
    site = IPNetwork(net["local_network_gateways"][0]["prefixes"][0])
    pick = {"access-off": lambda q: IPAddress(q["address"]) in lab, "udr": lambda q: q["subnet"] == "egress",
            "vpn": lambda q: IPAddress(q["address"]) in site,
            "lng-only": lambda q: IPAddress(q["address"]) in IPNetwork("192.168.0.0/16")
            and IPAddress(q["address"]) not in site}[which]
    aid = next(a for a, q in G["addresses"].items() if pick(q))
    members = {**answer["in_virtual_network"], aid: not answer["in_virtual_network"][aid]}
    assert phrase in messages(ex, "q3", {**answer, "in_virtual_network": members})


# --- the wrong-answer catalogue (run by tests/test_feedback_never_tells.py as well) ------------------------------------
def _q1_mistake(key: str):
    def mistake(ex, a):
        return lockdown(ex.givens("q1"), **Q1_MISTAKES[key][0])
    mistake.__name__ = "q1_" + key.replace(" ", "_").lower()
    return mistake


def _flows_of(kind):
    """Givens condition: some flow of this kind exists (by the facts' reasoning, flow_by_hand)."""
    return lambda G: any(kind(f, *flow_by_hand(G, f)) for f in G["flows"].values())


SUBNET_DENY = lambda f, a, r: r.startswith("deny-") and f["direction"] == "Inbound"  # noqa: E731
DEFAULT_DENY = lambda f, a, r: r == "DenyAllInbound"  # noqa: E731
ONPREM = lambda f, a, r: f["remote_ip"].startswith("192.168.")  # noqa: E731


def nic_allow_overrides_subnet_deny(ex, a):
    return flipped(ex, "q2", SUBNET_DENY)


def one_level_allow_is_enough(ex, a):
    return flipped(ex, "q2", DEFAULT_DENY)


def onprem_is_internet(ex, a):
    return flipped(ex, "q2", ONPREM)


def onprem_denied_by_default(ex, a):
    return {**a, "access": "Deny", "rule": "DenyAllInbound"}


def internet_tag_for_onprem(ex, a):
    return {**a, "tag": "Internet"}


def _membership(which):
    def pick(G):
        net = G["network"]
        lab = IPNetwork(next(v for v in net["vnets"] if v["name"] == "lab")["address_space"][0])
        site = IPNetwork(net["local_network_gateways"][0]["prefixes"][0])
        test = {"access-off": lambda q: IPAddress(q["address"]) in lab, "udr": lambda q: q["subnet"] == "egress",
                "vpn": lambda q: IPAddress(q["address"]) in site,
                "lng-only": lambda q: IPAddress(q["address"]) in IPNetwork("192.168.0.0/16")
                and IPAddress(q["address"]) not in site}[which]
        return next((aid for aid, q in G["addresses"].items() if test(q)), None)

    def mistake(ex, a):
        aid = pick(ex.givens("q3"))
        return {**a, "in_virtual_network": {**a["in_virtual_network"], aid: not a["in_virtual_network"][aid]}}
    mistake.__name__ = f"membership_{which.replace('-', '_')}"
    return mistake, (lambda G: pick(G) is not None)


_ACCESS_OFF, _UDR, _VPN, _LNG_ONLY = (_membership(w) for w in ("access-off", "udr", "vpn", "lng-only"))


def _q4_flip(truth_rule, value):
    def mistake(ex, a):
        return {k: list(value) if v[1] == truth_rule else v for k, v in a.items()}
    return mistake


def nic_allow_lets_it_in(ex, a):    # the NIC allows the web port from Internet, but the subnet goes first
    return _q4_flip("subnet-first-inbound", ["Allow", "both-levels-allow"])(ex, a)


def vnet_traffic_denied_by_default(ex, a):
    return _q4_flip("virtualnetwork-tag", ["Deny", "subnet-first-inbound"])(ex, a)


def outbound_subnet_first(ex, a):
    return _q4_flip("nic-first-outbound", ["Deny", "subnet-first-inbound"])(ex, a)
ALWAYS = lambda G: True  # noqa: E731
WRONG = [  # (question, mistake, givens condition, words the feedback, hidden checks included, must contain)
    *[("q1", _q1_mistake(key), ALWAYS, words[0]) for key, (_, words) in Q1_MISTAKES.items()],
    ("q2", nic_allow_overrides_subnet_deny, _flows_of(SUBNET_DENY), "subnet's NSG is evaluated first"),
    ("q2", one_level_allow_is_enough, _flows_of(DEFAULT_DENY), "Both levels must allow"),
    ("q2", onprem_is_internet, _flows_of(ONPREM), "inside the VirtualNetwork tag"),
    ("q4", nic_allow_lets_it_in, ALWAYS, "decides only when no deny comes first at either level"),
    ("q4", vnet_traffic_denied_by_default, ALWAYS, "from what IP flow verify says"),
    ("q4", outbound_subnet_first, ALWAYS, "the subnet's NSG goes first only for packets arriving (Inbound)"),
    ("q3", onprem_denied_by_default, ALWAYS, "the default inbound rule for that tag (priority 65000)"),
    ("q3", internet_tag_for_onprem, ALWAYS, "public address space"),
    ("q3", _ACCESS_OFF[0], _ACCESS_OFF[1], "allowVirtualNetworkAccess"),
    ("q3", _UDR[0], _UDR[1], "0.0.0.0/0"),
    ("q3", _VPN[0], _VPN[1], "connected on-premises address spaces"),
    ("q3", _LNG_ONLY[0], _LNG_ONLY[1], "local network gateway's prefixes"),
]


@pytest.mark.parametrize("qid, mistake, condition, words", WRONG, ids=[f"{q}-{m.__name__}" for q, m, _, _ in WRONG])
def test_every_catalogued_mistake_is_named(exercise, qid, mistake, condition, words):
    learner = next(w for w in (f"learner-{i}" for i in range(300))
                   if condition(g.exercise(NAME, w, answers_path="unused.json").givens(qid)))
    ex = exercise(NAME, learner)
    assert words in messages(ex, qid, mistake(ex, model_answer(ex, qid)))
