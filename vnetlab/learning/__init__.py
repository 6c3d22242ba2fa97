"""What the learner did in the lessons: predictions kept per lesson, and the progress map over the course's concepts.

The interactive side (the predict-then-reveal widget) lives in :mod:`vnetlab.widgets.predict`; this package is the
plain-Python record it writes and the map lesson 00 draws from it (with the drill history of
:mod:`vnetlab.drills.progress`).
"""
from .store import Prediction, PredictionStore, default_path

__all__ = ["Prediction", "PredictionStore", "default_path"]
