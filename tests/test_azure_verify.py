"""Verify: Azure's effective routes and effective NSG rules of a NIC against the simulator, row by row.

Azure's side comes from Microsoft: the REST API's effective-route and effective-NSG examples, and the route tables
of the routing example in *Virtual network traffic routing* (the packaged sample, vnetlab/data/azure-sample).
"""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from azure_support import RG1_VNET, SAMPLE, SAMPLE_RESOURCES, body

import vnetlab as vl
from vnetlab import azure
from vnetlab.azure.verify import AGREE, AZURE_ONLY, DIFFERS, SIM_ONLY, azure_routes


@pytest.fixture(scope="module")
def sample():
    return azure.import_azure(*SAMPLE_RESOURCES).network


def _rest_network():
    nic = body("NetworkInterfaceGet.json")
    nic["name"] = "nic1"  # the effective-route and effective-NSG examples are for nic1 in rg1-vnet/default
    nic["id"] = nic["id"].replace("test-nic", "nic1")
    return azure.import_azure([RG1_VNET, nic]).network


def test_rest_example_routes_all_agree_with_the_simulator() -> None:
    export = body("NetworkInterfaceEffectiveRouteTableList.json")
    check = azure.verify_routes(_rest_network(), "nic1", export)
    assert check.agrees and check.count(AGREE) == len(export["value"])
    assert all(r.rule for r in check.rows)  # each simulated row names the rule that produced it


def test_a_changed_row_is_reported_as_differing_in_that_field() -> None:
    export = body("NetworkInterfaceEffectiveRouteTableList.json")
    export["value"][0]["state"] = "Invalid"
    check = azure.verify_routes(_rest_network(), "nic1", export)
    row = next(r for r in check.rows if r.prefix == export["value"][0]["addressPrefix"][0])
    assert row.verdict == DIFFERS and "state" in row.note
    assert not check.agrees


def test_rows_on_one_side_only() -> None:
    export = body("NetworkInterfaceEffectiveRouteTableList.json")
    dropped = export["value"].pop(1)
    export["value"].append({"source": "Default", "state": "Active", "addressPrefix": ["20.38.0.0/16"],
                            "nextHopType": "VirtualNetworkServiceEndpoint", "nextHopIpAddress": []})
    check = azure.verify_routes(_rest_network(), "nic1", export)
    verdicts = {r.prefix: r for r in check.rows}
    assert verdicts[dropped["addressPrefix"][0]].verdict == SIM_ONLY
    assert verdicts["20.38.0.0/16"].verdict == AZURE_ONLY and "service endpoints" in verdicts["20.38.0.0/16"].note


def test_sample_subnet1_every_user_defined_route_of_the_article_agrees(sample) -> None:
    path = SAMPLE / "vm1-nic-effective-routes.json"
    check = azure.verify_routes(sample, "vm1-nic", path)
    azure_rows = azure_routes(path)
    assert len([r for r in check.rows if r.verdict != SIM_ONLY]) == len(azure_rows)  # every Azure row shown once
    simulated = sample.effective_routes("Virtual-network-1", "Subnet1")
    assert len([r for r in check.rows if r.verdict != AZURE_ONLY]) == len(simulated)  # every simulated row shown once
    user = [r for r in check.rows if " · User · " in r.azure]
    assert user and all(r.verdict == AGREE and "route table Subnet1-routes" in r.rule for r in user)
    endpoint = next(r for r in check.rows if "VirtualNetworkServiceEndpoint" in r.azure)
    assert endpoint.verdict == AZURE_ONLY


def test_sample_displays_as_html_and_text(sample) -> None:
    check = azure.verify_routes(sample, "vm2-nic", SAMPLE / "vm2-nic-effective-routes.json")
    assert "Azure vs simulator" in check._repr_html_() and check.summary() in str(check)


def test_verify_needs_a_nic_of_the_network_and_well_formed_rows(sample) -> None:
    with pytest.raises(azure.AzureImportError, match="No NIC named 'nic9'.*vm1-nic"):
        azure.verify_routes(sample, "nic9", SAMPLE / "vm1-nic-effective-routes.json")
    with pytest.raises(azure.AzureImportError, match="row 0: the field nextHopType is missing"):
        azure.verify_routes(sample, "vm1-nic", {"value": [{"addressPrefix": ["10.0.0.0/16"]}]})
    with pytest.raises(azure.AzureImportError, match="not JSON"):
        azure.verify_routes(sample, "vm1-nic", "{not json")


def _nsg_network():
    """nic1 in rg1-vnet/default, with NSG test-nsg holding the two custom rules the effective-NSG example lists."""
    net = _rest_network()
    net.add_network_security_group("test-nsg")
    export = body("NetworkInterfaceEffectiveNSGList.json")
    for rule in export["value"][0]["effectiveSecurityRules"]:
        kind, name = rule["name"].split("/")
        if kind == "securityRules":
            net.add_security_rule("test-nsg", name, rule["priority"], rule["direction"], rule["access"],
                                  rule["protocol"], rule["sourceAddressPrefix"], rule["sourcePortRange"],
                                  rule["destinationAddressPrefix"], rule["destinationPortRange"])
    net.associate_network_security_group("rg1-vnet", "default", nsg="test-nsg")
    return net, export


def test_nsg_example_rules_agree_in_azures_spelling_of_any() -> None:
    # Azure writes * as 0-65535, 0.0.0.0/0 and All, a single port as 3389-3389: the same rule either way.
    net, export = _nsg_network()
    check = azure.verify_nsg(net, "nic1", export)
    listed = {r["name"].split("/")[1] for r in export["value"][0]["effectiveSecurityRules"]}
    rows = {r.rule: r for r in check.rows}
    assert all(rows[name].verdict == AGREE for name in listed), check
    assert rows["default-allow-rdp"].produced_by == "NSG test-nsg on subnet rg1-vnet/default"
    others = [r for r in check.rows if r.rule not in listed]
    assert others and all(r.verdict == SIM_ONLY for r in others)  # the example lists three rules, not all


def test_nsg_not_associated_in_the_model_is_only_in_azure() -> None:
    check = azure.verify_nsg(_rest_network(), "nic1", body("NetworkInterfaceEffectiveNSGList.json"))
    assert check.rows and all(r.verdict == AZURE_ONLY for r in check.rows)
    assert "network manager" in check.rows[0].note  # the example's association names a network manager


def test_nsg_difference_names_the_field() -> None:
    net, export = _nsg_network()
    export["value"][0]["effectiveSecurityRules"][0]["access"] = "Deny"
    check = azure.verify_nsg(net, "nic1", json.dumps(export))
    row = next(r for r in check.rows if r.rule == "rule1")
    assert row.verdict == DIFFERS and row.note == "differs in access"



_json = st.recursive(st.none() | st.booleans() | st.integers(-5, 70000) | st.text(max_size=12),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                         st.sampled_from(["value", "addressPrefix", "nextHopType", "source", "state", "nextHopIpAddress",
                                          "effectiveSecurityRules", "networkSecurityGroup", "name", "priority",
                                          "direction", "access", "protocol", "sourcePortRange", "id"]), inner, max_size=5),
                     max_leaves=25)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(export=_json)
def test_any_export_gives_a_check_or_a_vnetlab_error(sample, export) -> None:
    for check in (azure.verify_routes, azure.verify_nsg):
        try:
            check(sample, "vm1-nic", export if isinstance(export, (dict, list)) else json.dumps(export))
        except vl.VnetlabError:
            pass
