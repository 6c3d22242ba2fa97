"""The course on Binder / repo2docker and on a JupyterHub: ``environment.yml`` and ``postBuild`` build the same
environment as ``make setup``, and the README's Binder badge and nbgitpuller link open the start page of the published
release (the repository learners get, made by ``vnetlab release``).

repo2docker installs ``environment.yml`` and then runs ``postBuild``; here ``postBuild`` runs with stand-ins for
``python`` and ``jupyter`` that record their calls, so the test checks what it does without installing anything.
"""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest

from test_environment import conda_specs, environment, make_env, needs_make, pypi_specs

ROOT = Path(__file__).resolve().parents[1]
POSTBUILD = ROOT / "postBuild"
OVERRIDES = ROOT / "jupyter" / "overrides.json"
START_PAGE = "notebooks/00-start-here.ipynb"
PUBLISHED = "vnetlab-class"  # the repository learners get: the release (README, "Publish a release for a class")
SETTINGS = Path("share/jupyter/lab/settings/overrides.json")  # under the environment's prefix (sys.prefix)

# `python -c ...` (postBuild asks for sys.prefix) answers with the fake prefix; every other call is recorded.
FAKE = """#!/bin/sh
echo "$(basename "$0") $*" >> "$(dirname "$0")/calls"
if [ "$(basename "$0")" = python ] && [ "$1" = -c ]; then echo "$FAKE_PREFIX"; fi
exit 0
"""


def test_postbuild_is_an_executable_bash_script():
    assert POSTBUILD.is_file(), "repo2docker runs ./postBuild after environment.yml"
    assert os.access(POSTBUILD, os.X_OK), "repo2docker runs postBuild only when it is executable"
    assert POSTBUILD.read_text(encoding="utf-8").startswith("#!/usr/bin/env bash\n")
    done = subprocess.run(["bash", "-n", str(POSTBUILD)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr


@pytest.fixture
def postbuild(tmp_path) -> tuple[list[str], Path]:
    """Run postBuild from the repository root with stand-ins; return its calls and the environment prefix."""
    bin_dir, prefix = tmp_path / "bin", tmp_path / "prefix"
    bin_dir.mkdir()
    for tool in ("python", "jupyter"):
        (bin_dir / tool).write_text(FAKE)
        (bin_dir / tool).chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "FAKE_PREFIX": str(prefix)}
    done = subprocess.run([str(POSTBUILD)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return (bin_dir / "calls").read_text().splitlines(), prefix


def test_postbuild_installs_the_package_and_the_kernel_the_notebooks_ask_for(postbuild):
    calls, _ = postbuild
    assert "python -m pip install --no-deps -e ." in calls
    kernel = [c for c in calls if c.startswith("python -m ipykernel install")]
    assert kernel and "--sys-prefix" in kernel[0] and "--name python3" in kernel[0]


def test_postbuild_and_make_setup_finish_the_environment_the_same_way(postbuild, tmp_path):
    """Same JupyterLab settings file (no news prompt), same nbgrader menus switched off."""
    calls, prefix = postbuild
    assert (prefix / SETTINGS).read_text(encoding="utf-8") == OVERRIDES.read_text(encoding="utf-8")
    assert "jupyter labextension disable --level=sys_prefix @jupyter/nbgrader" in calls
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "$(BIN)/jupyter labextension disable --level=sys_prefix @jupyter/nbgrader" in makefile
    # ... and the same quiet start: nbgrader's server extensions and notebook_shim off (tests/test_make_lab.py).
    for ext in ("formgrader", "validate_assignment", "assignment_list", "course_list"):
        assert f"jupyter server extension disable --sys-prefix nbgrader.server_extensions.{ext}" in calls
    assert "jupyter server extension disable --sys-prefix notebook_shim" in calls
    assert "$(BIN)/jupyter server extension disable --sys-prefix notebook_shim" in makefile


@needs_make
def test_make_setup_writes_the_same_jupyterlab_settings_as_postbuild(tmp_path):
    venv = tmp_path / "venv"
    done = subprocess.run(["make", "--no-print-directory", f"VENV={venv}", "-o", f"{venv}/.installed",
                           str(venv / SETTINGS)], cwd=ROOT, env=make_env(), capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert (venv / SETTINGS).read_text(encoding="utf-8") == OVERRIDES.read_text(encoding="utf-8")


def test_jupyterlab_settings_switch_the_news_prompt_off():
    import json

    settings = json.loads(OVERRIDES.read_text(encoding="utf-8"))
    assert settings["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"


def test_binder_reads_environment_yml_from_the_root_with_nbgrader_and_the_package():
    # repo2docker looks only in binder/ (or .binder/) when such a folder exists, ignoring the root's files.
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists()
    assert conda_specs()["nbgrader"] == pypi_specs()["nbgrader"]
    pip = next(entry["pip"] for entry in environment()["dependencies"] if isinstance(entry, dict))
    assert "-e ." in pip


# --- the README's links ---------------------------------------------------------------------------------------
def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def encoded(base: str, **query: str) -> str:
    """``base?query`` with every value URL-encoded, as mybinder.org's and nbgitpuller's link generators do."""
    return f"{base}?{urlencode(query, quote_via=quote, safe='')}"


def binder_links() -> list[str]:
    return re.findall(r"https://mybinder\.org/v2/gh/[^\s)`]+", readme())


def test_readme_has_a_binder_badge_opening_the_start_page():
    links = binder_links()
    assert links, "no Binder link in README.md"
    assert "[![Binder](https://mybinder.org/badge_logo.svg)](" + links[0] + ")" in readme()
    for link in links:
        _, _, path, query, _ = urlsplit(link)
        org, repo, branch = path.removeprefix("/v2/gh/").split("/")
        assert repo == PUBLISHED
        assert link == encoded(f"https://mybinder.org/v2/gh/{org}/{repo}/{branch}", urlpath=f"lab/tree/{START_PAGE}")
        assert (ROOT / START_PAGE).exists()


def test_readme_has_an_nbgitpuller_link_template_for_the_same_repository():
    links = re.findall(r"https://[^\s/]+/hub/user-redirect/git-pull\?[^\s)`]+", readme())
    assert len(links) == 1, links
    link = links[0]
    _, _, path, query, _ = urlsplit(link)
    fields = {k: v[0] for k, v in parse_qs(query).items()}
    org, repo, branch = urlsplit(binder_links()[0]).path.removeprefix("/v2/gh/").split("/")
    # nbgitpuller clones into a folder named after the repository, so the start page is under it.
    expected = {"repo": f"https://github.com/{org}/{repo}", "urlpath": f"lab/tree/{repo}/{START_PAGE}",
                "branch": branch}
    assert fields == expected
    assert link == encoded(link.split("?")[0], **expected)
    for placeholder in ("YOUR-ORG", "YOUR-HUB"):
        assert f"Replace `{placeholder}`" in readme() or f"replace `{placeholder}`" in readme()
