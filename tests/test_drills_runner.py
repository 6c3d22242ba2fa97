"""The drill runner: the progress file, the drill session, ``vnetlab drill`` in a terminal and the drill widget.

What a learner relies on: their history survives (atomic writes; drills writing at once all keep their answers; a
corrupt or foreign file, or one with values the format does not allow, is kept as a backup and they are told, never
a crash, never a silent loss; the location is theirs to choose; a CSV export), a seed gives
the same drill, the score, streak and time limit count as stated, review mode asks first about what they missed,
the terminal drill works with piped answers and says clearly what is wrong with bad options, and the widget
explains each answer at once. The questions themselves are the generators' (tests/test_drill_generators.py).
"""
from __future__ import annotations

import csv
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from vnetlab.drills import (LEVELS, TOPICS, DrillError, DrillQuestion, DrillSession, ProgressError, ProgressStore,
                            generate)
from vnetlab.drills import progress as progress_module
from vnetlab.drills.session import review_order
from vnetlab.errors import VnetlabError

ROOT = Path(__file__).resolve().parents[1]


def right(question: DrillQuestion) -> str:
    return question.answer


def wrong(question: DrillQuestion) -> str:
    if question.kind == "choice":
        return next(c for c in question.choices if c != question.answer)
    return "certainly not the answer"


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- the progress file ----------------------------------------------------------------------------------------
def test_answers_are_saved_as_a_marked_versioned_file_with_no_temporary_files_left(tmp_path):
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    store.record("peerability", 1, 11, True, 4.5)
    store.record("nat-rule", 2, 12, False, 20.0)
    assert files_in(tmp_path) == ["progress.json"]
    data = json.loads(path.read_text())
    assert (data["format"], data["version"]) == ("vnetlab-drill-progress", 1)
    again = ProgressStore(path)
    assert [(a.topic, a.level, a.seed, a.correct, a.seconds) for a in again.attempts()] == [
        ("peerability", 1, 11, True, 4.5), ("nat-rule", 2, 12, False, 20.0)]
    assert again.messages == []


def test_a_failed_write_leaves_the_previous_history_whole_and_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    store.record("peerability", 1, 1, True)
    before = path.read_bytes()

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(progress_module.os, "replace", disk_full)
    with pytest.raises(ProgressError, match="No space left on device.*previous file is unchanged"):
        store.record("next-hop", 1, 2, False)
    assert path.read_bytes() == before
    assert files_in(tmp_path) == ["progress.json"]


def test_two_drills_writing_the_same_file_keep_both_histories(tmp_path):
    path = tmp_path / "progress.json"
    notebook, terminal = ProgressStore(path), ProgressStore(path)
    notebook.record("peerability", 1, 1, True)
    terminal.record("next-hop", 1, 2, False)
    assert [a.topic for a in ProgressStore(path).attempts()] == ["peerability", "next-hop"]


@pytest.mark.parametrize("content, reason", [
    (b'{"format": "vnetlab-drill-progress", "version": 1, "attempts": [', "is not valid JSON"),
    (b"\xff\xfe not text at all", "is not valid JSON"),
    (b'{"theme": "dark", "recent": ["a.ipynb"]}', "is not a vnetlab drill progress file"),
    (b'["a", "list"]', "is not a vnetlab drill progress file"),
    (b'{"format": "vnetlab-drill-progress", "version": 99, "attempts": []}', "has version 99"),
    (b'{"format": "vnetlab-drill-progress", "version": 1, "attempts": [{"topic": "x"}]}', "cannot read"),
])
def test_a_corrupt_or_foreign_file_is_kept_as_a_backup_with_a_message_and_a_fresh_history_starts(
        tmp_path, content, reason):
    path = tmp_path / "progress.json"
    path.write_bytes(content)
    store = ProgressStore(path)  # never raises on a bad file
    assert store.attempts() == ()
    backups = list(tmp_path.glob("progress.json.*.bak"))
    assert len(backups) == 1 and backups[0].read_bytes() == content  # nothing lost
    assert len(store.messages) == 1
    assert reason in store.messages[0] and str(path) in store.messages[0] and str(backups[0]) in store.messages[0]
    store.record("peerability", 1, 1, True)
    assert [a.topic for a in ProgressStore(path).attempts()] == ["peerability"]
    assert backups[0].read_bytes() == content


def progress_file(*attempts: str, top: str = "") -> bytes:
    """A progress file's bytes with the given attempt objects (JSON text, so that values JSON's dumper would
    never write can be planted)."""
    return ('{"format": "vnetlab-drill-progress", "version": 1, ' + top + '"attempts": [' + ", ".join(attempts)
            + "]}").encode()


def attempt_json(**changes: str) -> str:
    fields = {"when": '"2026-01-05T10:00:00+00:00"', "topic": '"nat-rule"', "level": "2", "seed": "7",
              "correct": "true", "seconds": "3.5", **changes}
    return "{" + ", ".join(f'"{k}": {v}' for k, v in fields.items() if v is not None) + "}"


@pytest.mark.parametrize("content, reason", [
    (progress_file(attempt_json(seconds="Infinity")), "the number Infinity is not a finite number"),
    (progress_file(attempt_json(seconds="-Infinity")), "the number -Infinity is not a finite number"),
    (progress_file(attempt_json(seconds="NaN")), "the number NaN is not a finite number"),
    (progress_file(attempt_json(seconds="1e400")), "the number 1e400 is too large"),
    (progress_file(attempt_json(seed="1" * 5000)), "cannot read"),
    (progress_file(attempt_json(seconds="-2")), "attempts[0].seconds is -2; it must be a finite number"),
    (progress_file(attempt_json(seconds='"fast"')), "attempts[0].seconds is 'fast'"),
    (progress_file(attempt_json(correct='"no"')), "attempts[0].correct is 'no'; it must be true or false"),
    (progress_file(attempt_json(correct="1")), "attempts[0].correct is 1; it must be true or false"),
    (progress_file(attempt_json(), attempt_json(level='"2"')), "attempts[1].level is '2'; it must be one of 1, 2, 3"),
    (progress_file(attempt_json(level="true")), "attempts[0].level is True"),
    (progress_file(attempt_json(level="9")), "attempts[0].level is 9"),
    (progress_file(attempt_json(seed="1.5")), "attempts[0].seed is 1.5; it must be a whole number"),
    (progress_file(attempt_json(topic="[]")), "attempts[0].topic is []"),
    (progress_file(attempt_json(when='"yesterday"')), "attempts[0].when is 'yesterday'; it must be an ISO 8601 time"),
    (progress_file(attempt_json(id='""')), "attempts[0].id is ''"),
    (progress_file(attempt_json(colour='"red"')), "attempts[0] key is 'colour'"),
    (progress_file(attempt_json(topic=None)), "attempts[0] lacks 'topic'"),
    (progress_file('"an attempt"'), "attempts[0] is 'an attempt'; it must be an object"),
    (progress_file(top='"owner": "me", '), "the key is 'owner'"),
    (b'{"format": "vnetlab-drill-progress", "version": 1, "attempts": {"0": {}}}', '"attempts" is {'),
    (b'{"format": "vnetlab-drill-progress", "version": true, "attempts": []}', "has version True"),
    (progress_file(attempt_json(when='[[[["x"]]]]')), "attempts[0].when is [[[['x']]]]; it must be an ISO 8601"),
    (b"[" * 100_000 + b"]" * 100_000, "nests 100000 levels deep; this vnetlab reads no file nested more than 16"),
    (progress_file(attempt_json(topic="[" * 20 + "]" * 20)), "nests 23 levels deep"),
    (b'{"format": "' + b"{[" * 50_000 + b'", "version": 1, "attempts": []}', "is not a vnetlab drill progress file"),
])
def test_invalid_numbers_wrong_types_and_deep_nesting_are_kept_as_a_backup_with_a_message(tmp_path, content, reason):
    path = tmp_path / "progress.json"
    path.write_bytes(content)
    store = ProgressStore(path)  # never raises
    assert store.attempts() == ()
    backups = list(tmp_path.glob("progress.json.*.bak"))
    assert len(backups) == 1 and backups[0].read_bytes() == content
    assert len(store.messages) == 1 and reason in store.messages[0], store.messages
    assert str(path) in store.messages[0] and str(backups[0]) in store.messages[0]
    store.record("peerability", 1, 1, True)
    assert [a.topic for a in ProgressStore(path).attempts()] == ["peerability"]


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2 ** 70), 2 ** 70), st.floats(), st.text(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=12)
valid_fields = {"when": st.just("2026-01-05T10:00:00+00:00"), "topic": st.sampled_from(TOPICS),
                "level": st.sampled_from(LEVELS), "seed": st.integers(0, 10 ** 6), "correct": st.booleans()}


def mostly(valid: st.SearchStrategy) -> st.SearchStrategy:
    """``valid`` seven times in eight, else any JSON value."""
    return st.integers(0, 7).flatmap(lambda i: json_values if i == 0 else valid)


attempt_like = st.fixed_dictionaries(  # mostly valid fields, some not: both branches below are exercised
    {key: mostly(valid) for key, valid in valid_fields.items()},
    optional={"id": mostly(st.uuids().map(lambda u: u.hex)), "seconds": mostly(st.none() | st.floats(0, 1e6))})


@settings(max_examples=150, deadline=None)
@given(st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.lists(attempt_like, max_size=3).map(
        lambda attempts: json.dumps({"format": "vnetlab-drill-progress", "version": 1, "attempts": attempts}).encode()),
))
def test_any_file_content_loads_or_is_kept_as_a_backup_never_a_crash(content):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "progress.json"
        path.write_bytes(content)
        store = ProgressStore(path)
        backups = list(Path(folder).glob("progress.json.*.bak"))
        if store.messages:  # refused: kept byte for byte, and the message says why and where
            assert [b.read_bytes() for b in backups] == [content] and str(backups[0]) in store.messages[0]
            assert store.attempts() == ()
        else:  # accepted: every attempt is of the documented types
            assert backups == []
            for a in store.attempts():
                assert type(a.correct) is bool and type(a.level) is int and a.level in LEVELS
                assert type(a.seed) is int and (a.seconds is None or math.isfinite(a.seconds)) and a.id


def test_a_valid_file_with_every_field_loads_and_one_without_ids_keeps_its_attempts(tmp_path):
    path = tmp_path / "progress.json"
    path.write_bytes(progress_file(attempt_json(), attempt_json(seconds="null", correct="false", level="1")))
    store = ProgressStore(path)
    assert store.messages == []
    assert [(a.topic, a.level, a.seed, a.correct, a.seconds) for a in store.attempts()] == [
        ("nat-rule", 2, 7, True, 3.5), ("nat-rule", 1, 7, False, None)]
    ids = [a.id for a in store.attempts()]
    assert len(set(ids)) == 2 and ids == [a.id for a in ProgressStore(path).attempts()]  # the same in every reader
    store.record("peerability", 1, 1, True)
    assert [a.id for a in ProgressStore(path).attempts()][:2] == ids


def test_an_answer_that_could_not_be_saved_is_saved_with_the_next_one(tmp_path, monkeypatch):
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    real_replace = progress_module.os.replace

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(progress_module.os, "replace", disk_full)
    with pytest.raises(ProgressError, match="No space left"):
        store.record("next-hop", 1, 1, False)
    monkeypatch.setattr(progress_module.os, "replace", real_replace)
    store.record("peerability", 1, 2, True)
    assert [(a.topic, a.seed) for a in ProgressStore(path).attempts()] == [("next-hop", 1), ("peerability", 2)]


def test_a_drill_that_cannot_get_the_lock_says_so_and_saves_the_answer_with_the_next_one(tmp_path, monkeypatch):
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    monkeypatch.setattr(progress_module, "LOCK_TIMEOUT_S", 0.2)
    with progress_module.folder_lock(tmp_path) as held:  # another drill, stuck while writing
        assert held
        with pytest.raises(progress_module.ProgressLockError, match=r"another drill has held the lock .* 0\.2 s"):
            store.record("next-hop", 1, 1, True)
        assert not path.exists()
    store.record("peerability", 1, 2, True)
    assert [a.topic for a in ProgressStore(path).attempts()] == ["next-hop", "peerability"]


def test_a_second_bad_file_gets_its_own_backup(tmp_path):
    path = tmp_path / "progress.json"
    for text in ("one", "two"):
        path.write_text(text)
        ProgressStore(path)
    assert sorted(p.read_text() for p in tmp_path.glob("progress.json.*.bak")) == ["one", "two"]


def test_the_location_is_vnetlab_progress_else_xdg_data_home_else_local_share(tmp_path, monkeypatch):
    monkeypatch.setenv("VNETLAB_PROGRESS", str(tmp_path / "mine.json"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert ProgressStore().path == tmp_path / "mine.json"
    monkeypatch.delenv("VNETLAB_PROGRESS")
    assert ProgressStore().path == tmp_path / "xdg" / "vnetlab" / "drill-progress.json"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert ProgressStore().path == tmp_path / "home" / ".local" / "share" / "vnetlab" / "drill-progress.json"


def test_an_unwritable_location_raises_a_clear_vnetlab_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    store = ProgressStore(blocker / "progress.json")
    with pytest.raises(ProgressError, match=r"cannot write the drill progress file .*a-file.*VNETLAB_PROGRESS") as err:
        store.record("peerability", 1, 1, True)
    assert isinstance(err.value, VnetlabError)


def test_stats_count_tried_right_and_the_current_streak_per_topic(tmp_path):
    store = ProgressStore(tmp_path / "p.json")
    for topic, correct in [("nat-rule", True), ("nat-rule", False), ("nat-rule", True), ("nat-rule", True),
                           ("peerability", False)]:
        store.record(topic, 1, 1, correct)
    stats = store.stats()
    assert (stats["nat-rule"].tried, stats["nat-rule"].right, stats["nat-rule"].streak) == (4, 3, 2)
    assert (stats["peerability"].tried, stats["peerability"].right, stats["peerability"].streak) == (1, 0, 0)


def test_the_history_exports_as_csv_with_one_row_per_answer(tmp_path):
    store = ProgressStore(tmp_path / "p.json")
    store.record("peerability", 2, 7, True, 3.25)
    store.record("nat-rule", 1, 8, False)
    out = store.export_csv(tmp_path / "export" / "history.csv")
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["when", "topic", "level", "seed", "correct", "seconds"]
    assert [(r["topic"], r["level"], r["seed"], r["correct"], r["seconds"]) for r in rows] == [
        ("peerability", "2", "7", "yes", "3.25"), ("nat-rule", "1", "8", "no", "")]
    assert rows[0]["when"].endswith("+00:00")


# --- the session ------------------------------------------------------------------------------------------------
def test_the_same_seed_gives_the_same_drill():
    def questions(seed):
        session = DrillSession(count=6, seed=seed)
        out = []
        while not session.done:
            q = session.next()
            out.append((q.topic, q.seed, q.prompt))
            session.answer(wrong(q))
        return out

    assert questions(5) == questions(5)
    assert questions(5) != questions(6)
    assert len({topic for topic, _, _ in questions(5)}) == 6  # round-robin: no topic twice before all were asked


def test_score_and_streak_follow_the_answers(tmp_path):
    store = ProgressStore(tmp_path / "p.json")
    session = DrillSession(topics=["peerability", "nat-rule"], level=2, count=4, seed=3, store=store)
    streaks = []
    for pick in (right, right, wrong, right):
        answer = session.answer(pick(session.next()))
        streaks.append((answer.correct, answer.score, answer.streak))
    assert streaks == [(True, 1, 1), (True, 2, 2), (False, 2, 0), (True, 3, 1)]
    summary = session.summary()
    assert (summary.right, summary.answered, summary.best_streak, summary.percent) == (3, 4, 2, 75)
    assert [a.correct for a in store.attempts()] == [True, True, False, True]
    assert {a.topic for a in store.attempts()} == {"peerability", "nat-rule"}
    assert session.done
    with pytest.raises(DrillError, match="over"):
        session.next()


def test_the_feedback_explains_each_answer():
    session = DrillSession(topics=["gateway-sku"], count=2, seed=1)
    q = session.next()
    answer = session.answer(wrong(q))
    assert answer.feedback.startswith("Not quite") and q.explanation in answer.feedback
    assert session.answer(right(session.next())).feedback.startswith("Correct")


def test_an_answer_after_the_time_limit_counts_as_wrong_and_says_why(tmp_path):
    now = [100.0]
    store = ProgressStore(tmp_path / "p.json")
    session = DrillSession(count=3, seed=2, time_limit_s=30, store=store, clock=lambda: now[0])
    on_time = session.answer(right(session.next()), elapsed_s=29.0)
    late = session.answer(right(session.next()), elapsed_s=31.0)
    assert (on_time.correct, on_time.late) == (True, False)
    assert (late.correct, late.late, late.result.correct) == (False, True, True)
    assert "Time is up" in late.feedback and "30 s limit" in late.feedback
    assert "the answer itself was right" in late.feedback
    q = session.next()
    now[0] += 45  # measured by the session's clock when no time is given
    assert session.time_left() == pytest.approx(-15)
    assert session.answer(right(q)).late
    assert [a.correct for a in store.attempts()] == [True, False, False]
    assert session.summary().late == 2


def test_review_mode_asks_first_about_the_topic_missed_recently(tmp_path):
    store = ProgressStore(tmp_path / "p.json")
    for topic in TOPICS:
        store.record(topic, 1, 1, True)
    store.record("nat-rule", 1, 2, False)
    store.record("peerability", 1, 3, True)
    session = DrillSession(count=3, seed=4, store=store, review=True)
    first = session.next()
    assert first.topic == "nat-rule"
    session.answer(wrong(first))
    assert session.next().topic != "nat-rule"  # just asked: it waits one question, then comes back
    session.answer(right(session.current))
    assert session.next().topic == "nat-rule"


def test_review_intervals_grow_with_each_success_and_a_miss_resets_them():
    topics = ["a", "b", "c"]
    # after 2 successes "a" is in box 3: due again once 4 other questions were asked
    twice = [("a", True)] * 2 + [("c", True)] * 3 + [("b", True)]
    assert review_order(topics, twice)[0] == "a"
    # after 3 successes (box 4) the same 4 questions are not enough: it waits for 8
    thrice = [("a", True)] * 3 + [("c", True)] * 3 + [("b", True)]
    assert review_order(topics, thrice)[0] == "b"
    # a miss puts it back in box 1: first again after one other question
    assert review_order(topics, thrice + [("a", False), ("c", True)])[0] == "a"


@pytest.mark.parametrize("kwargs, message", [
    ({"topics": ["peering"]}, "unknown drill topic 'peering'"),
    ({"level": 7}, "level 7 does not exist"),
    ({"count": 0}, "at least one question"),
    ({"time_limit_s": 0}, "positive number of seconds"),
])
def test_bad_drill_settings_raise_a_drill_error_naming_the_value(kwargs, message):
    with pytest.raises(DrillError, match=message):
        DrillSession(**kwargs)


# --- vnetlab drill in a terminal ---------------------------------------------------------------------------------
def vnetlab(*args: str, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    script = Path(sys.executable).parent / "vnetlab"
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "vnetlab.cli"]
    return subprocess.run([*cmd, *args], input=stdin, capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env={**os.environ, **(env or {})})


def typed(question: DrillQuestion) -> str:
    """What a learner types for the right answer: the choice's number, or the open answer."""
    return str(question.choices.index(question.answer) + 1) if question.kind == "choice" else question.answer


def test_terminal_drill_with_piped_answers_prints_questions_feedback_and_the_final_score(tmp_path):
    expected = DrillSession(count=3, seed=1)
    answers = []
    while not expected.done:
        q = expected.next()
        answers.append(typed(q) if len(answers) != 1 else wrong(q))  # right, wrong, right
        expected.answer(answers[-1])
    progress = tmp_path / "p.json"
    done = vnetlab("drill", "--count", "3", "--seed", "1", "--progress", str(progress), stdin="\n".join(answers) + "\n")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    out = done.stdout
    for n, question in enumerate(a.question for a in expected.answers):
        assert f"Question {n + 1}/3" in out and " ".join(question.prompt.split()) in " ".join(out.split())
        for i, choice in enumerate(question.choices, 1):
            assert f" {i}. {choice}" in " ".join(out.split()).replace(" Question", "\nQuestion")
    assert out.count("Correct.") == 2 and out.count("Not quite") == 1
    assert "Score: 2/3 (67%) · best streak 1" in out
    assert [a.correct for a in ProgressStore(progress).attempts()] == [True, False, True]


def test_terminal_drill_wraps_its_text_and_lists_the_sources_one_per_line(tmp_path):
    """Paragraphs fit a 72-column terminal (a URL, which cannot be broken, stands on its own line) and each source
    is an item of its own under "Sources:"."""
    session = DrillSession(count=4, seed=5)
    answers = []
    while not session.done:
        q = session.next()
        answers.append(wrong(q))
        session.answer(answers[-1])
    done = vnetlab("drill", "--count", "4", "--seed", "5", "--progress", str(tmp_path / "p.json"),
                   stdin="\n".join(answers) + "\n", env={"COLUMNS": "72"})
    assert done.returncode == 0, done.stderr
    text = [line for line in done.stdout.splitlines()     # the header's path and the input prompts are not prose
            if not line.startswith(("Progress:", "Type your answer", "Your answer"))]
    long = [line for line in text if len(line) > 72 and " " in line.strip().removeprefix("- ")]
    assert not long, long
    assert "Sources:" in done.stdout and "\n  - https://" in done.stdout and " Source: " not in done.stdout


def test_end_of_input_mid_drill_ends_cleanly_with_a_summary(tmp_path):
    first = DrillSession(count=3, seed=1).next()
    done = vnetlab("drill", "--count", "3", "--seed", "1", "--progress", str(tmp_path / "p.json"),
                   stdin=typed(first) + "\n")
    assert done.returncode == 0 and done.stderr == ""
    assert "End of input" in done.stdout
    assert "Score: 1/1 (100%)" in done.stdout and "stopped after 1 of 3 questions" in done.stdout
    assert len(ProgressStore(tmp_path / "p.json").attempts()) == 1


@pytest.mark.parametrize("args, message", [
    (["--level", "7"], "argument --level: difficulty level '7' does not exist"),
    (["--topics", "peerability,vpn"], "unknown drill topic 'vpn'"),
    (["--count", "0"], "argument --count: 0 is not a positive number"),
    (["--time-limit", "soon"], "argument --time-limit: 'soon' is not a number of seconds"),
])
def test_bad_options_exit_2_with_a_message_and_no_traceback(tmp_path, args, message):
    done = vnetlab("drill", *args, "--progress", str(tmp_path / "p.json"))
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "p.json").exists()


def test_terminal_drill_reports_a_corrupt_progress_file_and_goes_on(tmp_path):
    progress = tmp_path / "p.json"
    progress.write_text("{oops")
    done = vnetlab("drill", "--count", "1", "--seed", "1", "--topics", "nat-rule", "--level", "2",
                   stdin="10.0.0.0/8\n", env={"VNETLAB_PROGRESS": str(progress)})
    assert done.returncode == 0
    assert "is not valid JSON" in done.stderr and ".bak" in done.stderr
    assert "Question 1/1 · The NAT rule" in done.stdout and "Score: " in done.stdout
    assert len(ProgressStore(progress).attempts()) == 1


def test_two_terminal_drills_at_once_keep_every_answer(tmp_path):
    """Two `vnetlab drill` processes answer 100 questions each into one progress file, both writing while the
    other writes: all 200 answers are kept (the folder lock and the merge; without them about 100 are lost)."""
    progress = tmp_path / "p.json"
    expected, inputs = [], []
    for seed in (1, 2):
        session, answers = DrillSession(count=100, seed=seed), []
        while not session.done:
            q = session.next()
            answers.append(typed(q))
            expected.append((q.topic, q.level, q.seed))
            session.answer(answers[-1])
        inputs.append("\n".join(answers) + "\n")
    script = Path(sys.executable).parent / "vnetlab"
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "vnetlab.cli"]
    drills = [subprocess.Popen([*cmd, "drill", "--count", "100", "--seed", str(seed), "--progress", str(progress)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=ROOT) for seed in (1, 2)]
    try:
        for drill in drills:  # both are up and asking before either gets its answers
            assert any(line.startswith("Question 1/100") for line in iter(drill.stdout.readline, "")), \
                drill.stderr.read()
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(lambda pair: pair[0].communicate(pair[1], timeout=300), zip(drills, inputs)))
    finally:
        for drill in drills:
            if drill.poll() is None:
                drill.kill()
                drill.wait()
    for drill, (out, err) in zip(drills, results):
        assert drill.returncode == 0 and err == "", err
        assert "Score: 100/100" in out
    attempts = ProgressStore(progress).attempts()
    assert len(attempts) == 200 and len({a.id for a in attempts}) == 200
    assert sorted((a.topic, a.level, a.seed) for a in attempts) == sorted(expected)
    assert all(a.correct for a in attempts)


@pytest.mark.parametrize("content, reason", [
    (progress_file(attempt_json(seconds="Infinity")), "the number Infinity is not a finite number"),
    (progress_file(attempt_json(correct='"no"')), "attempts[0].correct is 'no'; it must be true or false"),
    (b"[" * 100_000 + b"]" * 100_000, "nests 100000 levels deep"),
])
def test_terminal_drill_sets_aside_a_file_with_bad_values_says_why_and_goes_on(tmp_path, content, reason):
    progress = tmp_path / "p.json"
    progress.write_bytes(content)
    done = vnetlab("drill", "--count", "1", "--seed", "1", "--topics", "nat-rule", "--level", "2",
                   "--progress", str(progress), stdin="10.0.0.0/8\n")
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert reason in done.stderr and ".bak" in done.stderr
    assert len(ProgressStore(progress).attempts()) == 1
    assert [p.read_bytes() for p in tmp_path.glob("p.json.*.bak")] == [content]


def test_terminal_lists_topics_and_exports_the_history_as_csv(tmp_path):
    listed = vnetlab("drill", "--list-topics")
    assert listed.returncode == 0 and all(topic in listed.stdout for topic in TOPICS)
    store = ProgressStore(tmp_path / "p.json")
    store.record("peerability", 1, 5, True, 2.0)
    done = vnetlab("drill", "--progress", str(store.path), "--export-csv", str(tmp_path / "h.csv"))
    assert done.returncode == 0 and "Wrote 1 attempt(s)" in done.stdout
    assert (tmp_path / "h.csv").read_text().splitlines()[0] == "when,topic,level,seed,correct,seconds"


# --- the widget, without a browser -------------------------------------------------------------------------------
@pytest.fixture
def widget(tmp_path):
    from vnetlab.widgets import DrillWidget

    return DrillWidget(ProgressStore(tmp_path / "p.json"), seed=1, count=3)


def submit(widget, response: str) -> None:
    if widget.session.current.kind == "choice":
        widget.choices.value = response
    else:
        widget.text.value = response
    widget.submit_button.click()


def test_widget_explains_each_answer_at_once_and_keeps_score_and_streak(widget):
    assert len(widget.chosen_topics()) == len(TOPICS) and widget.level.value == 1
    q = widget.session.current
    assert "Question 1 of 3" in widget.question.value and widget.next_button.disabled
    submit(widget, right(q))
    assert widget.errors.value == ""
    assert "✓ Correct" in widget.feedback.value and "Score <b>1/1</b> · streak <b>1</b>" in widget.score.value
    assert widget.submit_button.disabled and not widget.next_button.disabled
    widget.next_button.click()
    assert "Question 2 of 3" in widget.question.value and widget.feedback.value == ""
    submit(widget, wrong(widget.session.current))
    assert "✗ Not quite" in widget.feedback.value and "Score <b>1/2</b> · streak <b>0</b>" in widget.score.value
    assert [a.correct for a in widget.store.attempts()] == [True, False]
    assert "Download your history (CSV, 2 answers)" in widget.history.value


def question_marks(widget) -> dict[str, str]:
    """The data-* attributes on the drill's question element."""
    import re

    return dict(re.findall(r'data-([a-z]+)="([^"]*)"', widget.question.value.split(">", 1)[0]))


def test_widget_marks_each_question_with_its_number_kind_and_choices_for_the_page(widget):
    # A page (and the browser tests) tells from these marks that a new question and its own answers are drawn.
    import html
    import json

    seen = set()
    for _ in range(6):  # two drills of three: every question gets a new mark
        marks = question_marks(widget)
        q = widget.session.current
        assert marks["kind"] == q.kind and marks["question"] not in seen
        seen.add(marks["question"])
        if q.kind == "choice":
            assert json.loads(html.unescape(marks["choices"])) == list(q.choices) == list(widget.choices.options)
        else:
            assert "choices" not in marks
        submit(widget, right(q))
        (widget.start_button if widget.session.done else widget.next_button).click()


def test_widget_shows_the_explanation_with_its_source_link(widget):
    q = widget.session.current
    submit(widget, wrong(q))
    assert '<a href="https://learn.microsoft.com/' in widget.feedback.value


def test_widget_refuses_an_empty_answer_or_no_topic_inline_and_keeps_working(widget):
    widget.submit_button.click()
    assert "choose one of the answers first" in widget.errors.value or "type an answer first" in widget.errors.value
    for box in widget.topic_boxes.values():
        box.value = False
    widget.start_button.click()
    assert "choose at least one topic" in widget.errors.value
    widget.topic_boxes["cost-break-even"].value = True
    widget.start_button.click()
    assert widget.errors.value == ""
    q = widget.session.current
    assert q.topic == "cost-break-even" and q.kind == "open"
    assert widget.choices.layout.display == "none" and widget.text.layout.display is None
    submit(widget, right(q))
    assert "✓ Correct" in widget.feedback.value


def test_widget_timed_drill_counts_down_and_a_late_answer_counts_as_wrong(tmp_path):
    from vnetlab.widgets import DrillWidget

    now = [0.0]
    widget = DrillWidget(ProgressStore(tmp_path / "p.json"), seed=2, clock=lambda: now[0])
    widget.timed.value, widget.time_limit.value = True, 20
    widget.start_button.click()
    assert widget.clock.playing and widget.clock.max == 20 and "20 s left" in widget.countdown.value
    widget.clock.value = 5  # the browser ticks the Play widget once a second
    assert "15 s left" in widget.countdown.value
    widget.clock.value = 20
    assert "Time is up" in widget.countdown.value
    now[0] = 25.0
    submit(widget, right(widget.session.current))
    assert "Time is up: answered in 25 s" in widget.feedback.value and "✗ Not quite" in widget.feedback.value
    assert not widget.clock.playing and widget.countdown.value == ""
    assert [a.correct for a in widget.store.attempts()] == [False]


def test_widget_review_mode_and_a_corrupt_progress_file(tmp_path):
    from vnetlab.widgets import DrillWidget

    path = tmp_path / "p.json"
    path.write_text("not json")
    widget = DrillWidget(ProgressStore(path), seed=3)
    assert "is not valid JSON" in widget.notice.value and ".bak" in widget.notice.value
    for topic in TOPICS:
        widget.store.record(topic, 1, 1, topic != "next-hop")
    widget.review.value = True
    widget.start_button.click()
    assert widget.session.review and widget.session.current.topic == "next-hop"


# --- make drill ---------------------------------------------------------------------------------------------------
@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_drill_serves_the_drill_notebook_with_voila_on_localhost():
    from test_environment import dry_run  # `make -n` without running anything

    commands = dry_run("drill", "DRILL_ARGS=--port=8777")
    voila = [line for line in commands.splitlines() if "voila" in line]
    assert voila and voila[-1].startswith(".venv/bin/voila notebooks/drills.ipynb"), commands
    for flag in ("--Voila.ip=127.0.0.1", "--port=8777"):
        assert flag in voila[-1]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_drill_opens_the_app_in_the_browser_on_localhost(tmp_path):
    import re
    import time

    from browser_util import STARTUP_TIMEOUT, free_port, http_status, isolated_env, log_tail, process_group
    from test_make_lab import RECORDER  # stands in for the learner's browser: keeps the address it is asked to open

    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        pytest.skip(f"make drill runs .venv's Voila, and these tests run from {sys.prefix}: use `make test`")
    recorder = tmp_path / "browser"
    recorder.write_text(RECORDER)
    recorder.chmod(0o755)
    port = free_port()
    env = isolated_env(tmp_path, BROWSER=f"{recorder} %s", VNETLAB_PROGRESS=str(tmp_path / "p.json"))
    for name in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):  # when run from `make test`
        env.pop(name, None)
    log = tmp_path / "make-drill.log"
    cmd = ["make", "--no-print-directory", "drill", f"DRILL_ARGS=--port={port} --Voila.port_retries=0"]
    with process_group(cmd, cwd=ROOT, env=env, log=log) as proc:
        opened = Path(f"{recorder}.opened")
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not opened.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"make drill opened no browser:\n{log_tail(log)}", pytrace=False)
            time.sleep(0.5)
        urls = [u.replace("&amp;", "&") for u in re.findall(r"https?://[^\s\"'<>]+", opened.read_text())]
        assert f"http://127.0.0.1:{port}/" in urls, urls  # Voila's page that sends the browser on to the app
        assert http_status(f"http://127.0.0.1:{port}/") == 200


def test_levels_and_generate_are_re_exported_for_the_front_ends():
    assert LEVELS == (1, 2, 3)
    assert generate("peerability", 1, 1) == generate("peerability", 1, 1)


def test_a_drill_does_not_ask_the_same_shape_twice():
    """Ten questions of a drill: no topic comes back with the same answer (the same next hop twice taught nothing)."""
    from vnetlab.drills.session import shape
    for seed in range(12):
        for level in LEVELS:
            session = DrillSession(count=10, seed=seed, level=level)
            shapes = []
            while not session.done:
                q = session.next()
                shapes.append(shape(q))
                session.answer(right(q))
            repeated = {s for s in shapes if shapes.count(s) > 1}
            for topic, answer in repeated:   # allowed only where the level has one shape (e.g. same-region costs)
                assert len({generate(topic, level, s).answer for s in range(40)}) == 1, (seed, level, topic, answer)
