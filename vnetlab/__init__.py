"""vnetlab: a small, faithful simulator of Azure VNet connectivity, for an interactive course.

>>> import vnetlab as vl
>>> net = vl.load_scenario("hub-and-spoke")
>>> net.trace("10.1.1.4", "10.2.1.4").verdict
'Dropped'
"""
from .addressing import (analyze_plan, find_overlaps, next_free_subnet, parse_address, parse_prefix, range_advice,
                         smallest_prefix_for, subnet_info)
from .errors import *  # noqa: F401,F403  (the error hierarchy is public API)
from .display import Text
from .errors import VnetlabError
from .claims import claims
from .compare import Comparison, compare
from .design import Recommendation, Requirements, recommend
from .encryption import EncryptionReport
from .gateway import Sku, SkuCatalog, skus
from .ipsec import IpsecPolicy, Negotiation
from .nat import NatRule
from .network import Network
from .peering import PeeringLink, PeeringSettings
from .routes import EffectiveRoutes, Route, RouteList
from .scenario import list_scenarios, load_scenario
from .nsg import FlowVerdict, NetworkSecurityGroup
from .trace import Reachability, Trace, TraceList

__version__ = "0.1.0"


def __getattr__(name: str):
    """``vl.predict`` and ``vl.progress_map`` load ipywidgets/plotly only when a lesson first uses them."""
    if name == "predict":
        from .widgets.predict import predict
        return predict
    if name == "progress_map":
        from .learning.progress_map import progress
        return progress
    raise AttributeError(f"module 'vnetlab' has no attribute {name!r}")

__all__ = [
    "Comparison", "EffectiveRoutes", "EncryptionReport", "Recommendation", "Requirements", "claims", "compare",
    "recommend", "FlowVerdict", "IpsecPolicy", "NatRule", "Negotiation",
    "NetworkSecurityGroup", "Network", "analyze_plan", "PeeringLink", "PeeringSettings", "Reachability", "Route", "RouteList", "Text", "Trace", "TraceList", "VnetlabError",
    "find_overlaps", "list_scenarios", "load_scenario", "next_free_subnet", "parse_address", "parse_prefix",
    "range_advice", "smallest_prefix_for", "subnet_info", "Sku", "SkuCatalog", "skus",
]
