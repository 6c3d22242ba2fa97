"""The lessons quote Azure facts as the fact sheet and the facts data state them.

A learner trusts a lesson's tables and links. These tests tie the lesson text to the vetted sources:
every Microsoft Learn link a lesson cites is one the fact sheet (``../shared/azure-facts.md``) cites, and the
numbers and defaults the lessons print in prose match ``vnetlab/data/*.yaml`` (which ``test_facts_data.py``
checks against the fact sheet).
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from vnetlab.facts import fact, raw

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
FACT_SHEET = ROOT.parent / "shared" / "azure-facts.md"
MS_LINK = re.compile(r"https://learn\.microsoft\.com[^\s)\]]*")


def markdown(name: str) -> str:
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def links(text: str) -> set[str]:
    return {u.rstrip(".,") for u in MS_LINK.findall(text)}


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_microsoft_link_in_a_lesson_is_cited_by_the_fact_sheet(path: Path) -> None:
    if not FACT_SHEET.is_file():
        pytest.skip(f"fact sheet not found at {FACT_SHEET}")
    uncited = sorted(links(markdown(path.stem)) - links(FACT_SHEET.read_text(encoding="utf-8")))
    assert not uncited, f"{path.name} cites Microsoft pages the fact sheet does not: {uncited}"


def test_lesson_01_lists_every_refused_and_every_recommended_range() -> None:
    text = markdown("01-address-spaces")
    for book_key in ("not_allowed_ranges", "recommended_ranges"):
        for entry in fact("addressing", book_key).value:
            assert f"`{entry['prefix']}`" in text, f"lesson 01 does not list {entry['prefix']} ({book_key})"


def test_lesson_01_quotes_azure_subnet_numbers() -> None:
    text = markdown("01-address-spaces")
    reserved = fact("addressing", "reserved_addresses_per_subnet").value
    smallest = fact("addressing", "smallest_subnet_prefix").value
    largest = fact("addressing", "largest_subnet_prefix").value
    gateway = raw("addressing", "gateway_subnet")
    assert f"**{reserved} addresses in every subnet**" in text
    assert f"**/{smallest}**" in text and f"**/{largest}**" in text
    assert f"**/{gateway['recommended_prefix']} or larger**" in text and f"**`{gateway['name']}`**" in text


def test_lesson_02_settings_table_shows_azure_defaults() -> None:
    text = markdown("02-vnet-peering")
    rows = dict(re.findall(r"^\| `(\w+)` \| \**(on|off)\** \|", text, flags=re.M))
    expected = {name: "on" if entry["default"] else "off" for name, entry in fact("peering", "settings").value.items()}
    assert rows == expected


def test_lesson_02_quotes_the_peering_limit() -> None:
    assert f"at most {fact('peering', 'peerings_per_vnet').value} peerings per VNet" in markdown("02-vnet-peering")
