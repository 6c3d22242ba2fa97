"""What the repository ships, as opposed to a learner's working copy.

Learners run lessons and fill in exercises in place, and JupyterLab autosaves outputs and answers into those
files. Tests about what the course *ships* (stored without outputs, exercises in sync with solutions) read
the committed version (git HEAD) when the file is tracked, so a learner's own work never fails their
``make test``; outside a git checkout, or for a file not committed yet, they read the file itself.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def shipped_text(path: Path) -> str:
    try:
        return subprocess.run(["git", "-C", str(ROOT), "show", f"HEAD:{path.resolve().relative_to(ROOT).as_posix()}"],
                              capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return path.read_text(encoding="utf-8")


def shipped_notebook(path: Path) -> nbformat.NotebookNode:
    return nbformat.reads(shipped_text(path), as_version=4)
