"""Troubleshooting (module 5): a catalogue of realistic faults and Network Watcher-style diagnosis tools.

* :mod:`.catalogue` -- the faults as data (``vnetlab/data/faults.yaml``): symptom, documented cause, repair, source.
* :mod:`.bases` -- the working networks faults are injected into (hub, spokes, an appliance, a branch).
* :mod:`.faults` -- inject a fault (or two) into a network, evaluate its symptom with the engine, apply the repair.
* :mod:`.tools` -- next hop, IP flow verify, effective routes and security rules, connection troubleshoot and
  VPN troubleshoot, each shaped after the Azure tool it mirrors and citing it.
"""
from .catalogue import Fault, catalogue, fault
from .bases import base_network
from .faults import Incident, Probe, inject, inject_many, repair, symptoms
from .tools import (connection_troubleshoot, effective_routes, effective_security_rules, ip_flow_verify, next_hop,
                    peering_status, vpn_troubleshoot)

__all__ = ["Fault", "catalogue", "fault", "base_network", "Incident", "Probe", "inject", "inject_many", "repair",
           "symptoms", "connection_troubleshoot", "effective_routes", "effective_security_rules", "ip_flow_verify",
           "next_hop", "peering_status", "vpn_troubleshoot"]
