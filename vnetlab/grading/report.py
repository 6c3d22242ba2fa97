"""``vnetlab report GRADEBOOK_DIR... [-o report.html]``: the class report an instructor looks at after a session.

It reads what ``vnetlab grade`` wrote (``gradebook.csv`` and ``checks.csv`` in each folder) and writes one
self-contained HTML page (plotly.js inlined, so it opens offline in any browser) with:

* the **score distribution** per exercise (totals as a share of the maximum, in bands of 10 %);
* **per question**: mean points, the share of submissions at full marks, and the **item discrimination**, here the
  *corrected item-total correlation*: the Pearson correlation, across submissions of the exercise, between a
  question's points and the submission's total *without* that question (for a question scored 0 or full it is the
  point-biserial correlation). Near 0 or negative: the question does not separate strong from weak submissions
  (or measures something else); 0.3 and above is usually taken as good (e.g. Ebel and Frisbie, *Essentials of
  Educational Measurement*). With fewer than :data:`MIN_FOR_DISCRIMINATION` submissions, or when every
  submission scored the same on the question or on the rest, it is not computed;
* **misconceptions** ranked by the number of learners who hit them (a failed check that names the misconception,
  :mod:`vnetlab.grading.misconceptions`), each with the lesson section that teaches the rule and a sample of the
  feedback given;
* **submissions whose status is not ok**, with their reason;
* with several gradings (several folders, or several exercises), **each learner's progress** across them.

Every figure has a table beside it with the same numbers, so the page reads without colour and without the figure;
it is one ``<main>`` with headings in order, a skip link and ``lang``/``title``, and nothing in it needs a mouse.
Every text that comes from a submission (ids, file names, feedback, reasons) is HTML-escaped.
"""
from __future__ import annotations

import csv
import math
import os
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Iterable, Sequence

from ..errors import GradingError
from .misconceptions import catalogue, split

MIN_FOR_DISCRIMINATION = 5  # submissions of an exercise below which a correlation says nothing
SAMPLES = 2  # feedback messages shown per misconception
BANDS = 10  # score distribution: bands of 100/BANDS %
META = ("learner", "notebook", "exercise", "total", "max", "status", "reason", "tamper", "sandbox")
NO_RESULTS = ("corrupt", "unknown-exercise", "grader-error")  # rows that were never scored


class ReportError(GradingError):
    """A folder that is not a gradebook (no gradebook.csv, or one without the grader's columns)."""


# --- reading ------------------------------------------------------------------------------------------------------
@dataclass
class Submission:
    grading: str  # the gradebook folder's name
    learner: str
    notebook: str
    exercise: str
    total: float | None
    max: float | None
    status: str
    reason: str
    points: dict[str, float] = field(default_factory=dict)  # question -> points

    @property
    def scored(self) -> bool:
        return bool(self.exercise) and self.status not in NO_RESULTS and self.total is not None and bool(self.max)


@dataclass(frozen=True)
class FailedCheck:
    grading: str
    learner: str
    exercise: str
    question: str
    check: str
    message: str
    misconceptions: tuple[str, ...]


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_gradebook(folder: "str | os.PathLike") -> tuple[list[Submission], list[FailedCheck]]:
    """The submissions of ``folder/gradebook.csv`` and the failed checks of ``folder/checks.csv``."""
    folder = Path(folder)
    book = folder / "gradebook.csv"
    if not book.is_file():
        raise ReportError(f"{folder} has no gradebook.csv: give a folder that `vnetlab grade --out` wrote.",
                          value=str(folder), rule="a gradebook folder holds gradebook.csv")
    rows = _rows(book)
    if rows and not set(META) <= set(rows[0]):
        raise ReportError(f"{book} lacks the grader's columns ({', '.join(sorted(set(META) - set(rows[0])))}).",
                          value=str(book), rule="gradebook.csv as vnetlab grade writes it")
    name = folder.resolve().name
    subs = []
    for r in rows:
        questions = [k for k in r if k not in META]
        subs.append(Submission(name, r["learner"], r["notebook"], r["exercise"], _number(r["total"]),
                               _number(r["max"]), r["status"], r["reason"],
                               {q: v for q in questions if (v := _number(r[q])) is not None}))
    failed = []
    checks = folder / "checks.csv"
    if checks.is_file():
        for r in _rows(checks):
            if _number(r["earned"]) is not None and _number(r["earned"]) < (_number(r["possible"]) or 0):
                failed.append(FailedCheck(name, r["learner"], r["exercise"], r["question"], r["check"],
                                          r["message"], split(r.get("misconceptions", ""))))
    return subs, failed


# --- statistics ---------------------------------------------------------------------------------------------------
def discrimination(item: Sequence[float], rest: Sequence[float]) -> float | None:
    """The corrected item-total correlation: Pearson's r between a question's points and the total of the other
    questions, over the same submissions; None when it cannot say anything (too few, or no variation)."""
    if len(item) < MIN_FOR_DISCRIMINATION or len(set(item)) < 2 or len(set(rest)) < 2:
        return None
    return statistics.correlation(item, rest)


@dataclass(frozen=True)
class QuestionStats:
    exercise: str
    question: str
    max: float
    n: int
    mean: float
    full: float  # share at full marks
    discrimination: float | None


def question_stats(subs: Iterable[Submission]) -> list[QuestionStats]:
    from . import spec

    by_exercise: dict[str, list[Submission]] = defaultdict(list)
    for s in subs:
        if s.scored:
            by_exercise[s.exercise].append(s)
    out = []
    for name, group in by_exercise.items():
        try:
            questions = [(q.id, q.points) for q in spec(name).questions]
        except GradingError:  # an exercise this vnetlab does not know: its questions as the gradebook lists them
            questions = [(q, max(s.points.get(q, 0) for s in group)) for q in dict.fromkeys(
                q for s in group for q in s.points)]
        for qid, points in questions:
            have = [s for s in group if qid in s.points]
            if not have:
                continue
            item = [s.points[qid] for s in have]
            rest = [sum(v for k, v in s.points.items() if k != qid) for s in have]
            out.append(QuestionStats(name, qid, points, len(have), statistics.fmean(item),
                                     sum(v >= points - 1e-9 for v in item) / len(item), discrimination(item, rest)))
    return out


@dataclass(frozen=True)
class MisconceptionCount:
    id: str
    learners: int
    checks: int
    samples: tuple[str, ...]


def misconception_ranking(failed: Iterable[FailedCheck]) -> list[MisconceptionCount]:
    """Misconceptions by the number of distinct learners who hit them (then by failed checks, then by id)."""
    learners: dict[str, set[str]] = defaultdict(set)
    checks: Counter = Counter()
    samples: dict[str, list[str]] = defaultdict(list)
    for f in failed:
        for mid in f.misconceptions:
            learners[mid].add(f.learner)
            checks[mid] += 1
            if f.message and f.message not in samples[mid] and len(samples[mid]) < SAMPLES:
                samples[mid].append(f.message)
    ranked = sorted(learners, key=lambda m: (-len(learners[m]), -checks[m], m))
    return [MisconceptionCount(m, len(learners[m]), checks[m], tuple(samples[m])) for m in ranked]


# --- HTML -----------------------------------------------------------------------------------------------------------
def _fmt(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{round(value, digits):g}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _table(caption: str, headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Iterable[int] = (),
           raw: Iterable[int] = ()) -> str:
    """A table with a caption and column headers; cells are escaped unless their column is in ``raw`` (our own
    markup, built from escaped parts)."""
    numeric, raw = set(numeric), set(raw)
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            text = cell if i in raw else escape(str(cell))
            cls = ' class="num"' if i in numeric else ""
            cells.append(f'<th scope="row"{cls}>{text}</th>' if i == 0 else f"<td{cls}>{text}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(headers)}">None.</td></tr>')
    return (f'<div class="table-wrap" tabindex="0" role="region" aria-label="Table: {escape(caption)}"><table>'
            f"<caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody>"
            "</table></div>")


def _label(text: str) -> str:
    """Text from a gradebook as a plotly label: plotly reads a few HTML tags in labels, so ``<``, ``>`` and ``&`` are
    escaped (plotly shows the entities as the characters), and nothing can close the page's script element."""
    return escape(str(text), quote=False)


def _figure(fig, label: str, ident: str) -> str:
    """A plotly figure as a ``div`` (plotly.js is inlined once in the page head), labelled for assistive tools; its
    numbers are in the table beside it."""
    fig.update_layout(font={"size": 14}, paper_bgcolor="white", plot_bgcolor="white")
    div = fig.to_html(full_html=False, include_plotlyjs=False, div_id=ident, config={"displayModeBar": False,
                                                                                     "responsive": True})
    return (f'<figure class="plot"><div role="img" aria-label="{escape(label)}">{div}</div>'
            f"<figcaption>{escape(label)} The table below holds the same numbers.</figcaption></figure>")


def _lesson_link(mid: str, out_dir: Path, course: Path | None) -> str:
    m = catalogue().get(mid)
    if m is None:
        return escape(f"(unknown id {mid})")
    text = escape(f"{m.notebook.split('/')[-1].split('.')[0][:2]} · {m.section}")
    if course is None or not (course / m.notebook).is_file():
        return f"{text} <code>{escape(m.lesson)}</code>"
    href = os.path.relpath(course / m.notebook, out_dir).replace(os.sep, "/") + "#" + m.anchor
    return f'<a href="{escape(href, quote=True)}">{text}</a>'


def _course_root() -> Path | None:
    root = Path(__file__).resolve().parents[2]
    return root if (root / "notebooks").is_dir() else None


def _band_counts(shares: Sequence[float]) -> list[int]:
    counts = [0] * BANDS
    for s in shares:
        counts[min(BANDS - 1, max(0, int(s * BANDS + 1e-9)))] += 1
    return counts


STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1a1a1a;background:#fff;
line-height:1.5}
.skip{position:absolute;left:-10000px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:10}
header,main,footer{max-width:72rem;margin:0 auto;padding:0 1rem}
nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;padding:0;list-style:none}
a{color:#0b4f8a}a:focus,.table-wrap:focus{outline:3px solid #1a1a1a;outline-offset:2px}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:.95rem}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid #767676;padding:.25rem .5rem;text-align:left;vertical-align:top}
thead th{background:#f0f0f0}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.table-wrap{overflow-x:auto}figure.plot{margin:1rem 0}figcaption{font-size:.9rem;color:#333}
blockquote{margin:.25rem 0;padding-left:.5rem;border-left:3px solid #767676}
.note{font-size:.95rem;color:#333}
"""


def build(folders: Sequence["str | os.PathLike"], out: "str | os.PathLike | None" = None) -> Path:
    """Write the class report for the gradebook ``folders`` to ``out`` (default: ``report.html`` in the first
    folder) and return its path."""
    from plotly.offline import get_plotlyjs

    from ..plots import OKABE_ITO, build_figure

    if not folders:
        raise ReportError("Give at least one gradebook folder.", value=list(folders), rule="report needs a gradebook")
    subs: list[Submission] = []
    failed: list[FailedCheck] = []
    seen: set[str] = set()
    for folder in folders:
        s, f = read_gradebook(folder)
        name = s[0].grading if s else Path(folder).resolve().name
        if name in seen:  # two folders of the same name: tell them apart by their place
            name = str(Path(folder).resolve())
            for x in s:
                x.grading = name
            f = [FailedCheck(name, *(getattr(c, a) for a in ("learner", "exercise", "question", "check", "message",
                                                               "misconceptions"))) for c in f]
        seen.add(name)
        subs += s
        failed += f
    out = Path(out) if out is not None else Path(folders[0]) / "report.html"
    out_dir = out.resolve().parent
    course = _course_root()
    scored = [s for s in subs if s.scored]
    exercises = list(dict.fromkeys(s.exercise for s in scored))
    learners = sorted({s.learner for s in subs})
    parts: list[str] = []
    nav: list[tuple[str, str]] = []

    def section(ident: str, title: str, body: str) -> None:
        nav.append((ident, title))
        parts.append(f'<section aria-labelledby="{ident}"><h2 id="{ident}">{escape(title)}</h2>{body}</section>')

    statuses = Counter(s.status for s in subs)
    summary = (f"<p>{len(subs)} submissions from {len(learners)} learners in {len(seen)} "
               f"gradebook{'s' if len(seen) != 1 else ''} ({escape(', '.join(sorted(seen)))}); "
               f"{len(exercises)} exercise{'s' if len(exercises) != 1 else ''} scored.</p>")
    summary += _table("Submissions by status", ("Status", "Submissions"),
                      [(k, str(v)) for k, v in sorted(statuses.items())], numeric=[1])
    section("summary", "Summary", summary)

    # score distribution
    body = [f"<p>Each submission's total as a share of the exercise's maximum, in bands of {100 // BANDS} %. "
            "Submissions that could not be scored (see below) are left out.</p>"]
    dist_rows, traces = [], []
    palette = list(OKABE_ITO.values())[1:]
    labels = [f"{i * 100 // BANDS}–{(i + 1) * 100 // BANDS} %" for i in range(BANDS)]
    for i, name in enumerate(exercises):
        shares = [s.total / s.max for s in scored if s.exercise == name]
        totals = [s.total for s in scored if s.exercise == name]
        counts = _band_counts(shares)
        traces.append({"type": "bar", "name": _label(name), "x": labels, "y": counts, "text": counts,
                       "textposition": "outside", "marker": {"color": palette[i % len(palette)],
                                                             "pattern": {"shape": ["", "/", ".", "x", "\\"][i % 5]}}})
        mx = next(s.max for s in scored if s.exercise == name)
        dist_rows.append((name, str(len(totals)), _fmt(mx), _fmt(statistics.fmean(totals)),
                          _fmt(statistics.median(totals)), _fmt(min(totals)), _fmt(max(totals)),
                          " · ".join(f"{lab}: {c}" for lab, c in zip(labels, counts) if c)))
    if traces:
        fig = build_figure(traces, {"barmode": "group", "title": {"text": "Score distribution per exercise"},
                                    "xaxis": {"title": {"text": "share of the maximum"}},
                                    "yaxis": {"title": {"text": "submissions"}, "rangemode": "tozero"},
                                    "legend": {"title": {"text": "exercise"}}, "height": 420})
        body.append(_figure(fig, "Bar chart: number of submissions per score band, one bar group per band and one "
                                 "bar per exercise.", "fig-scores"))
    body.append(_table("Scores per exercise", ("Exercise", "Submissions", "Max", "Mean", "Median", "Lowest",
                                               "Highest", "Submissions per band"),
                       dist_rows, numeric=range(1, 7)))
    section("scores", "Score distribution per exercise", "".join(body))

    # per question
    stats = question_stats(subs)
    body = ["<p>Per question: the mean points, the share of submissions at full marks, and the item "
            "discrimination, measured as the <strong>corrected item-total correlation</strong> (Pearson's r between "
            "the question's points and the submission's total without that question; for a question scored 0 or "
            "full this is the point-biserial correlation). Around 0 or negative: the question does not separate "
            "strong from weak submissions; 0.3 or more is usually read as good. It is not computed (–) with fewer "
            f"than {MIN_FOR_DISCRIMINATION} submissions or when every submission scored the same.</p>"]
    if stats:
        names = [_label(f"{s.exercise[:2]} {s.question}") for s in stats]
        fig = build_figure([
            {"type": "bar", "name": "mean, share of max", "x": names, "y": [round(s.mean / s.max, 3) if s.max else 0
                                                                             for s in stats],
             "marker": {"color": OKABE_ITO["blue"]}},
            {"type": "bar", "name": "share at full marks", "x": names, "y": [round(s.full, 3) for s in stats],
             "marker": {"color": OKABE_ITO["orange"], "pattern": {"shape": "/"}}},
            {"type": "scatter", "mode": "markers", "name": "discrimination (r)", "x": names,
             "y": [None if s.discrimination is None else round(s.discrimination, 3) for s in stats],
             "marker": {"color": OKABE_ITO["black"], "symbol": "diamond", "size": 11}},
        ], {"barmode": "group", "title": {"text": "Per question: difficulty and discrimination"},
            "yaxis": {"range": [-1, 1.05], "title": {"text": "share, or r"}}, "height": 420})
        body.append(_figure(fig, "Per question: bars for the mean score and the share at full marks (0 to 1), "
                                 "diamonds for the item discrimination (−1 to 1).", "fig-questions"))
    body.append(_table("Per question", ("Exercise", "Question", "Max", "Submissions", "Mean", "At full marks",
                                        "Discrimination (r)"),
                       [(s.exercise, s.question, _fmt(s.max), str(s.n), _fmt(s.mean), _pct(s.full),
                         _fmt(s.discrimination)) for s in stats], numeric=range(2, 7)))
    section("questions", "Per question", "".join(body))

    # misconceptions
    ranking = misconception_ranking(failed)
    scored_learners = {s.learner for s in scored}
    body = ["<p>A misconception counts once per learner who failed at least one check that names it (visible or "
            "hidden); ranked by learners, then by failed checks. Each links to the lesson section that teaches the "
            "rule; the feedback is a sample of what the grader told learners.</p>"]
    if ranking:
        top = ranking[:15]
        names = [_label(catalogue()[m.id].name if m.id in catalogue() else m.id) for m in top][::-1]
        counts = [m.learners for m in top][::-1]
        fig = build_figure([{"type": "bar", "orientation": "h", "y": names, "x": counts, "text": counts,
                             "textposition": "outside", "marker": {"color": OKABE_ITO["vermillion"]}}],
                           {"title": {"text": "Misconceptions by learners who hit them"},
                            "xaxis": {"title": {"text": "learners"}, "rangemode": "tozero"},
                            "yaxis": {"automargin": True}, "height": 140 + 32 * len(top)})
        body.append(_figure(fig, "Horizontal bar chart: for each misconception (at most 15), the number of learners "
                                 "who hit it, largest first.", "fig-misconceptions"))
    rows = []
    for rank, m in enumerate(ranking, 1):
        known = catalogue().get(m.id)
        name = escape(known.name if known else m.id) + f"<br><code>{escape(m.id)}</code>"
        rule = escape(known.rule) if known else ""
        quotes = "".join(f"<blockquote>{escape(s)}</blockquote>" for s in m.samples)
        share = f"{m.learners} ({m.learners / len(scored_learners):.0%})" if scored_learners else str(m.learners)
        rows.append((str(rank), name, share, str(m.checks), rule, _lesson_link(m.id, out_dir, course), quotes))
    body.append(_table("Misconceptions, ranked", ("Rank", "Misconception", "Learners", "Failed checks", "Rule",
                                                  "Lesson section", "Sample feedback"),
                       rows, numeric=[0, 2, 3], raw=[1, 4, 5, 6]))
    section("misconceptions", "Misconceptions across the class", "".join(body))

    # not ok
    bad = [s for s in subs if s.status != "ok"]
    body = ["<p>Submissions whose status is not <code>ok</code>: the reason is the grader's (see the statuses in "
            "<code>vnetlab grade</code>'s documentation).</p>",
            _table("Submissions not ok", ("Learner", "Gradebook", "Notebook", "Exercise", "Status", "Reason"),
                   [(s.learner, s.grading, s.notebook, s.exercise or "–", s.status, s.reason or "–") for s in bad])]
    section("problems", "Submissions with a status other than ok", "".join(body))

    # progress
    gradings = list(dict.fromkeys((s.grading, s.exercise) for s in scored))
    body = []
    if len(gradings) < 2:
        body.append("<p>One grading only: progress needs several gradebooks (several exercises or sessions).</p>")
    else:
        cols = [f"{g} · {e}" if len(seen) > 1 else e for g, e in gradings]
        grid: dict[str, list[float | None]] = {}
        for who in sorted({s.learner for s in scored}):
            line = []
            for g_, e in gradings:
                mine = [s.total / s.max for s in scored if s.learner == who and (s.grading, s.exercise) == (g_, e)]
                line.append(max(mine) if mine else None)
            grid[who] = line
        z = [[None if v is None else round(100 * v) for v in line] for line in grid.values()]
        fig = build_figure([{"type": "heatmap", "z": z, "x": [_label(c) for c in cols],
                             "y": [_label(who) for who in grid], "zmin": 0, "zmax": 100,
                             "text": [["" if v is None else f"{v} %" for v in line] for line in z],
                             "texttemplate": "%{text}", "xgap": 2, "ygap": 2, "showscale": False,
                             "colorscale": [[0, "#f0f0f0"], [1, OKABE_ITO["blue"]]]}],
                           {"title": {"text": "Each learner's score per grading"}, "height": 140 + 22 * len(grid),
                            "yaxis": {"autorange": "reversed", "automargin": True}, "xaxis": {"side": "top"}})
        body.append(_figure(fig, "Heat map: one row per learner, one column per grading, each cell printed with the "
                                 "score as a share of the maximum.", "fig-progress"))
        body.append(_table("Each learner's score per grading (share of the maximum; – not handed in)",
                           ("Learner", *cols), [(who, *map(_pct, line)) for who, line in grid.items()],
                           numeric=range(1, len(cols) + 1)))
    section("progress", "Each learner's progress", "".join(body))

    links = "".join(f'<li><a href="#{i}">{escape(t)}</a></li>' for i, t in nav)
    html = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Class report · {escape(', '.join(sorted(seen)))} · vnetlab</title><style>{STYLE}</style>"
            f'<script type="text/javascript">{get_plotlyjs()}</script></head><body>'
            '<a class="skip" href="#main">Skip to the report</a>'
            f"<header><h1>Class report: {escape(', '.join(sorted(seen)))}</h1>"
            f'<nav aria-label="Sections"><ul>{links}</ul></nav></header>'
            f'<main id="main" tabindex="-1">{"".join(parts)}</main>'
            '<footer><p class="note">Written by <code>vnetlab report</code> from the grader\'s gradebook.csv and '
            "checks.csv. Lesson links are relative to this file's place in the course.</p></footer></body></html>\n")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out


__all__ = ["MisconceptionCount", "QuestionStats", "ReportError", "build", "discrimination", "misconception_ranking",
           "question_stats", "read_gradebook"]
