"""Feedback, hints and drill explanations cite the public page with its date, never the course's fact sheet.

The fact sheet and its numbering ("§3.1", "(S3)", "S1 variant B", "azure-facts") are the developers' map; a learner
has Microsoft's documents. This scans the string literals (docstrings are developer text) of the question modules
and the drills.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "vnetlab"
FACT_SHEET = re.compile(r"(?i:azure-facts|fact[- ]sheet)|§\s?\d|\(S\d+[a-z]?\b|\bS\d+[a-z]?\s+variant|\bfacts?\s+S\d")
LEARN = re.compile(r"https://learn\.microsoft\.com/[^\s,;)]+")
DATED = re.compile(r"https://learn\.microsoft\.com/[^\s,;)]+,? \(?(\d{4}-\d{2}-\d{2}|undated)")
FILES = sorted((PKG / "grading").glob("questions_*.py")) + sorted((PKG / "drills").glob("*.py"))


def strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_learner_text_cites_the_public_page_with_its_date(path):
    refs = [f"line {n}: {s[max(0, m.start() - 30):m.end() + 20]!r}" for n, s in strings(path)
            for m in FACT_SHEET.finditer(s)]
    assert not refs, refs
    undated = [f"line {n}: {m.group(0)}" for n, s in strings(path) for m in LEARN.finditer(s)
               if not DATED.match(s, m.start())]
    assert not undated, undated   # every page named in a message comes with its date


def test_the_scan_recognises_each_kind_of_reference():
    assert all(FACT_SHEET.search(s) for s in ("(S11b)", "§3.1", "azure-facts §1.4", "S1 variant B", "(facts S7)"))
    assert not any(FACT_SHEET.search(s) for s in ("S2S and P2S", "Site-to-Site (S2S)", "VpnGw2AZ", "(2024-10-16)"))
