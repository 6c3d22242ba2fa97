"""Mutation testing of the engine (``make mutation``): how many rule changes would the tests notice?

For each engine module named on the command line (default: all of ``MODULES``), one at a time, this runs mutmut
(configured in ``pyproject.toml``: the module's mutants against the fast engine tests only, no notebooks,
kernels or browser), reads mutmut's verdicts from ``mutants/vnetlab/<module>.py.meta``, sets aside the mutants
reviewed as equivalent in ``tests/mutation/equivalents.yaml`` (each with a one-line reason), and prints killed /
survived / score per module against the issue's goals. Survivors that are not on the list are written, with their
diffs, to ``mutants/survivors-<module>.txt`` for review.

An equivalent is identified by what the mutation does, not by mutmut's number (which shifts whenever the module
changes): the function (``Class.method`` or ``function``) and the changed line before and after, whitespace
squeezed. So that the list cannot go stale silently, an entry that matches no mutant of its module, or that
matches a mutant the tests killed, is reported and makes the run fail (exit status 1).

    .venv/bin/python tests/mutation/run.py [nat addressing ...] [--max-children N] [--report-only | --survivors-only]

``--report-only`` reads the results of the last run without running mutmut again; ``--survivors-only`` runs
again only the mutants the last run left alive (quick, after adding tests). Mutation runs are slow (minutes per
module on 2 cores), so ``make test`` does not run them.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
EQUIVALENTS = Path(__file__).resolve().with_name("equivalents.yaml")
# module -> the score it should reach (the goals: 90 % for the rule engines, 80 % for the rest).
GOALS = {"routes": 90, "nat": 90, "addressing": 90, "nsg": 90, "ipsec": 90,
         "trace": 80, "connection": 80, "gateway": 80, "peering": 80}
MODULES = tuple(GOALS)
KILLED = {"killed", "timeout", "caught by type check"}


def _squeeze(line: str) -> str:
    return re.sub(r"\s+", " ", line).strip()


@dataclass(frozen=True)
class Mutation:
    """What a mutant changes: the function and the changed lines, before and after."""

    function: str
    was: str
    now: str


@dataclass
class Equivalent:
    module: str
    function: str
    was: str
    now: str
    reason: str
    matched: list[str] = field(default_factory=list)

    def matches(self, module: str, m: Mutation) -> bool:
        return (self.module, self.function, _squeeze(self.was), _squeeze(self.now)) == (module, m.function, m.was, m.now)


def load_equivalents(path: Path = EQUIVALENTS) -> list[Equivalent]:
    entries = yaml.safe_load(path.read_text()) or []
    out = []
    for i, e in enumerate(entries):
        missing = {"module", "function", "was", "now", "reason"} - set(e)
        if missing or not str(e.get("reason", "")).strip():
            raise SystemExit(f"{path.name} entry {i + 1}: needs module, function, was, now and a reason "
                             f"(missing: {', '.join(sorted(missing)) or 'reason'})")
        out.append(Equivalent(e["module"], e["function"], str(e["was"]), str(e["now"]), e["reason"]))
    return out


def mutation_from_diff(function: str, diff: str) -> Mutation:
    """The changed lines of a unified diff (mutmut's ``show``), squeezed, several lines joined by `` / ``."""
    lines = diff.splitlines()
    was = [_squeeze(x[1:]) for x in lines if x.startswith("-") and not x.startswith("---")]
    now = [_squeeze(x[1:]) for x in lines if x.startswith("+") and not x.startswith("+++")]
    return Mutation(function, " / ".join(was), " / ".join(now))


def function_of(mutant: str) -> str:
    """``vnetlab.nat.xǁNatRuleǁdescribe__mutmut_3`` -> ``NatRule.describe``; ``vnetlab.nat.x_resolve__mutmut_1``
    -> ``resolve``."""
    name = mutant.partition("__mutmut_")[0].rpartition(".")[2]
    if "ǁ" in name:
        _, cls, meth = name.split("ǁ")
        return f"{cls}.{meth}"
    return name[2:] if name.startswith("x_") else name


def refresh_copies(root: Path = ROOT) -> list[Path]:
    """mutmut copies the package into ``mutants/`` once and then keeps whatever is there, except the Python modules
    (copied again, or mutated again, at every run): a data file (``data/routing.yaml``) edited since the first run
    would be read stale. Copy those again when they changed. Returns what was copied."""
    import shutil

    copied = []
    for src in (root / "vnetlab").rglob("*"):
        rel = src.relative_to(root)
        if not src.is_file() or "__pycache__" in rel.parts or src.suffix == ".py":
            continue
        dst = root / "mutants" / rel
        if not dst.parent.exists():  # no earlier run: mutmut copies everything itself
            continue
        if not dst.exists() or (dst.stat().st_mtime, dst.stat().st_size) != (src.stat().st_mtime, src.stat().st_size):
            shutil.copy2(src, dst)
            copied.append(rel)
    return copied


def run_mutmut(module: str, max_children: int, names: list[str] | None = None) -> int:
    """mutmut on one module's mutants (its names start with ``vnetlab.<module>.``), or on ``names`` only."""
    refresh_copies()
    cmd = [str(Path(sys.executable).with_name("mutmut")), "run", "--max-children", str(max_children),
           *(names or [f"vnetlab.{module}.*"])]
    log = ROOT / "mutants" / f"mutmut-{module}.log"
    log.parent.mkdir(exist_ok=True)
    print(f"mutmut: {module} (log: {log.relative_to(ROOT)})", flush=True)
    with log.open("w") as out:
        return subprocess.call(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)


def verdicts(module: str) -> dict[str, str]:
    from mutmut.stats import status_by_exit_code

    meta = ROOT / "mutants" / "vnetlab" / f"{module}.py.meta"
    if not meta.exists():
        raise SystemExit(f"no mutmut results for {module} ({meta.relative_to(ROOT)}): run without --report-only")
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    return {name: status_by_exit_code[code] for name, code in codes.items()}


def diff_of(mutant: str, module: str) -> str:
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    return get_diff_for_mutant(mutant, path=Path("vnetlab") / f"{module}.py")


@dataclass
class Score:
    module: str
    total: int
    killed: int
    survived: list[tuple[str, Mutation, str]]
    equivalent: int
    other: dict[str, int]

    @property
    def counted(self) -> int:
        return self.total - self.equivalent

    @property
    def percent(self) -> float:
        return 100.0 * self.killed / self.counted if self.counted else 100.0


def score(module: str, equivalents: list[Equivalent]) -> Score:
    status = verdicts(module)
    killed, survived, equivalent, other = 0, [], 0, {}
    for name, verdict in sorted(status.items()):
        diff = diff_of(name, module)
        m = mutation_from_diff(function_of(name), diff)
        hit = [e for e in equivalents if e.matches(module, m)]
        for e in hit:
            e.matched.append(f"{name} ({verdict})")
        if verdict in KILLED:
            killed += 1
        elif hit:
            equivalent += 1
        elif verdict in ("survived", "no tests"):
            survived.append((name, m, diff))
        else:
            other[verdict] = other.get(verdict, 0) + 1
            survived.append((name, m, diff))
    return Score(module, len(status), killed, survived, equivalent, other)


def stale(equivalents: list[Equivalent], modules: list[str]) -> list[str]:
    """Entries for the modules just scored that match no mutant, or match one the tests killed."""
    out = []
    for e in equivalents:
        if e.module not in modules:
            continue
        where = f"{e.module} {e.function}: {e.was!r} -> {e.now!r}"
        if not e.matched:
            out.append(f"matches no mutant (the code changed?): {where}")
        killed = [m for m in e.matched if m.rpartition("(")[2].rstrip(")") in KILLED]
        if killed:
            out.append(f"listed as equivalent but killed by the tests ({', '.join(killed)}): {where}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("modules", nargs="*", metavar="MODULE",
                    help=f"engine modules to mutate (default: all of {', '.join(MODULES)})")
    ap.add_argument("--max-children", type=int, default=1, help="parallel mutant runs (default 1)")
    ap.add_argument("--report-only", action="store_true", help="score the last run's results, do not run mutmut")
    ap.add_argument("--survivors-only", action="store_true",
                    help="run again only the mutants the last run did not kill (after adding tests, not after changing "
                         "the module: its mutants are then renumbered)")
    args = ap.parse_args(argv)
    modules = list(args.modules) or list(MODULES)
    unknown = [m for m in modules if m not in GOALS]
    if unknown:
        ap.error(f"not an engine module: {', '.join(unknown)} (choose from {', '.join(MODULES)})")
    os.chdir(ROOT)  # mutmut reads pyproject.toml and mutants/ from the current folder
    equivalents = load_equivalents()
    scores = []
    for module in modules:
        names = None
        if args.survivors_only:
            names = [n for n, v in verdicts(module).items() if v not in KILLED]
        if not args.report_only and (names is None or names) and run_mutmut(module, args.max_children, names) != 0:
            print(f"mutmut failed on {module}: see mutants/mutmut-{module}.log", file=sys.stderr)
            return 2
        s = score(module, equivalents)
        scores.append(s)
        report = ROOT / "mutants" / f"survivors-{module}.txt"
        report.write_text("".join(f"# {name}: {m.function}\n{diff}\n\n" for name, m, diff in s.survived))
    print()
    print(f"{'module':<12}{'mutants':>9}{'equivalent':>12}{'killed':>9}{'survived':>10}{'score':>9}{'goal':>7}")
    for s in scores:
        goal = GOALS[s.module]
        flag = "" if s.percent >= goal else "  below goal"
        extra = "".join(f"  ({n} {k})" for k, n in sorted(s.other.items()))
        print(f"{s.module:<12}{s.total:>9}{s.equivalent:>12}{s.killed:>9}{len(s.survived):>10}"
              f"{s.percent:>8.1f}%{goal:>6}%{flag}{extra}")
    print("\nscore = killed / (mutants - equivalent); survivors with diffs: mutants/survivors-<module>.txt")
    problems = stale(equivalents, modules)
    for p in problems:
        print(f"equivalents.yaml: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
