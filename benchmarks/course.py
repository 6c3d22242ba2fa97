"""(j) Start-up and (k) the whole course, executed.

(j) Start-up, each in a fresh Python process (median of ``STARTS``):
    ``import vnetlab`` against ``import netaddr, plotly, ipywidgets`` (goal: within 1.2x), and the notebook
    commands (``vnetlab generate --check``: nbformat, the grader's modules) against the same command with the
    IRI format checker that jsonschema would otherwise build (what every such command paid before).
(k) The course: every lesson, exercise and solution executed with nbclient as ``make test`` runs them, one fresh
    kernel per notebook with the next kernel started while the current notebook runs (the test suite's
    ``KernelPool``), against starting each kernel only when its notebook is due; goal <= 90 s on 2 cores.
    Wall time and the CPU seconds of this process and its children are printed: the wall time depends on what
    else the machine runs, the CPU time much less.

Run alone: ``.venv/bin/python benchmarks/course.py [startup|course]``.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

STARTS = 5
COURSE_GOAL_S = 90.0
IMPORT_GOAL = 1.2
FOLDERS = ("notebooks", "exercises", "solutions")


def _start_ms(code: str) -> float:
    """Wall time of a fresh Python running ``code`` (median of ``STARTS``, after one warm-up for the file cache)."""
    samples = []
    for i in range(STARTS + 1):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        if i:
            samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def bench_startup() -> None:
    base = _start_ms("import netaddr, plotly, ipywidgets")
    ours = _start_ms("import vnetlab")
    bare = _start_ms("pass")
    ratio = (ours - bare) / (base - bare)
    print(f"  import vnetlab {ours:6.0f} ms | import netaddr, plotly, ipywidgets {base:6.0f} ms | empty Python "
          f"{bare:4.0f} ms | ratio of import times x{ratio:.2f} ({'ok' if ratio <= IMPORT_GOAL else 'OVER GOAL'}, "
          f"goal <= x{IMPORT_GOAL})")
    command = "from vnetlab.cli import main; main(['generate', 'solutions', 'exercises', '--check'])"
    now = _start_ms(command)
    before = _start_ms("import rfc3987_syntax.syntax_helpers; " + command)
    print(f"  vnetlab generate --check {now:6.0f} ms | with jsonschema's IRI checker built (before) {before:6.0f} ms"
          f" | speed-up x{before / now:.1f}")


def _cpu_s() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _run_course(ahead: bool) -> tuple[float, float, dict[str, float]]:
    import nbformat
    from kernel_pool import KernelPool
    from nbclient import NotebookClient

    paths = [p for folder in FOLDERS for p in sorted((ROOT / folder).glob("*.ipynb"))]
    pool = KernelPool(quiet=True)
    per_folder = dict.fromkeys(FOLDERS, 0.0)
    start, cpu = time.perf_counter(), _cpu_s()
    try:
        for i, path in enumerate(paths):
            t = time.perf_counter()
            nb = nbformat.read(path, as_version=4)
            km = pool.take(path.parent)
            if ahead and i + 1 < len(paths):
                pool.prepare(paths[i + 1].parent)
            try:
                NotebookClient(nb, km=km, timeout=120, startup_timeout=60, allow_errors=True,
                               resources={"metadata": {"path": str(path.parent)}}).execute()
            finally:
                km.shutdown_kernel(now=True)
            per_folder[path.parent.name] += time.perf_counter() - t
    finally:
        pool.close()
    return time.perf_counter() - start, _cpu_s() - cpu, per_folder


def bench_course() -> None:
    wall, cpu, parts = _run_course(ahead=True)
    base_wall, base_cpu, _ = _run_course(ahead=False)
    print(f"  course ({', '.join(f'{k} {v:.0f} s' for k, v in parts.items())}): {wall:.0f} s wall, {cpu:.0f} s CPU "
          f"({'ok' if wall <= COURSE_GOAL_S else 'OVER GOAL'}, goal <= {COURSE_GOAL_S:.0f} s) | each kernel started "
          f"when due {base_wall:.0f} s wall, {base_cpu:.0f} s CPU | speed-up x{base_wall / wall:.2f}")


if __name__ == "__main__":
    which = sys.argv[1:] or ["startup", "course"]
    if "startup" in which:
        print("(j) start-up")
        bench_startup()
    if "course" in which:
        print("(k) the course executed")
        bench_course()
