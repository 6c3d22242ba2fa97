"""The workshop path: a JupyterHub (PyPI ``jupyterhub``, npm ``configurable-http-proxy``) on 127.0.0.1 with a
dummy authenticator and local-process spawner; two learners open the README's nbgitpuller link, which pulls the
learner release from a local git repository into each one's home, and each runs a lesson and an exercise check in
Chromium. The README gives the same link and the Kubernetes (Zero to JupyterHub) configuration.

Slow (a hub, two single-user servers, four kernels): marked ``lite`` with the other web-delivery tests.
"""
from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from browser_util import ARTIFACTS, ROOT, free_port
from lite_util import cell_outputs, npm_or_skip, open_notebook, run_all, wait_for_kernel
from browser_util import chromium_or_skip, chromium_page

pytestmark = [pytest.mark.lite, pytest.mark.browser]

BIN = Path(sys.executable).parent
PROXY = ROOT / "lite" / "node_modules" / ".bin" / "configurable-http-proxy"
TARGET = "vnetlab-class"  # nbgitpuller clones into a folder named after the repository: the published release
# (README, "Running a workshop")
LEARNERS = ("ada", "grace")


def readme_link() -> str:
    links = re.findall(r"https://[^\s/]+/hub/user-redirect/git-pull\?[^\s)`]+", (ROOT / "README.md").read_text())
    assert len(links) == 1, links
    return links[0]


def nbgitpuller_link(hub: str, repo: Path) -> str:
    """The README's link, for this hub and a local copy of the release: JupyterHub logs the learner in,
    nbgitpuller clones (or updates) the release into ~/vnetlab and opens the start page in JupyterLab."""
    _, _, path, query, _ = urlsplit(readme_link())
    fields = {key: values[0] for key, values in parse_qs(query).items()}
    assert fields["urlpath"].startswith(f"lab/tree/{TARGET}/") and repo.name == TARGET
    fields["repo"] = f"file://{repo}"
    return f"{hub.rstrip('/')}{path}?{urlencode(fields)}"


def test_the_readme_gives_the_kubernetes_configuration_for_nbgitpuller():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for word in ("singleuser:", "lifecycleHooks:", "postStart:", "gitpuller", "nbgitpuller"):
        assert word in readme, word


def release_repository(tmp: Path) -> Path:
    """A git repository holding the learner release, made as an instructor makes it (README, "Running a
    workshop"): ``vnetlab release`` writes the lessons, the exercises generated afresh from the solutions and the
    package with its visible checks only."""
    repo = tmp / TARGET
    subprocess.run([str(BIN / "vnetlab"), "release", "--course", str(ROOT), "--out", str(repo)], check=True,
                   stdout=subprocess.DEVNULL)
    env = {**os.environ, "GIT_AUTHOR_NAME": "vnetlab", "GIT_AUTHOR_EMAIL": "vnetlab@example.invalid",
           "GIT_COMMITTER_NAME": "vnetlab", "GIT_COMMITTER_EMAIL": "vnetlab@example.invalid"}
    for command in (["git", "init", "-q", "-b", "main"], ["git", "add", "."], ["git", "commit", "-q", "-m", "release"]):
        subprocess.run(command, cwd=repo, env=env, check=True)
    return repo


HUB_CONFIG = """
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.JupyterHub.db_url = "sqlite:///{tmp}/hub.sqlite"
c.JupyterHub.cookie_secret_file = "{tmp}/cookie_secret"
c.JupyterHub.pid_file = "{tmp}/hub.pid"
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{tmp}/home/{{username}}"
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.args = ["--allow-root", "--LabApp.expose_app_in_browser=True"]
c.Spawner.default_url = "/lab"
c.Spawner.http_timeout = 300
c.Spawner.start_timeout = 300
c.Spawner.environment = {{"JUPYTER_CONFIG_DIR": "{tmp}/jupyter-config", "IPYTHONDIR": "{tmp}/ipython"}}
"""


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    chromium_or_skip()
    if not PROXY.is_file():
        npm_or_skip()
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT / "lite", check=True)
    tmp = tmp_path_factory.mktemp("hub")
    port, hub_port, api_port = free_port(), free_port(), free_port()
    (tmp / "jupyterhub_config.py").write_text(HUB_CONFIG.format(
        port=port, hub_port=hub_port, api_port=api_port, proxy=str(PROXY), tmp=tmp,
        singleuser=str(BIN / "jupyterhub-singleuser")))
    env = {**os.environ, "CONFIGPROXY_AUTH_TOKEN": secrets.token_hex(16)}
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / "jupyterhub.log", "w")
    process = subprocess.Popen([str(BIN / "jupyterhub"), "-f", str(tmp / "jupyterhub_config.py")], cwd=tmp,
                               env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    while True:
        try:
            urllib.request.urlopen(f"{base}hub/health", timeout=5)
            break
        except (urllib.error.URLError, ConnectionError, OSError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"JupyterHub did not start: see {ARTIFACTS / 'jupyterhub.log'}")
            time.sleep(1)
    try:
        yield base, release_repository(tmp), tmp
    finally:
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
        log.close()


@pytest.mark.parametrize("learner", LEARNERS)
def test_a_learner_pulls_the_release_and_runs_a_lesson_and_a_check(hub, learner):
    base, repo, tmp = hub
    link = nbgitpuller_link(base, repo)
    with chromium_page() as page:
        page.goto(link)
        page.fill("input[name=username]", learner)
        page.fill("input[name=password]", "any")
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_url(re.compile(rf"/user/{learner}/lab"), timeout=300_000)
        wait_for_kernel(page)
        state = page.evaluate("() => window.jupyterapp.shell.currentWidget.context.path")
        assert state == f"{TARGET}/notebooks/00-start-here.ipynb"
        state = run_all(page)
        assert state["errors"] == [] and state["plots"] >= 1, state
        page.screenshot(path=str(ARTIFACTS / f"hub-{learner}-lesson.png"))

        open_notebook(page, f"{base}user/{learner}/lab/tree/{TARGET}/exercises/01-address-spaces.ipynb")
        state = run_all(page)
        assert state["errors"] == [], state
        feedback = cell_outputs(page, "ex.check('q1'")
        assert "Plan the subnets of your VNet" in feedback and "vnetlab-feedback" in feedback
        assert "No answer yet" in feedback
    home = tmp / "home" / learner / TARGET
    assert (home / "notebooks" / "00-start-here.ipynb").is_file()
    assert (home / "exercises" / "01-address-spaces.ipynb").is_file()
    assert not (home / "solutions").exists()
    # the release's package: the visible checks only (every line of the hidden-check regions is gone)
    hidden = re.findall(r"# BEGIN HIDDEN CHECKS\n(.*?)# END HIDDEN CHECKS",
                        (ROOT / "vnetlab" / "grading" / "questions_03.py").read_text(encoding="utf-8"), re.S)
    released = (home / "vnetlab" / "grading" / "questions_03.py").read_text(encoding="utf-8")
    defs = [line for region in hidden for line in region.splitlines() if line.lstrip().startswith("def ")]
    assert defs and not [line for line in defs if line in released]
