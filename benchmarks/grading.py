"""(h) Batch grading: ``vnetlab grade`` on 100 submissions, goal <= 5 minutes on 2 cores.

The batch is a realistic mix over every graded exercise: worked solutions, untouched exercises, partial answers
(one question left as shipped; the others as in the solution) and a few faults (not JSON, empty, a cell that raises, a kernel that exits, a
cell that loops until the cell time limit, a cell that allocates until the memory limit). It is graded with one
kernel per core, each in its bubblewrap sandbox (the default; unsandboxed where bubblewrap cannot run, and
said); then a sample of 10 (every tenth submission) is graded sequentially (``jobs=1``) and with one kernel per
core, for the per-submission time and the speed-up, and sequentially without a sandbox, for the sandbox's cost
per submission, all in the same run. Figures only, no asserts.

Run alone: ``.venv/bin/python benchmarks/grading.py [N]``.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vnetlab.grading import EXERCISES  # noqa: E402
from vnetlab.grading.grader import Options, grade  # noqa: E402
from vnetlab.grading.sandbox import bwrap_launch, bwrap_problem, grader_env  # noqa: E402

GOAL_S = 300.0
SUBMISSIONS = 100
SAMPLE_EVERY = 10
STARTS = 20
TIMEOUT, CELL_TIMEOUT = 120.0, 10.0
FAULTS = {3: "notjson", 14: "empty", 25: "raiser", 36: "exit", 47: "loop", 58: "memory", 69: "notjson",
          80: "raiser", 91: "exit", 99: "empty"}
FAULT_CODE = {"raiser": "1 / 0", "exit": "import os\nos._exit(1)", "loop": "while True:\n    pass",
              "memory": "hog = []\nwhile True:\n    hog.append(bytearray(10**8))"}


def _cells(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    return {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}


def submission(index: int) -> tuple[str, str, str | None]:
    """(exercise, kind, notebook JSON or None for a file that is not one) of submission ``index``."""
    name = list(EXERCISES)[index % len(EXERCISES)]
    kind = FAULTS.get(index) or ("solution", "solution", "partial", "partial", "fresh")[index % 5]
    if kind in ("notjson", "empty"):
        return name, kind, None
    nb = nbformat.read(ROOT / "exercises" / f"{name}.ipynb", as_version=4)
    cells = _cells(nb)
    if kind != "fresh":  # the learner's cells written as in the solution; a partial one leaves q1 as shipped
        worked = _cells(nbformat.read(ROOT / "solutions" / f"{name}.ipynb", as_version=4))
        for grade_id, cell in cells.items():
            if cell.metadata.get("nbgrader", {}).get("solution") and not (kind == "partial" and grade_id == "q1-answer"):
                cell.source = worked[grade_id].source
    cells["learner"].source = f'LEARNER = "learner{index:03d}"'
    if kind in FAULT_CODE:
        nb.cells.insert(nb.cells.index(cells["q1-check"]) + 1, nbformat.v4.new_code_cell(FAULT_CODE[kind]))
    return name, kind, nbformat.writes(nb)


def build(folder: Path, count: int) -> list[Path]:
    paths = []
    for index in range(count):
        name, kind, text = submission(index)
        path = folder / f"learner{index:03d}" / f"{name}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text({"notjson": "{ not json", "empty": ""}.get(kind, text or ""), encoding="utf-8")
        paths.append(path)
    return paths


def timed_grade(paths: list[Path], out: Path, jobs: int, box: str) -> tuple[float, list]:
    start = time.perf_counter()
    rows = grade(paths, Options(out=out, timeout=TIMEOUT, cell_timeout=CELL_TIMEOUT, jobs=jobs,
                                learner_from="folder", sandbox=box))
    return time.perf_counter() - start, rows


def sandbox_start_ms() -> tuple[float, float]:
    """Median milliseconds to start and end ``python -c pass`` in a bubblewrap sandbox, and without one."""
    python = grader_env()
    argv = bwrap_launch(python).argv[:-2] + ["-c", "pass"]
    times = {"bwrap": [], "bare": []}
    for _ in range(STARTS):
        for kind, command in (("bwrap", argv), ("bare", [str(python), "-c", "pass"])):
            start = time.perf_counter()
            subprocess.run(command, check=True)
            times[kind].append((time.perf_counter() - start) * 1000)
    return statistics.median(times["bwrap"]), statistics.median(times["bare"])


def bench_grading(count: int = SUBMISSIONS) -> None:
    cores = os.cpu_count() or 1
    problem = bwrap_problem()
    box = "bwrap" if problem is None else "none"
    print(f"  sandbox: {'bubblewrap' if box == 'bwrap' else 'none (' + problem + ')'}")
    if box == "bwrap":
        grader_env()  # made once and reused: not part of any timing below
    with tempfile.TemporaryDirectory(prefix="vnetlab-bench-grade-") as tmp:
        paths = build(Path(tmp) / "subs", count)
        kinds = Counter(submission(i)[1] for i in range(count))
        print(f"  {count} submissions over {len(EXERCISES)} exercises: "
              + ", ".join(f"{n} {k}" for k, n in kinds.most_common()))
        wall, rows = timed_grade(paths, Path(tmp) / "out", cores, box)
        statuses = Counter(r.status for r in rows)
        print(f"  parallel   ({cores} jobs, {box}): {count} in {wall:6.1f} s = {wall / count:.2f} s per submission; "
              f"{len(rows)} rows ({', '.join(f'{n} {s}' for s, n in statuses.most_common())})")
        sample = paths[::SAMPLE_EVERY]
        seq, _ = timed_grade(sample, Path(tmp) / "seq", 1, box)
        par, _ = timed_grade(sample, Path(tmp) / "par", cores, box)
        per = seq / len(sample)
        print(f"  sequential (1 job, {box}): sample of {len(sample)} in {seq:6.1f} s = {per:.2f} s per submission "
              f"(kernel start included); with {cores} jobs the same sample took {par:.1f} s "
              f"(actual speed-up x{seq / par:.2f})")
        if box == "bwrap":
            started, empty = sandbox_start_ms()
            print(f"  sandbox start and end alone: {started:.0f} ms for Python in bubblewrap against {empty:.0f} ms "
                  f"without (median of {STARTS})")
            bare, _ = timed_grade(sample, Path(tmp) / "bare", 1, "none")
            cost = (seq - bare) / len(sample)
            print(f"  sandbox cost: the same sample, sequential, unsandboxed (--no-sandbox) took {bare:6.1f} s = "
                  f"{bare / len(sample):.2f} s per submission; the sandbox adds {cost:+.2f} s per submission "
                  f"(x{seq / bare:.2f})")
        print(f"  sequential, extrapolated to {count}: {per * count:.0f} s; parallel measured {wall:.0f} s "
              f"(extrapolated speed-up x{per * count / wall:.2f})")
        verdict = "met" if wall <= GOAL_S * count / SUBMISSIONS else "NOT met"
        print(f"  goal: {SUBMISSIONS} submissions in <= {GOAL_S / 60:g} min on 2 cores, sandboxed: {verdict} "
              f"({wall / 60:.1f} min on {cores} cores, {box})")


if __name__ == "__main__":
    print("(h) batch grading")
    bench_grading(int(sys.argv[1]) if len(sys.argv) > 1 else SUBMISSIONS)
