"""``vnetlab grades``: the gradebook as a file a learning management system imports (Canvas, Moodle) or a plain CSV.

One grade per learner and exercise: the exercise's total from ``gradebook.csv`` (``vnetlab grade`` wrote it), one
column per exercise, one row per learner. Learners are matched to the LMS's users through a mapping CSV the
instructor writes: a ``learner`` column (the vnetlab learner id, as in the gradebook) and any of ``name``,
``lms_id`` (the LMS's own user id), ``sis_user_id``, ``sis_login_id``, ``section`` (Canvas), ``email``,
``username``, ``idnumber`` (Moodle).

The column rules come from each system's documentation and importer, recorded with their sources in
``vnetlab/data/lms.yaml``:

* **Canvas** ("How do I import grades in the Gradebook?", and Canvas's ``GradebookImporter``): the student columns
  ``Student, ID, SIS User ID, SIS Login ID, Section`` (Section last), then one column per assignment; a second row
  whose first cell is ``Points Possible`` gives each assignment's points. A learner needs an ``lms_id``,
  ``sis_user_id`` or ``sis_login_id`` in the mapping.
* **Moodle** ("Grade import", and its ``gradeimport_csv_load_data``): one identifier column (email by default;
  ``--moodle-id`` chooses username, idnumber or id), which the teacher maps to ``useremail`` (``username``,
  ``useridnumber``, ``userid``) in the import preview, then one column per grade item. A user Moodle does not find
  aborts the whole import, so only mapped learners are in the file.
* **csv**: every learner, the mapping's fields, one column per exercise, total, max, whether mapped, and notes.

A learner without a mapping is never dropped: they are named on standard error and listed, with their scores, in
``<out>.unmapped.csv`` beside the export (written every time, header only when everyone is mapped). A learner with
two submissions for one exercise (``duplicate-learner``) gets no grade for it (the instructor decides which
counts); that, a submission that could not be graded and a status other than ``ok`` are in the notes. Every cell
goes through the gradebook's :func:`~vnetlab.grading.grader.csv_cell` (formula injection).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from . import EXERCISES
from ..errors import GradingError
from .grader import csv_cell

LMS = ("canvas", "moodle", "csv")
MAP_FIELDS = ("learner", "name", "lms_id", "sis_user_id", "sis_login_id", "section", "email", "username", "idnumber")
MOODLE_FIELD = {"email": "email", "username": "username", "idnumber": "idnumber", "id": "lms_id"}


class MappingError(GradingError):
    """A learner-id mapping or gradebook the export cannot use."""


@lru_cache(maxsize=None)
def rules() -> dict[str, Any]:
    """The documented import rules of each system (``vnetlab/data/lms.yaml``)."""
    return yaml.safe_load(resources.files("vnetlab").joinpath("data", "lms.yaml").read_text(encoding="utf-8"))


@dataclass
class Learner:
    """One learner's grades, as the gradebook has them (``learner`` is the gradebook's cell, escaped already)."""

    learner: str
    scores: dict[str, str] = field(default_factory=dict)  # exercise -> points ("" when no grade is written)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Export:
    path: Path
    unmapped_path: Path
    lms: str
    learners: int                  # in the gradebook
    written: int                   # learner rows in the export
    unmapped: tuple[str, ...]      # learners with no usable mapping (in unmapped_path)
    not_in_gradebook: tuple[str, ...]  # mapping rows whose learner handed nothing in
    exercises: tuple[str, ...]


def _read_csv(path: Path, what: str) -> tuple[list[str], list[dict[str, str]]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
            return list(reader.fieldnames or []), rows
    except FileNotFoundError:
        raise MappingError(f"{what} {str(path)!r} does not exist.", value=str(path),
                           rule=f"{what} must exist") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise MappingError(f"{what} {str(path)!r} is not a UTF-8 CSV file ({exc}).", value=str(path),
                           rule=f"{what} is a UTF-8 CSV file") from None


def read_gradebook(folder: "str | Path") -> tuple[list[Learner], dict[str, float]]:
    """The learners of ``folder/gradebook.csv`` in its order, and each exercise's maximum points."""
    path = Path(folder) / "gradebook.csv"
    header, rows = _read_csv(path, "gradebook")
    needed = {"learner", "exercise", "total", "max", "status", "reason"}
    if not needed <= set(header):
        raise MappingError(f"{path} lacks the columns {', '.join(sorted(needed - set(header)))}: not a gradebook "
                           "written by `vnetlab grade`.", value=str(path), rule="a vnetlab gradebook")
    learners: dict[str, Learner] = {}
    maxima: dict[str, float] = {}
    by_exercise: dict[tuple[str, str], list[dict[str, str]]] = {}
    for row in rows:
        who = learners.setdefault(row["learner"], Learner(row["learner"]))
        if row["exercise"]:
            by_exercise.setdefault((row["learner"], row["exercise"]), []).append(row)
            maxima.setdefault(row["exercise"], float(row["max"] or 0))
        else:
            who.notes.append(f"{row.get('notebook', '')}: not graded ({row['status']}: {row['reason']})")
    for (learner, exercise), same in by_exercise.items():
        who = learners[learner]
        if len(same) > 1:
            who.scores[exercise] = ""
            who.notes.append(f"{exercise}: {len(same)} submissions under this id; no grade written (decide which "
                             "counts)")
            continue
        who.scores[exercise] = same[0]["total"]
        if same[0]["status"] != "ok":
            who.notes.append(f"{exercise}: status {same[0]['status']}")
    order = {name: i for i, name in enumerate(EXERCISES)}
    maxima = dict(sorted(maxima.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))
    return list(learners.values()), maxima


def read_mapping(path: "str | Path") -> dict[str, dict[str, str]]:
    """The mapping CSV: learner id (escaped as the gradebook writes it) -> the LMS fields given for it."""
    header, rows = _read_csv(Path(path), "learner mapping")
    if "learner" not in header:
        raise MappingError(f"The learner mapping {str(path)!r} has no 'learner' column (its columns: "
                           f"{', '.join(header) or 'none'}).", value=header, rule="mapping columns: "
                           + ", ".join(MAP_FIELDS))
    unknown = [h for h in header if h not in MAP_FIELDS]
    if unknown:
        raise MappingError(f"The learner mapping {str(path)!r} has columns vnetlab does not know: "
                           f"{', '.join(map(repr, unknown))}; use {', '.join(MAP_FIELDS)}.", value=unknown,
                           rule="mapping columns: " + ", ".join(MAP_FIELDS))
    mapping: dict[str, dict[str, str]] = {}
    for line, row in enumerate(rows, start=2):
        learner = (row.get("learner") or "").strip()
        if not learner:
            continue
        key = csv_cell(learner)
        if key in mapping:
            raise MappingError(f"The learner mapping {str(path)!r} names learner {learner!r} twice (line {line}).",
                               value=learner, rule="one mapping row per learner")
        mapping[key] = {k: (v or "").strip() for k, v in row.items() if k in MAP_FIELDS and k != "learner"}
    return mapping


def _mapped(lms: str, fields: dict[str, str] | None, moodle_id: str) -> bool:
    if fields is None:
        return False
    if lms == "canvas":
        return any(fields.get(k) for k in ("lms_id", "sis_user_id", "sis_login_id"))
    if lms == "moodle":
        return bool(fields.get(MOODLE_FIELD[moodle_id]))
    return True


def _write(path: Path, rows: list[list[Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        for row in rows:
            w.writerow([csv_cell(c) for c in row])


def unmapped_path(out: "str | Path") -> Path:
    out = Path(out)
    return out.with_name(f"{out.stem}.unmapped.csv")


def export_grades(gradebook: "str | Path", lms: str, out: "str | Path", mapping: "str | Path | None" = None,
                  moodle_id: str = "email") -> Export:
    """Write ``out`` (and ``<out>.unmapped.csv``) for ``lms`` from the gradebook folder ``gradebook``."""
    if lms not in LMS:
        raise MappingError(f"--lms {lms!r}: use one of {', '.join(LMS)}.", value=lms, rule="known LMS formats")
    if moodle_id not in MOODLE_FIELD:
        raise MappingError(f"--moodle-id {moodle_id!r}: use one of {', '.join(MOODLE_FIELD)}.", value=moodle_id,
                           rule="Moodle user fields")
    if mapping is None and lms != "csv":
        raise MappingError(f"--lms {lms} needs --map: a CSV with a 'learner' column and the {lms} ids of each "
                           "learner.", value=None, rule="a learner mapping for an LMS")
    learners, maxima = read_gradebook(gradebook)
    ids = read_mapping(mapping) if mapping is not None else {}
    exercises = list(maxima)
    out = Path(out)
    mapped = [w for w in learners if _mapped(lms, ids.get(w.learner), moodle_id)]
    unmapped = [w for w in learners if not _mapped(lms, ids.get(w.learner), moodle_id)]

    def scores(w: Learner) -> list[str]:
        return [w.scores.get(e, "") for e in exercises]

    if lms == "canvas":
        spec = rules()["canvas"]
        rows: list[list[Any]] = [[*spec["student_columns"], *exercises],
                                 [spec["points_possible_label"], *([""] * (len(spec["student_columns"]) - 1)),
                                  *(f"{maxima[e]:g}" for e in exercises)]]
        for w in mapped:
            f = ids[w.learner]
            rows.append([f.get("name") or w.learner, f.get("lms_id", ""), f.get("sis_user_id", ""),
                         f.get("sis_login_id", ""), f.get("section", ""), *scores(w)])
    elif lms == "moodle":
        column = rules()["moodle"]["identifiers"][moodle_id]["header"]
        rows = [[column, *exercises]]
        rows += [[ids[w.learner][MOODLE_FIELD[moodle_id]], *scores(w)] for w in mapped]
    else:
        extra = [k for k in MAP_FIELDS[1:] if any(k in f for f in ids.values())]
        rows = [["learner", *extra, *exercises, "total", "max", "mapped", "notes"]]
        for w in learners:
            f = ids.get(w.learner, {})
            got = [float(s) for s in scores(w) if s]
            total = f"{round(sum(got), 2):g}" if got else ""
            rows.append([w.learner, *(f.get(k, "") for k in extra), *scores(w), total, f"{sum(maxima.values()):g}",
                         "yes" if w.learner in ids else "no", "; ".join(w.notes)])
    _write(out, rows)
    side = unmapped_path(out)
    _write(side, [["learner", *exercises, "notes"]] + [[w.learner, *scores(w), "; ".join(w.notes)] for w in unmapped])
    known = {w.learner for w in learners}
    return Export(out, side, lms, len(learners), len(learners) if lms == "csv" else len(mapped),
                  tuple(w.learner for w in unmapped), tuple(k for k in ids if k not in known), tuple(exercises))
