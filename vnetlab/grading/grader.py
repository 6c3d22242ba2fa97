"""``vnetlab grade``: run each submission in a sandbox of its own, take its answers out as data, re-check them here.

For every submitted notebook:

1. read it in this process (an empty file, text that is not JSON, JSON that is not a notebook, an exercise
   that is not known each give a row with that reason); find the exercise (notebook metadata
   ``vnetlab.exercise``, else the file name) and the learner id (the literal ``LEARNER = "..."`` cell, read
   with :mod:`ast`, never by running it), and read the answers file beside it: these copies are all the reports
   are made from;
2. run it in a sandbox of its own (:mod:`vnetlab.grading.sandbox`: bubblewrap, a container, or, only when the
   instructor says so, none), through :mod:`vnetlab.grading.runner`: the notebook without outputs, the
   grader's own copy of the answers sidecar (:mod:`vnetlab.grading.answers`) and one *extraction cell* go in
   on a pipe; the runner executes it with nbclient in a fresh kernel (a time limit per cell: the cell is
   interrupted, the error recorded, the run goes on; one for the whole notebook; output capped per cell and per
   notebook) and sends back, on a pipe the grader reads with a size cap, what the extraction cell printed and
   which cells raised. All of it is untrusted: the learner's code ran beside the runner;
3. the extraction cell prints the answer variables the questions name, as JSON, behind a random per-run
   marker; only the last marker line of that cell's own output is read. The widget answers are read from the
   sidecar as the run left it, sent back as data (the grader's copy, made with the notebook's, plus what the
   notebook's own code recorded); nothing the run does reaches the files handed in;
4. every check, visible and hidden, runs here on that plain data, with this process's own vnetlab (networks
   are rebuilt with ``Network.from_dict``): nothing computed in the learner's kernel is trusted, so a
   redefined ``check``, a monkeypatched vnetlab or printed "success" changes nothing;
5. once every sandbox is gone: ``gradebook.csv`` (one row per submission, sorted by learner, exercise and file:
   points per question, total, max, status, reason, tamper, sandbox), ``timings.csv`` (seconds per submission,
   the only output that differs between two runs), ``checks.csv`` (every check, for the instructor; its last
   column, ``misconceptions``, holds the ids a failed check showed, joined by ``;``: see
   :mod:`vnetlab.grading.misconceptions`),
   ``stats.csv`` (per question across the class) and ``feedback/<learner>-<exercise>.md`` (visible checks with
   their messages; hidden checks counted, each failed one named by the rule it tested, never its expected
   value), with the same content as one self-contained HTML page beside it (``.html``,
   :mod:`vnetlab.grading.feedback_html`). Learner text (ids, file names of any bytes, error messages) is escaped
   for CSV (formula injection), Markdown and HTML. What :mod:`vnetlab.grading.tamper` detects (edited locked cells
   or metadata, a redefined ``check``, monkeypatching, fake success output, reading ``solutions/``) is reported in
   the ``tamper`` column and a "Detected" section of the feedback; it never changes a score.

Statuses: ``ok``; ``errors`` (a cell raised; the rest graded); ``timeout`` (a cell was interrupted, the rest
graded; or the whole notebook ran out of time, nothing taken out); ``kernel-died``; ``no-answers`` (the
extraction printed nothing readable, or the runner's result was missing, unreadable or too large); ``memory`` (a
cell ran out of the kernel's memory limit and raised ``MemoryError``, the rest graded); ``corrupt``;
``unknown-exercise``; ``duplicate-learner`` (another submission has the same learner id for the same exercise:
both rows keep their points and name each other); ``grader-error`` (a bug here; the batch goes on). Widget
answers in the sidecar are graded whatever the status. After each run the sandbox is ended (bubblewrap: its
PID namespace, with every process in it; a container: killed; no sandbox: the runner's process group).

Batches: ``jobs`` sandboxes at a time (default: one per core); on Linux each kernel (and what it starts) gets an
address-space limit (``memory_limit`` MB, ``RLIMIT_AS``); the kernel runs with ``VNETLAB_GRADING=1``, under which
the widgets build no plotly front end (nobody watches a graded run; widget answers come from the sidecar). The
reports are written to a scratch folder and then replace the grader's own files in ``out`` (``gradebook.csv``,
``checks.csv``, ``stats.csv``, ``timings.csv``, ``feedback/``): running the same batch again gives the same
files, and no feedback is left from a submission that is gone. One learner's late or corrected submissions are
graded into those files by :mod:`vnetlab.grading.regrade` (``vnetlab grade --regrade LEARNER``), which keeps every
other learner's lines and files as they are.
"""
from __future__ import annotations

import ast
import asyncio
import copy
import csv
import inspect
import json
import os
import re
import secrets
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import nbformat

from ..errors import GradingError
from . import EXERCISES, answers, generate, runner, sandbox, tamper
from .core import MISSING, PLACEHOLDER_LEARNER, ExerciseSpec, QuestionResult, evaluate, hidden_feedback
from .instructor import full_spec as spec  # hidden checks included: from the instructor's copy only
from .misconceptions import joined, known
from .plain import to_plain

LEARNER_SOURCES = ("notebook", "folder", "file")
MAX_NOTEBOOK_BYTES = 50_000_000
MAX_PAYLOAD_CHARS = 5_000_000
MAX_RESULT_BYTES = (MAX_PAYLOAD_CHARS + answers.MAX_BYTES) * 2 + 1_000_000  # the runner's result, JSON-escaped
SANDBOX_GRACE_S = 60.0  # beyond the notebook's time limit, for the sandbox and kernel to start and stop
TIMEOUT_ENAME = runner.TIMEOUT_ENAME
GRADING_ENV = runner.GRADING_ENV
DUPLICATE = "duplicate-learner"
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
    sandbox: str = "bwrap"        # bwrap, container or none (see vnetlab.grading.sandbox)
    cell_output: int = 1_000_000  # characters of output kept per cell; the rest is dropped with a note
    notebook_output: int = 10_000_000  # characters of output kept for the whole notebook


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
    sandbox: str = "none"

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
    sidecar: bytes | None = None  # the grader's own copy of the answers file, read with the notebook


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
    return Submission(path, nb, exercise, declared, learner, notes, _read_sidecar(path))


def _read_sidecar(path: Path) -> bytes | None:
    """The answers file beside the notebook, read once, now: the grader's own copy (None when there is none)."""
    beside = path.with_name(answers.SIDECAR)
    try:
        with open(beside, "rb") as f:
            return f.read(answers.MAX_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"unreadable: {exc.strerror}".encode()  # parse() then reports it as not JSON


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


def _cell_label(nb: Any, index: int | None) -> str:
    if index is None:
        return "a cell"
    if index >= len(nb.cells):
        return "the grader's extraction cell"
    first = next((line.strip() for line in nb.cells[index].source.splitlines() if line.strip()), "")
    return f"cell {index + 1}" + (f" (`{first[:40]}`)" if first else "")


def _job(sub: Submission, options: Options, marker: str) -> bytes:
    nb = copy.deepcopy(sub.nb)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            cell.source = _without_hidden_tests(cell.source, f"cell {index + 1}")
    names = [q.answer for q in sub.spec.questions if not q.widget]
    sidecar = sub.sidecar.decode("utf-8", "replace") if sub.sidecar is not None else None
    return json.dumps({
        "notebook": nbformat.writes(nb), "name": _safe_name(sub.path.name), "sidecar": sidecar,
        "extract": extraction_source(names, marker), "timeout": options.timeout,
        "cell_timeout": options.cell_timeout, "kernel": options.kernel, "memory_limit": options.memory_limit,
        "cell_output": options.cell_output, "notebook_output": options.notebook_output}).encode("utf-8")


def _without_hidden_tests(source: str, where: str) -> str:
    """A cell without its ``### BEGIN HIDDEN TESTS`` region, as the exercise generator writes it: the sandbox has
    the learner's package (no hidden checks to run), and the grader runs every hidden check itself on the answers.
    So an instructor's solution notebook, graded as a submission, runs as its learner version does. Unbalanced
    markers are left as they are (the cell then runs, or fails, as the learner wrote it)."""
    if generate.BEGIN_HIDDEN not in source and generate.END_HIDDEN not in source:
        return source
    try:
        return generate.replace_regions(source, generate.BEGIN_HIDDEN, generate.END_HIDDEN, None, where).rstrip("\n")
    except GradingError:
        return source


def _safe_name(name: str) -> str:
    """A file name the scratch folder can hold, whatever bytes the submitted one had."""
    return (_slug(shown(name))[:100] or "submission") + ("" if name.endswith(".ipynb") else ".ipynb")


async def _read_capped(stream: asyncio.StreamReader, cap: int) -> bytes | None:
    """At most ``cap`` bytes of ``stream`` (None when it holds more: the rest is read and dropped)."""
    data, over = bytearray(), False
    while chunk := await stream.read(1 << 16):
        if not over and len(data) + len(chunk) <= cap:
            data += chunk
        else:
            over, data = True, bytearray()
    return None if over else bytes(data)


async def _tail(stream: asyncio.StreamReader | None, keep: int = 2000) -> str:
    """The last line of what the sandbox wrote on stderr before the runner took the job (after that the runner
    sends its stderr, and the kernel's, nowhere), at most ``keep`` bytes of it."""
    data = b""
    while stream is not None and (chunk := await stream.read(1 << 16)):
        data = (data + chunk)[-keep:]
    lines = data.decode("utf-8", "replace").strip().splitlines()
    return shown(lines[-1])[:300] if lines else ""


async def _end(proc: asyncio.subprocess.Process, launch: sandbox.Launch) -> None:
    """Make sure nothing of this run is left: the runner's process group (with bubblewrap, killing it ends the
    PID namespace and every process in it) or the container, then wait for the runner to be reaped."""
    if launch.container:
        engine, name = launch.container
        kill = await asyncio.create_subprocess_exec(engine, "kill", name, stdout=asyncio.subprocess.DEVNULL,
                                                    stderr=asyncio.subprocess.DEVNULL)
        await kill.wait()
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    await proc.wait()


async def run_submission(sub: Submission, options: Options, box: sandbox.Sandbox | None = None) -> Run:
    """Run ``sub`` in a sandbox of its own (see :mod:`vnetlab.grading.sandbox`) and read back, with a size cap,
    what it claims: the extraction cell's output, the cells that raised, and the answers file as the run left
    it (the grader's copy, plus what the notebook's own code recorded, as the solutions do with ``ex.record``).
    Without one from the run, the widget answers are the grader's own copy, read before the run."""
    box = box or sandbox.Sandbox("none")
    marker = f"VNETLAB-ANSWERS-{secrets.token_hex(16)} "
    launch = box.launch(options.memory_limit)
    try:
        recorded, sidecar_problem = ({}, "") if sub.sidecar is None else (answers.parse(sub.sidecar), "")
    except GradingError as exc:
        recorded, sidecar_problem = {}, str(exc)
    try:
        proc = await asyncio.create_subprocess_exec(
            *launch.argv, cwd=launch.cwd, env=launch.env, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, start_new_session=True)
        stderr = asyncio.ensure_future(_tail(proc.stderr))
        try:
            async def exchange() -> bytes | None:
                assert proc.stdin and proc.stdout
                try:
                    proc.stdin.write(_job(sub, options, marker))
                    await proc.stdin.drain()
                    proc.stdin.close()
                except (BrokenPipeError, ConnectionResetError):
                    pass
                return await _read_capped(proc.stdout, MAX_RESULT_BYTES)

            try:
                raw = await asyncio.wait_for(exchange(), timeout=options.timeout + SANDBOX_GRACE_S)
            except asyncio.TimeoutError:
                raw = b"__timeout__"
        finally:
            await _end(proc, launch)
            try:
                await asyncio.wait_for(asyncio.shield(stderr), timeout=2)
            except asyncio.TimeoutError:
                stderr.cancel()
    finally:
        if launch.cleanup:
            shutil.rmtree(launch.cleanup, ignore_errors=True)
    status, reason, payload, truncated = _outcome(raw, sub, options, marker)
    after = _result_field(raw, "sidecar")
    if isinstance(after, str):
        try:
            recorded, sidecar_problem = answers.parse(after.encode("utf-8")), ""
        except GradingError as exc:
            sidecar_problem = f"after the run: {exc}"
    if not raw and not stderr.cancelled() and stderr.done() and stderr.result():
        reason += f" (the sandbox said: {stderr.result()})"  # e.g. bubblewrap or Python could not start
    notes = [f"{_cell_label(sub.nb, i)} printed more than {options.cell_output} characters (or the notebook more "
             f"than {options.notebook_output}): the rest of its output was dropped" for i in truncated]
    reason = "; ".join(filter(None, [reason, *notes, sidecar_problem]))
    return Run(payload, recorded, status, reason)


def _result_field(raw: bytes | None, name: str) -> Any:
    try:
        result = json.loads(raw.decode("utf-8")) if raw and raw != b"__timeout__" else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return result.get(name) if isinstance(result, dict) else None


def _outcome(raw: bytes | None, sub: Submission, options: Options, marker: str
             ) -> tuple[str, str, dict | None, list[int]]:
    """Status, reason, answers payload and truncated cells from the runner's result, which is untrusted: the
    learner's code ran beside the runner and may have written anything in its place."""
    if raw == b"__timeout__":
        return "timeout", (f"the notebook did not finish within {options.timeout:g} s; its answers could not be "
                           "taken out"), None, []
    try:
        result = json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        result = None
    if not isinstance(result, dict) or not isinstance(result.get("outcome"), str):
        why = "too large" if raw is None else "unreadable" if raw else "missing"
        return "no-answers", (f"the run's result was {why} (the sandbox ended early, or the notebook interfered "
                              "with the grader's runner); its answers could not be taken out"), None, []
    count = len(sub.nb.cells)
    cell = result.get("cell") if isinstance(result.get("cell"), int) and 0 <= result["cell"] < count else None
    errors = [(e[0], str(e[1])[:300], str(e[2])[:300]) for e in result.get("errors") or []
              if isinstance(e, list) and len(e) == 3 and isinstance(e[0], int) and 0 <= e[0] <= count]
    truncated = sorted({i for i in result.get("truncated") or [] if isinstance(i, int) and 0 <= i < count})
    outcome = result["outcome"]
    nb = sub.nb
    if outcome == "timeout":
        stuck = next((i for i, ename, _ in errors if ename == TIMEOUT_ENAME and i < count), cell)
        return "timeout", (f"the notebook did not finish within {options.timeout:g} s (stuck in "
                           f"{_cell_label(nb, stuck)}); its answers could not be taken out"), None, truncated
    if outcome == "kernel-died":
        return "kernel-died", (f"the kernel died while running {_cell_label(nb, cell)} (os._exit, a signal, a "
                               "crash or out of memory); its answers could not be taken out"), None, truncated
    if outcome != "ok":
        return "grader-error", f"the notebook could not be run: {str(result.get('failure', ''))[:300]}", None, truncated
    text = result.get("extract_output")
    payload = _read_payload({"outputs": [{"output_type": "stream", "name": "stdout", "text": text}]}, marker) \
        if isinstance(text, str) else None
    status, reason = _run_status(nb, errors, payload, options, last=count)
    return status, reason, payload, truncated


def _run_status(nb: Any, errors: list[tuple[int, str, str]], payload: dict | None,
                options: Options = Options(), last: int | None = None) -> tuple[str, str]:
    """``last``: the index of the extraction cell (default: the notebook's last cell)."""
    last = len(nb.cells) - 1 if last is None else last
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


async def grade_submission(path: Path, options: Options, box: sandbox.Sandbox | None = None) -> Graded:
    start = time.monotonic()
    exercise = None
    try:
        sub = read_submission(path, options)
        exercise = sub.spec.name
        run = await run_submission(sub, options, box)
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
    row.sandbox = box.label if box else "none"
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


async def grade_all(paths: Sequence[Path], options: Options, box: sandbox.Sandbox | None = None) -> list[Graded]:
    gate = asyncio.Semaphore(max(1, options.jobs))
    progress = Progress(len(paths)) if options.progress else None

    async def one(path: Path) -> Graded:
        async with gate:
            if progress:
                progress.update(started=1)
            try:
                return await grade_submission(path, options, box)
            finally:
                if progress:
                    progress.update(finished=1)

    return list(await asyncio.gather(*(one(p) for p in paths)))


# --- reports ----------------------------------------------------------------------------------------------------
def _num(value: float) -> str:
    return f"{round(value, 2):g}"


def _slug(text: str) -> str:
    """A file-name-safe form of a learner id: ASCII letters, digits, ``.``, ``_`` and ``-``, at most 80."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._")[:80].strip("._") or "learner"


CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
CSV_FORMULA = ("=", "+", "-", "@", "\t", "\r")
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~])")


def shown(text: object) -> str:
    """``text`` as a report may show it: any bytes of a file name (undecodable ones as ``\\xe9``), control
    characters and line breaks as escapes, so one line stays one line."""
    raw = str(text).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), raw)


def csv_cell(value: object) -> str:
    """A cell for a spreadsheet: :func:`shown`, and text that a spreadsheet would read as a formula (it starts with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) behind a ``'`` (OWASP, "CSV Injection")."""
    text = shown(value)
    return "'" + text if text.startswith(CSV_FORMULA) else text


def markdown_text(value: object) -> str:
    """Learner-supplied text (an id, a file name, an error message) as inert Markdown: one line, every character
    Markdown gives a meaning backslash-escaped, so it cannot add headings, lists, links or a fake score."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", shown(value))


def mark_duplicates(rows: list[Graded]) -> None:
    """Two or more runs graded under the same learner id for the same exercise: each row keeps its points and
    gets the ``duplicate-learner`` status, naming the other files (the instructor decides which counts)."""
    groups: dict[tuple[str, str], list[Graded]] = {}
    for row in rows:
        if row.exercise and row.status not in ("corrupt", "unknown-exercise", "grader-error"):
            groups.setdefault((row.learner, row.exercise), []).append(row)
    for same in (g for g in groups.values() if len(g) > 1):
        for row in same:
            others = ", ".join(shown(o.path) for o in same if o is not row)
            row.reason = "; ".join(filter(None, [
                f"learner id {shown(row.learner)!r} also handed in {others} for this exercise (run status: "
                f"{row.status}); every copy is graded and kept", row.reason]))
            row.status = DUPLICATE


def feedback_markdown(row: Graded) -> str:
    """The learner's feedback: visible checks with their messages; hidden checks counted, never described.

    Text the learner wrote (their id, file name, error messages, in the reason) is inert Markdown
    (:func:`markdown_text`); the grader's own sentences, which quote learner values, stay on one line
    (:func:`shown`), so nothing a learner writes can add a heading, a list item or a score line."""
    lines = [f"# {row.exercise or 'Unknown exercise'} · {markdown_text(row.learner)}", "",
             f"- Submission: {markdown_text(row.path.name)}", f"- Score: **{_num(row.total)} / {_num(row.max)}**",
             f"- Status: {row.status}" + (f" — {markdown_text(row.reason)}" if row.reason else ""),
             f"- Sandbox: {row.sandbox}" + ("" if row.sandbox != "none" else f" ({sandbox.NO_SANDBOX_NOTE})")]
    lines += [f"- Note: {markdown_text(note)}" for note in row.notes]
    if row.tamper:
        lines += ["", "## Detected", "", "The grader re-checks every answer itself, in its own process, so none of "
                  "this changes your score; it is listed so that you and your instructor see it.", ""]
        lines += [f"- {shown(finding)}" for finding in row.tamper]  # our sentences, with learner values as repr
    for result in row.results:
        lines += ["", f"## {result.question} · {result.title} — {_num(result.earned)} / {_num(result.points)}", ""]
        if result.problem:
            lines.append(f"- ⚠ {shown(result.problem)}")  # shown: one line, whatever values it quotes
        else:
            for c in (c for c in result.checks if c.visible):
                mark = "✔" if c.passed else "✘"
                lines.append(f"- {mark} {c.name} ({_num(c.earned)} / {_num(c.possible)})"
                             + ("" if c.passed else f": {shown(c.message)}"))
                if not c.passed:
                    lines += [f"  - Read again: {m.name}: [{m.section}]({m.lesson}) ({m.source})"
                              for m in known(c.misconceptions)]
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


def _writer(f: Any) -> Any:
    """A CSV writer whose every cell goes through :func:`csv_cell`."""
    w = csv.writer(f)

    class Safe:
        @staticmethod
        def writerow(cells: list) -> None:
            w.writerow([csv_cell(c) for c in cells])

    return Safe


def _write_reports(rows: list[Graded], out: Path) -> None:
    from .feedback_html import feedback_html  # it builds on this module's helpers

    feedback = out / "feedback"
    feedback.mkdir(exist_ok=True)
    qids = list(dict.fromkeys(r.question for row in rows for r in row.results))
    with open(out / "gradebook.csv", "w", newline="", encoding="utf-8") as f:
        w = _writer(f)
        w.writerow(["learner", "notebook", "exercise", *qids, "total", "max", "status", "reason", "tamper", "sandbox"])
        for row in rows:
            points = {r.question: _num(r.earned) for r in row.results}
            reason = "; ".join(filter(None, [row.reason, *row.notes]))
            w.writerow([row.learner, row.path, row.exercise or "", *(points.get(q, "") for q in qids),
                        _num(row.total), _num(row.max), row.status, reason, tamper.summary(row.tamper),
                        row.sandbox if row.sandbox != "none" else f"none: {sandbox.NO_SANDBOX_NOTE}"])
    with open(out / "timings.csv", "w", newline="", encoding="utf-8") as f:
        w = _writer(f)
        w.writerow(["learner", "notebook", "exercise", "status", "seconds"])
        for row in rows:
            w.writerow([row.learner, row.path, row.exercise or "", row.status, f"{row.seconds:.1f}"])
    with open(out / "checks.csv", "w", newline="", encoding="utf-8") as f:
        w = _writer(f)
        w.writerow(["learner", "notebook", "exercise", "question", "check", "visible", "possible", "earned", "message",
                    "misconceptions"])
        for row in rows:
            for r in row.results:
                for c in r.checks:
                    w.writerow([row.learner, row.path, row.exercise, r.question, c.name, c.visible,
                                _num(c.possible), _num(c.earned), r.problem or c.message or "",
                                joined(c.misconceptions)])
    write_stats(rows, out / "stats.csv")
    for row, name in zip(rows, feedback_names([(row.learner, row.exercise) for row in rows])):
        (feedback / f"{name}.md").write_text(feedback_markdown(row), encoding="utf-8")
        (feedback / f"{name}.html").write_text(feedback_html(row), encoding="utf-8")


def write_stats(rows: Sequence[Any], path: Path) -> None:
    """``stats.csv``: per question of each exercise graded, across the rows that have results (``rows`` in the
    gradebook's order; anything with ``exercise`` and ``results`` of ``question`` and ``earned``)."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = _writer(f)
        w.writerow(["exercise", "question", "max", "submissions", "mean", "full_marks", "zero"])
        for name in dict.fromkeys(row.exercise for row in rows if row.exercise):
            graded = [row for row in rows if row.exercise == name and row.results]
            for q in spec(name).questions:
                got = [next(r for r in row.results if r.question == q.id).earned for row in graded]
                w.writerow([name, q.id, _num(q.points), len(got), _num(sum(got) / len(got)) if got else "",
                            sum(g >= q.points - 1e-9 for g in got), sum(g == 0 for g in got)])


def feedback_names(rows: Sequence[tuple[str, "str | None"]]) -> list[str]:
    """The feedback file name (without suffix) of each (learner, exercise) in the gradebook's order: the learner's
    slug and the exercise, with ``-2``, ``-3`` for a name already taken."""
    used: set[str] = set()
    names = []
    for learner, exercise in rows:
        stem = f"{_slug(learner)}-{exercise or 'unknown'}"
        name, n = stem, 1
        while name in used:
            n += 1
            name = f"{stem}-{n}"
        used.add(name)
        names.append(name)
    return names


def graded_rows(paths: Sequence["str | os.PathLike"], options: Options) -> list[Graded]:
    """Every submission under ``paths`` graded, each in its sandbox, in the gradebook's order. Every sandbox is
    gone when this returns (each run ends its own): only then may reports be written."""
    submissions = find_submissions(paths)
    if not submissions:
        raise GradingError(f"No notebooks found in {', '.join(map(str, paths))}.", value=list(map(str, paths)),
                           rule="grade needs submissions")
    box = sandbox.prepare(options.sandbox)
    return sorted(asyncio.run(grade_all(submissions, options, box)), key=_order)


def grade(paths: Sequence["str | os.PathLike"], options: Options = Options()) -> list[Graded]:
    """Grade every submission under ``paths`` and write the reports to ``options.out``."""
    if options.learner_from not in LEARNER_SOURCES:
        raise GradingError(f"learner_from={options.learner_from!r}: use one of {', '.join(LEARNER_SOURCES)}.",
                           value=options.learner_from, rule="learner id source")
    rows = graded_rows(paths, options)
    mark_duplicates(rows)
    write_reports(rows, Path(options.out))
    return rows
