"""The ways into the course agree: pyproject.toml (``make``), environment.yml (conda, Binder), the Makefile's
targets and the CI entry point ``.ci/run``.

A learner who uses conda gets the same packages as one who runs ``make lab``; ``make lab``/``make test`` do
what the README says; CI runs every test, treats "no tests" and a missing browser as failures.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]

# conda-forge names that differ from the PyPI names in pyproject.toml (conda name -> PyPI name).
CONDA_TO_PYPI = {
    "playwright-python": "playwright",  # conda-forge packages Playwright's Python library under this name
}
NOT_DEPENDENCIES = {"python", "pip"}  # the interpreter (compared with requires-python) and the installer


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def conda_specs() -> dict[str, str]:
    """environment.yml's conda packages: PyPI-normalised name -> version specifier (e.g. ">=4.2")."""
    specs = {}
    for entry in environment()["dependencies"]:
        if isinstance(entry, str):
            name, spec = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(.*)", entry).groups()
            specs[canonicalize_name(CONDA_TO_PYPI.get(name, name))] = spec.replace(" ", "")
    return specs


def extra(name: str) -> list[Requirement]:
    """pyproject.toml's optional-dependencies ``name``, with the package's own extras (``vnetlab[nbgrader]``)
    replaced by their requirements."""
    project = pyproject()["project"]
    requirements = []
    for requirement in map(Requirement, project["optional-dependencies"][name]):
        if canonicalize_name(requirement.name) == canonicalize_name(project["name"]):
            requirements += [r for own in sorted(requirement.extras) for r in extra(own)]
        else:
            requirements.append(requirement)
    return requirements


def pypi_specs() -> dict[str, str]:
    """pyproject.toml's runtime and test requirements: normalised name -> version specifier."""
    requirements = [Requirement(r) for r in pyproject()["project"]["dependencies"]] + extra("test")
    return {canonicalize_name(r.name): str(r.specifier) for r in requirements}


def test_environment_yml_lists_the_same_packages_and_versions_as_pyproject():
    conda = {name: spec for name, spec in conda_specs().items() if name not in NOT_DEPENDENCIES}
    pypi = pypi_specs()
    assert sorted(set(pypi) - set(conda)) == [], "in pyproject.toml but not in environment.yml"
    assert sorted(set(conda) - set(pypi)) == [], "in environment.yml but not in pyproject.toml"
    assert conda == pypi


def test_environment_yml_uses_conda_forge_the_same_python_and_installs_the_package():
    env = environment()
    assert env["channels"] == ["conda-forge"]
    assert conda_specs()["python"] == pyproject()["project"]["requires-python"]
    pip_sections = [entry["pip"] for entry in env["dependencies"] if isinstance(entry, dict)]
    assert pip_sections and any(re.fullmatch(r"-e \.(\[test\])?|\.(\[test\])?", line)
                                for line in pip_sections[0]), pip_sections


# --- the Makefile -------------------------------------------------------------------------------------------
def make_env() -> dict[str, str]:
    """This environment without what an enclosing `make test` passes down to sub-makes."""
    return {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}


needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def dry_run(*args: str) -> str:
    """What `make -n ARGS` would run, without running it."""
    done = subprocess.run(["make", "--no-print-directory", "-n", *args], cwd=ROOT, env=make_env(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_makefile_has_the_documented_targets():
    targets = set(re.findall(r"^([A-Za-z][\w-]*):", (ROOT / "Makefile").read_text(), re.MULTILINE))
    assert {"lab", "test", "bench", "exercises", "setup", "clean"} <= targets


@needs_make
def test_make_lab_runs_jupyterlab_on_the_start_page_on_localhost_as_root_too():
    commands = dry_run("lab", "LAB_ARGS=--port=8765")
    lab = [line for line in commands.splitlines() if " lab " in line and "jupyter" in line]
    assert lab, commands
    assert ".venv/bin/jupyter lab notebooks/00-start-here.ipynb" in lab[0]
    for flag in ("--ip=127.0.0.1", "--allow-root", "--port=8765"):
        assert flag in commands


@needs_make
def test_make_test_and_bench_run_pytest_and_the_benchmarks_from_the_venv():
    assert ".venv/bin/python -m pytest" in dry_run("test")
    assert ".venv/bin/python benchmarks/run.py" in dry_run("bench")


@needs_make
def test_make_test_fails_when_pytest_collects_no_tests():
    done = subprocess.run(["make", "--no-print-directory", "test",
                           "PYTEST_ARGS=tests/test_environment.py -k no_test_has_this_name -p no:cacheprovider"],
                          cwd=ROOT, env=make_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode != 0, done.stdout
    assert "collected no tests" in done.stderr


# --- .ci/run ------------------------------------------------------------------------------------------------
FAKE = """#!/bin/sh
echo "$(basename "$0") $* VNETLAB_REQUIRE_BROWSER=${VNETLAB_REQUIRE_BROWSER:-}" >> "$(dirname "$0")/calls"
[ "$(basename "$0")" = make ] && exit "${FAKE_MAKE_STATUS:-0}"
exit 0
"""


def run_ci(tmp_path: Path, make_status: int) -> tuple[int, list[str]]:
    """Run .ci/run with stand-ins for make, apt-get and sudo that record their calls."""
    bin_dir = tmp_path / f"bin-{make_status}"
    bin_dir.mkdir()
    for tool in ("make", "apt-get", "sudo"):
        (bin_dir / tool).write_text(FAKE)
        (bin_dir / tool).chmod(0o755)
    env = {**make_env(), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "FAKE_MAKE_STATUS": str(make_status)}
    env.pop("VNETLAB_REQUIRE_BROWSER", None)
    done = subprocess.run(["bash", str(ROOT / ".ci" / "run")], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)
    calls = (bin_dir / "calls").read_text().splitlines() if (bin_dir / "calls").exists() else []
    return done.returncode, calls


def test_ci_runs_make_test_with_the_browser_required(tmp_path):
    status, calls = run_ci(tmp_path, make_status=0)
    assert status == 0
    assert calls[-1] == "make test VNETLAB_REQUIRE_BROWSER=1"
    if not Path("/usr/bin/chromium").exists():  # then .ci/run installs it first
        assert "apt-get install -y chromium" in " ".join(calls)


@pytest.mark.parametrize("make_status", [1, 2, 5])
def test_ci_fails_when_make_test_fails(tmp_path, make_status):
    status, calls = run_ci(tmp_path, make_status)
    assert status == make_status
    assert calls[-1].startswith("make test")
