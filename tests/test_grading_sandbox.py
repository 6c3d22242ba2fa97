"""The sandbox itself: what a submission's process sees in it, the grader environment it imports vnetlab from,
and how grading behaves where no sandbox can run (it refuses, unless told ``--no-sandbox``, which every row and
feedback file then states). The hostile batch is ``test_grading_hostile.py``."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vnetlab.cli import main
from vnetlab.errors import SandboxError
from vnetlab.grading import sandbox

sys.path.insert(0, str(Path(__file__).parent))
from grading_support import EX1, need_sandbox  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PROBE = r'''
import json, os, socket, vnetlab
def can_write(path):
    try:
        with open(os.path.join(path, "probe.txt"), "w") as f:
            f.write("x")
        return True
    except OSError:
        return False
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2).close()
    net = True
except OSError:
    net = False
print(json.dumps({"vnetlab": vnetlab.__file__, "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
                  "cwd": os.getcwd(), "repo": os.listdir(%(repo)r) if os.path.isdir(%(repo)r) else [],
                  "solutions": os.path.exists(%(repo)r + "/solutions"), "cache": os.listdir(%(cache)r),
                  "write_usr": can_write("/usr"), "write_cwd": can_write("."), "net": net,
                  "env": sorted(os.environ)}))
'''


def test_a_process_in_the_sandbox_sees_nothing_of_the_grader():
    need_sandbox()
    launch = sandbox.bwrap_launch(sandbox.grader_env())
    env = sandbox.grader_env().parent.parent
    argv = launch.argv[:-2] + ["-c", PROBE % {"repo": str(ROOT), "cache": str(env.parent)}]
    seen = json.loads(subprocess.run(argv, capture_output=True, text=True, check=True, timeout=120).stdout)
    # of the repository, only the folders leading to what is bound read-only (here the venv's site-packages)
    assert not seen["solutions"] and set(seen["repo"]) <= {".venv"}
    assert seen["cache"] == [env.name]  # of the grader's files, only its environment
    assert Path(seen["vnetlab"]).is_relative_to(sandbox.grader_env().parent.parent)  # the copy, not the checkout
    assert seen["pids"] == [1, 2]  # its own PID namespace: bwrap's init and itself
    assert seen["cwd"] == sandbox.SCRATCH and seen["write_cwd"] and not seen["write_usr"]
    assert not seen["net"]
    assert set(seen["env"]) <= set(sandbox.sandbox_env(sandbox.SCRATCH)) | {"PWD", "OLDPWD", "SHLVL", "_"}


def test_the_grader_environment_holds_a_copy_of_the_package_not_the_checkout(tmp_path):
    python = sandbox.grader_env()
    assert python == sandbox.grader_env()  # made once, reused
    where = subprocess.run([str(python), "-c", "import vnetlab, vnetlab.grading.questions_01; print(vnetlab.__file__)"],
                           capture_output=True, text=True, check=True, timeout=120, cwd=tmp_path).stdout.strip()
    package = Path(where).parent
    assert package.is_relative_to(python.parent.parent)
    assert not any((parent / "solutions").exists() for parent in package.parents)
    assert sandbox.package_files(package) == sandbox.package_files()  # every file a wheel would hold
    assert (package / "data").is_dir()


def test_a_notebook_in_the_sandbox_cannot_run_the_hidden_checks(tmp_path):
    """The package a submission imports is the learner release's (hidden checks removed): a cell that tries to
    grade itself with the hidden checks, to tune its answer until they pass, finds none."""
    python = sandbox.grader_env()
    probe = ("import json, vnetlab.grading as g\n"
             "print(json.dumps({n: sum(len(q.hidden) for q in g.spec(n).questions) for n in g.EXERCISES}))")
    counts = json.loads(subprocess.run([str(python), "-c", probe], capture_output=True, text=True, check=True,
                                       timeout=120, cwd=tmp_path).stdout)
    assert counts and not any(counts.values()), counts
    refused = subprocess.run([str(python), "-c", "from vnetlab.grading.instructor import require_hidden_checks as r; r()"],
                             capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert refused.returncode != 0 and "learner release" in refused.stderr


def test_the_grader_environment_is_made_anew_when_the_package_changes(tmp_path):
    copy = tmp_path / "vnetlab"
    for rel in sandbox.package_files():
        (copy / rel).parent.mkdir(parents=True, exist_ok=True)
        (copy / rel).write_bytes((sandbox._package_dir() / rel).read_bytes())
    assert sandbox.env_key(copy) == sandbox.env_key()
    (copy / "grading" / "core.py").write_text((copy / "grading" / "core.py").read_text() + "\n# changed\n")
    assert sandbox.env_key(copy) != sandbox.env_key()


def test_without_a_usable_sandbox_grading_refuses_and_says_what_to_do(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sandbox, "bwrap_problem", lambda: "bubblewrap is not installed (Debian/Ubuntu: apt-get "
                                                          "install bubblewrap)")
    monkeypatch.setattr(sandbox, "container_engines", lambda: {})
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / f"{EX1}.ipynb").write_text("{}")
    assert main(["grade", str(tmp_path / "subs"), "--out", str(tmp_path / "out"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "bubblewrap is not installed" in err and "--no-sandbox" in err and "--sandbox container" in err
    assert not (tmp_path / "out").exists()  # nothing graded, nothing written
    with pytest.raises(SandboxError, match="docker or podman"):
        sandbox.prepare("container")


def test_no_sandbox_is_stated_in_every_row_and_feedback_file(tmp_path, capsys):
    for who in ("ann", "ben"):  # not notebooks: rows without a kernel, which is enough for the statement
        (tmp_path / "subs" / who).mkdir(parents=True)
        (tmp_path / "subs" / who / f"{EX1}.ipynb").write_text("not JSON")
    out = tmp_path / "out"
    assert main(["grade", str(tmp_path / "subs"), "--out", str(out), "--no-progress", "--no-sandbox",
                 "--learner-from", "folder"]) == 0
    assert "--no-sandbox" in capsys.readouterr().err
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2 and all("WITHOUT a sandbox" in row["sandbox"] for row in rows)
    for path in (out / "feedback").glob("*.md"):
        assert "WITHOUT a sandbox" in path.read_text(encoding="utf-8")


def test_a_container_runs_without_network_capabilities_or_a_writable_root():
    argv = sandbox.container_launch("podman", "vnetlab-grader:test", 2048).argv
    text = " ".join(argv)
    for flag in ("--network none", "--read-only", "--cap-drop ALL", "no-new-privileges", "--pids-limit", "--rm"):
        assert flag in text, flag
    assert "-v" not in argv and "--volume" not in argv and "--mount" not in argv  # nothing of this machine inside


def test_the_wheel_and_the_grader_environment_hold_the_same_files():
    """Every file of the package folder is packaged by pyproject.toml (so a pip install has the data files the
    lessons and the sandboxed notebooks read), and the grader environment copies exactly those."""
    import fnmatch

    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["vnetlab"]
    files = [str(rel) for rel in sandbox.package_files()]
    unpackaged = [f for f in files if not f.endswith(".py") and not any(fnmatch.fnmatch(f, g) for g in globs)]
    assert not unpackaged, f"not in pyproject's package-data, so missing from a wheel: {unpackaged}"
    python = sandbox.grader_env()
    copied = python.parent.parent / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages" / "vnetlab"
    assert sorted(str(p.relative_to(copied)) for p in copied.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts) == sorted(files)


def test_a_python_environment_under_tmp_stays_visible_in_the_sandbox(monkeypatch):
    """A checkout (and its .venv) may live under /tmp, as a CI clone does: the sandbox's empty /tmp must be mounted
    before the environment's read-only binds, or it hides them and no submission can start."""
    monkeypatch.setattr(sandbox, "dependency_paths", lambda: ["/tmp/some-clone/.venv/lib/python3/site-packages"])
    argv = sandbox.bwrap_launch(Path("/tmp/cache/grader-env/bin/python")).argv
    tmpfs = argv.index("/tmp", argv.index("--tmpfs"))
    binds = [i for i, arg in enumerate(argv) if arg == "--ro-bind" and argv[i + 1].startswith("/tmp/")]
    assert binds and all(i > tmpfs for i in binds), argv


def test_stale_grader_environments_are_pruned_and_recent_ones_kept(tmp_path):
    """Each package change makes a new grader environment; the ones nothing has used for two weeks go, while
    one another checkout used recently stays, and so does the current one however old its files are."""
    old, recent, current = (tmp_path / f"grader-env-{name}" for name in ("aaaa", "bbbb", "cccc"))
    for env in (old, recent, current):
        (env / "bin").mkdir(parents=True)
    month_ago = time.time() - 30 * 86400
    os.utime(old, (month_ago, month_ago))
    os.utime(current, (month_ago, month_ago))
    (tmp_path / "unrelated").mkdir()
    os.utime(tmp_path / "unrelated", (month_ago, month_ago))
    assert sandbox.prune_grader_envs(tmp_path, keep=current) == [old]
    assert not old.exists() and recent.exists() and current.exists() and (tmp_path / "unrelated").exists()
