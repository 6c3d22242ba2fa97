"""Serve the JupyterLite site (``make lite``, lite/build.py) on 127.0.0.1 and drive it in Chromium with every
other host blocked, twice: Chromium's resolver maps every name but 127.0.0.1 to nothing, and a route aborts (and
records) any request for another host. A test that passes here ran the course with no network at all.
"""
from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import parse_qs, unquote, urlparse, urlsplit

import pytest

from browser_util import ARTIFACTS, CHROMIUM_ARGS, ROOT, chromium_or_skip

SITE = ROOT / "build" / "lite"
KERNEL_TIMEOUT_MS = 300_000  # a cold Pyodide start on a loaded 2-core machine took 19-40 s; be generous
RUN_TIMEOUT_MS = 600_000
OFFLINE_ARGS = ('--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',)


def lite_builder():
    """lite/build.py as a module."""
    spec = importlib.util.spec_from_file_location("vnetlab_lite_build", ROOT / "lite" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def built_site() -> Path:
    """The site, built (or reused when its inputs are unchanged). Skips without Node.js' npm (needed once to fetch
    Pyodide) unless VNETLAB_REQUIRE_BROWSER=1, like the browser tests."""
    chromium_or_skip()
    if not (ROOT / "lite" / "node_modules" / "pyodide").is_dir():
        npm_or_skip()
    return lite_builder().build(SITE)


def npm_or_skip() -> None:
    """Skip without Node.js' npm (the web tools come from npm), or fail under VNETLAB_REQUIRE_BROWSER=1."""
    if shutil.which("npm") is None:
        reason = "npm is missing: install Node.js (apt-get install nodejs npm) for the JupyterLite and web tests"
        if os.environ.get("VNETLAB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason}; VNETLAB_REQUIRE_BROWSER=1 makes this a failure", pytrace=False)
        pytest.skip(reason)


class _Quiet(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm",
                      ".mjs": "text/javascript", ".js": "text/javascript", ".json": "application/json"}

    def log_message(self, *args) -> None:  # the test reports what failed; no access log
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """A static web server for ``folder`` on 127.0.0.1 (a free port); yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class OfflinePage:
    """A Chromium page that can reach 127.0.0.1 only; ``blocked`` lists what it tried to reach elsewhere."""

    def __init__(self, page) -> None:
        self.page = page
        self.blocked: list[str] = []
        self.failed: list[str] = []
        self.console_errors: list[str] = []

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


@contextmanager
def offline_page(viewport: tuple[int, int] = (1400, 1050)) -> Iterator[OfflinePage]:
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=[*CHROMIUM_ARGS, *OFFLINE_ARGS])
        try:
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
            context.set_default_timeout(KERNEL_TIMEOUT_MS)
            offline = OfflinePage(context.new_page())

            def guard(route) -> None:
                host = urlparse(route.request.url).hostname
                if route.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
                    route.continue_()
                else:
                    offline.blocked.append(route.request.url)
                    route.abort()

            context.route("**/*", guard)
            offline.page.on("requestfailed", lambda request: offline.failed.append(request.url))
            offline.page.on("console", lambda message: message.type == "error"
                            and offline.console_errors.append(message.text))
            yield offline
        finally:
            browser.close()


# Run ``source`` in the current notebook's kernel and return what it printed (and any error).
RUN_IN_KERNEL = """async (source) => {
  const panel = window.jupyterapp.shell.currentWidget;
  const future = panel.sessionContext.session.kernel.requestExecute({code: source});
  let text = '';
  future.onIOPub = (msg) => { if (msg.header.msg_type === 'stream') text += msg.content.text;
                              if (msg.header.msg_type === 'error') text += 'ERROR ' + msg.content.evalue; };
  await future.done;
  return text;
}"""

# The notebook's state, read through the app object the site exposes (exposeAppInBrowser).
NOTEBOOK_STATE = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.content || !panel.content.model || !panel.sessionContext) return null;
  const cells = Array.from(panel.content.model.cells);
  const code = cells.filter(c => c.type === 'code');
  const errors = [];
  for (const cell of code) {
    for (const out of cell.outputs.toJSON()) {
      if (out.output_type === 'error') errors.push(out.ename + ': ' + out.evalue);
    }
  }
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  return {
    kernel: kernel ? kernel.status : 'none',
    code: code.length,
    executed: code.filter(c => c.executionCount !== null).length,
    empty: code.filter(c => c.sharedModel.getSource().trim() === '').length,
    errors: errors,
    plots: document.querySelectorAll('.jp-OutputArea .js-plotly-plot').length,
    empty_plots: Array.from(document.querySelectorAll('.jp-OutputArea .js-plotly-plot'))
                   .filter(e => !(e.data && e.data.length)).length,
    widgets: document.querySelectorAll('.jp-OutputArea .jupyter-widgets').length,
  };
}"""


def open_notebook(page, url: str) -> None:
    """Open the notebook at ``url`` in (JupyterLite's or JupyterLab's) lab and wait until it is the current
    notebook with an idle kernel (the lab may first restore the notebook of its last session, idle too)."""
    page.goto(url)
    parts = urlsplit(url)
    path = parse_qs(parts.query).get("path", [None])[0] or unquote(parts.path.split("/lab/tree/", 1)[-1])
    page.wait_for_function("""(path) => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
        return !!(w && w.context && w.context.path === path); }""", arg=path, timeout=KERNEL_TIMEOUT_MS,
                           polling=500)
    wait_for_kernel(page)


def wait_for_kernel(page) -> None:
    """Wait until the lab's current notebook has a kernel, idle (JupyterLab needs expose_app_in_browser)."""
    page.wait_for_function(f"""() => {{ const s = ({NOTEBOOK_STATE})();
        return s && s.kernel === 'idle'; }}""", timeout=KERNEL_TIMEOUT_MS, polling=500)


def run_all(page) -> dict:
    """Run every cell; wait until each code cell has run (or one failed) and the kernel is idle; the state."""
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(f"""() => {{ const s = ({NOTEBOOK_STATE})();
        return s && s.kernel === 'idle' && (s.errors.length > 0 || s.executed >= s.code - s.empty); }}""",
                           timeout=RUN_TIMEOUT_MS, polling=1000)
    return page.evaluate(NOTEBOOK_STATE)


AXE = ROOT / "lite" / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


def axe_violations(page, include: str | None = None) -> list[dict]:
    """axe-core's serious and critical violations on ``page`` (npm ``axe-core``, injected from lite/node_modules),
    in the elements matching ``include`` only when given: each as {id, impact, nodes: [target | summary]}."""
    if not AXE.is_file():
        npm_or_skip()
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT / "lite", check=True)
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    context = "document" if include is None else f"{{include: [[{include!r}]]}}"
    found = page.evaluate(f"""async () => {{
      const result = await axe.run({context}, {{resultTypes: ['violations']}});
      return result.violations.map(v => ({{id: v.id, impact: v.impact,
        nodes: v.nodes.map(n => n.target.join(' ') + ' | ' + n.failureSummary)}}));
    }}""")
    return [v for v in found if v["impact"] in SERIOUS]


def cell_outputs(page, source_contains: str) -> str:
    """The outputs (as JSON text) of the current notebook's code cells whose source contains ``source_contains``,
    read from the notebook's model: cells scrolled out of view may not be in the page."""
    return page.evaluate("""(needle) => {
      const cells = Array.from(window.jupyterapp.shell.currentWidget.content.model.cells);
      return JSON.stringify(cells.filter(c => c.type === 'code' && c.sharedModel.getSource().includes(needle))
                                 .map(c => c.outputs.toJSON()));
    }""", source_contains)
