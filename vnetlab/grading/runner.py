"""``python -m vnetlab.grading.runner``: run one submission, inside its sandbox, and hand back what it printed
as answers.

The grader starts this in the sandbox (:mod:`vnetlab.grading.sandbox`) and writes the job to its standard
input, as JSON: the notebook (without outputs), the answers file, the extraction cell, the time limits, the
kernel and its memory limit. This writes the notebook and the answers file into its working folder (the
sandbox's scratch folder), runs it with nbclient in a fresh kernel (a time limit per cell, after which the cell
is interrupted and the run goes on; one for the whole notebook; cells that raise are recorded and the run goes
on), and writes one JSON result to its standard output: the extraction cell's printed text, the cells that
raised and how far the run got. The learner's code runs in the same sandbox, so the result is a claim the
grader re-checks, never a verdict.

Output is capped as it arrives: at most ``cell_output`` bytes per cell and ``notebook_output`` bytes for the
whole notebook are kept (the rest is dropped, with a note in the cell and in the result), so a notebook that
prints gigabytes fills neither this process nor the grader.
"""
from __future__ import annotations

import asyncio
import functools
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

TIMEOUT_ENAME = "CellTimeout"
GRADING_ENV = "VNETLAB_GRADING"  # read by vnetlab.widgets.figure_widget in the kernel
SIDECAR = "vnetlab-answers.json"
SIDECAR_MAX_BYTES = 5_000_000  # vnetlab.grading.answers.MAX_BYTES (this module imports nothing from vnetlab)
TRUNCATED = "\n[vnetlab grade: output truncated here, this cell printed more than {limit} bytes]\n"
ERROR_CHARS = 300


def _prepare_kernel(megabytes: int | None) -> None:
    """Run in the kernel's process before it starts (``preexec_fn``, Linux): cap its address space, and its
    children's; and have it killed if this runner dies (without a sandbox nothing else would end it then)."""
    import ctypes
    import resource

    if megabytes:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def kernel_launch(memory_limit: int | None) -> dict[str, Any]:
    """How the kernel is started: its environment and, on Linux, its memory limit."""
    launch: dict[str, Any] = {"env": {**os.environ, GRADING_ENV: "1"}, "stdout": subprocess.DEVNULL,
                              "stderr": subprocess.DEVNULL}
    if sys.platform.startswith("linux"):
        launch["preexec_fn"] = functools.partial(_prepare_kernel, int(memory_limit) if memory_limit else None)
    return launch


async def _kill_group(pgid: int | None) -> None:
    """Kill what is left of the kernel's process group (the kernel runs in a session of its own, and so do the
    processes it started, unless they made their own: the sandbox's PID namespace ends those), then wait a moment
    for it to be gone."""
    if not pgid:
        return
    for attempt in range(30):
        try:
            os.killpg(pgid, signal.SIGKILL if attempt == 0 else 0)
        except (ProcessLookupError, PermissionError):
            return
        await asyncio.sleep(0.1)


def _size(out: Any) -> int:
    if out.get("output_type") == "stream":
        return len(out.get("text", ""))
    return len(json.dumps(out.get("data", out.get("traceback", "")), default=str))


def capped_client(cell_limit: int, notebook_limit: int, exempt: int):
    """A NotebookClient that keeps at most ``cell_limit`` characters of output per cell and ``notebook_limit`` in
    all (cell ``exempt``, the extraction cell, has only the per-cell cap); it notes which cells lost output."""
    from nbclient import NotebookClient

    class Capped(NotebookClient):
        def output(self, outs, msg, display_id, cell_index):  # noqa: D401 - nbclient's hook
            out = super().output(outs, msg, display_id, cell_index)
            if out is None:
                return out
            state = self.__dict__.setdefault("_vnetlab_caps", {"total": 0, "cells": {}, "truncated": set()})
            used = state["cells"].get(cell_index, 0)
            size = _size(out)
            room = cell_limit - used
            if cell_index != exempt:
                room = min(room, notebook_limit - state["total"])
            if size <= room:
                state["cells"][cell_index] = used + size
                if cell_index != exempt:
                    state["total"] += size
                return out
            outs.remove(out)
            if cell_index not in state["truncated"]:
                state["truncated"].add(cell_index)
                from nbformat.v4 import new_output

                outs.append(new_output("stream", name="stdout", text=TRUNCATED.format(
                    limit=min(cell_limit, notebook_limit))))
            return None

    return Capped


def _kernel_spec(here: Path) -> None:
    """``python3`` is this Python (in a sandbox: the grader environment's), whatever other kernel specs the
    system's Jupyter folders hold."""
    spec = here / ".vnetlab-kernels" / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (vnetlab grade)", "language": "python"}))
    os.environ["JUPYTER_PATH"] = str(here / ".vnetlab-kernels")


async def execute(job: dict) -> dict:
    """Run the job's notebook here; the result as plain data (see the module's docstring)."""
    import nbformat
    from nbclient.exceptions import DeadKernelError

    here = Path.cwd()
    _kernel_spec(here)
    nb = nbformat.reads(job["notebook"], as_version=4)
    nbformat.write(nb, str(here / job["name"]))  # the learner's code may read its notebook (no extraction cell in it)
    if job.get("sidecar") is not None:
        (here / SIDECAR).write_text(job["sidecar"], encoding="utf-8")
    nb.cells.append(nbformat.v4.new_code_cell(job["extract"]))
    last = len(nb.cells) - 1
    state: dict[str, Any] = {"cell": None, "errors": [], "pgid": None}

    def started(**_: Any) -> None:
        state["pgid"] = getattr(client.km.provisioner, "pgid", None) or getattr(client.km.provisioner, "pid", None)

    cell_timeout = float(job["cell_timeout"])
    client = capped_client(int(job["cell_output"]), int(job["notebook_output"]), last)(
        nb, kernel_name=job["kernel"], timeout=max(1, int(cell_timeout)), interrupt_on_timeout=True,
        error_on_timeout={"ename": TIMEOUT_ENAME, "evalue": f"ran longer than {cell_timeout:g} s and was "
                          "interrupted", "traceback": []},
        allow_errors=True, shutdown_kernel="immediate", record_timing=False, startup_timeout=120,
        resources={"metadata": {"path": str(here)}},
        on_notebook_start=started,
        on_cell_execute=lambda cell, cell_index: state.update(cell=cell_index),
        on_cell_error=lambda cell, cell_index, execute_reply: state["errors"].append(
            [cell_index, str(execute_reply["content"].get("ename", "Error"))[:ERROR_CHARS],
             str(execute_reply["content"].get("evalue", ""))[:ERROR_CHARS]]),
    )
    outcome = "ok"
    # Not asyncio.wait_for: nbclient turns the cancellation into DeadKernelError, hiding the timeout.
    task = asyncio.ensure_future(client.async_execute(**kernel_launch(job.get("memory_limit"))))
    try:
        done, _ = await asyncio.wait({task}, timeout=float(job["timeout"]))
    finally:
        if not task.done():
            task.cancel()
            await asyncio.wait({task})
        await _kill_group(state["pgid"])
    if not done:
        if not task.cancelled():
            task.exception()  # nbclient reports the cancellation as DeadKernelError: not a kernel death
        outcome = "timeout"
    elif isinstance(task.exception(), DeadKernelError):
        outcome = "kernel-died"
    elif task.exception() is not None:
        exc = task.exception()
        outcome, state["failure"] = "failed", f"{type(exc).__name__}: {str(exc)[:ERROR_CHARS]}"
    text = "".join(o.get("text", "") for o in nb.cells[last].get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")
    caps = client.__dict__.get("_vnetlab_caps", {})
    return {"outcome": outcome, "cell": state["cell"], "errors": state["errors"], "extract_output": text,
            "failure": state.get("failure", ""), "truncated": sorted(caps.get("truncated", ())),
            "sidecar": _sidecar_after(here / SIDECAR)}


def _sidecar_after(path: Path) -> str | None:
    """The answers file as the run left it (the notebook's own code may record answers, as the solutions do with
    ``ex.record``); None when there is none or it is too large to be one."""
    try:
        with open(path, "rb") as f:
            raw = f.read(SIDECAR_MAX_BYTES + 1)
    except OSError:
        return None
    return raw.decode("utf-8", "replace") if len(raw) <= SIDECAR_MAX_BYTES else None


def main() -> int:
    # jsonschema (through nbformat) imports rfc3987_syntax when it is installed, which builds a grammar for seconds;
    # nothing here checks IRIs, and the runner starts once per submission
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    job = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    result = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # nothing but the result on the grader's pipe
    os.dup2(devnull, 2)
    try:
        outcome = asyncio.run(execute(job))
    except Exception as exc:  # reported, not raised: the grader turns it into the row's reason
        outcome = {"outcome": "failed", "failure": f"{type(exc).__name__}: {str(exc)[:ERROR_CHARS]}"}
    result.write(json.dumps(outcome))
    result.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
