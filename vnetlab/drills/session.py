"""One drill: a run of questions with a score, a streak, an optional time limit and a review mode.

Pure Python (no widgets, no terminal): :mod:`vnetlab.drills.cli` and :class:`vnetlab.widgets.DrillWidget` both
drive a :class:`DrillSession`. Given a seed (and, in review mode, the same history) the questions are the same.

Explain-it mode (``explain=True``) practises the spoken answer an interviewer wants: the learner types a short
answer in their own words, then sees the model answer and its checklist of key points, ticks the points their answer
made (:meth:`DrillSession.explain`), and the self-assessment is stored with the progress (all points made counts as
right).

Review mode is a Leitner system (spaced repetition, Sebastian Leitner, *So lernt man lernen*, 1972): each topic
sits in a box from 1 to :data:`BOXES`; a miss sends it back to box 1, a right answer moves it up one box. A topic
in box *b* is due again once ``2 ** (b - 1)`` other questions have been asked since it was last asked (1, 2, 4, 8,
16: the interval doubles with each success). The next topic is the due one in the lowest box, a topic whose
latest answer was a miss first, then the one waited for longest; topics never tried count as box 1.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from .progress import ProgressError, ProgressStore
from .questions import EXPLAIN_TOPICS, LEVELS, TOPIC_TITLES, TOPICS, DrillError, DrillQuestion, DrillResult, generate

BOXES = 5


@dataclass(frozen=True)
class DrillAnswer:
    """One answered question: the checked result, whether it counts as right (a late answer does not), the
    feedback to show, the time taken, and the score and streak after it."""

    question: DrillQuestion
    response: str
    result: DrillResult
    correct: bool
    late: bool
    seconds: float | None
    feedback: str
    score: int
    streak: int
    warning: str = ""  # e.g. the progress file could not be written (the answer still counts)
    points: tuple[int, ...] | None = None  # explain-it: the key points (1-based) the learner's answer made


@dataclass(frozen=True)
class DrillSummary:
    """The drill so far: questions answered and right, current and best streak, late answers, per-topic tallies."""

    answered: int
    right: int
    count: int
    streak: int
    best_streak: int
    late: int
    per_topic: dict[str, tuple[int, int]] = field(default_factory=dict)  # topic -> (answered, right)

    @property
    def percent(self) -> int:
        return round(100 * self.right / self.answered) if self.answered else 0

    def text(self) -> str:
        lines = [f"Score: {self.right}/{self.answered} ({self.percent}%) · best streak {self.best_streak}"
                 + (f" · {self.late} late" if self.late else "")]
        if self.answered < self.count:
            lines[0] += f" · stopped after {self.answered} of {self.count} questions"
        for topic, (tried, right) in self.per_topic.items():
            lines.append(f"  {TOPIC_TITLES.get(topic, topic)}: {right}/{tried}")
        return "\n".join(lines)


def check_topics(topics: Iterable[str] | None) -> tuple[str, ...]:
    """The topics asked for, in the course's order (all when None or empty); DrillError names an unknown one."""
    chosen = list(dict.fromkeys(topics or ()))
    unknown = [t for t in chosen if t not in TOPICS]
    if unknown:
        raise DrillError(f"unknown drill topic {unknown[0]!r}; the topics are: {', '.join(TOPICS)}", value=unknown[0])
    return tuple(t for t in TOPICS if t in chosen) if chosen else tuple(TOPICS)


def check_level(level: object) -> int:
    if isinstance(level, bool) or not isinstance(level, int) or level not in LEVELS:
        raise DrillError(f"difficulty level {level!r} does not exist; choose one of {', '.join(map(str, LEVELS))} "
                         "(1 easy, 2 medium, 3 hard)", value=level)
    return level


def leitner_boxes(history: Sequence[tuple[str, bool]]) -> dict[str, int]:
    """Each topic's Leitner box after ``history`` ((topic, correct), oldest first): a miss → 1, a success → +1."""
    boxes: dict[str, int] = {}
    for topic, correct in history:
        boxes[topic] = min(boxes.get(topic, 1) + 1, BOXES) if correct else 1
    return boxes


def review_order(topics: Sequence[str], history: Sequence[tuple[str, bool]]) -> list[str]:
    """``topics`` in the order review mode would ask them next (see the module's docstring for the rule)."""
    boxes = leitner_boxes(history)
    last_seen: dict[str, int] = {}
    last_correct: dict[str, bool] = {}
    for index, (topic, correct) in enumerate(history):
        last_seen[topic], last_correct[topic] = index, correct
    now = len(history)

    def waited(topic: str) -> int:  # questions asked since this topic's last one (never asked: forever)
        return now - 1 - last_seen[topic] if topic in last_seen else now + 1

    def key(topic: str) -> tuple:
        box = boxes.get(topic, 1)
        due = waited(topic) >= 2 ** (box - 1)
        return (not due, box, last_correct.get(topic, True), -waited(topic), topics.index(topic))  # stable order

    return sorted(topics, key=key)


def parse_points(text: str, total: int) -> tuple[int, ...]:
    """The key points a learner says their answer made, typed as ``1,3`` or ``1 3``, ``all`` or ``none`` (empty
    means none): 1-based numbers, sorted; DrillError names a number that is not on the checklist."""
    flat = text.strip().casefold()
    if flat in ("all", "a"):
        return tuple(range(1, total + 1))
    if flat in ("", "none", "0", "-"):
        return ()
    out = set()
    for part in flat.replace(",", " ").split():
        if not part.isdigit() or not 1 <= int(part) <= total:
            raise DrillError(f"{part!r} is not a key point: type the numbers of the points your answer made "
                             f"(1-{total}, e.g. 1,3), all or none", value=part, rule=f"points 1-{total}")
        out.add(int(part))
    return tuple(sorted(out))


def checklist_text(question: DrillQuestion, met: Iterable[int] = ()) -> str:
    """The key points as a numbered checklist, ``[x]`` for those in ``met`` (1-based)."""
    made = set(met)
    return "\n".join(f"  {i}. [{'x' if i in made else ' '}] {p}" for i, p in enumerate(question.key_points, 1))


SHAPE_TRIES = 25   # cases drawn, at most, for a question whose shape this drill has not asked yet


def shape(question: DrillQuestion) -> tuple[str, str]:
    """What makes two questions the same exercise for a learner: the topic and the answer (the same next hop, the
    same verdict), whatever the addresses."""
    return question.topic, question.answer


class DrillSession:
    """A drill of ``count`` questions on ``topics`` (default: all) at ``level``.

    ``next()`` gives the current question (a new one once the previous was answered); ``answer(response)`` checks
    it, records it in ``store`` (if any) and returns a :class:`DrillAnswer`. With ``time_limit_s`` an answer given
    after the limit counts as wrong, whatever it says. With ``review=True`` the topics come from the Leitner rule
    over the store's history and this drill's answers; otherwise round-robin in an order shuffled by the seed.
    """

    def __init__(self, topics: Iterable[str] | None = None, level: int = 1, count: int = 10,
                 time_limit_s: float | None = None, seed: int | None = None, store: ProgressStore | None = None,
                 review: bool = False, clock: Callable[[], float] = time.monotonic, explain: bool = False) -> None:
        self.topics = check_topics(topics)
        self.explain_mode = bool(explain)
        if self.explain_mode:
            self.topics = tuple(t for t in self.topics if t in EXPLAIN_TOPICS)
            if not self.topics:
                raise DrillError("explain-it mode needs a topic with model answers; choose from: "
                                 + ", ".join(EXPLAIN_TOPICS), value=tuple(topics or ()),
                                 rule="explain-it topics")
        self.level = check_level(level)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise DrillError(f"a drill needs at least one question, not {count!r}", value=count)
        if time_limit_s is not None and not time_limit_s > 0:
            raise DrillError(f"the time limit must be a positive number of seconds, not {time_limit_s!r}",
                             value=time_limit_s)
        self.count, self.time_limit_s, self.store, self.review = count, time_limit_s, store, review
        self.seed = seed if seed is not None else random.SystemRandom().randrange(2 ** 31)
        self._rng = random.Random(self.seed)
        self._order = list(self.topics)
        self._rng.shuffle(self._order)
        self._clock = clock
        self.answers: list[DrillAnswer] = []
        self.current: DrillQuestion | None = None
        self._asked_at = 0.0
        self._score = self._streak = self._best = 0
        self._history = [(a.topic, a.correct) for a in store.attempts()] if (review and store) else []

    # --- state ------------------------------------------------------------------------------------------------
    @property
    def number(self) -> int:
        """1-based number of the current (or next) question."""
        return len(self.answers) + (0 if self.current is None else 1)

    @property
    def done(self) -> bool:
        return len(self.answers) >= self.count

    @property
    def score(self) -> int:
        return self._score

    @property
    def streak(self) -> int:
        return self._streak

    @property
    def best_streak(self) -> int:
        return self._best

    def elapsed(self) -> float:
        """Seconds since the open question was asked (0 when none is open)."""
        return 0.0 if self.current is None else self._clock() - self._asked_at

    def time_left(self) -> float | None:
        """Seconds left for the current question (None when untimed or no question is open); may be negative."""
        if self.time_limit_s is None or self.current is None:
            return None
        return self.time_limit_s - (self._clock() - self._asked_at)

    # --- the drill ----------------------------------------------------------------------------------------------
    def next_topic(self) -> str:
        if self.review:
            return review_order(self._order, self._history)[0]
        return self._order[len(self.answers) % len(self._order)]

    def next(self) -> DrillQuestion:
        """The question to answer now: the open one, or a new one. DrillError once all ``count`` are answered."""
        if self.current is not None:
            return self.current
        if self.done:
            raise DrillError(f"this drill is over: all {self.count} questions are answered; start a new drill",
                             value=self.count)
        topic = self.next_topic()
        asked = {shape(a.question) for a in self.answers}
        for _ in range(SHAPE_TRIES):   # the same shape twice in one drill teaches nothing new: draw another case
            self.current = generate(topic, self.level, self._rng.randrange(2 ** 31))
            if shape(self.current) not in asked:
                break
        self._asked_at = self._clock()
        return self.current

    def answer(self, response: str, elapsed_s: float | None = None) -> DrillAnswer:
        """Check ``response`` to the open question (elapsed time measured since :meth:`next` unless given).

        A response the question cannot read (e.g. a choice number out of range) raises DrillError and leaves the
        question open; the learner answers again.
        """
        question = self.current
        if question is None:
            raise DrillError("there is no open question to answer; ask for the next question first")
        if self.explain_mode:
            raise DrillError("this is an explain-it drill: explain in your own words, then tick the key points "
                             "(DrillSession.explain)")
        seconds = elapsed_s if elapsed_s is not None else self._clock() - self._asked_at
        result = question.check(response)
        return self._finish(question, response, result, seconds)

    def explain(self, response: str, met: Iterable[int], elapsed_s: float | None = None) -> DrillAnswer:
        """Close the open question of an explain-it drill: ``response`` is the learner's own answer, ``met`` the
        1-based numbers of the key points it made (self-assessed, after seeing the model answer). Every point made
        counts as right. The feedback repeats the model answer and the ticked checklist."""
        question = self.current
        if question is None:
            raise DrillError("there is no open question to explain; ask for the next question first")
        if not self.explain_mode:
            raise DrillError("this drill is not in explain-it mode: answer the question (DrillSession.answer)")
        if not isinstance(response, str) or not response.strip():
            raise DrillError("say your answer first: a few sentences, as you would to an interviewer",
                             value=response, rule="an explanation is needed before the self-check")
        total = len(question.key_points)
        made = sorted(set(met))
        bad = [m for m in made if isinstance(m, bool) or not isinstance(m, int) or not 1 <= m <= total]
        if bad:
            raise DrillError(f"key point {bad[0]!r} is not on the checklist (1-{total})", value=bad[0],
                             rule=f"points 1-{total}")
        seconds = elapsed_s if elapsed_s is not None else self._clock() - self._asked_at
        everything = len(made) == total
        verdict = (f"All {total} key points made." if everything else
                   f"{len(made)} of {total} key points made; the others are worth adding next time.")
        feedback = (f"{verdict}\nModel answer: {question.model_answer} Source: {'; '.join(question.sources)}."
                    f"\nKey points:\n{checklist_text(question, made)}")
        result = DrillResult(everything, feedback, question.model_answer)
        return self._finish(question, response, result, seconds, points=tuple(made))

    def _finish(self, question: DrillQuestion, response: str, result: DrillResult, seconds: float,
                points: tuple[int, ...] | None = None) -> DrillAnswer:
        late = self.time_limit_s is not None and seconds > self.time_limit_s
        correct = result.correct and not late
        feedback = result.feedback
        if points is None and question.explanation and question.explanation not in feedback:
            feedback = f"{feedback}\n{question.explanation}"
        if late:
            feedback = (f"Time is up: answered in {seconds:.0f} s, over the {self.time_limit_s:g} s limit, so it "
                        f"counts as wrong{' (the answer itself was right)' if result.correct else ''}.\n{feedback}")
        self._score += correct
        self._streak = self._streak + 1 if correct else 0
        self._best = max(self._best, self._streak)
        self._history.append((question.topic, correct))
        self.current = None
        warning = ""
        if self.store is not None:
            try:
                self.store.record(question.topic, question.level, question.seed, correct, seconds,
                                  () if correct else question.misconceptions,
                                  points=None if points is None else (len(points), len(question.key_points)))
            except ProgressError as exc:
                warning = str(exc)
        done = DrillAnswer(question, response, result, correct, late, seconds, feedback, self._score, self._streak,
                           warning, points)
        self.answers.append(done)
        return done

    def summary(self) -> DrillSummary:
        per_topic: dict[str, tuple[int, int]] = {}
        for a in self.answers:
            tried, right = per_topic.get(a.question.topic, (0, 0))
            per_topic[a.question.topic] = (tried + 1, right + a.correct)
        return DrillSummary(len(self.answers), self._score, self.count, self._streak, self._best,
                            sum(a.late for a in self.answers), per_topic)


__all__ = ["BOXES", "DrillAnswer", "DrillSession", "DrillSummary", "check_level", "check_topics", "checklist_text",
           "leitner_boxes", "parse_points", "review_order"]
