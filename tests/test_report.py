"""``vnetlab report``: a generated class (solutions, answers with injected misconceptions, a partial hand-in, faulty
files) graded by the real grader, sandboxed as the grading tests are, then the class report built from its folder.

The expected misconception ranking comes from the injection plan (``class_support.INJECTED``), the expected
statistics from ``gradebook.csv`` computed here by their textbook formulas, never from the report's code.
``VNETLAB_REPORT_CLASS=N`` grades a class of N learners instead of the small default.
"""
from __future__ import annotations

import csv
import math
from html import unescape
import os
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from class_support import EX1, EX2, expected_ranking, grade_class, write_class  # noqa: E402

from plotly.offline import get_plotlyjs  # noqa: E402

from vnetlab.cli import main  # noqa: E402
from vnetlab.grading.misconceptions import catalogue  # noqa: E402
from vnetlab.grading.report import misconception_ranking, read_gradebook  # noqa: E402

LEARNERS = int(os.environ.get("VNETLAB_REPORT_CLASS", "4"))
OLD_CHECK_COLUMNS = ["learner", "notebook", "exercise", "question", "check", "visible", "possible", "earned",
                     "message"]
HOSTILE = "<img src=x onerror=document.title=1>"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("report-class")
    made = write_class(base / "submissions", LEARNERS, raises_as=HOSTILE)  # an id a browser would run, unescaped
    rows = grade_class(base / "submissions", base / "out")
    report = base / "site" / "report.html"
    assert main(["report", str(base / "out"), "-o", str(report)]) == 0
    return {"base": base, "out": base / "out", "rows": rows, "report": report, "made": made,
            "html": report.read_text(encoding="utf-8")}


def test_checks_csv_keeps_its_columns_and_adds_misconceptions_last(graded):
    with open(graded["out"] / "checks.csv", newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    assert header == OLD_CHECK_COLUMNS + ["misconceptions"]
    known = set(catalogue())
    for row in rows:
        ids = [i for i in row[-1].split(";") if i]
        assert set(ids) <= known, row
        if row[7] == row[6]:  # passed: it showed nothing
            assert not ids, row


def test_the_misconception_ranking_matches_the_injected_mistakes(graded):
    _, failed = read_gradebook(graded["out"])
    found = [(m.id, m.learners) for m in misconception_ranking(failed)]
    expected = expected_ranking(LEARNERS)
    assert dict(found) == dict(expected)
    assert [n for _, n in found] == sorted((n for _, n in found), reverse=True)
    # the page lists them in that order, each with its lesson section and a sample of the feedback given
    section = graded["html"].split('id="misconceptions"')[1].split("</section>")[0]
    listed = re.findall(r"<br><code>([a-z0-9-]+)</code>", section)
    assert listed == [m for m, _ in found]
    for mid, _ in found:
        m = catalogue()[mid]
        assert f'.ipynb#{m.anchor}"' in unescape(section)
    assert "Forgot the reserved addresses" in section  # the grader's own words for that mistake, quoted


def test_the_lesson_links_lead_to_the_notebooks(graded):
    hrefs = re.findall(r'href="([^"#]+\.ipynb)#', unescape(graded["html"]))
    assert hrefs
    for href in hrefs:
        assert (graded["report"].parent / href).resolve().is_file(), href


def test_submissions_not_ok_are_listed_with_their_reason_and_escaped(graded):
    section = graded["html"].split('id="problems"')[1].split("</section>")[0]
    statuses = {row.path.parent.name: row.status for row in graded["rows"]}
    assert statuses["broken"] == "corrupt" and statuses["raises"] == "errors"
    assert "corrupt" in section and "errors" in section and "RuntimeError" in section
    assert HOSTILE not in graded["html"] and "&lt;img src=x onerror=" in graded["html"]
    ok = sum(1 for row in graded["rows"] if row.status == "ok")
    assert section.count("<tr>") - 1 == len(graded["rows"]) - ok  # one row per submission not ok, header aside


def _pearson(xs, ys):
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    return sxy / math.sqrt(sum((x - mx) ** 2 for x in xs) * sum((y - my) ** 2 for y in ys))


def test_per_question_mean_full_marks_and_discrimination(graded):
    with open(graded["out"] / "gradebook.csv", newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["exercise"] == EX1 and r["status"] not in ("corrupt",)]
    section = graded["html"].split('id="questions"')[1].split("</section>")[0]
    assert "corrected item-total correlation" in section
    for qid in ("q1", "q4"):
        item = [float(r[qid]) for r in rows]
        rest = [float(r["total"]) - float(r[qid]) for r in rows]
        row = re.search(rf"<th scope=\"row\">{EX1}</th><td>{qid}</td>(.*?)</tr>", section).group(1)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        assert float(cells[2]) == pytest.approx(sum(item) / len(item), abs=0.01)
        if len(set(item)) > 1 and len(set(rest)) > 1 and len(item) >= 5:
            assert float(cells[4]) == pytest.approx(_pearson(item, rest), abs=0.01)


def test_progress_across_exercises_shows_every_learner(graded):
    section = graded["html"].split('id="progress"')[1].split("</section>")[0]
    for who in graded["made"]["learners"]:
        assert f"<th scope=\"row\">{who}</th>" in section
    assert EX1 in section and EX2 in section


def test_several_gradebooks_show_each_learners_progress_across_sessions(graded, tmp_path):
    # a second session: the same class graded again later (a copy of the gradebook, one learner improved)
    week2 = tmp_path / "week2"
    week2.mkdir()
    with open(graded["out"] / "gradebook.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    first = next(r for r in rows if r["learner"] == "learner-00" and r["exercise"] == EX1)
    before = float(first["total"]) / float(first["max"])
    first["total"] = first["max"]
    with open(week2 / "gradebook.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    report = tmp_path / "two.html"
    assert main(["report", str(graded["out"]), str(week2), "-o", str(report)]) == 0
    section = report.read_text(encoding="utf-8").split('id="progress"')[1].split("</section>")[0]
    assert f"{graded['out'].name} · {EX1}" in section and f"week2 · {EX1}" in section
    row = re.search(r'<th scope="row">learner-00</th>(.*?)</tr>', section).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert cells[0] == f"{before:.0%}" and cells[2] == "100%"  # week 1, exercise 01; then week 2, exercise 01


def test_the_page_is_self_contained_and_structured(graded):
    html = graded["html"]
    assert '<html lang="en">' in html and "<title>Class report" in html and "<main" in html
    # plotly.js inlined, nothing fetched: it opens offline
    assert get_plotlyjs()[:500] in html
    assert not re.search(r'<(script|link|img|iframe)\b[^>]*\b(src|href)="(https?:)?//', html)
    headings = re.findall(r"<h([1-6])", html)
    assert headings[0] == "1" and set(headings[1:]) == {"2"}


def test_a_folder_that_is_not_a_gradebook_is_refused(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "gradebook.csv" in capsys.readouterr().err


@pytest.mark.browser
def test_the_report_renders_in_chromium_and_passes_axe(graded):
    from browser_util import chromium_page
    from lite_util import axe_violations

    with chromium_page() as page:
        page.goto(graded["report"].as_uri())
        figures = page.locator("figure.plot").count()
        assert figures >= 4
        page.wait_for_function(f"document.querySelectorAll('figure.plot .main-svg').length >= {figures}",
                               timeout=120_000)
        # each figure drew its data: bars or heat-map cells, not an empty frame
        drawn = page.evaluate("""() => Array.from(document.querySelectorAll('figure.plot .js-plotly-plot')).map(
            d => d.querySelectorAll('.point, .hm, .bars path, .scatterlayer path').length)""")
        assert all(n > 0 for n in drawn), drawn
        # the keyboard reaches the skip link first, and it moves to the report
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to the report"
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#main"
        assert axe_violations(page) == []
