"""The learner's drill history, kept in one local JSON file.

Where: ``$VNETLAB_PROGRESS`` when set, else ``$XDG_DATA_HOME/vnetlab/drill-progress.json`` (``XDG_DATA_HOME``
defaults to ``~/.local/share``, the XDG Base Directory rule). To move the history, move the file and point
``VNETLAB_PROGRESS`` (or ``vnetlab drill --progress PATH``) at it.

The file is ``{"format": "vnetlab-drill-progress", "version": 1, "attempts": [...]}``. Every write goes to a
temporary file in the same folder, is flushed to disk (``fsync``) and then renamed over the old file
(``os.replace``), so an interrupted write leaves the old history whole. A file that is not JSON, or JSON that is
not this format and version, is never overwritten: it is renamed to ``<name>.<UTC time>.bak`` beside it, a fresh
history starts, and :attr:`ProgressStore.messages` says what happened and where the old file went. "This format" is
checked strictly: only the keys below, text where text belongs, whole numbers for level and seed, finite numbers
(no ``NaN``, ``Infinity`` or ``1e400``), ``true``/``false`` (not ``"no"``) for ``correct``; and a file nested
more than :data:`MAX_NESTING` levels deep is refused before it is parsed.

Each attempt is ``{"id", "when", "topic", "level", "seed", "correct", "seconds"}``; ``id`` is a random hex string
that names the attempt for good (attempts written before ids existed get one derived from their place and content).
A wrong answer also has ``"misconceptions"``: the ids (``vnetlab/data/misconceptions.yaml``) it shows, the same
vocabulary the grader and the exercises' ``check()`` use; the key is left out when there are none.
An explain-it attempt (the learner explained in their own words and ticked the key points their answer made) also
has ``"points_met"`` and ``"points_total"`` (whole numbers, 0 <= met <= total); ``correct`` is then "every point made".

Several drills may share the file (a notebook and a terminal, two terminals): a write takes an exclusive
``flock`` on the file's folder, re-reads the file, merges this drill's attempts into it by ``id`` and writes the
result, so no drill's answers overwrite another's. Where ``fcntl`` does not exist (Windows, JupyterLite's Pyodide,
which is a single process anyway) the merge still runs, unlocked.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, NoReturn

from ..errors import VnetlabError
from .questions import LEVELS

try:  # POSIX; where it is missing (Windows) writes merge without a lock
    import fcntl
except ImportError:  # pragma: no cover - depends on the platform
    fcntl = None  # type: ignore[assignment]
if fcntl is not None and not hasattr(fcntl, "flock"):  # Pyodide's fcntl module has no flock (one page, no lock)
    fcntl = None  # type: ignore[assignment]

FORMAT = "vnetlab-drill-progress"
VERSION = 1
ENV_VAR = "VNETLAB_PROGRESS"
FILE_NAME = "drill-progress.json"
WHAT = "the drill progress file"
CSV_COLUMNS = ("when", "topic", "level", "seed", "correct", "seconds")
TOP_KEYS = ("format", "version", "attempts")
ATTEMPT_KEYS = ("id", "when", "topic", "level", "seed", "correct", "seconds", "misconceptions", "points_met",
                "points_total")
REQUIRED_KEYS = ("when", "topic", "level", "seed", "correct")
MAX_NESTING = 16  # read no deeper (a progress file itself nests 3: the file, its attempts, each attempt)
LOCK_TIMEOUT_S = 10.0  # a write holds the lock for milliseconds; longer means a stuck drill


class ProgressError(VnetlabError):
    """The progress file's location cannot be written (or read)."""


class ProgressLockError(ProgressError):
    """Another drill has held the progress folder's lock for longer than :data:`LOCK_TIMEOUT_S`."""


class ProgressFormatError(ProgressError):
    """A value in a progress file that the format does not allow; the file is set aside, never used."""


@dataclass(frozen=True)
class Attempt:
    """One answered drill question: when (UTC, ISO 8601), which question, right or not, how long it took, and the
    ``id`` that names it when drills merge their histories."""

    when: str
    topic: str
    level: int
    seed: int
    correct: bool
    seconds: float | None = None
    id: str = ""
    misconceptions: tuple[str, ...] = ()  # what a wrong answer showed
    points_met: int | None = None     # explain-it attempts: key points the learner's answer made (self-assessed)
    points_total: int | None = None   # explain-it attempts: key points on the checklist

    @property
    def explained(self) -> bool:
        """Whether this was an explain-it attempt (self-assessed against a checklist of key points)."""
        return self.points_total is not None

    def to_json(self) -> dict:
        """The attempt as stored: ``misconceptions`` only when there are some, the explain-it keys only on
        explain-it attempts."""
        data = asdict(self)
        mids = data.pop("misconceptions")
        if mids:
            data["misconceptions"] = list(mids)
        if not self.explained:
            del data["points_met"], data["points_total"]
        return data

    @classmethod
    def from_json(cls, data: object, index: int = 0) -> "Attempt":
        """The attempt at ``attempts[index]``, checked strictly; :class:`ProgressFormatError` names what is wrong."""
        where = f"attempts[{index}]"
        if not isinstance(data, dict):
            _refuse(where, data, "must be an object")
        unknown = sorted(set(data) - set(ATTEMPT_KEYS))
        if unknown:
            _refuse(f"{where} key", unknown[0], f"is not one of {', '.join(ATTEMPT_KEYS)}")
        missing = [key for key in REQUIRED_KEYS if key not in data]
        if missing:
            raise ProgressFormatError(f"{where} lacks {', '.join(repr(k) for k in missing)}", value=missing,
                                      rule=f"an attempt has {', '.join(REQUIRED_KEYS)}")
        when, topic, level, seed, correct = (data[key] for key in REQUIRED_KEYS)
        if not isinstance(when, str) or not _is_iso_time(when):
            _refuse(f"{where}.when", when, "must be an ISO 8601 time such as 2026-01-31T12:00:00+00:00")
        if not isinstance(topic, str) or not topic:
            _refuse(f"{where}.topic", topic, "must be a topic name (text)")
        if not _is_whole(level) or level not in LEVELS:
            _refuse(f"{where}.level", level, f"must be one of {', '.join(map(str, LEVELS))}")
        if not _is_whole(seed):
            _refuse(f"{where}.seed", seed, "must be a whole number")
        if not isinstance(correct, bool):
            _refuse(f"{where}.correct", correct, "must be true or false")
        seconds = data.get("seconds")
        if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, (int, float))
                                    or not _finite(seconds) or seconds < 0):
            _refuse(f"{where}.seconds", seconds, "must be a finite number of seconds, 0 or more, or null")
        ident = data["id"] if "id" in data else _legacy_id(index, data)
        if not isinstance(ident, str) or not ident:
            _refuse(f"{where}.id", ident, "must be non-empty text")
        mids = data.get("misconceptions", [])
        if not isinstance(mids, list) or not all(isinstance(m, str) and m for m in mids):
            _refuse(f"{where}.misconceptions", mids, "must be a list of misconception ids (text)")
        met, total = data.get("points_met"), data.get("points_total")
        if (met is None) != (total is None):
            _refuse(f"{where}.points_met", met, "comes with points_total (both or neither)")
        if total is not None:
            if not _is_whole(total) or total < 1:
                _refuse(f"{where}.points_total", total, "must be a whole number, 1 or more")
            if not _is_whole(met) or not 0 <= met <= total:
                _refuse(f"{where}.points_met", met, f"must be a whole number from 0 to points_total ({total})")
        return cls(when, topic, level, seed, correct, None if seconds is None else float(seconds), ident,
                   misconceptions=tuple(mids), points_met=None if met is None else int(met),
                   points_total=None if total is None else int(total))


def _refuse(where: str, value: object, rule: str) -> NoReturn:
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    raise ProgressFormatError(f"{where} is {shown}; it {rule}", value=value, rule=f"{where} {rule}")


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _finite(value: int | float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def _is_iso_time(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _legacy_id(index: int, data: dict) -> str:
    """An id for an attempt written before attempts had one: the same in every drill that reads the same file."""
    canonical = json.dumps([index, data], sort_keys=True, default=str)
    return "v1-" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:20]


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _nesting(text: str) -> int:
    """How deep JSON text nests (strings skipped), counted without parsing it: parsing recurses once per level."""
    depth = deepest = 0
    for bracket in _NOT_BRACKET.sub("", _STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _no_constant(name: str) -> float:
    raise ProgressFormatError(f"the number {name} is not a finite number", value=name,
                              rule="numbers in a progress file are finite")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ProgressFormatError(f"the number {text[:40]} is too large to be a finite number", value=text[:40],
                                  rule="numbers in a progress file are finite")
    return value


def parse_progress(raw: bytes) -> list[Attempt]:
    """The attempts in a progress file's bytes, or :class:`ProgressFormatError` (why it is not one) — strict."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProgressFormatError(f"is not valid JSON ({exc})", value=raw[:40], rule="a progress file is UTF-8 JSON")
    depth = _nesting(text)
    if depth > MAX_NESTING:  # refused before parsing: json recurses once per level (and Pyodide's stack is small)
        raise ProgressFormatError(f"nests {depth} levels deep; this vnetlab reads no file nested more than "
                                  f"{MAX_NESTING} levels (a progress file nests 3: the file, its attempts, each "
                                  "attempt)", value=depth, rule=f"at most {MAX_NESTING} levels of nesting")
    try:
        data = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
    except ProgressFormatError as exc:
        raise ProgressFormatError(f"has a value this vnetlab cannot read ({exc})", value=exc.value, rule=exc.rule)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ProgressFormatError(f"is not valid JSON ({exc})", value=text[:40], rule="a progress file is JSON")
    except ValueError as exc:  # e.g. a whole number of more than 4300 digits
        raise ProgressFormatError(f"has a value this vnetlab cannot read ({exc})", value=text[:40],
                                  rule="a progress file's numbers are readable")
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ProgressFormatError(f'is not a vnetlab drill progress file (no "format": "{FORMAT}")',
                                  value=type(data).__name__, rule=f'"format": "{FORMAT}"')
    version = data.get("version")
    if not _is_whole(version) or version != VERSION:
        raise ProgressFormatError(f"has version {version!r}; this vnetlab reads version {VERSION}", value=version,
                                  rule=f'"version": {VERSION}')
    try:
        unknown = sorted(set(data) - set(TOP_KEYS))
        if unknown:
            _refuse("the key", unknown[0], f"is not one of {', '.join(TOP_KEYS)}")
        attempts = data.get("attempts", [])
        if not isinstance(attempts, list):
            _refuse('"attempts"', attempts, "must be a list")
    except ProgressFormatError as exc:
        raise ProgressFormatError(f"has a value this vnetlab cannot read ({exc})", value=exc.value,
                                  rule=exc.rule) from None
    try:
        return [Attempt.from_json(item, i) for i, item in enumerate(attempts)]
    except ProgressFormatError as exc:
        raise ProgressFormatError(f"has an attempt this vnetlab cannot read ({exc})", value=exc.value,
                                  rule=exc.rule) from None


@dataclass(frozen=True)
class TopicStats:
    """Per topic: questions tried, answered right, and the current streak (right answers in a row, latest last)."""

    tried: int = 0
    right: int = 0
    streak: int = 0


def default_path() -> Path:
    """``$VNETLAB_PROGRESS``, else ``$XDG_DATA_HOME/vnetlab/drill-progress.json`` (XDG default ``~/.local/share``).

    In the browser (JupyterLite's Pyodide kernel, ``sys.platform == "emscripten"``) only the working directory,
    ``/drive``, is kept in the browser's storage; a home folder there lives in memory and is lost on reload, so
    the history goes to ``.vnetlab/drill-progress.json`` under the working directory instead.
    """
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override).expanduser()
    if sys.platform == "emscripten":
        return Path.cwd() / ".vnetlab" / FILE_NAME
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


@contextmanager
def folder_lock(folder: Path, timeout_s: float = LOCK_TIMEOUT_S) -> Iterator[bool]:
    """Hold an exclusive ``flock`` on ``folder`` (the progress file's folder) while the block runs.

    Yields True when the lock is held, or when the platform or file system has no ``flock`` (then there is nothing
    to wait for); False when another process held it for ``timeout_s``. A folder is locked rather than the file
    because every write replaces the file (a new inode), and a lock file would be left lying beside it.
    """
    if fcntl is None:
        yield True
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # no folder yet, or not one we may open: nothing else can be writing there through it
        yield True
        return
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held = True
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    held = False
                    break
                time.sleep(0.01)
            except OSError:  # a file system without flock: go on; the merge still keeps what it read
                held = True
                break
        yield held
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def merge(current: list[Attempt], mine: list[Attempt]) -> list[Attempt]:
    """The attempts in the file followed by this drill's own attempts that it does not hold yet (matched by id)."""
    have = {a.id for a in current}
    return current + [a for a in mine if a.id not in have]


class ProgressStore:
    """The drill history at ``path`` (default :func:`default_path`).

    Reading never raises on a bad file: a corrupt or foreign file is backed up beside itself and a fresh history
    starts, with a message in :attr:`messages`. Writing raises :class:`ProgressError` when the location is not
    writable. :meth:`record` locks the folder, re-reads the file and merges this store's attempts into it, so
    drills running at the same time (a notebook and a terminal, two terminals) all keep their answers, and an
    answer that could not be saved is saved with the next one.
    """

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_path()
        self.messages: list[str] = []
        self._blocked = ""  # why the file must not be written (a bad file that could not be backed up)
        self._mine: list[Attempt] = []  # the attempts this store recorded, saved or not yet
        with folder_lock(self.path.parent):  # reading is safe unlocked; setting a bad file aside is not
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
            return parse_progress(raw)
        except ProgressFormatError as exc:
            return self._set_aside(str(exc))

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
    def record(self, topic: str, level: int, seed: int, correct: bool, seconds: float | None = None,
               misconceptions: "tuple[str, ...] | list[str]" = (), *, points: tuple[int, int] | None = None) -> Attempt:
        """Add one attempt and save the history atomically, merged with what other drills wrote meanwhile.
        ``misconceptions``: the ids a wrong answer showed (:attr:`DrillQuestion.misconceptions`); ``points`` =
        (met, total) for an explain-it attempt."""
        met, total = points if points is not None else (None, None)
        attempt = Attempt(_now(), topic, int(level), int(seed), bool(correct),
                          None if seconds is None else round(float(seconds), 3), uuid.uuid4().hex,
                          misconceptions=tuple(map(str, misconceptions)), points_met=None if met is None else int(met),
                          points_total=None if total is None else int(total))
        self._mine.append(attempt)
        if self._blocked:
            self._attempts.append(attempt)
            raise ProgressError(self._blocked, value=str(self.path))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # the write below says why it cannot be written
        with folder_lock(self.path.parent, LOCK_TIMEOUT_S) as held:
            if not held:
                self._attempts.append(attempt)
                raise ProgressLockError(
                    f"The drill progress file {self.path} was not saved: another drill has held the lock on its "
                    f"folder for more than {LOCK_TIMEOUT_S:g} s. This answer is kept and saved with the next one.",
                    value=str(self.path.parent), rule="one drill writes the progress file at a time")
            seen = len(self.messages)
            current = self._load()  # another drill may have written since we read
            if len(self.messages) > seen:  # the file went bad since: it was set aside; keep what we had read
                current = self._attempts
            self._attempts = merge(current, self._mine)
            if self._blocked:  # the file went bad since we read it and cannot be moved aside
                raise ProgressError(self._blocked, value=str(self.path))
            self._save()
        return attempt

    def _save(self) -> None:
        document = {"format": FORMAT, "version": VERSION, "attempts": [a.to_json() for a in self._attempts]}
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


__all__ = ["Attempt", "CSV_COLUMNS", "ENV_VAR", "FORMAT", "ProgressError", "ProgressFormatError", "ProgressLockError",
           "ProgressStore", "TopicStats", "VERSION", "atomic_write_text", "default_path", "folder_lock", "merge",
           "parse_progress"]
