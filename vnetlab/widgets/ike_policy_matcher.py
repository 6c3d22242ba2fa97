"""The IKE policy matcher: an Azure VPN gateway against an on-premises device (or a second gateway); does the
tunnel come up, and if so, how much room does ESP leave for a packet?

The engine decides everything (:mod:`vnetlab.ipsec`): :func:`~vnetlab.ipsec.azure_endpoint` (default offers, or
only the custom policy), :func:`~vnetlab.ipsec.device_endpoint`, :func:`~vnetlab.ipsec.negotiate` /
:func:`~vnetlab.ipsec.negotiate_vnet_to_vnet`, and for an established SA :func:`~vnetlab.ipsec.esp_overhead`,
:func:`~vnetlab.ipsec.tcp_mss` and :func:`~vnetlab.ipsec.compare_with_azure_guidance`.

Logic layer: :class:`IkeSession` (plain-data settings → :class:`IkeView`). Widget layer: :class:`IkePolicyMatcher`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any

import ipywidgets as ipw

from ..errors import VnetlabError
from ..facts import fact
from ..gateway import catalog
from ..ipsec import (ALGORITHM_FIELDS, IKE_VERSIONS, Negotiation, azure_endpoint, compare_with_azure_guidance,
                     device_endpoint, esp_overhead, negotiate, negotiate_vnet_to_vnet)
from . import Explorer, callback

VPN_TYPES = ("RouteBased", "PolicyBased")
DEVICE, AZURE = "On-premises device", "Second Azure gateway (VNet-to-VNet)"
LIMIT_FIELDS = ("sa_lifetime_seconds", "sa_data_size_kb", "dpd_timeout_seconds")
# The words of the policy page (Configure IPsec/IKE policy, learn.microsoft.com/azure/vpn-gateway/ipsec-ike-policy-howto,
# 2024-12-02), not the Python names
FIELD_LABELS = {"ike_encryption": "IKE Phase 1 encryption", "ike_integrity": "IKE Phase 1 integrity",
                "dh_group": "DH group", "ipsec_encryption": "IPsec (Phase 2) encryption",
                "ipsec_integrity": "IPsec (Phase 2) integrity", "pfs_group": "PFS group",
                "sa_lifetime_seconds": "SA lifetime (seconds)", "sa_data_size_kb": "SA lifetime (KB)",
                "dpd_timeout_seconds": "DPD timeout (seconds)"}


@dataclass
class AzureSettings:
    """One Azure gateway's connection: SKU, VPN type and, when ``custom``, the custom IPsec/IKE policy."""

    sku: str = "VpnGw2AZ"
    vpn_type: str = "RouteBased"
    custom: bool = False
    policy: dict[str, Any] = field(default_factory=dict)

    def endpoint(self, name: str):
        return azure_endpoint(name, self.sku, self.vpn_type, self.policy if self.custom else None)

    def to_dict(self) -> dict:
        return {"sku": self.sku, "vpn_type": self.vpn_type, "policy": dict(self.policy) if self.custom else None}


@dataclass
class DeviceSettings:
    """An on-premises device: IKE versions and phase 1 / phase 2 proposals, one per line, in preference order."""

    ike_versions: list[str] = field(default_factory=lambda: ["IKEv2"])
    phase1: list[str] = field(default_factory=lambda: ["AES256/SHA256/DHGroup2"])  # in Azure's default list
    phase2: list[str] = field(default_factory=lambda: ["AES256/SHA256/None"])

    def endpoint(self, name: str = "on-premises device"):
        return device_endpoint(name, self.ike_versions, self.phase1, self.phase2)

    def to_dict(self) -> dict:
        return {"ike_versions": list(self.ike_versions), "phase1": list(self.phase1), "phase2": list(self.phase2)}


@dataclass(frozen=True)
class IkeView:
    negotiation: Negotiation
    result_html: str
    esp_html: str


def lines(text: str) -> list[str]:
    """Non-empty lines of a text area."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def result_html(n: Negotiation) -> str:
    ok = n.established
    colour = "#DDF2EA" if ok else "#FBE3D6"  # light bluish green / light vermillion (Okabe–Ito)
    return (f'<div style="background:{colour};padding:4px 8px;border-radius:4px;margin:4px 0">'
            f"<b>{'✓ established' if ok else '✗ not established'}</b>: {escape(n.reason)}</div>" + n._repr_html_())


def esp_html(n: Negotiation, outer_mtu: int = 1500, nat_t: bool = False, inner_packet: int = 1400) -> str:
    """For an established SA: ESP bytes around one packet, the largest TCP MSS, and Azure's MSS guidance. An
    algorithm the ESP arithmetic does not model is named in words instead."""
    if not n.established or n.phase2 is None:
        return ""
    enc, integ = n.phase2.encryption, n.phase2.integrity
    try:
        overhead = esp_overhead(enc, integ, inner_packet, nat_t)
        comparison = compare_with_azure_guidance(enc, integ, outer_mtu, nat_t)
    except VnetlabError as exc:
        return f"<p><i>ESP overhead not computed for {escape(str(n.phase2))}: {escape(str(exc))}</i></p>"
    return (overhead._repr_html_() + f"<p><b>TCP MSS {comparison.computed_mss}</b> (Azure advises "
            f"{comparison.azure_mss}). {escape(comparison.explanation)}</p>"
            f"<p style='font-size:11px;color:#555'>{escape(comparison.source)}</p>")


class IkeSession:
    """Plain settings for both ends and the negotiation between them."""

    def __init__(self) -> None:
        self.azure = AzureSettings()
        self.device = DeviceSettings()
        self.remote_azure = AzureSettings()
        self.remote = "device"          # "device" or "azure" (VNet-to-VNet)
        self.device_initiates = True
        self.outer_mtu = 1500
        self.nat_t = False
        self.last: Negotiation | None = None

    def negotiate(self) -> IkeView:
        local = self.azure.endpoint("Azure gateway")
        if self.remote == "azure":
            n = negotiate_vnet_to_vnet(local, self.remote_azure.endpoint("second Azure gateway"))
        else:
            device = self.device.endpoint()
            n = negotiate(device, local) if self.device_initiates else negotiate(local, device)
        self.last = n
        return IkeView(n, result_html(n), esp_html(n, self.outer_mtu, self.nat_t))

    def answer_data(self) -> dict:
        remote = self.remote_azure.to_dict() if self.remote == "azure" else self.device.to_dict()
        return {"azure": self.azure.to_dict(), "device": remote, "remote": self.remote,
                "established": bool(self.last is not None and self.last.established)}


def _sku_names() -> list[str]:
    """Gateway SKU names of the catalog (current first), once each."""
    return list(dict.fromkeys(s.name for s in catalog()))


class _AzureControls:
    """Controls of one Azure gateway: SKU, VPN type, custom policy (six algorithms, SA lifetime and size, DPD)."""

    def __init__(self, title: str) -> None:
        style = {"description_width": "initial"}
        allowed = fact("ipsec", "custom_policy_allowed").value
        limits = fact("ipsec", "custom_policy_limits").value
        self.sku = ipw.Dropdown(options=_sku_names(), value="VpnGw2AZ", description="SKU", style=style)
        self.vpn_type = ipw.Dropdown(options=VPN_TYPES, description="VPN type", style=style)
        self.custom = ipw.Checkbox(description="custom IPsec/IKE policy", indent=False)
        self.fields = {name: ipw.Dropdown(options=allowed[name], description=FIELD_LABELS[name], style=style)
                       for name in ALGORITHM_FIELDS}
        self.limits = {name: ipw.IntText(value=limits[name]["default"], description=FIELD_LABELS[name], style=style)
                       for name in LIMIT_FIELDS}
        self.policy_box = ipw.VBox([*self.fields.values(), *self.limits.values()])
        self.box = ipw.VBox([ipw.HTML(f"<b>{escape(title)}</b>"), self.sku, self.vpn_type, self.custom,
                             self.policy_box])
        self.controls = [self.sku, self.vpn_type, self.custom, *self.fields.values(), *self.limits.values()]

    def settings(self) -> AzureSettings:
        policy = {name: w.value for name, w in self.fields.items()}
        policy.update({name: int(w.value) for name, w in self.limits.items()})
        self.policy_box.layout.display = None if self.custom.value else "none"
        return AzureSettings(self.sku.value, self.vpn_type.value, bool(self.custom.value), policy)


class IkePolicyMatcher(Explorer):
    """Left: the Azure gateway (SKU, VPN type, custom policy). Right: an on-premises device (IKE versions,
    phase 1 and phase 2 proposals, one per line) or a second Azure gateway for VNet-to-VNet. Shows whether the
    tunnel is established (or why not, step by step) and, when it is, ESP's overhead and the TCP MSS.

    Attributes: ``azure`` and ``remote_azure`` (controls with ``sku``, ``vpn_type``, ``custom``, ``fields``
    {algorithm: Dropdown}, ``limits`` {name: IntText}), ``remote`` (ToggleButtons: device or Azure),
    ``ike_versions`` ({version: Checkbox}), ``phase1``, ``phase2`` (Textarea), ``device_initiates`` (Checkbox),
    ``outer_mtu`` (IntText), ``nat_t`` (Checkbox), ``result``, ``esp``, ``errors`` (HTML), ``session``, ``widget``.
    """

    def __init__(self) -> None:
        self.session = IkeSession()
        style = {"description_width": "initial"}
        d = self.session.device
        self.azure = _AzureControls("Azure VPN gateway")
        self.remote_azure = _AzureControls("Second Azure VPN gateway")
        self.remote = ipw.ToggleButtons(options=(DEVICE, AZURE), value=DEVICE)
        self.ike_versions = {v: ipw.Checkbox(value=v in d.ike_versions, description=v, indent=False,
                                             layout=ipw.Layout(width="auto")) for v in IKE_VERSIONS}
        self.phase1 = ipw.Textarea(value="\n".join(d.phase1), description="Phase 1", style=style,
                                   placeholder="AES256/SHA256/DHGroup14", continuous_update=False)
        self.phase2 = ipw.Textarea(value="\n".join(d.phase2), description="Phase 2", style=style,
                                   placeholder="GCMAES256/GCMAES256/PFS24", continuous_update=False)
        self.device_initiates = ipw.Checkbox(value=True, description="the device initiates", indent=False)
        self.device_box = ipw.VBox([ipw.HTML("<b>On-premises VPN device</b>"),
                                    ipw.HBox(list(self.ike_versions.values())), self.phase1, self.phase2,
                                    self.device_initiates])
        self.outer_mtu = ipw.BoundedIntText(value=1500, min=68, max=9000, description="Path MTU", style=style)
        self.nat_t = ipw.Checkbox(description="NAT-T (UDP 4500)", indent=False)
        self.result = ipw.HTML()
        self.esp = ipw.HTML()
        self.errors = ipw.HTML()
        self.widget = ipw.VBox([
            self.remote,
            ipw.HBox([self.azure.box, self.device_box, self.remote_azure.box]),
            ipw.HBox([self.outer_mtu, self.nat_t]),
            self.errors, self.result, self.esp,
        ])
        controls = [*self.azure.controls, *self.remote_azure.controls, self.remote, *self.ike_versions.values(),
                    self.phase1, self.phase2, self.device_initiates, self.outer_mtu, self.nat_t]
        for control in controls:
            control.observe(self._on_change, names="value")
        self._on_change()

    def _read(self) -> None:
        """Copy the controls into the session's plain settings."""
        s = self.session
        s.azure = self.azure.settings()
        s.remote_azure = self.remote_azure.settings()
        s.remote = "azure" if self.remote.value == AZURE else "device"
        s.device = DeviceSettings([v for v, box in self.ike_versions.items() if box.value],
                                  lines(self.phase1.value), lines(self.phase2.value))
        s.device_initiates = bool(self.device_initiates.value)
        s.outer_mtu, s.nat_t = int(self.outer_mtu.value), bool(self.nat_t.value)
        self.device_box.layout.display = "none" if s.remote == "azure" else None
        self.remote_azure.box.layout.display = None if s.remote == "azure" else "none"

    @callback
    def _on_change(self, change: object = None) -> None:
        self._read()
        self.result.value = self.esp.value = ""
        view = self.session.negotiate()
        self.errors.value = ""
        self.result.value = view.result_html
        self.esp.value = view.esp_html

    def answer_data(self) -> dict:
        """{"azure": {sku, vpn_type, policy}, "device": {...}, "remote": "device"|"azure", "established": bool}."""
        return self.session.answer_data()


__all__ = ["AzureSettings", "DeviceSettings", "IkePolicyMatcher", "IkeSession", "IkeView", "esp_html", "lines",
           "result_html"]
