"""The learner's drill history, kept in one local JSON file.

Where: ``$VNETLAB_PROGRESS`` when set, else ``$XDG_DATA_HOME/vnetlab/drill-progress.json`` (``XDG_DATA_HOME``
defaults to ``~/.local/share``, the XDG Base Directory rule). To move the history, move the file and point
``VNETLAB_PROGRESS`` (or ``vnetlab drill --progress PATH``) at it.

The file is ``{"format": "vnetlab-drill-progress", "version": 1, "attempts": [...]}``. Every write goes to a
temporary file in the same folder, is flushed to disk (``fsync``) and then renamed over the old file
(``os.replace``), so an interrupted write leaves the old history whole. A file that is not JSON, or JSON that is
not this format and version, is never overwritten: it is renamed to ``<name>.<UTC time>.bak`` beside it, a fresh
history starts, and :attr:`ProgressStore.messages` says what happened and where the old file went.
"""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..errors import VnetlabError

FORMAT = "vnetlab-drill-progress"
VERSION = 1
ENV_VAR = "VNETLAB_PROGRESS"
FILE_NAME = "drill-progress.json"
WHAT = "the drill progress file"
CSV_COLUMNS = ("when", "topic", "level", "seed", "correct", "seconds")


class ProgressError(VnetlabError):
    """The progress file's location cannot be written (or read)."""


@dataclass(frozen=True)
class Attempt:
    """One answered drill question: when (UTC, ISO 8601), which question, right or not, how long it took."""

    when: str
    topic: str
    level: int
    seed: int
    correct: bool
    seconds: float | None = None

    @classmethod
    def from_json(cls, data: object) -> "Attempt":
        if not isinstance(data, dict):
            raise ValueError(f"an attempt must be an object, not {data!r}")
        seconds = data.get("seconds")
        return cls(when=str(data["when"]), topic=str(data["topic"]), level=int(data["level"]), seed=int(data["seed"]),
                   correct=bool(data["correct"]), seconds=None if seconds is None else float(seconds))


@dataclass(frozen=True)
class TopicStats:
    """Per topic: questions tried, answered right, and the current streak (right answers in a row, latest last)."""

    tried: int = 0
    right: int = 0
    streak: int = 0


def default_path() -> Path:
    """``$VNETLAB_PROGRESS``, else ``$XDG_DATA_HOME/vnetlab/drill-progress.json`` (XDG default ``~/.local/share``)."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path("~/.local/share").expanduser())
    return Path(data_home) / "vnetlab" / FILE_NAME


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def atomic_write_text(path: Path, text: str, what: str = WHAT) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, fsync, then ``os.replace``."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        hint = f"; choose a writable location with {ENV_VAR}=PATH or --progress PATH" if what == WHAT else ""
        raise ProgressError(f"cannot write {what} {path}: {exc.strerror or exc}{hint}", value=str(path)) from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ProgressError(f"cannot write {what} {path}: {exc.strerror or exc}; the previous file is unchanged",
                            value=str(path)) from exc
    try:  # make the rename itself durable; not every file system lets a folder be opened
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


class ProgressStore:
    """The drill history at ``path`` (default :func:`default_path`).

    Reading never raises on a bad file: a corrupt or foreign file is backed up beside itself and a fresh history
    starts, with a message in :attr:`messages`. Writing raises :class:`ProgressError` when the location is not
    writable. :meth:`record` re-reads the file first, so two drills (a notebook and a terminal) both keep their
    answers.
    """

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_path()
        self.messages: list[str] = []
        self._blocked = ""  # why the file must not be written (a bad file that could not be backed up)
        self._attempts: list[Attempt] = self._load()

    # --- reading --------------------------------------------------------------------------------------------
    def _load(self) -> list[Attempt]:
        try:
            raw = self.path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):  # nothing there yet (writing will say if it cannot be)
            return []
        except OSError as exc:  # e.g. a folder at that path, or no permission: leave it alone, keep answers in memory
            self._blocked = (f"The drill progress file {self.path} cannot be read ({exc.strerror or exc}); it was "
                             f"left untouched and this drill's answers are not saved. Choose another location with "
                             f"{ENV_VAR}=PATH or --progress PATH.")
            self.messages.append(self._blocked)
            return []
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return self._set_aside(f"is not valid JSON ({exc})")
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return self._set_aside(f'is not a vnetlab drill progress file (no "format": "{FORMAT}")')
        if data.get("version") != VERSION:
            return self._set_aside(f"has version {data.get('version')!r}; this vnetlab reads version {VERSION}")
        try:
            attempts = [Attempt.from_json(item) for item in data.get("attempts", [])]
        except (KeyError, TypeError, ValueError) as exc:
            return self._set_aside(f"has an attempt this vnetlab cannot read ({exc})")
        return attempts

    def _set_aside(self, reason: str) -> list[Attempt]:
        """Rename the bad file to a timestamped backup beside it; say so in :attr:`messages`."""
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        backup = self.path.with_name(f"{self.path.name}.{stamp}.bak")
        n = 1
        while backup.exists():
            n += 1
            backup = self.path.with_name(f"{self.path.name}.{stamp}-{n}.bak")
        try:
            os.replace(self.path, backup)
        except OSError as exc:  # then it must not be overwritten either: answers are kept in memory only
            self._blocked = (f"The drill progress file {self.path} {reason}, and it cannot be moved aside to {backup} "
                             f"({exc.strerror or exc}); it was left untouched and this drill's answers are not saved. "
                             f"Move it yourself, or choose another location with {ENV_VAR}=PATH or --progress PATH.")
            self.messages.append(self._blocked)
            return []
        self.messages.append(f"The drill progress file {self.path} {reason}. It was kept as {backup} and a new, "
                             f"empty history was started in {self.path}.")
        return []

    def attempts(self) -> tuple[Attempt, ...]:
        """Every recorded attempt, oldest first."""
        return tuple(self._attempts)

    def stats(self) -> dict[str, TopicStats]:
        """Per topic (in the order first tried): tried, right, and the current streak of right answers."""
        out: dict[str, TopicStats] = {}
        for a in self._attempts:
            s = out.get(a.topic, TopicStats())
            out[a.topic] = TopicStats(s.tried + 1, s.right + a.correct, s.streak + 1 if a.correct else 0)
        return out

    # --- writing --------------------------------------------------------------------------------------------
    def record(self, topic: str, level: int, seed: int, correct: bool, seconds: float | None = None) -> Attempt:
        """Append one attempt and save the history atomically."""
        attempt = Attempt(_now(), topic, int(level), int(seed), bool(correct),
                          None if seconds is None else round(float(seconds), 3))
        if self._blocked:
            self._attempts.append(attempt)
            raise ProgressError(self._blocked, value=str(self.path))
        seen = len(self.messages)
        current = self._load()  # another drill may have written since we read
        if len(self.messages) > seen:  # the file went bad since: it was set aside; keep what we had read
            current = self._attempts
        self._attempts = current + [attempt]
        if self._blocked:  # the file went bad since we read it and cannot be moved aside
            raise ProgressError(self._blocked, value=str(self.path))
        self._save()
        return attempt

    def _save(self) -> None:
        document = {"format": FORMAT, "version": VERSION, "attempts": [asdict(a) for a in self._attempts]}
        atomic_write_text(self.path, json.dumps(document, indent=1) + "\n")

    def csv_text(self) -> str:
        """The history as CSV: columns :data:`CSV_COLUMNS`, one row per attempt, oldest first."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for a in self._attempts:
            writer.writerow([a.when, a.topic, a.level, a.seed, "yes" if a.correct else "no",
                             "" if a.seconds is None else f"{a.seconds:g}"])
        return buffer.getvalue()

    def export_csv(self, path: str | os.PathLike) -> Path:
        """Write :meth:`csv_text` to ``path`` (atomically, like the progress file)."""
        target = Path(path).expanduser()
        atomic_write_text(target, self.csv_text(), what="the CSV export")
        return target


__all__ = ["Attempt", "CSV_COLUMNS", "ENV_VAR", "FORMAT", "ProgressError", "ProgressStore", "TopicStats", "VERSION",
           "atomic_write_text", "default_path"]
