"""(i) The course in the browser (``make lite``) against the local JupyterLab, measured in the same run: the size
of the JupyterLite site, and the time from opening lesson 00 to a running kernel (idle, ready for a cell) and to
the whole lesson run, in headless Chromium. JupyterLite is served from 127.0.0.1 with every other host blocked;
each open is in a fresh browser context (nothing cached), as a learner's first visit.

    python benchmarks/web.py [--runs 3]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser_util import CHROMIUM, CHROMIUM_ARGS, NotebookPage, jupyter_lab  # noqa: E402
from lite_util import OFFLINE_ARGS, lite_builder, run_all, serve, wait_for_kernel  # noqa: E402

LESSON = "notebooks/00-start-here.ipynb"


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def fmt(samples: list[float]) -> str:
    return f"median {statistics.median(samples):6.1f} s (min {min(samples):.1f}, max {max(samples):.1f}, n={len(samples)})"


def bench_web(runs: int = 3) -> None:
    from playwright.sync_api import sync_playwright

    site = lite_builder().build(ROOT / "build" / "lite")
    pyodide = site / "static" / "pyodide"
    wheels = list(pyodide.glob("*.whl"))
    wheel_bytes = sum(w.stat().st_size for w in wheels)
    print(f"  JupyterLite site: {folder_size(site) / 1e6:.1f} MB in {sum(1 for p in site.rglob('*') if p.is_file())} "
          f"files; Pyodide runtime {(folder_size(pyodide) - wheel_bytes) / 1e6:.1f} MB, {len(wheels)} wheels "
          f"{wheel_bytes / 1e6:.1f} MB")
    lite_kernel, lite_run, lab_kernel, lab_run = [], [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=[*CHROMIUM_ARGS, *OFFLINE_ARGS])
        try:
            with serve(site) as base:
                for _ in range(runs):
                    context = browser.new_context(viewport={"width": 1400, "height": 1050})
                    page = context.new_page()
                    start = time.perf_counter()
                    page.goto(f"{base}lab/index.html?path={LESSON}")
                    wait_for_kernel(page)
                    lite_kernel.append(time.perf_counter() - start)
                    run_all(page)
                    lite_run.append(time.perf_counter() - start)
                    context.close()
            with tempfile.TemporaryDirectory() as tmp:
                root = Path(tmp) / "course"
                shutil.copytree(ROOT / "notebooks", root / "notebooks")
                (Path(tmp) / "home").mkdir()
                with jupyter_lab(root, Path(tmp) / "home", name="bench-jupyterlab") as lab:
                    for _ in range(runs):
                        context = browser.new_context(viewport={"width": 1400, "height": 1050})
                        notebook = NotebookPage(context.new_page(), lab, LESSON)
                        start = time.perf_counter()
                        notebook.open()
                        lab_kernel.append(time.perf_counter() - start)
                        notebook.run_all()
                        lab_run.append(time.perf_counter() - start)
                        context.close()
        finally:
            browser.close()
    print(f"  open lesson 00 -> kernel idle   JupyterLite {fmt(lite_kernel)}")
    print(f"                                  JupyterLab  {fmt(lab_kernel)}")
    print(f"  open lesson 00 -> lesson run    JupyterLite {fmt(lite_run)}")
    print(f"                                  JupyterLab  {fmt(lab_run)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    print("(i) the course in the browser (JupyterLite) against the local JupyterLab")
    bench_web(parser.parse_args().runs)
