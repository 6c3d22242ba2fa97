"""The answers sidecar: ``vnetlab-answers.json`` beside the notebook, for answers given through a widget.

A widget's state lives in the browser and the kernel; a grader that re-runs the notebook from scratch gets a
fresh widget. So when the learner clicks **Record my answer** under a widget, the widget's
``answer_data()`` (plain data) is written to this file, keyed by learner id, exercise and question::

    {"format": "vnetlab-answers/1",
     "answers": {"alice": {"01-address-spaces": {"q3": {"answer": {...}, "recorded": "2026-..."}}}}}

The learner hands in the notebook *and* this file. The grader copies both into a scratch folder, re-runs the
notebook, and then reads the file in its own process: like every other answer, a recorded one is only data,
re-checked by the grader. The file is written atomically (a temporary file, then a rename).
"""
from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import GradingError

SIDECAR = "vnetlab-answers.json"
FORMAT = "vnetlab-answers/1"
MAX_BYTES = 5_000_000


def load(path: "str | os.PathLike") -> dict:
    """The recorded answers (``{}`` when the file does not exist); GradingError when it cannot be read."""
    path = Path(path)
    if not path.exists():
        return {}
    if path.stat().st_size > MAX_BYTES:
        raise GradingError(f"{path.name} is larger than {MAX_BYTES} bytes; it cannot be an answers file.",
                           value=str(path), rule="answers file size")
    return parse(path.read_bytes(), path)


def parse(raw: bytes, path: "str | os.PathLike" = SIDECAR) -> dict:
    """The recorded answers in ``raw``, the bytes of an answers file (the grader's own copy of one)."""
    path = Path(path)
    if len(raw) > MAX_BYTES:
        raise GradingError(f"{path.name} is larger than {MAX_BYTES} bytes; it cannot be an answers file.",
                           value=str(path), rule="answers file size")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GradingError(f"{path.name} is not valid JSON ({exc}); record your widget answers again.",
                           value=str(path), rule="answers file is JSON") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("answers"), dict):
        raise GradingError(f"{path.name} is not a vnetlab answers file (format {FORMAT}).", value=str(path),
                           rule="answers file format")
    return data["answers"]


def lookup(path: "str | os.PathLike", learner: str, exercise: str, qid: str) -> Any:
    """The recorded answer, or None when nothing was recorded for this learner, exercise and question."""
    entry = load(path).get(learner, {})
    entry = entry.get(exercise, {}) if isinstance(entry, dict) else {}
    entry = entry.get(qid) if isinstance(entry, dict) else None
    return entry.get("answer") if isinstance(entry, dict) else None


def store(path: "str | os.PathLike", learner: str, exercise: str, qid: str, answer: Any) -> None:
    """Record ``answer`` (plain data) for the learner, exercise and question, keeping every other entry."""
    path = Path(path)
    try:
        answers = load(path)
    except GradingError:
        answers = {}  # a damaged file is replaced rather than blocking the learner
    answers.setdefault(learner, {}).setdefault(exercise, {})[qid] = {
        "answer": answer, "recorded": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    text = json.dumps({"format": FORMAT, "answers": answers}, indent=1, sort_keys=True)
    handle, temp = tempfile.mkstemp(prefix=".vnetlab-answers-", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text + "\n")
    os.replace(temp, path)
