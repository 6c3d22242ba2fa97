"""The drill app's server side (``make drill``): Voilà's kernel manager with a cap on how many drills run at once.

Voilà starts a new kernel (a Python process, about 80 MB) for every page it serves, and by default never stops
starting them. :class:`CappedKernelManager` runs at most :attr:`~CappedKernelManager.max_kernels` at once; a page
asked for beyond that is refused with HTTP 503 and a message saying why and what to do, instead of a new kernel.
A kernel comes free when its page is closed (Voilà's page asks the server to shut it down as it unloads) or, for a
page that went away without saying so, once it has been idle with no page connected for
``cull_idle_timeout`` seconds (jupyter_server's culler, switched on here).

Configured by ``jupyter/voila.json``, which ``make drill`` loads (``--Voila.config_file_paths``); that file also
turns on jupyter_server's ``Host`` header check (``allow_remote_access: false``), so the app answers only requests
addressed to ``localhost`` or a loopback address, not a DNS-rebound name.

Server side only: this module imports jupyter_server and tornado, and is never imported by the drills themselves
(which also run in the browser, in JupyterLite).
"""
from __future__ import annotations

from typing import Any

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Integer, default

from ..errors import VnetlabError


class KernelLimitError(VnetlabError, web.HTTPError):
    """A page asked for while the drill server already runs its maximum of kernels: HTTP 503, and the page shows
    the reason (Voilà's error page shows the status line only)."""

    def __init__(self, running: int, limit: int) -> None:
        message = (f"The drill server already runs {running} drill(s), its limit of {limit} at once, so it does not "
                   f"start another. Close a drill tab you no longer use (its kernel stops with it) and reload this "
                   f"page; a tab left open but unused frees its place after a while.")
        VnetlabError.__init__(self, message, value=running, rule=f"at most {limit} drill kernels at once")
        # tornado formats log_message with self.args: keep the message out of args once it is set
        web.HTTPError.__init__(self, 503, message.replace("%", "%%"),
                               reason=f"Too many drills running (limit {limit}): close a drill tab, then reload")
        self.message = message

    def __str__(self) -> str:
        return self.message


class CappedKernelManager(AsyncMappingKernelManager):
    """jupyter_server's kernel manager, refusing to start more than ``max_kernels`` kernels at once."""

    max_kernels = Integer(4, config=True, help="Most kernels (drill pages) running at once; more are refused (503).")

    @default("cull_idle_timeout")
    def _default_cull_idle_timeout(self) -> int:
        return 600  # a page idle for 10 minutes with no browser connected has been left

    @default("cull_interval")
    def _default_cull_interval(self) -> int:
        return 60

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._starting = 0  # kernels being started (not yet in list_kernel_ids): they count against the cap

    async def start_kernel(self, *args: Any, **kwargs: Any) -> str:
        running = len(self.list_kernel_ids()) + self._starting
        if kwargs.get("kernel_id") in self:  # an existing kernel asked for again: no new process
            return await super().start_kernel(*args, **kwargs)
        if running >= self.max_kernels:
            self.log.warning("Refusing to start a kernel: %d running or starting, the limit is %d.", running,
                             self.max_kernels)
            raise KernelLimitError(running, self.max_kernels)
        self._starting += 1
        try:
            return await super().start_kernel(*args, **kwargs)
        finally:
            self._starting -= 1


__all__ = ["CappedKernelManager", "KernelLimitError"]
