"""The module 2 explorers as a learner uses them: type needs, click Add / Save / Sync, pick a VM and a destination.

Widgets are driven without a browser (``.value`` and ``.click()`` run the callbacks the front end triggers).
Expected values come from the fact sheet: the SKU tables (§1.1, §1.2, §1.5), features (§1.4) and dates (§1.6),
worked scenarios S1 (spoke → branch through the hub gateway), S2 (spoke to spoke is dropped: peering is not
transitive), S3 (VNet-to-VNet follows an address-space change; Site-to-Site waits for the LNG to be edited;
peering for a sync) and S7 (40 tunnels, 3 Gbps, BGP, NAT, zone redundancy → VpnGw4AZ).
"""
from __future__ import annotations

import datetime as dt
import json
from html import escape

import plotly.graph_objects as go
import pytest

import vnetlab as vl
from vnetlab.errors import VnetlabError
from vnetlab.widgets import NextHopExplorer, PropagationExplorer, SkuExplorer
from vnetlab.widgets.next_hop_explorer import NextHopSession
from vnetlab.widgets.propagation_explorer import PropagationSession
from vnetlab.widgets.sku_explorer import Needs, choices, sku_rows

AFTER_CONSOLIDATION = dt.date(2026, 3, 1)   # non-AZ VpnGw1-5 not creatable since 2025-01-01 (§1.6)
BEFORE_CONSOLIDATION = dt.date(2024, 6, 1)


def row_of(explorer: SkuExplorer, key: str):
    return next(r for r in explorer.rows if r.sku.key == key)


def set_needs(explorer: SkuExplorer, **needs) -> None:
    for name, value in needs.items():
        getattr(explorer, name).value = value


# --- SKU explorer ---------------------------------------------------------------------------------------------
def test_s7_needs_lead_to_vpngw4az():
    explorer = SkuExplorer(on=AFTER_CONSOLIDATION)
    set_needs(explorer, tunnels=40, throughput_mbps=3000, bgp=True, nat=True, zone_redundant=True)
    assert explorer.errors.value == ""
    assert explorer.answer_data() == "VpnGw4AZ (Gen2)"  # S7 (§1.1: VpnGw4AZ is Gen2 only)
    assert list(explorer.choice.options) == ["VpnGw4AZ (Gen2)", "VpnGw5AZ (Gen2)"]
    # VpnGw3AZ (Gen2): 30 tunnels, 2.5 Gbps (§1.1); Basic: no BGP, no NAT (§1.4)
    assert set(row_of(explorer, "VpnGw3AZ (Gen2)").shortfalls) == {"30 tunnels < 40", "2500 Mbps < 3000 Mbps"}
    assert {"no BGP", "no NAT", "no zone redundancy"} <= set(row_of(explorer, "Basic (Gen1)").shortfalls)
    table = explorer.table.value
    meet, short = table.split("Fall short")
    assert "VpnGw4AZ (Gen2)" in meet and "VpnGw3AZ (Gen2)" in short and "30 tunnels &lt; 40" in short
    assert "✓ yes" in meet and "✗ no" in short  # not colour alone


def test_nat_is_not_on_vpngw1az():
    explorer = SkuExplorer(on=AFTER_CONSOLIDATION)
    explorer.nat.value = True
    assert "no NAT" in row_of(explorer, "VpnGw1AZ (Gen1)").shortfalls  # §1.4: NAT on VpnGw2-5(AZ) only
    assert "VpnGw1AZ (Gen1)" not in explorer.choice.options and "VpnGw2AZ (Gen1)" in explorer.choice.options


def test_non_az_and_legacy_skus_are_flagged_with_their_dates_and_never_offered():
    explorer = SkuExplorer(on=AFTER_CONSOLIDATION)
    assert not any(r.sku.status != "current" for r in explorer.rows)
    explorer.include_old.value = True
    vpngw4 = row_of(explorer, "VpnGw4 (Gen2)")
    assert vpngw4.fits and not vpngw4.choosable and "2025-01-01" in vpngw4.not_creatable
    assert "VpnGw4AZ" in vpngw4.status_words and "non-AZ" in vpngw4.status_words
    high = row_of(explorer, "HighPerformance")  # S8: past 2026-06-30, migrated to VpnGw2AZ
    assert "2023-12-01" in high.status_words and "2026-06-30" in high.status_words and "VpnGw2AZ" in high.status_words
    assert all(key.endswith("AZ (Gen1)") or key.endswith("AZ (Gen2)") or key.startswith("Basic")
               for key in explorer.choice.options)
    assert "⚠" in explorer.table.value and escape(vpngw4.not_creatable) in explorer.table.value


def test_non_az_skus_were_creatable_before_2025():
    explorer = SkuExplorer(on=BEFORE_CONSOLIDATION)
    explorer.include_old.value = True
    assert "VpnGw4 (Gen2)" in explorer.choice.options
    assert "Standard" not in explorer.choice.options  # no new Standard gateways since 2023-12-01


def test_when_nothing_fits_the_dropdown_is_empty_and_the_summary_says_so():
    explorer = SkuExplorer(on=AFTER_CONSOLIDATION)
    explorer.tunnels.value = 101  # the largest SKUs carry 100 tunnels (§1.1)
    assert list(explorer.choice.options) == [] and explorer.answer_data() is None
    assert "No SKU" in explorer.summary.value
    explorer.tunnels.value = 100
    assert explorer.answer_data() == "VpnGw4AZ (Gen2)"


def test_sku_logic_layer_without_widgets():
    rows = sku_rows(Needs(throughput_mbps=650, bgp=True), on=AFTER_CONSOLIDATION)
    assert choices(rows)[0] == "VpnGw1AZ (Gen1)"  # 650 Mbps, BGP (§1.1)
    with pytest.raises(VnetlabError, match="tunnels"):
        Needs(tunnels=-1)


def test_sku_answer_is_plain_data():
    explorer = SkuExplorer()
    assert json.loads(json.dumps(explorer.answer_data())) == explorer.answer_data()
    bundle = explorer._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.widget.model_id


# --- propagation explorer (S3) ---------------------------------------------------------------------------------
@pytest.fixture
def s3():
    return PropagationExplorer()


def add(explorer: PropagationExplorer, prefix: str) -> None:
    explorer.new_range.value = prefix
    explorer.add_button.click()


def test_before_any_change_vnet1_reaches_vnet2_all_three_ways(s3):
    assert s3.answer_data()["verdicts"] == {"Vnet2Vnet": "Reachable", "IPsec": "Reachable", "Peering": "Reachable"}
    assert all("✓" in column.value for column in s3.columns.values())


def test_s3_new_range_vnet_to_vnet_follows_site_to_site_and_peering_do_not(s3):
    add(s3, "10.22.0.0/16")
    assert s3.errors.value == ""
    session = s3.session
    v2v, s2s, peering = (session.view(side) for side in ("Vnet2Vnet", "IPsec", "Peering"))
    # Vnet2Vnet: reachable, route 10.22.0.0/16 → VirtualNetworkGateway
    assert v2v.reachable and (v2v.route.prefix, v2v.route.next_hop_type) == ("10.22.0.0/16", "VirtualNetworkGateway")
    assert [(c.prefix, c.kind) for c in v2v.report.for_subnet("vnet1", "app")] == [("10.22.0.0/16", "added")]
    # IPsec with hand-typed LNGs: 10.22.0.5 matches 10.0.0.0/8 → None until the LNG is edited
    assert not s2s.reachable and (s2s.route.prefix, s2s.route.next_hop_type) == ("10.0.0.0/8", "None")
    assert s2s.report.for_subnet("vnet1", "app") == [] and "typed by hand" in s2s.trace.reason
    # peering: VNet1's link needs a sync (§6.4)
    assert not peering.reachable and "sync" in peering.trace.reason
    assert "✓" in s3.columns["Vnet2Vnet"].value and "✗" in s3.columns["IPsec"].value
    assert escape(s2s.trace.reason) in s3.columns["IPsec"].value


def test_editing_the_lng_and_syncing_the_peering_catch_up(s3):
    add(s3, "10.22.0.0/16")
    s3.lng_prefixes.value = "10.2.0.0/16, 10.22.0.0/16"
    s3.lng_button.click()
    assert s3.errors.value == ""
    ipsec = s3.session.view("IPsec")
    assert ipsec.reachable and [(c.prefix, c.kind) for c in ipsec.report.for_subnet("vnet1", "app")] == [
        ("10.22.0.0/16", "added")]
    assert s3.session.view("Peering").reachable is False
    s3.sync_button.click()
    peering = s3.session.view("Peering")
    assert peering.reachable and peering.route.next_hop_type == "VNetPeering"
    assert s3.answer_data() == {"ranges_added": ["10.22.0.0/16"], "lng_prefixes": ["10.2.0.0/16", "10.22.0.0/16"],
                                "verdicts": {"Vnet2Vnet": "Reachable", "IPsec": "Reachable", "Peering": "Reachable"}}


def test_a_refused_range_changes_no_copy_and_shows_inline(s3):
    before = {side: net.to_dict() for side, net in s3.session.sides.items()}
    add(s3, "10.1.128.0/17")  # overlaps vnet1: a peered VNet's ranges must not overlap (§6.3)
    assert "overlaps" in s3.errors.value and "10.1.128.0/17" in s3.errors.value
    assert {side: net.to_dict() for side, net in s3.session.sides.items()} == before
    add(s3, "not a range")
    assert "not a range" in s3.errors.value
    add(s3, "10.22.0.0/16")  # and it keeps working
    assert s3.errors.value == "" and s3.session.added == ["10.22.0.0/16"]


def test_a_bad_lng_prefix_shows_inline(s3):
    s3.lng_prefixes.value = "10.2.0.0/16, 10.22.0.5/16"
    s3.lng_button.click()
    assert "10.22.0.5/16" in s3.errors.value
    assert s3.session.lng_prefixes() == ["10.2.0.0/16"]


def test_propagation_session_needs_two_gateways():
    with pytest.raises(VnetlabError, match="two VNets with VPN gateways"):
        PropagationSession(vl.load_scenario("hub-and-spoke"))
    session = PropagationSession()  # the two-gateways scenario: facts S3's VNet1 10.1.0.0/16, VNet2 10.2.0.0/16
    assert (session.vnet1, session.vnet2) == ("vnet1", "vnet2")
    assert session.lng_prefixes() == ["10.2.0.0/16"]


# --- next-hop explorer (S1, S2) -------------------------------------------------------------------------------------
@pytest.fixture
def hop():
    return NextHopExplorer(vl.load_scenario("hub-spoke-onprem"))


def overlay(fig: go.Figure) -> list[str]:
    (path,) = [t for t in fig.data if t.meta and t.meta.get("role") == "trace"]
    return path.meta["path"]


def test_destinations_list_every_vm_and_the_site(hop):
    net = vl.load_scenario("hub-spoke-onprem")
    values = [v for _, v in hop.destination.options]
    assert [str(n.ip) for n in net.nics] == values[:len(net.nics)]
    site = values[len(net.nics):]
    assert len(site) == 1 and vl.parse_address(site[0]) in vl.parse_prefix("192.168.1.0/24")
    assert [v for _, v in hop.source.options] == [n.name for n in net.nics]


def test_s1_spoke_to_branch_hops_route_and_overlay(hop):
    figure, routes_figure = hop.figure, hop.routes_figure
    hop.source.value = "vm-spoke1"
    hop.destination.value = [v for label, v in hop.destination.options if label.startswith("site branch")][0]
    assert hop.errors.value == ""
    assert "Reachable" in hop.hops.value and "IPsec tunnel" in hop.hops.value and "to gateway" in hop.hops.value
    (table,) = hop.routes_figure.data
    i = table.meta["chosen"]
    assert (table.meta["prefixes"][i], table.meta["next_hop_types"][i]) == ("192.168.1.0/24", "VirtualNetworkGateway")
    assert (table.meta["vnet"], table.meta["subnet"]) == ("spoke1", "app")
    assert overlay(hop.figure) == ["spoke1", "hub", "branch"]
    assert hop.figure is figure and hop.routes_figure is routes_figure  # redrawn in place
    assert hop.answer_data() == {"source": "vm-spoke1", "destination": hop.current.trace.dst, "verdict": "Reachable",
                                 "next_hop_type": "VirtualNetworkGateway", "prefix": "192.168.1.0/24"}


def test_a_typed_address_wins_s2_spoke_to_spoke_is_dropped(hop):
    hop.source.value = "vm-spoke1"
    hop.address.value = "10.2.1.4"
    assert hop.current.trace.dst == "10.2.1.4"
    assert "Dropped" in hop.hops.value and "not transitive" in hop.hops.value  # S2
    (table,) = hop.routes_figure.data
    assert table.meta["prefixes"][table.meta["chosen"]] == "10.0.0.0/8"
    hop.address.value = ""  # back to the dropdown
    assert hop.current.trace.dst == hop.destination.value


def test_a_bad_address_shows_inline_and_the_explorer_recovers(hop):
    hop.address.value = "10.2.1"
    assert "10.2.1" in hop.errors.value and isinstance(hop.last_error, VnetlabError)
    hop.address.value = "8.8.8.8"
    assert hop.errors.value == "" and hop.current.trace.verdict == "Internet"


def test_next_hop_session_without_widgets():
    session = NextHopSession(vl.load_scenario("hub-spoke-onprem"))
    view = session.view("vm-spoke2", "192.168.1.10")  # spoke2 uses the hub's gateway too (S1)
    assert view.trace.reachable and view.routes.lookup("192.168.1.10").next_hop_type == "VirtualNetworkGateway"
    assert isinstance(view.topology, go.Figure) and isinstance(view.routes_figure, go.Figure)
    with pytest.raises(VnetlabError):
        session.view("vm-spoke2", "192.168.1.300")


def test_explorers_display_as_their_widget(hop, s3):
    for explorer in (hop, s3):
        bundle = explorer._repr_mimebundle_()
        assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.widget.model_id
