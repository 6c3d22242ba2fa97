"""docs/fidelity.md maps every rule section (§1-§10) of the fact sheet to the engine functions that implement it and
the tests that check it, or says what is not modelled, why, and where the learner reads it.

The fact sheet lives beside the clone (``../shared/azure-facts.md``, as in CI); without it these tests fail with
that reason rather than pass.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from vnetlab import fidelity

ROOT = fidelity.ROOT


@pytest.fixture(scope="module")
def rows():
    if not fidelity.FACTS.is_file():
        pytest.fail(f"The fact sheet is missing at {fidelity.FACTS}: the fidelity table is checked against its rule "
                    "sections, so this test cannot pass without it (clone the repository beside ../shared).")
    return fidelity.sections(fidelity.FACTS.read_text(encoding="utf-8"))


def test_the_rule_sections_are_read_from_the_fact_sheet(rows):
    numbers = [r.number for r in rows]
    assert {n.split(".")[0] for n in numbers} == {str(i) for i in range(1, 11)}  # §1-§10, nothing else
    assert "9" in numbers and "1.1" in numbers and "1" not in numbers  # subsections stand for their section
    assert all(r.title and r.source.startswith("https://") for r in rows)


def test_every_section_is_implemented_and_tested_or_explained(rows):
    assert fidelity.problems(rows, fidelity.load_map()) == []


def test_every_named_test_exists():
    ids = fidelity.test_ids(fidelity.load_map())
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *ids],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"some tests named in docs/fidelity.yaml cannot be collected:\n{done.stdout[-3000:]}"


def test_docs_fidelity_md_is_up_to_date(rows):
    expected = fidelity.render(rows, fidelity.load_map())
    assert fidelity.TABLE.read_text(encoding="utf-8") == expected, (
        "docs/fidelity.md is out of date: run `.venv/bin/python -m vnetlab.fidelity`")


def test_the_check_fails_a_section_with_neither_and_a_gap_the_learner_cannot_read(rows):
    mapping = fidelity.load_map()
    broken = {**mapping, "3.5": {}, "1.1": {**mapping["1.1"], "engine": ["vnetlab.gateway.no_such_function"]},
              "6.1": {**mapping["6.1"], "learner_sees": {"file": "notebooks/02-vnet-peering.ipynb", "text": "not there"}},
              "11.1": {"not_modelled": "x"}}
    found = "\n".join(fidelity.problems(rows, broken))
    assert "§3.5 has neither" in found and "no_such_function" in found and "does not say 'not there'" in found
    assert "11.1 in fidelity.yaml is not a rule section" in found
    assert "MISSING" in fidelity.render(rows, broken)
