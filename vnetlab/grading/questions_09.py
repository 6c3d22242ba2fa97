"""Graded exercise 09 · Performance and cost (lesson ``notebooks/09-performance-and-cost``; azure-facts §1.1, §1.3,
§3.3, §6.3, §6.7, §10, S7, S12).

q1 the monthly cost of VNet peering and of VNet-to-VNet (two VpnGw1AZ gateways) for a seeded region pair and traffic
in both directions; the truth is :func:`vnetlab.compare.compare`. q2 the break-even monthly volume between peering
and VNet-to-VNet for another seeded pair (:func:`~vnetlab.compare.break_even_gb`), which design is cheaper at a seeded
volume and by how much. q3 the smallest SKU a new gateway can have for seeded needs (:func:`vnetlab.gateway.catalog`,
:func:`~vnetlab.gateway.requirements_met`, as in exercise 03) and whether **one** tunnel with a seeded IPsec algorithm
carries a seeded flow (:func:`vnetlab.compare.tunnel_mbps`, the measured per-tunnel table). Prices are dated list
prices (East US gateway hours, West Europe peering rates): every message that quotes one says so.
"""
from __future__ import annotations

import math
import random
from typing import Any, Mapping

from ..compare import ALGORITHMS, OPTIONS, break_even_gb, compare, tunnel_mbps
from ..facts import fact, raw
from ..gateway import catalog
from .core import AnswerError, Check, ExerciseSpec, Question, Unanswered, still_open
from .questions_03 import NEEDS, read_sku, sku_creatable, sku_meets, smallest
# BEGIN HIDDEN CHECKS
from .questions_03 import sku_smallest
# END HIDDEN CHECKS

PEERING, V2V = OPTIONS[0], OPTIONS[1]
SKU = "VpnGw1AZ"  # the only AZ SKU with a sourced hourly price (azure-facts §10.1)
SAME, GLOBAL_ZONE1, ZONE1_TO_2 = ("westeurope", "westeurope"), ("westeurope", "northeurope"), ("westeurope", "japanwest")
PAIRS = (SAME, SAME, GLOBAL_ZONE1, ("northeurope", "westeurope"), ZONE1_TO_2, ("northeurope", "japanwest"))


def _close(said: float, want: float, rel: float = 0.002) -> bool:
    return math.isclose(said, want, rel_tol=rel, abs_tol=0.05)


def _cost(givens: Mapping, option: str, **change) -> float | None:
    args = {k: givens[k] for k in ("a_region", "b_region", "gb_a_to_b", "gb_b_to_a")} | {"sku": SKU} | change
    return compare(**args).option(option).monthly_cost_usd.value


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _number(raw_value: Any, what: str) -> float:
    if isinstance(raw_value, bool) or not isinstance(raw_value, (int, float)) or raw_value != raw_value:
        raise AnswerError(f"{what} = {raw_value!r}: give a number (US dollars or GB per month).", value=raw_value,
                          rule="answer format")
    return float(raw_value)


def _price_dates() -> str:
    hours, peering = raw("pricing", "gateway_hourly_usd"), fact("pricing", "peering_per_gb_usd")
    return (f"gateway hours are {hours['region']} list prices of {hours['as_of']}, peering rates of {peering.as_of} "
            "(Infracost fixtures; verify against the official page)")


# --- q1: the monthly bill of two designs ---------------------------------------------------------------------------
def cost_setup(rng: random.Random) -> dict:
    a, b = rng.choice(PAIRS)
    there = rng.choice(range(400, 20001, 100))
    # Traffic back only where both rates are sourced: the Zone 2 outbound rate is not (azure-facts §10.2).
    back = 0 if b == "japanwest" else round(there * rng.choice([0.0, 0.1, 0.25, 0.5]) / 10) * 10
    return {"a_region": a, "b_region": b, "gb_a_to_b": there, "gb_b_to_a": back, "sku": SKU,
            "designs": [PEERING, V2V], "prices": _price_dates()}


def read_costs(raw_answer: Any, givens: Mapping) -> dict:
    if still_open(raw_answer) or (isinstance(raw_answer, dict) and all(still_open(v) for v in raw_answer.values())):
        raise Unanswered("No answer yet: fill in `monthly_cost` with a figure per design.")
    if not isinstance(raw_answer, dict) or set(raw_answer) != {PEERING, V2V}:
        raise AnswerError(f"`monthly_cost` should be {{{PEERING!r}: <USD>, {V2V!r}: <USD>}}; got {raw_answer!r}.",
                          value=raw_answer, rule="answer format")
    return {k: None if still_open(v) else _number(v, f"monthly_cost[{k!r}]") for k, v in raw_answer.items()}


def _rates(givens: Mapping) -> tuple[float, float]:
    """Outbound rate at A and inbound rate at B per GB (for naming the 'charged once' mistake)."""
    f = fact("pricing", "peering_per_gb_usd").value
    zones = raw("pricing", "peering_per_gb_usd")["regions"]
    a, b = givens["a_region"], givens["b_region"]
    if a == b:
        return f["regional"]["out"], f["regional"]["in"]
    return f["zones"][zones[a]]["out"], f["zones"][zones[b]]["in"]


def cost_peering(answer: dict, givens: Mapping) -> str | None:
    said, want = answer[PEERING], _cost(givens, PEERING)
    if said is None:
        return f"{PEERING} has no figure yet."
    if _close(said, want):
        return None
    out_rate, in_rate = _rates(givens)
    there, back = givens["gb_a_to_b"], givens["gb_b_to_a"]
    if back and _close(said, _cost(givens, PEERING, gb_b_to_a=0)):
        return (f"{_money(said)} counts only the {there:g} GB from {givens['a_region']} to {givens['b_region']}; the "
                f"{back:g} GB coming back cross the peering too and are charged the same way.")
    if not back and any(_close(said, there * r) for r in (out_rate, in_rate)):
        return (f"{_money(said)} charges each GB once. Peering charges every GB at both ends: outbound where it leaves "
                f"(${out_rate}/GB) and inbound where it arrives (${in_rate}/GB) (VNet FAQ, https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq, undated).")
    if back and _close(said, want / 2):
        return ("Half the expected bill: peering charges every GB at both ends, outbound at the source and inbound at "
                "the destination (VNet FAQ, https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq, undated), in each direction.")
    regional = fact("pricing", "peering_per_gb_usd").value["regional"]
    if givens["a_region"] != givens["b_region"] and _close(said, (there + back) * (regional["out"] + regional["in"])):
        return ("That is the regional rate; these VNets are in different regions, so global peering's rates apply, "
                "by billing zone (outbound zone of the source, inbound zone of the destination).")
    return (f"{PEERING}: {_money(said)} does not match the per-GB rates for {givens['a_region']} ↔ "
            f"{givens['b_region']}; read the comparison's origin line ({_price_dates()}).")


def _v2v_variants(givens: Mapping) -> dict[str, float]:
    """What a VNet-to-VNet figure comes to with each typical slip (engine figures plus the dated price history)."""
    want, hours = _cost(givens, V2V), _cost(givens, V2V, gb_a_to_b=0, gb_b_to_a=0)
    entry = raw("pricing", "gateway_hourly_usd")
    gb = givens["gb_a_to_b"] + givens["gb_b_to_a"]
    egress = fact("pricing", "inter_vnet_egress_usd_per_gb").value
    old = [h["usd"] for h in entry["history"].get(SKU, []) if h["usd"] != entry["value"][SKU]]
    out = {"one gateway": want - hours / 2}
    if givens["a_region"] == givens["b_region"]:
        out["data charged"] = want + gb * egress
    else:
        out["no egress"] = hours
    for price in old:
        out[f"old {price}"] = want + 2 * entry["hours_per_month"] * (price - entry["value"][SKU])
    return out


def cost_v2v(answer: dict, givens: Mapping) -> str | None:
    said, want = answer[V2V], _cost(givens, V2V)
    if said is None:
        return f"{V2V} has no figure yet."
    if _close(said, want) or any(_close(said, v) for k, v in _v2v_variants(givens).items() if k.startswith("old")):
        return None
    slips = _v2v_variants(givens)
    if _close(said, slips["one gateway"]):
        return ("One gateway's hours: a VNet-to-VNet connection joins two VPN gateways, one in each VNet, and each is "
                "billed for every hour of the month (730 h).")
    if "data charged" in slips and _close(said, slips["data charged"]):
        return (f"Both VNets are in {givens['a_region']}: same-region VNet-to-VNet traffic is free in both directions "
                "(VPN FAQ, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-vpn-faq, 2026-06-04; VNet-to-VNet how-to, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-howto-vnet-vnet-resource-manager-portal, 2025-06-30); only the gateway hours are billed.")
    if "no egress" in slips and _close(said, slips["no egress"]):
        return ("Only the gateway hours: across regions VNet-to-VNet data is charged too, at the source region's "
                "outbound inter-VNet rate, for the traffic of both directions (VPN FAQ, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-vpn-faq, 2026-06-04; VNet-to-VNet how-to, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-howto-vnet-vnet-resource-manager-portal, 2025-06-30).")
    if _close(said, _cost(givens, PEERING)):
        return f"{_money(said)} is the peering bill; VNet-to-VNet pays gateway hours instead."
    return f"{V2V}: {_money(said)} does not match two {SKU} gateways and the data rule for your regions ({_price_dates()})."


# BEGIN HIDDEN CHECKS
def cost_current_price(answer: dict, givens: Mapping) -> str | None:
    """Credited only for a figure built on the newest price (right, or off by a data-rule slip): a missing or
    unrelated figure shows no price at all."""
    said = answer[V2V]
    if said is None:
        return f"{V2V} has no figure yet."
    variants = _v2v_variants(givens)
    if _close(said, _cost(givens, V2V)) or any(_close(said, v) for k, v in variants.items() if not k.startswith("old")):
        return None
    entry = raw("pricing", "gateway_hourly_usd")
    if any(_close(said, v) for k, v in variants.items() if k.startswith("old")):
        return (f"{_money(said)} uses {SKU}'s price before the AZ price cut of 2025-01-01; the newest dated figure is "
                f"${entry['value'][SKU]}/h ({entry['region']}, {entry['as_of']}). Always quote a price with its date.")
    return (f"{_money(said)} is not built on {SKU}'s newest dated price (${entry['value'][SKU]}/h, {entry['region']}, "
            f"{entry['as_of']}) with any reading of the data rule.")
# END HIDDEN CHECKS


Q1 = Question(
    id="q1", title="The monthly bill of peering and of VNet-to-VNet", points=5, answer="monthly_cost",
    setup=cost_setup, read=read_costs,
    checks=(
        Check("Peering: every GB charged at both ends, in each direction, at your path's rates", cost_peering, weight=2,
              misconceptions=("peering-cost",)),
        Check("VNet-to-VNet: two gateways' hours and the data rule for your regions", cost_v2v, weight=2,
              misconceptions=("gateway-cost",)),
        # BEGIN HIDDEN CHECKS
        Check("The gateway price is the newest dated figure", cost_current_price, visible=False,
              rule="Quote a price with its date, and use the newest dated price.",
              source=fact("pricing", "gateway_hourly_usd").cite(), misconceptions=("gateway-cost",)),
        # END HIDDEN CHECKS
    ),
    hints=(
        "compare(a_region, b_region, gb_a_to_b, gb_b_to_a, sku) shows both figures with the origin of each; work "
        "them out by hand first, then compare.",
        "Peering: GB × (outbound rate at the source + inbound rate at the destination), for each direction.",
        "VNet-to-VNet: 2 gateways × 730 h × the hourly price; data is free within one region and charged per GB of "
        "egress across regions.",
    ),
)


# --- q2: break-even ------------------------------------------------------------------------------------------------
def break_even_setup(rng: random.Random) -> dict:
    a, b = rng.choice((SAME, GLOBAL_ZONE1, ("northeurope", "westeurope"), ZONE1_TO_2, ("northeurope", "japanwest")))
    even = break_even_gb(a, b, SKU)
    volume = round(even * rng.choice([0.3, 0.5, 0.7, 0.85, 1.2, 1.5, 2.0, 3.0]) / 100) * 100
    return {"a_region": a, "b_region": b, "sku": SKU, "gb_a_to_b": volume, "gb_b_to_a": 0,
            "designs": [PEERING, V2V], "prices": _price_dates()}


def read_break_even(raw_answer: Any, givens: Mapping) -> dict:
    keys = ("gb", "cheaper", "saving_usd")
    if still_open(raw_answer) or (isinstance(raw_answer, dict) and all(still_open(raw_answer.get(k)) for k in keys)):
        raise Unanswered("No answer yet: fill in `break_even`.")
    if not isinstance(raw_answer, dict) or not set(raw_answer) <= set(keys):
        raise AnswerError(f"`break_even` should be {{'gb': <GB per month>, 'cheaper': {PEERING!r} or {V2V!r}, "
                          f"'saving_usd': <USD per month>}}; got {raw_answer!r}.", value=raw_answer,
                          rule="answer format")
    out = {k: None if still_open(raw_answer.get(k)) else raw_answer[k] for k in keys}
    for k in ("gb", "saving_usd"):
        if out[k] is not None:
            out[k] = _number(out[k], f"break_even[{k!r}]")
    if out["cheaper"] is not None:
        names = {n.lower(): n for n in (PEERING, V2V)}
        if not isinstance(out["cheaper"], str) or out["cheaper"].strip().lower() not in names:
            raise AnswerError(f"break_even['cheaper'] = {out['cheaper']!r}: one of {PEERING!r}, {V2V!r}.",
                              value=out["cheaper"], rule="design names")
        out["cheaper"] = names[out["cheaper"].strip().lower()]
    return out


def even_gb(answer: dict, givens: Mapping) -> str | None:
    said = answer["gb"]
    a, b = givens["a_region"], givens["b_region"]
    want = break_even_gb(a, b, SKU)
    if said is None:
        return "No break-even volume yet."
    if _close(said, want, rel=0.01):
        return None
    hours = _cost({**givens, "gb_a_to_b": 0}, V2V)
    out_rate, in_rate = _rates(givens)
    slips = []  # several slips can land on the same number (Zone 1: forgetting egress halves it, as one gateway does)
    if _close(said, 2 * want, rel=0.01) and a == b:
        slips.append("Twice the break-even: that counts each peering GB once. Peering charges it at both ends "
                     "(outbound and inbound), so its line rises twice as steeply (VNet FAQ, https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq, undated).")
    if _close(said, want / 2, rel=0.01):
        slips.append("Half the break-even: that prices one gateway. VNet-to-VNet needs a gateway in each VNet, and "
                     "both are billed every hour.")
    if a != b and _close(said, hours / (out_rate + in_rate), rel=0.01):
        slips.append("That break-even forgets the VNet-to-VNet data charge: across regions each GB also pays "
                     "inter-VNet egress on the gateway path, so the lines cross later than gateway hours alone suggest.")
    if a != b and any(_close(said, hours / r, rel=0.01) for r in (out_rate, in_rate)):
        slips.append("Peering charges each GB at both ends (outbound and inbound rates add up); with one rate only "
                     "the break-even is too far out.")
    if slips:
        return " Or: ".join(slips)
    return (f"{said:,.0f} GB is not where the two monthly bills meet for {a} → {b}: set peering's per-GB bill equal to "
            f"the gateways' hours plus their per-GB data charge ({_price_dates()}).")


def _bills(givens: Mapping) -> dict[str, float]:
    return {o: _cost(givens, o) for o in (PEERING, V2V)}


def even_cheaper(answer: dict, givens: Mapping) -> str | None:
    said = answer["cheaper"]
    bills = _bills(givens)
    want = min(bills, key=bills.get)
    if said is None:
        return "Name the cheaper design at your volume."
    if said == want:
        return None
    side = "above" if givens["gb_a_to_b"] > break_even_gb(givens["a_region"], givens["b_region"], SKU) else "below"
    return (f"At {givens['gb_a_to_b']:g} GB a month you are {side} the break-even volume. Peering's bill grows with "
            "every GB; the gateways cost the same every hour whether traffic flows or not.")


# BEGIN HIDDEN CHECKS
def even_saving(answer: dict, givens: Mapping) -> str | None:
    bills = _bills(givens)
    want = abs(bills[PEERING] - bills[V2V])
    said = answer["saving_usd"]
    if said is not None and _close(abs(said), want):
        return None
    return (f"The monthly saving of the cheaper design at your volume is the difference of the two bills "
            f"({_money(bills[PEERING])} and {_money(bills[V2V])}); you gave {said!r}.")
# END HIDDEN CHECKS


Q2 = Question(
    id="q2", title="Break-even: where per-GB meets per-hour", points=5, answer="break_even",
    setup=break_even_setup, read=read_break_even,
    checks=(
        Check("The break-even volume is where the two monthly bills meet", even_gb, weight=2,
              misconceptions=("break-even",)),
        Check("The cheaper design at your volume", even_cheaper, misconceptions=("break-even",)),
        # BEGIN HIDDEN CHECKS
        Check("The monthly saving at your volume", even_saving, visible=False,
              rule="The saving is the difference of the two monthly bills at your traffic volume.",
              source=fact("pricing", "peering_per_gb_usd").cite(), misconceptions=("break-even",)),
        # END HIDDEN CHECKS
    ),
    hints=(
        "Both bills are straight lines in GB: peering starts at $0 and rises by its per-GB rate; VNet-to-VNet starts "
        "at the gateways' hours and rises by its data charge (zero within a region).",
        "Break-even GB = (fixed monthly cost of the gateways) ÷ (peering's rate per GB − the gateway path's rate per "
        "GB). break_even_gb(a, b) checks your arithmetic.",
        "Below the break-even volume peering is cheaper; above it the gateways are.",
    ),
)


# --- q3: SKU and one tunnel ------------------------------------------------------------------------------------------
def _rows(name: str) -> list:
    return [s for s in catalog() if name in (s.name, s.key)]


def one_tunnel_carries(name: str, algorithm: str, flow_mbps: float) -> set[bool]:
    """For each generation of SKU ``name``: does one tunnel with ``algorithm`` carry ``flow_mbps``?"""
    return {flow_mbps <= tunnel_mbps(s, algorithm).value for s in _rows(name)}


def tunnel_setup(rng: random.Random) -> dict:
    while True:
        needs = {"throughput_mbps": rng.choice([300, 500, 600, 800, 900, 1100, 1200, 2000, 3000, 4000]),
                 "tunnels": rng.choice([4, 8, 12, 20, 25, 40]), "bgp": rng.random() < 0.6, "nat": rng.random() < 0.4,
                 "zone_redundant": rng.random() < 0.7}
        best = smallest(needs)
        aggregate = min(s.throughput_mbps for n in best for s in _rows(n))
        flow = round(aggregate * rng.choice([0.3, 0.5, 0.7, 0.8, 0.9, 0.95]) / 10) * 10
        algorithm = rng.choice(ALGORITHMS + ("GCMAES256",))
        verdicts = set().union(*(one_tunnel_carries(n, algorithm, flow) for n in best))
        if len(verdicts) == 1:  # the same verdict whatever the generation of the smallest SKU
            return {"needs": needs, "new_deployment": True,
                    "flow": {"mbps": flow, "algorithm": algorithm, "tunnels": 1}}


def read_tunnel_plan(raw_answer: Any, givens: Mapping) -> dict:
    if still_open(raw_answer) or (isinstance(raw_answer, dict) and all(still_open(v) for v in raw_answer.values())):
        raise Unanswered("No answer yet: fill in `sku_plan`.")
    if not isinstance(raw_answer, dict) or set(raw_answer) != {"sku", "one_tunnel_carries_flow"}:
        raise AnswerError(f"`sku_plan` should be {{'sku': 'VpnGw…AZ', 'one_tunnel_carries_flow': True/False}}; got "
                          f"{raw_answer!r}.", value=raw_answer, rule="answer format")
    carries = raw_answer["one_tunnel_carries_flow"]
    if carries is not None and not isinstance(carries, bool):
        raise AnswerError(f"one_tunnel_carries_flow = {carries!r}: True or False.", value=carries, rule="answer format")
    rows = None if still_open(raw_answer["sku"]) else read_sku(raw_answer["sku"], givens)
    return {"rows": rows, "carries": carries}


def _sku_check(test):
    def check(answer: dict, givens: Mapping) -> str | None:
        return "No SKU yet." if answer["rows"] is None else test(answer["rows"], givens)
    return check


# BEGIN HIDDEN CHECKS
def smallest_fitting(rows: list, givens: Mapping) -> str | None:
    if sku_meets(rows, givens):
        return f"{rows[0].name} does not meet every need, so it is not the smallest SKU that does."
    return sku_smallest(rows, givens)
# END HIDDEN CHECKS


def tunnel_flow(answer: dict, givens: Mapping) -> str | None:
    said, rows = answer["carries"], answer["rows"]
    flow = givens["flow"]
    if said is None:
        return "Say whether one tunnel carries the flow (True or False)."
    name = rows[0].key if rows else smallest(givens["needs"])[0]
    aggregate = _rows(name)[0].throughput_mbps
    verdicts = one_tunnel_carries(name, flow["algorithm"], flow["mbps"])
    if said in verdicts:
        return None
    figures = ", ".join(f"{s.key}: {tunnel_mbps(s, flow['algorithm']).value:g} Mbps" for s in _rows(name))
    if said and flow["mbps"] <= aggregate:
        return (f"The aggregate benchmark ({aggregate} Mbps) is measured over many tunnels; one tunnel "
                f"with {flow['algorithm']} was measured at less ({figures}), below your {flow['mbps']} Mbps flow. A "
                "single tunnel can be much slower than the aggregate (About gateway SKUs).")
    return (f"One tunnel with {flow['algorithm']} on {name}: {figures} (the measured per-tunnel table, capped by the "
            f"aggregate); your flow is {flow['mbps']} Mbps.")


Q3 = Question(
    id="q3", title="A SKU for the needs, and one tunnel for the big flow", points=5, answer="sku_plan",
    setup=tunnel_setup, read=read_tunnel_plan,
    checks=(
        Check("The SKU can be created for a new gateway", _sku_check(sku_creatable),
              misconceptions=("sku-not-creatable",)),
        Check("The SKU meets every requirement", _sku_check(sku_meets), misconceptions=("sku-too-small",)),
        Check("One tunnel with your algorithm: does it carry the flow?", tunnel_flow, weight=2,
              misconceptions=("per-tunnel-throughput",)),
        # BEGIN HIDDEN CHECKS
        Check("It is the smallest SKU that does", _sku_check(smallest_fitting), visible=False,
              rule="Choose the smallest (cheapest) SKU that meets every requirement.",
              source=fact("vpn_gateway_skus", "current_skus").cite(), misconceptions=("sku-oversized",)),
        # END HIDDEN CHECKS
    ),
    hints=(
        "vnetlab.gateway.catalog() and requirements_met(sku, ...) say which SKUs meet the needs; new gateways can "
        "only be AZ SKUs (or Basic).",
        "The aggregate throughput is a benchmark over many tunnels. For one tunnel read the measured per-tunnel "
        "table for your algorithm: vnetlab.compare.tunnel_mbps(sku, algorithm).",
        "GCMAES256 is the fastest per tunnel; AES256+SHA256 and DES3+SHA256 are much slower on the larger SKUs.",
    ),
)


EXERCISE = ExerciseSpec(
    name="09-performance-and-cost", title="Performance and cost", lesson="../notebooks/09-performance-and-cost.ipynb",
    questions=(Q1, Q2, Q3),
)
