"""``vnetlab grade``: run each submission in a fresh kernel, take its answers out as data, re-check them here.

For every submitted notebook:

1. read it in this process (an empty file, text that is not JSON, JSON that is not a notebook, an exercise
   that is not known each give a row with that reason); find the exercise (notebook metadata
   ``vnetlab.exercise``, else the file name) and the learner id (the literal ``LEARNER = "..."`` cell, read
   with :mod:`ast`, never by running it);
2. copy it, without outputs, with the answers sidecar beside it (:mod:`vnetlab.grading.answers`), into a
   scratch folder, append one *extraction cell* and execute it with nbclient in a fresh kernel: a time limit
   per cell (the cell is interrupted, the error recorded, the run goes on) and one for the whole notebook
   (the kernel is killed); cells that raise are recorded and the run goes on, so what was defined is still
   graded;
3. the extraction cell prints the answer variables the questions name, as JSON, behind a random per-run
   marker; only the last marker line of that cell's own output is read. The widget answers are read from the
   sidecar after the run, in this process;
4. every check, visible and hidden, runs here on that plain data, with this process's own vnetlab (networks
   are rebuilt with ``Network.from_dict``): nothing computed in the learner's kernel is trusted, so a
   redefined ``check``, a monkeypatched vnetlab or printed "success" changes nothing;
5. ``gradebook.csv`` (one row per submission, sorted by learner, exercise and file: points per question, total,
   max, status, reason, tamper), ``timings.csv`` (seconds per submission, the only output that differs between two runs),
   ``checks.csv`` (every check, for the instructor), ``stats.csv`` (per question across the class) and
   ``feedback/<learner>-<exercise>.md`` (visible checks with their messages; hidden checks counted, each failed
   one named by the rule it tested, never its expected value). What
   :mod:`vnetlab.grading.tamper` detects (edited locked cells or metadata, a redefined ``check``, monkeypatching,
   fake success output, reading ``solutions/``) is reported in the ``tamper`` column and a "Detected" section of
   the feedback; it never changes a score.

Statuses: ``ok``; ``errors`` (a cell raised; the rest graded); ``timeout`` (a cell was interrupted, the rest
graded; or the whole notebook ran out of time, nothing taken out); ``kernel-died``; ``no-answers`` (the
extraction printed nothing readable); ``memory`` (a cell ran out of the kernel's memory limit and raised
``MemoryError``, the rest graded); ``corrupt``; ``unknown-exercise``; ``grader-error`` (a bug here; the
batch goes on). Widget answers in the sidecar are graded whatever the status. The kernel's process group
is killed after each run, so no kernel (or process it started) is left behind.

Batches: ``jobs`` kernels at a time (default: one per core); on Linux each kernel (and what it starts) gets an
address-space limit (``memory_limit`` MB, ``RLIMIT_AS``); the kernel runs with ``VNETLAB_GRADING=1``, under which
the widgets build no plotly front end (nobody watches a graded run; widget answers come from the sidecar). The
reports are written to a scratch folder and then replace the grader's own files in ``out`` (``gradebook.csv``,
``checks.csv``, ``stats.csv``, ``timings.csv``, ``feedback/``): running the same batch again gives the same
files, and no feedback is left from a submission that is gone.

Learner code runs with the grader's rights: run ``vnetlab grade`` in a container or a throw-away account.
"""
from __future__ import annotations

import ast
import asyncio
import copy
import csv
import functools
import inspect
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from ..errors import GradingError
from . import EXERCISES, answers, tamper
from .core import MISSING, PLACEHOLDER_LEARNER, ExerciseSpec, QuestionResult, evaluate, hidden_feedback
from .instructor import full_spec as spec  # hidden checks included: from the instructor's copy only
from .plain import to_plain

LEARNER_SOURCES = ("notebook", "folder", "file")
MAX_NOTEBOOK_BYTES = 50_000_000
MAX_PAYLOAD_CHARS = 5_000_000
TIMEOUT_ENAME = "CellTimeout"
GRADING_ENV = "VNETLAB_GRADING"  # read by vnetlab.widgets.figure_widget in the kernel
MEMORY_LIMITS = sys.platform.startswith("linux")  # RLIMIT_AS as the kernel is started: Linux only
REPORTS = ("gradebook.csv", "checks.csv", "stats.csv", "timings.csv", "feedback")  # what the grader owns in out


@dataclass(frozen=True)
class Options:
    out: Path = Path("gradebook")
    timeout: float = 300.0        # whole notebook, seconds
    cell_timeout: float = 60.0    # one cell, seconds
    jobs: int = os.cpu_count() or 1  # notebooks run at the same time
    learner_from: str = "notebook"
    kernel: str = "python3"
    memory_limit: int | None = 2048  # MB of address space per kernel (Linux); None: no limit
    progress: bool = False        # a progress line on stderr


@dataclass
class Graded:
    """One gradebook row and what it is made of."""

    path: Path
    learner: str
    exercise: str | None
    status: str
    reason: str = ""
    results: list[QuestionResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tamper: list[tamper.Finding] = field(default_factory=list)  # reported, never scored
    seconds: float = 0.0

    @property
    def total(self) -> float:
        return sum(r.earned for r in self.results)

    @property
    def max(self) -> float:
        return spec(self.exercise).points if self.exercise in EXERCISES else 0.0


class Fault(Exception):
    """A submission that cannot be run: its status and reason go into its row."""

    def __init__(self, status: str, reason: str, exercise: str | None = None) -> None:
        super().__init__(reason)
        self.status, self.reason, self.exercise = status, reason, exercise


@dataclass
class Submission:
    path: Path
    nb: Any
    spec: ExerciseSpec
    declared: str | None     # LEARNER as written in the notebook
    learner: str             # the id whose givens the answers are checked against
    notes: list[str]


@dataclass
class Run:
    payload: dict | None
    sidecar: dict
    status: str
    reason: str


# --- reading a submission ------------------------------------------------------------------------------------
def find_submissions(paths: Sequence["str | os.PathLike"]) -> list[Path]:
    """Notebooks named on the command line, and every ``*.ipynb`` under the folders named."""
    found: list[Path] = []
    for item in map(Path, paths):
        if item.is_dir():
            found += sorted(p for p in item.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        else:
            found.append(item)
    return list(dict.fromkeys(found))


def declared_learner(nb: Any) -> str | None:
    """The last ``LEARNER = "<text>"`` in the notebook's code, read as source (never executed)."""
    found = None
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        try:
            tree = ast.parse(cell.get("source", ""))
        except (SyntaxError, ValueError):
            continue  # e.g. a cell with IPython magics
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "LEARNER" for t in node.targets):
                value = node.value.value if isinstance(node.value, ast.Constant) else None
                found = value.strip() if isinstance(value, str) and value.strip() else None
    return found


def _exercise_of(nb: Any, path: Path) -> str:
    meta = nb.metadata.get("vnetlab", {})
    name = meta.get("exercise") if isinstance(meta, dict) else None
    if name in EXERCISES:
        return name
    by_name = [n for n in EXERCISES if n in path.name]
    if by_name:
        return by_name[0]
    raise Fault("unknown-exercise", f"not one of the graded exercises ({', '.join(EXERCISES)}): no "
                                    "vnetlab.exercise in the notebook metadata and no exercise name in the file name")


def _path_learner(path: Path, options: Options) -> str:
    """The learner id a submission's path gives: its folder's name with ``--learner-from folder``, else its stem."""
    return path.parent.name if options.learner_from == "folder" else path.stem


def read_submission(path: Path, options: Options) -> Submission:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise Fault("corrupt", f"cannot read the file ({exc.strerror or exc})") from None
    if not data.strip():
        raise Fault("corrupt", "the file is empty")
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise Fault("corrupt", f"the file is larger than {MAX_NOTEBOOK_BYTES} bytes")
    try:
        text = data.decode("utf-8")
        json.loads(text)
    except UnicodeDecodeError:
        raise Fault("corrupt", "not a notebook: the file is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise Fault("corrupt", f"not a notebook: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises several kinds for JSON that is not a notebook
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise Fault("corrupt", f"not a Jupyter notebook: {first[:200]}") from None
    exercise = spec(_exercise_of(nb, path))
    declared = declared_learner(nb)
    notes = []
    if options.learner_from == "notebook":
        learner = declared or _path_learner(path, options)
        if declared is None:
            notes.append(f"no LEARNER = \"...\" cell found; graded as {learner!r} (the file name)")
        elif declared == PLACEHOLDER_LEARNER:
            notes.append(f"LEARNER is still {PLACEHOLDER_LEARNER!r}; the answers were checked against that id's givens")
    else:
        learner = _path_learner(path, options)
        if declared != learner:
            notes.append(f"LEARNER in the notebook is {declared!r}; graded as {learner!r}, whose givens the answers "
                         "are checked against")
    return Submission(path, nb, exercise, declared, learner, notes)


# --- running it ----------------------------------------------------------------------------------------------------
EXTRACT = '''
def _extract(user_ns, names, marker):
    import builtins, json
    try:  # hooks the learner registered must not print after this cell (best effort; see the docstring)
        from IPython import get_ipython
        for event in ("post_run_cell", "post_execute"):
            get_ipython().events.callbacks[event][:] = []
    except Exception:
        pass
    out = {"learner": user_ns.get("LEARNER") if isinstance(user_ns.get("LEARNER"), str) else None, "answers": {}}
    for name in names:
        if name not in user_ns:
            continue
        try:
            value = to_plain(user_ns[name])
            json.dumps(value, allow_nan=False)
        except Exception as exc:
            value = {"__error__": (type(exc).__name__ + ": " + str(exc))[:300]}
        out["answers"][name] = value
    builtins.print(marker + json.dumps(out, allow_nan=False), flush=True)
'''


def extraction_source(names: list[str], marker: str) -> str:
    """The cell the grader appends: it prints the answer variables as JSON after ``marker``.

    Its code runs in a namespace of its own (only the real builtins), so a learner's variable called
    ``list`` or ``type`` cannot break it. It removes post-cell hooks first and the grader reads the *last*
    marker line, so a hook cannot print other answers behind the marker. Whatever it prints is still only an
    answer claim, re-checked here against the learner's own givens: a learner's code can at most hand in
    answers it could have written in the answer cells.
    """
    code = inspect.getsource(to_plain) + EXTRACT + f"_extract(user_ns, {names!r}, {marker!r})\n"
    return ("# Added by `vnetlab grade`: print the answers as data.\n"
            "import builtins as __vnetlab_builtins\n"
            f"__vnetlab_builtins.exec({code!r}, {{'__builtins__': __vnetlab_builtins, "
            f"'user_ns': __vnetlab_builtins.globals()}})\n")


def _read_payload(cell: Any, marker: str) -> dict | None:
    text = "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")
    lines = [line for line in text.splitlines() if line.startswith(marker)]
    if not lines or len(lines[-1]) > MAX_PAYLOAD_CHARS:
        return None
    try:
        payload = json.loads(lines[-1][len(marker):])
    except json.JSONDecodeError:
        return None
    return payload if isinstance(payload, dict) and isinstance(payload.get("answers"), dict) else None


async def _kill_group(pgid: int | None) -> None:
    """Kill what is left of the kernel's process group (the kernel runs in a session of its own, and so do the
    processes the learner's code started from it), then wait a moment for it to be gone."""
    if not pgid:
        return
    for attempt in range(30):
        try:
            os.killpg(pgid, signal.SIGKILL if attempt == 0 else 0)
        except (ProcessLookupError, PermissionError):
            return
        await asyncio.sleep(0.1)


def _limit_memory(megabytes: int) -> None:
    """Run in the kernel's process before it starts (``preexec_fn``): cap its address space, and its children's."""
    import resource

    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def kernel_launch(options: Options) -> dict[str, Any]:
    """How a grading kernel is started: its environment and, on Linux, its memory limit."""
    # its output outside the cells (a library's warnings, a child process's prints) would garble the progress line
    launch: dict[str, Any] = {"env": {**os.environ, GRADING_ENV: "1"}, "stdout": subprocess.DEVNULL,
                              "stderr": subprocess.DEVNULL}
    if options.memory_limit and MEMORY_LIMITS:
        launch["preexec_fn"] = functools.partial(_limit_memory, int(options.memory_limit))
    return launch


def _cell_label(nb: Any, index: int | None) -> str:
    if index is None:
        return "a cell"
    first = next((line.strip() for line in nb.cells[index].source.splitlines() if line.strip()), "")
    return f"cell {index + 1}" + (f" (`{first[:40]}`)" if first else "")


async def run_submission(sub: Submission, options: Options) -> Run:
    marker = f"VNETLAB-ANSWERS-{secrets.token_hex(16)} "
    nb = copy.deepcopy(sub.nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    names = [q.answer for q in sub.spec.questions if not q.widget]
    nb.cells.append(nbformat.v4.new_code_cell(extraction_source(names, marker)))
    work = Path(tempfile.mkdtemp(prefix="vnetlab-grade-"))
    state: dict[str, Any] = {"cell": None, "pgid": None, "errors": []}
    try:
        submitted = sub.path.with_name(answers.SIDECAR)
        if submitted.is_file():
            shutil.copyfile(submitted, work / answers.SIDECAR)
        nbformat.write(nb, str(work / sub.path.name))

        def started(**_: Any) -> None:
            state["pgid"] = getattr(client.km.provisioner, "pgid", None) or getattr(client.km.provisioner, "pid", None)

        client = NotebookClient(
            nb, kernel_name=options.kernel, timeout=max(1, int(options.cell_timeout)), interrupt_on_timeout=True,
            error_on_timeout={"ename": TIMEOUT_ENAME, "evalue": f"ran longer than {options.cell_timeout:g} s "
                              "and was interrupted", "traceback": []},
            allow_errors=True, shutdown_kernel="immediate", record_timing=False, startup_timeout=120,
            resources={"metadata": {"path": str(work)}},
            on_notebook_start=started,
            on_cell_execute=lambda cell, cell_index: state.update(cell=cell_index),
            on_cell_error=lambda cell, cell_index, execute_reply: state["errors"].append(
                (cell_index, execute_reply["content"].get("ename", "Error"), execute_reply["content"].get("evalue", ""))),
        )
        status, reason = "ok", ""
        # Not asyncio.wait_for: nbclient turns the cancellation into DeadKernelError, hiding the timeout.
        task = asyncio.ensure_future(client.async_execute(**kernel_launch(options)))
        try:
            done, _ = await asyncio.wait({task}, timeout=options.timeout)
            if not done:
                task.cancel()
                await asyncio.wait({task})
                if not task.cancelled():
                    task.exception()  # nbclient reports the cancellation as DeadKernelError: not a kernel death
                stuck = next((i for i, ename, _ in state["errors"] if ename == TIMEOUT_ENAME), state["cell"])
                status = "timeout"
                reason = (f"the notebook did not finish within {options.timeout:g} s (stuck in "
                          f"{_cell_label(nb, stuck)}); its answers could not be taken out")
            elif isinstance(task.exception(), DeadKernelError):
                status = "kernel-died"
                reason = (f"the kernel died while running {_cell_label(nb, state['cell'])} (os._exit, a signal, a "
                          "crash or out of memory); its answers could not be taken out")
            elif task.exception() is not None:
                raise task.exception()
        finally:
            await _kill_group(state["pgid"])
        payload = _read_payload(nb.cells[-1], marker) if status == "ok" else None
        if status == "ok":
            status, reason = _run_status(nb, state["errors"], payload, options)
        try:
            recorded = answers.load(work / answers.SIDECAR)
        except GradingError as exc:
            recorded = {}
            reason = "; ".join(filter(None, [reason, str(exc)]))
        return Run(payload, recorded, status, reason)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run_status(nb: Any, errors: list[tuple[int, str, str]], payload: dict | None,
                options: Options = Options()) -> tuple[str, str]:
    last = len(nb.cells) - 1
    learner_errors = [e for e in errors if e[0] != last]
    timeouts = [e for e in learner_errors if e[1] == TIMEOUT_ENAME]
    memory = [e for e in learner_errors if e[1] == "MemoryError"]
    raised = [e for e in learner_errors if e[1] not in (TIMEOUT_ENAME, "MemoryError")]
    limit = f" (the limit is {options.memory_limit} MB)" if options.memory_limit and MEMORY_LIMITS else ""
    parts = [f"{_cell_label(nb, i)} {evalue}" for i, _, evalue in timeouts]
    parts += [f"{_cell_label(nb, i)} ran out of memory{limit} and raised MemoryError" for i, _, _ in memory]
    parts += [f"{_cell_label(nb, i)} raised {ename}: {str(evalue)[:120]}" for i, ename, evalue in raised[:3]]
    if len(raised) > 3:
        parts.append(f"{len(raised) - 3} more cells raised")
    if payload is None:
        return ("memory" if memory else "no-answers"), "; ".join(["the answers could not be taken out of the kernel",
                                                                 *parts])
    if parts:
        status = "timeout" if timeouts else "memory" if memory else "errors"
        return status, "; ".join(parts) + "; the answers that were defined are graded"
    return "ok", ""


def score(sub: Submission, run: Run) -> list[QuestionResult]:
    """Every check of every question, here, on the plain answers taken out of the run."""
    mine = run.sidecar.get(sub.declared or sub.learner, {})
    mine = mine.get(sub.spec.name, {}) if isinstance(mine, dict) else {}
    results = []
    for q in sub.spec.questions:
        if q.widget:
            entry = mine.get(q.id) if isinstance(mine, dict) else None
            raw = entry.get("answer") if isinstance(entry, dict) else None
        else:
            raw = run.payload["answers"].get(q.answer, MISSING) if run.payload else MISSING
        results.append(evaluate(q, raw, sub.spec.givens(sub.learner, q.id)))
    return results


async def grade_submission(path: Path, options: Options) -> Graded:
    start = time.monotonic()
    exercise = None
    try:
        sub = read_submission(path, options)
        exercise = sub.spec.name
        run = await run_submission(sub, options)
        reported = (run.payload or {}).get("learner")
        if sub.declared is None and isinstance(reported, str) and reported.strip():
            sub.declared = reported.strip()  # LEARNER computed rather than written: take the kernel's word for it
            if options.learner_from == "notebook":
                sub.learner, sub.notes = sub.declared, []
        row = Graded(path, sub.learner, exercise, run.status, run.reason, score(sub, run), sub.notes)
        row.tamper = tamper.detect(sub.nb, exercise)
    except Fault as fault:
        row = Graded(path, _path_learner(path, options), fault.exercise, fault.status, fault.reason)
    except Exception as exc:  # a bug in the grader must not stop the batch
        row = Graded(path, _path_learner(path, options), exercise, "grader-error", f"{type(exc).__name__}: {exc}")
    row.seconds = time.monotonic() - start
    return row


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}" if minutes >= 60 else f"{minutes}:{secs:02d}"


class Progress:
    """``graded 37/100 · 2 running · 0:41 elapsed · ~1:10 left`` on stderr: redrawn in place on a terminal,
    one plain line per finished submission otherwise (a log file, CI)."""

    def __init__(self, total: int, stream: Any = None) -> None:
        self.total, self.done, self.running = total, 0, 0
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.monotonic()

    def line(self) -> str:
        elapsed = time.monotonic() - self.start
        text = f"graded {self.done}/{self.total} · {self.running} running · {_clock(elapsed)} elapsed"
        if 0 < self.done < self.total:
            text += f" · ~{_clock(elapsed / self.done * (self.total - self.done))} left"
        return text

    def update(self, started: int = 0, finished: int = 0) -> None:
        self.running += started - finished
        self.done += finished
        if self.tty:
            self.stream.write("\r\033[K" + self.line() + ("\n" if self.done == self.total else ""))
        elif finished:
            self.stream.write(self.line() + "\n")
        self.stream.flush()


async def grade_all(paths: Sequence[Path], options: Options) -> list[Graded]:
    gate = asyncio.Semaphore(max(1, options.jobs))
    progress = Progress(len(paths)) if options.progress else None

    async def one(path: Path) -> Graded:
        async with gate:
            if progress:
                progress.update(started=1)
            try:
                return await grade_submission(path, options)
            finally:
                if progress:
                    progress.update(finished=1)

    return list(await asyncio.gather(*(one(p) for p in paths)))


# --- reports ----------------------------------------------------------------------------------------------------
def _num(value: float) -> str:
    return f"{round(value, 2):g}"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "learner"


def feedback_markdown(row: Graded) -> str:
    """The learner's feedback: visible checks with their messages; hidden checks counted, never described."""
    lines = [f"# {row.exercise or 'Unknown exercise'} · {row.learner}", "",
             f"- Submission: `{row.path.name}`", f"- Score: **{_num(row.total)} / {_num(row.max)}**",
             f"- Status: {row.status}" + (f" — {row.reason}" if row.reason else "")]
    lines += [f"- Note: {note}" for note in row.notes]
    if row.tamper:
        lines += ["", "## Detected", "", "The grader re-checks every answer itself, in its own process, so none of "
                  "this changes your score; it is listed so that you and your instructor see it.", ""]
        lines += [f"- {finding}" for finding in row.tamper]
    for result in row.results:
        lines += ["", f"## {result.question} · {result.title} — {_num(result.earned)} / {_num(result.points)}", ""]
        if result.problem:
            lines.append(f"- ⚠ {result.problem}")
        else:
            for c in (c for c in result.checks if c.visible):
                mark = "✔" if c.passed else "✘"
                lines.append(f"- {mark} {c.name} ({_num(c.earned)} / {_num(c.possible)})"
                             + ("" if c.passed else f": {c.message}"))
        lines += [f"- {line}" for line in hidden_feedback(result)]
    return "\n".join(lines) + "\n"


def _order(row: Graded) -> tuple[str, str, str]:
    return row.learner, row.exercise or "", str(row.path)


def write_reports(rows: list[Graded], out: Path) -> None:
    """Write the reports to a scratch folder beside them, then put each in place of the previous run's."""
    out.mkdir(parents=True, exist_ok=True)
    rows = sorted(rows, key=_order)
    scratch = Path(tempfile.mkdtemp(prefix=".vnetlab-grade-", dir=out))
    try:
        _write_reports(rows, scratch)
        for name in REPORTS:
            old = out / name
            if old.is_dir():
                old.rename(scratch / f"{name}.old")  # a rename: the new feedback/ replaces it at once
            os.replace(scratch / name, old)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _write_reports(rows: list[Graded], out: Path) -> None:
    feedback = out / "feedback"
    feedback.mkdir(exist_ok=True)
    qids = list(dict.fromkeys(r.question for row in rows for r in row.results))
    with open(out / "gradebook.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["learner", "notebook", "exercise", *qids, "total", "max", "status", "reason", "tamper"])
        for row in rows:
            points = {r.question: _num(r.earned) for r in row.results}
            reason = "; ".join(filter(None, [row.reason, *row.notes]))
            w.writerow([row.learner, str(row.path), row.exercise or "", *(points.get(q, "") for q in qids),
                        _num(row.total), _num(row.max), row.status, reason, tamper.summary(row.tamper)])
    with open(out / "timings.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["learner", "notebook", "exercise", "status", "seconds"])
        for row in rows:
            w.writerow([row.learner, str(row.path), row.exercise or "", row.status, f"{row.seconds:.1f}"])
    with open(out / "checks.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["learner", "notebook", "exercise", "question", "check", "visible", "possible", "earned", "message"])
        for row in rows:
            for r in row.results:
                for c in r.checks:
                    w.writerow([row.learner, str(row.path), row.exercise, r.question, c.name, c.visible,
                                _num(c.possible), _num(c.earned), r.problem or c.message or ""])
    with open(out / "stats.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["exercise", "question", "max", "submissions", "mean", "full_marks", "zero"])
        for name in dict.fromkeys(row.exercise for row in rows if row.exercise):
            graded = [row for row in rows if row.exercise == name and row.results]
            for q in spec(name).questions:
                got = [next(r for r in row.results if r.question == q.id).earned for row in graded]
                w.writerow([name, q.id, _num(q.points), len(got), _num(sum(got) / len(got)) if got else "",
                            sum(g >= q.points - 1e-9 for g in got), sum(g == 0 for g in got)])
    used: set[str] = set()
    for row in rows:
        stem = f"{_slug(row.learner)}-{row.exercise or 'unknown'}"
        name, n = stem, 1
        while name in used:
            n += 1
            name = f"{stem}-{n}"
        used.add(name)
        (feedback / f"{name}.md").write_text(feedback_markdown(row), encoding="utf-8")


def grade(paths: Sequence["str | os.PathLike"], options: Options = Options()) -> list[Graded]:
    """Grade every submission under ``paths`` and write the reports to ``options.out``."""
    if options.learner_from not in LEARNER_SOURCES:
        raise GradingError(f"learner_from={options.learner_from!r}: use one of {', '.join(LEARNER_SOURCES)}.",
                           value=options.learner_from, rule="learner id source")
    submissions = find_submissions(paths)
    if not submissions:
        raise GradingError(f"No notebooks found in {', '.join(map(str, paths))}.", value=list(map(str, paths)),
                           rule="grade needs submissions")
    rows = sorted(asyncio.run(grade_all(submissions, options)), key=_order)
    write_reports(rows, Path(options.out))
    return rows
