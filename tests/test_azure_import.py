"""Import: Azure's own JSON becomes a checked network, and nothing in it is dropped without a report row.

The resources come from Microsoft's REST API reference examples (tests/data/azure/SOURCE.md); each test checks
the imported model against what the example's JSON states, read from the file, not restated here.
"""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from azure_support import REST, RG1_VNET, SAMPLE_RESOURCES, SUB_RG1, VNET1, body, comparable, vnet

import vnetlab as vl
from vnetlab import azure
from vnetlab.azure.arm import lookup
from vnetlab.nsg import default_rules


def test_virtual_network_example_gives_its_address_space_region_and_subnets() -> None:
    doc = body("VirtualNetworkGet.json")
    net = azure.import_azure(doc).network
    v = net.vnet(doc["name"])
    assert [str(p) for p in v.address_space] == doc["properties"]["addressSpace"]["addressPrefixes"]
    assert v.region == doc["location"]
    assert {s.name: str(s.prefix) for s in v.subnets.values()} == {
        s["name"]: s["properties"]["addressPrefix"] for s in doc["properties"]["subnets"]}
    assert v.subscription == doc["id"].split("/")[2]


def test_list_example_gives_every_vnet_and_reports_custom_dns_only_where_set() -> None:
    doc = body("VirtualNetworkList.json")  # the REST list shape: {"value": [...]}
    result = azure.import_azure(doc)
    for v in doc["value"]:
        ours = result.network.vnet(v["name"])
        assert [str(p) for p in ours.address_space] == v["properties"]["addressSpace"]["addressPrefixes"]
        dns = result.report.about(f"virtualNetworks/{v['name']}", "dhcpOptions")
        assert bool(dns) == bool(v["properties"]["dhcpOptions"]["dnsServers"])
        if dns:
            assert "DNS" in dns[0].reason


def test_subnet_delegation_is_reported() -> None:
    doc = body("VirtualNetworkGetWithSubnetDelegation.json")
    rows = azure.import_azure(doc).report.about("subnets/subnet1", "delegations")
    assert rows and "delegation" in rows[0].reason


def test_a_subnet_used_by_a_resource_vnetlab_does_not_model_is_reported() -> None:
    result = azure.import_azure(body("VirtualNetworkGet.json"))
    rows = result.report.about("subnets/subnet1", "ipConfigurations")
    assert rows and "loadbalancers" in rows[0].reason and "not modelled" in rows[0].reason


def test_peering_example_keeps_its_four_settings_and_state() -> None:
    link_doc = body("VirtualNetworkPeeringGet.json")
    # The example's own VNet (vnet1) is not in it; the test adds one (10.0.0.0/16, not overlapping 12.0.0.0/8).
    local = vnet(link_doc["id"].split("/virtualNetworkPeerings")[0], "westus", ["10.0.0.0/16"], {})
    result = azure.import_azure([local, link_doc])
    link = result.network.peering("vnet1", "vnet2")
    props = link_doc["properties"]
    for ours, theirs in (("allow_virtual_network_access", "allowVirtualNetworkAccess"),
                         ("allow_forwarded_traffic", "allowForwardedTraffic"),
                         ("allow_gateway_transit", "allowGatewayTransit"), ("use_remote_gateways", "useRemoteGateways")):
        assert getattr(link.settings, ours) is props[theirs]
    assert link.peering_state == props["peeringState"]
    assert link.peering_sync_level == props["peeringSyncLevel"]
    assert [str(p) for p in link.remote.address_space] == props["remoteVirtualNetworkAddressSpace"]["addressPrefixes"]
    assert not result.report.of_kind("differs")


def test_a_remote_vnet_missing_from_the_export_becomes_a_reported_stub() -> None:
    link_doc = body("VirtualNetworkPeeringGet.json")
    local = vnet(link_doc["id"].split("/virtualNetworkPeerings")[0], "westus", ["10.0.0.0/16"], {})
    report = azure.import_azure([local, link_doc]).report
    (row,) = report.about("virtualNetworkPeerings/peer", "remoteVirtualNetwork")
    assert row.kind == "inferred" and "vnet2" in row.reason and "VNetGlobalPeering" in row.reason


def test_a_peering_without_its_vnet_is_reported_not_dropped() -> None:
    result = azure.import_azure(body("VirtualNetworkPeeringGet.json"))
    assert not result.network.peering_links
    assert any("not in the export" in e.reason for e in result.report.about("virtualNetworkPeerings/peer"))


def test_connected_link_whose_other_side_is_missing_gets_it_with_the_transit_azure_requires() -> None:
    sample = json.loads(SAMPLE_RESOURCES[-1].parent.joinpath("vnets.json").read_text())
    spoke = next(v for v in sample if v["name"] == "Virtual-network-2")
    hub = next(v for v in sample if v["name"] == "Virtual-network-1")
    hub["virtualNetworkPeerings"] = []  # export only the spoke's link (Connected, useRemoteGateways)
    gateways = json.loads(SAMPLE_RESOURCES[0].parent.joinpath("vnet-gateways.json").read_text())
    result = azure.import_azure([hub, spoke] + gateways)
    back = result.network.peering("Virtual-network-1", "Virtual-network-2")
    assert back.settings.allow_gateway_transit and back.peering_state == "Connected"
    assert result.report.of_kind("inferred")


def test_microsofts_gateway_example_pairs_vpngw1_with_nat_rules_which_the_nat_docs_refuse() -> None:
    with pytest.raises(vl.VnetlabError) as err:
        azure.import_azure([VNET1, body("VirtualNetworkGatewayGet.json")])
    assert "virtualNetworkGateways/vpngw" in str(err.value) and "VpnGw2" in str(err.value)


def test_gateway_example_gives_its_sku_type_and_settings() -> None:
    doc = body("VirtualNetworkGatewayGet.json")
    doc["properties"].pop("natRules")  # see the test above
    result = azure.import_azure([VNET1, doc])
    g = result.network.gateway("vnet1")
    props = doc["properties"]
    assert (g.name, g.sku.name, g.vpn_type, g.active_active) == (doc["name"], props["sku"]["name"], props["vpnType"],
                                                                 props["activeActive"])
    assert g.bgp is props["enableBgp"]
    kinds = {e.property: e.kind for e in result.report.about("virtualNetworkGateways/vpngw")}
    assert kinds["customRoutes"] == "skipped" and kinds["bgpSettings"] == "skipped"
    assert "vpnClientConfiguration" in kinds  # OpenVPN without a client pool: reported, not silently dropped


def test_gateway_with_nat_rules_on_a_sku_that_has_nat() -> None:
    doc = body("VirtualNetworkGatewayGet.json")
    doc["properties"]["sku"] = {"name": "VpnGw2", "tier": "VpnGw2"}
    g = azure.import_azure([VNET1, doc]).network.gateway("vnet1")
    for rule in doc["properties"]["natRules"]:
        ours = g.nat_rules[rule["name"]]
        p = rule["properties"]
        assert (ours.mode, ours.type) == (p["mode"], p["type"])
        assert str(ours.internal) == p["internalMappings"][0]["addressSpace"]
        assert str(ours.external) == p["externalMappings"][0]["addressSpace"]


def test_local_gateway_example_with_a_placeholder_address_is_refused_naming_resource_and_value() -> None:
    doc = body("LocalNetworkGatewayGet.json")
    with pytest.raises(vl.VnetlabError) as err:
        azure.import_azure(doc)
    assert doc["id"] in str(err.value) and doc["properties"]["gatewayIpAddress"] in str(err.value)


def test_local_gateway_example_prefixes() -> None:
    doc = body("LocalNetworkGatewayGet.json")
    doc["properties"]["gatewayIpAddress"] = "203.0.113.7"  # the example's "x.x.x.x" replaced by a documentation address
    lng = azure.import_azure(doc).network.local_gateway(doc["name"])
    assert [str(p) for p in lng.prefixes] == doc["properties"]["localNetworkAddressSpace"]["addressPrefixes"]


def _connection_inputs():
    gw = body("VirtualNetworkGatewayGet.json")
    gw["properties"]["sku"] = {"name": "VpnGw2", "tier": "VpnGw2"}
    lng = body("LocalNetworkGatewayGet.json")
    lng["properties"]["gatewayIpAddress"] = "203.0.113.7"
    return gw, lng, body("VirtualNetworkGatewayConnectionGet.json")


def test_connection_example_links_an_egress_rule_as_ingress_and_is_refused() -> None:
    gw, lng, conn = _connection_inputs()
    with pytest.raises(vl.VnetlabError) as err:
        azure.import_azure([VNET1, gw, lng, conn])
    assert "connections/connS2S" in str(err.value) and "EgressSnat" in str(err.value)


def test_connection_example_imports_with_its_rules_swapped_and_never_keeps_the_shared_key() -> None:
    gw, lng, conn = _connection_inputs()
    p = conn["properties"]
    p["ingressNatRules"], p["egressNatRules"] = p["egressNatRules"], p["ingressNatRules"]
    result = azure.import_azure([VNET1, gw, lng, conn])
    c = result.network.connection("vnet1", conn["name"])
    assert (c.kind, c.remote.name, c.enable_bgp) == (p["connectionType"], "localgw", p["enableBgp"])
    assert c.connection_protocol == p["connectionProtocol"]
    assert list(c.ingress_nat_rules) == [x["id"].rsplit("/", 1)[-1] for x in p["ingressNatRules"]]
    (secret,) = result.report.of_kind("secret")
    assert secret.property == "sharedKey" and "secret not stored" in secret.reason
    stored = result.network.to_yaml() + json.dumps(result.scenario, default=str) + str(result.report)
    assert p["sharedKey"] not in stored
    assert any(e.property == "connectionStatus" for e in result.report.of_kind("differs"))  # Azure: Connecting


def test_route_table_example_routes() -> None:
    doc = body("RouteTableGet.json")
    table = azure.import_azure(doc).network.route_table(doc["name"])
    assert table.disable_bgp_route_propagation is doc["properties"]["disableBgpRoutePropagation"]
    assert {r.name: (str(r.prefix), r.next_hop_type) for r in table.routes.values()} == {
        r["name"]: (r["properties"]["addressPrefix"], r["properties"]["nextHopType"]) for r in doc["properties"]["routes"]}


def test_nsg_example_rules_and_azures_default_rules_match_the_model() -> None:
    doc = body("NetworkSecurityGroupGet.json")
    group = azure.import_azure(doc).network.network_security_group(doc["name"])
    for rule in doc["properties"]["securityRules"]:
        ours, p = group.custom[rule["name"]], rule["properties"]
        assert (ours.priority, ours.direction, ours.access) == (p["priority"], p["direction"], p["access"])
        assert (str(ours.destination_ports[0]), ours.protocol) == (p["destinationPortRange"], p["protocol"])
    # Names compared without case: the API writes AllowVnetInBound and DenyAllInBound where the NSG overview (and so
    # the model) writes AllowVNetInBound and DenyAllInbound; verify_nsg matches rule names the same way.
    azure_defaults = {(r["name"].lower(), r["properties"]["priority"], r["properties"]["direction"],
                       r["properties"]["access"]) for r in doc["properties"]["defaultSecurityRules"]}
    assert azure_defaults == {(r.name.lower(), r.priority, r.direction, r.access) for r in default_rules()}


def test_nic_example_address_and_switches_and_what_is_reported() -> None:
    doc = body("NetworkInterfaceGet.json")
    result = azure.import_azure([RG1_VNET, doc])
    nic = result.network.nic(doc["name"])
    primary = next(c for c in doc["properties"]["ipConfigurations"] if c["properties"]["primary"])
    assert str(nic.ip) == primary["properties"]["privateIPAddress"]
    assert nic.accelerated_networking is doc["properties"]["enableAcceleratedNetworking"]
    assert nic.ip_forwarding is doc["properties"]["enableIPForwarding"]
    props = {e.property for e in result.report.about("networkInterfaces/test-nic")}
    assert {"ipConfigurations", "networkSecurityGroup", "dnsSettings"} <= props


def test_a_nic_whose_subnet_is_not_exported_is_reported() -> None:
    result = azure.import_azure(body("NetworkInterfaceGet.json"))
    assert not result.network.nics
    assert any("rg1-vnet/default" in e.reason for e in result.report.about("test-nic"))


# --- the three shapes ---------------------------------------------------------------------------------------------
def _nest(resource: dict) -> dict:
    """az's flattened shape → the REST shape (configuration under "properties"), recursively for sub-resources."""
    envelope = {"id", "name", "type", "location", "etag", "resourceGroup", "sku", "tags"}
    out = {k: v for k, v in resource.items() if k in envelope}
    props = {}
    for k, v in resource.items():
        if k in envelope:
            continue
        if isinstance(v, list) and v and all(isinstance(i, dict) and "name" in i for i in v):
            v = [_nest(i) for i in v]
        props[k] = v
    out["properties"] = props
    return out


def test_az_cli_rest_and_resource_graph_shapes_give_the_same_network() -> None:
    flat = [r for p in SAMPLE_RESOURCES for r in json.loads(p.read_text())]
    nested = [_nest(r) for r in flat]
    graph = {"count": len(nested), "data": [{**r, "type": r["type"].lower(), "tenantId": "t"} for r in nested]}
    a = comparable(azure.import_azure(flat).network)
    assert a == comparable(azure.import_azure(nested).network) == comparable(azure.import_azure(graph).network)
    assert a["route_tables"] and a["vpn_gateways"] and a["connections"] and a["peerings"]


def test_resource_graph_tenant_is_kept() -> None:
    doc = body("VirtualNetworkGet.json")
    graph = {"data": [{**doc, "type": doc["type"].lower(), "tenantId": "contoso-tenant"}]}
    assert azure.import_azure(graph).network.vnet("test-vnet").tenant == "contoso-tenant"


GROUP_EXPORT = {  # the shape `az group export` writes: parameters with defaultValue, expressions, child resources
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "parameters": {
        "virtualNetworks_hub_name": {"defaultValue": "hub", "type": "String"},
        "virtualNetworks_spoke_externalid": {
            "defaultValue": "/subscriptions/other/resourceGroups/rg2/providers/Microsoft.Network/virtualNetworks/spoke",
            "type": "String"}},
    "variables": {},
    "resources": [
        {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-04-01",
         "name": "[parameters('virtualNetworks_hub_name')]", "location": "westeurope",
         "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": []}},
        {"type": "Microsoft.Network/virtualNetworks/subnets", "apiVersion": "2023-04-01",
         "name": "[concat(parameters('virtualNetworks_hub_name'), '/app')]",
         "dependsOn": ["[resourceId('Microsoft.Network/virtualNetworks', parameters('virtualNetworks_hub_name'))]"],
         "properties": {"addressPrefix": "10.0.1.0/24"}},
        {"type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "apiVersion": "2023-04-01",
         "name": "[concat(parameters('virtualNetworks_hub_name'), '/hub-to-spoke')]",
         "properties": {"remoteVirtualNetwork": {"id": "[parameters('virtualNetworks_spoke_externalid')]"},
                        "allowVirtualNetworkAccess": True, "allowForwardedTraffic": True,
                        "remoteAddressSpace": {"addressPrefixes": ["10.1.0.0/16"]}, "peeringState": "Connected"}},
    ]}


def test_group_export_template_resolves_parameters_and_folds_child_resources() -> None:
    result = azure.import_azure(GROUP_EXPORT)
    net = result.network
    assert str(net.subnet("hub", "app").prefix) == "10.0.1.0/24"
    link = net.peering("hub", "spoke")
    assert link.settings.allow_forwarded_traffic and link.peering_state == "Connected"
    assert net.vnet("spoke").subscription == "other"


def test_a_template_function_vnetlab_does_not_evaluate_is_an_error_naming_the_resource() -> None:
    doc = json.loads(json.dumps(GROUP_EXPORT))
    doc["resources"][0]["location"] = "[uniqueString(resourceGroup().id)]"
    with pytest.raises(azure.AzureImportError) as err:
        azure.import_azure(doc)
    assert "uniqueString" in str(err.value) and "virtualNetworks_hub_name" in str(err.value)


# --- bad input ----------------------------------------------------------------------------------------------------
def test_not_json(tmp_path) -> None:
    path = tmp_path / "vnets.json"
    path.write_text("Name    ResourceGroup\n----    -------------\nhub     rg1\n")  # az ... -o table
    with pytest.raises(azure.AzureImportError, match=r"not JSON.*-o json"):
        azure.import_azure(path)


def test_missing_file_and_non_resource_objects() -> None:
    with pytest.raises(azure.AzureImportError, match="Cannot read"):
        azure.import_azure(str(REST / "nope.json"))
    with pytest.raises(azure.AzureImportError, match="not an Azure resource"):
        azure.import_azure({"hello": "world"})


def test_a_vnet_without_an_address_space_names_resource_and_field() -> None:
    doc = body("VirtualNetworkGet.json")
    del doc["properties"]["addressSpace"]
    with pytest.raises(azure.AzureImportError) as err:
        azure.import_azure(doc)
    assert doc["id"] in str(err.value) and "addressSpace" in str(err.value)


def test_a_subnet_outside_its_vnet_is_refused_naming_the_subnet() -> None:
    doc = body("VirtualNetworkGet.json")
    doc["properties"]["subnets"][0]["properties"]["addressPrefix"] = "10.9.0.0/24"
    with pytest.raises(vl.SubnetOutsideVnetError) as err:
        azure.import_azure(doc)
    assert doc["properties"]["subnets"][0]["id"] in str(err.value)


def test_unmodelled_resource_types_are_reported() -> None:
    pip = {"id": f"{SUB_RG1}/publicIPAddresses/gwpip", "name": "gwpip", "type": "Microsoft.Network/publicIPAddresses",
           "location": "westus", "properties": {"ipAddress": "203.0.113.9"}}
    report = azure.import_azure([body("VirtualNetworkGet.json"), pip]).report
    assert report.about("publicIPAddresses/gwpip", "(resource)")


def test_network_from_azure_keeps_its_report_and_displays_it() -> None:
    net = vl.Network.from_azure(*map(str, SAMPLE_RESOURCES))
    assert net.import_report.imported["VNets"] == 2
    html = net.import_report._repr_html_()
    assert "serviceEndpoints" in html and "Import report" in str(net.import_report)


def test_case_insensitive_property_lookup_reads_az_and_rest_spellings() -> None:
    assert lookup({"enableIpForwarding": True}, "enableIPForwarding") is True
    assert lookup({"privateIPAddress": "10.0.0.4"}, "privateIpAddress") == "10.0.0.4"


# --- any JSON: a result or a VnetlabError, never a raw traceback ----------------------------------------------------

_json = st.recursive(st.none() | st.booleans() | st.integers(-5, 70000) | st.text(max_size=12),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                     max_leaves=20)
_keys = st.sampled_from(["addressSpace", "addressPrefixes", "subnets", "addressPrefix", "virtualNetworkPeerings",
                         "remoteVirtualNetwork", "id", "ipConfigurations", "subnet", "sku", "routes", "securityRules",
                         "gatewayIpAddress", "connectionType", "virtualNetworkGateway1", "properties", "location"])


def _mutate(doc, key, value):
    """Replace one property, at any depth, of a real resource with arbitrary JSON."""
    doc = json.loads(json.dumps(doc))
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if key in node:
                node[key] = value
                return doc
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return doc


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(["VirtualNetworkGet.json", "RouteTableGet.json", "NetworkSecurityGroupGet.json",
                             "VirtualNetworkPeeringGet.json", "NetworkInterfaceGet.json"]),
       key=_keys, value=_json)
def test_any_mangled_export_gives_a_network_or_a_vnetlab_error(name, key, value) -> None:
    doc = _mutate(body(name), key, value)
    try:
        azure.import_azure([RG1_VNET, doc])
    except vl.VnetlabError:
        pass


@settings(max_examples=100, deadline=None)
@given(value=_json)
def test_any_json_document_gives_a_network_or_a_vnetlab_error(value) -> None:
    try:
        azure.import_azure(value if isinstance(value, (dict, list)) else json.dumps(value))
    except vl.VnetlabError:
        pass


def test_the_sample_export_ships_with_the_package() -> None:
    # Lesson 12 runs offline on it: every file in vnetlab/data/azure-sample is matched by pyproject's package-data.
    import fnmatch
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    from azure_support import ROOT, SAMPLE

    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["vnetlab"]
    files = [p.relative_to(ROOT / "vnetlab").as_posix() for p in SAMPLE.iterdir()]
    assert files and all(any(fnmatch.fnmatch(f, pat) for pat in patterns) for f in files)
    assert [p.name for p in azure.sample_export()] == [p.name for p in SAMPLE_RESOURCES]


def test_subnets_listed_on_their_own_join_a_flattened_vnet_and_the_input_is_not_changed() -> None:
    # `az network vnet list` (flattened) plus `az network vnet subnet list` for one more subnet
    vnets = json.loads((SAMPLE_RESOURCES[0].parent / "vnets.json").read_text())
    spoke = next(v for v in vnets if v["name"] == "Virtual-network-2")
    extra = {**spoke["subnets"][0], "name": "Subnet2", "addressPrefix": "10.2.0.0/24",
             "id": spoke["id"] + "/subnets/Subnet2"}
    before = json.dumps(spoke)
    result = azure.import_azure([spoke, extra])
    assert set(result.network.vnet("Virtual-network-2").subnets) == {"Subnet1", "Subnet2"}
    assert json.dumps(spoke) == before
    # the spoke uses its hub's gateway, and neither hub nor gateway is in this export: said, not modelled
    (row,) = result.report.about("VNet2-to-VNet1", "useRemoteGateways")
    assert "not in the export" in row.reason


def test_an_nsg_rule_with_a_service_tag_vnetlab_does_not_model_is_skipped_and_reported() -> None:
    doc = body("NetworkSecurityGroupGet.json")
    rule = json.loads(json.dumps(doc["properties"]["securityRules"][0]))
    rule["name"], rule["id"] = "to-storage", rule["id"].replace("rule1", "to-storage")
    rule["properties"]["priority"] = 140
    rule["properties"]["destinationAddressPrefix"] = "Storage.WestUS"
    doc["properties"]["securityRules"].append(rule)
    result = azure.import_azure(doc)
    assert set(result.network.network_security_group("testnsg").custom) == {"rule1"}
    (row,) = result.report.about("securityRules/to-storage")
    assert "Storage.WestUS" in row.reason and "skipped" in row.reason
