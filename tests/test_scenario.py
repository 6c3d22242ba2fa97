"""Scenarios: YAML round trip, packaged scenarios, format errors that name the place, and bounded YAML aliases."""
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


def billion_laughs(levels: int = 9, fan_out: int = 9) -> str:
    """The classic YAML bomb: each anchor lists its predecessor ``fan_out`` times, so the last one stands for
    ``fan_out ** levels`` strings (9 ** 9 = 387,420,489 here) in about 600 bytes."""
    lines = ["lol0: &lol0 [" + ", ".join(["lol"] * fan_out) + "]"]
    lines += [f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * fan_out) + "]" for i in range(1, levels)]
    return "\n".join(lines) + f"\nvnets: *lol{levels - 1}\n"


def test_a_billion_laughs_scenario_is_refused_while_it_is_read():
    text = billion_laughs()
    assert len(text) < 700
    with pytest.raises(ScenarioError, match=r"Alias \*lol\d at line \d+ .*aliases may add at most 10,000") as err:
        vl.Network.from_yaml(text)
    assert err.value.value.startswith("*lol") and "aliases" in err.value.rule


def test_merge_keys_count_as_alias_copies_too():
    lines = ["m0: &m0 {a: 1, b: 2, c: 3}"]
    lines += [f"m{i}: &m{i} {{<<: [" + ", ".join([f"*m{i - 1}"] * 9) + f"], k{i}: 0}}" for i in range(1, 9)]
    with pytest.raises(ScenarioError, match="aliases may add at most"):
        vl.Network.from_yaml("\n".join(lines) + "\nvnets: []\n")


def test_an_alias_inside_the_value_it_names_is_refused():
    with pytest.raises(ScenarioError, match=r"Alias \*loop at line 1 is used inside the value it names"):
        vl.Network.from_yaml("vnets: &loop [name: a, *loop]\n")


@pytest.mark.parametrize("text", [
    "vnets: " + "[" * 5000 + "]" * 5000,  # written
    "\n".join(["x0: &x0 [1]"] + [f"x{i}: &x{i} [*x{i - 1}]" for i in range(1, 40)]) + "\nvnets: *x39\n",  # aliases
])
def test_nesting_deeper_than_the_bound_is_refused(text):
    with pytest.raises(ScenarioError, match="nest(ed|s)? .*more than 32 levels deep"):
        vl.Network.from_yaml(text)


def test_aliases_within_the_bound_repeat_part_of_a_scenario():
    text = """
vnets:
  - {name: web, address_space: [10.1.0.0/16], region: westeurope, subnets: [{name: s, prefix: 10.1.0.0/24}]}
  - {name: app, address_space: [10.2.0.0/16], region: westeurope, subnets: [{name: s, prefix: 10.2.0.0/24}]}
network_security_groups:
  - name: web-nsg
    rules: &https
      - {name: allow-https, priority: 100, direction: Inbound, access: Allow, protocol: Tcp,
         source: Internet, source_ports: "*", destination: "*", destination_ports: "443"}
    associations: [{vnet: web, subnet: s}]
  - {name: app-nsg, rules: *https, associations: [{vnet: app, subnet: s}]}
"""
    net = vl.Network.from_yaml(text)
    groups = net.to_dict()["network_security_groups"]
    assert [g["name"] for g in groups] == ["web-nsg", "app-nsg"]
    assert groups[0]["rules"] == groups[1]["rules"] and groups[1]["rules"][0]["name"] == "allow-https"


def test_yaml_output_is_the_documented_format():
    data = yaml.safe_load(vl.load_scenario("global-cross-tenant").to_yaml())
    assert set(data) == {"name", "description", "vnets", "peerings"}
    assert data["peerings"][0]["vnet"] == "contoso-we" and data["peerings"][0]["allow_virtual_network_access"] is True


def test_a_network_displays_itself_as_tables():
    net = vl.load_scenario("hub-spoke-onprem")
    html = net._repr_html_()
    assert "<table" in html and "Peering links" in html and "Gateway connections" in html
    assert all(name in html for name in net.vnets) and "Connected" in html


def test_scenarios_and_policies_accept_azure_property_names():
    # A scenario pasted with Azure's REST names (facts §6.2 peering properties, §4.2 policy fields) builds the same
    # network as the Python spellings
    import vnetlab as vl

    azure = {
        "vnets": [
            {"name": "hub", "addressSpace": ["10.0.0.0/16"], "region": "westeurope",
             "subnets": [{"name": "GatewaySubnet", "prefix": "10.0.255.0/27"}]},
            {"name": "spoke", "addressSpace": ["10.1.0.0/16"], "region": "westeurope",
             "subnets": [{"name": "app", "prefix": "10.1.1.0/24", "nics": [{"name": "vm", "ip": "10.1.1.4"}]}]}],
        "vpnGateways": [{"vnet": "hub", "sku": "VpnGw2AZ", "vpnType": "RouteBased"}],
        "localNetworkGateways": [{"name": "branch", "gatewayIp": "198.51.100.10", "prefixes": ["192.168.1.0/24"]}],
        "peerings": [{"vnet": "hub", "remote": "spoke", "allowGatewayTransit": True},
                     {"vnet": "spoke", "remote": "hub", "useRemoteGateways": True}],
        "connections": [{"vnet": "hub", "remote": "branch", "connectionType": "IPsec", "ipsecPolicy": {
            "ikeEncryption": "AES256", "ikeIntegrity": "SHA256", "dhGroup": "DHGroup14", "ipsecEncryption": "AES256",
            "ipsecIntegrity": "SHA256", "pfsGroup": "PFS2048", "saLifeTimeSeconds": 3600,
            "saDataSizeKilobytes": 102400000, "dpdTimeoutSeconds": 30}}],
    }
    net = vl.Network.from_dict(azure)
    assert net.peering("hub", "spoke").settings.allow_gateway_transit
    assert net.peering("spoke", "hub").settings.use_remote_gateways
    policy = net.connection("hub", "hub-to-branch").ipsec_policy
    assert (policy.sa_lifetime_seconds, policy.sa_data_size_kb, policy.dpd_timeout_seconds) == (3600, 102400000, 30)
    assert net.trace("vm", "192.168.1.10").reachable  # S1 through the pasted transit settings
    assert vl.Network.from_yaml(net.to_yaml()).to_dict() == net.to_dict()  # written back in Python spellings
    # the minimum still applies in Azure's spelling (§4.2: SA lifetime >= 300 s)
    with pytest.raises(vl.VnetlabError, match="sa_lifetime_seconds"):
        vl.IpsecPolicy.from_dict({**azure["connections"][0]["ipsecPolicy"], "saLifeTimeSeconds": 60})
