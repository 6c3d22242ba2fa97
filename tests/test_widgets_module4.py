"""The module 4 widgets as a learner uses them: compare peering with the VPN options, ask the design advisor.

Widgets are driven without a browser (``.value`` runs the callbacks the front end triggers). Expected values come
from the fact sheet, not from the code under test: worked scenario S12 (two VNets in one region, 1,000 GB a month:
peering $0.01 out + $0.01 in per GB = $20; VNet-to-VNet with two VpnGw1AZ at $0.21/h × 730 h = $306.60; West Europe →
Japan West global peering $0.035 out + $0.09 in per GB = $125), §10.1 (VpnGw2AZ–5AZ hourly prices not found; the
cross-region VNet-to-VNet egress meter $0.035/GB), §2.1 (a gateway takes 45 minutes or more; peering has no figure).
"""
from __future__ import annotations

import json

import pytest

from vnetlab.compare import break_even_gb, compare
from vnetlab.design import Requirements, recommend
from vnetlab.plots import comparison_figure, cost_curve_figure
from vnetlab.widgets import ComparisonExplorer, DesignAdvisor
from vnetlab.widgets.comparison_explorer import Inputs, comparison_view

SAME_REGION_PEERING_PER_GB = 0.01 + 0.01            # §10.2: out + in
V2V_VPNGW1AZ_MONTH = 2 * 730 * 0.21                   # S12: $306.60
SAME_REGION_BREAK_EVEN = V2V_VPNGW1AZ_MONTH / SAME_REGION_PEERING_PER_GB  # 15,330 GB a month


def role(fig, name: str) -> list:
    return [d for d in fig.data if (d.meta or {}).get("role") == name]


def costs(explorer: ComparisonExplorer) -> dict[str, float | None]:
    return {name: figures["monthly_cost_usd"] for name, figures in explorer.answer_data()["options"].items()}


# --- comparison explorer ----------------------------------------------------------------------------------------
def test_volume_changes_the_costs_and_the_break_even_stays_where_the_engine_puts_it():
    explorer = ComparisonExplorer()
    assert explorer.errors.value == ""
    assert costs(explorer)["VNet peering"] == pytest.approx(20.0)                 # S12
    assert costs(explorer)["VNet-to-VNet"] == pytest.approx(V2V_VPNGW1AZ_MONTH)   # S12
    (mark,) = [t for t in role(explorer.cost_figure, "break-even") if t.meta["option"] == "VNet-to-VNet"]
    assert mark.meta["gb"] == pytest.approx(SAME_REGION_BREAK_EVEN)
    assert mark.meta["gb"] == pytest.approx(break_even_gb("westeurope", "westeurope", "VpnGw1AZ", "VNet-to-VNet"))
    table_before = explorer.table.value

    explorer.volume_slider.value = 5000
    assert explorer.volume.value == 5000 and explorer.errors.value == ""
    assert costs(explorer)["VNet peering"] == pytest.approx(5000 * SAME_REGION_PEERING_PER_GB)
    assert costs(explorer)["VNet-to-VNet"] == pytest.approx(V2V_VPNGW1AZ_MONTH)  # same-region data is free (§3.3)
    assert explorer.table.value != table_before and "100.00" in explorer.table.value
    bars = {(t.meta["option"], t.meta["metric"]): t.meta["value"] for t in role(explorer.figure, "figure")}
    assert bars[("VNet peering", "monthly_cost_usd")] == pytest.approx(100.0)
    (moved,) = [t for t in role(explorer.cost_figure, "break-even") if t.meta["option"] == "VNet-to-VNet"]
    assert moved.meta["gb"] == pytest.approx(SAME_REGION_BREAK_EVEN)
    assert any("your volume: 5,000 GB" in a.text for a in explorer.cost_figure.layout.annotations)
    assert "15,330 GB/month" in explorer.break_even.value


def test_global_peering_prices_by_billing_zone_and_moves_the_break_even():
    explorer = ComparisonExplorer(b_region="japanwest")
    assert costs(explorer)["VNet peering"] == pytest.approx(125.0)  # S12: $35 out + $90 in
    # cross-region VNet-to-VNet pays the gateways plus $0.035/GB egress (§10.1)
    assert costs(explorer)["VNet-to-VNet"] == pytest.approx(V2V_VPNGW1AZ_MONTH + 1000 * 0.035)
    expected = V2V_VPNGW1AZ_MONTH / ((0.035 + 0.09) - 0.035)
    (mark,) = [t for t in role(explorer.cost_figure, "break-even") if t.meta["option"] == "VNet-to-VNet"]
    assert mark.meta["gb"] == pytest.approx(expected)


def test_an_unknown_price_is_shown_as_unknown_never_as_zero():
    explorer = ComparisonExplorer()
    explorer.sku.value = "VpnGw2AZ"  # §10.1: VpnGw2AZ–VpnGw5AZ hourly prices not found
    assert explorer.errors.value == ""
    assert costs(explorer)["VNet-to-VNet"] is None and costs(explorer)["Site-to-Site"] is None
    assert costs(explorer)["VNet peering"] == pytest.approx(20.0)
    unknown = {(t.meta["option"], t.meta["metric"]) for t in role(explorer.figure, "unknown")}
    assert {("VNet-to-VNet", "monthly_cost_usd"), ("Site-to-Site", "monthly_cost_usd")} <= unknown
    assert not [t for t in role(explorer.figure, "figure") if t.meta["metric"] == "monthly_cost_usd"
                and t.meta["option"] != "VNet peering"]
    assert all("no sourced figure" in t.text[0] for t in role(explorer.figure, "unknown"))
    assert "no sourced figure" in explorer.table.value
    assert {t.meta["option"] for t in role(explorer.cost_figure, "unknown")} == {"VNet-to-VNet", "Site-to-Site"}
    assert not role(explorer.cost_figure, "break-even") and "no break-even" in explorer.break_even.value
    assert any("no sourced figure for the price, not drawn" in a.text for a in explorer.cost_figure.layout.annotations)
    assert explorer.answer_data()["break_even_gb"] == {"VNet-to-VNet": None, "Site-to-Site": None}


def test_bad_input_is_shown_inline_and_the_explorer_keeps_working():
    explorer = ComparisonExplorer()
    shown = explorer.answer_data()
    explorer.volume.value = -5
    assert "-5" in explorer.errors.value and "0 or more" in explorer.errors.value
    assert explorer.answer_data() == shown  # the last good comparison stays
    explorer.distance_km.value = "far"
    assert "'far'" in explorer.errors.value or "&#x27;far&#x27;" in explorer.errors.value
    explorer.distance_km.value = ""
    explorer.volume.value = 2000
    assert explorer.errors.value == "" and explorer.volume_slider.value == 2000  # the slider follows a typed volume
    assert costs(explorer)["VNet peering"] == pytest.approx(2000 * SAME_REGION_PEERING_PER_GB)


def test_inputs_reach_the_engine_and_answer_data_round_trips_through_json():
    explorer = ComparisonExplorer(a_region="westeurope", b_region="northeurope")
    explorer.distance_km.value = "1000"
    explorer.vm_mbps.value = "8000"
    explorer.algorithm.value = "AES256+SHA256"
    data = explorer.answer_data()
    assert json.loads(json.dumps(data)) == data
    assert data["inputs"] == {"a_region": "westeurope", "b_region": "northeurope", "gb_per_month": 1000.0,
                              "distance_km": 1000.0, "sku": "VpnGw1AZ", "vm_mbps": 8000.0, "algorithm": "AES256+SHA256"}
    assert data["options"]["VNet peering"]["throughput_mbps"] == 8000.0   # peering: the VM's limit only
    assert data["options"]["VNet-to-VNet"]["throughput_mbps"] == 500.0    # §1.3: VpnGw1AZ, AES256+SHA256, one tunnel
    assert data["options"]["VNet-to-VNet"]["time_to_ready_min"] == 45.0   # §2.1
    assert data["options"]["VNet peering"]["time_to_ready_min"] is None   # "Fast": no figure
    engine = compare("westeurope", "northeurope", 1000.0, 0.0, "VpnGw1AZ", distance_km=1000.0, vm_mbps=8000.0,
                     algorithm="AES256+SHA256")
    assert data["options"]["Site-to-Site"]["latency_ms"] == engine.option("Site-to-Site").latency_ms.value


def test_the_provisioning_timeline_shows_gateways_and_no_figure_for_peering():
    explorer = ComparisonExplorer()
    (steps,) = role(explorer.timeline_figure, "steps")
    assert list(steps.meta["minutes"]) == [45, 45]          # §2.1, the two gateways created in parallel
    assert list(steps.meta["starts"]) == [0, 0]
    (unknown,) = role(explorer.timeline_figure, "unknown")
    assert "peer" in unknown.meta["names"][0]


# --- design advisor -----------------------------------------------------------------------------------------------
def test_advisor_follows_the_guide_as_requirements_are_toggled():
    advisor = DesignAdvisor()
    assert advisor.errors.value == ""
    assert advisor.answer_data()["design"] == recommend(Requirements()).design
    assert advisor.answer_data()["components"] == ["VNet peering"]
    advisor.controls["on_premises_sites"].value = 2
    expected = recommend(Requirements(on_premises_sites=2))
    assert advisor.answer_data()["design"] == expected.design and "Site-to-Site" in expected.design
    assert expected.sku and expected.sku in advisor.result.value
    advisor.controls["on_premises_sites"].value = 0
    advisor.controls["encryption_mandate"].value = True
    assert advisor.answer_data()["components"] == list(recommend(Requirements(encryption_mandate=True)).components)
    assert any("encryption" in c for c in advisor.answer_data()["components"])
    advisor.controls["overlapping_spaces"].value = True
    data = advisor.answer_data()
    assert "VNet peering" not in data["components"]  # peering refuses overlapping spaces (§6.3)
    assert data["design"] == recommend(Requirements(overlapping_spaces=True, encryption_mandate=True)).design
    assert data["requirements"]["overlapping_spaces"] is True
    assert json.loads(json.dumps(data)) == data


def test_advisor_shows_reasons_rejections_warnings_and_keeps_working_after_bad_input():
    advisor = DesignAdvisor(on_premises_sites=1)
    rec = advisor.current.recommendation
    for reason in rec.reasons + rec.rejected:
        assert reason.rule.replace("'", "&#x27;") in advisor.result.value or reason.rule in advisor.result.value
    assert rec.reasons[0].source.split(" ")[0] in advisor.result.value
    advisor.controls["deliver_within_minutes"].value = "10"  # a gateway takes 45 minutes or more (§2.1)
    assert advisor.errors.value == "" and advisor.answer_data()["requirements"]["deliver_within_minutes"] == 10.0
    assert advisor.current.recommendation.warnings and "45 minutes" in advisor.result.value
    shown = advisor.answer_data()
    advisor.controls["spokes"].value = -1
    assert "spokes" in advisor.errors.value and advisor.answer_data() == shown
    advisor.controls["monthly_budget_usd"].value = "lots"
    assert "lots" in advisor.errors.value
    advisor.controls["spokes"].value = 2
    advisor.controls["monthly_budget_usd"].value = ""
    assert advisor.errors.value == ""
    assert advisor.answer_data()["design"] == recommend(Requirements(on_premises_sites=1, spokes=2,
                                                                     deliver_within_minutes=10)).design


# --- figures ------------------------------------------------------------------------------------------------------
def test_comparison_figure_names_each_option_in_words_and_gives_each_figure_its_origin():
    cmp = compare("westeurope", "westeurope", 1000.0, 0.0, "VpnGw1AZ")
    fig = comparison_figure(cmp)
    legend = [t.name for t in fig.data if t.showlegend is not False]
    assert any(n.startswith("VNet peering (") for n in legend) and any(n.startswith("Site-to-Site (") for n in legend)
    assert len({t.marker.pattern.shape for t in role(fig, "figure")}) == 3  # pattern, not colour alone
    cost = {t.meta["option"]: t for t in role(fig, "figure") if t.meta["metric"] == "monthly_cost_usd"}
    assert cost["VNet-to-VNet"].meta["value"] == pytest.approx(V2V_VPNGW1AZ_MONTH)
    assert cmp.option("VNet-to-VNet").monthly_cost_usd.origin in cost["VNet-to-VNet"].meta["origin"]
    assert "origin:" in cost["VNet-to-VNet"].hovertext[0] and "$0.21/h" in cost["VNet-to-VNet"].hovertext[0]
    (peering_tp,) = [t for t in role(fig, "unknown") if t.meta["metric"] == "throughput_mbps"]  # no VM limit given
    assert peering_tp.meta["option"] == "VNet peering" and "no sourced figure" in peering_tp.name


def test_cost_curve_figure_marks_and_annotates_the_break_even_with_distinct_dashes():
    fig = cost_curve_figure("westeurope", "westeurope", [10, 100, 1000, 10_000, 100_000], "VpnGw1AZ", current_gb=1000,
                            scale="log")
    lines = role(fig, "cost")
    assert [t.meta["option"] for t in lines] == ["VNet peering", "VNet-to-VNet", "Site-to-Site"]
    assert len({t.line.dash for t in lines}) == 3 and all("line)" in t.name for t in lines)
    peering = next(t for t in lines if t.meta["option"] == "VNet peering")
    assert list(peering.y) == pytest.approx([v * SAME_REGION_PEERING_PER_GB for v in (10, 100, 1000, 10_000, 100_000)])
    (v2v,) = [t for t in role(fig, "break-even") if t.meta["option"] == "VNet-to-VNet"]
    assert v2v.x[0] == pytest.approx(SAME_REGION_BREAK_EVEN) and v2v.y[0] == pytest.approx(V2V_VPNGW1AZ_MONTH)
    texts = [a.text for a in fig.layout.annotations]
    assert any("break-even with VNet-to-VNet: 15,330 GB/month ($306.60)" in t for t in texts)
    assert any("your volume: 1,000 GB" in t for t in texts)
    assert fig.layout.xaxis.type == "log"  # this figure asked for it; the default is linear


def test_cost_curve_is_linear_by_default_and_shows_the_zero_gb_point():
    fig = cost_curve_figure("westeurope", "westeurope", [0, 5000, 10000, 20000], "VpnGw1AZ")
    assert fig.layout.xaxis.type == "linear" and fig.layout.xaxis.range[0] == 0
    peering = next(t for t in role(fig, "cost") if t.meta["option"] == "VNet peering")
    assert peering.x[0] == 0 and peering.y[0] == 0  # no traffic, no peering charge
    gateway = next(t for t in role(fig, "cost") if t.meta["option"] == "VNet-to-VNet")
    assert gateway.y[0] == pytest.approx(V2V_VPNGW1AZ_MONTH)  # the gateways cost the same at 0 GB


def test_comparison_view_is_the_engine_comparison():
    view = comparison_view(Inputs(gb_per_month=250.0))
    assert view.comparison == compare(gb_a_to_b=250.0)
    assert view.break_even["VNet-to-VNet"] == pytest.approx(SAME_REGION_BREAK_EVEN)
