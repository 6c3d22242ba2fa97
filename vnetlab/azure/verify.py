"""Check the simulator against Azure: effective routes and effective NSG rules of one NIC, row by row.

``az network nic show-effective-route-table -g G -n NIC -o json`` prints ``{"value": [row, ...]}``; each row has
``addressPrefix`` (a list), ``nextHopType``, ``nextHopIpAddress`` (a list), ``source`` (``Default``, ``User``,
``VirtualNetworkGateway``) and ``state`` (``Active``, ``Invalid``) — the fields of the simulator's
:class:`~vnetlab.routes.Route`. ``az network nic list-effective-nsg -g G -n NIC -o json`` prints
``{"value": [{"networkSecurityGroup": {"id"}, "association": {...}, "effectiveSecurityRules": [...]}]}``.

Every Azure row is matched to a simulated row (same prefix, next hop type and source; for NSGs the same NSG and
rule name) and the pair is marked *agree* or *differs* (naming the field); rows on one side only are listed as
such. Each simulated row carries the rule that produced it (:attr:`Route.origin`, the UDR's name, the NSG rule),
so a difference points at the rule to question. Only public fields of the engine's results are compared.
"""
from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..display import html_table, text_table
from ..errors import VnetlabError
from .arm import AzureImportError, lookup, parse_id, ref_id

AGREE, DIFFERS, AZURE_ONLY, SIM_ONLY = "agree", "differs", "only in Azure", "only in simulator"
UNMODELLED_HOPS = {"virtualnetworkserviceendpoint": "service endpoints are not modelled",
                   "internet_service_tag": "service-tag routes are not modelled"}


def _load(export: Any, what: str) -> list:
    """The rows of an export: a file, JSON text, ``{"value": [...]}`` or the list itself."""
    doc = export
    if isinstance(export, (str, Path)) and not str(export).lstrip().startswith(("{", "[")):
        try:
            doc = json.loads(Path(export).read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise AzureImportError(f"Cannot read {export}: {exc.strerror or exc}.", value=str(export),
                                   rule=f"{what} is a JSON file") from None
        except json.JSONDecodeError as exc:
            raise AzureImportError(f"{export} is not JSON ({exc.msg}); save az's output with -o json.",
                                   value=str(export), rule=f"{what} is JSON") from None
    elif isinstance(export, str):
        try:
            doc = json.loads(export)
        except json.JSONDecodeError as exc:
            raise AzureImportError(f"The {what} is not JSON ({exc.msg}).", value=export[:60], rule=f"{what} is JSON") \
                from None
    if isinstance(doc, dict) and isinstance(lookup(doc, "value"), list):
        doc = lookup(doc, "value")
    if not isinstance(doc, list):
        raise AzureImportError(f"The {what} should be a list of rows or {{\"value\": [...]}}, got "
                               f"{type(doc).__name__}.", value=type(doc).__name__, rule=f"{what} format")
    return doc


def _field(row: Any, index: int, name: str, what: str) -> Any:
    value = lookup(row, name)
    if value is None:
        raise AzureImportError(f"{what} row {index}: the field {name} is missing.", value=name,
                               rule=f"{what} rows have {name}")
    return value


def _checked(compute, what: str):
    """``compute()``, with a field of the wrong JSON type reported as the export's problem, not a traceback."""
    try:
        return compute()
    except VnetlabError:
        raise
    except (TypeError, AttributeError, ValueError, KeyError) as exc:
        raise AzureImportError(f"The {what} has a field of an unexpected type ({exc}); save az's output with -o json "
                               "and pass it unchanged.", value=what, rule=f"{what} format") from None


def _place(network, nic: str):
    try:
        found = network.nic(nic)
    except VnetlabError:
        known = ", ".join(n.name for n in network.nics) or "none (import `az network nic list -o json` too)"
        raise AzureImportError(f"No NIC named {nic!r} in the network (NICs: {known}).", value=nic,
                               rule="verify needs the NIC the export was taken from") from None
    return found


# --- effective routes --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RouteRow:
    prefix: str
    verdict: str
    azure: str       # "VnetLocal · Default · Active" as Azure lists it
    simulated: str   # the same for the simulated row
    rule: str        # what produced the simulated row
    note: str = ""


def _describe(hop: str, source: str, state: str, ips: tuple) -> str:
    return " · ".join(x for x in (hop + (f" {', '.join(ips)}" if ips else ""), source, state) if x)


class _Verdicts(ABC):
    """Counting and displaying rows that carry a ``verdict``; subclasses give ``rows``, headers and a caption."""

    rows: tuple
    HEADERS: tuple[str, ...] = ()

    def count(self, verdict: str) -> int:
        return sum(r.verdict == verdict for r in self.rows)

    @property
    def agrees(self) -> bool:
        return all(r.verdict == AGREE for r in self.rows)

    def summary(self) -> str:
        return (f"{self.count(AGREE)} of {len(self.rows)} rows agree; {self.count(DIFFERS)} differ, "
                f"{self.count(AZURE_ONLY)} only in Azure, {self.count(SIM_ONLY)} only in the simulator")

    @abstractmethod
    def table_rows(self) -> list[tuple]:
        """Each row's cells, in the order of ``HEADERS``."""

    @abstractmethod
    def _caption(self) -> str:
        """The table's caption, with the summary of verdicts."""

    def _repr_html_(self) -> str:
        return html_table(self.HEADERS, self.table_rows(), highlight=[i for i, r in enumerate(self.rows)
                                                                       if r.verdict != AGREE], caption=self._caption())

    def __str__(self) -> str:
        return self._caption() + "\n" + text_table(self.HEADERS, self.table_rows())


@dataclass(frozen=True)
class RouteCheck(_Verdicts):
    """Azure's effective routes for a NIC against the simulator's for its subnet."""

    nic: str
    vnet: str
    subnet: str
    rows: tuple[RouteRow, ...]

    HEADERS = ("Verdict", "Prefix", "Azure", "Simulator", "Rule that produced the simulated row", "Note")

    def table_rows(self) -> list[tuple]:
        return [(r.verdict, r.prefix, r.azure, r.simulated, r.rule, r.note) for r in self.rows]

    def _caption(self) -> str:
        return f"Effective routes of NIC {self.nic} ({self.vnet}/{self.subnet}), Azure vs simulator: {self.summary()}"


@dataclass(frozen=True)
class _AzureRoute:
    prefix: str
    hop: str
    source: str
    state: str
    ips: tuple[str, ...]


def azure_routes(export: Any) -> list[_AzureRoute]:
    """Azure's rows, one per prefix (Azure lists several prefixes in one row when they share a next hop)."""
    out = []
    for i, row in enumerate(_load(export, "effective route table")):
        prefixes = _field(row, i, "addressPrefix", "effective route table")
        prefixes = [prefixes] if isinstance(prefixes, str) else prefixes
        ips = lookup(row, "nextHopIpAddress") or []
        ips = [ips] if isinstance(ips, str) else ips
        for p in prefixes:
            out.append(_AzureRoute(prefix=str(p), hop=str(_field(row, i, "nextHopType", "effective route table")),
                                   source=str(lookup(row, "source") or ""), state=str(lookup(row, "state") or "Active"),
                                   ips=tuple(str(x) for x in ips)))
    return out


def _rule(route) -> str:
    return route.origin + (f" (route {route.name})" if route.name else "")


def verify_routes(network, nic: str, export: Any) -> RouteCheck:
    """Compare ``export`` (``az network nic show-effective-route-table -o json`` for ``nic``) with the simulator."""
    n = _place(network, nic)
    simulated = list(network.effective_routes(n.vnet.name, n.subnet.name).routes)
    azure = _checked(lambda: azure_routes(export), "effective route table")
    used: set[int] = set()
    rows: list[RouteRow] = []

    def take(pred) -> Any:
        for i, r in enumerate(simulated):
            if i not in used and pred(r):
                used.add(i)
                return r
        return None

    pending = []
    for a in azure:  # first pass: same prefix, next hop and source
        s = take(lambda r: r.prefix == a.prefix and r.next_hop_type.lower() == a.hop.lower()
                 and r.source.lower() == a.source.lower())
        pending.append((a, s))
    for a, s in pending:
        if s is None:  # second pass: same prefix, something else differs
            s = take(lambda r: r.prefix == a.prefix)
        az = _describe(a.hop, a.source, a.state, a.ips)
        if s is None:
            rows.append(RouteRow(a.prefix, AZURE_ONLY, az, "", "", UNMODELLED_HOPS.get(a.hop.lower(), "")))
            continue
        sim = _describe(s.next_hop_type, s.source, s.state, s.next_hop_ip)
        diffs = [f for f, x, y in (("next hop type", a.hop.lower(), s.next_hop_type.lower()),
                                   ("source", a.source.lower(), s.source.lower()),
                                   ("state", a.state.lower(), s.state.lower())) if x != y]
        if s.next_hop_type == "VirtualAppliance" and set(a.ips) != set(s.next_hop_ip):
            diffs.append("next hop IP")
        note = ""
        if s.next_hop_type == "VirtualNetworkGateway" and set(a.ips) != set(s.next_hop_ip):
            note = "gateway instance IPs not compared (the simulator picks its own)"
        rows.append(RouteRow(a.prefix, DIFFERS if diffs else AGREE, az, sim, _rule(s),
                             ("differs in " + ", ".join(diffs) + (f"; {note}" if note else "")) if diffs else note))
    for i, s in enumerate(simulated):
        if i not in used:
            rows.append(RouteRow(s.prefix, SIM_ONLY, "", _describe(s.next_hop_type, s.source, s.state, s.next_hop_ip),
                                 _rule(s)))
    return RouteCheck(nic=n.name, vnet=n.vnet.name, subnet=n.subnet.name, rows=tuple(rows))


# --- effective NSG rules -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NsgRow:
    nsg: str
    rule: str
    verdict: str
    azure: str
    simulated: str
    produced_by: str
    note: str = ""


@dataclass(frozen=True)
class NsgCheck(_Verdicts):
    """Azure's effective security rules for a NIC against the rules the simulator evaluates for it."""

    nic: str
    rows: tuple[NsgRow, ...]

    HEADERS = ("Verdict", "NSG", "Rule", "Azure", "Simulator", "Where the simulated rule applies", "Note")

    def table_rows(self) -> list[tuple]:
        return [(r.verdict, r.nsg, r.rule, r.azure, r.simulated, r.produced_by, r.note) for r in self.rows]

    def _caption(self) -> str:
        return f"Effective security rules of NIC {self.nic}, Azure vs simulator: {self.summary()}"


def _canon_ports(values: Any) -> tuple[str, ...]:
    from ..nsg import parse_ports

    return tuple(sorted(str(p) for p in parse_ports(values or "*")))


def _canon_addresses(values: Any) -> tuple[str, ...]:
    from ..nsg import ANY, parse_addresses

    items = values if isinstance(values, list) else [values or "*"]
    out = []
    for item in items:
        try:
            (match,) = parse_addresses(item)
        except (VnetlabError, ValueError):
            out.append(str(item).lower())  # a tag vnetlab does not know: compared as text
            continue
        if match.prefix is not None:
            out.append(ANY if str(match.prefix) == "0.0.0.0/0" else str(match.prefix))
        else:
            out.append(match.tag.lower() if match.tag else ANY)
    return tuple(sorted(out))


def _canon_protocol(value: Any) -> str:
    text = str(value or "*")
    return "*" if text.lower() in ("*", "all", "any") else text.lower()


def _azure_fields(rule: dict, i: int) -> dict:
    def pick(one: str, many: str) -> Any:
        return lookup(rule, many) or lookup(rule, one)
    return {"direction": str(_field(rule, i, "direction", "effective NSG")),
            "priority": int(_field(rule, i, "priority", "effective NSG")),
            "access": str(_field(rule, i, "access", "effective NSG")),
            "protocol": _canon_protocol(lookup(rule, "protocol")),
            "source": _canon_addresses(pick("sourceAddressPrefix", "sourceAddressPrefixes")),
            "source ports": _canon_ports(pick("sourcePortRange", "sourcePortRanges")),
            "destination": _canon_addresses(pick("destinationAddressPrefix", "destinationAddressPrefixes")),
            "destination ports": _canon_ports(pick("destinationPortRange", "destinationPortRanges"))}


def _sim_fields(rule) -> dict:
    return {"direction": rule.direction, "priority": rule.priority, "access": rule.access,
            "protocol": _canon_protocol(rule.protocol),
            "source": _canon_addresses([m.text for m in rule.sources]),
            "source ports": tuple(sorted(str(p) for p in rule.source_ports)),
            "destination": _canon_addresses([m.text for m in rule.destinations]),
            "destination ports": tuple(sorted(str(p) for p in rule.destination_ports))}


def _show(fields_: dict) -> str:
    return (f"{fields_['direction']} {fields_['priority']} {fields_['access']} {fields_['protocol']} "
            f"{','.join(fields_['source'])}:{','.join(fields_['source ports'])} → "
            f"{','.join(fields_['destination'])}:{','.join(fields_['destination ports'])}")


def verify_nsg(network, nic: str, export: Any) -> NsgCheck:
    """Compare ``export`` (``az network nic list-effective-nsg -o json`` for ``nic``) with the simulator's NSGs."""
    n = _place(network, nic)
    simulated: dict[tuple[str, str], tuple[Any, str]] = {}
    for level, group in ((f"subnet {n.vnet.name}/{n.subnet.name}", n.subnet.network_security_group),
                         (f"NIC {n.name}", n.network_security_group)):
        if group is not None:
            for rule in group.rules("Inbound") + group.rules("Outbound"):
                simulated[(group.name.lower(), rule.name.lower())] = (rule, f"NSG {group.name} on {level}")
    rows: list[NsgRow] = []
    seen: set[tuple[str, str]] = set()
    _checked(lambda: _azure_nsg_rows(export, simulated, rows, seen), "effective NSG list")
    for key, (rule_obj, where) in simulated.items():
        if key not in seen:
            rows.append(NsgRow(where.split()[1], rule_obj.name, SIM_ONLY, "", _show(_sim_fields(rule_obj)), where))
    return NsgCheck(nic=n.name, rows=tuple(rows))


def _azure_nsg_rows(export: Any, simulated: dict, rows: list, seen: set) -> None:
    for entry in _load(export, "effective NSG list"):
        nsg_id = ref_id(lookup(entry, "networkSecurityGroup"))
        nsg = parse_id(nsg_id).name if nsg_id else "(none)"
        association = lookup(entry, "association") or {}
        manager = ref_id(lookup(association, "networkManager"))
        for i, rule in enumerate(lookup(entry, "effectiveSecurityRules") or []):
            name = str(_field(rule, i, "name", "effective NSG")).split("/")[-1]
            az = _azure_fields(rule, i)
            key = (nsg.lower(), name.lower())
            found = simulated.get(key)
            if found is None:
                note = "the NSG is not associated with this NIC or its subnet in the model" if not any(
                    k[0] == nsg.lower() for k in simulated) else "no such rule in the model's NSG"
                if manager:
                    note += f"; Azure also lists network manager {parse_id(manager).name} (not modelled)"
                rows.append(NsgRow(nsg, name, AZURE_ONLY, _show(az), "", "", note))
                continue
            seen.add(key)
            rule_obj, where = found
            sim = _sim_fields(rule_obj)
            diffs = [k for k in az if az[k] != sim[k]]
            rows.append(NsgRow(nsg, name, DIFFERS if diffs else AGREE, _show(az), _show(sim), where,
                               ("differs in " + ", ".join(diffs)) if diffs else ""))
