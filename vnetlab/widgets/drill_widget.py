"""The drill widget: interview questions with immediate explanations, score, streak, timer and review mode.

Logic layer: :class:`~vnetlab.drills.DrillSession` (questions, checking, score, streak, time limit, spaced
repetition) and the HTML helpers here (:func:`question_html`, :func:`feedback_html`, :func:`score_html`,
:func:`history_html`). Widget layer: :class:`DrillWidget`, which only wires controls to them. The widget never
judges an answer itself: each question's ``check`` (the engine) does.

Explain-it mode (the *Explain it* box): the question is asked as an interviewer would; the learner types a short
answer in their own words, presses *Show model answer*, ticks the key points their answer made and presses *Record
self-check*; the self-assessment is stored with the progress (:meth:`DrillSession.explain`).

Timed drills show a countdown that ticks in the browser (an ``ipywidgets.Play`` model, no kernel thread); the time
that counts is measured in the kernel when *Submit answer* is pressed.
"""
from __future__ import annotations

import base64
import json
import re
import time
from html import escape
from typing import Callable

import ipywidgets as ipw

from ..drills import TOPIC_TITLES, TOPICS, DrillError, DrillSession, ProgressStore
from ..drills.progress import TopicStats
from ..drills.session import DrillAnswer, leitner_boxes
from ..drills.questions import DrillQuestion
from . import Explorer, callback

LEVEL_OPTIONS = (("1 · easy", 1), ("2 · medium", 2), ("3 · hard", 3))
GOOD, BAD, NOTE = "#DDF2EA", "#FDECEA", "#FFF4D6"
PROMPT_STYLE = ("white-space:pre-wrap;word-break:normal;overflow-wrap:break-word;font-family:monospace;font-size:13px;"
                "line-height:1.35;margin:6px 0")  # the prompt's text tables stay aligned
URL = re.compile(r"(https?://[^\s<>()\"']+[^\s<>()\"'.,;:])")


def _text_html(text: str) -> str:
    """Plain text as HTML: escaped, line breaks kept, links clickable and underlined (colour is not the only sign
    of a link inside text: WCAG 1.4.1, axe-core's link-in-text-block)."""
    return URL.sub(r'<a href="\1" target="_blank" rel="noopener" style="color:#0B5CAD;text-decoration:underline">'
                   r'\1</a>',
                   escape(text)).replace("\n", "<br>")


def _question_div(token: str, kind: str, choices: tuple[str, ...] = ()) -> str:
    """The question's outer element. ``data-question`` changes with every question shown, ``data-kind`` says how it
    is answered and ``data-choices`` lists a choice question's answers, so that a page (or a browser test) can tell
    when the answer controls beside it show this question: the browser updates each widget on its own, so the
    question can be drawn before its choices are."""
    marks = f' data-question="{escape(token)}" data-kind="{kind}"' if token else ""
    if token and choices:
        marks += f' data-choices="{escape(json.dumps(list(choices)))}"'
    return f'<div class="vnetlab-drill-question"{marks}>'


def question_html(question: DrillQuestion, number: int, count: int, token: str = "") -> str:
    """The question's heading (number, topic, level) and its prompt (kept as plain text, tables aligned); ``token``,
    when given, marks the element with the question's number, kind and choices (:func:`_question_div`)."""
    title = TOPIC_TITLES.get(question.topic, question.topic)
    hint = (f'<div style="color:#555;margin-top:4px">Answer format: {escape(question.hint)}</div>'
            if question.kind == "open" and question.hint else "")
    return (f'{_question_div(token, question.kind, question.choices)}'
            f'<div style="color:#555">Question {number} of {count} · '
            f"{escape(title)} · level {question.level}</div>"
            f'<pre style="{PROMPT_STYLE}">{escape(question.prompt)}</pre>{hint}</div>')


def feedback_html(answer: DrillAnswer) -> str:
    """Right or not (green or red), the feedback with its explanation and the sources behind it."""
    colour = GOOD if answer.correct else BAD
    verdict = "✓ Correct" if answer.correct else "✗ Not quite"
    sources = "".join(f"<li>{_text_html(s)}</li>" for s in answer.question.sources if s not in answer.feedback)
    sources = f'<div style="font-size:12px;margin-top:4px">Sources:<ul style="margin:0">{sources}</ul></div>' \
        if sources else ""
    return (f'<div class="vnetlab-drill-feedback" style="background:{colour};padding:6px 10px;border-radius:4px;'
            f'margin:4px 0;overflow-wrap:anywhere"><b>{verdict}</b> · the answer: '
            f"<b>{escape(answer.result.answer)}</b>"
            f'<div style="margin-top:4px">{_text_html(answer.feedback)}</div>{sources}</div>')


def explain_question_html(question: DrillQuestion, number: int, count: int, token: str = "") -> str:
    """An explain-it question: its heading and the question as an interviewer asks it."""
    title = TOPIC_TITLES.get(question.topic, question.topic)
    return (f'{_question_div(token, "explain")}<div style="color:#555">Question {number} of {count} · '
            f"{escape(title)} · level {question.level} · explain it</div>"
            f'<p style="font-size:15px;margin:6px 0">{escape(question.explain_prompt or question.prompt)}</p>'
            '<div style="color:#555">Answer in two or three sentences, as you would say it; then compare.</div></div>')


def model_answer_html(question: DrillQuestion) -> str:
    """The model answer and its sources, shown once the learner has given their own answer."""
    sources = "".join(f"<li>{_text_html(s)}</li>" for s in question.sources)
    return (f'<div class="vnetlab-drill-model" style="background:{NOTE};padding:6px 10px;border-radius:4px;'
            f'margin:4px 0"><b>Model answer</b><div style="margin-top:4px">{_text_html(question.model_answer)}</div>'
            f'<div style="font-size:12px;margin-top:4px">Sources:<ul style="margin:0">{sources}</ul></div>'
            f'<div style="margin-top:4px"><b>Tick the key points your answer made:</b></div></div>')


def explain_feedback_html(answer: DrillAnswer) -> str:
    """The self-check as recorded: how many key points were made, each ticked or not."""
    colour = GOOD if answer.correct else BAD
    made = set(answer.points or ())
    items = "".join(f"<li>{'✓' if i in made else '✗'} {escape(p)}</li>"
                    for i, p in enumerate(answer.question.key_points, 1))
    head = _text_html(answer.feedback.split("\n", 1)[0])
    return (f'<div class="vnetlab-drill-feedback" style="background:{colour};padding:6px 10px;border-radius:4px;'
            f'margin:4px 0"><b>{head}</b><ul style="margin:4px 0">{items}</ul></div>')


def score_html(session: DrillSession) -> str:
    summary = session.summary()
    over = " · <b>drill complete</b>: start a new drill above" if session.done else ""
    late = f" · {summary.late} late" if summary.late else ""
    return (f'<div class="vnetlab-drill-score" style="font-size:14px">Score <b>{summary.right}/{summary.answered}</b>'
            f" · streak <b>{summary.streak}</b> · best streak {summary.best_streak}{late}"
            f" · question {max(session.number, 1)} of {session.count}{over}</div>")


def history_html(stats: dict[str, TopicStats], boxes: dict[str, int]) -> str:
    """The learner's history per topic: tried, right, current streak and Leitner box (1 = review soon)."""
    if not stats:
        return "<i>No answers recorded yet.</i>"
    rows = "".join(
        f"<tr><td>{escape(TOPIC_TITLES.get(t, t))}</td><td>{s.tried}</td><td>{s.right}</td><td>{s.streak}</td>"
        f"<td>{boxes.get(t, 1)}</td></tr>" for t, s in stats.items())
    return ('<table class="vnetlab-drill-history"><tr><th>Topic</th><th>Tried</th><th>Right</th><th>Streak</th>'
            f"<th>Review box</th></tr>{rows}</table>")


def csv_link(store: ProgressStore) -> str:
    """A link that downloads the history as CSV (a data: URL, so it works in Voilà and JupyterLab alike)."""
    data = base64.b64encode(store.csv_text().encode("utf-8")).decode("ascii")
    return (f'<a download="vnetlab-drill-history.csv" href="data:text/csv;base64,{data}">Download your history '
            f"(CSV, {len(store.attempts())} answers)</a> · stored in <code>{escape(str(store.path))}</code>")


def notice_html(messages: list[str]) -> str:
    items = "<br>".join(escape(m) for m in messages if m)
    return (f'<div class="vnetlab-drill-notice" role="status" style="background:{NOTE};padding:6px 10px;'
            f'border-radius:4px;margin:4px 0">{items}</div>') if items else ""


class DrillWidget(Explorer):
    """Choose topics, difficulty, timed or untimed and review mode, then *Start new drill*; answer with the radio
    buttons (or the text box for open questions) and *Submit answer*; the explanation follows at once, with the
    score and streak; *Next question* moves on. Answers are saved in ``store`` (default: :class:`ProgressStore`).

    Attributes: ``topic_boxes``, ``level``, ``count``, ``timed``, ``time_limit``, ``review``, ``start_button``,
    ``choices``, ``text``, ``submit_button``, ``next_button``, ``question``, ``feedback``, ``score``, ``countdown``,
    ``clock`` (the ticking ``Play``), ``explain``, ``spoken``, ``reveal_button``, ``model``, ``points``,
    ``record_button``, ``history``, ``notice``, ``errors``, ``session``, ``last_answer``, ``widget``.
    """

    def __init__(self, store: ProgressStore | None = None, *, seed: int | None = None, count: int = 10,
                 time_limit_s: int = 30, clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store if store is not None else ProgressStore()
        self._seed, self._clock, self._drills = seed, clock, 0
        self.session: DrillSession | None = None
        self.last_answer: DrillAnswer | None = None
        self._explain_elapsed: float | None = None
        wide = ipw.Layout(width="auto")
        self.topic_boxes = {t: ipw.Checkbox(value=True, description=TOPIC_TITLES.get(t, t), indent=False, layout=wide)
                            for t in TOPICS}
        self.level = ipw.ToggleButtons(options=LEVEL_OPTIONS, value=1, description="Difficulty")
        style = {"description_width": "initial"}
        self.count = ipw.BoundedIntText(value=count, min=1, max=200, description="Questions", style=style,
                                        layout=ipw.Layout(width="150px"))
        self.timed = ipw.Checkbox(value=False, description="Timed", indent=False, layout=ipw.Layout(width="80px"))
        self.time_limit = ipw.BoundedIntText(value=time_limit_s, min=5, max=3600, description="seconds per question",
                                             style=style, layout=ipw.Layout(width="210px"))
        self.review = ipw.Checkbox(value=False, description="Review mode (weak topics first, spaced repetition)",
                                   indent=False, layout=wide)
        self.explain = ipw.Checkbox(value=False, description="Explain it (answer in your own words, then tick the key "
                                    "points you made)", indent=False, layout=wide)
        self.spoken = ipw.Textarea(placeholder="your answer, as you would say it", layout=ipw.Layout(width="600px",
                                                                                                     height="90px"))
        self.reveal_button = ipw.Button(description="Show model answer", layout=ipw.Layout(width="180px"))
        self.model = ipw.HTML()
        self.points = ipw.VBox()
        self.points.add_class("vnetlab-drill-points")
        self.record_button = ipw.Button(description="Record self-check", button_style="primary",
                                        layout=ipw.Layout(width="180px"))
        self.start_button = ipw.Button(description="Start new drill", icon="play", layout=ipw.Layout(width="160px"))
        self.question = ipw.HTML()
        self.choices = ipw.RadioButtons(options=[], value=None, layout=ipw.Layout(width="auto"))
        self.text = ipw.Text(placeholder="type your answer", layout=ipw.Layout(width="420px"))
        self.submit_button = ipw.Button(description="Submit answer", button_style="primary",
                                        layout=ipw.Layout(width="160px"))
        self.next_button = ipw.Button(description="Next question", layout=ipw.Layout(width="160px"))
        self.clock = ipw.Play(value=0, min=0, max=time_limit_s, interval=1000, show_repeat=False,
                              layout=ipw.Layout(display="none"))
        self.countdown = ipw.HTML()
        self.feedback = ipw.HTML()
        self.score = ipw.HTML()
        self.history = ipw.HTML()
        self.notice = ipw.HTML(notice_html(self.store.messages))
        self.errors = ipw.HTML()
        ticks = list(self.topic_boxes.values())
        self.widget = ipw.VBox([
            ipw.HTML("<b>Topics</b>"), ipw.GridBox(ticks, layout=ipw.Layout(grid_template_columns="repeat(3, 1fr)")),
            self.level, ipw.HBox([self.count, self.timed, self.time_limit]), self.review, self.explain,
            self.start_button, self.notice, self.errors, self.score, self.countdown, self.clock, self.question,
            self.choices, self.text, self.spoken, self.reveal_button, self.model, self.points, self.record_button,
            ipw.HBox([self.submit_button, self.next_button]), self.feedback,
            ipw.HTML("<b>Your history</b>"), self.history,
        ], layout=ipw.Layout(max_width="1000px"))
        self.start_button.on_click(self._on_start)
        self.submit_button.on_click(self._on_submit)
        self.next_button.on_click(self._on_next)
        self.reveal_button.on_click(self._on_reveal)
        self.record_button.on_click(self._on_record)
        self.clock.observe(self._on_tick, names="value")
        self._on_start()

    # --- what the learner chose ---------------------------------------------------------------------------------
    def chosen_topics(self) -> list[str]:
        return [t for t, box in self.topic_boxes.items() if box.value]

    def new_session(self) -> DrillSession:
        topics = self.chosen_topics()
        if not topics:
            raise DrillError("choose at least one topic (tick a box under Topics), then start the drill")
        seed = None if self._seed is None else self._seed + self._drills  # a new drill, new questions
        return DrillSession(topics=topics, level=self.level.value, count=self.count.value,
                            time_limit_s=self.time_limit.value if self.timed.value else None, seed=seed,
                            store=self.store, review=self.review.value, clock=self._clock, explain=self.explain.value)

    # --- callbacks -----------------------------------------------------------------------------------------------
    @callback
    def _on_start(self, _button: object = None) -> None:
        self.session = self.new_session()
        self._drills += 1
        self.last_answer = None
        self._show_question()

    @callback
    def _on_submit(self, _button: object = None) -> None:
        session = self.session
        if session is None or session.current is None:
            raise DrillError("this question is answered already: press Next question (or Start new drill)")
        if session.current.kind == "choice":
            response = self.choices.value
            if response is None:
                raise DrillError("choose one of the answers first, then press Submit answer")
        else:
            response = self.text.value.strip()
            if not response:
                raise DrillError("type an answer first, then press Submit answer")
        self.last_answer = session.answer(response)
        self._stop_clock()
        self.errors.value = ""
        self.feedback.value = feedback_html(self.last_answer)
        self.notice.value = notice_html([*self.store.messages, self.last_answer.warning])
        self._show_state()

    @callback
    def _on_reveal(self, _button: object = None) -> None:
        session = self.session
        if session is None or session.current is None or not session.explain_mode:
            raise DrillError("Show model answer is for explain-it drills: tick Explain it and start a new drill")
        if not self.spoken.value.strip():
            raise DrillError("say your answer first (type it in the box): the model answer comes after yours")
        self._explain_elapsed = session.elapsed()
        question = session.current
        self.model.value = model_answer_html(question)
        self.points.children = [ipw.Checkbox(value=False, description=p, indent=False, layout=ipw.Layout(width="auto"))
                                for p in question.key_points]
        self.spoken.disabled = True
        self.errors.value = ""
        self._show_state()

    @callback
    def _on_record(self, _button: object = None) -> None:
        session = self.session
        if session is None or session.current is None or not session.explain_mode:
            raise DrillError("Record self-check is for explain-it drills: tick Explain it and start a new drill")
        if not self.points.children:
            raise DrillError("press Show model answer first, then tick the key points your answer made")
        met = [i for i, box in enumerate(self.points.children, 1) if box.value]
        self.last_answer = session.explain(self.spoken.value, met, elapsed_s=self._explain_elapsed)
        self._stop_clock()
        self.errors.value = ""
        self.feedback.value = explain_feedback_html(self.last_answer)
        self.notice.value = notice_html([*self.store.messages, self.last_answer.warning])
        self._show_state()

    @callback
    def _on_next(self, _button: object = None) -> None:
        if self.session is None or self.session.done:
            raise DrillError("the drill is complete: press Start new drill for another one")
        if self.session.current is not None:
            raise DrillError("answer this question first (or press Start new drill)")
        self._show_question()

    def _on_tick(self, change: dict) -> None:
        if self.session is None or self.session.time_limit_s is None or self.session.current is None:
            return
        shown = max(0, int(self.clock.max) - int(change["new"]))
        self.countdown.value = (f'<div class="vnetlab-drill-countdown">⏱ {shown} s left</div>' if shown > 0 else
                                f'<div class="vnetlab-drill-countdown" style="color:#8B0000">⏱ Time is up: an answer '
                                f"now counts as wrong (you still see the explanation)</div>")

    # --- display -------------------------------------------------------------------------------------------------
    def _show_question(self) -> None:
        session = self.session
        question = session.next()
        self.errors.value = ""
        self.feedback.value = ""
        explaining = session.explain_mode
        self.spoken.value, self.spoken.disabled, self.model.value, self.points.children = "", False, "", ()
        for control in (self.spoken, self.reveal_button, self.model, self.points, self.record_button):
            control.layout.display = None if explaining else "none"
        self.submit_button.layout.display = "none" if explaining else None
        is_choice = question.kind == "choice" and not explaining
        self.choices.options = list(question.choices) if is_choice else []
        self.choices.value = None
        self.choices.layout.display = None if is_choice else "none"
        self.text.value = ""
        self.text.placeholder = question.hint or "type your answer"
        self.text.layout.display = "none" if is_choice or explaining else None
        # The question is marked with its number and answers (see _question_div), for a page to tell it is all drawn.
        self.question.value = (explain_question_html if explaining else question_html)(
            question, session.number, session.count, token=f"{self._drills}.{session.number}")
        if session.time_limit_s is not None:
            self.clock.playing = False
            self.clock.max = int(session.time_limit_s)
            self.clock.value = 0
            self.countdown.value = f'<div class="vnetlab-drill-countdown">⏱ {int(session.time_limit_s)} s left</div>'
            self.clock.playing = True
        else:
            self._stop_clock()
        self._show_state()

    def _stop_clock(self) -> None:
        self.clock.playing = False
        self.countdown.value = ""

    def _show_state(self) -> None:
        session = self.session
        answering = session.current is not None
        self.submit_button.disabled = not answering
        self.reveal_button.disabled = not answering or bool(self.points.children)
        self.record_button.disabled = not answering or not self.points.children
        self.next_button.disabled = answering or session.done
        self.score.value = score_html(session)
        boxes = leitner_boxes([(a.topic, a.correct) for a in self.store.attempts()])
        self.history.value = history_html(self.store.stats(), boxes) + "<div>" + csv_link(self.store) + "</div>"


__all__ = ["DrillWidget", "csv_link", "explain_feedback_html", "explain_question_html", "feedback_html",
           "model_answer_html", "history_html", "notice_html", "question_html", "score_html"]
