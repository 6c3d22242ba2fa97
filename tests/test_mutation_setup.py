"""`make mutation`'s set-up (tests/mutation/run.py, pyproject's [tool.mutmut]) without running mutmut: the
reviewed equivalents are well formed and cannot go stale silently, and mutmut sees only fast engine tests."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
SPEC = importlib.util.spec_from_file_location("mutation_run", ROOT / "tests" / "mutation" / "run.py")
run = importlib.util.module_from_spec(SPEC)
sys.modules[SPEC.name] = run  # dataclasses look their module up while the file runs
SPEC.loader.exec_module(run)

CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]


def test_every_reviewed_equivalent_names_a_module_a_change_and_a_reason():
    for e in run.load_equivalents():
        assert e.module in run.GOALS and e.function and e.reason.strip()
        assert e.was != e.now, f"{e.module} {e.function}: was and now are the same"


def test_mutmut_mutates_exactly_the_engine_modules_of_the_goals():
    assert sorted(Path(p).stem for p in CONFIG["only_mutate"]) == sorted(run.GOALS)
    assert all((ROOT / p).is_file() for p in CONFIG["only_mutate"])


def test_mutmut_runs_only_fast_engine_tests():
    selected = CONFIG["pytest_add_cli_args_test_selection"]
    assert len(selected) == len(set(selected)) and all((ROOT / t).is_file() for t in selected)
    for test_file in selected:
        text = (ROOT / test_file).read_text()
        for heavy in ("nbclient", "playwright", "browser_util", "jupyter_client", "subprocess"):
            assert heavy not in text, f"{test_file} uses {heavy}: not a fast engine test"


def test_a_mutant_name_gives_its_function():
    assert run.function_of("vnetlab.nat.x_resolve__mutmut_12") == "resolve"
    assert run.function_of("vnetlab.nat.xǁNatRuleǁdescribe__mutmut_3") == "NatRule.describe"


DIFF = """--- vnetlab/nat.py
+++ vnetlab/nat.py
@@ -1,3 +1,3 @@
 def describe(self) -> str:
-    ports = f" port {self.internal_port}"   if self.internal_port else ""
+    ports = f"XX port {self.internal_port}XX" if self.internal_port else ""
     return ports"""


def test_an_equivalent_matches_by_function_and_change_whatever_the_spacing():
    m = run.mutation_from_diff("NatRule.describe", DIFF)
    assert m.was == 'ports = f" port {self.internal_port}" if self.internal_port else ""'
    assert m.now == 'ports = f"XX port {self.internal_port}XX" if self.internal_port else ""'
    e = run.Equivalent("nat", "NatRule.describe", "ports  =  " + m.was[8:], m.now, "text only")
    assert e.matches("nat", m) and not e.matches("addressing", m)
    assert not run.Equivalent("nat", "describe", m.was, m.now, "x").matches("nat", m)


def test_a_stale_or_killed_equivalent_is_reported():
    gone = run.Equivalent("nat", "resolve", "a", "b", "was equivalent once")
    killed = run.Equivalent("nat", "resolve", "c", "d", "wrongly listed", matched=["vnetlab.nat.x_resolve__mutmut_1 (killed)"])
    fine = run.Equivalent("nat", "resolve", "e", "f", "ok", matched=["vnetlab.nat.x_resolve__mutmut_2 (survived)"])
    other = run.Equivalent("nsg", "evaluate", "g", "h", "not scored in this run")
    problems = run.stale([gone, killed, fine, other], ["nat"])
    assert len(problems) == 2
    assert problems[0].startswith("matches no mutant") and "'a' -> 'b'" in problems[0]
    assert problems[1].startswith("listed as equivalent but killed") and "mutmut_1" in problems[1]


def test_an_entry_without_a_reason_is_refused(tmp_path):
    bad = tmp_path / "equivalents.yaml"
    bad.write_text("- {module: nat, function: resolve, was: a, now: b, reason: ''}\n")
    with pytest.raises(SystemExit, match="entry 1"):
        run.load_equivalents(bad)


def test_a_data_file_changed_since_the_last_run_is_copied_again(tmp_path):
    # mutmut keeps its first copy of non-Python files: an edited fact table would be read stale by every mutant
    (tmp_path / "vnetlab" / "data").mkdir(parents=True)
    (tmp_path / "mutants" / "vnetlab" / "data").mkdir(parents=True)
    (tmp_path / "vnetlab" / "data" / "routing.yaml").write_text("new: 1\n")
    (tmp_path / "vnetlab" / "data" / "same.yaml").write_text("same: 1\n")
    (tmp_path / "vnetlab" / "engine.py").write_text("x = 1\n")
    (tmp_path / "mutants" / "vnetlab" / "data" / "routing.yaml").write_text("old: 1\n")
    import shutil
    shutil.copy2(tmp_path / "vnetlab" / "data" / "same.yaml", tmp_path / "mutants" / "vnetlab" / "data" / "same.yaml")
    assert run.refresh_copies(tmp_path) == [Path("vnetlab/data/routing.yaml")]
    assert (tmp_path / "mutants" / "vnetlab" / "data" / "routing.yaml").read_text() == "new: 1\n"
    assert not (tmp_path / "mutants" / "vnetlab" / "engine.py").exists()  # Python modules: mutmut's own business
