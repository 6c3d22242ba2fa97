"""Fresh Jupyter kernels for running notebooks one after another: the notebook tests and the course bench."""
from __future__ import annotations

import subprocess
from pathlib import Path

from jupyter_client import KernelManager


class KernelPool:
    """Fresh kernels, the next one started while the current notebook runs.

    Starting a kernel (a new Python that imports ipykernel) is about half of running a short notebook; starting
    it ahead overlaps that with the previous notebook's cells. A kernel is never reused: each notebook gets one
    that has run nothing, in the notebook's own folder, and it is shut down afterwards."""

    def __init__(self, quiet: bool = False) -> None:
        self._ready: dict[Path, KernelManager] = {}
        self._quiet = quiet  # the bench: no kernel start-up warnings between its figures

    def take(self, folder: Path) -> KernelManager:
        return self._ready.pop(folder, None) or self._start(folder)

    def prepare(self, folder: Path) -> None:
        if folder not in self._ready:
            self._ready[folder] = self._start(folder)

    def _start(self, folder: Path) -> KernelManager:
        km = KernelManager(kernel_name="python3")
        km.start_kernel(cwd=str(folder), **({"stderr": subprocess.DEVNULL} if self._quiet else {}))
        return km

    def close(self) -> None:
        for km in self._ready.values():
            km.shutdown_kernel(now=True)
        self._ready.clear()
