"""The learner's own records: lesson predictions and exercise checks, each one local JSON file, written the way the
drill history is.

Where: ``$VNETLAB_PREDICTIONS`` when set, else ``lesson-predictions.json`` in the drill history's folder
(:func:`vnetlab.drills.progress.default_path`: ``$VNETLAB_PROGRESS``'s folder, else ``$XDG_DATA_HOME/vnetlab``).

The file is ``{"format": "vnetlab-predictions", "version": 1, "predictions": [...]}``, each prediction
``{"id", "when", "lesson", "key", "said", "correct"}``. It uses the drill store's helpers: every write is atomic
(temporary file, fsync, rename), takes the folder's ``flock`` where there is one, re-reads the file and merges by
``id``; a file that is not this format exactly is renamed to ``<name>.<UTC time>.bak`` and a fresh record starts,
with a message in :attr:`PredictionStore.messages`. No threads and no subprocesses: it runs in JupyterLite too.

The exercise checks (:class:`CheckStore`) are kept the same way in ``exercise-checks.json`` beside it
(``$VNETLAB_CHECKS`` when set): ``{"format": "vnetlab-checks", "version": 1, "checks": [...]}``, each check
``{"id", "when", "exercise", "question", "passed", "misconceptions"}``, one per ``check()`` the learner ran:
``passed`` is whether every visible check passed, ``misconceptions`` the ids (``vnetlab/data/misconceptions.yaml``)
the failed ones showed.
"""
from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path

from ..drills import progress as drill_progress
from ..drills.progress import ProgressError, ProgressFormatError, atomic_write_text, folder_lock

FORMAT = "vnetlab-predictions"
VERSION = 1
ENV_VAR = "VNETLAB_PREDICTIONS"
FILE_NAME = "lesson-predictions.json"
WHAT = "the lesson predictions file"
KEYS = ("id", "when", "lesson", "key", "said", "correct")
MAX_NESTING = 8  # the file nests 3 levels: the file, its predictions, each prediction


CHECKS_FORMAT = "vnetlab-checks"
CHECKS_ENV_VAR = "VNETLAB_CHECKS"
CHECKS_FILE_NAME = "exercise-checks.json"


def _place(env_var: str, file_name: str) -> Path:
    override = os.environ.get(env_var)
    if override:
        return Path(override).expanduser()
    return drill_progress.default_path().parent / file_name


def default_path() -> Path:
    return _place(ENV_VAR, FILE_NAME)


def checks_path() -> Path:
    return _place(CHECKS_ENV_VAR, CHECKS_FILE_NAME)


@dataclass(frozen=True)
class Prediction:
    """One committed prediction: which lesson and question, what the learner said, and whether it was right."""

    when: str
    lesson: str
    key: str
    said: str
    correct: bool
    id: str = ""

    @classmethod
    def from_json(cls, item: object) -> "Prediction":
        if not isinstance(item, dict) or set(item) != set(KEYS):
            raise ProgressFormatError(f"a prediction must have exactly the keys {', '.join(KEYS)}", value=item,
                                      rule="prediction keys")
        if not all(isinstance(item[k], str) for k in ("id", "when", "lesson", "key", "said")) \
                or not isinstance(item["correct"], bool):
            raise ProgressFormatError("a prediction's fields are text, and correct is true or false", value=item,
                                      rule="prediction field types")
        return cls(item["when"], item["lesson"], item["key"], item["said"], item["correct"], item["id"])


@dataclass(frozen=True)
class CheckRecord:
    """One ``check()`` of an exercise question: whether its visible checks all passed, and the misconception ids
    the failed ones showed."""

    when: str
    exercise: str
    question: str
    passed: bool
    misconceptions: tuple[str, ...] = ()
    id: str = ""

    @classmethod
    def from_json(cls, item: object) -> "CheckRecord":
        keys = [f.name for f in fields(cls)]
        if not isinstance(item, dict) or set(item) != set(keys):
            raise ProgressFormatError(f"a check must have exactly the keys {', '.join(keys)}", value=item,
                                      rule="check keys")
        mids = item["misconceptions"]
        if not all(isinstance(item[k], str) for k in ("id", "when", "exercise", "question")) \
                or not isinstance(item["passed"], bool) or not isinstance(mids, list) \
                or not all(isinstance(m, str) for m in mids):
            raise ProgressFormatError("a check's fields are text, passed is true or false, misconceptions a list of "
                                      "text", value=item, rule="check field types")
        return cls(item["when"], item["exercise"], item["question"], item["passed"], tuple(mids), item["id"])


def _parse(raw: bytes, fmt: str, key: str, record: type, what: str) -> list:
    """The records in a file's bytes, or :class:`ProgressFormatError` saying why it is not one (strict)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProgressFormatError(f"is not UTF-8 ({exc})", value=raw[:40], rule="UTF-8 JSON")
    if drill_progress._nesting(text) > MAX_NESTING:
        raise ProgressFormatError(f"nests more than {MAX_NESTING} levels", value=text[:40], rule="shallow JSON")
    try:
        data = json.loads(text, parse_constant=drill_progress._no_constant)
    except (ValueError, RecursionError) as exc:
        raise ProgressFormatError(f"is not valid JSON ({exc})", value=text[:40], rule="JSON")
    if not isinstance(data, dict) or data.get("format") != fmt or set(data) != {"format", "version", key}:
        raise ProgressFormatError(f'is not a vnetlab {what} file ("format": "{fmt}")', value=type(data).__name__,
                                  rule=f'"format": "{fmt}"')
    if data["version"] != VERSION or isinstance(data["version"], bool) or not isinstance(data[key], list):
        raise ProgressFormatError(f"has version {data['version']!r}; this vnetlab reads version {VERSION}",
                                  value=data["version"], rule=f'"version": {VERSION}')
    return [record.from_json(item) for item in data[key]]


def parse(raw: bytes) -> list[Prediction]:
    """The predictions in a file's bytes, or :class:`ProgressFormatError` saying why it is not one (strict)."""
    return _parse(raw, FORMAT, "predictions", Prediction, "predictions")


class _RecordFile:
    """Records of one kind in one local JSON file (see the module docstring). Reading never raises on a bad file (it
    is set aside); writing raises :class:`ProgressError` when the place is not writable."""

    FORMAT = FORMAT
    KEY = "predictions"
    RECORD: type = Prediction
    LABEL = "predictions"  # "The <LABEL> file ..."
    ENV = ENV_VAR
    WHAT = WHAT

    def __init__(self, path: "str | os.PathLike | None" = None) -> None:
        self.path = Path(path).expanduser() if path is not None else self._default()
        self.messages: list[str] = []
        self._mine: list = []
        with folder_lock(self.path.parent):
            self._all = self._load()

    @staticmethod
    def _default() -> Path:
        return default_path()

    def _load(self) -> list:
        try:
            raw = self.path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as exc:
            self.messages.append(f"The {self.LABEL} file {self.path} cannot be read ({exc.strerror or exc}); "
                                 f"{self.LABEL} are kept for this session only. Choose a place with {self.ENV}=PATH.")
            return []
        try:
            return _parse(raw, self.FORMAT, self.KEY, self.RECORD, self.LABEL)
        except ProgressFormatError as exc:
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            backup = self.path.with_name(f"{self.path.name}.{stamp}.{uuid.uuid4().hex[:6]}.bak")
            try:
                os.replace(self.path, backup)
            except OSError:
                self.messages.append(f"The {self.LABEL} file {self.path} {exc} and cannot be moved aside; it was "
                                     "left untouched.")
                return []
            self.messages.append(f"The {self.LABEL} file {self.path} {exc}. It was kept as {backup} and a new, empty "
                                 "record was started.")
            return []

    def _add(self, item) -> None:
        """Add one record and save the file atomically, merged with what other kernels wrote meanwhile."""
        self._mine.append(item)
        with folder_lock(self.path.parent):
            current = self._load() if self.path.exists() else []
            have = {p.id for p in current}
            merged = current + [p for p in self._mine if p.id not in have]
            atomic_write_text(self.path, json.dumps({"format": self.FORMAT, "version": VERSION,
                                                     self.KEY: [_plain(p) for p in merged]}, indent=1),
                              self.WHAT)
        self._all = merged


def _plain(record) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(record).items()}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class PredictionStore(_RecordFile):
    """The predictions at ``path`` (default :func:`default_path`)."""

    def predictions(self, lesson: str | None = None) -> tuple[Prediction, ...]:
        """Every prediction (of one lesson), oldest first."""
        return tuple(p for p in self._all if lesson is None or p.lesson == lesson)

    def latest(self, lesson: str, key: str) -> Prediction | None:
        """The learner's last committed prediction for this question, if any."""
        return next((p for p in reversed(self._all) if p.lesson == lesson and p.key == key), None)

    def record(self, lesson: str, key: str, said: str, correct: bool) -> Prediction:
        """Add one prediction and save the file atomically, merged with what other kernels wrote meanwhile."""
        item = Prediction(_now(), str(lesson), str(key), str(said), bool(correct), uuid.uuid4().hex)
        self._add(item)
        return item


class CheckStore(_RecordFile):
    """The exercise checks the learner ran, at ``path`` (default :func:`checks_path`)."""

    FORMAT = CHECKS_FORMAT
    KEY = "checks"
    RECORD = CheckRecord
    LABEL = "exercise checks"
    ENV = CHECKS_ENV_VAR
    WHAT = "the exercise checks file"

    @staticmethod
    def _default() -> Path:
        return checks_path()

    def checks(self, exercise: str | None = None) -> tuple[CheckRecord, ...]:
        """Every check (of one exercise), oldest first."""
        return tuple(c for c in self._all if exercise is None or c.exercise == exercise)

    def record(self, exercise: str, question: str, passed: bool,
               misconceptions: "tuple[str, ...] | list[str]" = ()) -> CheckRecord:
        """Add one check and save the file atomically."""
        item = CheckRecord(_now(), str(exercise), str(question), bool(passed), tuple(map(str, misconceptions)),
                           uuid.uuid4().hex)
        self._add(item)
        return item


__all__ = ["CheckRecord", "CheckStore", "Prediction", "PredictionStore", "ProgressError", "checks_path",
           "default_path"]
