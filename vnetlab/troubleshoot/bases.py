"""The working networks faults are injected into: a hub with a VPN gateway, a Site-to-Site branch and a network
virtual appliance, and two or three spokes peered with gateway transit whose spoke-to-spoke traffic goes through
the appliance (a route table with ``10.0.0.0/8 → VirtualAppliance`` on each spoke subnet).

The seed varies the addresses, the number of spokes and the branch's range, so a fault is met in several networks.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from ..network import Network

BRANCH = "branch"
HUB = "hub"
NVA = "nva"
VM_HUB = "vm-hub"
HTTPS = 443


@dataclass(frozen=True)
class Layout:
    """Names and addresses of a base network, so faults and probes can find their targets."""

    hub_octet: int
    spokes: tuple[str, ...]
    branch_prefix: str
    branch_host: str
    spare_branch_prefix: str
    nva_ip: str

    def spoke_octet(self, spoke: str) -> int:
        return self.hub_octet + self.spokes.index(spoke) + 1

    def vm(self, vnet: str) -> str:
        return f"vm-{vnet}"

    def vm_ip(self, vnet: str) -> str:
        octet = self.hub_octet if vnet == HUB else self.spoke_octet(vnet)
        return f"10.{octet}.1.4"


def layout(seed: int) -> Layout:
    rng = random.Random(seed)
    hub = rng.choice(range(10, 200, 10))
    count = rng.choice((2, 3))
    site = rng.randrange(1, 200)
    return Layout(hub_octet=hub, spokes=tuple(f"spoke{i}" for i in range(1, count + 1)),
                  branch_prefix=f"192.168.{site}.0/24", branch_host=f"192.168.{site}.10",
                  spare_branch_prefix=f"192.168.{site + 1}.0/24", nva_ip=f"10.{hub}.2.4")


def base_network(seed: int = 0) -> tuple[Network, Layout]:
    """A working hub-and-spoke network with a branch and an appliance; every flow of :func:`baseline_flows` works."""
    lay = layout(seed)
    h = lay.hub_octet
    net = Network(f"contoso-{seed}", "Hub and spokes with a Site-to-Site branch and a hub appliance.")
    hub = net.add_vnet(HUB, [f"10.{h}.0.0/16"], region="westeurope")
    hub.add_subnet("GatewaySubnet", f"10.{h}.255.0/27")
    hub.add_subnet("shared", f"10.{h}.1.0/24").add_nic(VM_HUB, f"10.{h}.1.4")
    hub.add_subnet("appliances", f"10.{h}.2.0/24").add_nic(NVA, lay.nva_ip, ip_forwarding=True)
    net.add_vpn_gateway(HUB, "VpnGw2AZ", generation=1)
    net.add_local_network_gateway(BRANCH, "198.51.100.10", [lay.branch_prefix])
    net.connect(HUB, BRANCH, "IPsec", name="hub-to-branch")
    net.add_route_table("spokes-via-nva")
    net.add_route("spokes-via-nva", "to-other-spokes", "10.0.0.0/8", "VirtualAppliance", lay.nva_ip)
    for spoke in lay.spokes:
        s = lay.spoke_octet(spoke)
        v = net.add_vnet(spoke, [f"10.{s}.0.0/16"], region="westeurope")
        v.add_subnet("app", f"10.{s}.1.0/24").add_nic(lay.vm(spoke), lay.vm_ip(spoke))
        net.associate_route_table(spoke, "app", "spokes-via-nva")
        net.peer(HUB, spoke, allow_gateway_transit=HUB, use_remote_gateways=spoke, allow_forwarded_traffic=True)
    return net, lay


def baseline_flows(lay: Layout) -> tuple[tuple[str, str, str | None], ...]:
    """The flows that work in the base network: (source, destination address, from_site), HTTPS.

    Every VM to every other VM, every VM to the branch host, and the branch host to every VM."""
    vms = [HUB, *lay.spokes]
    flows = [(lay.vm(a), lay.vm_ip(b), None) for a in vms for b in vms if a != b]
    flows += [(lay.vm(a), lay.branch_host, None) for a in vms]
    flows += [(lay.branch_host, lay.vm_ip(b), BRANCH) for b in vms]
    return tuple(flows)
