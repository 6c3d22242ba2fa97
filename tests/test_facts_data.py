"""Facts live as data with a source and a date; the values match azure-facts.md."""
from importlib import resources

import pytest
import yaml

from vnetlab.facts import fact

# misconceptions.yaml is the course's vocabulary, not a fact book: each rule names the fact that backs it (checked in
# test_misconceptions.py)
NOT_FACT_BOOKS = {"misconceptions"}
BOOKS = sorted(p.name[:-5] for p in resources.files("vnetlab").joinpath("data").iterdir()
               if p.name.endswith(".yaml") and p.name[:-5] not in NOT_FACT_BOOKS)


@pytest.mark.parametrize("book", BOOKS)
def test_every_fact_has_a_source_and_a_date(book):
    data = yaml.safe_load(resources.files("vnetlab").joinpath("data", f"{book}.yaml").read_text())
    for key, entry in data.items():
        assert entry.get("as_of"), f"{book}.{key} has no as_of"
        if entry.get("assumption") is True:  # a model's stated assumption: marked as such and explained, never a URL
            assert "assumption" in entry.get("source", "") and entry.get("note"), f"{book}.{key}: unexplained assumption"
            continue
        assert entry.get("source", "").startswith("https://"), f"{book}.{key} has no source"


def test_values_match_the_fact_sheet():
    # azure-facts.md §9, §6.2, §6.5, §7.1
    assert fact("addressing", "reserved_addresses_per_subnet").value == 5
    assert fact("addressing", "smallest_subnet_prefix").value == 29
    assert fact("addressing", "largest_subnet_prefix").value == 2
    assert {e["prefix"] for e in fact("addressing", "not_allowed_ranges").value} == {
        "224.0.0.0/4", "255.255.255.255/32", "127.0.0.0/8", "169.254.0.0/16", "168.63.129.16/32"}
    assert fact("peering", "peerings_per_vnet").value == 500
    assert {(e["prefix"], e["next_hop_type"]) for e in fact("routing", "default_system_routes").value} == {
        ("VNET_ADDRESS_SPACE", "VnetLocal"), ("0.0.0.0/0", "Internet"), ("10.0.0.0/8", "None"),
        ("172.16.0.0/12", "None"), ("192.168.0.0/16", "None"), ("100.64.0.0/10", "None")}
