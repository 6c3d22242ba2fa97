"""No learner input makes anything but a VnetlabError (hypothesis)."""
import string

from hypothesis import given, settings, strategies as st

import vnetlab as vl
from vnetlab import addressing

texts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=string.digits + "./:abcdef- ", max_size=25),
    st.builds(lambda a, b, c, d, n: f"{a}.{b}.{c}.{d}/{n}", *[st.integers(-5, 300)] * 4, st.integers(-3, 40)),
    st.integers(), st.none(), st.lists(st.text(max_size=5), max_size=3), st.floats(),
)


def only_vnetlab_errors(fn, *args):
    try:
        fn(*args)
    except vl.VnetlabError:
        pass


@settings(max_examples=400, deadline=None)
@given(texts)
def test_parsers(value):
    only_vnetlab_errors(vl.parse_prefix, value)
    only_vnetlab_errors(vl.parse_address, value)
    only_vnetlab_errors(vl.subnet_info, value)
    only_vnetlab_errors(addressing.check_vnet_range, value)


@settings(max_examples=200, deadline=None)
@given(st.lists(texts, max_size=6), texts)
def test_plan_and_model_builders(prefixes, space):
    only_vnetlab_errors(lambda: vl.analyze_plan([p for p in prefixes], space if isinstance(space, str) else None))
    net = vl.Network()
    only_vnetlab_errors(lambda: net.add_vnet("v", prefixes or space, region="eastus"))
    v = net.vnets.get("v")
    if v is not None:
        for p in prefixes:
            only_vnetlab_errors(v.add_subnet, "s", p)
            only_vnetlab_errors(v.next_free_subnet, space)


yaml_values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12)),
                           lambda children: st.one_of(st.lists(children, max_size=3),
                                                      st.dictionaries(st.sampled_from(
                                                          ["name", "vnets", "peerings", "address_space", "region",
                                                           "subnets", "prefix", "nics", "ip", "vnet", "remote", "peer",
                                                           "allow_virtual_network_access"]), children, max_size=4)),
                           max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(yaml_values)
def test_scenarios(data):
    only_vnetlab_errors(vl.Network.from_dict, data)


@settings(max_examples=200, deadline=None)
@given(texts, texts, texts, texts)
def test_trace_arguments(src, dst, protocol, port):
    net = vl.load_scenario("hub-and-spoke")
    only_vnetlab_errors(net.trace, src, dst, protocol, port)
    only_vnetlab_errors(net.trace, "10.1.1.4", dst, "Tcp", port)
