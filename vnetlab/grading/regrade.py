"""``vnetlab grade --regrade LEARNER SUBMISSION... --out DIR``: grade one learner's late or corrected submissions
into a class's gradebook, without running the class again, and say what changed.

Only the new submissions run (each in its sandbox, exactly as :func:`vnetlab.grading.grader.grade` runs them); every
one must be graded as ``LEARNER`` (else nothing is written). They replace that learner's rows for the exercises they
are for, and the learner's rows that had no exercise (a corrupt or unknown file), in ``gradebook.csv``,
``checks.csv`` and ``timings.csv``; the learner's rows for other exercises stay. The learner's rows go where the
grader sorts them (learner, exercise, file), and every other line of those files is kept byte for byte.
``stats.csv`` is computed again from the merged gradebook (each question's points summed from its passed checks in
``checks.csv``, exactly as the grader sums them), and that learner's feedback files (``.md`` and ``.html``) are
replaced; the other learners' feedback files are not touched. The result is what grading the whole class again would write, except ``timings.csv``'s
other rows, which keep their first run's seconds.

Two cases change more than the learner's lines: when the gradebook's question columns change (a new exercise
brings its questions, or the learner's were the only rows of one), every row of ``gradebook.csv`` is written again
under the new columns, with the same values, as a full grading would write it (reported); and when the
learner's new feedback file name would take another learner's (two ids with the same file-name form), nothing is
written and the error says to grade the class again.

As :func:`~vnetlab.grading.grader.write_reports`: the files are made in a scratch folder inside ``DIR`` and then
each replaces its old copy.
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Sequence

from ..errors import GradingError
from .feedback_html import feedback_html
from .instructor import full_spec
from .grader import (CSV_FORMULA, Graded, Options, _write_reports, csv_cell, feedback_markdown,
                     feedback_names, graded_rows, mark_duplicates, shown, write_stats)

LINE = "\r\n"  # what csv.writer ends each row with; no cell holds a line break (shown() escapes them)
ROW_FILES = ("gradebook.csv", "checks.csv", "timings.csv")


@dataclass(frozen=True)
class QuestionChange:
    question: str
    old: str  # points as the gradebook writes them; "" when there was no row
    new: str


@dataclass(frozen=True)
class RowChange:
    """One exercise (or a submission without one) of the learner: before and after."""

    exercise: str
    old_status: str  # "" when the learner had no row for it
    new_status: str
    old_total: str
    new_total: str
    max: str
    questions: tuple[QuestionChange, ...]
    removed: bool = False  # an old row with no exercise, replaced by the new submissions

    def describe(self) -> str:
        if self.removed:
            return f"{self.exercise or 'submission without an exercise'}: row removed (was {self.old_status})"
        parts = [f"{q.question} {q.old or '-'} → {q.new or '-'}" for q in self.questions if q.old != q.new]
        total = f"total {self.old_total or '-'} → {self.new_total} / {self.max}"
        status = f"status {self.old_status or '(new)'} → {self.new_status}"
        return f"{self.exercise or 'submission without an exercise'}: {total}; {status}; " + (
            ", ".join(parts) if parts else "no question changed")


@dataclass
class Regraded:
    learner: str
    rows: list[Graded]
    changes: list[RowChange] = field(default_factory=list)
    columns_added: list[str] = field(default_factory=list)
    columns_changed: bool = False  # the gradebook's question columns changed, so every row was written again


@dataclass
class Entry:
    """One line of a report: its cells by column name, and the line as written (None for a line to lay out)."""

    cells: dict[str, str]
    line: str | None = None
    row: Graded | None = None  # the new submission it is from

    @property
    def learner(self) -> str:
        return self.cells["learner"]

    @property
    def exercise(self) -> str:
        return self.cells["exercise"]


def _cells(line: str) -> list[str]:
    return next(csv.reader([line]))


def _line(cells: Sequence[str]) -> str:
    """Cells the grader wrote (already escaped), as the grader's csv.writer writes them."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(list(cells))
    return buffer.getvalue()[:-len(LINE)]


def _read(path: Path) -> tuple[list[str], list[Entry]]:
    """A report's columns and lines. Every cell went through csv_cell, which escapes line breaks: a line is a row."""
    lines = path.read_bytes().decode("utf-8").split(LINE)  # bytes: no newline translation
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or _cells(lines[0])[:3] != ["learner", "notebook", "exercise"]:
        raise GradingError(f"{path} is not a report `vnetlab grade` wrote.", value=str(path),
                           rule="re-grade into a graded class")
    columns = _cells(lines[0])
    return columns, [Entry(dict(zip(columns, _cells(line))), line) for line in lines[1:]]


def _raw(cell: str) -> str:
    """The text a cell was made from, for sorting: without the apostrophe csv_cell put before a formula."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(CSV_FORMULA) else cell


def _merge(old: list[Entry], new: list[Entry], key: str, replaced: set[str], learner: str) -> list[Entry]:
    """``old`` without the learner's replaced lines, with the learner's block (the kept lines and ``new``, sorted as
    the grader sorts: exercise, then file; a stable sort keeps each submission's lines in order) where the grader
    puts that learner: where its lines were, else before the first learner that sorts after it."""
    mine = [e for e in old if e.learner == key]
    block = sorted([e for e in mine if e.exercise not in replaced] + new,
                   key=lambda e: (e.exercise, e.cells["notebook"]))
    others = [e for e in old if e.learner != key]
    if mine:
        at = sum(1 for e in old[:old.index(mine[0])] if e.learner != key)
    else:
        at = next((i for i, e in enumerate(others) if _raw(e.learner) > learner), len(others))
    return others[:at] + block + others[at:]


def _question_columns(columns: list[str]) -> list[str]:
    return columns[3:columns.index("total")]


def regrade(learner: str, paths: Sequence["str | os.PathLike"], options: Options) -> Regraded:
    """Grade ``paths`` as ``learner``'s and put them into the gradebook folder ``options.out``."""
    out = Path(options.out)
    if not (out / "gradebook.csv").is_file():
        raise GradingError(f"No gradebook.csv in {str(out)!r} to re-grade into: grade the class first "
                           "(`vnetlab grade PATH... --out DIR`).", value=str(out), rule="re-grade into a graded class")
    learner = learner.strip()
    rows = graded_rows(paths, options)
    strangers = [row for row in rows if row.learner != learner]
    if strangers:
        raise GradingError(
            f"--regrade {learner!r}: "
            + "; ".join(f"{shown(r.path)} is graded as {shown(r.learner)!r}" for r in strangers)
            + ". Nothing was written. Hand in only that learner's submissions (the id comes from the notebook's "
            "LEARNER cell, or from --learner-from).", value=[shown(r.learner) for r in strangers],
            rule="every re-graded submission is the learner's")
    mark_duplicates(rows)
    key = csv_cell(learner)
    replaced = {row.exercise or "" for row in rows} | {""}
    scratch = Path(tempfile.mkdtemp(prefix=".vnetlab-regrade-", dir=out))
    try:
        fresh = scratch / "new"
        fresh.mkdir()
        _write_reports(rows, fresh)
        result = Regraded(learner, rows)
        gradebook: list[Entry] = []
        old_gradebook: list[Entry] = []
        gradebook_columns: list[str] = []
        exact: dict[tuple[str, str, str, str], float] = {}
        for name in ROW_FILES:
            columns, old = _read(out / name)
            new_columns, new = _read(fresh / name)
            for entry in new:
                entry.line = None if name == "gradebook.csv" else entry.line
            merged = _merge(old, new, key, replaced, learner)
            if name == "gradebook.csv":
                for entry, row in zip(new, rows):
                    entry.row = row
                result.changes = _changes(old, new, key, replaced, _question_columns(columns),
                                          _question_columns(new_columns))
                before = columns
                columns, result.columns_added = _columns(columns, new_columns, merged)
                gradebook, old_gradebook, gradebook_columns = merged, old, columns
                if columns != before:  # question columns came or went: every row is laid out again
                    result.columns_changed = True
                    for entry in merged:
                        entry.line = None
            lines = [e.line if e.line is not None else _line([e.cells.get(c, "") for c in columns]) for e in merged]
            (scratch / name).write_bytes((LINE.join([_line(columns), *lines]) + LINE).encode("utf-8"))
            if name == "checks.csv":
                exact = _exact_points(merged)
        questions = _question_columns(gradebook_columns)
        write_stats([SimpleNamespace(exercise=e.exercise or None, results=[SimpleNamespace(question=q, earned=exact.get(
            (e.learner, e.cells["notebook"], e.exercise, q), float(e.cells[q]))) for q in questions if e.cells.get(q)])
            for e in gradebook], scratch / "stats.csv")
        _feedback(out, scratch, old_gradebook, gradebook, key, replaced, learner)
        for name in (*ROW_FILES, "stats.csv"):
            os.replace(scratch / name, out / name)
        if (out / "feedback").is_dir():
            (out / "feedback").rename(scratch / "feedback.old")
        os.replace(scratch / "feedback", out / "feedback")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return result


@lru_cache(maxsize=None)
def _shares(exercise: str, question: str) -> dict[str, float]:
    """Each check's points in a question (its share of the question's points, by weight), hidden checks included."""
    q = full_spec(exercise).question(question)
    return {c.name: q.share(c) for c in q.checks}


def _exact_points(checks: list[Entry]) -> dict[tuple[str, str, str, str], float]:
    """Each graded question's points summed from its passed checks' shares, as the grader sums them: the statistics
    then match a full grading's to the last digit (the gradebook's points are rounded to two decimals)."""
    sums: dict[tuple[str, str, str, str], list[float]] = {}
    for e in checks:
        c = e.cells
        try:
            share = _shares(c["exercise"], c["question"]).get(c["check"])
        except GradingError:
            continue
        passed = share is not None and c["earned"] == c["possible"] and c["possible"] != "0"
        sums.setdefault((c["learner"], c["notebook"], c["exercise"], c["question"]), []).append(share if passed
                                                                                                else 0.0)
    return {key: round(sum(values), 9) for key, values in sums.items()}


def _columns(columns: list[str], new_columns: list[str], merged: list[Entry]) -> tuple[list[str], list[str]]:
    """The gradebook's columns for the merged rows: the question columns in the order a full grading finds them (row
    by row, each row's questions with points), and the question columns that are new."""
    old_q = _question_columns(columns)
    known = set(old_q) | set(_question_columns(new_columns))
    qids = list(dict.fromkeys(c for e in merged for c in e.cells if c in known and e.cells[c]))
    if qids == old_q:
        return columns, []
    return [*columns[:3], *qids, *columns[3 + len(old_q):]], [q for q in qids if q not in old_q]


def _changes(old: list[Entry], new: list[Entry], key: str, replaced: set[str], old_q: list[str],
             new_q: list[str]) -> list[RowChange]:
    gone = [e for e in old if e.learner == key and e.exercise in replaced]
    changes = []
    for entry in new:
        before = [e for e in gone if e.exercise == entry.exercise and entry.exercise]
        was = before[0].cells if before else {}
        qs = [q for q in dict.fromkeys([*new_q, *old_q]) if entry.cells.get(q) or was.get(q)]
        changes.append(RowChange(entry.exercise, "/".join(e.cells["status"] for e in before), entry.cells["status"],
                                 was.get("total", ""), entry.cells["total"], entry.cells["max"],
                                 tuple(QuestionChange(q, was.get(q, ""), entry.cells.get(q, "")) for q in qs)))
    changes += [RowChange("", e.cells["status"], "", e.cells["total"], "", e.cells["max"], (), removed=True)
                for e in gone if not e.exercise]  # a file without an exercise: replaced by the new submissions
    return changes


def _feedback(out: Path, scratch: Path, old: list[Entry], merged: list[Entry], key: str, replaced: set[str],
              learner: str) -> None:
    """The feedback folder with the learner's replaced rows' files removed and the new rows' files written, under
    the names a full grading gives them; the other files are copied as they are."""
    def names(entries: list[Entry]) -> list[str]:
        return feedback_names([(learner if e.learner == key else _raw(e.learner), e.exercise or None)
                               for e in entries])

    old_names = dict(zip(map(id, old), names(old)))
    new_names = dict(zip(map(id, merged), names(merged)))
    folder = out / "feedback"
    for e in merged:
        if e.row is None and old_names.get(id(e)) != new_names[id(e)]:
            raise GradingError(
                f"Re-grading {learner!r} would change the feedback file name of {shown(_raw(e.learner))!r} "
                f"({old_names.get(id(e))} → {new_names[id(e)]}): two learner ids share a file-name form. Nothing was "
                "written; grade the class again.", value=learner, rule="re-grading touches one learner's files")
        if e.row is None and not (folder / f"{new_names[id(e)]}.md").is_file():
            raise GradingError(f"{folder} has no {new_names[id(e)]}.md for a gradebook row: the folder does not "
                               "match gradebook.csv. Nothing was written; grade the class again.",
                               value=str(folder), rule="re-grade into a graded class")
    target = scratch / "feedback"
    shutil.copytree(folder, target) if folder.is_dir() else target.mkdir()
    for e in old:
        if e.learner == key and e.exercise in replaced:
            for suffix in (".md", ".html"):
                (target / f"{old_names[id(e)]}{suffix}").unlink(missing_ok=True)
    for e in merged:
        if e.row is not None:
            (target / f"{new_names[id(e)]}.md").write_text(feedback_markdown(e.row), encoding="utf-8")
            (target / f"{new_names[id(e)]}.html").write_text(feedback_html(e.row), encoding="utf-8")
