"""What a learner's notebook imports also runs in the browser (JupyterLite's Pyodide kernel, ``make lite``): no
server packages among the package's requirements, no process control on the learner's side, and the drill
history kept where the browser keeps files. Fast checks; the browser itself is driven in tests/test_lite.py.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from test_environment import pyproject

ROOT = Path(__file__).resolve().parents[1]
SERVER_SIDE = {"jupyterlab", "voila", "nbclient", "ipykernel", "jupyter-server", "notebook"}


def test_the_package_requires_nothing_that_cannot_install_in_the_browser():
    runtime = {canonicalize_name(Requirement(r).name) for r in pyproject()["project"]["dependencies"]}
    assert runtime & SERVER_SIDE == set()
    lab = {canonicalize_name(Requirement(r).name) for r in pyproject()["project"]["optional-dependencies"]["lab"]}
    assert {"jupyterlab", "voila", "nbclient", "ipykernel"} <= lab


def test_every_runtime_requirement_has_a_pinned_wheel_for_the_browser():
    lines = (ROOT / "lite" / "requirements-pyodide.txt").read_text().splitlines()
    pinned = {canonicalize_name(Requirement(line.split("#")[0]).name): Requirement(line.split("#")[0])
              for line in lines if line.split("#")[0].strip()}
    for text in pyproject()["project"]["dependencies"]:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{name} has no wheel in lite/requirements-pyodide.txt"
        version = next(iter(pinned[name].specifier)).version
        assert requirement.specifier.contains(version), f"{name}=={version} does not meet {requirement}"


LEARNER_SIDE = """
import json, sys
import vnetlab, vnetlab.widgets, vnetlab.grading, vnetlab.drills
ex = vnetlab.grading.exercise("01-address-spaces", learner="ada")
ex.check("q1", None)
vnetlab.widgets.DrillWidget
print(json.dumps(sorted(sys.modules)))
"""


def test_learner_side_code_loads_no_process_control_and_no_server(tmp_path):
    done = subprocess.run([sys.executable, "-c", LEARNER_SIDE], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    modules = set(json.loads(done.stdout.splitlines()[-1]))
    assert modules & {"subprocess", "signal", "resource", "multiprocessing"} == set(), \
        "Pyodide has no processes or signals"
    assert modules & {"vnetlab.grading.grader", "vnetlab.grading.runner", "vnetlab.grading.sandbox",
                      "vnetlab.drills.server", "vnetlab.drills.cli", "vnetlab.cli"} == set()
    assert {m.split(".")[0] for m in modules} & {"jupyterlab", "voila", "nbclient", "ipykernel"} == set()


def test_in_the_browser_drill_progress_is_kept_under_the_working_directory(monkeypatch, tmp_path):
    from vnetlab.drills import progress

    monkeypatch.delenv(progress.ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "platform", "emscripten")
    assert progress.default_path().parent.parent == tmp_path
    assert progress.default_path().name == "drill-progress.json"
    monkeypatch.setenv(progress.ENV_VAR, str(tmp_path / "mine.json"))
    assert progress.default_path() == tmp_path / "mine.json"  # an explicit choice still wins


def test_outside_the_browser_drill_progress_follows_xdg(monkeypatch, tmp_path):
    from vnetlab.drills import progress

    monkeypatch.delenv(progress.ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setattr(sys, "platform", "linux")
    assert progress.default_path() == tmp_path / "vnetlab" / "drill-progress.json"


ANSWER_WITHOUT_FLOCK = """
import json, sys, types
sys.modules["fcntl"] = types.ModuleType("fcntl")  # as in Pyodide: the module exists, without flock
sys.platform = "emscripten"
from vnetlab.widgets import DrillWidget
from vnetlab.drills.progress import default_path
drill = DrillWidget()
if drill.session.current.kind == "choice":
    first = drill.choices.options[0]
    drill.choices.value = first[1] if isinstance(first, tuple) else first
else:
    drill.text.value = "10.0.0.0/24"
drill._on_submit()
print(json.dumps({"error": repr(drill.last_error), "path": str(default_path()),
                  "attempts": len(json.loads(default_path().read_text())["attempts"])}))
"""


def test_a_drill_answer_is_saved_where_fcntl_has_no_flock_as_in_pyodide(tmp_path):
    done = subprocess.run([sys.executable, "-c", ANSWER_WITHOUT_FLOCK], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    assert result == {"error": "None", "path": str(tmp_path / ".vnetlab" / "drill-progress.json"), "attempts": 1}
