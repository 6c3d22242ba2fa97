"""Predict, then reveal: the learner commits to an answer before the result shows.

Interactive lecture demonstrations ask students to predict, observe, then explain; okpy "unlocks" a question only
after the student answers it; Packet Tracer's challenge mode hides the answer until the learner has tried. A lesson
cell does the same with two calls::

    q = predict("02", "one-link", "Only vnet-a's link exists. Can vm-a reach vm-b?", ["Reachable", "Dropped"])
    q                                   # the question: pick (or type) an answer, then "Commit"

    t = pair.trace("vm-a", "10.2.1.4")  # the next cell computes the result as usual ...
    q.reveal(t, answer=t.verdict, why=t.reason)   # ... and shows it only once the learner has committed

On commit the course says whether the prediction was right and why (the engine's own explanation, ``why``), and
keeps the prediction in :class:`~vnetlab.learning.PredictionStore`. Run unattended (tests, *Run All* before anyone
answers) every cell still executes: the result waits, hidden, inside the widget. Nothing here starts a thread or a
process, so it runs in JupyterLite as well.
"""
from __future__ import annotations

from html import escape
from typing import Any, Sequence

import ipywidgets as ipw

from ..errors import SettingError
from ..learning.store import PredictionStore

RIGHT_STYLE = "color:#1b5e20;background:#e8f5e9;border:1px solid #2e7d32"
WRONG_STYLE = "color:#7a3e00;background:#fff4e5;border:1px solid #E69F00"
BOX_STYLE = "border-radius:4px;padding:6px 10px;margin:4px 0;font-size:13px"


def _same(said: str, actual: object, kind: str) -> bool:
    if kind == "number":
        try:
            return abs(float(said) - float(actual)) <= 1e-9 * max(1.0, abs(float(actual)))
        except (TypeError, ValueError):
            return False
    return said.strip().casefold() == str(actual).strip().casefold()


class PredictSession:
    """The logic of one predict-then-reveal question, without widgets (tested without a browser)."""

    def __init__(self, lesson: str, key: str, question: str, choices: Sequence[object] | None = None, *,
                 kind: str | None = None, store: PredictionStore | None = None) -> None:
        self.kind = kind or ("choice" if choices else "text")
        if self.kind not in ("choice", "number", "text"):
            raise SettingError(f"predict(kind={kind!r}): use 'choice', 'number' or 'text'", value=kind,
                               rule="a prediction is a choice, a number or a text")
        if self.kind == "choice" and not choices:
            raise SettingError("predict(): a choice question needs its choices", value=choices,
                               rule="a choice question lists its choices")
        self.lesson, self.key, self.question = str(lesson), str(key), question
        self.choices = tuple(str(c) for c in choices or ())
        self.store = store
        self.said: str | None = None
        self.actual: object = None
        self.why = ""
        self.known = False  # the result cell has run
        self.saved = False
        earlier = store.latest(self.lesson, self.key) if store is not None else None
        if earlier is not None:
            self.said = earlier.said
            self.saved = True

    @property
    def committed(self) -> bool:
        return self.said is not None

    @property
    def correct(self) -> bool | None:
        return None if not (self.committed and self.known) else _same(self.said, self.actual, self.kind)

    def commit(self, said: object) -> None:
        text = "" if said is None else str(said).strip()
        if not text:
            raise SettingError("Pick or type an answer before committing.", value=said, rule="commit an answer")
        if self.kind == "choice" and text not in self.choices:
            raise SettingError(f"{text!r} is not one of the choices ({', '.join(self.choices)}).", value=said,
                               rule="pick one of the choices")
        if self.kind == "number":
            try:
                float(text.replace(",", ""))
            except ValueError:
                raise SettingError(f"{text!r} is not a number.", value=said, rule="this prediction is a number")
            text = text.replace(",", "")
        self.said, self.saved = text, False
        self._save()

    def answer(self, actual: object, why: str = "") -> None:
        if self.kind == "choice" and str(actual) not in self.choices:  # a lesson bug: nobody could be right
            raise SettingError(f"The simulator's answer {actual!r} is not one of the choices "
                               f"({', '.join(self.choices)}) of prediction {self.lesson}/{self.key}.", value=actual,
                               rule="a choice question offers the right answer")
        self.actual, self.why, self.known = actual, why, True
        self._save()

    def _save(self) -> None:
        if self.store is not None and not self.saved and self.correct is not None:
            self.store.record(self.lesson, self.key, self.said, bool(self.correct))
            self.saved = True

    def verdict_html(self) -> str:
        """What the learner reads after committing: right or not, the answer, and the engine's reason."""
        if not self.committed:
            return ""
        if not self.known:
            return (f'<div style="{BOX_STYLE};border:1px solid #999">You said <b>{escape(self.said)}</b>. '
                    "Now run the next cell to see what happens.</div>")
        head = "Right." if self.correct else "Not this time."
        style = RIGHT_STYLE if self.correct else WRONG_STYLE
        why = f" {escape(self.why)}" if self.why else ""
        return (f'<div class="vnetlab-predict-verdict" style="{style};{BOX_STYLE}"><b>{head}</b> You said '
                f"<b>{escape(self.said)}</b>; the simulator says <b>{escape(str(self.actual))}</b>.{why}</div>")


class Predict:
    """The widget: the question, the answer controls, a Commit button, then the verdict and the hidden result."""

    def __init__(self, session: PredictSession) -> None:
        self.session = session
        s = session
        if s.kind == "choice":
            self.input = ipw.ToggleButtons(options=s.choices, value=None, style={"button_width": "auto"})
        else:
            self.input = ipw.Text(placeholder="a number" if s.kind == "number" else "your answer",
                                  layout=ipw.Layout(width="16em"))
        self.commit_button = ipw.Button(description="Commit my prediction", button_style="primary",
                                        layout=ipw.Layout(width="auto"))
        self.message = ipw.HTML()
        self.verdict = ipw.HTML()
        self.result = ipw.Output(layout=ipw.Layout(display="none"))
        self.commit_button.on_click(self._on_commit)
        self.box = ipw.VBox([ipw.HTML(f"<b>Predict.</b> {escape(s.question)}"),
                             ipw.HBox([self.input, self.commit_button]), self.message, self.verdict],
                            layout=ipw.Layout(border="1px solid #ccc", padding="6px", margin="4px 0"))
        if s.committed:  # committed in an earlier session: show what they said, and the result when it comes
            self._lock()

    def _ipython_display_(self) -> None:
        from IPython.display import display
        display(self.box)

    def _lock(self) -> None:
        try:
            self.input.value = self.session.said
        except Exception:  # a stored answer that is no longer a choice (the lesson changed): show it in words
            pass
        self.input.disabled = self.commit_button.disabled = True
        self.commit_button.description = "Committed"
        self._update()

    def _update(self) -> None:
        self.verdict.value = self.session.verdict_html()
        self.result.layout.display = "" if self.session.committed else "none"

    def _on_commit(self, _button=None) -> None:
        from ..errors import VnetlabError
        try:
            self.session.commit(self.input.value)
        except VnetlabError as exc:
            self.message.value = f'<span style="color:#8B0000">{escape(str(exc))}</span>'
            return
        self.message.value = ""
        self._lock()

    # --- the result cell --------------------------------------------------------------------------------------
    def reveal(self, *shown: Any, answer: object, why: str = "") -> ipw.Output:
        """Record the simulator's ``answer`` (and ``why``) and show ``shown`` here once the learner has committed.

        Returns the result area (displayed as the cell's output); it stays hidden until the commit."""
        for item in shown:
            self.result.append_display_data(item)
        self.session.answer(answer, why)
        self._update()
        return self.result

    @property
    def correct(self) -> bool | None:
        return self.session.correct


def predict(lesson: str, key: str, question: str, choices: Sequence[object] | None = None, *,
            kind: str | None = None, store: PredictionStore | None = None) -> Predict:
    """A predict-then-reveal question (see the module docstring). ``choices`` for a pick, else ``kind="number"``
    or ``"text"`` for a typed answer. Predictions are kept in ``store`` (default: the learner's predictions file)."""
    return Predict(PredictSession(lesson, key, question, choices, kind=kind,
                                  store=store if store is not None else PredictionStore()))


__all__ = ["Predict", "PredictSession", "predict"]
