"""``vnetlab drill``: the interview drill in a terminal.

``vnetlab drill [--topics t1,t2] [--level 1|2|3] [--count N] [--time-limit S] [--review] [--explain] [--seed S]
[--progress PATH] [--export-csv PATH] [--list-topics]``

Each question is printed with its numbered choices (or the format to type); the answer is read from standard
input, one line per answer, so piped input works. The feedback and explanation follow at once, then the score and
streak. End of input stops the drill with its summary. Answers go to the progress file (see
:mod:`vnetlab.drills.progress`). ``--export-csv`` writes the whole history as CSV and exits; ``--list-topics``
lists the topics and exits. Bad arguments: a message and exit status 2.

``--explain`` is the explain-it mode: each question is asked as an interviewer would; you type a short answer in
your own words (one line), then see the model answer and its numbered key points, and type the numbers of the
points your answer made (``1,3``, ``all`` or ``none``). The self-assessment is saved with your progress.
"""
from __future__ import annotations

import argparse
import re
import shutil
import sys
import textwrap
from typing import TextIO

from ..errors import VnetlabError


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number of seconds")
    return value


def _topics(text: str) -> tuple[str, ...]:
    from .session import check_topics

    try:
        return check_topics(t.strip() for t in text.split(",") if t.strip())
    except VnetlabError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _level(text: str) -> int:
    from .session import check_level

    try:
        return check_level(int(text))
    except (ValueError, VnetlabError):
        raise argparse.ArgumentTypeError(f"difficulty level {text!r} does not exist; choose 1 (easy), 2 (medium) "
                                         "or 3 (hard)") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``vnetlab drill`` (used by :mod:`vnetlab.cli`)."""
    parser.add_argument("--topics", type=_topics, default=None, metavar="T1,T2",
                        help="comma-separated topics (default: all; see --list-topics)")
    parser.add_argument("--level", type=_level, default=1, metavar="1|2|3",
                        help="difficulty: 1 easy, 2 medium, 3 hard (default: 1)")
    parser.add_argument("--count", type=_positive_int, default=10, metavar="N", help="questions (default: 10)")
    parser.add_argument("--time-limit", type=_positive_float, default=None, metavar="S",
                        help="seconds per question; a later answer counts as wrong (default: untimed)")
    parser.add_argument("--review", action="store_true",
                        help="review mode: weak topics first, spaced repetition over your history")
    parser.add_argument("--explain", action="store_true",
                        help="explain-it mode: answer in your own words, then tick the key points you made")
    parser.add_argument("--seed", type=int, default=None, metavar="S", help="same seed, same questions")
    parser.add_argument("--progress", default=None, metavar="PATH",
                        help="progress file (default: $VNETLAB_PROGRESS, else "
                             "$XDG_DATA_HOME/vnetlab/drill-progress.json)")
    parser.add_argument("--export-csv", default=None, metavar="PATH", help="write your history as CSV and exit")
    parser.add_argument("--list-topics", action="store_true", help="list the topics and exit")


def _width() -> int:
    """The terminal's width, at most 88 columns (a paragraph wider than that is hard to read)."""
    return max(40, min(88, shutil.get_terminal_size((88, 24)).columns))


def terminal_text(text: str, width: int | None = None) -> str:
    """``text`` for a terminal: each line wrapped to ``width``, the sources ("Source: a; b.") one per line and
    indented under their label, each sentence said once."""
    width = width or _width()
    body, _, sources = text.partition(" Source: ")
    sentences = list(dict.fromkeys(s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", body.strip()) if s))
    lines = [textwrap.fill(" ".join(sentences), width, break_on_hyphens=False, break_long_words=False)]
    if sources:
        lines.append("Sources:")
        lines += [textwrap.fill(s.strip().rstrip("."), width, initial_indent="  - ", subsequent_indent="    ",
                                break_long_words=False, break_on_hyphens=False)
                  for s in sources.split("; ") if s.strip()]
    return "\n".join(lines)


def _ask(question, number: int, count: int, out: TextIO) -> None:
    from .questions import TOPIC_TITLES

    title = TOPIC_TITLES.get(question.topic, question.topic)
    print("\n" + textwrap.fill(f"Question {number}/{count} · {title} · level {question.level}", _width()), file=out)
    print(terminal_text(question.prompt), file=out)
    if question.kind == "choice":
        for i, choice in enumerate(question.choices, 1):
            print(textwrap.fill(f"{i}. {choice}", _width(), initial_indent="  ", subsequent_indent="     "), file=out)
        print("Your answer (number or text): ", end="", file=out, flush=True)
    else:
        print(f"Type your answer{f' ({question.hint})' if question.hint else ''}: ", end="", file=out, flush=True)


def _explain_one(session, question, stdin: TextIO, out: TextIO) -> object | None:
    """One explain-it question: read the learner's answer, show the model answer and checklist, read the points
    made, and close the question. None at end of input."""
    from .questions import TOPIC_TITLES
    from .session import checklist_text, parse_points

    title = TOPIC_TITLES.get(question.topic, question.topic)
    print("\n" + textwrap.fill(f"Question {session.number}/{session.count} · {title} · level {question.level} · "
                               "explain it", _width()), file=out)
    print(terminal_text(question.explain_prompt or question.prompt), file=out)
    while True:
        print("Your answer, as you would say it (a few sentences, one line): ", end="", file=out, flush=True)
        line = stdin.readline()
        if not line:
            return None
        if not stdin.isatty():
            print(line.strip(), file=out)
        if line.strip():
            break
        print("Say something first: the checklist comes after your own answer.", file=out)
    elapsed = session.elapsed()
    print("\nModel answer:", file=out)
    print(terminal_text(question.model_answer), file=out)
    print("Key points:\n" + checklist_text(question), file=out)
    while True:
        print("Which key points did your answer make? (numbers like 1,3; all; none): ", end="", file=out, flush=True)
        points = stdin.readline()
        if not points:
            return None
        if not stdin.isatty():
            print(points.strip(), file=out)
        try:
            met = parse_points(points, len(question.key_points))
        except VnetlabError as exc:
            print(terminal_text(str(exc)), file=out)
            continue
        return session.explain(line.strip(), met, elapsed_s=elapsed)


def run(args: argparse.Namespace, stdin: TextIO | None = None, out: TextIO | None = None,
        err: TextIO | None = None) -> int:
    """Run ``vnetlab drill`` with parsed ``args``; answers from ``stdin``. Returns the exit status."""
    from .progress import ProgressStore
    from .questions import TOPIC_TITLES, TOPICS
    from .session import DrillSession

    stdin, out, err = stdin or sys.stdin, out or sys.stdout, err or sys.stderr
    if args.list_topics:
        width = max(map(len, TOPICS))
        for topic in TOPICS:
            print(f"{topic:<{width}}  {TOPIC_TITLES.get(topic, '')}", file=out)
        return 0
    store = ProgressStore(args.progress)
    for message in store.messages:
        print(f"vnetlab drill: {message}", file=err)
    if args.export_csv:
        path = store.export_csv(args.export_csv)
        print(f"Wrote {len(store.attempts())} attempt(s) from {store.path} to {path}", file=out)
        return 0
    explain = getattr(args, "explain", False)
    try:
        session = DrillSession(topics=args.topics, level=args.level, count=args.count, time_limit_s=args.time_limit,
                               seed=args.seed, store=store, review=args.review, explain=explain)
    except VnetlabError as exc:
        print(f"vnetlab drill: {exc}", file=err)
        return 2
    mode = (" · review mode" if args.review else "") + (" · explain it" if explain else "")
    limit = f" · {args.time_limit:g} s per question" if args.time_limit else ""
    print(f"Drill: {session.count} question(s) · level {session.level}{limit}{mode} · seed {session.seed}\n"
          f"Progress: {store.path}  (end early with Ctrl-D)", file=out)
    try:
        while not session.done:
            question = session.next()
            if explain:
                answer = _explain_one(session, question, stdin, out)
                if answer is None:
                    print("\nEnd of input: the drill stops here.", file=out)
                    break
                from .session import checklist_text
                verdict = answer.feedback.split("\n", 1)[0]
                late = "Time is up" in verdict
                print("", file=out)
                if late:  # the late notice comes first; the checklist's verdict follows it
                    print(terminal_text(verdict), file=out)
                    verdict = answer.feedback.split("\n", 2)[1]
                print(terminal_text(verdict), file=out)
                print(checklist_text(question, answer.points or ()), file=out)
                print(terminal_text(" Source: " + "; ".join(question.sources) + ".").lstrip("\n"), file=out)
                if answer.warning:
                    print(f"vnetlab drill: {answer.warning}", file=err)
                print(f"Score {answer.score}/{len(session.answers)} · streak {answer.streak}", file=out)
                continue
            _ask(question, session.number, session.count, out)
            line = stdin.readline()
            if not line:
                print("\nEnd of input: the drill stops here.", file=out)
                break
            if not stdin.isatty():  # piped answers: show them, so that the transcript reads like a session
                print(line.strip(), file=out)
            try:
                answer = session.answer(line.strip())
            except VnetlabError as exc:  # a response the question cannot read: say why, ask again
                print(f"\n{exc}", file=out)
                continue
            print("", file=out)
            print("\n".join(terminal_text(part) for part in answer.feedback.split("\n")), file=out)
            if answer.warning:
                print(f"vnetlab drill: {answer.warning}", file=err)
            print(f"Score {answer.score}/{len(session.answers)} · streak {answer.streak}", file=out)
    except KeyboardInterrupt:
        print("\nInterrupted: the drill stops here.", file=out)
    print("\n" + session.summary().text(), file=out)
    return 0


__all__ = ["add_arguments", "run"]
