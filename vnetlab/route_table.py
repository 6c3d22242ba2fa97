"""Route tables and user-defined routes (UDR overview; azure-facts.md §7.3, §7.5).

A route table is associated with zero or more subnets; a subnet has zero or one. Its routes are merged
with the system routes and win on an equal prefix. Next-hop types a user may set: ``VirtualAppliance``
(with the appliance's IP), ``VirtualNetworkGateway`` (a VPN gateway), ``None``, ``VnetLocal`` and
``Internet``; peering and service-endpoint next hops cannot be user-defined. 400 routes per table.
``disable_bgp_route_propagation`` (REST ``disableBgpRoutePropagation``) keeps gateway routes — BGP and
static LNG routes — out of the associated subnets; never set it on GatewaySubnet.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from netaddr import IPAddress, IPNetwork

from . import addressing
from .errors import VnetlabError
from .routes import UDR_OVERVIEW

USER_NEXT_HOPS = ("VirtualAppliance", "VirtualNetworkGateway", "None", "VnetLocal", "Internet")
ROUTES_PER_TABLE = 400


class RouteTableError(VnetlabError):
    """A route table or user-defined route Azure refuses."""


@dataclass(frozen=True)
class UserRoute:
    name: str
    prefix: IPNetwork
    next_hop_type: str
    next_hop_ip: IPAddress | None = None

    def to_dict(self) -> dict:
        data = {"name": self.name, "prefix": str(self.prefix), "next_hop_type": self.next_hop_type}
        if self.next_hop_ip is not None:
            data["next_hop_ip"] = str(self.next_hop_ip)
        return data


@dataclass
class RouteTable:
    name: str
    disable_bgp_route_propagation: bool = False
    routes: dict[str, UserRoute] = field(default_factory=dict)

    def to_dict(self) -> dict:
        data = {"name": self.name, "routes": [r.to_dict() for r in self.routes.values()]}
        if self.disable_bgp_route_propagation:
            data["disable_bgp_route_propagation"] = True
        return data


def make_route(name: str, prefix: str, next_hop_type: str, next_hop_ip: str | None = None) -> UserRoute:
    """Validate one user-defined route."""
    if next_hop_type in ("VNetPeering", "VNetGlobalPeering", "VirtualNetworkServiceEndpoint"):
        raise RouteTableError(f"Route {name}: {next_hop_type} cannot be a user-defined next hop (Azure adds those routes "
                              "itself).", value=next_hop_type, rule="peering/service-endpoint next hops are system-only",
                              source=UDR_OVERVIEW)
    if next_hop_type not in USER_NEXT_HOPS:
        raise RouteTableError(f"Route {name}: next hop type {next_hop_type!r}; use one of {', '.join(USER_NEXT_HOPS)}.",
                              value=next_hop_type, rule="user-defined next-hop types", source=UDR_OVERVIEW)
    ip = None
    if next_hop_type == "VirtualAppliance":
        if next_hop_ip is None:
            raise RouteTableError(f"Route {name}: VirtualAppliance needs the appliance's IP address.", value=name,
                                  rule="VirtualAppliance has a next-hop IP", source=UDR_OVERVIEW)
        ip = addressing.parse_address(next_hop_ip, what="next-hop IP")
    elif next_hop_ip is not None:
        raise RouteTableError(f"Route {name}: only VirtualAppliance routes take a next-hop IP.", value=next_hop_ip,
                              rule="next-hop IP only for VirtualAppliance", source=UDR_OVERVIEW)
    return UserRoute(name=name, prefix=addressing.parse_prefix(prefix), next_hop_type=next_hop_type, next_hop_ip=ip)


def add_route(table: RouteTable, route: UserRoute) -> None:
    if route.name in table.routes:
        raise RouteTableError(f"Route table {table.name} already has a route named {route.name}.", value=route.name,
                              rule="route names are unique in a table")
    if len(table.routes) >= ROUTES_PER_TABLE:
        raise RouteTableError(f"Route table {table.name} has {ROUTES_PER_TABLE} routes, the limit.", value=len(table.routes),
                              rule="400 routes per route table",
                              source="https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#networking-limits (2022-12-05)")
    table.routes[route.name] = route


def check_gateway_subnet_table(table: RouteTable) -> None:
    """GatewaySubnet: no 0.0.0.0/0 UDR, and gateway route propagation must stay on (gateway UDR warning, 2023-09-26)."""
    src = "https://github.com/MicrosoftDocs/azure-docs/blob/main/includes/vpn-gateway-gwudr-warning.md (2023-09-26)"
    if table.disable_bgp_route_propagation:
        raise RouteTableError(f"Route table {table.name} disables gateway route propagation; on GatewaySubnet that stops "
                              "the gateway from working.", value=table.name, rule="keep propagation on GatewaySubnet",
                              source=src)
    if any(r.prefix == IPNetwork("0.0.0.0/0") for r in table.routes.values()):
        raise RouteTableError(f"Route table {table.name} has a 0.0.0.0/0 route; that is not supported on GatewaySubnet.",
                              value=table.name, rule="no 0.0.0.0/0 UDR on GatewaySubnet", source=src)
