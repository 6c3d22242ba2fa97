"""The ``vnetlab`` command.

``vnetlab generate [SOLUTIONS] [EXERCISES] [--check]``
    Write the exercise notebooks from the solution notebooks (defaults: ``solutions`` → ``exercises``). With
    ``--check`` nothing is written and the exit status is 1 when ``exercises/`` is out of date.

``vnetlab grade PATH... [--out DIR] [--regrade LEARNER] [--timeout S] [--cell-timeout S] [--jobs N] [--memory-limit MB]
[--learner-from SOURCE] [--kernel K] [--no-progress] [--sandbox bwrap|container | --no-sandbox]``
    Grade submissions (notebooks, or folders searched for ``*.ipynb``; each with its ``vnetlab-answers.json``
    beside it): a fresh kernel per notebook, each in a sandbox of its own (bubblewrap by default; grading refuses
    when no sandbox can run, unless ``--no-sandbox``; see :mod:`vnetlab.grading.sandbox`), ``--jobs`` at a time
    (default: one per core), each limited to ``--memory-limit`` MB on Linux; answers re-checked in this process; a
    progress line on stderr; writes ``DIR/gradebook.csv``, ``checks.csv``, ``stats.csv``, ``timings.csv`` and
    ``feedback/<learner>-<exercise>.md`` and ``.html`` (replacing the previous run's: running it again gives the
    same files). A faulty submission gets its row and its reason; the exit status is 0 once the batch is graded.
    With ``--regrade LEARNER``, only that learner's submissions are graded into the gradebook already in ``DIR``:
    their rows and feedback are replaced, ``stats.csv`` recomputed, the other rows kept byte for byte, and the
    change per question (old → new points) and status printed (see :mod:`vnetlab.grading.regrade`).

``vnetlab grades GRADEBOOK_DIR --lms canvas|moodle|csv [--map IDS.csv] [--moodle-id email|username|idnumber|id]
-o OUT.csv``
    The gradebook's totals (one column per exercise, one row per learner) as a file Canvas or Moodle imports, or a
    plain CSV; ``IDS.csv`` maps vnetlab learner ids to the LMS's users. Learners without a mapping are named on
    stderr and listed in ``OUT.unmapped.csv`` (see :mod:`vnetlab.grading.lms`).

``vnetlab report GRADEBOOK_DIR... [-o report.html]``
    The class report: one self-contained HTML page (plotly.js inlined, opens offline) with the score distribution
    per exercise, per-question statistics (mean, share at full marks, corrected item-total correlation), the
    misconceptions ranked by learners who hit them, the submissions not ok, and with several gradebooks each
    learner's progress (see :mod:`vnetlab.grading.report`). Default output: ``report.html`` in the first folder.

``vnetlab release --out DIR [--course ROOT]``
    Write the tree an instructor publishes for a class into ``DIR`` (new or empty): lessons, exercises (generated
    from the solutions), environment files, a learner README and the package with the visible checks only; no
    solutions, no hidden checks (see :mod:`vnetlab.grading.release`). ``ROOT`` is the course (default: here).

``vnetlab drill [--topics T1,T2] [--level 1|2|3] [--count N] [--time-limit S] [--review] [--explain] [--seed S] [--progress PATH]
[--export-csv PATH] [--list-topics]``
    The interview drill in the terminal, answers read line by line from standard input (see
    :mod:`vnetlab.drills.cli`).

``vnetlab import FILE... [--report]``, ``vnetlab verify --network FILE... --nic NAME EXPORT.json``,
``vnetlab export (--scenario NAME | --from FILE...) --format az|bicep|arm``
    Your own network: import Azure's JSON exports, check the simulator against a NIC's effective routes or NSG
    rules, write a design as ``az`` commands, Bicep or an ARM template (see :mod:`vnetlab.azure.cli`).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

from .errors import VnetlabError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vnetlab", description="vnetlab course tools: exercises, grading and drills.")
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="write exercises/ from solutions/ (nbgrader markup)")
    gen.add_argument("source", nargs="?", default="solutions", help="solution notebooks (default: solutions)")
    gen.add_argument("dest", nargs="?", default="exercises", help="exercise notebooks (default: exercises)")
    gen.add_argument("--check", action="store_true", help="write nothing; exit 1 if DEST is out of date")
    grade = commands.add_parser("grade", help="grade submitted exercise notebooks")
    grade.add_argument("paths", nargs="+", help="submitted notebooks, or folders holding them")
    grade.add_argument("--out", default="gradebook", help="folder for gradebook.csv and feedback/ (default: gradebook)")
    grade.add_argument("--timeout", type=float, default=300.0, help="seconds for a whole notebook (default: 300)")
    grade.add_argument("--cell-timeout", type=float, default=None,
                       help="seconds for one cell before it is interrupted (default: the smaller of 60 and --timeout)")
    grade.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                       help="notebooks run at the same time (default: the number of cores)")
    grade.add_argument("--memory-limit", type=int, default=2048, metavar="MB",
                       help="address space per kernel in MB, Linux only; 0: no limit (default: 2048)")
    grade.add_argument("--no-progress", dest="progress", action="store_false",
                       help="no progress line on stderr")
    grade.add_argument("--learner-from", choices=("notebook", "folder", "file"), default="notebook",
                       help="learner id: the notebook's LEARNER cell, the submission's folder name, or its file name")
    grade.add_argument("--kernel", default="python3", help="Jupyter kernel to run submissions in (default: python3)")
    grade.add_argument("--sandbox", choices=("bwrap", "container"), default="bwrap",
                       help="where each submission runs: bwrap (bubblewrap, Linux; the default) or container "
                            "(docker or podman, an image built from this project)")
    grade.add_argument("--no-sandbox", dest="sandbox", action="store_const", const="none",
                       help="run submissions with your own rights, unisolated (every gradebook row and feedback "
                            "file says so)")
    rep = commands.add_parser("report", help="write the class report (HTML) from one or more gradebook folders")
    rep.add_argument("gradebooks", nargs="+", metavar="GRADEBOOK_DIR",
                     help="folders `vnetlab grade --out` wrote (several: several exercises or sessions)")
    rep.add_argument("-o", "--out", default=None,
                     help="the HTML file to write (default: report.html in the first GRADEBOOK_DIR)")
    grade.add_argument("--regrade", metavar="LEARNER", default=None,
                       help="grade only this learner's (late or corrected) submissions into the gradebook in --out: "
                            "their rows, feedback and the class statistics are updated, every other row is kept, "
                            "and what changed is printed")
    lms = commands.add_parser("grades", help="the gradebook's grades as a Canvas, Moodle or plain CSV import file")
    lms.add_argument("gradebook", help="the folder `vnetlab grade` wrote (with gradebook.csv)")
    lms.add_argument("--lms", required=True, choices=("canvas", "moodle", "csv"), help="the file's format")
    lms.add_argument("--map", dest="mapping", default=None, metavar="IDS.csv",
                     help="learner ids to LMS users: a CSV with a 'learner' column and name, lms_id, sis_user_id, "
                          "sis_login_id, section, email, username or idnumber (required for canvas and moodle)")
    lms.add_argument("--moodle-id", default="email", choices=("email", "username", "idnumber", "id"),
                     help="the user field Moodle matches learners by (default: email)")
    lms.add_argument("-o", "--out", required=True, help="the CSV file to write")
    rel = commands.add_parser("release", help="write the learner release (no solutions, no hidden checks)")
    rel.add_argument("--out", required=True, help="folder for the release (new, or empty)")
    rel.add_argument("--course", default=".", help="the instructor's copy of the course (default: here)")
    from .drills.cli import add_arguments as drill_arguments

    drill_arguments(commands.add_parser("drill", help="interview drill in the terminal (answers from standard input)"))
    from .azure.cli import add_arguments as azure_arguments

    azure_arguments(commands)
    return parser


def _generate(args: argparse.Namespace) -> int:
    from .grading.generate import generate

    report = generate(args.source, args.dest, check=args.check)
    if args.check:
        for line in report:
            print(line)
        print(f"{args.dest} is up to date with {args.source}." if not report else
              f"Run `vnetlab generate {args.source} {args.dest}` to update.")
        return 1 if report else 0
    for line in report:
        print(f"wrote {line}")
    if not report:
        print(f"{args.dest} was already up to date.")
    return 0


def _grade(args: argparse.Namespace) -> int:
    from .grading.grader import Options, grade, shown
    from .grading.instructor import require_hidden_checks

    require_hidden_checks()  # a learner release has none: grade from the instructor's copy

    cell = args.cell_timeout if args.cell_timeout is not None else min(60.0, args.timeout)
    from .grading.grader import MEMORY_LIMITS

    if args.memory_limit and not MEMORY_LIMITS:
        print(f"vnetlab grade: --memory-limit is applied on Linux only; on {sys.platform} the kernels run without "
              "a memory limit.", file=sys.stderr)
    options = Options(out=Path(args.out), timeout=args.timeout, cell_timeout=cell, jobs=max(1, args.jobs),
                      learner_from=args.learner_from, kernel=args.kernel, memory_limit=args.memory_limit or None,
                      progress=args.progress, sandbox=args.sandbox)
    if args.sandbox == "none":
        print("vnetlab grade: --no-sandbox: the submissions run with your rights, and can read and change what you "
              "can.", file=sys.stderr)
    if args.regrade is not None:
        from .grading.regrade import regrade

        done = regrade(args.regrade, args.paths, options)
        for change in done.changes:
            print(f"{shown(done.learner)} {change.describe()}")
        if done.columns_changed:
            print("gradebook.csv's question columns changed (every row was written again)"
                  + (f": new {', '.join(done.columns_added)}" if done.columns_added else ""))
        print(f"Re-graded {len(done.rows)} submission(s) of {shown(done.learner)!r} into "
              f"{Path(args.out) / 'gradebook.csv'}; the other learners' rows are unchanged.")
        return 0
    rows = grade(args.paths, options)
    for row in rows:
        score = f"{round(row.total, 2):g}/{row.max:g}" if row.exercise else "-"
        print(f"{row.status:<17} {score:>9}  {shown(row.learner):<20} {shown(row.path)}"
              + (f"  ({shown(row.reason)})" if row.reason else ""))
    print(f"Graded {len(rows)} submission(s); gradebook: {Path(args.out) / 'gradebook.csv'}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from .grading.report import build

    path = build(args.gradebooks, args.out)
    print(f"Wrote the class report to {path}")
    return 0


def _grades(args: argparse.Namespace) -> int:
    from .grading.grader import shown
    from .grading.lms import export_grades

    done = export_grades(args.gradebook, args.lms, args.out, args.mapping, args.moodle_id)
    for learner in done.unmapped:
        where = "mapped=no in it" if args.lms == "csv" else "not in it"
        print(f"vnetlab grades: learner {shown(learner)!r} has no {args.lms} mapping in "
              f"{args.mapping or '(no --map)'}: {where}; listed in {done.unmapped_path}", file=sys.stderr)
    for learner in done.not_in_gradebook:
        print(f"vnetlab grades: learner {shown(learner)!r} is in the mapping but not in the gradebook",
              file=sys.stderr)
    print(f"Wrote {done.path} ({args.lms}): {done.written} of {done.learners} learner(s), "
          f"{len(done.exercises)} exercise(s); {len(done.unmapped)} without a mapping ({done.unmapped_path}).")
    return 0


def _release(args: argparse.Namespace) -> int:
    from .grading.release import release

    written = release(args.course, args.out)
    print(f"Wrote the learner release ({len(written)} files) to {args.out}: no solutions, visible checks only.")
    return 0


def _skip_iri_format_checker() -> None:
    """Start the notebook commands without building an IRI grammar nobody uses.

    jsonschema registers an ``iri`` format checker when ``rfc3987_syntax`` is installed (JupyterLab's
    ``jupyter_events`` asks for it), and importing that package compiles an Earley grammar: about 2 s on 2 cores,
    each time ``nbformat`` is first imported. nbformat's notebook schemas use no ``format`` keyword, so this
    process (the CLI, never a learner's kernel) goes without that checker."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]  # import fails: checker skipped


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command in ("generate", "grade", "release"):
        _skip_iri_format_checker()
    try:
        if args.command == "drill":
            from .drills.cli import run as drill

            return drill(args)
        if args.command in ("import", "verify", "export"):
            from .azure.cli import run as azure

            return azure(args)
        return {"generate": _generate, "grade": _grade, "grades": _grades, "release": _release,
                "report": _report}[args.command](args)
    except VnetlabError as exc:
        print(f"vnetlab {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
