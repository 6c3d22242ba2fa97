"""IPsec/IKE between a VPN gateway and its peer: policies, proposals, negotiation, ESP overhead.

A tunnel comes up in two phases. **Phase 1** (IKE SA, "Main Mode"): the two ends agree an IKE version, an
encryption, an integrity/PRF and a Diffie-Hellman group. **Phase 2** (IPsec SA, "Quick Mode"): they agree
the ESP encryption, integrity and PFS group that protect the traffic. In each phase the initiator proposes
its offers in order and the responder takes the first one it accepts; no common offer → no tunnel.

Azure's rules (``vnetlab/data/ipsec.yaml``; azure-facts.md §4):

* without a custom policy a gateway offers Azure's **default** lists; route-based Quick Mode offers differ
  as initiator (6) and responder (26) (About VPN devices, 2023-10-06);
* a **custom policy** names one value per field, all fields (no partial policy); the gateway then proposes
  and accepts **only** that policy; GCMAES IPsec encryption needs the same GCMAES integrity; SA lifetime
  ≥ 300 s, ≥ 1,024 KB; DPD 9–3,600 s; not on Basic (VPN FAQ 2026-06-04; IPsec/IKE policy how-to 2024-12-02);
* IKE versions: policy-based → IKEv1; route-based Basic → IKEv2; other route-based → both (§4.3);
* a VNet-to-VNet tunnel is two connection resources that need the same policy (§3.3, scenario S13);
* ESP adds headers, IV, padding and ICV to every packet and Azure does not fragment ESP, hence Azure's MSS
  1350 / tunnel MTU 1400 guidance (§4.4). The byte sizes come from the RFCs cited in the data.
"""
from __future__ import annotations

import difflib
import math
import re
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache, partial
from typing import Any, Mapping, Sequence

from . import gateway
from .display import html_table, text_table
from .errors import VnetlabError
from .facts import Fact, fact
from .vnet import python_names

ALGORITHM_FIELDS = ("ike_encryption", "ike_integrity", "dh_group", "ipsec_encryption", "ipsec_integrity", "pfs_group")
PHASE_FIELDS = {1: ALGORITHM_FIELDS[:3], 2: ALGORITHM_FIELDS[3:]}
IKE_VERSIONS = ("IKEv2", "IKEv1")  # preference order when both ends speak both
ROLES = ("initiator", "responder")


class IpsecError(VnetlabError):
    """An IPsec/IKE setting, proposal or endpoint the simulator (or Azure) cannot use."""


class IpsecPolicyError(IpsecError):
    """A custom IPsec/IKE policy Azure refuses (unknown value, partial policy, GCM mismatch, limits, SKU)."""


def _f(key: str) -> Fact:
    return fact("ipsec", key)


def _canon(text: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", text.upper())


def _normalise(what: str, value: object, allowed: Sequence[str], source: str, error: type = IpsecError) -> str:
    """``value`` in Azure's spelling: case and dashes ignored ("gcm-aes256" → GCMAES256, "3DES" → DES3)."""
    names = {_canon(n): n for n in allowed}
    aliases = {_canon(str(k)): v for k, v in _f("name_aliases").value.items()}
    if isinstance(value, str):
        key = _canon(aliases.get(_canon(value), value))
        if key in names:
            return names[key]
    close = difflib.get_close_matches(_canon(value) if isinstance(value, str) else "", list(names), n=1, cutoff=0.6)
    hint = f" Did you mean {names[close[0]]}?" if close else ""
    raise error(f"{what} {value!r} is not one of Azure's values ({', '.join(allowed)}).{hint}",
                value=value, rule=f"{what} must be one of {', '.join(allowed)}", source=source)


def _check_gcm(encryption: str, integrity: str, error: type = IpsecPolicyError) -> None:
    """GCMAES as IPsec encryption requires the same GCMAES algorithm and key length as integrity (VPN FAQ)."""
    if encryption.startswith("GCMAES") and integrity != encryption:
        rule = _f("custom_policy_rules")
        raise error(f"IPsec encryption {encryption} with integrity {integrity}: GCMAES encryption needs the same "
                    f"GCMAES as integrity (use {encryption}/{encryption}).", value=(encryption, integrity),
                    rule=rule.value["gcm"], source=rule.cite())


def _check_int(what: str, value: object, lo: int, hi: int | None = None, source: str = "") -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise IpsecPolicyError(f"{what} {value!r} is not a whole number.", value=value, rule=f"{what} is an integer",
                               source=source)
    if value < lo or (hi is not None and value > hi):
        bounds = f"{lo}–{hi}" if hi is not None else f"at least {lo}"
        raise IpsecPolicyError(f"{what} {value} is outside Azure's range ({bounds}).", value=value,
                               rule=f"{what} {bounds}", source=source)


def _limit(name: str) -> Any:
    return _f("custom_policy_limits").value[name]["default"]


# --- policies ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class IpsecPolicy:
    """A custom IPsec/IKE policy on a connection; construction validates and normalises every field."""

    ike_encryption: str
    ike_integrity: str
    dh_group: str
    ipsec_encryption: str
    ipsec_integrity: str
    pfs_group: str
    sa_lifetime_seconds: int = field(default_factory=partial(_limit, "sa_lifetime_seconds"))
    sa_data_size_kb: int = field(default_factory=partial(_limit, "sa_data_size_kb"))
    use_policy_based_traffic_selectors: bool = field(default_factory=partial(_limit, "use_policy_based_traffic_selectors"))
    dpd_timeout_seconds: int = field(default_factory=partial(_limit, "dpd_timeout_seconds"))

    def __post_init__(self) -> None:
        allowed = _f("custom_policy_allowed")
        for name in ALGORITHM_FIELDS:
            value = _normalise(name, getattr(self, name), allowed.value[name], allowed.cite(), IpsecPolicyError)
            object.__setattr__(self, name, value)
        _check_gcm(self.ipsec_encryption, self.ipsec_integrity)
        limits = _f("custom_policy_limits")
        for name in ("sa_lifetime_seconds", "sa_data_size_kb", "dpd_timeout_seconds"):
            _check_int(name, getattr(self, name), limits.value[name]["min"], limits.value[name].get("max"), limits.cite())
        if not isinstance(self.use_policy_based_traffic_selectors, bool):
            raise IpsecPolicyError(f"use_policy_based_traffic_selectors {self.use_policy_based_traffic_selectors!r} "
                                   "must be True or False.", value=self.use_policy_based_traffic_selectors,
                                   rule="UsePolicyBasedTrafficSelectors is $True or $False", source=limits.cite())

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> IpsecPolicy:
        """A policy from a dict (e.g. a scenario), in vnetlab's or Azure's spellings (``ike_encryption`` or
        ``ikeEncryption``, ``sa_lifetime_seconds`` or ``saLifeTimeSeconds``, ``sa_data_size_kb`` or
        ``saDataSizeKilobytes``, ``dpd_timeout_seconds`` or ``dpdTimeoutSeconds``). Every algorithm field is required:
        Azure takes no partial policy."""
        rules = _f("custom_policy_rules")
        if not isinstance(d, Mapping):
            raise IpsecPolicyError(f"An IPsec/IKE policy is a mapping of fields, not {d!r}.", value=d,
                                   rule="policy is a dict", source=rules.cite())
        names = [f.name for f in fields(cls)]
        d = python_names(d, names, "IPsec/IKE policy")  # Azure's spellings too: saLifeTimeSeconds, dhGroup, ...
        unknown = [k for k in d if k not in names]
        if unknown:
            raise IpsecPolicyError(f"Unknown policy field(s) {', '.join(map(repr, unknown))}; fields: {', '.join(names)}.",
                                   value=unknown, rule="known policy fields", source=rules.cite())
        missing = [k for k in ALGORITHM_FIELDS if k not in d]
        if missing:
            raise IpsecPolicyError(f"Partial policy: missing {', '.join(missing)}. A custom IPsec/IKE policy must "
                                   "specify every field.", value=sorted(map(str, d)), rule=rules.value["complete"],
                                   source=rules.cite())
        return cls(**d)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        """One line, e.g. ``IKE AES256/SHA384/DHGroup24 · IPsec GCMAES256/GCMAES256/PFS24 · SA 27000 s ...``."""
        return (f"IKE {policy_offers(self, 1)} · IPsec {policy_offers(self, 2)} · SA {self.sa_lifetime_seconds} s / "
                f"{self.sa_data_size_kb} KB · DPD {self.dpd_timeout_seconds} s · policy-based traffic selectors "
                f"{'on' if self.use_policy_based_traffic_selectors else 'off'}")


def make_policy(**fields_: Any) -> IpsecPolicy:
    """``make_policy(ike_encryption="AES256", ...)``: same rules as :meth:`IpsecPolicy.from_dict`."""
    return IpsecPolicy.from_dict(fields_)


# --- proposals --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Proposal:
    """One offer: phase 1 (encryption, integrity, DH group) or phase 2 (encryption, integrity, PFS group)."""

    phase: int
    encryption: str
    integrity: str
    group: str

    def __str__(self) -> str:
        return f"{self.encryption}/{self.integrity}/{self.group}"


def _vpn_type(vpn_type: object) -> str:
    src = _f("default_phase1")
    return _normalise("VPN type", vpn_type, list(src.value), src.cite())


def _check_phase(phase: object) -> int:
    if phase not in (1, 2) or isinstance(phase, bool):
        raise IpsecError(f"phase {phase!r}: IKE has phase 1 (IKE SA) and phase 2 (IPsec SA).", value=phase,
                         rule="phase is 1 or 2")
    return int(phase)  # type: ignore[arg-type]


def _default_texts(vpn_type: str, phase: int, role: str) -> list[str]:
    if phase == 1:
        p1 = _f("default_phase1").value[vpn_type]
        return [f"{offer}/{p1['dh_group']}" for offer in p1["offers"]]
    return list(_f("default_phase2").value[vpn_type][role])


@lru_cache(maxsize=None)
def _known(phase: int) -> tuple[tuple[str, ...], ...]:
    """Names a proposal may use: the custom-policy values plus those in Azure's default offers (e.g. IKE DES3)."""
    allowed = _f("custom_policy_allowed").value
    names = [list(allowed[f]) for f in PHASE_FIELDS[phase]]
    for vpn_type in _f("default_phase1").value:
        for role in ROLES:
            for text in _default_texts(vpn_type, phase, role):
                for i, part in enumerate(text.split("/")):
                    names[i] += [] if part in names[i] else [part]
    return tuple(tuple(n) for n in names)


def parse_proposal(text: object, phase: int) -> Proposal:
    """``"AES256/SHA256/DHGroup14"`` (phase 1) or ``"GCMAES256/GCMAES256/PFS24"`` (phase 2) → :class:`Proposal`."""
    phase = _check_phase(phase)
    example = "AES256/SHA256/DHGroup14" if phase == 1 else "AES256/SHA1/None"
    src = _f("custom_policy_allowed").cite()
    parts = text.split("/") if isinstance(text, str) else []
    if len(parts) != 3:
        raise IpsecError(f"Phase {phase} proposal {text!r}: write encryption/integrity/group, e.g. {example!r}.",
                         value=text, rule="three fields separated by /", source=src)
    labels = [f"phase {phase} {f}" for f in PHASE_FIELDS[phase]]
    e, i, g = (_normalise(lab, p.strip(), known, src) for lab, p, known in zip(labels, parts, _known(phase)))
    if phase == 2:
        _check_gcm(e, i, IpsecError)
    return Proposal(phase, e, i, g)


@lru_cache(maxsize=64)
def default_offers(vpn_type: str, phase: int, role: str = "initiator") -> tuple[Proposal, ...]:
    """Azure's default offers in preference order (About VPN devices, 2023-10-06). Phase 1 uses DH group 2
    whichever side initiates; route-based phase 2 offers 6 proposals as initiator and 26 as responder.
    (Kept once parsed: every connection's negotiation asks for them, and they are immutable.)"""
    phase = _check_phase(phase)
    role = _normalise("role", role, ROLES, "")
    return tuple(parse_proposal(t, phase) for t in _default_texts(_vpn_type(vpn_type), phase, role))


def policy_offers(policy: IpsecPolicy, phase: int) -> Proposal:
    """The one proposal a custom policy gives in ``phase``: the gateway proposes and accepts only this."""
    phase = _check_phase(phase)
    return Proposal(phase, *(getattr(policy, f) for f in PHASE_FIELDS[phase]))


# --- ends and negotiation ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Endpoint:
    """What one end of a tunnel offers (as initiator) and accepts (as responder)."""

    name: str
    kind: str  # "azure" or "device"
    ike_versions: tuple[str, ...]
    phase1: tuple[Proposal, ...]
    phase2_initiator: tuple[Proposal, ...]
    phase2_responder: tuple[Proposal, ...]
    policy: IpsecPolicy | None = None
    vpn_type: str | None = None
    sku: str | None = None
    phase2_lifetime_s: int | None = None  # local Quick Mode SA lifetime; None: not modelled (devices)

    def offers(self, phase: int, role: str) -> tuple[Proposal, ...]:
        return self.phase1 if phase == 1 else (self.phase2_initiator if role == "initiator" else self.phase2_responder)

    def label(self) -> str:
        return f"{self.name} ({self.vpn_type}, {self.sku})" if self.kind == "azure" else self.name

    def stance(self, phase: int, role: str) -> str:
        """What this end proposes or accepts, in words, for a reason sentence."""
        offers = self.offers(phase, role)
        verb = "offers" if role == "initiator" else "accepts"
        if self.policy is not None:
            return f"{self.name}'s custom policy {verb} only {offers[0]}"
        listed = ", ".join(map(str, offers[:6])) + (f", ... ({len(offers)} offers)" if len(offers) > 6 else "")
        return f"{self.name} {verb} {f'its default {self.vpn_type} list: ' if self.kind == 'azure' else ''}{listed}"


def azure_endpoint(name: str, sku_name: str, vpn_type: str = "RouteBased",
                   policy: IpsecPolicy | Mapping[str, Any] | None = None) -> Endpoint:
    """An Azure VPN gateway's connection: default offers, or only ``policy`` when one is set.

    Rules: policy-based gateways are Basic only and speak IKEv1; route-based Basic speaks IKEv2 only; a
    custom policy is not supported on Basic (§4.2, §4.3)."""
    vpn_type = _vpn_type(vpn_type)
    sku = gateway.sku(sku_name).name
    versions = _f("ike_versions")
    if vpn_type == "PolicyBased" and sku not in versions.value["PolicyBased"]["skus"]:
        raise IpsecError(f"A PolicyBased gateway on {sku}: policy-based gateways exist on the Basic SKU only.",
                         value=(sku, vpn_type), rule="policy-based is Basic only", source=versions.cite())
    if policy is not None:
        policy = policy if isinstance(policy, IpsecPolicy) else IpsecPolicy.from_dict(policy)
        rules = _f("custom_policy_rules")
        if sku in rules.value["unsupported_skus"]:
            raise IpsecPolicyError(f"A custom IPsec/IKE policy on the {sku} SKU: not supported (supported: "
                                   f"{rules.value['supported_skus']}).", value=sku,
                                   rule="no custom IPsec/IKE policy on Basic", source=rules.cite())
    table = versions.value
    ike = table["PolicyBased"]["ike_versions"] if vpn_type == "PolicyBased" else \
        table["RouteBased"].get(sku, table["RouteBased"]["other"])
    offers = [(policy_offers(policy, ph),) if policy else default_offers(vpn_type, ph, role)
              for ph, role in ((1, "initiator"), (2, "initiator"), (2, "responder"))]
    lifetime = policy.sa_lifetime_seconds if policy else _f("default_phase2").value[vpn_type]["sa_lifetime_seconds"]
    return Endpoint(name, "azure", tuple(ike), *offers, policy=policy, vpn_type=vpn_type, sku=sku,
                    phase2_lifetime_s=lifetime)


def device_endpoint(name: str, ike_versions: str | Sequence[str], phase1: str | Sequence[str],
                    phase2: str | Sequence[str]) -> Endpoint:
    """An on-premises device: its IKE versions and its offers, strings like ``"AES256/SHA256/DHGroup14"`` and
    ``"GCMAES256/GCMAES256/PFS24"``, in its preference order (it accepts the same list it proposes)."""
    def as_list(v: object, what: str) -> list:
        items = [v] if isinstance(v, str) else list(v) if isinstance(v, (list, tuple)) else []
        if not items:
            raise IpsecError(f"{name}: {what} {v!r} must be a non-empty list.", value=v, rule=f"a device has {what}")
        return items

    src = _f("ike_versions").cite()
    ike = tuple(dict.fromkeys(_normalise("IKE version", v, IKE_VERSIONS, src) for v in as_list(ike_versions, "IKE versions")))
    p1 = tuple(parse_proposal(t, 1) for t in as_list(phase1, "phase 1 offers"))
    p2 = tuple(parse_proposal(t, 2) for t in as_list(phase2, "phase 2 offers"))
    return Endpoint(name, "device", ike, p1, p2, p2)


@dataclass(frozen=True)
class Negotiation:
    """The outcome of IKE between two ends: what was agreed, or why the tunnel does not come up."""

    initiator: str
    responder: str
    established: bool
    ike_version: str | None
    phase1: Proposal | None
    phase2: Proposal | None
    phase1_lifetime_s: int | None
    phase2_lifetime_s: int | None
    reason: str
    steps: tuple[str, ...]
    source: str

    def rows(self) -> list[tuple[str, str]]:
        return [("IKE version", self.ike_version or "-"), ("Phase 1 (IKE SA)", str(self.phase1 or "-")),
                ("Phase 2 (IPsec SA)", str(self.phase2 or "-")),
                ("Phase 1 lifetime", f"{self.phase1_lifetime_s} s" if self.phase1_lifetime_s else "-"),
                ("Phase 2 lifetime", f"{self.phase2_lifetime_s} s" if self.phase2_lifetime_s else "-"),
                ("Result", self.reason)] + [(f"Step {i}", s) for i, s in enumerate(self.steps, 1)] + \
               [("Source", self.source)]

    def _caption(self) -> str:
        return f"{self.initiator} → {self.responder}: {'established' if self.established else 'not established'}"

    def _repr_html_(self) -> str:
        return html_table(("Check", "Result"), self.rows(), highlight=[5], caption=self._caption())

    def __str__(self) -> str:
        return self._caption() + "\n" + text_table(("Check", "Result"), self.rows())


def _group_number(name: str) -> object:
    """The DH group a DHGroup/PFSGroup name stands for (DHGroup14 and DHGroup2048 are both group 14)."""
    for number, names in _f("dh_groups").value.items():
        if name in names["dh_group"] or name == names["pfs_group"]:
            return number
    return name  # "None" and anything unmapped compare by name


def same_proposal(a: Proposal, b: Proposal) -> bool:
    return (a.phase, a.encryption, a.integrity) == (b.phase, b.encryption, b.integrity) \
        and _group_number(a.group) == _group_number(b.group)


def _pick(offers: Sequence[Proposal], accepted: Sequence[Proposal]) -> tuple[int, Proposal] | None:
    """The responder takes the initiator's first offer it accepts: every field equal, the DH group compared by number
    (Azure's DHGroup14 and DHGroup2048 name the same group, §4.2)."""
    return next(((i, p) for i, p in enumerate(offers, 1) if any(same_proposal(p, q) for q in accepted)), None)


def negotiate(initiator: Endpoint, responder: Endpoint, ike_version: str | None = None) -> Negotiation:
    """Run IKE: common IKE version (IKEv2 preferred), then phase 1, then phase 2.

    With a custom policy an Azure end proposes and accepts only that policy (VPN FAQ); the Main Mode SA
    lifetime is fixed at 28,800 s; Quick Mode lifetimes are local, so the SA is rekeyed at the shorter one."""
    i, r = initiator, responder
    done = partial(Negotiation, i.name, r.name)
    common = [v for v in IKE_VERSIONS if v in i.ike_versions and v in r.ike_versions]
    speaks = f"{i.label()} speaks {', '.join(i.ike_versions)}; {r.label()} speaks {', '.join(r.ike_versions)}"
    wanted = None if ike_version is None else _normalise("IKE version", ike_version, IKE_VERSIONS,
                                                         _f("ike_versions").cite())
    if not common or (wanted and wanted not in common):
        what = f"{wanted} is not spoken by both ends" if common else "No common IKE version"
        return done(False, None, None, None, None, None, f"{what}: {speaks} → the tunnel does not come up.",
                    (f"IKE versions: {speaks}",), _f("ike_versions").cite())
    version = wanted or common[0]
    steps = [f"IKE versions: {speaks} → {version}"]
    source = f"{_f('default_phase1').cite()}; {_f('custom_policy_rules').cite()}"
    p1 = _pick(i.phase1, r.phase1)
    if p1 is None:
        return done(False, version, None, None, None, None, f"No common phase 1 proposal: {r.stance(1, 'responder')}; "
                    f"{i.stance(1, 'initiator')} → the tunnel does not come up.", tuple(steps), source)
    mm = _f("custom_policy_rules").value["main_mode_lifetime_seconds"]
    steps.append(f"Phase 1: {i.name} proposes {len(i.phase1)} offer(s); {r.name} accepts {p1[1]} (offer {p1[0]})")
    p2 = _pick(i.phase2_initiator, r.phase2_responder)
    if p2 is None:
        return done(False, version, p1[1], None, mm, None, f"No common phase 2 proposal: {r.stance(2, 'responder')}; "
                    f"{i.stance(2, 'initiator')} → the tunnel does not come up.", tuple(steps), source)
    steps.append(f"Phase 2: {i.name} proposes {len(i.phase2_initiator)} offer(s); {r.name} accepts {p2[1]} "
                 f"(offer {p2[0]})")
    lifetimes = [e.phase2_lifetime_s for e in (i, r) if e.phase2_lifetime_s]
    steps.append("Lifetimes: Main Mode fixed; Quick Mode lifetimes are local (" +
                 ", ".join(f"{e.name}: {e.phase2_lifetime_s or 'not modelled'}" for e in (i, r)) + ")")
    return done(True, version, p1[1], p2[1], mm, min(lifetimes, default=None),
                f"Tunnel established over {version}: phase 1 {p1[1]}, phase 2 {p2[1]}.", tuple(steps), source)


def same_algorithms(a: IpsecPolicy | None, b: IpsecPolicy | None) -> bool:
    """Do two connection resources carry the same policy, as IKE sees it? Only what is negotiated counts: the phase 1
    and phase 2 encryption, integrity and groups (a group compared by number). The Quick Mode SA lifetimes are local
    and need not match (VPN FAQ, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-vpn-faq, 2026-06-04; the
    SA is rekeyed at the shorter one); the DPD timeout is no part of any IKE proposal (About VPN devices,
    https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-devices, 2023-10-06, lists the proposals as
    encryption, integrity and groups), so vnetlab treats it as local too. A custom policy against the defaults is a
    different policy."""
    if a is None or b is None:
        return a is b
    return all(same_proposal(policy_offers(a, phase), policy_offers(b, phase)) for phase in (1, 2))


def negotiate_vnet_to_vnet(a: Endpoint, b: Endpoint) -> Negotiation:
    """A VNet-to-VNet tunnel (IKEv2, route-based at both ends) is two connection resources, one per
    direction; a custom policy must be identical on both or the tunnel won't come up (§3.3, S13)."""
    v2v = _f("vnet_to_vnet")
    for e in (a, b):
        if e.kind != "azure" or e.vpn_type != v2v.value["vpn_type"]:
            raise IpsecError(f"VNet-to-VNet end {e.label()}: needs a RouteBased Azure VPN gateway.", value=e.name,
                             rule="route-based gateways at both ends", source=v2v.cite())
    if same_algorithms(a.policy, b.policy):
        return negotiate(a, b, v2v.value["ike_version"])
    there, back = negotiate(a, b, v2v.value["ike_version"]), negotiate(b, a, v2v.value["ike_version"])
    def desc(e: Endpoint) -> str:
        return e.policy.describe() if e.policy else "default policy"
    return Negotiation(a.name, b.name, False, v2v.value["ike_version"], None, None, None, None,
                       f"The two connection resources carry different policies ({a.name}: {desc(a)}; {b.name}: "
                       f"{desc(b)}); a VNet-to-VNet pair needs the same policy on both → the tunnel does not come up.",
                       ("Policies compared: different", f"{a.name} initiates: {there.reason}",
                        f"{b.name} initiates: {back.reason}"), v2v.cite())


# --- ESP overhead and MTU -----------------------------------------------------------------------------------------
ESP_CIPHERS = ("esp_aes_cbc", "esp_des_cbc", "esp_aes_gcm", "esp_null")
ESP_AUTHS = ("esp_hmac_sha1_96", "esp_hmac_sha2", "esp_hmac_md5_96")


def _esp_sizes(encryption: str, integrity: str, nat_t: bool) -> dict[str, Any]:
    """Fixed bytes ESP adds in tunnel mode (outer IPv4, UDP for NAT-T, ESP header, IV, trailer, ICV) and the
    alignment the padding must reach (RFC 4303 and the cipher/HMAC RFCs in the data)."""
    allowed = _f("custom_policy_allowed")
    enc = _normalise("IPsec encryption", encryption, allowed.value["ipsec_encryption"], allowed.cite())
    integ = _normalise("IPsec integrity", integrity, allowed.value["ipsec_integrity"], allowed.cite())
    _check_gcm(enc, integ, IpsecError)
    if integ.startswith("GCMAES") and enc != integ:
        raise IpsecError(f"Integrity {integ} with encryption {enc}: the ESP arithmetic models GCM only as combined "
                         "mode (RFC 4106), encryption and integrity the same.", value=(enc, integ),
                         rule="GCM as combined mode", source=_f("esp_aes_gcm").source)
    if not isinstance(nat_t, bool):
        raise IpsecError(f"nat_t {nat_t!r} must be True or False.", value=nat_t, rule="nat_t is a boolean")
    cipher = next(_f(k) for k in ESP_CIPHERS if enc in _f(k).value["azure_names"])
    auth = cipher if enc.startswith("GCMAES") else next(_f(k) for k in ESP_AUTHS if integ in _f(k).value["azure_names"])
    icv = auth.value["icv"]
    trailer = _f("esp_trailer").value
    return {"encryption": enc, "integrity": integ, "outer_ip": _f("ipv4_header").value, "esp_header":
            _f("esp_header").value["total"], "udp": _f("udp_encapsulation").value["udp_header"] if nat_t else 0,
            "iv": cipher.value["iv"], "trailer": trailer["total"], "icv": icv[integ] if isinstance(icv, dict) else icv,
            "align": math.lcm(cipher.value["block"], trailer["min_alignment"]), "cipher_source": cipher.source,
            "icv_source": auth.source}


@dataclass(frozen=True)
class EspOverhead:
    """Bytes ESP (tunnel mode) adds around one inner IP packet."""

    encryption: str
    integrity: str
    inner_packet: int
    nat_t: bool
    outer_ip: int
    udp: int
    esp_header: int
    iv: int
    padding: int
    trailer: int
    icv: int
    cipher_source: str = ""  # the RFC giving the IV and block size
    icv_source: str = ""  # the RFC giving the ICV size

    @property
    def total_overhead(self) -> int:
        return self.outer_ip + self.udp + self.esp_header + self.iv + self.padding + self.trailer + self.icv

    @property
    def outer_size(self) -> int:
        return self.inner_packet + self.total_overhead

    @property
    def goodput_share(self) -> float:
        """Share of the outer packet that is the inner packet."""
        return self.inner_packet / self.outer_size

    def rows(self) -> list[tuple[str, int, str]]:
        esp = _f("esp_header").source
        return [("Outer IPv4 header", self.outer_ip, _f("ipv4_header").source),
                ("UDP (NAT-T)", self.udp, _f("udp_encapsulation").source), ("ESP header (SPI + sequence)", self.esp_header, esp),
                ("IV", self.iv, self.cipher_source), ("Inner packet", self.inner_packet, ""), ("Padding", self.padding, esp),
                ("Trailer (pad length + next header)", self.trailer, esp), ("ICV", self.icv, self.icv_source),
                ("Outer packet", self.outer_size, f"overhead {self.total_overhead} B, goodput {self.goodput_share:.1%}")]

    def _repr_html_(self) -> str:
        return html_table(("Part", "Bytes", "Source"), self.rows(), highlight=[8],
                          caption=f"ESP {self.encryption}/{self.integrity}{' + NAT-T' if self.nat_t else ''}")

    def __str__(self) -> str:
        return text_table(("Part", "Bytes", "Source"), self.rows())


def esp_overhead(encryption: str, integrity: str, inner_packet: int = 1400, nat_t: bool = False) -> EspOverhead:
    """Byte breakdown of one ESP packet: padding makes inner + pad + 2-byte trailer a multiple of the cipher
    block (16 for AES-CBC, 8 for DES/DES3, 4 for GCM and NULL; RFC 4303)."""
    if isinstance(inner_packet, bool) or not isinstance(inner_packet, int) or not 20 <= inner_packet <= 65535:
        raise IpsecError(f"inner_packet {inner_packet!r}: an IPv4 packet is 20–65535 bytes.", value=inner_packet,
                         rule="IPv4 total length", source=_f("ipv4_header").source)
    s = _esp_sizes(encryption, integrity, nat_t)
    pad = -(inner_packet + s["trailer"]) % s.pop("align")
    return EspOverhead(inner_packet=inner_packet, nat_t=nat_t, padding=pad, **s)


def max_inner_packet(encryption: str, integrity: str, outer_mtu: int = 1500, nat_t: bool = False) -> int:
    """The largest inner IP packet whose ESP packet fits ``outer_mtu`` (ESP is never fragmented, §4.4)."""
    s = _esp_sizes(encryption, integrity, nat_t)
    room = outer_mtu - (s["outer_ip"] + s["udp"] + s["esp_header"] + s["iv"] + s["icv"]) if isinstance(outer_mtu, int) else 0
    best = room // s["align"] * s["align"] - s["trailer"]
    if best < 20:
        raise IpsecError(f"outer_mtu {outer_mtu!r} leaves no room for an IPv4 packet inside ESP.", value=outer_mtu,
                         rule="outer packet fits the MTU", source=_f("esp_fragmentation").cite())
    return best


def tcp_mss(encryption: str, integrity: str, outer_mtu: int = 1500, nat_t: bool = False) -> int:
    """Largest TCP payload per segment: the largest inner packet minus IPv4 (20) and TCP (20) headers."""
    return max_inner_packet(encryption, integrity, outer_mtu, nat_t) - _f("ipv4_header").value - _f("tcp_header").value


def azure_mtu_guidance() -> Fact:
    """Azure's advice: clamp TCP MSS at 1350 bytes, or set the tunnel MTU to 1400 (About VPN devices)."""
    return _f("mtu_guidance")


@dataclass(frozen=True)
class MssComparison:
    computed_mss: int
    azure_mss: int
    tunnel_mtu_fits: bool  # does a packet of Azure's 1400-byte tunnel MTU fit after ESP?
    explanation: str
    source: str


def compare_with_azure_guidance(encryption: str, integrity: str, outer_mtu: int = 1500,
                                nat_t: bool = False) -> MssComparison:
    """The MSS this algorithm allows against Azure's 1350: Azure's figure leaves headroom, and ESP packets
    are never fragmented (VPN FAQ), so every packet must fit."""
    guide, frag = azure_mtu_guidance(), _f("esp_fragmentation")
    mss, inner = tcp_mss(encryption, integrity, outer_mtu, nat_t), max_inner_packet(encryption, integrity, outer_mtu, nat_t)
    fits = guide.value["tunnel_mtu"] <= inner
    gap = mss - guide.value["tcp_mss"]
    verdict = (f"Azure's {guide.value['tcp_mss']} leaves {gap} bytes of headroom" if gap >= 0 else
               f"Azure's {guide.value['tcp_mss']} is {-gap} bytes too large on this path")
    text = (f"{encryption}/{integrity}{' with NAT-T' if nat_t else ''} on a {outer_mtu}-byte path: largest inner packet "
            f"{inner} bytes, TCP MSS {mss}. {verdict}; a {guide.value['tunnel_mtu']}-byte tunnel MTU "
            f"{'fits' if fits else 'does not fit'}. {frag.value}, so every packet must fit.")
    return MssComparison(mss, guide.value["tcp_mss"], fits, text, f"{guide.cite()}; {frag.cite()}")
