"""The progress map: per concept of the course (C1-C20), how far the learner got.

Four measures, each a fraction from 0 to 1, from what the learner's own files record (nothing is sent anywhere):

* **lessons tried**: of the lessons teaching the concept, those with at least one committed prediction;
* **predictions right**: right predictions / committed predictions in those lessons;
* **exercises checked**: of the graded questions in those lessons' exercises, those whose visible checks all
  passed at least once when the learner ran ``check()`` (the exercise-checks file, :class:`CheckStore`; the
  hidden checks run only when the instructor grades, so this is not a grade);
* **drills done**: of the drill topics asking the concept, those tried at least once (drill history).

A concept with nothing to measure in a column (no drill topic asks it) shows no value there, not a zero.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from ..display import html_table
from .store import CheckStore, PredictionStore

COLUMNS = ("lessons tried", "predictions right", "exercises checked", "drills done")


@lru_cache(maxsize=None)
def concepts() -> tuple[dict, ...]:
    text = resources.files("vnetlab").joinpath("data", "course", "concepts.yaml").read_text(encoding="utf-8")
    return tuple(yaml.safe_load(text)["concepts"])


@dataclass(frozen=True)
class ConceptProgress:
    id: str
    title: str
    lessons_tried: float | None
    predictions_right: float | None
    exercises_checked: float | None
    drills_done: float | None

    def values(self) -> tuple[float | None, ...]:
        return (self.lessons_tried, self.predictions_right, self.exercises_checked, self.drills_done)


@dataclass(frozen=True)
class ProgressMap:
    rows: tuple[ConceptProgress, ...]

    def _repr_html_(self) -> str:
        def pct(v: float | None) -> str:
            return "–" if v is None else f"{v:.0%}"
        return html_table(("Concept", "", *COLUMNS), [(r.id, r.title, *map(pct, r.values())) for r in self.rows],
                          caption="Your progress")

    def figure(self):
        from ..plots import progress_map_figure
        return progress_map_figure(self)


def exercise_questions(lessons: set[str]) -> set[tuple[str, str]]:
    """(exercise, question) of the graded exercises of ``lessons`` (exercise ``01-address-spaces`` is lesson 01's)."""
    from ..grading import EXERCISES, spec

    return {(name, q.id) for name in EXERCISES if name.split("-", 1)[0] in lessons for q in spec(name).questions}


def progress(predictions: PredictionStore | None = None, drills=None, checks: CheckStore | None = None) -> ProgressMap:
    """The map from the learner's predictions file, exercise checks and drill history (default locations)."""
    from ..drills.progress import ProgressStore

    predictions = predictions if predictions is not None else PredictionStore()
    drills = drills if drills is not None else ProgressStore()
    checks = checks if checks is not None else CheckStore()
    passed = {(c.exercise, c.question) for c in checks.checks() if c.passed}
    said = predictions.predictions()
    tried_topics = set(drills.stats())
    rows = []
    for c in concepts():
        lessons = set(c["lessons"])
        mine = [p for p in said if p.lesson in lessons]
        tried = {p.lesson for p in mine}
        questions = exercise_questions(lessons)
        rows.append(ConceptProgress(
            c["id"], c["title"],
            len(tried) / len(lessons) if lessons else None,
            sum(p.correct for p in mine) / len(mine) if mine else (0.0 if lessons else None),
            len(questions & passed) / len(questions) if questions else None,
            len(tried_topics & set(c["drills"])) / len(c["drills"]) if c["drills"] else None))
    return ProgressMap(tuple(rows))
