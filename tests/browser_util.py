"""Run JupyterLab and drive it in headless Chromium, as a learner would: open a lesson, *Run All*, use a widget.

Adding a lesson to the browser tests takes a few lines::

    @pytest.mark.browser
    def test_my_lesson(tmp_path):
        with lesson_in_browser("notebooks/03-vpn-gateway.ipynb", tmp_path) as nb:
            nb.run_all()
            box = nb.output_containing("button:has-text('Create gateway')")
            ...
            nb.screenshot("03-vpn-gateway")

Chromium is Debian's ``/usr/bin/chromium``, driven through Playwright's ``executable_path`` (never
``playwright install``). Without it the test skips with the reason, or fails when ``VNETLAB_REQUIRE_BROWSER=1``.
JupyterLab runs on a copy of the notebooks in a temporary folder, with its own config, runtime and IPython
folders there too: nothing is written to the repository or the home folder, except screenshots and server
logs in ``test-artifacts/``.
"""
from __future__ import annotations

import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence
from urllib.parse import quote

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync")
STARTUP_TIMEOUT = 180.0  # seconds for a server to answer; generous for a cold, busy CI machine
RUN_ALL_TIMEOUT = 600.0  # seconds for Run All on one lesson
UI_TIMEOUT_MS = 120_000  # Playwright waits (milliseconds)
NEWS_PROMPT = "official Jupyter news"  # the toast JupyterLab 4 shows while the fetchNews setting is "none"


# --- Chromium -----------------------------------------------------------------------------------------------
def chromium_or_skip() -> str:
    """The Chromium to drive; skip the test when it is missing (fail instead under VNETLAB_REQUIRE_BROWSER=1)."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return str(CHROMIUM)
    reason = f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium) to run the browser tests"
    if os.environ.get("VNETLAB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}; VNETLAB_REQUIRE_BROWSER=1 makes this a failure", pytrace=False)
    pytest.skip(reason)


@contextmanager
def chromium_page(viewport: tuple[int, int] = (1400, 1050)):
    """A fresh page in headless Chromium; the browser is closed however the block ends."""
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS), headless=True)
        try:
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
            context.set_default_timeout(UI_TIMEOUT_MS)
            yield context.new_page()
        finally:
            browser.close()


# --- servers ------------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_status(url: str, token: str | None = None) -> int:
    """The HTTP status of GET ``url`` (with ``Authorization: token ...`` when given), or 0 if nothing answers."""
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def drill_server_command(*args: str) -> list[str]:
    """What ``make drill DRILL_ARGS="<args>"`` runs (read from ``make -n``, so tests serve the drills exactly as the
    Makefile does), with this interpreter's ``voila``."""
    dry = subprocess.run(["make", "-s", "-n", "-o", "setup", "drill", f"DRILL_ARGS={shlex.join(args)}"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60, check=True).stdout
    line = next(line for line in dry.splitlines() if "voila" in line)
    return [str(Path(sys.executable).parent / "voila"), *shlex.split(line)[1:]]


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment for a Jupyter server whose config, runtime files and IPython profile live in ``home``."""
    env = {k: v for k, v in os.environ.items() if k not in ("JUPYTER_TOKEN", "JUPYTER_PASSWORD")}
    for name, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[name] = str(home / sub)
    env.update(extra)
    return env


def log_tail(log: Path, lines: int = 40) -> str:
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


@contextmanager
def process_group(cmd: Sequence[str], *, cwd: Path, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """Run ``cmd`` in its own process group, output to ``log``; on exit stop the whole group."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            yield proc
        finally:
            stop_group(proc)


def stop_group(proc: subprocess.Popen, grace: float = 30.0) -> None:
    """SIGTERM the group (Jupyter shuts its kernels down, then exits); SIGKILL what is left after ``grace`` s."""
    _signal_group(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        proc.poll()  # reap the leader, or its zombie keeps the group alive
        if not _signal_group(proc.pid, 0):
            break
        time.sleep(0.2)
    else:
        _signal_group(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def _signal_group(pgid: int, sig: int) -> bool:
    """Send ``sig`` to the process group; False if the group is gone."""
    try:
        os.killpg(pgid, sig)
        return True
    except ProcessLookupError:
        return False


def wait_until_serving(base_url: str, token: str, proc: subprocess.Popen, log: Path,
                       timeout: float = STARTUP_TIMEOUT) -> None:
    """Poll ``/api/status`` until the server answers 200 with the token; fail with its log if it dies or hangs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with status {proc.returncode}:\n{log_tail(log)}", pytrace=False)
        if http_status(base_url + "api/status", token) == 200:
            return
        time.sleep(0.5)
    pytest.fail(f"the server did not answer on {base_url} within {timeout:.0f} s:\n{log_tail(log)}", pytrace=False)


@dataclass(frozen=True)
class Lab:
    """A running JupyterLab: where it listens, its token, the folder it serves."""

    base_url: str  # ends with "/"
    token: str
    root: Path
    log: Path

    def url(self, path: str = "lab") -> str:
        return f"{self.base_url}{path}?token={self.token}"

    def notebook_url(self, relpath: str) -> str:
        return self.url("lab/tree/" + quote(relpath))


@contextmanager
def jupyter_lab(root: Path, home: Path, name: str = "jupyterlab") -> Iterator[Lab]:
    """JupyterLab from this Python's environment serving ``root`` on a free 127.0.0.1 port, with a random token."""
    token, port = secrets.token_hex(24), free_port()
    log = ARTIFACTS / f"{name}-server.log"
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           "--allow-root",
           # The kernel's websocket is closed when the page answers no ping for 90 s (jupyter_server's default:
           # pings every 30 s), which a browser on a loaded 2-core machine can miss: JupyterLab then reconnects
           # and drops the cells queued meanwhile, so Run All runs only the last one. Pings every 5 minutes here,
           # with 15 minutes to answer (milliseconds).
           '--ServerApp.tornado_settings={"ws_ping_interval": 300000, "ws_ping_timeout": 900000}',
           # A kernel that takes over a minute to answer (its first imports, on a loaded machine) is not "dead".
           "--MappingKernelManager.kernel_info_timeout=300"]
    with process_group(cmd, cwd=root, env=isolated_env(home), log=log) as proc:
        lab = Lab(f"http://127.0.0.1:{port}/", token, root, log)
        wait_until_serving(lab.base_url, token, proc, log)
        yield lab


# --- notebooks in the page ----------------------------------------------------------------------------------
PROGRESS_JS = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return null;
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim());
  const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  return {
    prompts,
    kernel: indicator ? indicator.getAttribute('data-status') : null,
    errors: [...panel.querySelectorAll('[data-mime-type="application/vnd.jupyter.error"]')]
              .map(e => e.textContent.trim().slice(0, 300)),
  };
}"""


# The test environment holds jupyterlite-pyodide-kernel (the `lite` extra, for `make lite`), whose JupyterLab
# extension is built for JupyterLite: JupyterLab loads its module even when the extension is disabled (Makefile),
# and that load fails with this message. It is not the course's page, and nothing of the course depends on it.
# JupyterLab's kernel connection also rejects the future of a request still in flight (its own create_subshell_request,
# for kernels with subshells) when the kernel restarts or the connection is disposed, as after a stalled Run All is
# restarted (NotebookPage.run_all): an uncaught rejection in JupyterLab's code, about JupyterLab's own request.
FOREIGN_JS_ERROR = re.compile(r"Shared module @jupyterlite/\S+ doesn't exist in shared scope"
                              r"|Canceled future for create_subshell_request message before replies were done")


class NotebookPage:
    """One notebook open in JupyterLab in ``page``."""

    def __init__(self, page, lab: Lab, relpath: str) -> None:
        self.page, self.lab, self.relpath = page, lab, relpath
        self.js_errors: list[str] = []  # uncaught JavaScript errors in the page
        page.on("pageerror", lambda error: None if FOREIGN_JS_ERROR.search(str(error)) else
                self.js_errors.append(str(error)))
        nb = nbformat.read(lab.root / relpath, as_version=4)
        self.code_cells = sum(cell.cell_type == "code" for cell in nb.cells)
        self.panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")

    def open(self) -> "NotebookPage":
        self.page.goto(self.lab.notebook_url(self.relpath))
        self.panel.locator(".jp-Cell").first.wait_for()
        self.wait_for_kernel("idle")
        return self

    # JupyterLab's own prompts; a learner would answer them the same way
    def dismiss_dialogs(self) -> list[str]:
        """Answer what JupyterLab may pop up: "Select Kernel" (accept the notebook's kernel), the news toast (No)."""
        seen = []
        # Only the kernel choice is answered: accepting any other dialog (e.g. "restart the kernel?" after a slow
        # start) would restart the kernel again and again while it is still starting.
        dialog = self.page.locator(".jp-Dialog", has_text="Select Kernel")
        if dialog.count() and dialog.first.is_visible():
            seen.append(dialog.first.inner_text()[:200])
            dialog.first.locator(".jp-Dialog-button.jp-mod-accept").click()
        news = self.page.locator(".Toastify__toast", has_text=NEWS_PROMPT)
        if news.count():
            seen.append(news.first.inner_text()[:200])
            news.first.get_by_role("button", name="No").click()
        return seen

    def wait_for_kernel(self, status: str = "idle", timeout: float = STARTUP_TIMEOUT, dismiss: bool = True) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if dismiss:
                self.dismiss_dialogs()
            state = self.page.evaluate(PROGRESS_JS)
            if state and state["kernel"] == status:
                return
            time.sleep(0.5)
        pytest.fail(f"{self.relpath}: the kernel is not {status!r} after {timeout:.0f} s "
                    f"(state {self.page.evaluate(PROGRESS_JS)})", pytrace=False)

    def run_all(self, timeout: float = RUN_ALL_TIMEOUT) -> None:
        """Run > Run All Cells, as a learner does; wait until every code cell has run; fail on an error output."""
        for _attempt in range(3):  # a click that lands while JupyterLab is still settling can be lost: retry
            self.panel.locator(".jp-Cell").first.click()  # focus this notebook so that the Run menu acts on it
            self.page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            self.page.locator(".lm-Menu-item:visible", has_text="Run All Cells").first.click()
            if self._wait_progress(lambda s: any(p != "[ ]:" for p in s["prompts"]), 30.0):
                break
        else:
            self._fail("Run > Run All Cells did not start any cell")
        finished = lambda s: s["kernel"] == "idle" and self.code_cells == sum(  # noqa: E731
            p[1:-2].isdigit() for p in s["prompts"])  # every prompt numbered: "[12]:"
        if self._wait_progress(finished, timeout, stalled=self._stalled):
            return
        if self._stall_seen:  # JupyterLab dropped the queued cells: once more, as a learner would, from a restart
            self._restart_and_run_all()
            if self._wait_progress(finished, timeout):
                return
        self._fail(f"Run All did not finish within {timeout:.0f} s")

    _stall_seen = False

    def _stalled(self, state: dict) -> bool:
        """Run All was dropped: the kernel is idle, nothing is running or queued ("[*]"), and cells are unrun.
        Seen on a loaded machine when the kernel was replaced while the page was opening (the page then sends the
        queued cells to a kernel that is gone)."""
        stalled = (state["kernel"] == "idle" and "[*]:" not in state["prompts"]
                   and any(p == "[ ]:" for p in state["prompts"]))
        self._stall_polls = getattr(self, "_stall_polls", 0) + 1 if stalled else 0
        self._stall_seen = self._stall_polls >= 60  # 30 s of polls in that state, not a pause between two cells
        return self._stall_seen

    def _restart_and_run_all(self) -> None:
        self.panel.locator(".jp-Cell").first.click()
        self.page.locator(".lm-MenuBar-itemLabel", has_text="Kernel").first.click()
        self.page.locator(".lm-Menu-item:visible", has_text="Restart Kernel and Run All Cells").first.click()
        confirm = self.page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept")
        confirm.first.wait_for()
        confirm.first.click()

    def _wait_progress(self, done, timeout: float, stalled=None) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.dismiss_dialogs()
            state = self.page.evaluate(PROGRESS_JS)
            if state["errors"]:
                self._fail(f"a cell failed in the browser: {state['errors'][0]}")
            if done(state):
                return True
            if stalled is not None and stalled(state):
                return False
            time.sleep(0.5)
        return False

    def _fail(self, message: str) -> None:
        shot = self.screenshot(f"{Path(self.relpath).stem}-failure")
        pytest.fail(f"{self.relpath}: {message}; prompts {self.page.evaluate(PROGRESS_JS)['prompts']}; "
                    f"screenshot {shot.relative_to(ROOT)}", pytrace=False)

    def output_containing(self, selector: str):
        """The (single) cell output that contains ``selector``, scrolled into view, once it has rendered."""
        output = self.panel.locator(".jp-OutputArea-output", has=self.page.locator(selector))
        output.first.wait_for()
        output.first.scroll_into_view_if_needed()
        return output.first

    def assert_widgets_rendered(self) -> None:
        """No widget failed to render (ipywidgets writes "Error displaying widget" or "Loading widget..." then)."""
        broken = self.panel.locator(".jp-OutputArea-output", has_text="Error displaying widget")
        assert broken.count() == 0, broken.first.inner_text()
        assert not self.js_errors, f"JavaScript errors in the page: {self.js_errors[:3]}"

    def screenshot(self, name: str, top=None) -> Path:
        """Save what the learner sees to ``test-artifacts/<name>.png``, scrolled so that ``top`` starts the view."""
        if top is not None:
            top.evaluate("e => e.scrollIntoView({block: 'start'})")
            self.page.wait_for_timeout(500)  # let plotly finish redrawing after the scroll
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


@contextmanager
def lesson_in_browser(relpath: str, tmp_path: Path) -> Iterator[NotebookPage]:
    """Copy ``notebooks/`` to ``tmp_path``, serve it with JupyterLab and open ``relpath`` in headless Chromium."""
    chromium_or_skip()  # before starting a server for nothing
    root = tmp_path / "course"
    folder = Path(relpath).parts[0]
    shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    with jupyter_lab(root, tmp_path / "home", name=Path(relpath).stem) as lab, chromium_page() as page:
        yield NotebookPage(page, lab, relpath).open()
