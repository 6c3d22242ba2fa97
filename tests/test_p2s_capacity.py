"""Point-to-Site capacity per protocol pool, one rule everywhere (azure-facts §1.1 and its notes, §3.4).

§1.1: VpnGw1AZ takes 250 IKEv2/OpenVPN clients, VpnGw2AZ 500, VpnGw3AZ 1,000, VpnGw4AZ 5,000, VpnGw5AZ 10,000; every
SKU 128 SSTP. The notes: the SSTP and IKEv2/OpenVPN limits are separate (a VpnGw1 carries 128 SSTP *and* 250 IKEv2
clients at once). §3.4: SSTP is Windows only. So 700 IKEv2/OpenVPN clients need VpnGw3AZ (VpnGw2AZ's 500 is short,
whatever its SSTP allowance), and the SKU check, the explorer, the design guide, exercise 03/10 grading and the
drills all say so.
"""
import pytest

from vnetlab import gateway as gw
from vnetlab.design import Requirements, recommend, smallest_sku
from vnetlab.widgets.sku_explorer import Needs, sku_rows

IKEV2_OPENVPN = {"VpnGw1AZ": 250, "VpnGw2AZ": 500, "VpnGw3AZ": 1000, "VpnGw4AZ": 5000, "VpnGw5AZ": 10000}  # §1.1
SSTP = 128  # §1.1, every SKU


@pytest.mark.parametrize("name, clients", IKEV2_OPENVPN.items())
def test_capacity_per_pool_is_the_table(name, clients):
    assert gw.p2s_capacity(gw.sku(name)) == {"IKEv2/OpenVPN": clients, "SSTP": SSTP}


def test_700_ikev2_openvpn_clients_do_not_fit_vpngw2az():
    short = gw.requirements_met(gw.sku("VpnGw2AZ"), p2s=700)
    assert short and "500" in short[0] and "IKEv2/OpenVPN" in short[0]
    assert "628" not in " ".join(short)  # not the SSTP + IKEv2/OpenVPN sum
    assert gw.requirements_met(gw.sku("VpnGw3AZ"), p2s=700) == []


def test_the_pools_are_separate_limits_not_a_total():
    vpngw1 = gw.sku("VpnGw1AZ")
    assert gw.requirements_met(vpngw1, p2s={"IKEv2/OpenVPN": 250, "SSTP": 128}) == []
    assert gw.requirements_met(vpngw1, p2s={"IKEv2/OpenVPN": 251}) != []
    assert gw.requirements_met(vpngw1, p2s={"SSTP": 129}) != []
    assert gw.requirements_met(vpngw1, p2s=200, p2s_protocols=("SSTP",)) != []  # an SSTP-only gateway: 128


@pytest.mark.parametrize("users, expected", [(250, "VpnGw1AZ"), (251, "VpnGw2AZ"), (500, "VpnGw2AZ"),
                                             (700, "VpnGw3AZ"), (1001, "VpnGw4AZ"), (5001, "VpnGw5AZ")])
def test_the_design_guide_the_sku_check_and_the_explorer_agree(users, expected):
    assert smallest_sku(p2s=users).name == expected
    assert recommend(Requirements(remote_users=users)).sku == expected
    fits = [r.sku.name for r in sku_rows(Needs(p2s=users)) if r.fits and r.sku.name != "Basic"]
    assert fits[0] == expected


def test_the_explorer_counts_sstp_clients_against_the_sstp_pool():
    rows = {r.sku.key: r for r in sku_rows(Needs(p2s_sstp=129))}
    assert all(not r.fits for r in rows.values())  # no SKU takes more than 128 SSTP clients
    assert all(r.fits for r in sku_rows(Needs(p2s=200, p2s_sstp=128)) if r.sku.name.startswith("VpnGw"))


def test_an_unknown_pool_is_a_clear_error():
    with pytest.raises(gw.GatewayError, match="pool"):
        gw.requirements_met(gw.sku("VpnGw1AZ"), p2s={"L2TP": 3})
