"""The SKU explorer: state what a VPN gateway must carry, see which SKUs do and why the others do not.

Logic layer: :func:`sku_rows` asks the engine (:func:`vnetlab.gateway.catalog`,
:func:`~vnetlab.gateway.requirements_met`, :func:`~vnetlab.gateway.check_creatable`) about every SKU for a
:class:`Needs` and returns :class:`SkuRow` values; :func:`table_html` and :func:`choices` present them.
Widget layer: :class:`SkuExplorer` wires number fields, checkboxes and a dropdown of the SKUs that fit.

The numbers are the SKU tables' (About gateway SKUs, 2026-06-08; legacy SKUs 2026-02-27), read from
``vnetlab/data/vpn_gateway_skus.yaml``; nothing here adds a figure of its own.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from html import escape

import ipywidgets as ipw

from ..errors import VnetlabError
from ..gateway import Sku, catalog, check_creatable, p2s_clients, requirements_met
from . import Explorer, callback


@dataclass(frozen=True)
class Needs:
    """What the gateway must carry: aggregate throughput (Mbps), S2S/VNet-to-VNet tunnels, P2S clients per protocol
    pool (``p2s`` IKEv2/OpenVPN, ``p2s_sstp`` SSTP: separate limits) and the features BGP, NAT and zone redundancy."""

    throughput_mbps: int = 0
    tunnels: int = 0
    p2s: int = 0
    bgp: bool = False
    nat: bool = False
    zone_redundant: bool = False
    p2s_sstp: int = 0

    def __post_init__(self) -> None:
        for name in ("throughput_mbps", "tunnels", "p2s", "p2s_sstp"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise VnetlabError(f"{name} = {value!r}: give a whole number, 0 or more.", value=value,
                                   rule="requirements are counts")

    def requirements(self) -> dict:
        """The keyword arguments of ``requirements_met``, P2S clients per pool (:func:`vnetlab.gateway.p2s_clients`)."""
        pools = {**p2s_clients(self.p2s), **p2s_clients(self.p2s_sstp, ("SSTP",))}
        return {k: v for k, v in self.__dict__.items() if k not in ("p2s", "p2s_sstp")} | {"p2s": pools}


@dataclass(frozen=True)
class SkuRow:
    """One SKU against the needs: what it lacks (``shortfalls``, the engine's words) and, when it can no
    longer be created, the engine's refusal (``not_creatable``)."""

    sku: Sku
    shortfalls: tuple[str, ...]
    not_creatable: str

    @property
    def fits(self) -> bool:
        return not self.shortfalls

    @property
    def choosable(self) -> bool:
        """Fits and can be created for a new deployment."""
        return self.fits and not self.not_creatable

    @property
    def status_words(self) -> str:
        s = self.sku
        if s.status == "current":
            return "current"
        words = "non-AZ" if s.status == "noncreatable" else "legacy"
        parts = [f"{words}: no new gateways since {s.not_creatable_from}"]
        if s.retired:
            parts.append(f"end of support {s.retired}")
        if s.migrates_to:
            parts.append(f"Azure migrates existing ones to {s.migrates_to}")
        return "; ".join(parts)


def sku_rows(needs: Needs, *, include_old: bool = False, on: _dt.date | None = None) -> list[SkuRow]:
    """Every SKU of the catalog against ``needs`` (current SKUs only unless ``include_old``), in catalog order.
    ``on`` is the day creatability is judged (today by default)."""
    rows = []
    for s in catalog():
        if s.status != "current" and not include_old:
            continue
        try:
            check_creatable(s, on)
            refusal = ""
        except VnetlabError as exc:
            refusal = str(exc)
        rows.append(SkuRow(sku=s, shortfalls=tuple(requirements_met(s, **needs.requirements())), not_creatable=refusal))
    return rows


def choices(rows: list[SkuRow]) -> list[str]:
    """The SKUs (``Sku.key``) a new gateway may use: they fit and can be created."""
    return [r.sku.key for r in rows if r.choosable]


CELL = "padding:3px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top"
HEADERS = ("SKU", "Meets the needs?", "Why not", "Tunnels (S2S/VNet-to-VNet)", "P2S per pool (IKEv2/OpenVPN · SSTP)",
           "Aggregate throughput", "BGP", "NAT", "Zone-redundant", "Status")


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _row_html(r: SkuRow) -> str:
    s = r.sku
    mark = "✓ yes" if r.fits else "✗ no"
    why = "; ".join(r.shortfalls)
    if r.not_creatable:
        why = (why + "; " if why else "") + "cannot be created for a new deployment"
    status = escape(r.status_words)
    if s.status != "current":
        status = f"⚠ {status}"
    cells = [f"<b>{escape(s.key)}</b>", mark, escape(why) or "—", f"{s.tunnels:,}",
             f"{s.p2s_ikev2_openvpn:,} · {s.p2s_sstp:,}", f"{s.throughput_mbps:,} Mbps", _yes(s.bgp), _yes(s.nat),
             _yes(s.zone_redundant) + ("" if s.zone_redundant else " (non-AZ)" if s.status != "current" else ""),
             status]
    style = "" if r.choosable else "color:#767676;"
    if r.choosable:
        style = "background:#DDF2EA;"  # light bluish green, with the ✓ mark and the dropdown listing it
    return f'<tr style="{style}">' + "".join(f'<td style="{CELL}">{c}</td>' for c in cells) + "</tr>"


def table_html(rows: list[SkuRow]) -> str:
    """Two tables: the SKUs that meet the needs, then those that fall short, each with the reason."""
    head = "<tr>" + "".join(f'<th style="{CELL};border-bottom:1px solid #888">{escape(h)}</th>' for h in HEADERS) + "</tr>"
    out = []
    for title, group in (("Meet the needs", [r for r in rows if r.fits]),
                         ("Fall short", [r for r in rows if not r.fits])):
        if not group:
            continue
        out.append(f'<table class="vnetlab-table" style="border-collapse:collapse;font-size:13px;margin-bottom:8px">'
                   f'<caption style="text-align:left;font-weight:bold;padding:4px 0">{title} ({len(group)})</caption>'
                   f"{head}{''.join(_row_html(r) for r in group)}</table>")
    old = [r for r in rows if r.not_creatable]
    if old:
        out.append("<details><summary>Why the ⚠ SKUs cannot be chosen</summary><ul>" +
                   "".join(f"<li>{escape(r.not_creatable)}</li>" for r in old) + "</ul></details>")
    return "".join(out)


def summary_html(rows: list[SkuRow]) -> str:
    picks = choices(rows)
    if not picks:
        return ("<b>No SKU you can create meets all of these needs.</b> Relax a requirement, or look beyond a single "
                "VPN gateway.")
    return f"<b>{len(picks)} SKU{'s' * (len(picks) != 1)} you can create meet{'s' * (len(picks) == 1)} the needs</b>: " \
           + ", ".join(escape(p) for p in picks)


class SkuExplorer(Explorer):
    """Type the needed throughput, tunnels and P2S clients per protocol pool, tick BGP, NAT and zone redundancy; the table
    shows which SKUs meet them (and why the others do not), the dropdown offers the ones you can create.

    Attributes: ``throughput_mbps``, ``tunnels``, ``p2s`` (IKEv2/OpenVPN clients), ``p2s_sstp`` (number fields); ``bgp``, ``nat``, ``zone_redundant``,
    ``include_old`` (checkboxes; the last adds the non-AZ and legacy SKUs to the table); ``choice``
    (dropdown of fitting, creatable SKUs); ``table``, ``summary``, ``errors`` (HTML); ``rows`` (the current
    :class:`SkuRow` list); ``widget``.
    """

    def __init__(self, *, on: _dt.date | None = None) -> None:
        self.on = on
        style = {"description_width": "initial"}
        self.throughput_mbps = ipw.BoundedIntText(value=0, min=0, max=10**6, step=50, style=style,
                                                  description="Aggregate throughput (Mbps)")
        self.tunnels = ipw.BoundedIntText(value=0, min=0, max=10**6, style=style,
                                          description="S2S/VNet-to-VNet tunnels")
        self.p2s = ipw.BoundedIntText(value=0, min=0, max=10**7, style=style, description="P2S clients (IKEv2/OpenVPN)")
        self.p2s_sstp = ipw.BoundedIntText(value=0, min=0, max=10**7, style=style, description="P2S clients (SSTP)")
        self.bgp = ipw.Checkbox(description="BGP", indent=False, layout=ipw.Layout(width="auto"))
        self.nat = ipw.Checkbox(description="NAT", indent=False, layout=ipw.Layout(width="auto"))
        self.zone_redundant = ipw.Checkbox(description="zone redundancy", indent=False, layout=ipw.Layout(width="auto"))
        self.include_old = ipw.Checkbox(description="include non-creatable and legacy SKUs", indent=False,
                                        layout=ipw.Layout(width="auto"))
        self.choice = ipw.Dropdown(options=[], description="Your choice", style=style)
        self.summary = ipw.HTML()
        self.table = ipw.HTML()
        self.errors = ipw.HTML()
        self.rows: list[SkuRow] = []
        self.widget = ipw.VBox([
            ipw.HBox([self.throughput_mbps, self.tunnels, self.p2s, self.p2s_sstp]),
            ipw.HBox([self.bgp, self.nat, self.zone_redundant, self.include_old]),
            self.errors, self.summary, self.choice, self.table,
        ])
        for control in (self.throughput_mbps, self.tunnels, self.p2s, self.p2s_sstp, self.bgp, self.nat, self.zone_redundant,
                        self.include_old):
            control.observe(self._on_change, names="value")
        self._on_change()

    def needs(self) -> Needs:
        return Needs(throughput_mbps=int(self.throughput_mbps.value), tunnels=int(self.tunnels.value),
                     p2s=int(self.p2s.value), bgp=bool(self.bgp.value), nat=bool(self.nat.value),
                     zone_redundant=bool(self.zone_redundant.value), p2s_sstp=int(self.p2s_sstp.value))

    @callback
    def _on_change(self, change: object = None) -> None:
        self.rows = sku_rows(self.needs(), include_old=bool(self.include_old.value), on=self.on)
        picks = choices(self.rows)
        keep = self.choice.value if self.choice.value in picks else (picks[0] if picks else None)
        self.choice.options = picks
        self.choice.value = keep
        self.summary.value = summary_html(self.rows)
        self.table.value = table_html(self.rows)
        self.errors.value = ""

    def answer_data(self) -> str | None:
        """The chosen SKU with its generation (``Sku.key``, e.g. ``"VpnGw2AZ (Gen1)"``), or None when nothing fits:
        a SKU name alone is ambiguous where two generations differ in throughput."""
        chosen = next((r.sku for r in self.rows if r.sku.key == self.choice.value), None)
        return chosen.key if chosen is not None else None


__all__ = ["Needs", "SkuExplorer", "SkuRow", "choices", "sku_rows", "summary_html", "table_html"]
