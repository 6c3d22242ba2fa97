"""A virtual network, its subnets and the VM network interfaces in them.

Rules enforced here (VNet FAQ unless noted; values in ``vnetlab/data/addressing.yaml``):

* a VNet has one or more address ranges, none in a range Azure refuses, none overlapping another;
* a VNet lives in one region (peering across regions is *global* peering);
* a subnet lies inside one of its VNet's ranges and overlaps no other subnet of the VNet;
* a subnet is /29 (smallest) to /2 (largest); Azure reserves 5 of its addresses;
* the gateway subnet is named exactly ``GatewaySubnet``; /27 or larger is recommended (VPN FAQ);
* a NIC's address lies in its subnet, is not one of the 5 reserved addresses and is not taken.

Objects here are the *model*: the :class:`~vnetlab.network.Network` creates and changes them so that
rules spanning VNets (peering, overlap with peers) are checked in one place.
"""
from __future__ import annotations

import re
from typing import Iterable, Mapping
from dataclasses import dataclass, field

from netaddr import IPAddress, IPNetwork

from . import addressing
from .errors import (
    AddressSpaceError,
    NicError,
    NotFoundError,
    ResourceNameError,
    SubnetOutsideVnetError,
    SubnetOverlapError,
)

DEFAULT_CLOUD = "AzureCloud"


def check_name(name: object, what: str) -> str:
    """A resource name is non-empty text without surrounding spaces."""
    if not isinstance(name, str) or not name.strip():
        raise ResourceNameError(f"{what} name {name!r}: give a non-empty name.", value=name, rule="names are non-empty text")
    if name != name.strip():
        raise ResourceNameError(f"{what} name {name!r} has leading or trailing spaces.", value=name,
                                rule="names have no surrounding spaces")
    return name


def azure_spelling(value: object, allowed: "Iterable[str]") -> str | None:
    """``value`` written as Azure writes it (case and surrounding spaces ignored), or None when it is none of
    ``allowed``; callers raise their own error, naming the rule the value breaks."""
    text = value.strip().lower() if isinstance(value, str) else None
    return next((a for a in allowed if a.lower() == text), None)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def python_names(data: "Mapping", allowed: "Iterable[str]", where: str = "") -> dict:
    """``data`` with Azure's property names written as vnetlab's Python names, so a learner can paste from the docs:
    ``allowGatewayTransit`` → ``allow_gateway_transit``, ``saLifeTimeSeconds`` → ``sa_lifetime_seconds`` (the REST
    spellings that are not plain camelCase are listed in ``vnetlab/data/azure_names.yaml``); case is ignored, as
    :func:`azure_spelling` ignores it for values. Keys that match nothing are kept, for the caller's own check to name.
    """
    from .errors import SettingError
    from .facts import fact

    allowed = tuple(allowed)
    if all(key in allowed for key in data):  # already vnetlab's spelling: the common case, kept cheap
        return dict(data)
    aliases = fact("azure_names", "property_names").value
    out: dict = {}
    for key, value in data.items():
        name = key
        if isinstance(key, str) and key not in allowed:
            name = next((a for a in allowed if azure_spelling(key, (a, _camel(a), aliases.get(a, a)))), key)
        if name in out:
            raise SettingError(f"{where + ': ' if where else ''}{name} is given twice (as {name!r} and as {key!r}); give "
                               "it once, in either spelling.", value=key, rule="one value per property")
        out[name] = value
    return out


def normalize_region(region: object) -> str:
    """Azure's programmatic region name: 'West Europe' → 'westeurope'."""
    if not isinstance(region, str) or not region.strip():
        raise ResourceNameError(f"Region {region!r}: give an Azure region such as 'westeurope'.", value=region,
                                rule="a VNet is in one region")
    name = re.sub(r"[\s_-]+", "", region.strip().lower())
    if not name.isalnum():
        raise ResourceNameError(f"Region {region!r} is not a region name (letters and digits, e.g. 'eastus2').",
                                value=region, rule="region names are letters and digits")
    return name


@dataclass
class NetworkInterface:
    """A VM's network interface: one private IPv4 address in one subnet."""

    name: str
    ip: IPAddress
    subnet: "Subnet" = field(repr=False)
    ip_forwarding: bool = False  # needed on a network virtual appliance (UDR next hop VirtualAppliance)
    accelerated_networking: bool = False  # virtual network encryption needs it (VNet encryption overview)
    network_security_group: "object" = field(default=None, repr=False)  # NSG associated with this NIC

    @property
    def vnet(self) -> "VirtualNetwork":
        return self.subnet.vnet


@dataclass
class Subnet:
    name: str
    prefix: IPNetwork
    vnet: "VirtualNetwork" = field(repr=False)
    nics: dict[str, NetworkInterface] = field(default_factory=dict, repr=False)
    route_table: "object" = field(default=None, repr=False)  # RouteTable associated with this subnet
    network_security_group: "object" = field(default=None, repr=False)  # NSG associated with this subnet

    @property
    def info(self) -> addressing.SubnetInfo:
        return addressing.subnet_info(self.prefix)

    @property
    def findings(self) -> list[str]:
        """Advice that is not an error (e.g. a GatewaySubnet below the recommended /27)."""
        return addressing.check_subnet_name(self.name, self.prefix)

    def add_nic(self, name: str, ip: "str | None" = None, *, ip_forwarding: bool = False,
                accelerated_networking: bool = False) -> NetworkInterface:
        """Attach a VM NIC. Without ``ip``, Azure-style dynamic allocation takes the lowest free usable address."""
        check_name(name, "NIC")
        self.vnet._ensure_nic_name_free(name)
        if self.name == addressing.gateway_subnet_rules()["name"]:
            raise NicError(f"NIC {name!r}: nothing but the VPN gateway may be deployed in GatewaySubnet.",
                           value=name, rule="no VMs in GatewaySubnet",
                           source="https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-vpn-faq (2026-06-04)")
        taken = {nic.ip for nic in self.nics.values()}
        if ip is None:
            address = next((a for a in addressing.usable_addresses(self.prefix) if a not in taken), None)
            if address is None:
                raise NicError(f"Subnet {self.name} ({self.prefix}) is full: all {self.info.usable} usable addresses are taken.",
                               value=str(self.prefix), rule="usable = size - 5")
        else:
            address = addressing.parse_address(ip, what="NIC address")
            if address not in self.prefix:
                raise NicError(f"NIC address {address} is not in subnet {self.name} ({self.prefix}).",
                               value=str(address), rule="a NIC's address lies in its subnet")
            role = addressing.is_reserved_address(self.prefix, address)
            if role:
                raise NicError(f"NIC address {address} is reserved by Azure in {self.prefix} ({role}); "
                               f"the first usable address is {self.prefix[4]}.", value=str(address),
                               rule="Azure reserves 5 addresses per subnet", source=addressing.VNET_FAQ)
            if address in taken:
                raise NicError(f"NIC address {address} is already used in subnet {self.name}.", value=str(address),
                               rule="one NIC per address")
        nic = NetworkInterface(name=name, ip=address, subnet=self, ip_forwarding=bool(ip_forwarding),
                               accelerated_networking=bool(accelerated_networking))
        self.nics[name] = nic
        self.vnet._touch()
        if self.vnet.network is not None:
            self.vnet.network._nic_names_carried(added=name)
        return nic

    def remove_nic(self, name: str) -> None:
        if name not in self.nics:
            raise NotFoundError(f"No NIC {name!r} in subnet {self.name}.", value=name, rule="NIC must exist")
        del self.nics[name]
        self.vnet._touch()


@dataclass
class VirtualNetwork:
    """An Azure VNet: name, address ranges, region, subscription, tenant, cloud; subnets; peering links."""

    name: str
    address_space: list[IPNetwork]
    region: str
    subscription: str = "default"
    tenant: str = "default"
    cloud: str = DEFAULT_CLOUD
    subnets: dict[str, Subnet] = field(default_factory=dict, repr=False)
    peerings: dict[str, "object"] = field(default_factory=dict, repr=False)  # remote name -> PeeringLink
    network: "object" = field(default=None, repr=False)
    gateway: "object" = field(default=None, repr=False)  # its VPN gateway (vnetlab.gateway.VpnGateway)
    encryption: bool = False  # Azure Virtual Network encryption enabled on this VNet (DTLS between supported VMs)

    def _touch(self) -> None:
        if self.network is not None:
            self.network._touch()

    def _ensure_nic_name_free(self, name: str) -> None:
        if self.network is not None:
            self.network._ensure_nic_name_free(name)

    # --- address space ---------------------------------------------------------------------------
    @staticmethod
    def validate_address_space(name: str, prefixes: "list[str | IPNetwork]") -> list[IPNetwork]:
        """Parse and check a VNet's ranges: each allowed by Azure, none overlapping another."""
        if isinstance(prefixes, (str, IPNetwork)):
            prefixes = [prefixes]
        if not isinstance(prefixes, (list, tuple)) or not prefixes:
            raise AddressSpaceError(f"VNet {name!r}: give at least one address range, e.g. ['10.0.0.0/16'].",
                                    value=prefixes, rule="a VNet has one or more address ranges")
        parsed = [addressing.check_vnet_range(p) for p in prefixes]
        clash = addressing.find_overlaps(parsed)
        if clash:
            o = clash[0]
            raise AddressSpaceError(f"VNet {name!r}: address ranges {o.a} and {o.b} overlap; a VNet's ranges must be disjoint.",
                                    value=[str(p) for p in parsed], rule="a VNet's address ranges do not overlap")
        return parsed

    def range_of(self, prefix: IPNetwork) -> IPNetwork | None:
        return next((r for r in self.address_space if prefix in r), None)

    # --- subnets -----------------------------------------------------------------------------------
    def add_subnet(self, name: str, prefix: "str | IPNetwork") -> Subnet:
        """Create a subnet; see the module docstring for the rules it checks."""
        check_name(name, "Subnet")
        if name in self.subnets:
            raise ResourceNameError(f"VNet {self.name} already has a subnet named {name!r}.", value=name,
                                    rule="subnet names are unique in a VNet")
        net = addressing.check_subnet_size(prefix)
        addressing.check_subnet_name(name, net)
        if self.range_of(net) is None:
            ranges = ", ".join(str(r) for r in self.address_space)
            raise SubnetOutsideVnetError(f"Subnet {name} {net} is not inside VNet {self.name}'s address space ({ranges}).",
                                         value=str(net), rule="a subnet lies inside its VNet's address space",
                                         source=addressing.VNET_FAQ)
        for other in self.subnets.values():
            if net.first <= other.prefix.last and other.prefix.first <= net.last:
                raise SubnetOverlapError(f"Subnet {name} {net} overlaps subnet {other.name} {other.prefix} in VNet {self.name}.",
                                         value=str(net), rule="subnets of a VNet do not overlap", source=addressing.VNET_FAQ)
        subnet = Subnet(name=name, prefix=net, vnet=self)
        self.subnets[name] = subnet
        self._touch()
        if self.network is not None:
            self.network._nic_names_carried()
        return subnet

    def subnet(self, name: str) -> Subnet:
        try:
            return self.subnets[name]
        except KeyError:
            known = ", ".join(self.subnets) or "none yet"
            raise NotFoundError(f"VNet {self.name} has no subnet {name!r} (subnets: {known}).", value=name,
                                rule="subnet must exist") from None

    def remove_subnet(self, name: str) -> None:
        subnet = self.subnet(name)
        if subnet.nics:
            raise NicError(f"Subnet {name} still has NICs ({', '.join(subnet.nics)}); remove them first.",
                           value=name, rule="a subnet in use cannot be deleted")
        del self.subnets[name]
        self._touch()

    def next_free_subnet(self, prefixlen: int) -> IPNetwork | None:
        """The planner: the first free /``prefixlen`` in this VNet's ranges, or None."""
        return addressing.next_free_subnet(self.address_space, [s.prefix for s in self.subnets.values()], prefixlen)

    @property
    def nics(self) -> list[NetworkInterface]:
        return [nic for s in self.subnets.values() for nic in s.nics.values()]

    def subnet_of(self, address: IPAddress) -> Subnet | None:
        return next((s for s in self.subnets.values() if address in s.prefix), None)

    def contains(self, address: IPAddress) -> bool:
        return any(address in r for r in self.address_space)
