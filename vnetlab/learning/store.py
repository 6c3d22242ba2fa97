"""The learner's predictions, one local JSON file, written the way the drill history is.

Where: ``$VNETLAB_PREDICTIONS`` when set, else ``lesson-predictions.json`` in the drill history's folder
(:func:`vnetlab.drills.progress.default_path`: ``$VNETLAB_PROGRESS``'s folder, else ``$XDG_DATA_HOME/vnetlab``).

The file is ``{"format": "vnetlab-predictions", "version": 1, "predictions": [...]}``, each prediction
``{"id", "when", "lesson", "key", "said", "correct"}``. It uses the drill store's helpers: every write is atomic
(temporary file, fsync, rename), takes the folder's ``flock`` where there is one, re-reads the file and merges by
``id``; a file that is not this format exactly is renamed to ``<name>.<UTC time>.bak`` and a fresh record starts,
with a message in :attr:`PredictionStore.messages`. No threads and no subprocesses: it runs in JupyterLite too.
"""
from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, dataclass
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


def default_path() -> Path:
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override).expanduser()
    return drill_progress.default_path().parent / FILE_NAME


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


def parse(raw: bytes) -> list[Prediction]:
    """The predictions in a file's bytes, or :class:`ProgressFormatError` saying why it is not one (strict)."""
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
    if not isinstance(data, dict) or data.get("format") != FORMAT or set(data) != {"format", "version", "predictions"}:
        raise ProgressFormatError(f'is not a vnetlab predictions file ("format": "{FORMAT}")', value=type(data).__name__,
                                  rule=f'"format": "{FORMAT}"')
    if data["version"] != VERSION or isinstance(data["version"], bool) or not isinstance(data["predictions"], list):
        raise ProgressFormatError(f"has version {data['version']!r}; this vnetlab reads version {VERSION}",
                                  value=data["version"], rule=f'"version": {VERSION}')
    return [Prediction.from_json(item) for item in data["predictions"]]


class PredictionStore:
    """The predictions at ``path`` (default :func:`default_path`). Reading never raises on a bad file (it is set
    aside, see the module docstring); writing raises :class:`ProgressError` when the place is not writable."""

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_path()
        self.messages: list[str] = []
        self._mine: list[Prediction] = []
        with folder_lock(self.path.parent):
            self._all = self._load()

    def _load(self) -> list[Prediction]:
        try:
            raw = self.path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as exc:
            self.messages.append(f"The predictions file {self.path} cannot be read ({exc.strerror or exc}); "
                                 f"predictions are kept for this session only. Choose a place with {ENV_VAR}=PATH.")
            return []
        try:
            return parse(raw)
        except ProgressFormatError as exc:
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            backup = self.path.with_name(f"{self.path.name}.{stamp}.{uuid.uuid4().hex[:6]}.bak")
            try:
                os.replace(self.path, backup)
            except OSError:
                self.messages.append(f"The predictions file {self.path} {exc} and cannot be moved aside; it was "
                                     "left untouched.")
                return []
            self.messages.append(f"The predictions file {self.path} {exc}. It was kept as {backup} and a new, empty "
                                 "record was started.")
            return []

    def predictions(self, lesson: str | None = None) -> tuple[Prediction, ...]:
        """Every prediction (of one lesson), oldest first."""
        return tuple(p for p in self._all if lesson is None or p.lesson == lesson)

    def latest(self, lesson: str, key: str) -> Prediction | None:
        """The learner's last committed prediction for this question, if any."""
        return next((p for p in reversed(self._all) if p.lesson == lesson and p.key == key), None)

    def record(self, lesson: str, key: str, said: str, correct: bool) -> Prediction:
        """Add one prediction and save the file atomically, merged with what other kernels wrote meanwhile."""
        item = Prediction(datetime.now(timezone.utc).isoformat(timespec="seconds"), str(lesson), str(key), str(said),
                          bool(correct), uuid.uuid4().hex)
        self._mine.append(item)
        with folder_lock(self.path.parent):
            current = self._load() if self.path.exists() else []
            have = {p.id for p in current}
            merged = current + [p for p in self._mine if p.id not in have]
            atomic_write_text(self.path, json.dumps({"format": FORMAT, "version": VERSION,
                                                     "predictions": [asdict(p) for p in merged]}, indent=1), WHAT)
        self._all = merged
        return item


__all__ = ["Prediction", "PredictionStore", "ProgressError", "default_path"]
