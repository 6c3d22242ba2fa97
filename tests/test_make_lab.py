"""`make lab` starts the course as the README promises: JupyterLab on 127.0.0.1, behind a token, on
notebooks/00-start-here.ipynb, without the "official Jupyter news" prompt.

The server is started with the real Makefile target (``make lab LAB_ARGS=...`` only picks a free port); the
learner's web browser is stood in for by a script in ``BROWSER`` that keeps what JupyterLab asks it to open.
"""
from __future__ import annotations

import json
import urllib.request
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from browser_util import (ARTIFACTS, NEWS_PROMPT, ROOT, STARTUP_TIMEOUT, Lab, NotebookPage, chromium_page,
                          free_port, http_status, isolated_env, log_tail, process_group)

START_PAGE = "notebooks/00-start-here.ipynb"

# Stands in for the learner's browser. JupyterLab opens a local redirect page (file://...-open.html) holding
# the address with the token; keep that page's text.
RECORDER = """#!/bin/sh
case "$1" in file://*) cat "${1#file://}" ;; *) printf '%s\\n' "$1" ;; esac > "$0.opened.tmp"
mv "$0.opened.tmp" "$0.opened"
"""


@dataclass(frozen=True)
class Started:
    lab: Lab
    opened: str  # the address make lab asked the browser to open


def started(url: str, log: Path) -> Started:
    match = re.fullmatch(r"(http://[^/]+/)[^?]*\?token=(\w+)", url)
    assert match, f"make lab opened {url!r}, not a server address with a token"
    return Started(Lab(match[1], match[2], ROOT, log), url)


@pytest.fixture(scope="module")
def make_lab(tmp_path_factory):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        pytest.skip(f"make lab runs .venv's JupyterLab, and these tests run from {sys.prefix}: use `make test`")
    home = tmp_path_factory.mktemp("make-lab")
    recorder = home / "browser"
    recorder.write_text(RECORDER)
    recorder.chmod(0o755)
    port = free_port()
    env = isolated_env(home, BROWSER=f"{recorder} %s")
    for name in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):  # when run from `make test`
        env.pop(name, None)
    log = ARTIFACTS / "make-lab.log"
    # A free port, and checkpoints (JupyterLab makes one when it opens a notebook) kept out of the repository.
    lab_args = f"--port={port} --ServerApp.port_retries=0 --FileCheckpoints.checkpoint_dir={home / 'checkpoints'}"
    cmd = ["make", "--no-print-directory", "lab", f"LAB_ARGS={lab_args}"]
    with process_group(cmd, cwd=ROOT, env=env, log=log) as proc:
        opened = Path(f"{recorder}.opened")
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not opened.exists():
            if proc.poll() is not None:
                pytest.fail(f"make lab exited with status {proc.returncode}:\n{log_tail(log)}", pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(f"make lab opened no browser within {STARTUP_TIMEOUT:.0f} s:\n{log_tail(log)}",
                            pytrace=False)
            time.sleep(0.5)
        urls = re.findall(r"https?://[^\s\"'<>]+", opened.read_text())
        assert urls, f"make lab opened a page without an address: {opened.read_text()!r}"
        yield started(urls[0].replace("&amp;", "&"), log)


def test_make_lab_opens_the_start_page_on_localhost(make_lab):
    lab = make_lab.lab
    assert lab.base_url.startswith("http://127.0.0.1:")
    assert make_lab.opened == lab.notebook_url(START_PAGE)


def test_make_lab_requires_the_token(make_lab):
    lab = make_lab.lab
    assert http_status(lab.base_url + "api/status") == 403
    assert http_status(lab.base_url + "api/status", token="not-the-token") == 403
    assert http_status(lab.base_url + "api/status", token=lab.token) == 200


def test_make_lab_serves_the_course_notebooks(make_lab):
    lab = make_lab.lab
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        url = f"{lab.base_url}api/contents/notebooks/{notebook.name}"
        assert http_status(url, token=lab.token) == 200, url
        assert http_status(url) == 403, url


def test_make_lab_starts_quietly(make_lab):
    """A learner's terminal shows no warnings at start-up: no nbgrader complaint about its config (its server
    extensions are the instructor's), no DeprecationWarning from an extension the course does not use."""
    lines = make_lab.lab.log.read_text(errors="replace").splitlines()
    # From the server's first line on: a first run's pip install (setup) comes before it and is not the course's.
    # Up to "is running at": later lines answer the other tests' requests (403s without the token).
    server = next((i for i, line in enumerate(lines) if "ServerApp" in line), 0)
    ready = next((i for i, line in enumerate(lines) if "is running at" in line), len(lines))
    noisy = [line for line in lines[max(server - 1, 0):ready + 1]
             if re.search(r"^\[W |WARNING|Warning:|nbgrader_config", line)]
    assert not noisy, "make lab printed warnings:\n" + "\n".join(noisy)


def test_make_lab_turns_the_news_prompt_off(make_lab):
    """JupyterLab asks about news while fetchNews is "none"; make lab's settings default it to "false" (Never)."""
    lab = make_lab.lab
    request = urllib.request.Request(lab.base_url + "lab/api/settings/@jupyterlab/apputils-extension:notification",
                                     headers={"Authorization": f"token {lab.token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        plugin = json.load(response)
    assert plugin["schema"]["properties"]["fetchNews"]["default"] == "false"


@pytest.mark.browser
def test_make_lab_shows_the_start_page_with_its_kernel_and_no_news_prompt(make_lab):
    with chromium_page() as page:
        notebook = NotebookPage(page, make_lab.lab, START_PAGE)
        page.goto(make_lab.opened)
        notebook.panel.locator(".jp-Cell").first.wait_for()
        page.locator(".lm-TabBar-tab.jp-mod-current", has_text="00-start-here.ipynb").wait_for()
        notebook.wait_for_kernel("idle", dismiss=False)
        page.wait_for_timeout(2000)  # JupyterLab raises its prompts once the layout is restored: long done by now
        assert page.locator(".Toastify__toast", has_text=NEWS_PROMPT).count() == 0
        assert page.locator(".jp-Dialog").count() == 0  # no "Select Kernel" either
        assert page.locator(".jp-NotebookPanel-toolbar .jp-KernelName").inner_text() == "Python 3 (ipykernel)"
        notebook.screenshot("make-lab-start-page")
