"""x"""
def connection_troubleshoot(): pass
effective_routes=effective_security_rules=ip_flow_verify=next_hop=peering_status=vpn_troubleshoot=connection_troubleshoot
