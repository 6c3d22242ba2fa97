"""VNet peering: the two links, their four settings, their state and sync level.

A peering is **two links**, one created on each VNet (Manage peering, 2025-05-08). While only one exists
the link is ``Initiated`` and no traffic flows; once both exist both are ``Connected``. Each link has
Azure's four settings, with Azure's defaults (``vnetlab/data/peering.yaml``):

* ``allow_virtual_network_access`` (default true): traffic flows between the two VNets; off on either link,
  the peering exists but carries no traffic (and the NSG ``VirtualNetwork`` tag no longer covers the peer);
* ``allow_forwarded_traffic`` (default false): accept traffic the peer forwards (e.g. from an NVA);
* ``allow_gateway_transit`` (default false): the peer may use this VNet's gateway; this VNet needs one;
* ``use_remote_gateways`` (default false): use the peer's gateway; the peer must have one and allow
  transit; only one link per VNet may set it; not allowed when this VNet has its own gateway.

Each link keeps a copy of the remote VNet's address space. When the remote VNet's ranges change, the
copy goes stale (``LocalNotInSync``) until the link is synced (Update peered address space, 2023-03-21;
Sync-AzVirtualNetworkPeering): routes follow the copy, not the remote VNet.

Rules checked when a link is created: no overlap between the two VNets' address spaces, not across
Azure clouds, no second link to the same remote, at most 500 peerings per VNet, the transit rules above.
Peering across regions (global) and across subscriptions and tenants is allowed.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from netaddr import IPNetwork

from . import addressing
from .errors import GatewayTransitError, PeeringError, PeeringExistsError, PeeringLimitError, PeeringOverlapError
from .facts import fact
from .vnet import VirtualNetwork
from .display import FieldsTable

MANAGE_PEERING = "https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering (2025-05-08)"


@dataclass(frozen=True)
class PeeringSettings(FieldsTable):
    """Azure's four per-link settings (REST: allowVirtualNetworkAccess, allowForwardedTraffic, ...)."""

    allow_virtual_network_access: bool = True
    allow_forwarded_traffic: bool = False
    allow_gateway_transit: bool = False
    use_remote_gateways: bool = False

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, bool):
                raise PeeringError(f"{f.name}={value!r}: peering settings are true or false.", value=value,
                                   rule=f"{f.name} is a boolean")

    @staticmethod
    def names() -> tuple[str, ...]:
        return tuple(f.name for f in fields(PeeringSettings))


def azure_defaults() -> PeeringSettings:
    """The defaults as recorded in the facts data (checked against the dataclass defaults by the tests)."""
    return PeeringSettings(**{k: v["default"] for k, v in fact("peering", "settings").value.items()})


@dataclass
class PeeringLink:
    """One side of a peering: the link created on ``local`` that points at ``remote``."""

    name: str
    local: VirtualNetwork = field(repr=False)
    remote: VirtualNetwork = field(repr=False)
    settings: PeeringSettings
    remote_address_space: tuple[IPNetwork, ...]
    was_connected: bool = False  # set once both links existed; losing the other link then means Disconnected

    @property
    def reverse(self) -> "PeeringLink | None":
        return self.remote.peerings.get(self.local.name)

    @property
    def peering_state(self) -> str:
        """``Connected`` when both links exist, ``Initiated`` while only this one does, ``Disconnected`` after
        the other link was deleted (VNet FAQ: delete this link too and re-create both)."""
        if self.reverse is not None:
            return "Connected"
        return "Disconnected" if self.was_connected else "Initiated"

    @property
    def connected(self) -> bool:
        return self.peering_state == "Connected"

    @property
    def kind(self) -> str:
        """``Regional`` in one region, ``Global`` across regions."""
        return "Regional" if self.local.region == self.remote.region else "Global"

    @property
    def local_in_sync(self) -> bool:
        return tuple(self.remote_address_space) == tuple(self.remote.address_space)

    @property
    def peering_sync_level(self) -> str:
        """FullyInSync / LocalNotInSync (this link's copy is stale) / RemoteNotInSync / LocalAndRemoteNotInSync."""
        reverse = self.reverse
        local_ok = self.local_in_sync
        remote_ok = reverse.local_in_sync if reverse is not None else True
        if local_ok and remote_ok:
            return "FullyInSync"
        if not local_ok and not remote_ok:
            return "LocalAndRemoteNotInSync"
        return "RemoteNotInSync" if local_ok else "LocalNotInSync"

    def sync(self) -> None:
        """Azure's *Sync* on this link: copy the remote VNet's current address space."""
        self.remote_address_space = tuple(self.remote.address_space)
        self.local._touch()

    def to_dict(self) -> dict:
        data = {"vnet": self.local.name, "remote": self.remote.name, "name": self.name}
        data.update({k: getattr(self.settings, k) for k in PeeringSettings.names()})
        if self.peering_state == "Disconnected":
            data["peering_state"] = "Disconnected"
        if not self.local_in_sync:
            data["remote_address_space"] = [str(p) for p in self.remote_address_space]
        return data


def check_link(local: VirtualNetwork, remote: VirtualNetwork, settings: PeeringSettings) -> None:
    """Raise the :class:`PeeringError` Azure would give for creating a link on ``local`` to ``remote``."""
    if local is remote:
        raise PeeringError(f"VNet {local.name} cannot be peered with itself.", value=local.name,
                           rule="a peering joins two different VNets")
    if remote.name in local.peerings:
        raise PeeringExistsError(f"VNet {local.name} already has a peering link to {remote.name} "
                                 f"({local.peerings[remote.name].name}).", value=remote.name,
                                 rule="one link per remote VNet")
    stale = remote.peerings.get(local.name)
    if stale is not None and stale.peering_state == "Disconnected":
        raise PeeringError(f"{remote.name}'s link {stale.name} to {local.name} is Disconnected: delete it and "
                           "re-create the peering on both sides.", value=stale.name,
                           rule="a Disconnected peering is deleted and re-created",
                           source="https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq")
    if local.cloud != remote.cloud:
        f = fact("peering", "clouds")
        raise PeeringError(f"{local.name} is in {local.cloud} and {remote.name} in {remote.cloud}: peering does not "
                           "work across Azure clouds (use a Site-to-Site VPN there).", value=(local.cloud, remote.cloud),
                           rule="no peering across clouds", source=f.cite())
    clash = addressing.overlaps(local.address_space, remote.address_space)
    if clash:
        a, b = clash[0]
        raise PeeringOverlapError(
            f"{local.name} ({a}) and {remote.name} ({b}) have overlapping address spaces; Azure refuses to peer "
            "VNets whose address spaces overlap. Renumber one of them (NAT on VPN gateways is documented for "
            "Site-to-Site connections to on-premises sites; between two Azure VNets it is an extrapolation).",
            value=(a, b), rule="peered VNets' address spaces must not overlap", source=MANAGE_PEERING)
    limit = fact("peering", "peerings_per_vnet")
    if len(local.peerings) >= limit.value:
        raise PeeringLimitError(f"VNet {local.name} already has {len(local.peerings)} peerings; the limit is {limit.value}.",
                                value=len(local.peerings), rule=f"{limit.value} peerings per VNet", source=limit.cite())
    check_transit(local, remote, settings)


def check_transit(local: VirtualNetwork, remote: VirtualNetwork, settings: PeeringSettings) -> None:
    """Gateway transit rules (Manage peering 2025-05-08; SDK: "Only one peering can have this flag set")."""
    if settings.allow_gateway_transit and local.gateway is None:
        raise GatewayTransitError(
            f"allow_gateway_transit on {local.name}'s link: {local.name} has no VPN gateway to share. "
            "Create the gateway first, or leave the setting off.", value="allow_gateway_transit",
            rule="allow_gateway_transit needs a gateway in this VNet", source=MANAGE_PEERING)
    if settings.allow_gateway_transit and not local.gateway.sku.gateway_transit:
        raise GatewayTransitError(f"allow_gateway_transit on {local.name}'s link: its {local.gateway.sku.name} gateway "
                                  "does not support gateway transit.", value=local.gateway.sku.name,
                                  rule="no gateway transit with a Basic-SKU gateway", source=MANAGE_PEERING)
    if settings.use_remote_gateways:
        if local.gateway is not None:
            raise GatewayTransitError(f"use_remote_gateways on {local.name}'s link: {local.name} has its own gateway.",
                                      value="use_remote_gateways", rule="not allowed when this VNet has a gateway",
                                      source=MANAGE_PEERING)
        others = [link.remote.name for link in local.peerings.values()
                  if link.settings.use_remote_gateways and link.remote is not remote]
        if others:
            raise GatewayTransitError(f"use_remote_gateways on {local.name}'s link to {remote.name}: the link to "
                                      f"{others[0]} already uses remote gateways; only one peering per VNet may.",
                                      value="use_remote_gateways", rule="only one peering may use remote gateways",
                                      source=MANAGE_PEERING)
        if remote.gateway is None:
            raise GatewayTransitError(f"use_remote_gateways on {local.name}'s link: {remote.name} has no gateway.",
                                      value="use_remote_gateways", rule="the peer must have a gateway",
                                      source=MANAGE_PEERING)
        reverse = remote.peerings.get(local.name)
        if reverse is not None and not reverse.settings.allow_gateway_transit:
            raise GatewayTransitError(f"use_remote_gateways on {local.name}'s link: {remote.name}'s link does not set "
                                      "allow_gateway_transit.", value="use_remote_gateways",
                                      rule="the peer must allow gateway transit", source=MANAGE_PEERING)
