"""Graded exercise 10 · Choosing a design (lesson ``notebooks/10-choosing-a-design``; azure-facts §3, §3.6, §1.4,
§2.1, §5.1, §6.1–§6.3, §10, S1, S4, S7, S12, Appendix A).

q1 choose a design for a seeded requirement set: components from the course's vocabulary, one reason per component
(from a menu that mixes the decision guide's reasons with plausible wrong ones), and the gateway SKU; graded against
:func:`vnetlab.design.recommend`, with targeted feedback for the classic mistakes (peering for on-premises,
VNet-to-VNet across clouds, Point-to-Site forgotten, NAT on VNet-to-VNet, Basic for NAT or transit). q2 audit seeded
claims of the seed texts (accurate, imprecise or outdated, and the key fact), graded against
:func:`vnetlab.claims.claims`. q3 a deadline-and-budget decision between peering, VNet-to-VNet and Site-to-Site,
graded with :func:`vnetlab.compare.compare`.
"""
from __future__ import annotations

import random
from typing import Any, Mapping

from ..claims import VERDICTS, claim, claims
from ..compare import OPTIONS, compare
from ..design import Requirements, recommend
from ..errors import VnetlabError
from ..facts import fact, raw
from ..gateway import provisioning_minutes, requirements_met
from ..gateway import sku as gateway_sku
from .core import AnswerError, Check, ExerciseSpec, Question, Unanswered, differences, still_open
from .misconceptions import Targeted
from .questions_03 import NAT_RULE

SKU = "VpnGw1AZ"    # the only AZ SKU with a sourced hourly price (§10.1)

# --- q1: choose a design ------------------------------------------------------------------------------------------
COMPONENTS = ("VNet peering", "VNet-to-VNet", "VPN gateway", "Site-to-Site", "NAT rules", "gateway transit",
              "Point-to-Site", "virtual network encryption")

# What each of recommend()'s reasons supports, by its rule (vnetlab.design).
RULE_SUPPORTS = {
    "peering: regional and global, across subscriptions and tenants": {"VNet peering"},
    "S2S for on-premises": {"VPN gateway", "Site-to-Site"},
    "S2S works across clouds": {"VPN gateway", "Site-to-Site"},
    "NAT: IPsec, VpnGw2+": {"VPN gateway", "Site-to-Site", "NAT rules"},
    "gateway transit over peering": {"gateway transit"},
    "P2S for remote users": {"Point-to-Site", "VPN gateway"},
    "peering is not IPsec": {"virtual network encryption"},
    "IPsec gateway to gateway": {"Site-to-Site"},
    "SKU by requirements": {"VPN gateway"},
}

# Reasons that sound right and are not (each with the correction the learner gets when choosing it).
WRONG_REASONS = {
    "peering-on-premises": ("Peering carries traffic to the on-premises sites over the Microsoft backbone.",
                            "peering joins Azure VNets only; an on-premises site is reached through a VPN gateway with "
                            "a Site-to-Site (IPsec) connection and a local network gateway (Gateway settings, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings, 2024-02-29)."),
    "v2v-across-clouds": ("VNet-to-VNet joins VNets in different Azure clouds, such as Azure and Azure China.",
                          "VNet-to-VNet (and peering) do not work across separate Azure clouds; use Site-to-Site "
                          "there (VNet-to-VNet how-to, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-howto-vnet-vnet-resource-manager-portal, 2025-06-30; Manage peering, https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering, 2025-05-08)."),
    "nat-on-v2v": ("NAT rules on a VNet-to-VNet connection join the overlapping networks.",
                   "NAT rules work on IPsec (Site-to-Site) connections only, not on VNet-to-VNet or Point-to-Site "
                   "(NAT overview, https://learn.microsoft.com/azure/vpn-gateway/nat-overview, 2024-10-16)."),
    "basic-is-enough": ("The Basic SKU is enough: it does gateway transit, NAT and BGP at the lowest price.",
                        "Basic has no BGP, no NAT, no gateway transit and no IKEv2/OpenVPN Point-to-Site, and is for "
                        "dev/test only (About gateway SKUs, https://learn.microsoft.com/azure/vpn-gateway/about-gateway-skus, 2025-06-23)."),
    "v2v-one-subscription": ("VNet-to-VNet works only within one subscription, so other subscriptions need "
                             "Site-to-Site.",
                             "VNet-to-VNet works across subscriptions and tenants (PowerShell/REST); only the portal "
                             "flow is single-subscription (VNet-to-VNet how-to, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-howto-vnet-vnet-resource-manager-portal, 2025-06-30; Manage peering, https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering, 2025-05-08)."),
    "vpn-internet": ("Every VPN gateway connection crosses the public internet.",
                     "VNet-to-VNet crosses the Microsoft backbone; Site-to-Site and Point-to-Site cross the internet "
                     "(Gateway settings, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings, 2024-02-29)."),
}

# The guide's SKU reason names the SKU; the menu states the rule without giving the answer away.
SKU_REASON = ("A VPN gateway carries the tunnels and the Point-to-Site clients; its SKU must have enough tunnels, "
              "clients and throughput, and the features the design needs.")

STORIES = {
    "hybrid": "{org} runs {spokes} application spokes peered to a hub VNet in Azure ({where}). {sites} on-premises "
              "site(s) must reach every spoke, and {users} staff work from home and need the same access{bw}.",
    "cloud": "{org} has a VNet in Azure and a partner VNet in a different Azure cloud (an Azure China region); the two "
             "must exchange data, and {users} staff work from home and need access to the Azure VNet{bw}.",
    "merger": "{org} bought a company whose {sites} on-premises site(s) use the same 10.x range as {org}'s Azure VNet; "
              "renumbering is out of the question this year. The sites must reach the VNet, and {users} staff "
              "work from home{bw}.",
}


def design_setup(rng: random.Random) -> dict:
    kind = rng.choice(sorted(STORIES))
    users = rng.choice([rng.randint(20, 240), rng.randint(400, 480)])  # 250-378 fit VpnGw1AZ only with SSTP (Windows-only) clients
    bandwidth = rng.choice([0, rng.randrange(200, 600, 50), rng.randrange(700, 1000, 50)])
    req = {"remote_users": users, "bandwidth_mbps": bandwidth}
    if kind == "hybrid":
        req.update(spokes=rng.randint(2, 5), on_premises_sites=rng.randint(1, 3), same_region=rng.random() < 0.5)
    elif kind == "cloud":
        req.update(across_clouds=True, same_region=False)
    else:
        req.update(overlapping_spaces=True, on_premises_sites=rng.randint(1, 2))
    org = rng.choice(["Contoso", "Fabrikam", "Northwind", "Tailspin", "Woodgrove"])
    story = STORIES[kind].format(
        org=org, spokes=req.get("spokes"), sites=req.get("on_premises_sites"), users=users,
        where="one region" if req.get("same_region") else "spokes in two regions",
        bw=f"; the gateway must carry {bandwidth} Mbps in total" if bandwidth else "")
    rec = recommend(Requirements(**req))
    true = [(SKU_REASON if r.rule == "SKU by requirements" else r.text, r.rule) for r in rec.reasons]
    wrong = rng.sample(sorted(WRONG_REASONS), 4)
    menu = [(text, rule) for text, rule in true] + [(WRONG_REASONS[w][0], f"wrong:{w}") for w in wrong]
    rng.shuffle(menu)
    ids = [f"R{i}" for i in range(1, len(menu) + 1)]
    return {"story": story, "requirements": req, "components": list(COMPONENTS),
            "reasons": {i: text for i, (text, _) in zip(ids, menu)}}


def _recommendation(givens: Mapping):
    return recommend(Requirements(**givens["requirements"]))


def _rule_of(rid: str, givens: Mapping) -> str:
    """The rule behind reason ``rid`` (found again from its text: the givens show the text only)."""
    text = givens["reasons"][rid]
    if text == SKU_REASON:
        return "SKU by requirements"
    rule = next((r.rule for r in _recommendation(givens).reasons if r.text == text), None)
    return rule or next((f"wrong:{key}" for key, (wrong, _) in WRONG_REASONS.items() if wrong == text), "unknown")


def _expected(givens: Mapping) -> set[str]:
    """recommend()'s components in the course's vocabulary (its component names are long descriptions)."""
    out = set()
    for c in _recommendation(givens).components:
        out |= {word for word in COMPONENTS if word.lower() in c.lower()}
        if "point-to-site" in c.lower():
            out.add("VPN gateway")   # P2S is configured on a VPN gateway
    return out


def _needs(givens: Mapping) -> dict:
    """What the gateway must carry (the same counts recommend() passes to requirements_met)."""
    r = givens["requirements"]
    tunnels = r.get("on_premises_sites", 0) + int(bool(r.get("across_clouds") or r.get("overlapping_spaces")))
    return {"tunnels": tunnels, "p2s": r.get("remote_users", 0), "throughput_mbps": int(r.get("bandwidth_mbps", 0)),
            "nat": bool(r.get("overlapping_spaces"))}


def read_design(raw: Any, givens: Mapping) -> dict:
    if still_open(raw):
        raise Unanswered("No answer yet: fill in `design['components']` and `design['sku']`.")
    if not isinstance(raw, dict) or not isinstance(raw.get("components"), dict):
        raise AnswerError("`design` should be {'components': {component: reason id, ...}, 'sku': 'VpnGw...'}; got "
                          f"{raw!r:.80}.", value=raw, rule="answer format")
    components = {}
    for name, reason in raw["components"].items():
        match = next((c for c in COMPONENTS if c.lower() == str(name).strip().lower()), None)
        if match is None:
            raise AnswerError(f"design['components'] has {name!r}: use the component names of your givens "
                              f"({', '.join(COMPONENTS)}).", value=name, rule="answer format")
        rid = None if still_open(reason) else str(reason).strip().upper()
        if rid is not None and rid not in givens["reasons"]:
            raise AnswerError(f"design['components'][{match!r}] = {reason!r}: give the id of a reason of your givens "
                              f"({', '.join(givens['reasons'])}).", value=reason, rule="answer format")
        components[match] = rid
    sku_name = raw.get("sku")
    sku_name = None if still_open(sku_name) else str(sku_name).strip()
    if not components and sku_name is None:
        raise Unanswered("No answer yet: list the components of your design.")
    return {"components": components, "sku": sku_name}


def _reach(answer: dict, givens: Mapping) -> str | None:
    """On-premises sites and another cloud are reached through a gateway with Site-to-Site; overlaps need NAT."""
    r, chosen = givens["requirements"], set(answer["components"])
    far = ("on-premises sites" if r.get("on_premises_sites")
           else "the VNet in the other cloud" if r.get("across_clouds") else None)
    if far is None:
        return None
    if r.get("across_clouds") and "VNet-to-VNet" in chosen:
        return ("VNet-to-VNet does not work across separate Azure clouds (nor does peering): join the two gateways "
                "with Site-to-Site (IPsec) connections (VNet-to-VNet how-to, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-howto-vnet-vnet-resource-manager-portal, 2025-06-30; Manage peering, https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering, 2025-05-08).")
    if r.get("overlapping_spaces") and "VNet-to-VNet" in chosen and "NAT rules" in chosen:
        return ("NAT rules work on IPsec (Site-to-Site) connections only, not on VNet-to-VNet (NAT overview, https://learn.microsoft.com/azure/vpn-gateway/nat-overview, 2024-10-16); the sites "
                "need Site-to-Site connections with NAT rules.")
    if not {"VPN gateway", "Site-to-Site"} <= chosen:
        if "VNet peering" in chosen:
            return (f"Peering joins Azure VNets only: {far} cannot be reached that way; use a VPN gateway with "
                    "Site-to-Site (IPsec) connections (Gateway settings, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings, 2024-02-29).")
        return f"How will {far} connect? Through a VPN gateway with Site-to-Site (IPsec) connections (Gateway settings, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings, 2024-02-29)."
    if r.get("overlapping_spaces") and "NAT rules" not in chosen:
        return ("The sites use the same range as the VNet: without NAT rules on the Site-to-Site connections Azure "
                "refuses the overlap (NAT overview, https://learn.microsoft.com/azure/vpn-gateway/nat-overview, 2024-10-16).")
    return None


def _remote_users(answer: dict, givens: Mapping) -> str | None:
    users = givens["requirements"].get("remote_users", 0)
    if not users or "Point-to-Site" in answer["components"]:
        return None
    return (f"{users} staff work from home: they connect with Point-to-Site (OpenVPN, IKEv2 or SSTP) on the VPN "
            "gateway (Gateway transit, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-peering-gateway-transit, 2023-08-18). Site-to-Site is for sites with a VPN device.")


def _spokes(answer: dict, givens: Mapping) -> str | None:
    r, chosen = givens["requirements"], set(answer["components"])
    if not r.get("spokes"):
        return None
    if "VNet peering" not in chosen:
        return "The spokes are peered to the hub: keep VNet peering in the design."
    if r.get("on_premises_sites") and "gateway transit" not in chosen:
        return ("The spokes reach on-premises only through the hub's gateway, with gateway transit "
                "(allowGatewayTransit on the hub's links, useRemoteGateways on the spokes'): peering is not transitive "
                "by itself (Manage peering, https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering, 2025-05-08; Gateway transit, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-peering-gateway-transit, 2023-08-18).")
    return None


def _refused(answer: dict, givens: Mapping) -> str | None:
    r, chosen = givens["requirements"], set(answer["components"])
    if r.get("overlapping_spaces") and "VNet peering" in chosen:
        return Targeted("Overlapping address spaces cannot be peered (Manage peering, https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering, 2025-05-08).", "overlap-blocks-peering")
    if r.get("across_clouds") and "VNet peering" in chosen:
        return Targeted("Peering does not work across separate Azure clouds (Manage peering, https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering, 2025-05-08).", "peering-cross-cloud")
    if r.get("overlapping_spaces") and "VNet-to-VNet" in chosen:
        return Targeted("VNet-to-VNet refuses overlapping address spaces and takes no NAT rules (VNet-to-VNet how-to, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-howto-vnet-vnet-resource-manager-portal, 2025-06-30; NAT overview, https://learn.microsoft.com/azure/vpn-gateway/nat-overview, 2024-10-16).",
                        "overlap-blocks-peering", "nat-on-vnet2vnet")
    return None


def _sku_fits(answer: dict, givens: Mapping) -> str | None:
    needs_gateway = "VPN gateway" in _expected(givens)
    name = answer["sku"]
    if not needs_gateway:
        return None if name is None else f"This design needs no VPN gateway, so no SKU ({name})."
    if name is None:
        return "Name the VPN gateway's SKU in design['sku']."
    try:
        s = gateway_sku(name)
    except VnetlabError as exc:
        return f"{name}: {exc.args[0]}"
    if s.status != "current":
        return f"{name} gateways can no longer be created; new gateways use the AZ SKUs (About gateway SKUs, https://learn.microsoft.com/azure/vpn-gateway/about-gateway-skus, 2025-06-23; Legacy SKUs, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-skus-legacy, 2026-02-27)."
    needs = _needs(givens)
    if s.name == "Basic":
        transit = bool(givens["requirements"].get("spokes"))
        lacks = [w for w, need in (("NAT", needs["nat"]), ("gateway transit", transit),
                                   ("IKEv2/OpenVPN Point-to-Site", needs["p2s"] > 0)) if need]
        return ("Basic is for dev/test only and has no BGP, NAT or gateway transit, and only SSTP for Point-to-Site "
                f"(About gateway SKUs, https://learn.microsoft.com/azure/vpn-gateway/about-gateway-skus, 2025-06-23){': this design needs ' + ', '.join(lacks) if lacks else ''}.")
    short = requirements_met(s, **needs)
    if short:
        if "no NAT" in short:
            return (f"{name} has no NAT rules: {NAT_RULE} (NAT overview, https://learn.microsoft.com/azure/vpn-gateway/nat-overview, 2024-10-16; About gateway SKUs, https://learn.microsoft.com/azure/vpn-gateway/about-gateway-skus, 2025-06-23); among the SKUs with NAT, the other needs "
                    "decide.")
        return f"{name} falls short: {'; '.join(short)} (About gateway SKUs, https://learn.microsoft.com/azure/vpn-gateway/about-gateway-skus, 2025-06-23)."
    return None


def _reasons(answer: dict, givens: Mapping) -> str | None:
    for component, rid in answer["components"].items():
        if rid is None:
            return f"{component} has no reason yet: give the id of the reason that supports it."
        rule = _rule_of(rid, givens)
        if rule.startswith("wrong:"):
            return f"{rid} is not a valid reason: {WRONG_REASONS[rule[6:]][1]}"
        if component not in RULE_SUPPORTS.get(rule, set()):
            supported = ", ".join(sorted(RULE_SUPPORTS.get(rule, ())))
            return f"{rid} is true, but it supports {supported}, not {component}; pick the reason that names it."
    return None


# BEGIN HIDDEN CHECKS
def _exact(answer: dict, givens: Mapping) -> str | None:
    chosen, expected = set(answer["components"]), _expected(givens)
    extra, missing = sorted(chosen - expected), sorted(expected - chosen)
    if not extra and not missing:
        return None
    parts = [f"{what}: {', '.join(items)}" for what, items in (("not needed", extra), ("missing", missing)) if items]
    return "The design differs from the guide's: " + "; ".join(parts) + "."
# END HIDDEN CHECKS


# BEGIN HIDDEN CHECKS
def _smallest(answer: dict, givens: Mapping) -> str | None:
    best = _recommendation(givens).sku
    if answer["sku"] == best or best is None:
        return None
    return f"{answer['sku']} works, but {best} is the smallest current SKU that meets the needs (and costs less)."
# END HIDDEN CHECKS


Q1 = Question(
    id="q1", title="Choose a design", points=6, answer="design",
    setup=design_setup, read=read_design,
    checks=(
        Check("Sites and other clouds are reached the right way", _reach,
              misconceptions=("peering-cross-cloud", "connection-type-choice")),
        Check("Remote users can connect", _remote_users, misconceptions=("p2s-for-users",)),
        Check("Spokes are connected", _spokes, misconceptions=("connection-type-choice",)),
        Check("No component that Azure refuses here", _refused,
              misconceptions=("overlap-blocks-peering", "peering-cross-cloud", "nat-on-vnet2vnet")),
        Check("The gateway SKU can do the job", _sku_fits, misconceptions=("sku-too-small",)),
        Check("Each component has a reason that supports it", _reasons, targeted=False),
        # BEGIN HIDDEN CHECKS
        Check("Components match the decision guide's", _exact, visible=False,
              rule="Choose only the components the requirements call for, no more and no fewer.",
              source=fact("peering", "setup_time").cite(), targeted=False),
        Check("The SKU is the smallest that fits", _smallest, visible=False,
              rule="Choose the smallest SKU that meets every requirement.",
              source=fact("vpn_gateway_skus", "current_skus").cite(), misconceptions=("sku-oversized",)),
        # END HIDDEN CHECKS
    ),
    hints=(
        "Go through the requirements one by one: who is outside Azure (sites, people), do spaces overlap, is there "
        "another Azure cloud?",
        "Peering joins Azure VNets; a gateway with Site-to-Site reaches sites and other clouds; Point-to-Site reaches "
        "people; NAT rules live on Site-to-Site connections.",
        "For the SKU, count tunnels (one per site or cloud), Point-to-Site users and throughput, and check NAT.",
    ),
)


# --- q2: audit the seed texts' claims ----------------------------------------------------------------------------
SHOWN = 5        # claims per learner
VISIBLE = 3      # the first three are checked visibly, the rest only at grading


def _plain_fact(correction: str) -> str:
    """A correction without its verdict word ("True: ...", "Partly: ..."), so the menu does not give verdicts away."""
    text = correction
    for lead in ("True: ", "True; ", "True, ", "Partly: "):
        if text.startswith(lead):
            text = text[len(lead):]
            break
    return text[:1].upper() + text[1:]


def audit_setup(rng: random.Random) -> dict:
    table = list(claims())
    by = {v: [c for c in table if c.verdict == v] for v in VERDICTS}
    picked = [rng.choice(by["accurate"]), rng.choice(by["imprecise"])]
    if rng.random() < 0.6:
        picked.append(rng.choice(by["outdated"]))
    rest = [c for c in table if c not in picked]
    picked += rng.sample(rest, SHOWN - len(picked))
    rng.shuffle(picked)
    others = rng.sample([c for c in table if c not in picked], 2)
    menu = [(c.id, _plain_fact(c.correction)) for c in picked + others]
    rng.shuffle(menu)
    ids = [f"F{i}" for i in range(1, len(menu) + 1)]
    return {"claims": {c.id: c.text for c in picked}, "verdicts": list(VERDICTS),
            "facts": {i: text for i, (_, text) in zip(ids, menu)}}


def _fact_of(fid: str | None, givens: Mapping) -> str | None:
    """The claim whose key fact ``fid`` is (found again from its text: the givens show the text only)."""
    text = givens["facts"].get(fid)
    return next((c.id for c in claims() if _plain_fact(c.correction) == text), None)


def read_audit(raw: Any, givens: Mapping) -> dict:
    if still_open(raw):
        raise Unanswered("No answer yet: fill in `audit` with (verdict, fact id) per claim.")
    if not isinstance(raw, dict):
        raise AnswerError(f"`audit` should be a dict from claim id to (verdict, fact id); got {type(raw).__name__}.",
                          value=raw, rule="answer format")
    out = {}
    for cid in givens["claims"]:
        value = raw.get(cid)
        if isinstance(value, dict):
            value = [value.get("verdict"), value.get("fact")]
        if still_open(value) or (isinstance(value, list) and all(still_open(v) for v in value)):
            out[cid] = (None, None)
            continue
        if not isinstance(value, list) or len(value) != 2:
            raise AnswerError(f"audit[{cid!r}] should be a pair (verdict, fact id), e.g. ('imprecise', 'F2'); got "
                              f"{value!r}.", value=value, rule="answer format")
        verdict, fid = value
        verdict = None if still_open(verdict) else str(verdict).strip().lower()
        if verdict is not None and verdict not in VERDICTS:
            raise AnswerError(f"audit[{cid!r}]: verdict {value[0]!r}; use one of {', '.join(VERDICTS)}.", value=verdict,
                              rule="answer format")
        fid = None if still_open(fid) else str(fid).strip().upper()
        if fid is not None and fid not in givens["facts"]:
            raise AnswerError(f"audit[{cid!r}]: fact {value[1]!r}; use a fact id of your givens "
                              f"({', '.join(givens['facts'])}).", value=fid, rule="answer format")
        out[cid] = (verdict, fid)
    if all(v == (None, None) for v in out.values()):
        raise Unanswered("No answer yet: replace the placeholders in `audit`.")
    return out


def _verdict_message(cid: str, said: str | None) -> str | None:
    c = claim(cid)
    if said == c.verdict:
        return None
    if said is None:
        return f"{cid}: no verdict yet."
    why = {"accurate": f"it holds as the documents state it. {c.correction}",
           "imprecise": f"it is true only in part, or with a wrong detail: {c.correction}",
           "outdated": f"it was true of an earlier Azure, not of today's: {c.correction}"}[c.verdict]
    return f"{cid}: not {said}; {why}"


def _fact_message(cid: str, fid: str | None, givens: Mapping) -> str | None:
    if fid is None:
        return f"{cid}: no fact yet."
    other = _fact_of(fid, givens)
    if other == cid:
        return None
    return (f"{cid}: {fid} is the key fact of another claim ({claim(other).text!r}); pick the fact that confirms or "
            "corrects this one.")


def _audit_check(which: slice, part: str):
    def check(answer: dict, givens: Mapping) -> str | None:
        for cid in list(givens["claims"])[which]:
            verdict, fid = answer[cid]
            message = _verdict_message(cid, verdict) if part == "verdict" else _fact_message(cid, fid, givens)
            if message:
                return message
        return None
    check.__name__ = f"audit_{part}_{which.start}"
    return check


# BEGIN HIDDEN CHECKS
def _audit_all(answer: dict, givens: Mapping) -> str | None:
    return differences([cid for cid in givens["claims"] if answer[cid][0] != claim(cid).verdict
                        or _fact_of(answer[cid][1], givens) != cid], "claims", "audit's")
# END HIDDEN CHECKS


Q2 = Question(
    id="q2", title="Myths versus facts", points=4, answer="audit",
    setup=audit_setup, read=read_audit,
    checks=(
        Check("Verdicts of the first three claims", _audit_check(slice(0, VISIBLE), "verdict"),
              misconceptions=("seed-claims",)),
        Check("Key facts of the first three claims", _audit_check(slice(0, VISIBLE), "fact"),
              misconceptions=("seed-claims",)),
        # BEGIN HIDDEN CHECKS
        Check("Verdicts of the other claims", _audit_check(slice(VISIBLE, None), "verdict"), visible=False,
              rule="Judge a claim by Microsoft's current documentation: accurate, imprecise or outdated.",
                    misconceptions=("seed-claims",)),
        Check("Key facts of the other claims", _audit_check(slice(VISIBLE, None), "fact"), visible=False,
              rule="Support each verdict with the documented fact that confirms or corrects the claim.",
                    misconceptions=("seed-claims",)),
        Check("Every claim matches the audit", _audit_all, visible=False,
              rule="Every claim is judged against Microsoft's current documentation, with the fact that "
                   "decides it.", targeted=False),
        # END HIDDEN CHECKS
    ),
    hints=(
        "Accurate: the documents say the same. Imprecise: true only in part, or a detail is wrong. Outdated: true of "
        "an earlier Azure.",
        "Try the claim on the simulator where you can: build the connection it says is impossible, trace the path it "
        "says crosses the internet, look the SKU up in the catalog.",
        "Each fact in your givens confirms or corrects exactly one claim; two of them belong to claims you were not "
        "given.",
    ),
)


# --- q3: a budget and deadline decision -------------------------------------------------------------------------
def _hours() -> int:
    """Hours in a month as the course's prices count them (azure-facts §10: 730)."""
    return int(raw("pricing", "gateway_hourly_usd")["hours_per_month"])


def _money(x: float) -> str:
    return f"${x:,.2f}"


def budget_setup(rng: random.Random) -> dict:
    """Two VNets, a monthly traffic profile, a deadline and a budget. Two families: a tight deadline (no time for a
    gateway) or a heavy volume within one region (where two gateways cost less than peering's per-GB charges)."""
    if rng.random() < 0.5:
        a, b = rng.choice([("westeurope", "westeurope"), ("northeurope", "northeurope"), ("westeurope", "northeurope"),
                           ("northeurope", "westeurope"), ("westeurope", "japanwest")])
        there, back = float(rng.randrange(200, 4000, 50)), float(rng.randrange(0, 1500, 50))
        if b == "japanwest":
            back = 0.0   # no sourced Zone 2 outbound peering rate (§10.2)
        deadline = rng.choice([15, 20, 30, 40])
        kind = "tight"
    else:
        a = b = rng.choice(["westeurope", "northeurope"])
        there, back = float(rng.randrange(16000, 40000, 500)), float(rng.randrange(0, 8000, 500))
        deadline = rng.choice([2, 3, 5]) * 24 * 60
        kind = "heavy"
    cmp = compare(a, b, there, back, sku=SKU)
    costs = {o.name: o.monthly_cost_usd.value for o in cmp.options}
    if kind == "tight":
        budget = float(int(costs["VNet peering"] * rng.uniform(1.3, 2.0)) + 50)
    else:
        low, high = costs["VNet-to-VNet"], min(costs["VNet peering"], costs["Site-to-Site"] + 200)
        budget = float(int(rng.uniform(low + 5, max(low + 6, high - 5))))
    return {"a": {"vnet": "vnet-a", "region": a}, "b": {"vnet": "vnet-b", "region": b},
            "gb_a_to_b": there, "gb_b_to_a": back, "sku": SKU, "ready_within_minutes": deadline,
            "monthly_budget_usd": budget, "options": list(OPTIONS)}


def _comparison(givens: Mapping):
    return compare(givens["a"]["region"], givens["b"]["region"], givens["gb_a_to_b"], givens["gb_b_to_a"],
                   sku=givens["sku"])


def _fits(givens: Mapping) -> dict[str, list[str]]:
    """Per option, what keeps it out (empty: it fits): the deadline (time to ready) and the budget (monthly cost)."""
    out = {}
    for o in _comparison(givens).options:
        why = []
        ready = o.time_to_ready_min.value
        if ready is not None and ready > givens["ready_within_minutes"]:
            why.append("deadline")
        cost = o.monthly_cost_usd.value
        if cost is None or cost > givens["monthly_budget_usd"]:
            why.append("budget")
        out[o.name] = why
    return out


def read_decision(raw: Any, givens: Mapping) -> dict:
    if still_open(raw):
        raise Unanswered("No answer yet: fill in `decision['costs']` and `decision['pick']`.")
    if not isinstance(raw, dict):
        raise AnswerError(f"`decision` should be a dict {{'costs': {{...}}, 'pick': '...'}}; got {type(raw).__name__}.",
                          value=raw, rule="answer format")
    costs_raw = raw.get("costs") or {}
    if not isinstance(costs_raw, dict):
        raise AnswerError("decision['costs'] should be a dict from option to US dollars a month.", value=costs_raw,
                          rule="answer format")
    costs = {}
    for option in OPTIONS:
        value = costs_raw.get(option)
        if still_open(value):
            costs[option] = None
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            try:
                value = float(str(value).replace("$", "").replace(",", "").strip())
            except ValueError:
                raise AnswerError(f"decision['costs'][{option!r}] = {value!r}: write a number of US dollars, e.g. "
                                  "20.0.", value=value, rule="answer format") from None
        costs[option] = float(value)
    pick = raw.get("pick")
    if not still_open(pick):
        match = next((o for o in OPTIONS if isinstance(pick, str) and o.lower() == pick.strip().lower()), None)
        if match is None:
            raise AnswerError(f"decision['pick'] = {pick!r}: use one of {', '.join(map(repr, OPTIONS))}.", value=pick,
                              rule="answer format")
        pick = match
    else:
        pick = None
    if pick is None and all(v is None for v in costs.values()):
        raise Unanswered("No answer yet: replace the None placeholders in `decision`.")
    return {"costs": costs, "pick": pick}


def _close(said: float | None, truth: float) -> bool:
    return said is not None and abs(said - truth) <= max(0.01, 0.005 * truth)


def _peering_cost(answer: dict, givens: Mapping) -> str | None:
    truth = _comparison(givens).option("VNet peering").monthly_cost_usd
    said = answer["costs"]["VNet peering"]
    if _close(said, truth.value):
        return None
    if said is None:
        return "No cost for VNet peering yet."
    a, b = givens["a"]["region"], givens["b"]["region"]
    one_way = compare(a, b, givens["gb_a_to_b"], 0.0, sku=givens["sku"]).option("VNet peering").monthly_cost_usd.value
    if _close(said, truth.value / 2) and a == b:
        return (f"VNet peering: {_money(said)} charges each GB once, but peering is charged at both ends: outbound at "
                "the source and inbound at the destination (VNet FAQ, https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq, undated; Azure list prices as of 2025-01-15 (Azure Retail Prices API via Infracost); check https://azure.microsoft.com/pricing/details/vpn-gateway/).")
    if givens["gb_b_to_a"] and _close(said, one_way):
        return (f"VNet peering: {_money(said)} prices only the traffic from {givens['a']['vnet']} to "
                f"{givens['b']['vnet']}; the {givens['gb_b_to_a']:g} GB coming back are charged too.")
    return (f"VNet peering: {_money(said)} is not what the sourced prices give; per GB, the source's outbound rate "
            "plus the destination's inbound rate, for each direction.")


def _gateway_cost(option: str):
    def check(answer: dict, givens: Mapping) -> str | None:
        truth = _comparison(givens).option(option).monthly_cost_usd.value
        said = answer["costs"][option]
        if _close(said, truth):
            return None
        if said is None:
            return f"No cost for {option} yet."
        hourly = fact("pricing", "gateway_hourly_usd").value[givens["sku"]]
        hours_month = _hours()
        extra = truth - 2 * hours_month * hourly
        if _close(said, truth - hours_month * hourly):
            return (f"{option}: {_money(said)} pays for one gateway; a VPN gateway connection joins two VNets, and "
                    "each VNet needs its own gateway, billed by the hour.")
        for hours in (720, 744):
            if _close(said, 2 * hours * hourly + extra):
                return (f"{option}: {_money(said)} uses {hours} hours; the course's prices count a month as "
                        f"{hours_month} hours.")
        older = raw("pricing", "gateway_hourly_usd")["history"].get(givens["sku"], [])
        if any(_close(said, 2 * hours_month * h["usd"] + extra) for h in older):
            return (f"{option}: {_money(said)} uses an older hourly price; the sourced price since the AZ price cut "
                    f"of 2025-01-01 is ${hourly}/h.")
        if option == "VNet-to-VNet" and extra and _close(said, 2 * hours_month * hourly):
            return (f"{option}: {_money(said)} leaves out the data: VNet-to-VNet traffic between regions pays the "
                    "inter-VNet egress meter (free only within one region).")
        if option == "Site-to-Site" and _close(said, 2 * hours_month * hourly):
            return f"{option}: {_money(said)} leaves out the two connections' monthly charge."
        return f"{option}: {_money(said)} is not what the sourced prices give; see the comparison's origin line."
    check.__name__ = f"cost_{option.replace(' ', '_').replace('-', '_')}"
    return check


def _pick_in_time(answer: dict, givens: Mapping) -> str | None:
    pick = answer["pick"]
    if pick is None:
        return "No pick yet."
    if "deadline" in _fits(givens)[pick]:
        return (f"{pick} cannot be ready in {givens['ready_within_minutes']} minutes: creating a VPN gateway can take "
                f"{provisioning_minutes()} minutes or more (Gateway settings, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings, 2024-02-29), and peering needs no gateway.")
    return None


def _pick_in_budget(answer: dict, givens: Mapping) -> str | None:
    pick = answer["pick"]
    if pick is None:
        return "No pick yet."
    if "budget" not in _fits(givens)[pick]:
        return None
    cost = _comparison(givens).option(pick).monthly_cost_usd.value
    if pick == "VNet peering":
        return (f"VNet peering costs {_money(cost)} a month at this volume, over the "
                f"{_money(givens['monthly_budget_usd'])} budget: peering is charged per GB, gateways per hour, so at a "
                "high enough volume two gateways cost less.")
    return f"{pick} costs {_money(cost)} a month, over the {_money(givens['monthly_budget_usd'])} budget."


# BEGIN HIDDEN CHECKS
def _pick_cheapest(answer: dict, givens: Mapping) -> str | None:
    fits = [o for o, why in _fits(givens).items() if not why]
    costs = {o.name: o.monthly_cost_usd.value for o in _comparison(givens).options}
    best = min(fits, key=lambda o: costs[o]) if fits else None
    if answer["pick"] == best:
        return None
    return f"{answer['pick']} fits, but {best} also fits and costs less ({_money(costs[best])} a month)."
# END HIDDEN CHECKS


# BEGIN HIDDEN CHECKS
def _costs_all(answer: dict, givens: Mapping) -> str | None:
    cmp = _comparison(givens)
    return differences([o.name for o in cmp.options if not _close(answer["costs"][o.name], o.monthly_cost_usd.value)],
                       "monthly costs", "comparison's")
# END HIDDEN CHECKS


Q3 = Question(
    id="q3", title="A deadline and a budget", points=4, answer="decision",
    setup=budget_setup, read=read_decision,
    checks=(
        Check("VNet peering's monthly cost", _peering_cost, misconceptions=("peering-cost",)),
        Check("VNet-to-VNet's monthly cost", _gateway_cost("VNet-to-VNet"), misconceptions=("gateway-cost",)),
        Check("Your pick is ready in time", _pick_in_time, misconceptions=("provisioning-time",)),
        Check("Your pick fits the budget", _pick_in_budget, misconceptions=("break-even",)),
        # BEGIN HIDDEN CHECKS
        Check("Site-to-Site's monthly cost", _gateway_cost("Site-to-Site"), visible=False,
              rule="A Site-to-Site design costs its gateways' hours plus the connection charges.",
              source=fact("pricing", "s2s_connection_monthly_usd").cite(), misconceptions=("gateway-cost",)),
        Check("Your pick is the cheapest option that fits", _pick_cheapest, visible=False,
              rule="Pick the cheapest option that meets every requirement, the budget and the time to be ready "
                   "included.",
              source=fact("vpn_gateway_skus", "provisioning").cite(), misconceptions=("break-even",)),
        Check("Every cost matches the comparison", _costs_all, visible=False,
              rule="Each design's monthly cost counts its gateways' hours and its per-GB data charges.",
              source=fact("pricing", "gateway_hourly_usd").cite(), targeted=False),
        # END HIDDEN CHECKS
    ),
    hints=(
        "Run compare(...) with your givens' regions, volumes and SKU, and read each option's 'Monthly cost' and "
        "'from' line.",
        "Peering is charged per GB at both ends; a gateway connection needs a gateway in each VNet, billed per hour.",
        "First drop the options that cannot be ready in time, then the ones over budget; pick the cheapest left.",
    ),
)


EXERCISE = ExerciseSpec(
    name="10-choosing-a-design", title="Choosing a design",
    lesson="../notebooks/10-choosing-a-design.ipynb", questions=(Q1, Q2, Q3),
)
