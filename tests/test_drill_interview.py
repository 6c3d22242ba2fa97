"""The interview-classic drill topics and the explain-it mode (issue 15, item 4).

Facts asserted here come from the cited public pages (azure-facts.md: BGP ASNs and APIPA range from the VPN FAQ and
"Configure BGP", Point-to-Site protocols and authentication, private DNS zone links), not from the generator; the
hub-and-appliance answers are re-derived by direct engine calls on lesson 11's base network.
"""
from __future__ import annotations

import io
import json
import re
from argparse import Namespace

import pytest

from vnetlab.drills import DrillError, DrillSession, ProgressStore, generate
from vnetlab.drills.cli import run as drill_cli, terminal_text
from vnetlab.drills.interview import BANKS, bank
from vnetlab.drills.questions import EXPLAIN_TOPICS, LEVELS, TOPICS
from vnetlab.drills.session import parse_points, shape

INTERVIEW = tuple(BANKS)
DATED = re.compile(r"https://learn\.microsoft\.com/\S+ \((\d{4}-\d{2}-\d{2}|undated)\)")  # a page that prints no date


def item_of(q):
    return next(i for i in bank(q.topic) if i.answer == q.answer)


def test_every_classic_named_in_the_issue_has_a_topic():
    assert set(INTERVIEW) == set(EXPLAIN_TOPICS) and set(INTERVIEW) <= set(TOPICS)
    assert {"gateway-redundancy", "bgp", "vpn-type", "forced-tunnelling", "point-to-site", "peering-dns", "hub-nva",
            "global-peering", "better-answer", "tunnel-up-no-traffic"} == set(INTERVIEW)


@pytest.mark.parametrize("topic", INTERVIEW)
def test_every_item_checks_its_answer_and_explains_why_each_distractor_is_wrong(topic):
    seen = set()
    for level in LEVELS:
        for seed in range(30):
            q = generate(topic, level, seed)
            seen.add(q.answer)
            assert q.kind == "choice" and q.answer in q.choices and len(set(q.choices)) == len(q.choices) == 4
            assert q.check(q.answer).correct and q.check(str(q.choices.index(q.answer) + 1)).correct
            reasons = dict(item_of(q).wrong)
            for d in q.choices:
                if d != q.answer:
                    result = q.check(d)
                    assert not result.correct and reasons[d].rstrip(".").casefold() in result.feedback.casefold()
            # explanation: two or three plain sentences, then dated public sources
            body, _, sources = q.explanation.partition(" Source: ")
            assert 1 <= len(re.findall(r"[.!?](?:\s|$)", body)) <= 3, body
            assert q.sources and all(DATED.fullmatch(s) for s in q.sources), q.sources
            assert q.explainable and 2 <= len(q.key_points) <= 5 and q.explain_prompt
    assert len(seen) == len(bank(topic))  # every item is reachable


@pytest.mark.parametrize("topic", INTERVIEW)
def test_each_level_has_two_items_and_no_answer_twice_in_a_topic(topic):
    items = bank(topic)
    assert len({i.answer for i in items}) == len(items)
    for level in LEVELS:
        assert len([i for i in items if i.level == level]) >= 2


@pytest.mark.parametrize("topic", INTERVIEW)
def test_a_drill_on_one_classic_never_repeats_an_answer_shape(topic):
    for level in LEVELS:
        for seed in range(6):
            session = DrillSession(topics=[topic], level=level, count=2, seed=seed)
            shapes = []
            while not session.done:
                q = session.next()
                shapes.append(shape(q))
                session.answer(q.answer)
            assert len(set(shapes)) == len(shapes), (level, seed, shapes)


def questions(topic):
    return [generate(topic, level, seed) for level in LEVELS for seed in range(40)]


def test_bgp_uses_the_documented_asn_and_apipa_range():
    """VPN FAQ (2026-06-04): Azure's default ASN 65515 is reserved. Configure BGP (2021-07-26): custom APIPA BGP
    addresses come from 169.254.21.0 to 169.254.22.255."""
    qs = questions("bgp")
    asn = next(q for q in qs if "ASN 65515" in q.prompt)
    assert asn.answer.startswith("No") and "65515" in asn.answer
    apipa = [q for q in qs if "APIPA" in q.prompt]
    assert apipa and all("169.254.21.0" in q.answer and "169.254.22.255" in q.answer for q in apipa)


def test_point_to_site_follows_the_documented_protocols_and_authentication():
    """P2S about / VPN FAQ: Entra ID works with OpenVPN only; SSTP is Windows-only; OpenVPN runs on every listed OS;
    RADIUS is not on Basic."""
    qs = {q.prompt: q for q in questions("point-to-site")}
    entra = next(q for p, q in qs.items() if p.startswith("Remote users must sign in"))
    assert entra.answer.startswith("OpenVPN")
    assert next(q for p, q in qs.items() if "only on Windows" in p).answer == "SSTP"
    assert next(q for p, q in qs.items() if "Android" in p).answer == "OpenVPN"
    assert next(q for p, q in qs.items() if "RADIUS server. Can the gateway be the Basic" in p).answer.startswith("No")


def test_dns_questions_say_peering_does_not_carry_names():
    for q in questions("peering-dns"):
        if "Azure-provided DNS" in q.prompt:
            assert q.answer.startswith("No")


def test_hub_nva_answers_match_the_engine():
    from vnetlab.troubleshoot.bases import base_network

    net, lay = base_network(7)
    s1, s2 = lay.spokes[:2]
    by_key = {i.key: i for i in bank("hub-nva")}
    assert by_key["nva-udr"].answer == net.effective_routes(s1, "app").lookup(lay.vm_ip(s2)).next_hop_type \
        == "VirtualAppliance"
    assert by_key["nva-branch"].answer == net.effective_routes(s1, "app").lookup(lay.branch_host).next_hop_type
    assert by_key["nva-hub"].answer == "VNetPeering"
    bare, _ = base_network(7)
    bare.associate_route_table(s1, "app", None)
    assert by_key["nva-none"].answer == bare.effective_routes(s1, "app").lookup(lay.vm_ip(s2)).next_hop_type == "None"
    off, _ = base_network(7)
    off.set_ip_forwarding("nva", False)
    assert not off.trace(lay.vm(s1), lay.vm_ip(s2), port=443).reachable


def test_level_three_asks_about_two_rules_at_once():
    """A level-3 item's model answer names at least two rules (its key points), and for the troubleshooting classic
    the answer is a pair of causes."""
    for topic in INTERVIEW:
        for item in bank(topic):
            if item.level == 3:
                assert len(item.key_points) >= 3
    assert all(" + " in i.answer for i in bank("tunnel-up-no-traffic") if i.level == 3)


def test_better_answer_names_only_microsofts_options():
    answers = " ".join(i.answer for i in bank("better-answer"))
    for name in ("ExpressRoute", "Virtual WAN", "Route Server", "VPN gateway"):
        assert name in answers


# --- explain-it mode ------------------------------------------------------------------------------------------------
def test_parse_points_reads_numbers_all_and_none():
    assert parse_points("1, 3", 4) == (1, 3) and parse_points("3 1 1", 4) == (1, 3)
    assert parse_points("all", 3) == (1, 2, 3) and parse_points("none", 3) == () and parse_points("", 3) == ()
    with pytest.raises(DrillError, match="'5' is not a key point"):
        parse_points("1,5", 4)


def test_explain_mode_keeps_only_topics_with_model_answers_and_records_the_self_check(tmp_path):
    store = ProgressStore(tmp_path / "p.json")
    session = DrillSession(topics=["peerability", "bgp"], count=2, seed=3, store=store, explain=True)
    assert session.topics == ("bgp",)
    q = session.next()
    with pytest.raises(DrillError, match="explain-it"):
        session.answer(q.answer)
    with pytest.raises(DrillError, match="say your answer first"):
        session.explain("   ", [1])
    with pytest.raises(DrillError, match="not on the checklist"):
        session.explain("Azure reserves 65515.", [len(q.key_points) + 1])
    partial = session.explain("Azure reserves 65515.", [1])
    assert not partial.correct and partial.points == (1,)
    assert q.model_answer in partial.feedback and f"1 of {len(q.key_points)} key points" in partial.feedback
    q2 = session.next()
    full = session.explain("My full answer.", range(1, len(q2.key_points) + 1))
    assert full.correct and full.score == 1
    saved = json.loads((tmp_path / "p.json").read_text())["attempts"]
    assert [(a["points_met"], a["points_total"], a["correct"]) for a in saved] == [
        (1, len(q.key_points), False), (len(q2.key_points), len(q2.key_points), True)]
    again = ProgressStore(tmp_path / "p.json").attempts()
    assert [a.explained for a in again] == [True, True] and again[0].points_met == 1
    with pytest.raises(DrillError, match="explain-it mode needs a topic"):
        DrillSession(topics=["peerability"], explain=True)


def test_ordinary_attempts_are_stored_without_the_explain_keys(tmp_path):
    store = ProgressStore(tmp_path / "p.json")
    session = DrillSession(topics=["bgp"], count=1, seed=1, store=store)
    session.answer(session.next().answer)
    (attempt,) = json.loads((tmp_path / "p.json").read_text())["attempts"]
    assert "points_met" not in attempt and "points_total" not in attempt


@pytest.mark.parametrize("extra, reason", [({"points_met": 1}, "both or neither"),
                                           ({"points_met": 5, "points_total": 4}, "from 0 to points_total"),
                                           ({"points_met": 1, "points_total": 0}, "1 or more")])
def test_a_progress_file_with_bad_explain_values_is_set_aside(tmp_path, extra, reason):
    path = tmp_path / "p.json"
    attempt = {"id": "x", "when": "2026-01-31T12:00:00+00:00", "topic": "bgp", "level": 1, "seed": 1,
               "correct": False, "seconds": 1.0, **extra}
    path.write_text(json.dumps({"format": "vnetlab-drill-progress", "version": 1, "attempts": [attempt]}))
    store = ProgressStore(path)
    assert store.attempts() == () and any(reason in m for m in store.messages)


def test_terminal_explain_mode_shows_the_model_answer_and_checklist_and_saves_the_points(tmp_path):
    progress = tmp_path / "p.json"
    expected = DrillSession(topics=["forced-tunnelling"], count=1, seed=5, explain=True).next()
    args = Namespace(topics=("forced-tunnelling",), level=1, count=1, time_limit=None, review=False, seed=5,
                     progress=str(progress), export_csv=None, list_topics=False, explain=True)
    out, err = io.StringIO(), io.StringIO()
    stdin = io.StringIO("Internet traffic goes out directly unless you force it on-premises.\n1,9\n1,2\n")
    assert drill_cli(args, stdin=stdin, out=out, err=err) == 0
    text = out.getvalue()
    flat = " ".join(text.split())
    assert " ".join(expected.explain_prompt.split()) in flat and "Model answer:" in text
    assert " ".join(expected.model_answer.split()) in flat
    assert "'9' is not a key point" in text
    assert f"  1. [x] {expected.key_points[0]}" in text and f"  2. [x] {expected.key_points[1]}" in text
    wrapped = [line for line in text.splitlines() if not line.startswith("Progress:") and "): " not in line]
    assert "Sources:" in text and all(len(line) <= 88 for line in wrapped)  # prompts echo the typed line
    (attempt,) = ProgressStore(progress).attempts()
    assert (attempt.points_met, attempt.points_total) == (2, len(expected.key_points))


def test_widget_explain_mode_reveals_the_model_answer_after_the_learners_own_and_records_the_ticks(tmp_path):
    from vnetlab.widgets import DrillWidget

    widget = DrillWidget(ProgressStore(tmp_path / "p.json"), seed=2, count=2)
    widget.explain.value = True
    for topic, box in widget.topic_boxes.items():
        box.value = topic in ("peering-dns", "troubleshooting")
    widget.start_button.click()
    q = widget.session.current
    assert widget.errors.value == "" and q.topic == "peering-dns"
    assert q.explain_prompt in widget.question.value and widget.choices.layout.display == "none"
    assert widget.submit_button.layout.display == "none" and widget.record_button.disabled
    widget.reveal_button.click()
    assert "say your answer first" in widget.errors.value and widget.model.value == ""
    widget.spoken.value = "Peering does not share names; link a private DNS zone to both VNets."
    widget.reveal_button.click()
    assert "Model answer" in widget.model.value and len(widget.points.children) == len(q.key_points)
    assert widget.spoken.disabled and not widget.record_button.disabled
    widget.points.children[0].value = widget.points.children[1].value = True
    widget.record_button.click()
    assert f"2 of {len(q.key_points)} key points made" in widget.feedback.value
    (attempt,) = widget.store.attempts()
    assert (attempt.points_met, attempt.points_total, attempt.correct) == (2, len(q.key_points), False)
    assert not widget.next_button.disabled
    widget.next_button.click()
    assert widget.model.value == "" and widget.points.children == () and widget.spoken.value == ""


def test_terminal_text_wraps_an_explanation_and_lists_its_sources():
    q = generate("global-peering", 1, 0)
    text = terminal_text(q.explanation, 70)
    assert "Sources:" in text and all(len(line) <= 70 or "https://" in line for line in text.splitlines())


# --- the older topics: what Azure allows, plain explanations ------------------------------------------------------
def test_connection_type_asks_what_azure_allows_not_what_the_course_chooses():
    for level in LEVELS:
        for seed in range(40):
            q = generate("connection-type", level, seed)
            assert "design guide" not in q.prompt and "Azure allows" in q.prompt
            body = q.explanation.partition(" Source: ")[0]
            assert len(re.findall(r"[.!?](?:\s|$)", body)) <= 3 and not re.search(r"\)\s*\(", body), body


def test_next_hop_level_three_sets_a_route_table_against_gateway_transit():
    """Level 3 meets two rules: the longest prefix wins first (the branch's /24 from gateway transit beats a
    0.0.0.0/0 user-defined route), and for the same prefix a user-defined route beats the gateway's."""
    from vnetlab.drills import generators as G

    seen = set()
    for seed in range(200):
        c = G.case("next-hop", 3, seed)
        if c.params["udr"]:
            q = generate("next-hop", 3, seed)
            assert "Route table on spoke1's subnet app" in q.prompt and c.params["udr"] in q.prompt
            route = G.scenario_network(c).effective_routes("spoke1", "app").lookup(c.params["dst"])
            assert q.answer == route.next_hop_type
            seen.add((c.params["udr"] == "0.0.0.0/0", route.next_hop_type))
    assert {(True, "VirtualNetworkGateway"), (True, "VirtualAppliance"), (False, "VirtualAppliance")} <= seen
