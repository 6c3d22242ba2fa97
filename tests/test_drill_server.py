"""The drill app's server, run exactly as ``make drill`` runs it (Voilà with ``jupyter/voila.json``), over HTTP.

What a learner relies on: a web page elsewhere cannot reach the app through a name it points at this computer
(DNS rebinding: the server answers only requests addressed to localhost or a loopback address), and opening the
app many times (or a page requesting it in a loop) cannot start kernels without end: at most the configured number
run at once, the next page is refused with a 503 that says why, and a closed or abandoned page frees its place.
No browser: the page requests are plain HTTP, and kernels are counted as the server's child processes.
"""
from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Iterator
from urllib.parse import urlencode

import psutil
import pytest

import browser_util
from browser_util import ROOT

CAP = json.loads((ROOT / "jupyter" / "voila.json").read_text())["CappedKernelManager"]["max_kernels"]
PAGE_TIMEOUT = 300.0  # seconds for one page (Voilà runs the notebook while it answers); generous for a busy machine


class DrillServer:
    def __init__(self, proc, port: int, log: Path) -> None:
        self.proc, self.port, self.log = proc, port, log
        self.base = f"http://127.0.0.1:{port}/"
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str = "", host: str | None = None) -> tuple[int, str, str]:
        """(status, reason, body) of GET ``path``, sent with ``host`` as the Host header when given."""
        request = urllib.request.Request(self.base + path, headers={"Host": host} if host else {})
        try:
            with self.opener.open(request, timeout=PAGE_TIMEOUT) as response:
                return response.status, response.reason, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.reason, error.read().decode("utf-8", "replace")

    def close_page(self, kernel_id: str) -> int:
        """What the page does as it unloads: POST voila/api/shutdown/<kernel> with its _xsrf cookie."""
        xsrf = next(c.value for c in self.cookies if c.name == "_xsrf")
        request = urllib.request.Request(self.base + f"voila/api/shutdown/{kernel_id}",
                                         data=urlencode({"_xsrf": xsrf}).encode(), method="POST")
        with self.opener.open(request, timeout=60) as response:
            return response.status

    def kernels(self) -> int:
        """Kernels running now: the server's ipykernel child processes."""
        children = psutil.Process(self.proc.pid).children(recursive=True)
        count = 0
        for child in children:
            try:
                count += "ipykernel_launcher" in " ".join(child.cmdline())
            except psutil.NoSuchProcess:
                pass
        return count

    def wait_for_kernels(self, expected: int, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while self.kernels() != expected:
            if time.monotonic() > deadline:
                pytest.fail(f"expected {expected} kernel(s), {self.kernels()} run:\n{browser_util.log_tail(self.log)}",
                            pytrace=False)
            time.sleep(0.2)


@contextmanager
def drill_server(tmp_path: Path, *extra: str) -> Iterator[DrillServer]:
    port = browser_util.free_port()
    env = browser_util.isolated_env(tmp_path / "home", VNETLAB_PROGRESS=str(tmp_path / "progress.json"),
                                    HOME=str(tmp_path / "home"))
    log = tmp_path / "voila.log"
    cmd = browser_util.drill_server_command("--no-browser", f"--port={port}", "--Voila.port_retries=0", *extra)
    with browser_util.process_group(cmd, cwd=ROOT, env=env, log=log) as proc:
        server = DrillServer(proc, port, log)
        deadline = time.monotonic() + browser_util.STARTUP_TIMEOUT
        while browser_util.http_status(server.base + "voila/static/voila.js") != 200:  # static: starts no kernel
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Voila did not start:\n{browser_util.log_tail(log)}", pytrace=False)
            time.sleep(0.5)
        yield server


def kernel_id(page: str) -> str:
    return re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', page).group(1)


def test_make_drill_serves_with_the_course_config():
    cmd = browser_util.drill_server_command()
    assert f"--Voila.config_file_paths={ROOT / 'jupyter'}" in cmd and "--Voila.ip=127.0.0.1" in cmd
    assert 1 <= CAP <= 8


def test_the_drill_server_answers_only_requests_addressed_to_this_computer(tmp_path):
    with drill_server(tmp_path) as server:
        port = server.port
        for host in (f"evil.example:{port}", "evil.example", f"192.168.1.20:{port}", f"localhost.evil.example:{port}"):
            status, _, _ = server.get("", host=host)
            assert status == 403, host
        assert server.kernels() == 0  # refused before a kernel was started
        for host in (f"localhost:{port}", f"127.0.0.1:{port}"):
            status, _, page = server.get("", host=host)
            assert status == 200 and "Interview drills" in page, host
        kernel = kernel_id(page)
        assert server.kernels() == 2
        # the kernel API and its websocket (what a rebound page would drive) refuse a foreign name too
        for path in (f"api/kernels/{kernel}", f"api/kernels/{kernel}/channels"):
            assert server.get(path, host=f"evil.example:{port}")[0] == 403, path
        assert server.get(f"api/kernels/{kernel}", host=f"localhost:{port}")[0] == 200


def test_the_drill_server_runs_at_most_its_cap_of_kernels_and_a_closed_page_frees_a_place(tmp_path):
    with drill_server(tmp_path) as server:
        with ThreadPoolExecutor(CAP + 2) as pool:  # all at once: kernels still starting count too
            pages = list(pool.map(lambda _: server.get(""), range(CAP + 2)))
        served = [page for status, _, page in pages if status == 200]
        refused = [(status, reason) for status, reason, _ in pages if status != 200]
        assert len(served) == CAP and server.kernels() == CAP
        assert refused == [(503, f"Too many drills running (limit {CAP}): close a drill tab, then reload")] * 2
        assert server.get("")[0] == 503 and server.kernels() == CAP
        assert f"its limit of {CAP} at once" in server.log.read_text()  # the full reason, in the terminal
        assert server.close_page(kernel_id(served[0])) == 204
        server.wait_for_kernels(CAP - 1)
        status, _, page = server.get("")
        assert status == 200 and "Interview drills" in page and server.kernels() == CAP


def test_pages_left_open_without_a_browser_free_their_places_once_idle(tmp_path):
    # the culler's timeout is 600 s in jupyter/voila.json's server; 2 s here, so that the test does not wait long
    with drill_server(tmp_path, "--CappedKernelManager.cull_idle_timeout=2",
                      "--CappedKernelManager.cull_interval=1") as server:
        with ThreadPoolExecutor(CAP + 1) as pool:
            statuses = sorted(status for status, _, _ in pool.map(lambda _: server.get(""), range(CAP + 1)))
        assert statuses == [200] * CAP + [503]
        server.wait_for_kernels(0)  # nobody connected to them: culled once idle
        assert server.get("")[0] == 200
