"""The lessons work in a real browser: JupyterLab in headless Chromium, *Run All*, then use the widgets.

What a learner relies on and only a browser shows: the widget and plotly front ends load, the explorer
renders, and a click on it changes what is on screen (the status, the reachability matrix, the figure).
Screenshots go to ``test-artifacts/``. See ``browser_util`` for the harness (and for adding a lesson).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import browser_util
from browser_util import ROOT, lesson_in_browser
from lite_util import axe_violations

# The matrix as the page shows it: header row, then one row per VM; each cell's text.
MATRIX_JS = """table => [...table.querySelectorAll('tr')].map(
    tr => [...tr.querySelectorAll('th, td')].map(c => c.innerText.split('\\n')[0].trim()))"""


def reach(matrix: list[list[str]], src: str, dst: str) -> str:
    """The verdict cell (e.g. "✓ Reachable") in row ``src``, column ``dst``."""
    header = matrix[0]
    row = next(r for r in matrix[1:] if r[0] == src)
    return row[header.index(dst)]


@pytest.mark.browser
def test_lesson_02_peering_explorer_peers_two_spokes(tmp_path):
    with lesson_in_browser("notebooks/02-vnet-peering.ipynb", tmp_path) as nb:
        nb.run_all()
        explorer = nb.output_containing("button:has-text('Remove peering')")
        page = nb.page
        title = explorer.locator(".js-plotly-plot .gtitle")
        table = explorer.locator("table", has_text="Who reaches whom")
        for label, vnet in (("VNet a", "spoke1"), ("VNet b", "spoke2")):
            explorer.locator(".widget-dropdown", has=page.locator("label", has_text=label)) \
                .locator("select").select_option(vnet)
        explorer.get_by_text("spoke1 and spoke2 are not peered").wait_for()
        title.filter(has_text="Dropped").wait_for()
        before = table.evaluate(MATRIX_JS)
        assert reach(before, "vm-spoke1", "vm-spoke2").startswith("✗"), before
        nb.screenshot("02-vnet-peering-before-peer", explorer)

        explorer.locator("button", has_text=re.compile(r"^Peer$")).click()

        explorer.get_by_text("Peered spoke1 and spoke2").wait_for()
        title.filter(has_text="Reachable").wait_for()  # the plotly figure redrew: spoke1 now reaches spoke2
        after = table.evaluate(MATRIX_JS)
        assert reach(after, "vm-spoke1", "vm-spoke2") == "✓ Reachable", after
        assert reach(after, "vm-spoke2", "vm-spoke1") == "✓ Reachable", after
        assert title.text_content() == "Trace 10.1.1.4 → 10.2.1.4: Reachable"
        nb.assert_widgets_rendered()
        nb.screenshot("02-vnet-peering", explorer)


@pytest.mark.browser
def test_lesson_04_propagation_explorer_shows_vnet_to_vnet_following_and_site_to_site_stale(tmp_path):
    """The seed's point in a browser (facts S3): a new range reaches through VNet-to-VNet at once; through
    Site-to-Site only after the hand-typed local network gateway is edited."""
    with lesson_in_browser("notebooks/04-vnet-to-vnet-vs-site-to-site.ipynb", tmp_path) as nb:
        nb.run_all()
        explorer = nb.output_containing("button:has-text('Save LNG prefixes')")
        page = nb.page
        explorer.locator("input[placeholder='e.g. 10.22.0.0/16']").fill("10.22.0.0/16")
        explorer.locator("button", has_text="Add to vnet2").click()
        v2v = explorer.locator(".widget-html", has_text="VNet-to-VNet connection")
        s2s = explorer.locator(".widget-html", has_text="LNGs typed by hand")
        v2v.filter(has_text="10.22.0.4: Reachable").first.wait_for()
        assert "10.22.0.4: Dropped" in s2s.first.inner_text()
        nb.screenshot("04-propagation-stale", explorer)

        lng = explorer.locator(".widget-text", has=page.locator("label", has_text="lng-vnet2 prefixes")).locator("input")
        lng.fill("10.2.0.0/16, 10.22.0.0/16")
        explorer.locator("button", has_text="Save LNG prefixes").click()
        s2s.filter(has_text="10.22.0.4: Reachable").first.wait_for()
        nb.assert_widgets_rendered()
        nb.screenshot("04-propagation-lng-edited", explorer)


@pytest.mark.browser
@pytest.mark.parametrize("path, widgets", [
    ("notebooks/03-vpn-gateway.ipynb", True), ("notebooks/06-effective-routes.ipynb", True),
    ("exercises/03-vpn-gateway.ipynb", True), ("exercises/04-vnet-to-vnet-vs-site-to-site.ipynb", False),
    ("exercises/06-effective-routes.ipynb", False)])
def test_module_2_notebooks_run_and_render_in_the_browser(path, widgets, tmp_path):
    """Run All as a learner does: no error output (run_all fails on one), and the explorers' widgets render."""
    with lesson_in_browser(path, tmp_path) as nb:
        nb.run_all()
        if widgets:
            nb.output_containing(".jupyter-widgets")  # the explorers' front end loaded
        nb.assert_widgets_rendered()
        nb.screenshot(path.replace("/", "-").removesuffix(".ipynb"))


@pytest.mark.browser
def test_lesson_05_nat_rule_builder_refuses_a_bad_rule_inline_and_translates_with_a_good_one(tmp_path):
    """Facts §5.1/S5: a static rule needs equal-sized prefixes (shown inline, the widget keeps working); with a new
    external range for Branch1, a Branch1 host reaches the VNet translated into that range."""
    with lesson_in_browser("notebooks/05-overlap-and-nat.ipynb", tmp_path) as nb:
        nb.run_all()
        builder = nb.output_containing("button:has-text('Send a packet')")
        externals = builder.locator("input[placeholder='external, e.g. 192.168.1.0/24']")
        branch1 = externals.nth(1)
        assert branch1.input_value() == "192.168.2.0/24"
        branch1.fill("192.168.20.0/25")
        builder.locator("button", has_text="Apply").click()
        builder.locator(".vnetlab-error", has_text="equal-sized prefixes").wait_for()
        nb.screenshot("05-nat-builder-error", builder)

        branch1.fill("192.168.20.0/24")
        builder.locator("button", has_text="Apply").click()
        builder.get_by_text("Applied").wait_for()
        source = builder.get_by_label("From", exact=True)
        source.select_option(label=source.locator("option", has_text="Branch1").first.inner_text())
        destination = builder.locator("input[placeholder='destination address']")
        destination.fill("192.168.1.20")
        destination.press("Enter")
        builder.locator("caption, .widget-html", has_text=re.compile(r"receiver sees 192\.168\.20\.\d+ → 10\.0\.1\.20"))\
            .first.wait_for()
        nb.assert_widgets_rendered()
        nb.screenshot("05-nat-builder-translated", builder)


@pytest.mark.browser
@pytest.mark.parametrize("path", ["notebooks/07-encryption-paths.ipynb", "notebooks/08-network-security-groups.ipynb",
                                  "exercises/05-overlap-and-nat.ipynb", "exercises/07-encryption-paths.ipynb",
                                  "exercises/08-network-security-groups.ipynb"])
def test_module_3_notebooks_run_and_render_in_the_browser(path, tmp_path):
    with lesson_in_browser(path, tmp_path) as nb:
        nb.run_all()
        if path.startswith("notebooks/"):
            nb.output_containing(".jupyter-widgets")
        nb.assert_widgets_rendered()
        nb.screenshot(path.replace("/", "-").removesuffix(".ipynb"))


@pytest.mark.browser
def test_lesson_09_comparison_explorer_redraws_the_costs_when_the_volume_changes(tmp_path):
    """S12 in a browser: two VNets in one region, 1,000 GB a month → peering $20; typed 5,000 GB → $100 ($0.01 out +
    $0.01 in per GB), VNet-to-VNet stays $306.60 (two VpnGw1AZ, same-region data free); the cost chart follows."""
    with lesson_in_browser("notebooks/09-performance-and-cost.ipynb", tmp_path) as nb:
        nb.run_all()
        explorer = nb.output_containing("label:has-text('or type GB/month')")
        page = nb.page
        table = explorer.locator("table", has_text="Monthly cost").first
        table.filter(has_text="20.00 USD/month").wait_for()
        assert "306.60 USD/month" in table.inner_text()
        volume = explorer.locator(".widget-text", has=page.locator("label", has_text="or type GB/month")).locator("input")
        volume.fill("5000")
        volume.press("Enter")
        table.filter(has_text="100.00 USD/month").wait_for()
        assert "306.60 USD/month" in table.inner_text()
        try:
            explorer.locator(".js-plotly-plot .annotation-text", has_text="your volume: 5,000 GB").first.wait_for()
        except Exception as exc:  # a stale chart: say what each chart shows, and what plotly in the page holds
            shown = explorer.locator(".js-plotly-plot").evaluate_all(
                "els => els.map(e => ({drawn: [...e.querySelectorAll('.annotation-text')].map(a => a.textContent),"
                " held: ((e.layout || {}).annotations || []).map(a => a.text)}))")
            pytest.fail(f"the cost chart did not follow the volume: {shown}; JavaScript errors {nb.js_errors[:3]}; "
                        f"{exc}; screenshot {nb.screenshot('09-comparison-explorer-stale', explorer)}", pytrace=False)
        explorer.locator(".js-plotly-plot .annotation-text", has_text="break-even with VNet-to-VNet").first.wait_for()
        # the side-by-side bars: the options' names under the bars do not run into each other
        bars = explorer.locator(".js-plotly-plot", has=page.locator("text=The options side by side")).first
        ticks = bars.locator("g.xtick text, g.x2tick text, g.x3tick text").evaluate_all(
            "els => els.map(e => {const r = e.getBoundingClientRect(); return [e.textContent, r.left, r.right, r.top, r.bottom]})")
        assert len(ticks) == 9, ticks  # three options in three panels
        clashes = [(a[0], b[0]) for i, a in enumerate(ticks) for b in ticks[i + 1:]
                   if a[1] < b[2] - 1 and b[1] < a[2] - 1 and a[3] < b[4] - 1 and b[3] < a[4] - 1]
        assert not clashes, clashes
        nb.assert_widgets_rendered()
        nb.screenshot("09-comparison-explorer", explorer)


@pytest.mark.browser
def test_lesson_11_break_fix_lab_diagnoses_and_repairs_an_ike_mismatch(tmp_path):
    """The break-fix lab in a browser: pick the IKE mismatch, VPN troubleshoot reports IkePolicyMismatch (the fault
    type Network Watcher documents), a wrong repair leaves the symptom, the catalogue's repair fixes it."""
    with lesson_in_browser("notebooks/11-troubleshooting.ipynb", tmp_path) as nb:
        nb.run_all()
        lab = nb.output_containing("button:has-text('Draw the fault')")
        page = nb.page

        def choose(label: str, option: str) -> None:
            lab.locator(".widget-dropdown", has=page.locator("label", has_text=label)).locator("select") \
                .select_option(label=option)

        choose("Fault", "IKE/IPsec proposals do not match the on-premises device")
        lab.locator("button", has_text="Draw the fault").click()
        lab.get_by_text("The Site-to-Site connection is NotConnected").wait_for()
        choose("Tool", "VPN troubleshoot (the hub's gateway)")
        lab.locator("button", has_text="Run the tool").click()
        lab.locator("td", has_text="IkePolicyMismatch").first.wait_for()
        nb.screenshot("11-break-fix-evidence", lab)

        lab.locator(".widget-dropdown", has=page.locator("label", has_text="Repair")).locator("select") \
            .select_option(value=None, index=0)
        lab.locator("button", has_text="Apply the repair").click()
        lab.get_by_text("Not fixed").wait_for()
        repair = lab.locator(".widget-dropdown", has=page.locator("label", has_text="Repair")).locator("select")
        repair.select_option(label=repair.locator("option", has_text="ike_policy_mismatch:").first.inner_text())
        lab.locator("button", has_text="Apply the repair").click()
        lab.get_by_text("the symptom is gone and every flow that worked before the fault still works").wait_for()
        nb.assert_widgets_rendered()
        nb.screenshot("11-break-fix-fixed", lab)


@pytest.mark.browser
def test_exercise_11_runs_all_and_checks_in_the_browser(tmp_path):
    """Run All on the learner's exercise 11: givens and checks render, unanswered questions say so, no error."""
    with lesson_in_browser("exercises/11-troubleshooting.ipynb", tmp_path) as nb:
        nb.run_all()
        nb.output_containing(".vnetlab-feedback:has-text('No answer yet')")
        nb.assert_widgets_rendered()
        nb.screenshot("exercises-11-troubleshooting")


@pytest.mark.browser
def test_drill_app_in_voila_answers_a_question_and_shows_the_explanation_and_the_score(tmp_path):
    """`make drill`'s app: Voila serves notebooks/drills.ipynb; the learner answers the first question, sees the
    explanation (with its Microsoft source) and the score change at once, and the answer is saved."""
    browser_util.chromium_or_skip()  # before starting a server for nothing
    progress, port, token = tmp_path / "progress.json", browser_util.free_port(), "drill-test-token"
    env = browser_util.isolated_env(tmp_path / "home", VNETLAB_PROGRESS=str(progress), HOME=str(tmp_path / "home"))
    log = browser_util.ARTIFACTS / "drills-voila.log"
    cmd = browser_util.drill_server_command("--no-browser", f"--port={port}", "--Voila.port_retries=0",
                                            f"--token={token}")
    with browser_util.process_group(cmd, cwd=ROOT, env=env, log=log) as proc, \
            browser_util.chromium_page() as page:
        base = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + browser_util.STARTUP_TIMEOUT
        while browser_util.http_status(base + f"?token={token}") != 200:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Voila did not serve the drills:\n{browser_util.log_tail(log)}", pytrace=False)
            time.sleep(0.5)
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(base + f"?token={token}")
        submit = page.get_by_role("button", name="Submit answer")
        submit.wait_for()
        assert axe_violations(page) == []  # the whole app passes axe-core (no serious or critical violation)
        score = page.locator(".vnetlab-drill-score")
        assert "Score 0/0" in score.inner_text()
        assert "Question 1 of 10" in page.locator(".vnetlab-drill-question").inner_text()
        radios = page.locator(".widget-radio-box input[type=radio]")
        if radios.count():  # a choice question: pick the first choice
            radios.first.check()
        else:  # an open question: type an answer
            page.locator(".widget-text input[type=text]").first.fill("10.0.0.0/24")
        submit.click()
        feedback = page.locator(".vnetlab-drill-feedback")
        feedback.wait_for()
        assert re.search(r"✓ Correct|✗ Not quite", feedback.inner_text())
        assert feedback.locator("a[href^='https://learn.microsoft.com/']").count() >= 1
        page.locator(".vnetlab-drill-score", has_text="Score 0/1").or_(
            page.locator(".vnetlab-drill-score", has_text="Score 1/1")).wait_for()
        assert page.get_by_role("button", name="Next question").is_enabled()
        assert axe_violations(page) == []  # and with the explanation shown
        page.locator(".vnetlab-drill-question").evaluate("e => e.scrollIntoView({block: 'start'})")
        browser_util.ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(browser_util.ARTIFACTS / "drills-voila.png"))

        # explain it: a spoken-style answer, then the model answer and the checklist, self-assessed and saved
        page.get_by_role("checkbox", name=re.compile(r"^Explain it")).check()
        page.get_by_role("button", name="Start new drill").click()
        page.locator(".vnetlab-drill-question", has_text="explain it").wait_for()
        page.locator(".widget-textarea textarea").fill("Peering is not transitive, so spokes need a route table "
                                                      "through the hub appliance.")
        page.get_by_role("button", name="Show model answer").click()
        page.locator(".vnetlab-drill-model").wait_for()
        points = page.locator(".vnetlab-drill-points input[type=checkbox]")
        points.first.wait_for()
        assert points.count() >= 2
        assert axe_violations(page) == []  # the model answer and its checklist too
        points.first.check()
        page.get_by_role("button", name="Record self-check").click()
        page.locator(".vnetlab-drill-feedback", has_text="key points made").wait_for()
        page.screenshot(path=str(browser_util.ARTIFACTS / "drills-voila-explain.png"))
        assert not errors, f"JavaScript errors in the page: {errors[:3]}"
    attempts = json.loads(progress.read_text())["attempts"]
    assert len(attempts) == 2 and "points_met" not in attempts[0]
    assert attempts[1]["points_met"] >= 1 and attempts[1]["points_total"] >= attempts[1]["points_met"]


# --- without Chromium -----------------------------------------------------------------------------------------
def test_without_chromium_browser_tests_skip_and_say_why(monkeypatch, tmp_path):
    monkeypatch.setattr(browser_util, "CHROMIUM", tmp_path / "chromium")
    monkeypatch.delenv("VNETLAB_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="chromium is missing: install Debian's chromium"):
        browser_util.chromium_or_skip()


def test_without_chromium_browser_tests_fail_when_the_browser_is_required(monkeypatch, tmp_path):
    monkeypatch.setattr(browser_util, "CHROMIUM", tmp_path / "chromium")
    monkeypatch.setenv("VNETLAB_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="VNETLAB_REQUIRE_BROWSER=1"):
        browser_util.chromium_or_skip()


def test_any_skipped_browser_test_fails_when_the_browser_is_required(tmp_path):
    """conftest.py turns a skip of a ``browser`` test into a failure (e.g. one that checks for Chromium itself)."""
    shutil.copy(ROOT / "tests" / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    browser: drives a browser\n")
    (tmp_path / "test_it.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.browser\ndef test_browser():\n    pytest.skip('no browser here')\n\n"
        "def test_other():\n    pytest.skip('not a browser test')\n")
    results = {}
    for required in ("0", "1"):
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", str(tmp_path)],
                              cwd=tmp_path, capture_output=True, text=True, timeout=120,
                              env={**os.environ, "VNETLAB_REQUIRE_BROWSER": required})
        results[required] = done.stdout.splitlines()[-1]
    assert "2 skipped" in results["0"] and "failed" not in results["0"], results
    assert "1 failed, 1 skipped" in results["1"], results


@pytest.mark.browser
def test_lesson_02_predict_hides_the_result_until_the_learner_commits(tmp_path):
    # Predict, then reveal: after Run All the trace has run but is not on screen; committing a prediction shows
    # whether it was right, with the engine's reason, and then the trace.
    with lesson_in_browser("notebooks/02-vnet-peering.ipynb", tmp_path) as nb:
        nb.run_all()
        nb.assert_widgets_rendered()
        question = "Only vnet-a's link exists. Can vm-a reach vm-b?"
        box = nb.output_containing(f"text={question}")
        cell = nb.panel.locator(".jp-CodeCell", has=nb.page.locator(f"text={question}"))
        result = cell.locator("xpath=following-sibling::div[contains(@class,'jp-CodeCell')][1]")
        trace_caption = result.locator("text=Tcp 10.1.1.4 → 10.2.1.4")
        assert trace_caption.count() == 0 or not trace_caption.first.is_visible()
        nb.screenshot("02-predict-before-commit", box)
        box.locator("button", has_text="Dropped").click()
        box.locator("button", has_text="Commit my prediction").click()
        box.locator("text=Right.").wait_for()
        assert "a peering needs both links" in box.inner_text()
        trace_caption.first.wait_for(state="visible")
        nb.screenshot("02-predict-revealed", box)


@pytest.mark.browser
def test_lesson_01_address_map_zooms_to_the_part_in_use_and_shows_the_overlap(tmp_path):
    with lesson_in_browser("notebooks/01-address-spaces.ipynb", tmp_path) as nb:
        nb.run_all()
        figure = nb.output_containing("text=Zoomed to 10.20.0.0")
        assert figure.locator("text=overlap: 10.20.1.128 – 10.20.1.255").count() == 1
        nb.screenshot("01-address-map", figure)


TEXT_BOXES_JS = ("els => els.map(e => {const r = e.getBoundingClientRect(); "
                 "return [e.textContent, r.left, r.right, r.top, r.bottom]})")


@pytest.mark.browser
def test_lesson_06_route_table_fits_the_notebook_and_the_nva_is_drawn(tmp_path):
    """At JupyterLab's default width the route table's last column (Origin) is on screen in full, and the topology of
    the NVA experiment draws the appliance and names it in the legend."""
    with lesson_in_browser("notebooks/06-effective-routes.ipynb", tmp_path) as nb:
        nb.page.set_viewport_size({"width": 1280, "height": 1000})
        nb.run_all()
        table = nb.output_containing("text=Effective routes of a/app: 10.2.0.1")
        visible = table.evaluate("e => {const r = e.getBoundingClientRect(); return [r.left, r.right]}")
        texts = table.locator(".table text").evaluate_all(TEXT_BOXES_JS)
        header = next(t for t in texts if t[0].strip() == "Origin")
        origin = [t for t in texts if t[1] >= header[1] - 1 and t[0].strip()]
        assert len(origin) > 5, origin  # the header and the cells of the column
        cut = [t for t in origin if t[2] > visible[1] + 0.5]
        assert not cut, f"Origin text beyond the output's right edge {visible[1]:.0f}px: {cut[:3]}"
        figure = nb.output_containing("text=Network virtual appliance, NVA")
        assert figure.locator("path.point").count() > 0
        nb.screenshot("06-route-table-and-nva", figure)
