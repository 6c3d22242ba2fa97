"""The module 3 widgets as a learner uses them: NAT rules, encryption paths, IKE policies, NSG rules.

Widgets are driven without a browser (``.value`` and ``.click()`` run the callbacks the front end triggers).
Expected values come from the fact sheet: the documented NAT example (azure-facts.md, VPN Gateway NAT: VNet and
branches all 10.0.1.0/24; EgressSnat VNet → 192.168.1.0/24, IngressSnat Branch1 → 192.168.2.0/24), the rule that
static NAT maps equal-sized prefixes, encryption paths (§6.6: peering adds no IPsec, VNet-to-VNet is IPsec ESP
between the gateways), Azure's MSS advice of 1350 (About VPN devices) and the NSG default rules (§8.2).
"""
from __future__ import annotations

import json

import pytest

import vnetlab as vl
from vnetlab.plots import encryption_path_figure
from vnetlab.widgets import EncryptionPathView, IkePolicyMatcher, NatRuleBuilder, NsgRuleEditor
from vnetlab.widgets.encryption_path_view import EncryptionSession
from vnetlab.widgets.ike_policy_matcher import IkeSession
from vnetlab.widgets.nat_rule_builder import NatSession
from vnetlab.widgets.nsg_rule_editor import NsgSession, two_tier_network


def rule_row(builder: NatRuleBuilder, name: str):
    return next(r for r in builder.rows if r.name.value == name)


# --- NAT rule builder ---------------------------------------------------------------------------------------
def test_nat_session_edit_changes_the_translated_trace_and_leaves_the_input_alone():
    original = vl.load_scenario("nat-branches")
    session = NatSession(original)
    before = session.send(("10.0.1.10", "Branch1"), "192.168.1.20", 443).trace
    assert before.delivered_as == ("192.168.2.10", "10.0.1.20")  # documented example: Branch1 seen as 192.168.2.0/24
    rules = [dict(r, external="192.168.20.0/24") if r["name"] == "Branch1" else r for r in session.rules()]
    session.apply(rules, session.links())
    after = session.send(("10.0.1.10", "Branch1"), "192.168.1.20", 443).trace
    assert after.delivered_as == ("192.168.20.10", "10.0.1.20")
    assert [h.dst for h in after.translations][-1] == "10.0.1.20"
    assert original.gateway("VNet").nat_rules["Branch1"].external == vl.parse_prefix("192.168.2.0/24")


def test_nat_builder_shows_before_and_after_and_refuses_unlinking_the_vnet_rule():
    builder = NatRuleBuilder()
    builder.source.value = ("vm-app", None)
    builder.destination.value = "192.168.2.10"  # Branch1 host as Azure sees it
    assert builder.errors.value == ""
    assert builder.current.trace.delivered_as == ("192.168.1.20", "10.0.1.10")  # VNet egress → 192.168.1.0/24
    assert "10.0.1.20 → 192.168.2.10" in builder.translations.value  # before
    assert "192.168.1.20 → 192.168.2.10" in builder.translations.value  # after the EgressSnat step
    assert any(d.meta.get("role") == "trace" for d in builder.figure.data)
    ingress, egress = builder.links["VNet-Branch1"]
    egress.value = ()
    builder.apply.click()  # overlapping spaces need the EgressSnat rule as well (VPN FAQ)
    assert "overlapping" in builder.errors.value and "EgressSnat" in builder.errors.value
    assert builder.answer_data()["connections"]["VNet-Branch1"] == {"ingress": ["Branch1"], "egress": ["VNet"]}
    egress.value = ("VNet",)
    builder.apply.click()
    assert builder.errors.value == "" and "Applied" in builder.status.value
    assert builder.current.trace.delivered_as == ("192.168.1.20", "10.0.1.10")


def test_nat_builder_bad_edit_is_inline_and_the_builder_keeps_working():
    builder = NatRuleBuilder()
    applied = builder.answer_data()
    rule_row(builder, "VNet").external.value = "192.168.1.0/25"
    builder.apply.click()
    assert "equal-sized prefixes" in builder.errors.value and "192.168.1.0/25" in builder.errors.value
    assert builder.answer_data() == applied  # the last good network stays
    rule_row(builder, "VNet").external.value = "192.168.50.0/24"
    builder.apply.click()
    assert builder.errors.value == ""
    builder.source.value = ("vm-app", None)
    builder.destination.value = "192.168.2.10"
    assert builder.current.trace.delivered_as[0] == "192.168.50.20"


def test_nat_builder_add_and_remove_rows_and_mode_mismatch():
    builder = NatRuleBuilder()
    builder.add.click()
    new = builder.rows[-1]
    new.name.value, new.mode.value = "Extra", "IngressSnat"
    new.internal.value, new.external.value = "10.0.1.0/24", "192.168.9.0/24"
    assert "Extra" in builder.links["VNet-Branch1"][1].options
    builder.links["VNet-Branch2"][1].value = ("VNet", "Extra")  # an IngressSnat rule listed as egress
    builder.apply.click()
    assert "IngressSnat" in builder.errors.value
    builder.links["VNet-Branch2"][1].value = ("VNet",)
    builder.apply.click()
    assert builder.errors.value == "" and "Extra" in [r["name"] for r in builder.answer_data()["rules"]]
    new.remove.click()
    builder.apply.click()
    assert "Extra" not in [r["name"] for r in builder.answer_data()["rules"]]


# --- encryption path ----------------------------------------------------------------------------------------
def test_encryption_figure_legend_names_each_protection_in_words_and_dash():
    session = EncryptionSession(EncryptionPathView().session.base)
    report = session.view("vm-v2v-vnet1", "vm-v2v-vnet2").report  # VNet-to-VNet: IPsec between the gateways only
    fig = encryption_path_figure(report)
    legs = [d for d in fig.data if d.meta.get("role") == "legs"]
    assert {d.meta["protection"] for d in legs} == {"ipsec", "none"}
    assert len({d.line.dash for d in legs}) == len(legs)  # a distinct dash per protection, not colour alone
    names = " ".join(d.name for d in legs)
    assert "IPsec ESP" in names and "⚠ none" in names and "solid" in names and "dashed" in names
    details = next(d for d in fig.data if d.meta.get("role") == "leg-details")
    assert len(set(details.marker.symbol)) == 2 and any("path:" in h for h in details.hovertext)
    trace_fig = encryption_path_figure(report_trace := vl.load_scenario("hub-spoke-onprem").trace("vm-hub", "192.168.1.10"))
    assert any("IPsec ESP" in (d.name or "") for d in trace_fig.data) and report_trace.segments


def test_encryption_view_toggles_vnet_encryption_on_a_peering_path():
    view = EncryptionPathView(a="vm-v2v-vnet1", b="vm-peered")
    assert view.answer_data()["all_encrypted"] is False and "Microsoft backbone" in view.answer.value
    view.vnet_encryption.value = True
    assert view.answer_data()["all_encrypted"] is False  # NICs without accelerated networking: unencrypted
    view.accelerated_networking.value = True
    assert view.errors.value == "" and view.answer_data()["all_encrypted"] is True
    assert any(d.meta.get("protection") == "vnet" and d.line.dash == "dot" for d in view.figure.data)
    view.b.value = "vm-v2v-vnet2"  # through the gateways: VNet encryption does not cover those legs
    assert view.answer_data()["all_encrypted"] is False
    assert json.loads(json.dumps(view.answer_data())) == view.answer_data()


# --- IKE policy matcher -------------------------------------------------------------------------------------
def test_ike_matcher_mismatch_is_not_established_with_a_reason():
    m = IkePolicyMatcher()
    assert m.answer_data()["established"] is True and "1350" in m.esp.value  # Azure's MSS advice
    m.azure.custom.value = True  # the custom policy now accepts only its own proposal
    assert m.errors.value == ""
    assert m.answer_data()["established"] is False
    assert "not established" in m.result.value and "phase 1" in m.result.value and m.esp.value == ""
    for name, value in (("ike_encryption", "AES256"), ("ike_integrity", "SHA256"), ("dh_group", "DHGroup2"),
                        ("ipsec_encryption", "AES256"), ("ipsec_integrity", "SHA256"), ("pfs_group", "None")):
        m.azure.fields[name].value = value
    assert m.answer_data()["established"] is True and m.answer_data()["azure"]["policy"]["dh_group"] == "DHGroup2"


def test_ike_matcher_bad_proposal_inline_then_vnet_to_vnet():
    m = IkePolicyMatcher()
    m.phase1.value = "AES256/SHA999/DHGroup14"
    assert "SHA999" in m.errors.value
    m.phase1.value = "AES256/SHA256/DHGroup2"
    assert m.errors.value == "" and m.answer_data()["established"] is True
    m.remote.value = m.remote.options[1]  # a second Azure gateway
    assert m.answer_data()["remote"] == "azure" and m.answer_data()["established"] is True
    m.azure.custom.value = True  # different policies on the two connection resources
    assert m.answer_data()["established"] is False and "different policies" in m.result.value
    data = m.answer_data()
    assert json.loads(json.dumps(data)) == data


def test_ike_session_without_widgets():
    s = IkeSession()
    s.device.ike_versions = ["IKEv1"]
    s.azure.sku = "Basic"  # route-based Basic speaks IKEv2 only (azure-facts.md §4.2)
    assert s.negotiate().negotiation.established is False


# --- NSG rule editor ----------------------------------------------------------------------------------------
def test_nsg_deny_rule_makes_flow_verify_deny_with_its_name():
    e = NsgRuleEditor()
    assert e.last_verdict.allowed and "AllowVNetInBound" in e.verdict.value  # §8.2 default rule
    assert "✗" not in e.matrix.value
    e.name.value, e.priority.value, e.access.value = "DenyWebToApp", 200, "Deny"
    e.source.value, e.destination_ports.value = "10.10.1.0/24", "443"
    e.add.click()
    assert e.errors.value == ""
    assert not e.last_verdict.allowed and e.last_verdict.rule == "DenyWebToApp"
    assert "DenyWebToApp" in e.rules.value and "✗" in e.matrix.value
    data = e.answer_data()
    assert data["nsg"] == "app-nsg" and data["rules"][0]["name"] == "DenyWebToApp"
    assert json.loads(json.dumps(data)) == data
    e.matrix_port.value = 22
    assert "✗" not in e.matrix.value  # the rule covers 443 only
    e.remove.click()
    assert e.last_verdict.allowed and e.answer_data()["rules"] == []


def test_nsg_bad_rule_inline_and_default_rules_stay():
    e = NsgRuleEditor()
    e.name.value, e.priority.value = "TooLow", 50
    e.add.click()
    assert "priority 50" in e.errors.value
    e.priority.value = 300
    e.add.click()
    assert e.errors.value == "" and "TooLow" in e.rules.value
    assert "color:#666" in e.rules.value  # default rules greyed


def test_nsg_session_without_widgets():
    s = NsgSession(two_tier_network(), "app-nsg")
    s.add_rule("DenyInternet", 100, "Inbound", "Deny", "Tcp", "Internet", "*", "*", "22, 3389")
    verdict = s.verify("vm-app", "Inbound", "Tcp", "203.0.113.5", 22, 50000)
    assert verdict.access == "Deny" and verdict.rule == "DenyInternet"
    with pytest.raises(vl.VnetlabError):
        s.remove_rule("DenyAllInBound")  # default rules cannot be deleted (§8.2)


def test_topology_overlay_of_a_site_origin_trace_passes_the_gateway_where_nat_happens():
    from vnetlab.plots import topology_figure

    net = vl.load_scenario("nat-branches")
    trace = net.trace("10.0.1.10", "192.168.1.20", port=443, from_site="Branch1")
    fig = topology_figure(net, trace)
    overlay = next(d for d in fig.data if d.meta.get("role") == "trace")
    gw = next(d for d in fig.data if d.meta.get("role") == "gateways")
    points = {(x, y) for x, y in zip(overlay.x, overlay.y) if x is not None}
    assert (gw.x[0], gw.y[0]) in points and overlay.meta["path"] == ["Branch1", "VNet"]


def test_encryption_view_drops_the_no_legs_note_and_says_why_the_settings_do_nothing_on_a_gateway_path():
    from vnetlab.plots import encryption_path_figure
    from vnetlab.widgets import replace_figure
    from vnetlab.widgets.encryption_path_view import EncryptionPathView

    view = EncryptionPathView()  # vm-v2v-vnet1 → vm-v2v-vnet2: through two VPN gateways
    assert "change nothing on this path" in view.note.value and "learn.microsoft.com" in view.note.value
    net = vl.load_scenario("hub-spoke-onprem")
    nowhere = net.trace("vm-spoke1", "10.99.0.4")  # no route carries it: no legs
    replace_figure(view.figure, encryption_path_figure(nowhere))
    assert [a.text for a in view.figure.layout.annotations if a.visible is not False] == [
        "No legs: the packet did not travel anywhere."]
    view.b.value = "vm-peered"  # another pair: the note is gone from what is shown
    assert not [a for a in view.figure.layout.annotations if a.visible is not False and a.text]
    labels = next(d for d in view.figure.data if (d.meta or {}).get("role") == "leg-labels")
    markers = next(d for d in view.figure.data if (d.meta or {}).get("role") == "leg-details")
    assert all(ly > my for ly, my in zip(labels.y, markers.y))  # labels above the markers, not through them


def test_next_hop_explorer_hides_the_old_answer_under_an_error_and_internet_is_no_failure():
    from vnetlab.widgets.next_hop_explorer import NextHopExplorer

    explorer = NextHopExplorer(vl.load_scenario("hub-spoke-onprem"))
    explorer.address.value = "8.8.8.8"
    assert "→ Internet" in explorer.hops.value and "✗" not in explorer.hops.value.split("</b>")[0]
    explorer.address.value = "not-an-address"
    assert explorer.errors.value and explorer.result.layout.display == "none"
    explorer.address.value = "10.2.1.4"
    assert not explorer.errors.value and explorer.result.layout.display == ""
