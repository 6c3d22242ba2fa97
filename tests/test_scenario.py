"""Scenarios: YAML round trip, packaged scenarios, and format errors that name the place."""
import pytest
import yaml

import vnetlab as vl
from vnetlab.errors import ScenarioError, PeeringOverlapError, SubnetOutsideVnetError


@pytest.mark.parametrize("name", vl.list_scenarios())
def test_packaged_scenarios_load_and_round_trip(name):
    net = vl.load_scenario(name)
    again = vl.Network.from_yaml(net.to_yaml())
    assert again.to_dict() == net.to_dict()
    assert again.reachability().as_dict() == net.reachability().as_dict()


def test_round_trip_keeps_initiated_stale_and_disconnected_links():
    net = vl.load_scenario("hub-and-spoke")
    net.add_address_space("spoke2", "10.22.0.0/16")          # hub's link goes LocalNotInSync
    net.remove_peering_link("spoke1", "hub")                   # hub's link to spoke1 goes Disconnected
    net.add_vnet("lone", ["10.50.0.0/16"], region="westeurope")
    net.add_peering_link("lone", "hub")                        # Initiated
    again = vl.Network.from_yaml(net.to_yaml())
    assert again.peering("hub", "spoke2").peering_sync_level == "LocalNotInSync"
    assert again.peering("hub", "spoke1").peering_state == "Disconnected"
    assert again.peering("lone", "hub").peering_state == "Initiated"
    assert again.to_dict() == net.to_dict()


def test_unknown_scenario_lists_the_available_ones():
    with pytest.raises(ScenarioError, match="hub-and-spoke"):
        vl.load_scenario("nope")


@pytest.mark.parametrize("text, match", [
    ("vnets: 5", "vnets: expected a list"),
    ("[1, 2]", "expected a mapping"),
    ("vnets: [{name: a, region: eastus}]", "missing key"),
    ("vnets: [{name: a, address_space: [10.0.0.0/16], region: eastus, colour: red}]", "unknown key"),
    ("vnets: [{name: a, address_space: [10.0.0.0/16], region: eastus}]\npeerings: [{peer: [a]}]", "two VNet names"),
    ("vnets: [\n", "Not valid YAML"),
])
def test_format_errors(text, match):
    with pytest.raises(ScenarioError, match=match):
        vl.Network.from_yaml(text)


def test_rule_errors_name_the_place_in_the_file():
    doc = {"vnets": [{"name": "a", "address_space": ["10.0.0.0/16"], "region": "eastus",
                      "subnets": [{"name": "s", "prefix": "10.1.0.0/24"}]}]}
    with pytest.raises(SubnetOutsideVnetError, match=r"vnets\[0\]\.subnets\[0\]"):
        vl.Network.from_dict(doc)
    doc = {"vnets": [{"name": "a", "address_space": ["10.0.0.0/16"], "region": "eastus"},
                     {"name": "b", "address_space": ["10.0.0.0/8"], "region": "eastus"}],
           "peerings": [{"peer": ["a", "b"]}]}
    with pytest.raises(PeeringOverlapError, match=r"peerings\[0\]"):
        vl.Network.from_dict(doc)


def test_yaml_output_is_the_documented_format():
    data = yaml.safe_load(vl.load_scenario("global-cross-tenant").to_yaml())
    assert set(data) == {"name", "description", "vnets", "peerings"}
    assert data["peerings"][0]["vnet"] == "contoso-we" and data["peerings"][0]["allow_virtual_network_access"] is True


def test_a_network_displays_itself_as_tables():
    net = vl.load_scenario("hub-spoke-onprem")
    html = net._repr_html_()
    assert "<table" in html and "Peering links" in html and "Gateway connections" in html
    assert all(name in html for name in net.vnets) and "Connected" in html
