"""What an instructor does after grading a class: export the grades to Canvas, Moodle or a plain CSV (checked against
each system's documented import columns, recorded in vnetlab/data/lms.yaml), hand learners their feedback as HTML
pages (escaped), and re-grade one learner's corrected submission without touching anyone else's rows.

One small class is graded once (a kernel per notebook): alice (the solution), bob (one realistic mistake), a learner
whose id and answer are ``<script>`` tags, a learner whose id is a spreadsheet formula and who has no LMS mapping,
and dave's corrupt file. Expected scores come from the question specs and from scoring the answers here.
"""
from __future__ import annotations

import csv
import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml

import vnetlab.grading as g
from vnetlab.cli import main
from vnetlab.errors import GradingError
from vnetlab.grading.core import evaluate
from vnetlab.grading.grader import Options, grade
from vnetlab.grading.lms import MappingError, export_grades, rules

sys.path.insert(0, str(Path(__file__).parent))
from grading_support import (EX1, MAX, grading_sandbox, learner, light, notebook, record_for, sandbox_flags,  # noqa: E402
                             save, set_cell)
from test_questions import forgot_reserved_q1, model_answer  # noqa: E402

SCRIPT = '<script>alert("x")</script>'
FORMULA = '=HYPERLINK("http://example.invalid","x")'
FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")
DOCUMENTED = yaml.safe_load((Path(__file__).parents[1] / "vnetlab" / "data" / "lms.yaml").read_text())


def _rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def _gradebook(out: Path) -> list[dict]:
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("lms")
    subs = base / "subs"
    save(learner(light(notebook("solutions", EX1)), "alice"), subs / "alice" / f"{EX1}.ipynb")
    record_for(subs / "alice", "alice", EX1, "q3")
    bob = g.exercise(EX1, "bob", answers_path=str(base / "x.json"))
    bob_plan = forgot_reserved_q1(bob, model_answer(bob, "q1"))
    nb = learner(light(notebook("exercises", EX1)), "bob")
    save(set_cell(nb, "q1-answer", f"plan = {bob_plan!r}"), subs / "bob" / f"{EX1}.ipynb")
    nb = set_cell(light(notebook("exercises", EX1)), "learner", f"LEARNER = {SCRIPT!r}")
    save(set_cell(nb, "q1-answer", f"plan = {{'web': {SCRIPT!r}}}"), subs / "script" / f"{EX1}.ipynb")
    save(set_cell(light(notebook("exercises", EX1)), "learner", f"LEARNER = {FORMULA!r}"),
         subs / "formula" / f"{EX1}.ipynb")
    (subs / "dave").mkdir()
    (subs / "dave" / "dave.ipynb").write_text("")
    out = base / "out"
    grade([subs], Options(out=out, timeout=300, cell_timeout=150, jobs=2, sandbox=grading_sandbox()))
    ids = base / "ids.csv"
    with open(ids, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["learner", "name", "lms_id", "sis_user_id", "sis_login_id", "section", "email", "username"])
        w.writerow(["alice", "=SUM(1,2)", "101", "S-1", "alice.l", "A", "alice@example.edu", "alice"])
        w.writerow(["bob", "Bob B", "102", "", "", "A", "bob@example.edu", "bob"])
        w.writerow([SCRIPT, "Scripted", "103", "", "", "B", "script@example.edu", "scripted"])
        w.writerow(["dave", "Dave D", "", "S-4", "", "B", "dave@example.edu", "dave"])
        w.writerow(["zoe", "Zoe Z", "105", "", "", "B", "zoe@example.edu", "zoe"])  # handed nothing in
    return {"out": out, "base": base, "ids": ids, "bob_q1": evaluate(g.spec(EX1).question("q1"), bob_plan,
                                                                     bob.givens("q1")).earned}


def test_the_class_is_graded(graded):
    rows = {r["learner"]: r for r in _gradebook(graded["out"])}
    assert set(rows) == {"alice", "bob", "'" + FORMULA, SCRIPT, "dave"}
    assert (rows["alice"]["status"], float(rows["alice"]["total"])) == ("ok", MAX[EX1])
    assert float(rows["bob"]["q1"]) == pytest.approx(graded["bob_q1"], abs=0.01)
    assert rows["dave"]["status"] == "corrupt"


# --- LMS files -----------------------------------------------------------------------------------------------------
def _no_formula(rows: list[list[str]]) -> None:
    assert not [c for row in rows for c in row if c.startswith(FORMULA_CHARS)]


def test_canvas_file_follows_the_documented_import_columns(graded, tmp_path, capsys):
    out = tmp_path / "canvas.csv"
    assert main(["grades", str(graded["out"]), "--lms", "canvas", "--map", str(graded["ids"]), "-o", str(out)]) == 0
    rows = _rows(out)
    student = DOCUMENTED["canvas"]["student_columns"]
    header, points, learners = rows[0], rows[1], rows[2:]
    # Canvas's importer: Student first, ID second, SIS User ID, SIS Login ID, and Section last of the student columns
    assert header[:len(student)] == student == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert header[len(student):] == [EX1]
    assert points[0] == "Points Possible" and points[1:len(student)] == [""] * (len(student) - 1)
    assert float(points[len(student)]) == g.spec(EX1).points
    assert {len(r) for r in rows} == {len(header)}
    by_id = {r[1] or r[2]: r for r in learners}
    assert sorted(by_id) == ["101", "102", "103", "S-4"]  # one row per mapped learner; the formula id has none
    assert by_id["101"][0] == "'=SUM(1,2)" and float(by_id["101"][-1]) == MAX[EX1]
    assert float(by_id["102"][-1]) == pytest.approx(float(next(r for r in _gradebook(graded["out"])
                                                               if r["learner"] == "bob")["total"]))
    assert by_id["S-4"][-1] == ""  # dave's file could not be graded: no grade written, never a made-up one
    for row in learners:
        assert row[-1] == "" or float(row[-1]) >= 0
    _no_formula(rows)
    unmapped = _rows(tmp_path / "canvas.unmapped.csv")
    assert [r[0] for r in unmapped[1:]] == ["'" + FORMULA] and float(unmapped[1][1]) == 0
    err = capsys.readouterr().err
    assert "HYPERLINK" in err and "no canvas mapping" in err and "'zoe' is in the mapping but not in the gradebook" in err


def test_moodle_file_has_one_identifier_column_and_one_per_grade_item(graded, tmp_path, capsys):
    out = tmp_path / "moodle.csv"
    assert main(["grades", str(graded["out"]), "--lms", "moodle", "--map", str(graded["ids"]), "-o", str(out)]) == 0
    rows = _rows(out)
    assert rows[0] == [DOCUMENTED["moodle"]["identifiers"]["email"]["header"], EX1]
    emails = [r[0] for r in rows[1:]]
    # a user Moodle cannot find aborts the whole import: only mapped learners, each once
    assert sorted(emails) == ["alice@example.edu", "bob@example.edu", "dave@example.edu", "script@example.edu"]
    for row in rows[1:]:
        assert len(row) == 2 and (row[1] in DOCUMENTED["moodle"]["no_grade"] or float(row[1]) >= 0)
    assert dict(rows[1:])["dave@example.edu"] == ""
    _no_formula(rows)
    by_username = tmp_path / "moodle-user.csv"
    export_grades(graded["out"], "moodle", by_username, graded["ids"], moodle_id="username")
    assert _rows(by_username)[0][0] == DOCUMENTED["moodle"]["identifiers"]["username"]["header"]
    assert "HYPERLINK" in capsys.readouterr().err


def test_generic_csv_keeps_every_learner_and_says_who_is_unmapped(graded, tmp_path):
    out = tmp_path / "grades.csv"
    done = export_grades(graded["out"], "csv", out, graded["ids"])
    rows = _rows(out)
    header = rows[0]
    assert header[0] == "learner" and header[-4:] == ["total", "max", "mapped", "notes"] and EX1 in header
    table = {r[0]: dict(zip(header, r)) for r in rows[1:]}
    assert set(table) == {"alice", "bob", "'" + FORMULA, SCRIPT, "dave"} and len(rows) == 6
    assert table["'" + FORMULA]["mapped"] == "no" and table["alice"]["mapped"] == "yes"
    assert float(table["alice"]["total"]) == MAX[EX1] and float(table["alice"]["max"]) == MAX[EX1]
    assert "corrupt" in table["dave"]["notes"]
    _no_formula(rows)
    assert done.unmapped == ("'" + FORMULA,) and done.not_in_gradebook == ("zoe",)


def test_a_bad_mapping_is_a_clear_error(graded, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("student,email\nalice,a@example.edu\n")
    with pytest.raises(MappingError, match="no 'learner' column"):
        export_grades(graded["out"], "moodle", tmp_path / "x.csv", bad)
    bad.write_text("learner,emial\nalice,a@example.edu\n")
    with pytest.raises(MappingError, match="'emial'"):
        export_grades(graded["out"], "moodle", tmp_path / "x.csv", bad)
    bad.write_text("learner,email\nalice,a@example.edu\nalice,b@example.edu\n")
    with pytest.raises(MappingError, match="twice"):
        export_grades(graded["out"], "moodle", tmp_path / "x.csv", bad)
    assert main(["grades", str(graded["out"]), "--lms", "canvas", "-o", str(tmp_path / "y.csv")]) == 2
    assert "needs --map" in capsys.readouterr().err


def test_the_rules_file_cites_its_sources():
    for name in ("canvas", "moodle", "csv"):
        assert rules()[name]["source"].startswith("https://") and rules()[name]["as_of"]


# --- HTML feedback ---------------------------------------------------------------------------------------------------
def test_html_feedback_beside_each_markdown_file_same_content_escaped(graded):
    folder = graded["out"] / "feedback"
    markdown = sorted(folder.glob("*.md"))
    assert sorted(p.with_suffix(".html") for p in markdown) == sorted(folder.glob("*.html"))
    for md in markdown:
        page = md.with_suffix(".html").read_text(encoding="utf-8")
        text = md.read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page and "<title>" in page
        assert page.count("<h1>") == 1 and page.count("<h2>") == text.count("\n## ")
        assert "<script" not in page.lower()
        score = re.search(r"Score: \*\*(.+?)\*\*", text).group(1)
        assert f"Score: <strong>{score}</strong>" in page
        # every visible check of the Markdown is on the page, with its result as a word
        for mark, name in re.findall(r"^- ([✔✘]) (.+?) \(", text, flags=re.M):
            assert f"{'✔ passed' if mark == '✔' else '✘ failed'}</span> " in page
    scripted = next(p for p in folder.glob("*.html") if "&lt;script&gt;" in p.read_text(encoding="utf-8"))
    page = scripted.read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page  # the id, shown as text
    bob = (folder / f"bob-{EX1}.html").read_text(encoding="utf-8")
    assert "Forgot the reserved addresses" in bob and "✘ failed" in bob


def test_a_failed_checks_misconceptions_say_where_to_read_again_in_both_feedback_files(graded):
    """Each misconception a failed check caught names the lesson section that teaches the rule (a link relative to
    the course folder) and the rule's public source, in the HTML page and in the Markdown file alike."""
    import vnetlab.grading.feedback_html as fh
    from vnetlab.grading.misconceptions import catalogue

    reserved = catalogue()["reserved-addresses"]
    check = type("C", (), {"misconceptions": ("reserved-addresses", "no-such-id")})()
    html = fh._links(check)
    assert f'<a href="{reserved.lesson}">notebooks/01-address-spaces.ipynb</a>' in html
    assert reserved.name in html and "no-such-id" not in html and "https://learn.microsoft.com/" in html
    assert fh._links(type("C", (), {"misconceptions": ()})()) == ""
    folder = graded["out"] / "feedback"
    hit = [p for p in folder.glob("*.md") if "Read again: " in p.read_text(encoding="utf-8")]
    assert hit, "no feedback file names a misconception to read again"
    for md in hit:
        page = md.with_suffix(".html").read_text(encoding="utf-8")
        for name, lesson in re.findall(r"Read again: (.+?): \[.+?\]\((.+?)\)", md.read_text(encoding="utf-8")):
            assert f'{name}: <a href="{lesson}">' in page


@pytest.mark.browser
def test_html_feedback_in_a_browser_shows_the_id_as_text_and_runs_nothing(graded):
    from browser_util import chromium_page

    page_path = next(p for p in (graded["out"] / "feedback").glob("*.html")
                     if "&lt;script&gt;" in p.read_text(encoding="utf-8"))
    with chromium_page() as page:
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(page_path.as_uri())
        assert SCRIPT in page.locator("h1").inner_text()
        assert page.evaluate("document.scripts.length") == 0 and dialogs == []


# --- re-grading one learner -----------------------------------------------------------------------------------------
def _lines_not_of(path: Path, learner_cell: str) -> list[bytes]:
    lines = path.read_bytes().split(b"\r\n")
    return [line for line in lines if next(csv.reader([line.decode()]), [""])[:1] != [learner_cell]]


def test_regrading_one_learner_changes_only_that_learners_rows(graded, tmp_path, capsys):
    out = tmp_path / "out"
    shutil.copytree(graded["out"], out)
    files = ("gradebook.csv", "checks.csv", "timings.csv")
    before = {name: _lines_not_of(out / name, "bob") for name in files}
    others = {p.name: p.read_bytes() for p in (out / "feedback").iterdir() if not p.name.startswith("bob-")}
    old_bob = next(r for r in _gradebook(out) if r["learner"] == "bob")
    fixed = tmp_path / "late" / "bob"
    save(learner(light(notebook("solutions", EX1)), "bob"), fixed / f"{EX1}.ipynb")
    record_for(fixed, "bob", EX1, "q3")
    assert main(["grade", str(fixed), "--regrade", "bob", "--out", str(out), "--no-progress", *sandbox_flags()]) == 0
    printed = capsys.readouterr().out
    for name in files:
        assert _lines_not_of(out / name, "bob") == before[name], name  # byte for byte
    assert {p.name: p.read_bytes() for p in (out / "feedback").iterdir() if not p.name.startswith("bob-")} == others
    rows = _gradebook(out)
    assert [r["learner"] for r in rows] == [r["learner"] for r in _gradebook(graded["out"])]  # same place
    bob = next(r for r in rows if r["learner"] == "bob")
    assert (bob["status"], float(bob["total"])) == ("ok", MAX[EX1])
    assert f"q1 {old_bob['q1']} → {bob['q1']}" in printed and f"total {old_bob['total']} → {bob['total']}" in printed
    assert "status ok → ok" in printed
    assert f"Score: **{bob['total']} / 16**" in (out / "feedback" / f"bob-{EX1}.md").read_text()
    assert "Score: <strong>16 / 16</strong>" in (out / "feedback" / f"bob-{EX1}.html").read_text()
    # the class statistics follow the new gradebook
    with open(out / "stats.csv", newline="", encoding="utf-8") as f:
        stats = {r["question"]: r for r in csv.DictReader(f)}
    scored = [r for r in rows if r["q1"]]
    for q in g.spec(EX1).questions:
        got = [float(r[q.id]) for r in scored]
        assert float(stats[q.id]["mean"]) == pytest.approx(sum(got) / len(got), abs=0.011)
        assert int(stats[q.id]["full_marks"]) == sum(v >= q.points for v in got)
    assert sorted(p.name for p in out.iterdir()) == ["checks.csv", "feedback", "gradebook.csv", "stats.csv",
                                                    "timings.csv"]  # no scratch left


def _same_reports(out: Path, full: Path) -> None:
    for name in ("gradebook.csv", "checks.csv", "stats.csv"):  # timings.csv alone differs between runs
        assert (out / name).read_bytes() == (full / name).read_bytes(), name
    assert {p.name: p.read_bytes() for p in (out / "feedback").iterdir()} == \
        {p.name: p.read_bytes() for p in (full / "feedback").iterdir()}


def test_regrading_sums_each_questions_points_from_its_checks_as_the_grader_does(graded):
    """The gradebook rounds points to two decimals; the recomputed statistics use the exact sums."""
    from vnetlab.grading.regrade import _exact_points, _read

    bob = next(r for r in _gradebook(graded["out"]) if r["learner"] == "bob")
    exact = _exact_points(_read(graded["out"] / "checks.csv")[1])
    assert exact[("bob", bob["notebook"], EX1, "q1")] == graded["bob_q1"]  # scored here with evaluate()
    assert all(exact[("bob", bob["notebook"], EX1, q.id)] == pytest.approx(float(bob[q.id]), abs=0.005)
               for q in g.spec(EX1).questions)


def test_regrading_writes_what_grading_the_class_again_writes(tmp_path):
    """A new learner's row lands where a full grading puts it, feedback names included; a first graded notebook
    brings its question columns (every row written again); every report but timings.csv is what grading the whole
    class again gives."""
    subs, out = tmp_path / "subs", tmp_path / "out"
    for who in ("amy", "cy", "=eve"):
        (subs / who).mkdir(parents=True)
        (subs / who / f"{who}.ipynb").write_text("not json")
    grade([subs], Options(out=out, sandbox=grading_sandbox()))
    (subs / "bea").mkdir()
    (subs / "bea" / "bea.ipynb").write_text("{}")  # late: a file that is JSON but no notebook
    done = grade_regrade("bea", [subs / "bea"], out)
    assert [c.new_status for c in done.changes] == ["corrupt"] and done.changes[0].old_status == ""
    grade([subs], Options(out=tmp_path / "full1", sandbox=grading_sandbox()))
    _same_reports(out, tmp_path / "full1")
    # bea's corrected notebook: graded, her corrupt row replaced, the gradebook gains the exercise's questions
    (subs / "bea" / "bea.ipynb").unlink()
    save(learner(light(notebook("exercises", EX1)), "bea"), subs / "bea" / f"{EX1}.ipynb")
    done = grade_regrade("bea", [subs / "bea"], out)
    assert done.columns_changed and done.columns_added == [q.id for q in g.spec(EX1).questions]
    assert [(c.exercise, c.new_status, c.removed) for c in done.changes] == [(EX1, "ok", False), ("", "", True)]
    grade([subs], Options(out=tmp_path / "full2", sandbox=grading_sandbox()))
    _same_reports(out, tmp_path / "full2")


def grade_regrade(who, paths, out):
    from vnetlab.grading.regrade import regrade

    return regrade(who, paths, Options(out=out, sandbox=grading_sandbox()))


def test_regrading_refuses_another_learners_file_and_a_name_clash_and_writes_nothing(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    (subs / "x").mkdir(parents=True)
    (subs / "x" / "a_b.ipynb").write_text("")
    grade([subs], Options(out=out, sandbox=grading_sandbox()))
    before = {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (tmp_path / "late").mkdir()
    (tmp_path / "late" / "zed.ipynb").write_text("")
    with pytest.raises(GradingError, match="graded as 'zed'"):
        grade_regrade("bea", [tmp_path / "late"], out)
    (tmp_path / "late" / "zed.ipynb").unlink()
    (tmp_path / "late" / "a b.ipynb").write_text("")  # its feedback file would take a_b's name
    with pytest.raises(GradingError, match="grade the class again"):
        grade_regrade("a b", [tmp_path / "late"], out)
    assert {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    with pytest.raises(GradingError, match="grade the class first"):
        grade_regrade("a b", [tmp_path / "late"], tmp_path / "nowhere")
