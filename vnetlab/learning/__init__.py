"""What the learner did in the lessons: predictions kept per lesson, the exercise checks they ran (with the
misconceptions those showed), and the progress map over the course's concepts.

The interactive side (the predict-then-reveal widget) lives in :mod:`vnetlab.widgets.predict`; this package is the
plain-Python record it writes and the map lesson 00 draws from it (with the drill history of
:mod:`vnetlab.drills.progress`).
"""
from .store import CheckRecord, CheckStore, Prediction, PredictionStore, checks_path, default_path

__all__ = ["CheckRecord", "CheckStore", "Prediction", "PredictionStore", "checks_path", "default_path"]
