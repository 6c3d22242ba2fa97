"""Every learner-facing entry point, fed arbitrary and almost-right input (hypothesis): the result is the normal
return value or a :class:`vnetlab.errors.VnetlabError` with a message, never another exception.

Covered: the parsers, ``analyze_plan``, the model builders on ``Network`` (and ``add_subnet`` / ``add_nic`` on a
VNet and a subnet), ``Network.from_yaml``, ``load_scenario``, ``trace``, ``compare``, ``Requirements``/``recommend``,
``vnetlab.drills.generate`` and ``DrillQuestion.check``, the text fields and buttons of every explorer widget (the
error shows in the widget's ``errors`` box, never as an "Unexpected ..." bug message), and the ``vnetlab`` command
line (exit status 0, 1 or 2, no traceback). The number of inputs each entry point was given is printed at the end.
"""
from __future__ import annotations

import contextlib
import io
import os
import shutil
import string
import sys
import tempfile
from collections import Counter
from pathlib import Path

import ipywidgets as ipw
import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

import vnetlab as vl
from vnetlab import drills
from vnetlab.cli import main
from vnetlab.errors import VnetlabError

sys.path.insert(0, str(Path(__file__).parent))
from test_bad_input import texts, yaml_values  # noqa: E402  (the shared bad-text strategies)

COUNTS: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def report_counts(request):
    """After this module's tests: how many inputs each entry point was given, in the terminal report."""
    yield
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if not COUNTS or capture is None:
        return
    with capture.global_and_fixture_disabled():
        print("\ninputs tried per entry point (test_entry_points_hypothesis):")
        for entry, count in sorted(COUNTS.items()):
            print(f"  {entry:<36} {count}")
        print(f"  {'total':<36} {sum(COUNTS.values())}")
FAST = settings(max_examples=60, deadline=None)
QUICK = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])

values = st.one_of(texts, st.booleans(), st.floats(allow_nan=True, allow_infinity=True),
                   st.integers(-(2 ** 70), 2 ** 70), st.dictionaries(st.text(max_size=4), texts, max_size=2),
                   st.tuples(texts, texts))
almost_prefixes = st.sampled_from(["10.0.0.0/16", "10.1.0.0/24", "10.1.255.0/27", "0.0.0.0/0", "192.168.0.0/33",
                                   "10.0.0.5/24", "::/0", "172.16.0.0/12", "10.0.0.0/8, 10.1.0.0/16", " 10.2.0.0/16 "])
prefixes = st.one_of(texts, almost_prefixes)
strings = st.one_of(st.text(max_size=40), st.text(alphabet=string.digits + "./:,abcdef- \n", max_size=25),
                    almost_prefixes)  # what a text field can hold


def attempt(entry: str, fn, *args, **kwargs):
    """``fn(*args, **kwargs)``, counted under ``entry``; a VnetlabError must say something, anything else fails."""
    COUNTS[entry] += 1
    try:
        return fn(*args, **kwargs)
    except VnetlabError as exc:
        assert str(exc).strip(), f"{entry}: a VnetlabError with an empty message for {args!r} {kwargs!r}"
        return None


def names(*known: str):
    return st.one_of(st.sampled_from(known), texts)


def network() -> vl.Network:
    net = vl.load_scenario("two-gateways")
    net.add_route_table("rt")
    net.add_network_security_group("nsg")
    return net


# --- parsers and plans -----------------------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(values)
def test_parsers(value):
    attempt("parse_prefix", vl.parse_prefix, value)
    attempt("parse_address", vl.parse_address, value)
    attempt("subnet_info", vl.subnet_info, value)


@FAST
@given(st.one_of(st.lists(prefixes, max_size=6), values), st.one_of(prefixes, values, st.none()))
def test_analyze_plan(plan, space):
    attempt("analyze_plan", vl.analyze_plan, plan, space)


# --- model builders --------------------------------------------------------------------------------------------
@FAST
@given(names("v", "hub"), st.one_of(prefixes, st.lists(prefixes, max_size=3), values),
       names("westeurope", "eastus"), values, values)
def test_add_vnet(name, space, region, subscription, tenant):
    net = vl.Network()
    attempt("Network.add_vnet", net.add_vnet, name, space, region)
    attempt("Network.add_vnet", net.add_vnet, "w", "10.9.0.0/16", "westeurope", subscription, tenant)


@FAST
@given(names("app", "GatewaySubnet", "AzureBastionSubnet"), st.one_of(prefixes, values), names("vm1"),
       st.one_of(st.none(), prefixes, values), values)
def test_add_subnet_and_nic(subnet, prefix, nic, ip, forwarding):
    vnet = vl.Network().add_vnet("v", "10.1.0.0/16", region="westeurope")
    attempt("VirtualNetwork.add_subnet", vnet.add_subnet, subnet, prefix)
    target = vnet.add_subnet("fixed", "10.1.200.0/24")
    attempt("Subnet.add_nic", target.add_nic, nic, ip)
    attempt("Subnet.add_nic", target.add_nic, "vm2", None, ip_forwarding=forwarding)


@FAST
@given(names("vnet1", "vnet2"), names("vnet2", "vnet1"), values, values, st.one_of(names("vnet1", "vnet2"), values),
       st.one_of(names("vnet1", "vnet2"), values))
def test_peer(a, b, access, forwarded, transit, remote):
    attempt("Network.peer", network().peer, a, b, allow_virtual_network_access=access,
            allow_forwarded_traffic=forwarded, allow_gateway_transit=transit, use_remote_gateways=remote)


@FAST
@given(names("vnet1"), names("VpnGw1AZ", "Basic", "VpnGw5"), st.one_of(st.none(), values), values,
       st.one_of(st.none(), values), names("RouteBased", "PolicyBased"))
def test_add_vpn_gateway(vnet, sku, generation, active, asn, vpn_type):
    net = vl.Network()
    net.add_vnet("vnet1", "10.1.0.0/16", region="westeurope").add_subnet("GatewaySubnet", "10.1.255.0/27")
    attempt("Network.add_vpn_gateway", net.add_vpn_gateway, vnet, sku, generation=generation, active_active=active,
            bgp_asn=asn, vpn_type=vpn_type)


@FAST
@given(names("site"), names("198.51.100.1"), st.one_of(st.none(), st.lists(prefixes, max_size=3), values),
       st.one_of(st.none(), values), st.one_of(st.none(), values))
def test_add_local_network_gateway(name, ip, site_prefixes, asn, peer_ip):
    attempt("Network.add_local_network_gateway", network().add_local_network_gateway, name, ip, site_prefixes,
            bgp_asn=asn, bgp_peer_ip=peer_ip)


@FAST
@given(names("vnet1", "vnet2", "site"), names("vnet2", "site"), names("Vnet2Vnet", "IPsec"), values,
       st.one_of(st.none(), st.lists(texts, max_size=2), values), st.one_of(st.none(), values),
       st.one_of(st.none(), names("IKEv2", "IKEv1")))
def test_connect(a, b, kind, bgp, nat_rules, policy, protocol):
    net = network()
    net.add_local_network_gateway("site", "198.51.100.1", ["192.168.0.0/16"])
    attempt("Network.connect", net.connect, a, b, kind, enable_bgp=bgp, ingress_nat_rules=nat_rules,
            ipsec_policy=policy, connection_protocol=protocol)


@FAST
@given(names("vnet1"), names("r1"), names("EgressSnat", "IngressSnat"), prefixes, prefixes, names("Static", "Dynamic"),
       st.one_of(st.none(), values), st.one_of(st.none(), values))
def test_add_nat_rule(vnet, name, mode, internal, external, kind, internal_port, external_port):
    attempt("Network.add_nat_rule", network().add_nat_rule, vnet, name, mode=mode, internal=internal,
            external=external, type=kind, internal_port=internal_port, external_port=external_port)


@FAST
@given(names("nsg"), names("r1"), st.one_of(st.integers(-10, 5000), values), names("Inbound", "Outbound"),
       names("Allow", "Deny"), names("*", "Tcp", "Udp"), st.one_of(prefixes, values),
       st.one_of(st.sampled_from(["*", "443", "1000-2000", "70000"]), values), values, values)
def test_add_security_rule(nsg, name, priority, direction, access, protocol, source, source_ports, dest, dest_ports):
    attempt("Network.add_security_rule", network().add_security_rule, nsg, name, priority, direction, access,
            protocol, source, source_ports, dest, dest_ports)


@FAST
@given(names("rt"), names("r1"), prefixes, names("VirtualAppliance", "Internet", "None", "VnetLocal"),
       st.one_of(st.none(), prefixes, values))
def test_add_route(table, name, prefix, hop, hop_ip):
    attempt("Network.add_route", network().add_route, table, name, prefix, hop, hop_ip)


# --- scenarios ---------------------------------------------------------------------------------------------------
@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=80), st.text(alphabet=string.printable, max_size=80),
                 yaml_values.map(lambda v: yaml.safe_dump(v, default_flow_style=False))))
def test_from_yaml(text):
    attempt("Network.from_yaml", vl.Network.from_yaml, text)


@FAST
@given(st.one_of(values, st.sampled_from(vl.list_scenarios())))
def test_load_scenario(name):
    attempt("load_scenario", vl.load_scenario, name)


TRACE_NET = vl.load_scenario("two-gateways")


@FAST
@given(names("10.1.1.4", "10.2.1.4"), names("10.2.1.4", "8.8.8.8"), names("Tcp", "Udp", "Icmp", "*"),
       st.one_of(st.none(), st.integers(-5, 70000), values), st.one_of(st.none(), values))
def test_trace(src, dst, protocol, port, site):
    attempt("Network.trace", TRACE_NET.trace, src, dst, protocol, port, from_site=site)


# --- decisions ---------------------------------------------------------------------------------------------------
@FAST
@given(names("westeurope", "japanwest"), names("westeurope"), st.one_of(st.floats(allow_nan=True), values),
       st.one_of(st.floats(), values), names("VpnGw1AZ"), st.one_of(st.none(), values),
       st.one_of(st.none(), values), names("GCMAES256"), st.one_of(st.integers(-2, 40), values))
def test_compare(a, b, there, back, sku, distance, vm, algorithm, tunnels):
    attempt("compare", vl.compare, a, b, there, back, sku, distance, vm, algorithm, tunnels)


REQUIREMENT_FIELDS = [f.name for f in vl.Requirements.__dataclass_fields__.values()]


@FAST
@given(st.dictionaries(st.sampled_from(REQUIREMENT_FIELDS),
                       st.one_of(st.booleans(), st.integers(-3, 10 ** 6), st.floats(allow_nan=True), st.none(),
                                 texts), max_size=5))
def test_requirements(requirements):
    req = attempt("Requirements", vl.Requirements, **requirements)
    if req is not None:
        attempt("recommend", vl.recommend, req)


YES_NO = [f.name for f in vl.Requirements.__dataclass_fields__.values() if f.type == "bool"]
AMOUNTS = [name for name in REQUIREMENT_FIELDS if name not in YES_NO]


@FAST
@given(st.fixed_dictionaries({}, optional={**{name: st.booleans() for name in YES_NO},
                                           **{name: st.one_of(st.integers(0, 10 ** 7), st.floats(0, 1e9))
                                              for name in AMOUNTS}}))
def test_recommend(requirements):
    attempt("recommend", vl.recommend, vl.Requirements(**requirements))


@FAST
@given(st.one_of(st.sampled_from(drills.TOPICS), values), st.one_of(st.sampled_from(drills.LEVELS), values),
       st.one_of(st.integers(0, 10 ** 6), values))
def test_drill_generate(topic, level, seed):
    attempt("drills.generate", drills.generate, topic, level, seed)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(drills.TOPICS), st.sampled_from(drills.LEVELS), st.integers(0, 50),
       st.one_of(texts, st.sampled_from(["1", "2", "0", "VnetLocal", "10.0.0.0/24", "1e400", "nan", "-1"])))
def test_drill_check(topic, level, seed, response):
    question = drills.generate(topic, level, seed)
    result = attempt("DrillQuestion.check", question.check, response)
    assert result is not None or not isinstance(response, str), "check raised on a text response"


# --- widgets -----------------------------------------------------------------------------------------------------
def _widgets():
    from vnetlab import widgets as w

    return {
        "AddressPlanner": lambda: w.AddressPlanner(),
        "PeeringExplorer": lambda: w.PeeringExplorer(vl.load_scenario("hub-and-spoke")),
        "SkuExplorer": lambda: w.SkuExplorer(),
        "PropagationExplorer": lambda: w.PropagationExplorer(),
        "NextHopExplorer": lambda: w.NextHopExplorer(vl.load_scenario("hub-spoke-onprem")),
        "NatRuleBuilder": lambda: w.NatRuleBuilder(),
        "NsgRuleEditor": lambda: w.NsgRuleEditor(),
        "IkePolicyMatcher": lambda: w.IkePolicyMatcher(),
        "ComparisonExplorer": lambda: w.ComparisonExplorer(),
        "DesignAdvisor": lambda: w.DesignAdvisor(),
    }


WIDGETS = _widgets()
TEXTUAL = (ipw.Text, ipw.Textarea, ipw.Combobox)
NUMERIC = (ipw.IntText, ipw.BoundedIntText, ipw.FloatText, ipw.BoundedFloatText)


def controls(root) -> list:
    """Every widget under ``root`` that a learner can type into or press, in display order."""
    found, stack = [], [root]
    while stack:
        node = stack.pop(0)
        if isinstance(node, (*TEXTUAL, *NUMERIC, ipw.Button, ipw.Checkbox)):
            found.append(node)
        stack += list(getattr(node, "children", ()))
    return found


def press_and_check(name: str, explorer) -> None:
    for button in [c for c in controls(explorer.widget) if isinstance(c, ipw.Button)]:
        explorer.last_error = None
        button.click()
        assert explorer.last_error is None or isinstance(explorer.last_error, VnetlabError), \
            f"{name}, button {button.description!r}: {explorer.last_error!r}"
        assert explorer.last_error is None or "vnetlab-error" in explorer.errors.value, f"{name}: error not shown"
    assert "Unexpected" not in explorer.errors.value, f"{name}: {explorer.errors.value}"


typed_values = st.tuples(st.integers(0, 10 ** 6), strings, st.booleans(), st.integers(-(2 ** 40), 2 ** 40),
                         st.floats(allow_nan=True, allow_infinity=True))


def type_into(name: str, explorer, choice: tuple) -> None:
    """Put ``choice``'s value of the right type into one of the explorer's fields (picked by ``choice[0]``)."""
    fields = [c for c in controls(explorer.widget) if isinstance(c, (*TEXTUAL, *NUMERIC, ipw.Checkbox))]
    assert fields, f"{name} has no field to type into"
    index, text, flag, whole, real = choice
    field = fields[index % len(fields)]
    value = (text if isinstance(field, TEXTUAL) else flag if isinstance(field, ipw.Checkbox)
             else whole if isinstance(field, (ipw.IntText, ipw.BoundedIntText)) else real)
    explorer.last_error = None
    field.value = value
    assert explorer.last_error is None or isinstance(explorer.last_error, VnetlabError), \
        f"{name}, field {field.description or field.placeholder!r} = {value!r}: {explorer.last_error!r}"
    assert explorer.last_error is None or "vnetlab-error" in explorer.errors.value, f"{name}: error not shown"


@pytest.mark.parametrize("name", list(WIDGETS))
def test_widget_text_fields(name):
    """Type into the fields, press every button, then do it again: the explorer keeps working after an error."""
    @settings(max_examples=20, deadline=None)
    @given(st.lists(typed_values, min_size=1, max_size=3), st.lists(typed_values, min_size=1, max_size=2))
    def typed(first, then):
        explorer = WIDGETS[name]()
        for round_ in (first, then):
            for choice in round_:
                COUNTS[f"widget {name}"] += 1
                type_into(name, explorer, choice)
            press_and_check(name, explorer)

    typed()


# --- the command line --------------------------------------------------------------------------------------------
WORDS = ["generate", "grade", "drill", "--check", "--out", "--timeout", "--cell-timeout", "--jobs", "--memory-limit",
         "--no-progress", "--learner-from", "--kernel", "--topics", "--level", "--count", "--time-limit", "--review",
         "--seed", "--progress", "--export-csv", "--list-topics", "folder", "notebook", "file", "0", "-1", "3", "1.5",
         "nan", "inf", "peerability,nat-rule", "x.ipynb", "missing-dir", "nope",
         "import", "verify", "export", "--report", "--scenario", "--network", "--nic", "--format", "--from",
         "--resource-group", "az", "bicep", "arm", "hub-and-spoke", "x.json", "x.yaml"]
# no path separators and no "."/".." so that nothing outside the scratch folder is read, graded or written
safe_words = st.one_of(st.sampled_from(WORDS), st.text(max_size=12).filter(
    lambda t: not any(c in t for c in "/\\~\x00") and t.strip(".") != ""))


@QUICK
@given(st.one_of(st.lists(safe_words, max_size=6),
                 st.tuples(st.sampled_from(["generate", "grade", "drill", "import", "verify", "export"]),
                           st.lists(safe_words, max_size=5))
                 .map(lambda t: [t[0], *t[1]])),
       st.text(alphabet=string.printable, max_size=60))
def test_cli(capsys, argv, stdin):
    scratch = tempfile.mkdtemp(prefix="vnetlab-cli-")
    COUNTS["cli"] += 1
    capsys.readouterr()
    saved_stdin, saved_env = sys.stdin, os.environ.get("VNETLAB_PROGRESS")
    os.environ["VNETLAB_PROGRESS"] = os.path.join(scratch, "progress.json")
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.chdir(scratch):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
                code = exc.code
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        sys.stdin = saved_stdin
        if saved_env is None:
            os.environ.pop("VNETLAB_PROGRESS", None)
        else:
            os.environ["VNETLAB_PROGRESS"] = saved_env
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), (argv, code, err[-500:])
    assert "Traceback" not in out + err, (argv, err[-800:])
    if code == 2:
        assert err.strip(), (argv, "exit status 2 without a message")
