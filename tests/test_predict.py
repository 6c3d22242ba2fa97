"""Predict, then reveal: the result waits until the learner commits, the verdict uses the engine's own reason,
and predictions are kept per lesson in a local file that a bad file or a second kernel cannot spoil."""
from __future__ import annotations

import json

import pytest

import vnetlab as vl
from vnetlab.learning import PredictionStore
from vnetlab.learning.progress_map import concepts, progress
from vnetlab.widgets.predict import PredictSession, predict


@pytest.fixture()
def store(tmp_path) -> PredictionStore:
    return PredictionStore(tmp_path / "predictions.json")


def test_the_result_is_hidden_until_the_learner_commits(store) -> None:
    net = vl.load_scenario("hub-spoke-onprem")
    q = predict("02", "spokes", "Can vm-spoke1 reach vm-spoke2?", ["Reachable", "Dropped"], store=store)
    trace = net.trace("vm-spoke1", "10.2.1.4")
    area = q.reveal(trace, answer=trace.verdict, why=trace.reason)
    assert area.layout.display == "none" and q.verdict.value == ""   # unattended: ran, nothing shown
    assert len(area.outputs) == 1 and "text/html" in area.outputs[0]["data"]
    q.input.value = "Dropped"
    q._on_commit()
    assert area.layout.display != "none"
    assert "Right." in q.verdict.value and trace.reason.split()[0] in q.verdict.value
    assert q.commit_button.disabled and q.input.disabled


def test_a_wrong_prediction_says_what_the_simulator_says_and_why(store) -> None:
    s = PredictSession("05", "nat", "Which prefix?", kind="text", store=store)
    s.commit("10.0.1.0/24")
    assert "run the next cell" in s.verdict_html()
    s.answer("192.168.2.0/24", why="the IngressSnat rule maps it")
    assert s.correct is False
    html = s.verdict_html()
    assert "Not this time." in html and "192.168.2.0/24" in html and "IngressSnat rule" in html


def test_numbers_compare_as_numbers_and_bad_input_is_refused(store) -> None:
    s = PredictSession("01", "hosts", "Usable addresses in a /27?", kind="number", store=store)
    with pytest.raises(vl.VnetlabError, match="not a number"):
        s.commit("twenty-seven")
    s.commit("27.0")
    s.answer(27)
    assert s.correct is True
    with pytest.raises(vl.VnetlabError, match="not one of the choices"):
        PredictSession("01", "k", "?", ["A", "B"], store=store).commit("C")


def test_predictions_are_kept_per_lesson_and_come_back_committed(tmp_path) -> None:
    path = tmp_path / "p.json"
    s = PredictSession("02", "one-link", "?", ["Reachable", "Dropped"], store=PredictionStore(path))
    s.commit("Reachable")
    s.answer("Dropped")
    again = PredictSession("02", "one-link", "?", ["Reachable", "Dropped"], store=PredictionStore(path))
    assert again.committed and again.said == "Reachable"
    stored = PredictionStore(path)
    assert [(p.lesson, p.key, p.said, p.correct) for p in stored.predictions("02")] == [
        ("02", "one-link", "Reachable", False)]
    assert stored.predictions("03") == ()


def test_two_kernels_writing_keep_both_predictions(tmp_path) -> None:
    path = tmp_path / "p.json"
    a, b = PredictionStore(path), PredictionStore(path)  # both read the empty file first
    a.record("02", "x", "Dropped", True)
    b.record("03", "y", "65010", False)
    assert {(p.lesson, p.key) for p in PredictionStore(path).predictions()} == {("02", "x"), ("03", "y")}


@pytest.mark.parametrize("content", [b"not json", b'{"format": "other"}', b"[" * 5000,
                                     json.dumps({"format": "vnetlab-predictions", "version": 1, "predictions": [
                                         {"id": "a", "when": "t", "lesson": "02", "key": "k", "said": "x",
                                          "correct": "yes"}]}).encode()])
def test_a_bad_file_is_set_aside_never_overwritten(tmp_path, content) -> None:
    path = tmp_path / "p.json"
    path.write_bytes(content)
    store = PredictionStore(path)
    assert store.predictions() == () and store.messages and "kept as" in store.messages[0]
    backups = list(tmp_path.glob("p.json.*.bak"))
    assert len(backups) == 1 and backups[0].read_bytes() == content


def test_the_location_follows_the_environment(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("VNETLAB_PREDICTIONS", str(tmp_path / "mine.json"))
    assert PredictionStore().path == tmp_path / "mine.json"
    monkeypatch.delenv("VNETLAB_PREDICTIONS")
    monkeypatch.setenv("VNETLAB_PROGRESS", str(tmp_path / "drills" / "d.json"))
    assert PredictionStore().path.parent == tmp_path / "drills"


def test_the_progress_map_covers_every_concept_and_counts_what_was_done(tmp_path) -> None:
    from vnetlab.drills.progress import ProgressStore

    assert [c["id"] for c in concepts()] == [f"C{i}" for i in range(1, 21)]
    preds = PredictionStore(tmp_path / "p.json")
    preds.record("05", "a", "x", True)
    preds.record("05", "b", "y", False)
    drills = ProgressStore(tmp_path / "d.json")
    drills.record("nat-rule", 1, 7, True)
    rows = {r.id: r for r in progress(preds, drills).rows}
    assert (rows["C11"].lessons_tried, rows["C11"].predictions_right, rows["C11"].drills_done) == (1.0, 0.5, 1.0)
    assert rows["C2"].lessons_tried == 0.0 and rows["C2"].drills_done is None  # no drill asks C2: not a zero
    fig = progress(preds, drills).figure()
    assert len(fig.data[0].y) == 20


def test_a_choice_question_must_offer_the_simulators_answer(store) -> None:
    # A lesson whose choices miss the engine's answer would mark every learner wrong: it fails loudly instead.
    s = PredictSession("03", "sku", "Which SKU?", ["VpnGw1AZ", "VpnGw2AZ"], store=store)
    with pytest.raises(vl.VnetlabError, match="not one of the choices"):
        s.answer("VpnGw3AZ")
