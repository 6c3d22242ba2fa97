"""Graded exercise 07 · Encryption paths (lesson ``notebooks/07-encryption-paths``; azure-facts §4, §6.6, §3.1, §3.3, S13).

q1 a Site-to-Site tunnel stays down: the on-premises device (seeded IKE versions and proposals) shares no
proposal with Azure's defaults. The learner returns the gateway SKU and a custom IPsec/IKE policy; the checks
rebuild the seeded network with the engine, apply the policy with ``set_ipsec_policy`` and read the
connection's status (the negotiation), never a literal policy, so any matching compliant offer is right.
q2 for seeded pairs of VMs (VNet-to-VNet, peering, peering with virtual network encryption on or off), list
the paths whose legs carry the packet unencrypted at the network layer; the truth is ``encryption_report``.
q3 the largest TCP MSS through ESP for a seeded algorithm pair, path MTU and NAT-T (``ipsec.tcp_mss``), and the
clamp to configure: Azure's 1350 (``azure_mtu_guidance``), lower when the path cannot carry it (ESP is never
fragmented).
"""
from __future__ import annotations

import copy
import random
from typing import Any, Mapping

from .. import ipsec
from ..encryption import BACKBONE, IN_VNET, PUBLIC_INTERNET
from ..errors import VnetlabError
from ..facts import fact
from ..gateway import check_creatable, sku as gateway_sku
from ..network import Network
from .core import AnswerError, Check, ExerciseSpec, Question, Unanswered, differences, still_open
# BEGIN HIDDEN CHECKS
from ..encryption import VNET_ENCRYPTION_DOC
# END HIDDEN CHECKS

# --- q1: make the tunnel come up ------------------------------------------------------------------------------------
SITE_VNET, CONNECTION, SITE = "hub", "hub-to-site", "site"
COMPLIANT_ENCRYPTION = ("AES", "GCMAES")  # AES in any key length or mode: no DES, DES3, None
COMPLIANT_INTEGRITY = ("SHA256", "SHA384", "GCMAES")  # SHA-2 (or GCM's own integrity): no MD5, SHA1
DH_GROUPS = {"DHGroup14": "PFS2048", "DHGroup24": "PFS24", "ECP256": "ECP256", "ECP384": "ECP384"}


def tunnel_setup(rng: random.Random) -> dict:
    k = rng.randint(20, 200)
    group = rng.choice(list(DH_GROUPS))
    pfs = DH_GROUPS[group] if rng.random() < 0.7 else rng.choice(list(DH_GROUPS.values()))
    good1 = f"{rng.choice(['AES256', 'AES128'])}/{rng.choice(['SHA256', 'SHA384'])}/{group}"
    weak1 = f"{rng.choice(['AES256', 'AES128'])}/SHA1/{group}"
    good2 = rng.choice([f"GCMAES256/GCMAES256/{pfs}", f"AES256/SHA256/{pfs}", f"GCMAES128/GCMAES128/{pfs}"])
    weak2 = rng.choice([f"DES3/SHA1/{pfs}", f"AES256/SHA1/{pfs}", f"AES128/MD5/{pfs}"])
    phase1, phase2 = [weak1, good1], [weak2, good2]
    rng.shuffle(phase1)
    rng.shuffle(phase2)
    device = {"ike_versions": rng.choice([["IKEv2"], ["IKEv1", "IKEv2"]]), "phase1": phase1, "phase2": phase2}
    sku_name = rng.choice(["Basic", "VpnGw1AZ", "VpnGw2AZ", "VpnGw3AZ"])
    network = {
        "name": "tunnel-lab",
        "vnets": [{"name": SITE_VNET, "address_space": [f"10.{k}.0.0/16"], "region": "westeurope", "subnets": [
            {"name": "GatewaySubnet", "prefix": f"10.{k}.255.0/27"},
            {"name": "app", "prefix": f"10.{k}.1.0/24", "nics": [{"name": "vm-app", "ip": f"10.{k}.1.{rng.randint(4, 250)}"}]}]}],
        "vpn_gateways": [{"vnet": SITE_VNET, "sku": sku_name}],
        "local_network_gateways": [{"name": SITE, "gateway_ip": f"198.51.100.{rng.randint(2, 250)}",
                                    "prefixes": [f"192.168.{rng.randint(1, 250)}.0/24"], "device": device}],
        "connections": [{"vnet": SITE_VNET, "remote": SITE, "kind": "IPsec", "name": CONNECTION}],
    }
    return {"network": network, "gateway_sku": sku_name, "device": device, "connection": CONNECTION,
            "compliance": "AES encryption and SHA-2 integrity only (no DES, DES3, MD5 or SHA1), in both phases"}


def read_tunnel_fix(raw: Any, givens: Mapping) -> tuple[str, ipsec.IpsecPolicy]:
    if still_open(raw) or (isinstance(raw, dict) and still_open(raw.get("ipsec_policy"))):
        raise Unanswered("No answer yet: fill in `tunnel_fix` with the gateway SKU and your custom policy.")
    if not isinstance(raw, dict) or not isinstance(raw.get("ipsec_policy"), dict):
        raise AnswerError("`tunnel_fix` should be a dict {'gateway_sku': 'VpnGw1AZ', 'ipsec_policy': {...six fields...}}; "
                          f"got {raw!r}.", value=raw, rule="answer format")
    name = raw.get("gateway_sku", givens["gateway_sku"])
    try:
        sku_name = gateway_sku(str(name).strip()).name
        policy = ipsec.IpsecPolicy.from_dict(raw["ipsec_policy"])
    except VnetlabError as exc:
        raise AnswerError(f"Azure would refuse this: {exc}", value=raw, rule=exc.rule) from None
    return sku_name, policy


def _device(givens: Mapping) -> ipsec.Endpoint:
    d = givens["device"]
    return ipsec.device_endpoint("site device", d["ike_versions"], d["phase1"], d["phase2"])


def _network_with(sku_name: str, givens: Mapping) -> Network:
    data = copy.deepcopy(givens["network"])
    data["vpn_gateways"][0]["sku"] = sku_name
    return Network.from_dict(data)


def tunnel_sku(answer, givens: Mapping) -> str | None:
    sku_name, _ = answer
    if not gateway_sku(sku_name).custom_ipsec_policy:
        return (f"{sku_name} takes no custom IPsec/IKE policy: custom policies are supported on every SKU except Basic "
                "(VPN FAQ). Move the connection to a gateway SKU that supports them, e.g. VpnGw1AZ.")
    return None


def _phase_miss(policy: ipsec.IpsecPolicy, device: ipsec.Endpoint, phase: int) -> str | None:
    mine = ipsec.policy_offers(policy, phase)
    offers = device.phase1 if phase == 1 else device.phase2_responder
    if any(ipsec.same_proposal(mine, p) for p in offers):
        return None
    listed = ", ".join(map(str, offers))
    groups = {p.group for p in offers}
    word = "DH group" if phase == 1 else "PFS group"
    if mine.group not in groups and not _same_group(mine.group, groups):
        extra = (" PFS is the phase 2 Diffie-Hellman group; with PFS None the device's PFS offers cannot match."
                 if phase == 2 else " Azure's default phase 1 uses DHGroup2, which is why the default tunnel fails.")
        return (f"{word} mismatch: your policy says {mine.group}, the device offers only "
                f"{', '.join(sorted(groups))} in phase {phase} ({listed}).{extra}")
    return (f"Phase {phase}: {mine} is not one of the device's offers ({listed}); with a custom policy Azure proposes and "
            "accepts only that one combination, so encryption, integrity and group must all match one offer.")


def _same_group(name: str, groups: set) -> str | None:
    """A device group that is the same DH group as ``name`` under another name (DHGroup14 = DHGroup2048, §4.2)."""
    for row in fact("ipsec", "dh_groups").value.values():
        names = {*row["dh_group"], row["pfs_group"]}
        if name in names:
            return next((g for g in sorted(groups) if g in names and g != name), None)
    return None


def tunnel_phase1(answer, givens: Mapping) -> str | None:
    return _phase_miss(answer[1], _device(givens), 1)


def tunnel_phase2(answer, givens: Mapping) -> str | None:
    return _phase_miss(answer[1], _device(givens), 2)


def tunnel_up(answer, givens: Mapping) -> str | None:
    sku_name, policy = answer
    if tunnel_sku(answer, givens):
        return f"The tunnel cannot be checked on {sku_name}: it takes no custom policy."
    net = _network_with(sku_name, givens)
    net.set_ipsec_policy(SITE_VNET, CONNECTION, policy)
    c = net.connection(SITE_VNET, CONNECTION)
    return None if c.status == "Connected" else f"The connection is still {c.status}: {c.status_reason}"


def tunnel_compliant(answer, givens: Mapping) -> str | None:
    p = answer[1]
    weak = [f"{f} {getattr(p, f)}" for f in ("ike_encryption", "ipsec_encryption")
            if not getattr(p, f).startswith(COMPLIANT_ENCRYPTION)]
    weak += [f"{f} {getattr(p, f)}" for f in ("ike_integrity", "ipsec_integrity")
             if not getattr(p, f).startswith(COMPLIANT_INTEGRITY)]
    if weak:
        return (f"{', '.join(weak)}: your givens' compliance rule asks for {givens['compliance']}. The device offers a "
                "compliant proposal too; choose that one.")
    return None


# BEGIN HIDDEN CHECKS
def tunnel_sku_kept(answer, givens: Mapping) -> str | None:
    sku_name, _ = answer
    try:
        check_creatable(gateway_sku(sku_name))
    except VnetlabError as exc:
        return f"{sku_name} cannot be created for a new gateway: {exc}"
    was = givens["gateway_sku"]
    if was != "Basic" and sku_name != was:
        return (f"The gateway is {was}, which already supports custom policies: changing it to {sku_name} was not "
                "needed (a resize is not part of the fix).")
    return None
# END HIDDEN CHECKS


Q1 = Question(
    id="q1", title="Make a mismatched tunnel come up", points=6, answer="tunnel_fix",
    setup=tunnel_setup, read=read_tunnel_fix,
    checks=(
        Check("The gateway SKU supports a custom IPsec/IKE policy", tunnel_sku, misconceptions=("custom-policy-sku",)),
        Check("Phase 1 (IKE encryption, integrity, DH group) matches one of the device's offers", tunnel_phase1,
              misconceptions=("ipsec-policy-mismatch",)),
        Check("Phase 2 (IPsec encryption, integrity, PFS group) matches one of the device's offers", tunnel_phase2,
              misconceptions=("ipsec-policy-mismatch",)),
        Check("The connection's IKE negotiation establishes the tunnel", tunnel_up, weight=2,
              misconceptions=("ipsec-policy-mismatch",)),
        Check("The policy meets the compliance rule of your givens", tunnel_compliant,
              misconceptions=("compliance-policy",)),
        # BEGIN HIDDEN CHECKS
        Check("The gateway SKU is changed only when it must be, to one you can create", tunnel_sku_kept, visible=False,
              rule="Change a gateway's SKU only when the policy needs it, and only to a SKU you can create "
                   "today.",
              source=fact("vpn_gateway_skus", "noncreatable_skus").cite(), misconceptions=("sku-oversized",)),
        # END HIDDEN CHECKS
    ),
    hints=(
        "Read the connection's status_reason: which phase fails, and what does each side offer?",
        "A custom policy gives all six algorithm fields; Azure then proposes and accepts only that combination, so "
        "pick one phase 1 offer and one phase 2 offer of the device and copy their three parts each.",
        "Phase 2 offers read encryption/integrity/PFS group; a GCMAES encryption needs the same GCMAES integrity.",
    ),
)


# --- q2: which legs ride unencrypted ------------------------------------------------------------------------------
PATHS = (IN_VNET, BACKBONE, PUBLIC_INTERNET)
PAIRS = {"p1": ("vm-hub", "vm-dr"), "p2": ("vm-hub", "vm-app"), "p3": ("vm-app", "vm-db")}


def paths_setup(rng: random.Random) -> dict:
    k = rng.randint(20, 190)
    far = rng.choice(["northeurope", "swedencentral", "francecentral"])
    vnet_encryption = {"hub": rng.random() < 0.5, "spoke": True, "data": rng.random() < 0.7}
    db_accelerated = rng.random() < 0.6

    def nic(name: str, third: int, vnet: int, accelerated: bool = True) -> dict:
        out = {"name": name, "ip": f"10.{k + vnet}.{third}.{rng.randint(4, 250)}"}
        return {**out, "accelerated_networking": True} if accelerated else out

    vnets = [
        {"name": "hub", "address_space": [f"10.{k}.0.0/16"], "region": "westeurope", "subnets": [
            {"name": "GatewaySubnet", "prefix": f"10.{k}.255.0/27"},
            {"name": "shared", "prefix": f"10.{k}.1.0/24", "nics": [nic("vm-hub", 1, 0)]}]},
        {"name": "spoke", "address_space": [f"10.{k + 1}.0.0/16"], "region": "westeurope", "subnets": [
            {"name": "app", "prefix": f"10.{k + 1}.1.0/24", "nics": [nic("vm-app", 1, 1)]}]},
        {"name": "data", "address_space": [f"10.{k + 2}.0.0/16"], "region": "westeurope", "subnets": [
            {"name": "db", "prefix": f"10.{k + 2}.1.0/24", "nics": [nic("vm-db", 1, 2, db_accelerated)]}]},
        {"name": "dr", "address_space": [f"10.{k + 3}.0.0/16"], "region": far, "subnets": [
            {"name": "GatewaySubnet", "prefix": f"10.{k + 3}.255.0/27"},
            {"name": "app", "prefix": f"10.{k + 3}.1.0/24", "nics": [nic("vm-dr", 1, 3)]}]},
    ]
    for v in vnets:
        if vnet_encryption.get(v["name"], True):
            v["encryption"] = True
    network = {
        "name": "paths-lab", "vnets": vnets,
        "vpn_gateways": [{"vnet": "hub", "sku": "VpnGw1AZ"}, {"vnet": "dr", "sku": "VpnGw1AZ"}],
        "connections": [{"vnet": "hub", "remote": "dr", "kind": "Vnet2Vnet"},
                        {"vnet": "dr", "remote": "hub", "kind": "Vnet2Vnet"}],
        "peerings": [{"peer": ["hub", "spoke"]}, {"peer": ["spoke", "data"]}],
    }
    return {"network": network, "pairs": {q: list(p) for q, p in PAIRS.items()}, "paths": list(PATHS)}


def read_gaps(raw: Any, givens: Mapping) -> dict:
    if still_open(raw):
        raise Unanswered("No answer yet: fill in `gaps`.")
    if not isinstance(raw, dict):
        raise AnswerError(f"`gaps` should be a dict from pair id ('p1', ...) to a list of paths; got {type(raw).__name__}.",
                          value=raw, rule="answer format")
    canonical = {p.lower(): p for p in PATHS}
    out: dict = {}
    for qid in givens["pairs"]:
        value = raw.get(qid)
        if value is None:
            out[qid] = None
            continue
        if not isinstance(value, list) or any(not isinstance(v, str) or v.strip().lower() not in canonical for v in value):
            raise AnswerError(f"gaps[{qid!r}] = {value!r}: a list of paths as the encryption report names them, from "
                              f"{', '.join(map(repr, PATHS))} ([] when every leg is encrypted).", value=value,
                              rule="the report's path names")
        out[qid] = {canonical[v.strip().lower()] for v in value}
    if all(v is None for v in out.values()):
        raise Unanswered("No answer yet: replace the None placeholders in `gaps` ([] means: all encrypted).")
    return out


def report_for(givens: Mapping, qid: str):
    a, b = givens["pairs"][qid]
    return Network.from_dict(givens["network"]).encryption_report(a, b)


def truth(givens: Mapping, qid: str) -> set:
    return {leg.path for leg in report_for(givens, qid).gaps}


def _pair(qid: str, givens: Mapping) -> str:
    a, b = givens["pairs"][qid]
    return f"{qid} ({a} ↔ {b})"


def gaps_v2v(answers: dict, givens: Mapping) -> str | None:
    qid, said, want = "p1", answers["p1"], truth(givens, "p1")
    if said is None:
        return f"{_pair(qid, givens)} has no answer yet."
    if PUBLIC_INTERNET in said:
        return (f"{_pair(qid, givens)}: a VNet-to-VNet tunnel crosses the Microsoft backbone, not the public internet "
                "(only Site-to-Site and Point-to-Site cross the internet).")
    if BACKBONE in said and BACKBONE not in want:
        return (f"{_pair(qid, givens)}: the backbone leg is the VNet-to-VNet tunnel itself, inside IPsec ESP; it is "
                "encrypted.")
    if want - said:
        return (f"{_pair(qid, givens)}: the IPsec tunnel protects the packet only between the two gateways; the legs "
                f"from the VM to its gateway and from the far gateway to the VM ({', '.join(sorted(want - said))}) are "
                "outside it.")
    return None


def gaps_peering(answers: dict, givens: Mapping) -> str | None:
    qid, said, want = "p2", answers["p2"], truth(givens, "p2")
    if said is None:
        return f"{_pair(qid, givens)} has no answer yet."
    if said == want:
        return None
    if BACKBONE in want:
        return (f"{_pair(qid, givens)}: peering adds no IPsec. Azure encrypts links between datacenters with MACsec, "
                "but that is layer 2 and not yours to control; virtual network encryption needs both VNets to "
                "enable it (and both NICs accelerated networking), so the peering leg is unencrypted at the network "
                "layer.")
    return (f"{_pair(qid, givens)}: both VNets have virtual network encryption and both NICs accelerated networking, "
            "so the peering leg is DTLS-encrypted.")


# BEGIN HIDDEN CHECKS
def gaps_vnet_encryption(answers: dict, givens: Mapping) -> str | None:
    qid, said, want = "p3", answers["p3"], truth(givens, "p3")
    if said is None:
        return f"{_pair(qid, givens)} has no answer yet."
    if said == want:
        return None
    if want:
        return (f"{_pair(qid, givens)}: virtual network encryption applies only when both VNets enable it and both "
                "VMs support it (accelerated networking); otherwise the traffic goes unencrypted.")
    return f"{_pair(qid, givens)}: every requirement of virtual network encryption is met here, so the leg is encrypted."
# END HIDDEN CHECKS


# BEGIN HIDDEN CHECKS
def gaps_all(answers: dict, givens: Mapping) -> str | None:
    return differences([qid for qid in givens["pairs"] if answers[qid] != truth(givens, qid)], "pairs",
                       "encryption report's")
# END HIDDEN CHECKS


Q2 = Question(
    id="q2", title="Which legs ride unencrypted?", points=6, answer="gaps",
    setup=paths_setup, read=read_gaps,
    checks=(
        Check("VNet-to-VNet: where the tunnel does and does not protect the packet", gaps_v2v,
              misconceptions=("peering-encrypted",)),
        Check("Peering: what protects (or not) the backbone leg", gaps_peering, misconceptions=("peering-encrypted",)),
        # BEGIN HIDDEN CHECKS
        Check("Virtual network encryption applies only when every requirement is met", gaps_vnet_encryption,
              visible=False,
              rule="Virtual network encryption covers a flow only when both VNets have it on and both VMs "
                   "support it (accelerated networking).",
              source=VNET_ENCRYPTION_DOC, misconceptions=("vnet-encryption-requirements",)),
        Check("Every pair matches the encryption report", gaps_all, weight=2, visible=False,
              rule="A VPN tunnel encrypts only between the two gateways; a peering adds no IPsec; the legs "
                   "inside a VNet are unencrypted unless virtual network encryption covers them.",
              source=VNET_ENCRYPTION_DOC, targeted=False),
        # END HIDDEN CHECKS
    ),
    hints=(
        "Trace each pair and read the Path and Protection of every step that carries the packet (trace.segments).",
        "A tunnel covers gateway to gateway only; peering adds no IPsec; MACsec is layer 2 and not counted.",
        "Virtual network encryption needs it enabled on both VNets and accelerated networking on both NICs.",
    ),
)


# --- q3: MSS through ESP ----------------------------------------------------------------------------------------------
def mss_setup(rng: random.Random) -> dict:
    encryption, integrity = rng.choice([("AES256", "SHA256"), ("GCMAES256", "GCMAES256"), ("AES128", "SHA256"),
                                        ("GCMAES128", "GCMAES128"), ("AES256", "SHA1")])
    return {"ipsec_encryption": encryption, "ipsec_integrity": integrity,
            "path_mtu": rng.choice([1500, 1500, 1492, 1480, 1400]), "nat_t": rng.random() < 0.5}


def read_mss(raw: Any, givens: Mapping) -> dict:
    if still_open(raw) or (isinstance(raw, dict) and all(still_open(v) for v in raw.values())):
        raise Unanswered("No answer yet: fill in `mss_plan`.")
    if not isinstance(raw, dict) or any(isinstance(raw.get(k), bool) or not isinstance(raw.get(k), int)
                                        for k in ("max_mss", "clamp")):
        raise AnswerError(f"`mss_plan` should be {{'max_mss': <int>, 'clamp': <int>}} (bytes); got {raw!r}.", value=raw,
                          rule="answer format")
    if any(raw[k] <= 0 for k in ("max_mss", "clamp")):
        raise AnswerError(f"`mss_plan` = {raw!r}: an MSS is a positive number of bytes.", value=raw,
                          rule="an MSS is a positive number of bytes")
    return {"max_mss": raw["max_mss"], "clamp": raw["clamp"]}


def _max(givens: Mapping, nat_t: bool | None = None) -> int:
    g = givens
    return ipsec.tcp_mss(g["ipsec_encryption"], g["ipsec_integrity"], g["path_mtu"], g["nat_t"] if nat_t is None else nat_t)


def mss_computed(answer: dict, givens: Mapping) -> str | None:
    said, want = answer["max_mss"], _max(givens)
    if said == want:
        return None
    if said == givens["path_mtu"] - 40:
        return (f"{said} is the MSS without the tunnel (MTU − 20 IPv4 − 20 TCP): ESP adds an outer IPv4 header, the ESP "
                "header, IV, padding, trailer and ICV to every packet.")
    if givens["nat_t"] and said == _max(givens, nat_t=False):
        return f"{said} leaves out NAT-T: with NAT traversal ESP rides inside UDP, 8 more bytes per packet."
    if said == ipsec.azure_mtu_guidance().value["tcp_mss"]:
        return f"{said} is Azure's recommended clamp, not the maximum this algorithm and path allow; compute it."
    return (f"max_mss {said} does not match the ESP arithmetic for {givens['ipsec_encryption']}/"
            f"{givens['ipsec_integrity']} on a {givens['path_mtu']}-byte path: add up the overhead with esp_overhead "
            "(padding aligns to the cipher block) and subtract the inner IPv4 and TCP headers.")


def mss_fits(answer: dict, givens: Mapping) -> str | None:
    if answer["clamp"] <= _max(givens):
        return None
    return (f"A clamp of {answer['clamp']} makes packets larger than the path carries after ESP (the largest MSS is "
            "the path MTU minus the ESP overhead and the inner IPv4 and TCP headers); IP fragmentation isn't "
            "supported for ESP packets, so they would be lost.")


# BEGIN HIDDEN CHECKS
def mss_guidance(answer: dict, givens: Mapping) -> str | None:
    azure = ipsec.azure_mtu_guidance().value["tcp_mss"]
    want = min(azure, _max(givens))
    clamp = answer["clamp"]
    if clamp == want or clamp > _max(givens):
        return None
    if clamp > want:
        return (f"Clamp {clamp}: Azure recommends clamping TCP MSS at {azure} (About VPN devices), below the computed "
                "maximum; a clamp at the maximum leaves no room if the algorithms, NAT-T or a link on the way change.")
    return f"Clamp {clamp} is lower than needed ({want}): every segment carries less data for the same overhead."
# END HIDDEN CHECKS


Q3 = Question(
    id="q3", title="TCP MSS through the tunnel", points=4, answer="mss_plan",
    setup=mss_setup, read=read_mss,
    checks=(
        Check("The largest MSS matches the ESP arithmetic for your algorithms, path MTU and NAT-T", mss_computed,
              weight=2, misconceptions=("esp-overhead-mss",)),
        Check("The clamp fits the path after ESP", mss_fits, misconceptions=("esp-overhead-mss",)),
        # BEGIN HIDDEN CHECKS
        Check("The clamp follows Azure's guidance", mss_guidance, visible=False,
              rule="Clamp TCP MSS at Azure's recommended value when the path carries it, lower only when the "
                   "path cannot.",
              source=fact("ipsec", "mtu_guidance").cite(), misconceptions=("esp-overhead-mss",)),
        # END HIDDEN CHECKS
    ),
    hints=(
        "vnetlab.ipsec.esp_overhead shows every byte ESP adds; max_inner_packet finds the largest inner packet.",
        "TCP MSS = largest inner packet − 20 (IPv4) − 20 (TCP).",
        "Azure's guidance is about the clamp, not the maximum: read azure_mtu_guidance().",
    ),
)


EXERCISE = ExerciseSpec(
    name="07-encryption-paths", title="Encryption paths", lesson="../notebooks/07-encryption-paths.ipynb",
    questions=(Q1, Q2, Q3),
)
