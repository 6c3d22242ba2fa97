"""A learner's feedback as one self-contained HTML file: what ``feedback/<learner>-<exercise>.md`` says, for a
learner who opens it in a browser, without tools.

The same content as :func:`vnetlab.grading.grader.feedback_markdown`: submission, score, status, notes, what the
tamper detection found, then per question every visible check with its message and the hidden checks counted
(each failed one named by its rule). Everything a learner wrote (id, file name, error messages) and every message
(which may quote a learner's values) is escaped with :func:`html.escape`, after :func:`~vnetlab.grading.grader.shown`
keeps it on one line, so no text can add markup, a script or a link. The page has a language, a title and one
heading per question; a check's result is written as a word (passed / failed) beside its mark, so nothing depends on
colour; there is no script and nothing loaded from elsewhere.

:func:`misconception_links` is the hook for the misconceptions a failed check caught: it takes the check's
misconception ids and returns (name, link) pairs to the lesson sections that teach the rule, from
``vnetlab/data/misconceptions.yaml`` when that file exists (no links otherwise).
"""
from __future__ import annotations

import re
from functools import lru_cache
from html import escape
from importlib import resources
from typing import Any, Iterable

import yaml

from . import sandbox
from .core import hidden_feedback
from .grader import Graded, _num, shown

STYLE = ("body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5}"
         "li{margin:.2rem 0}.check{list-style:none;padding-left:0}.mark{font-weight:bold}"
         ".why{display:block;margin-left:1.6rem}")


def text(value: object) -> str:
    """Learner-provided or message text as inert HTML, on one line."""
    return escape(shown(value), quote=True)


def message(value: object) -> str:
    """A grader's message as inert HTML, its `code spans` as ``<code>`` (the Markdown file shows them as code too;
    the text is escaped first, so a span holds text only)."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", text(value))


@lru_cache(maxsize=None)
def _misconceptions() -> dict[str, Any]:
    try:
        data = resources.files("vnetlab").joinpath("data", "misconceptions.yaml").read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return {}
    loaded = yaml.safe_load(data)
    return loaded if isinstance(loaded, dict) else {}


def misconception_links(ids: Iterable[str]) -> list[tuple[str, str]]:
    """(name, link) for each misconception id: the lesson section that teaches the rule. The entries of
    ``misconceptions.yaml`` are read as ``id: {name: ..., lesson: <link>}``; an id without an entry or a link, or a
    link that is neither relative nor https, gives nothing."""
    found = []
    for mid in ids:
        entry = _misconceptions().get(mid)
        if not isinstance(entry, dict):
            continue
        link = entry.get("lesson") or entry.get("section") or entry.get("url")
        if isinstance(link, str) and (link.startswith("https://") or not (":" in link.split("/")[0])):
            found.append((str(entry.get("name") or mid), link))
    return found


def _links(check: Any) -> str:
    pairs = misconception_links(getattr(check, "misconceptions", None) or ())
    if not pairs:
        return ""
    items = ", ".join(f'<a href="{escape(link, quote=True)}">{text(name)}</a>' for name, link in pairs)
    return f'<span class="why">Read again: {items}</span>'


def feedback_html(row: Graded) -> str:
    """The page for one gradebook row."""
    title = f"{row.exercise or 'Unknown exercise'} · {shown(row.learner)}"
    status = text(row.status) + (f" — {text(row.reason)}" if row.reason else "")
    box = text(row.sandbox) + ("" if row.sandbox != "none" else f" ({text(sandbox.NO_SANDBOX_NOTE)})")
    body = [f"<h1>{text(title)}</h1>", "<ul>",
            f"<li>Submission: {text(row.path.name)}</li>",
            f"<li>Score: <strong>{_num(row.total)} / {_num(row.max)}</strong></li>",
            f"<li>Status: {status}</li>", f"<li>Sandbox: {box}</li>"]
    body += [f"<li>Note: {text(note)}</li>" for note in row.notes]
    body.append("</ul>")
    if row.tamper:
        body += ["<h2>Detected</h2>", "<p>The grader re-checks every answer itself, in its own process, so none of "
                 "this changes your score; it is listed so that you and your instructor see it.</p>", "<ul>"]
        body += [f"<li>{text(finding)}</li>" for finding in row.tamper]
        body.append("</ul>")
    for result in row.results:
        body.append(f"<h2>{text(result.question)} · {text(result.title)} — {_num(result.earned)} / "
                    f"{_num(result.points)}</h2>")
        body.append('<ul class="check">')
        if result.problem:
            body.append(f'<li><span class="mark">⚠ problem:</span> {message(result.problem)}</li>')
        else:
            for c in (c for c in result.checks if c.visible):
                word = "✔ passed" if c.passed else "✘ failed"
                why = "" if c.passed else f": {message(c.message)}"
                body.append(f'<li><span class="mark">{word}</span> {text(c.name)} ({_num(c.earned)} / '
                            f"{_num(c.possible)}){why}{'' if c.passed else _links(c)}</li>")
        body += [f"<li>{message(line)}</li>" for line in hidden_feedback(result)]
        body.append("</ul>")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{text(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
            + "\n".join(body) + "\n</main>\n</body>\n</html>\n")
