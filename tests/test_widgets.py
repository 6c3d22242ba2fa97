"""The explorers as a learner uses them: type, tick, click; read the table, the matrix, the figure.

Widgets are driven without a browser (setting ``.value`` and ``.click()`` run the same Python callbacks
the front end triggers). Expected values come from the engine and the facts: usable = size − 5 and
host-bits rules (VNet FAQ, azure-facts.md §9), non-transitive peering (§6.3, S2),
allow_virtual_network_access off = no traffic (§6.2), gateway transit needs a gateway (§6.2, S6).
"""
from __future__ import annotations

import json
from html import escape

import plotly.graph_objects as go
import pytest

import vnetlab as vl
from vnetlab.addressing import check_vnet_range
from vnetlab.errors import GatewayTransitError, HostBitsSetError, PeeringError, ReservedRangeError
from vnetlab.widgets import AddressPlanner, PeeringExplorer
from vnetlab.widgets.address_planner import plan_view
from vnetlab.widgets.peering_explorer import PeeringSession


def engine_message(exc_type, call, *args, **kwargs) -> str:
    """The message the engine gives for a mistake, as the widget's HTML shows it."""
    with pytest.raises(exc_type) as err:
        call(*args, **kwargs)
    return escape(str(err.value))


def overlap_prefixes(fig: go.Figure) -> set[str]:
    return {p for t in fig.data if t.meta and t.meta.get("role") == "prefixes" and t.meta["status"] == "overlap"
            for p in t.meta["prefixes"]}


def edges(fig: go.Figure) -> set[frozenset]:
    return {frozenset(p) for t in fig.data if t.meta and t.meta.get("role") == "peerings" for p in t.meta["pairs"]}


# --- address planner ---------------------------------------------------------------------------------------
def test_invalid_prefix_shows_the_error_inline_and_keeps_the_rest_of_the_table():
    planner = AddressPlanner("10.0.1.0/24\n10.0.2.0/24")
    assert planner.errors.value == ""
    planner.textarea.value = "10.0.1.0/24\n10.0.2.5/24\n10.0.3.0/24"
    message = engine_message(HostBitsSetError, vl.parse_prefix, "10.0.2.5/24")
    assert message in planner.errors.value and message in planner.table.value
    for good in ("10.0.1.0/24", "10.0.3.0/24"):
        assert good in planner.table.value
        assert str(vl.subnet_info(good).usable) in planner.table.value  # 251 = 256 - 5 (VNet FAQ)
    assert planner.plan.valid_prefixes == ["10.0.1.0/24", "10.0.3.0/24"]
    planner.textarea.value = "10.0.1.0/24\n10.0.2.0/24"  # fixed: the error goes away
    assert planner.errors.value == "" and planner.plan.ok


def test_an_overlap_is_listed_and_highlighted_in_the_figure():
    planner = AddressPlanner("10.0.0.0/24")
    figure = planner.figure
    planner.textarea.value = "10.0.0.0/24\n10.0.0.128/25\n10.0.4.0/24"
    (o,) = vl.find_overlaps(["10.0.0.0/24", "10.0.0.128/25", "10.0.4.0/24"])
    assert f"{o.a} overlaps {o.b}" in planner.table.value
    assert planner.figure is figure  # updated in place, not replaced
    assert overlap_prefixes(planner.figure) == {o.a, o.b}


def test_next_free_follows_the_slider_and_the_typed_subnets():
    planner = AddressPlanner("10.0.0.0/24", space="10.0.0.0/16")
    for n in (24, 26, 20):
        planner.prefixlen.value = n
        expected = vl.next_free_subnet("10.0.0.0/16", ["10.0.0.0/24"], n)
        assert f"<b>{expected}</b>" in planner.next_free.value
    planner.prefixlen.value = 24
    planner.textarea.value = "10.0.0.0/24\n10.0.1.0/24"
    assert f"<b>{vl.next_free_subnet('10.0.0.0/16', ['10.0.0.0/24', '10.0.1.0/24'], 24)}</b>" in planner.next_free.value


def test_next_free_says_when_the_space_is_full():
    planner = AddressPlanner("10.0.0.0/24", space="10.0.0.0/24")
    planner.prefixlen.value = 24
    assert vl.next_free_subnet("10.0.0.0/24", ["10.0.0.0/24"], 24) is None
    assert "No free /24" in planner.next_free.value


def test_a_refused_address_space_shows_inline_and_the_planner_recovers():
    planner = AddressPlanner("10.0.0.0/24")
    planner.space.value = "169.254.0.0/16"  # link-local: Azure refuses it (VNet FAQ)
    assert engine_message(ReservedRangeError, check_vnet_range, "169.254.0.0/16") in planner.errors.value
    planner.space.value = "10.0.0.0/16"
    assert planner.errors.value == "" and "10.0.1.0/24" in planner.next_free.value


def test_answer_data_is_plain_data_of_the_valid_prefixes():
    planner = AddressPlanner("10.0.1.0/24\nnot-a-prefix\n10.0.2.0/24", space="10.0.0.0/16")
    data = planner.answer_data()
    assert data == {"space": "10.0.0.0/16", "prefixes": ["10.0.1.0/24", "10.0.2.0/24"]}
    assert json.loads(json.dumps(data)) == data


def test_planner_logic_layer_without_widgets():
    view = plan_view("10.0.1.0/24\n10.0.1.0/25", "10.0.0.0/16", 24)
    assert view.plan == vl.analyze_plan(["10.0.1.0/24", "10.0.1.0/25"], ["10.0.0.0/16"])
    assert isinstance(view.figure, go.Figure) and overlap_prefixes(view.figure) == {"10.0.1.0/24", "10.0.1.0/25"}


def test_planner_displays_as_its_widget():
    planner = AddressPlanner()
    bundle = planner._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == planner.widget.model_id


# --- peering explorer ------------------------------------------------------------------------------------------
@pytest.fixture
def explorer():
    return PeeringExplorer(vl.load_scenario("hub-and-spoke"))


def select(explorer: PeeringExplorer, a: str, b: str) -> None:
    explorer.vnet_a.value = a
    explorer.vnet_b.value = b


def cell(explorer: PeeringExplorer, src: str, dst: str) -> bool:
    return explorer.network.reachability().reachable(src, dst)


def test_peering_two_spokes_makes_their_vms_reachable_and_adds_an_edge(explorer):
    figure = explorer.figure
    assert not cell(explorer, "vm-spoke1", "vm-spoke2")
    assert "not transitive" in explorer.matrix.value  # facts §6.3, S2
    before = edges(explorer.figure)
    select(explorer, "spoke1", "spoke2")
    explorer.peer_button.click()
    assert explorer.errors.value == ""
    assert cell(explorer, "vm-spoke1", "vm-spoke2") and cell(explorer, "vm-spoke2", "vm-spoke1")
    assert "not transitive" not in explorer.matrix.value
    assert "✗" not in explorer.matrix.value  # every VM now reaches every other
    assert edges(explorer.figure) - before == {frozenset(("spoke1", "spoke2"))}
    assert explorer.figure is figure
    assert "Reachable" in explorer.figure.layout.title.text  # the pair's trace overlay


def test_removing_the_peering_brings_back_the_not_transitive_reason(explorer):
    select(explorer, "spoke1", "spoke2")
    explorer.peer_button.click()
    explorer.unpeer_button.click()
    assert explorer.errors.value == ""
    assert not cell(explorer, "vm-spoke1", "vm-spoke2")
    reason = explorer.network.trace("vm-spoke1", "10.2.1.4").reason
    assert "not transitive" in reason and escape(reason) in explorer.matrix.value
    assert frozenset(("spoke1", "spoke2")) not in edges(explorer.figure)


def test_switching_off_virtual_network_access_on_a_link_stops_the_peerings_traffic(explorer):
    select(explorer, "spoke1", "hub")
    assert explorer.allow_virtual_network_access.value is True  # Azure's default (facts §6.2)
    explorer.allow_virtual_network_access.value = False
    assert explorer.errors.value == ""
    assert explorer.network.peering("spoke1", "hub").settings.allow_virtual_network_access is False
    assert not cell(explorer, "vm-spoke1", "vm-hub")
    assert not cell(explorer, "vm-hub", "vm-spoke1")  # "Off = peering exists but no traffic" (facts §6.2)
    assert cell(explorer, "vm-hub", "vm-spoke2")
    explorer.allow_virtual_network_access.value = True
    assert cell(explorer, "vm-spoke1", "vm-hub")


@pytest.mark.parametrize("setting", ["allow_gateway_transit", "use_remote_gateways"])
def test_gateway_settings_on_a_link_show_the_teaching_message_inline(explorer, setting):
    select(explorer, "hub", "spoke1")
    expected = engine_message(GatewayTransitError, vl.load_scenario("hub-and-spoke").set_peering, "hub", "spoke1",
                              **{setting: True})
    getattr(explorer, setting).value = True  # no gateway exists in this module
    assert expected in explorer.errors.value
    assert getattr(explorer, setting).value is False  # the box shows the link's real setting again
    assert getattr(explorer.network.peering("hub", "spoke1").settings, setting) is False
    # ... and the explorer keeps working
    select(explorer, "spoke1", "spoke2")
    explorer.peer_button.click()
    assert explorer.errors.value == "" and cell(explorer, "vm-spoke1", "vm-spoke2")


def test_gateway_settings_on_a_new_peering_refuse_the_peer_click_then_recover(explorer):
    select(explorer, "spoke1", "spoke2")
    explorer.allow_gateway_transit.value = True
    explorer.peer_button.click()
    expected = engine_message(GatewayTransitError, vl.load_scenario("hub-and-spoke").peer, "spoke1", "spoke2",
                              allow_gateway_transit="spoke1")
    assert expected in explorer.errors.value
    assert explorer.network.vnet("spoke1").peerings.get("spoke2") is None  # nothing half-created
    explorer.allow_gateway_transit.value = False
    explorer.peer_button.click()
    assert explorer.errors.value == "" and cell(explorer, "vm-spoke1", "vm-spoke2")


def test_other_refusals_show_inline_too(explorer):
    select(explorer, "hub", "hub")
    explorer.peer_button.click()
    assert engine_message(PeeringError, vl.load_scenario("hub-and-spoke").peer, "hub", "hub") in explorer.errors.value
    select(explorer, "spoke1", "spoke2")
    explorer.unpeer_button.click()  # not peered
    assert "not peered" in explorer.errors.value


def test_a_bug_in_a_callback_does_not_escape(explorer, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(explorer.session, "peer", broken)
    select(explorer, "spoke1", "spoke2")
    explorer.peer_button.click()  # must not raise
    assert "boom" in explorer.errors.value and isinstance(explorer.last_error, RuntimeError)


def test_explorer_works_on_a_copy_and_answers_with_plain_data():
    net = vl.load_scenario("hub-and-spoke")
    explorer = PeeringExplorer(net)
    select(explorer, "spoke1", "spoke2")
    explorer.peer_button.click()
    assert "spoke2" not in net.vnet("spoke1").peerings  # the learner's own network is untouched
    data = explorer.answer_data()
    assert data == explorer.network.to_dict() and json.loads(json.dumps(data)) == data
    rebuilt = vl.Network.from_dict(data)
    assert rebuilt.trace("10.1.1.4", "10.2.1.4").reachable


def test_checkboxes_reflect_the_selected_link(explorer):
    select(explorer, "spoke1", "hub")
    explorer.allow_forwarded_traffic.value = True
    select(explorer, "spoke2", "hub")
    assert explorer.allow_forwarded_traffic.value is False  # spoke2's link keeps Azure's default
    select(explorer, "spoke1", "hub")
    assert explorer.allow_forwarded_traffic.value is True
    assert explorer.network.peering("spoke1", "hub").settings.allow_forwarded_traffic is True


def test_session_logic_without_widgets():
    session = PeeringSession(vl.load_scenario("hub-and-spoke"))
    assert session.settings("spoke1", "spoke2") == vl.PeeringSettings()  # not peered: Azure's defaults
    session.peer("spoke1", "spoke2", vl.PeeringSettings())
    assert session.net.trace("vm-spoke1", "10.2.1.4").reachable
    assert "✓" in session.matrix_html() and "Connected" in session.pair_html("spoke1", "spoke2")
    assert session.pair_trace("spoke1", "spoke2").reachable


def test_explorer_displays_as_its_widget(explorer):
    bundle = explorer._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.widget.model_id
