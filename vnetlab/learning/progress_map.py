"""The progress map: per concept of the course (C1-C20), how far the learner got.

Three measures, each a fraction from 0 to 1, from what the learner's own files record (nothing is sent anywhere):

* **lessons tried**: of the lessons teaching the concept, those with at least one committed prediction;
* **predictions right**: right predictions / committed predictions in those lessons;
* **drills done**: of the drill topics asking the concept, those tried at least once (drill history).

Exercise checks are not recorded by the grader yet, so the map does not claim to show them.
A concept with nothing to measure in a column (no drill topic asks it) shows no value there, not a zero.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from ..display import html_table
from .store import PredictionStore

COLUMNS = ("lessons tried", "predictions right", "drills done")


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
    drills_done: float | None

    def values(self) -> tuple[float | None, ...]:
        return (self.lessons_tried, self.predictions_right, self.drills_done)


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


def progress(predictions: PredictionStore | None = None, drills=None) -> ProgressMap:
    """The map from the learner's predictions file and drill history (default locations)."""
    from ..drills.progress import ProgressStore

    predictions = predictions if predictions is not None else PredictionStore()
    drills = drills if drills is not None else ProgressStore()
    said = predictions.predictions()
    tried_topics = set(drills.stats())
    rows = []
    for c in concepts():
        lessons = set(c["lessons"])
        mine = [p for p in said if p.lesson in lessons]
        tried = {p.lesson for p in mine}
        rows.append(ConceptProgress(
            c["id"], c["title"],
            len(tried) / len(lessons) if lessons else None,
            sum(p.correct for p in mine) / len(mine) if mine else (0.0 if lessons else None),
            len(tried_topics & set(c["drills"])) / len(c["drills"]) if c["drills"] else None))
    return ProgressMap(tuple(rows))
