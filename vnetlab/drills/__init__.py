"""Interview drills: short, generated questions on the course's rules, with the learner's progress kept locally.

* :mod:`vnetlab.drills.questions` makes the questions (``generate(topic, level, seed)``), each checked and
  explained by the engine;
* :class:`ProgressStore` keeps the history (``$VNETLAB_PROGRESS``, else
  ``$XDG_DATA_HOME/vnetlab/drill-progress.json``);
* :class:`DrillSession` runs a drill: score, streak, time limit, review mode (spaced repetition);
* front ends: ``vnetlab drill`` in a terminal (:mod:`vnetlab.drills.cli`) and
  :class:`vnetlab.widgets.DrillWidget` in ``notebooks/drills.ipynb`` (``make drill`` serves it with Voilà).
"""
from __future__ import annotations

from .questions import LEVELS, TOPIC_TITLES, TOPICS, DrillError, DrillQuestion, DrillResult, generate
from .progress import ProgressError, ProgressStore
from .session import DrillAnswer, DrillSession, DrillSummary

__all__ = ["DrillAnswer", "DrillError", "DrillQuestion", "DrillResult", "DrillSession", "DrillSummary", "LEVELS",
           "ProgressError", "ProgressStore", "TOPICS", "TOPIC_TITLES", "generate"]
