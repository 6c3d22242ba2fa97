"""Errors a learner can read.

Every mistake the simulator catches raises a subclass of :class:`VnetlabError` whose message names the
offending value and the Azure rule it breaks (with the rule's source where there is one). Nothing
learner-facing lets a raw ``netaddr`` or ``KeyError`` traceback escape.
"""
from __future__ import annotations


class VnetlabError(ValueError):
    """Base class: ``value`` is what was given, ``rule`` the rule it breaks, ``source`` where the rule is written."""

    def __init__(self, message: str, *, value: object = None, rule: str = "", source: str = "") -> None:
        super().__init__(message)
        self.value = value
        self.rule = rule
        self.source = source

    def __str__(self) -> str:  # the message already names value and rule; add the source when known
        msg = str(self.args[0]) if self.args else ""
        return f"{msg} [source: {self.source}]" if self.source and self.source not in msg else msg


# --- addressing ---------------------------------------------------------------------------------
class AddressError(VnetlabError):
    """Text that is not a usable IPv4 address or CIDR prefix."""


class InvalidPrefixError(AddressError):
    """Not a CIDR prefix at all (garbage, missing length, bad octets)."""


class PrefixLengthError(AddressError):
    """A prefix length outside 0..32, or outside the range a rule allows."""


class HostBitsSetError(AddressError):
    """A prefix such as 10.0.0.5/24 whose host bits are not zero; Azure wants the network address."""


class UnsupportedIPv6Error(AddressError):
    """An IPv6 value where the simulator (and this course) handles IPv4 only."""


class InvalidAddressError(AddressError):
    """Not a single IPv4 address."""


# --- virtual networks and subnets ---------------------------------------------------------------
class AddressSpaceError(VnetlabError):
    """A VNet address space Azure refuses (reserved range, overlap within the VNet, ...)."""


class ReservedRangeError(AddressSpaceError):
    """A range Azure does not allow in a VNet (multicast, loopback, link-local, ...)."""


class SubnetError(VnetlabError):
    """A subnet that breaks a subnet rule."""


class SubnetOutsideVnetError(SubnetError):
    """A subnet not contained in any address range of its VNet."""


class SubnetOverlapError(SubnetError):
    """Two subnets of one VNet that share addresses."""


class SubnetSizeError(SubnetError):
    """A subnet smaller or larger than Azure allows."""


class GatewaySubnetError(SubnetError):
    """A gateway subnet with the wrong name or size."""


class SubnetInUseError(SubnetError):
    """A change that would strand subnets or NICs (e.g. removing an address range that still holds subnets)."""


class NicError(VnetlabError):
    """A VM network interface that cannot take the address asked for."""


class ResourceNameError(VnetlabError):
    """A resource name that is empty or already taken."""


class NotFoundError(VnetlabError, KeyError):
    """A VNet, subnet, NIC or peering that does not exist in the network."""

    __str__ = VnetlabError.__str__  # KeyError would quote the message


# --- peering --------------------------------------------------------------------------------------
class PeeringError(VnetlabError):
    """A peering Azure refuses."""


class PeeringOverlapError(PeeringError):
    """Peering between VNets whose address spaces overlap."""


class PeeringExistsError(PeeringError):
    """A second link from one VNet to the same remote VNet."""


class GatewayTransitError(PeeringError):
    """``allow_gateway_transit`` / ``use_remote_gateways`` set where Azure does not allow it."""


class PeeringLimitError(PeeringError):
    """More peerings on one VNet than Azure's limit."""


class SettingError(VnetlabError):
    """A switch (true/false) or choice given a value it does not take."""


# --- routing and tracing ---------------------------------------------------------------------------
class TraceError(VnetlabError):
    """A trace request that cannot be answered (unknown source address, bad protocol or port)."""


# --- scenarios and grading ----------------------------------------------------------------------------
class ScenarioError(VnetlabError):
    """A YAML/dict scenario that does not follow the documented format."""


class GradingError(VnetlabError):
    """An exercise, question or submission the grader cannot use."""


class SandboxError(GradingError):
    """Grading cannot isolate the submissions (no usable bubblewrap, docker or podman) and was not told to run
    them without a sandbox."""
