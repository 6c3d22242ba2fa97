"""Export: a design as az commands, Bicep and an ARM template; importing the template gives the same network."""
from __future__ import annotations

import json
import re

import pytest
from azure_support import SAMPLE, SAMPLE_RESOURCES, comparable

import vnetlab as vl
from vnetlab import azure
from vnetlab.azure.cli import run
from vnetlab.cli import _parser, main
from vnetlab.facts import fact


def rich_network() -> vl.Network:
    """Every kind of resource the exporter writes: NSGs on a subnet and a NIC, a route table, NAT, P2S, BGP,
    active-active, a custom IPsec policy, encryption, NIC switches, VNet-to-VNet and Site-to-Site."""
    net = vl.load_scenario("hub-spoke-onprem")
    net.add_route_table("rt-app")
    net.add_route("rt-app", "to-nva", "10.9.0.0/16", "VirtualAppliance", "10.0.1.4")
    net.add_route("rt-app", "drop", "10.8.0.0/16", "None")
    net.associate_route_table("spoke1", "app", "rt-app")
    net.add_network_security_group("nsg-app")
    net.add_security_rule("nsg-app", "https", 100, "Inbound", "Allow", "Tcp", "Internet", "*", "*", "443")
    net.add_security_rule("nsg-app", "admin", 200, "Outbound", "Deny", "*", ["10.1.0.0/16", "10.2.0.0/16"], "*", "*",
                          ["22", "3389"])
    net.associate_network_security_group("spoke1", "app", nsg="nsg-app")
    net.associate_network_security_group(nic="vm-spoke2", nsg="nsg-app")
    net.set_vnet_encryption("spoke2")
    net.set_accelerated_networking("vm-spoke2")
    net.add_vnet("dr", ["10.50.0.0/16"], "northeurope")
    net.vnet("dr").add_subnet("GatewaySubnet", "10.50.255.0/27")
    net.vnet("dr").add_subnet("app", "10.50.1.0/24").add_nic("vm-dr", ip_forwarding=True)
    net.add_vpn_gateway("dr", "VpnGw2AZ", active_active=True, bgp_asn=65020)
    net.add_point_to_site("dr", ["172.16.201.0/24"])
    net.add_nat_rule("dr", "egress-app", mode="EgressSnat", internal="10.50.1.0/24", external="100.64.1.0/24")
    net.add_local_network_gateway("dr-site", "198.51.100.20", ["192.168.50.0/24"])
    net.connect("dr", "dr-site", "IPsec", egress_nat_rules=["egress-app"], ipsec_policy={
        "ike_encryption": "AES256", "ike_integrity": "SHA256", "dh_group": "DHGroup14", "ipsec_encryption": "AES256",
        "ipsec_integrity": "SHA256", "pfs_group": "PFS2048"})
    return net


NETWORKS = {name: (lambda n=name: vl.load_scenario(n)) for name in vl.list_scenarios()}
NETWORKS["rich"] = rich_network


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_round_trip_through_the_arm_template_gives_the_same_network(name: str) -> None:
    net = NETWORKS[name]()
    template = json.loads(json.dumps(azure.arm_template(net)))  # as written to a file
    back = azure.import_azure(template).network
    assert comparable(back) == comparable(net)


def test_the_rich_network_really_has_what_it_says() -> None:
    data = comparable(rich_network())
    gateway = next(g for g in data["vpn_gateways"] if g["vnet"] == "dr")
    assert {"active_active", "bgp_asn", "point_to_site", "nat_rules"} <= set(gateway)
    assert data["route_tables"] and data["network_security_groups"][0]["associations"]
    assert any("ipsec_policy" in c for c in data["connections"])


def test_importing_the_sample_and_exporting_it_again_round_trips() -> None:
    net = azure.import_azure(*SAMPLE_RESOURCES).network
    assert comparable(azure.import_azure(azure.arm_template(net)).network) == comparable(net)


def _commands(script: str) -> list[str]:
    return [line for line in script.splitlines() if line.startswith("az ")]


def test_az_script_creates_everything_before_it_is_used() -> None:
    net = rich_network()
    lines = _commands(azure.az_script(net))

    def first(pattern: str) -> int:
        return next(i for i, line in enumerate(lines) if re.search(pattern, line))

    assert first(r"^az group create") == 0
    assert first(r"nsg create .*-n nsg-app") < first(r"subnet create .*--network-security-group nsg-app")
    assert first(r"route-table create .*-n rt-app") < first(r"subnet create .*--route-table rt-app")
    assert first(r"vnet create .*-n hub ") < first(r"public-ip create") < first(r"vnet-gateway create .*-n hub-vpngw")
    assert first(r"vnet-gateway create .*-n hub-vpngw") < first(r"vnet-gateway wait .*-n hub-vpngw --created")
    assert first(r"vnet-gateway wait .*-n hub-vpngw") < first(r"peering create .*--allow-gateway-transit true")
    assert first(r"local-gateway create .*-n branch") < first(r"vpn-connection create .*--local-gateway2 branch")
    assert first(r"nat-rule add .*-n egress-app") < first(r"vpn-connection create .*--local-gateway2 dr-site")
    site = lines[first(r"vpn-connection create .*--local-gateway2 dr-site")]
    assert "--egress-nat-rule" in site and site.endswith("/natRules/egress-app\"")
    peerings = [line for line in lines if "vnet peering create" in line]
    assert len(peerings) == len(net.peering_links)  # one resource per side
    assert len([line for line in lines if line.startswith("az network vpn-connection create")]) == len(net.connections)


def test_az_script_never_contains_a_shared_key_and_states_time_and_cost() -> None:
    script = azure.az_script(rich_network())
    assert '--shared-key "$SHARED_KEY"' in script and "SHARED_KEY:?" in script
    wording = fact("vpn_gateway_skus", "provisioning").value["wording"]
    assert script.count(wording) >= 2  # in the header and before each gateway
    assert fact("pricing", "gateway_hourly_usd").source in script
    assert fact("pricing", "s2s_connection_monthly_usd").source in script
    assert "--public-ip-addresses dr-vpngw-pip1 dr-vpngw-pip2" in script  # active-active: two public IPs


def test_bicep_declares_every_resource_with_a_secure_key_and_known_dependencies() -> None:
    net = rich_network()
    text = azure.bicep(net)
    resources = azure.export.arm_resources(net)
    declared = re.findall(r"^resource (\w+) '([^']+)@", text, flags=re.M)
    assert [t for _, t in declared] == [r["type"] for r in resources]
    symbols = {s for s, _ in declared}
    deps = re.findall(r"^    (\w+)$", text, flags=re.M)
    assert deps and set(deps) <= symbols
    assert "@secure()\n" in text and "sharedKey: sharedKey" in text
    assert text.count("{") == text.count("}") and text.count("[") == text.count("]")


def test_a_stale_peering_copy_is_stated_as_not_deployable() -> None:
    net = vl.load_scenario("hub-and-spoke")
    net.add_address_space("spoke1", "10.11.0.0/16")
    assert "LocalNotInSync" in azure.az_script(net) and "LocalNotInSync" in azure.bicep(net)


# --- the command line -------------------------------------------------------------------------------------------
def test_cli_import_report_and_scenario(tmp_path, capsys) -> None:
    out = tmp_path / "net.yaml"
    assert main(["import", *map(str, SAMPLE_RESOURCES), "--report", "--scenario", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "serviceEndpoints" in printed and "Imported 2 VNets" in printed
    assert comparable(vl.Network.from_yaml(out.read_text())) == comparable(
        azure.import_azure(*SAMPLE_RESOURCES).network)


def test_cli_verify_exit_status_follows_agreement(tmp_path, capsys) -> None:
    routes = SAMPLE / "vm1-nic-effective-routes.json"
    status = main(["verify", "--network", *map(str, SAMPLE_RESOURCES), "--nic", "vm1-nic", str(routes)])
    assert status == 1 and "only in Azure" in capsys.readouterr().out
    # an export holding exactly the simulator's rows (as az would print them) agrees: exit status 0
    sim = azure.import_azure(*SAMPLE_RESOURCES).network.effective_routes("Virtual-network-1", "Subnet1")
    agreeing = tmp_path / "routes.json"
    agreeing.write_text(json.dumps({"value": [{"addressPrefix": [r.prefix], "nextHopType": r.next_hop_type,
                                               "source": r.source, "state": r.state,
                                               "nextHopIpAddress": list(r.next_hop_ip)} for r in sim]}))
    assert main(["verify", "--network", *map(str, SAMPLE_RESOURCES), "--nic", "vm1-nic", str(agreeing)]) == 0


def test_cli_export_formats(tmp_path, capsys) -> None:
    arm = tmp_path / "main.json"
    assert main(["export", "--scenario", "hub-spoke-onprem", "--format", "arm", "--out", str(arm)]) == 0
    assert comparable(azure.import_azure(arm).network) == comparable(vl.load_scenario("hub-spoke-onprem"))
    capsys.readouterr()
    assert main(["export", "--from", str(arm), "--format", "bicep"]) == 0
    assert "resource virtualNetworkGateway_hub_vpngw" in capsys.readouterr().out
    args = _parser().parse_args(["export", "--scenario", "hub-and-spoke", "--resource-group", "rg-test"])
    assert run(args) == 0 and 'RG="${RG:-rg-test}"' in capsys.readouterr().out


def test_cli_bad_input_exits_2_naming_the_problem(tmp_path, capsys) -> None:
    bad = tmp_path / "vnets.json"
    bad.write_text("[1, 2]")
    assert main(["import", str(bad)]) == 2
    assert "vnets.json" in capsys.readouterr().err
