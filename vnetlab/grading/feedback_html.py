"""A learner's feedback as one self-contained HTML file: what ``feedback/<learner>-<exercise>.md`` says, for a
learner who opens it in a browser, without tools.

The same content as :func:`vnetlab.grading.grader.feedback_markdown`: submission, score, status, notes, what the
tamper detection found, then per question every visible check with its message and the hidden checks counted
(each failed one named by its rule). Everything a learner wrote (id, file name, error messages) and every message
(which may quote a learner's values) is escaped with :func:`html.escape`, after :func:`~vnetlab.grading.grader.shown`
keeps it on one line, so no text can add markup, a script or a link. The page has a language, a title and one
heading per question; a check's result is written as a word (passed / failed) beside its mark, so nothing depends on
colour; there is no script and nothing loaded from elsewhere.

:func:`misconception_links` gives, for the misconceptions a failed check caught, the lesson section that teaches
the rule and its public source (``vnetlab/data/misconceptions.yaml``); the Markdown file says the same.
"""
from __future__ import annotations

import re
from html import escape
from typing import Any, Iterable

from . import sandbox
from .core import hidden_feedback
from .grader import Graded, _num, shown
from .misconceptions import known

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


def misconception_links(ids: Iterable[str]) -> list[tuple[str, str, str]]:
    """(name, lesson section, public source) for each misconception id a failed check caught, from the course's
    vocabulary (:mod:`vnetlab.grading.misconceptions`): where the rule is taught, and the document that states it."""
    return [(m.name, m.lesson, m.source) for m in known(tuple(ids))]


def _links(check: Any) -> str:
    """Where to read again, for a failed check: the lesson section (a link relative to the course folder, where
    the learner keeps this page's notebooks) and the public source of the rule."""
    found = misconception_links(getattr(check, "misconceptions", None) or ())
    if not found:
        return ""
    items = "; ".join(f'{text(name)}: <a href="{escape(lesson, quote=True)}">{text(lesson.split("#")[0])}</a>'
                      f" ({text(source)})" for name, lesson, source in found)
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
