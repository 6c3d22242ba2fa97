"""A generated class for the class report: solutions, answers with known injected misconceptions, partial answers
and faulty files, written as submissions the real grader takes.

Each learner ``learner-NN`` hands in exercise 01 (and, with ``second``, exercise 02), starting from the worked
solution under their own id; :data:`INJECTED` decides which learners make which realistic mistake (the wrong answers
of ``test_questions.py``, built from the fact sheet). The expected ranking (:func:`expected_ranking`) is computed
from the plan alone, never from the grader or the report. Run as a script to make (and grade, and report) a class::

    .venv/bin/python tests/class_support.py OUT_DIR [--learners 30] [--no-grade]
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import vnetlab.grading as g  # noqa: E402
from vnetlab.grading.plain import to_plain  # noqa: E402
from grading_support import (EX1, EX2, grading_sandbox, learner, light, notebook, record_for, save,  # noqa: E402
                             set_cell)
from test_questions import (forgot_reserved_q1, gateway_name_q1, model_answer, public_refused_q4,  # noqa: E402
                            transitive_02q2)

# (misconception id, exercise, question, mistake, every k-th learner makes it): distinct counts, so one ranking
INJECTED = [
    ("reserved-addresses", EX1, "q1", forgot_reserved_q1, 2),
    ("transitive-peering", EX2, "q2", transitive_02q2, 3),
    ("public-range-refused", EX1, "q4", public_refused_q4, 5),
    ("gateway-subnet-name", EX1, "q1", gateway_name_q1, 7),
]


def learner_ids(n: int) -> list[str]:
    return [f"learner-{i:02d}" for i in range(n)]


def mistakes_of(index: int, second: bool = True) -> list[tuple]:
    return [m for m in INJECTED if index % m[4] == 0 and (second or m[1] == EX1)]


def expected_ranking(n: int, second: bool = True) -> list[tuple[str, int]]:
    """(misconception id, learners) as injected, most learners first."""
    counts = {mid: sum(1 for i in range(n) if any(m[0] == mid for m in mistakes_of(i, second)))
              for mid, *_ in INJECTED if second or _[0] == EX1}
    return sorted(((m, c) for m, c in counts.items() if c), key=lambda mc: (-mc[1], mc[0]))


def write_class(base: Path, n: int, second: bool = True, raises_as: str = "raises-01") -> dict:
    """Submissions under ``base``: one folder per learner and exercise, plus faulty ones (``raises_as``: the learner
    id of the one whose cell raises). Returns what was made."""
    made = {"learners": learner_ids(n), "faulty": {}}
    for i, who in enumerate(made["learners"]):
        for name in (EX1, EX2) if second else (EX1,):
            folder = base / f"{who}-{name[:2]}"
            nb = learner(light(notebook("solutions", name)), who)
            answers: dict[str, object] = {}
            for mid, ex_name, qid, mistake, _ in mistakes_of(i, second):
                if ex_name != name:
                    continue
                ex = g.exercise(name, who, answers_path=str(folder / "scratch.json"))
                current = answers.get(qid, model_answer(ex, qid))
                answers[qid] = mistake(ex, current)
            for qid, value in answers.items():
                set_cell(nb, f"{qid}-answer", f"{g.spec(name).question(qid).answer} = {value!r}")
            save(nb, folder / f"{name}.ipynb")
            record_for(folder, who, name, "q3")
    # a partial hand-in: the exercise as generated, one question answered (with no mistake), the rest left open
    partial = "partial-01"
    ex = g.exercise(EX1, partial)
    nb = learner(light(notebook("exercises", EX1)), partial)
    save(set_cell(nb, "q2-answer", f"merger = {to_plain(model_answer(ex, 'q2'))!r}"),
         base / partial / f"{EX1}.ipynb")
    # faulty files: not a notebook at all, and a notebook whose cell raises
    (base / "broken").mkdir(parents=True, exist_ok=True)
    (base / "broken" / f"{EX1}.ipynb").write_text("{ this is not JSON", encoding="utf-8")
    made["faulty"]["broken"] = "corrupt"
    nb = learner(light(notebook("solutions", EX1)), raises_as)
    set_cell(nb, "q4-answer", "raise RuntimeError('my cell is broken')")
    save(nb, base / "raises" / f"{EX1}.ipynb")
    made["faulty"]["raises"] = "errors"
    return made


def grade_class(base: Path, out: Path, jobs: int = 2):
    from vnetlab.grading.grader import Options, grade

    return grade([base], Options(out=out, timeout=300, cell_timeout=150, jobs=jobs, sandbox=grading_sandbox()))


if __name__ == "__main__":
    import argparse

    from vnetlab.grading.report import build

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-grade", action="store_true")
    args = parser.parse_args()
    write_class(args.out / "submissions", args.learners)
    print("injected:", expected_ranking(args.learners))
    if not args.no_grade:
        grade_class(args.out / "submissions", args.out / "gradebook", args.jobs)
        print("report:", build([args.out / "gradebook"], args.out / "report.html"))
