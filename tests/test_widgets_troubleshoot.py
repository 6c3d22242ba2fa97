"""The break-fix lab of lesson 11, without a browser: the symptom never names the cause, every tool answers, a wrong
repair leaves the symptom, the right one fixes it, and mistakes show inline (the explorer keeps working)."""
from __future__ import annotations

from html import escape

import pytest

from vnetlab.troubleshoot import catalogue
from vnetlab.widgets import BreakFixLab
from vnetlab.widgets.break_fix_lab import TOOLS, BreakFixSession

FAULTS = [f.id for f in catalogue()]


@pytest.mark.parametrize("fault_id", FAULTS)
def test_symptom_tools_and_repair(fault_id):
    s = BreakFixSession(5)
    s.draw(fault_id)
    f = next(x for x in catalogue() if x.id == fault_id)
    text = s.symptom_html()
    assert fault_id not in text and escape(f.title) not in text and escape(f.cause) not in text
    outputs = {tool: s.run(tool) for _, tool in TOOLS}
    assert all(outputs.values())
    wrong = next(x for x in FAULTS if x != fault_id)
    outcome = s.apply(wrong)
    assert not outcome.fixed and outcome.left and "Not fixed" in outcome.html()
    outcome = s.apply(fault_id)
    assert outcome.fixed and "Fixed" in outcome.html()
    assert escape(f.title) in s.reveal()


def test_random_draws_vary_and_the_widget_reports_errors_inline():
    s = BreakFixSession(0)
    drawn = {s.draw().faults for _ in range(30)}
    assert len(drawn) >= 6
    lab = BreakFixLab(2)
    assert "Reported" in lab.symptom.value
    lab.fault.value = "ike_policy_mismatch"
    lab._on_draw()
    lab.tool.value = "vpn_troubleshoot"
    lab._on_run()
    assert "IkePolicyMismatch" in lab.output.value
    lab.repair.value = "ike_policy_mismatch"
    lab._on_apply()
    assert "Fixed" in lab.result.value
    lab.session.incident = None
    lab._on_run()
    assert "Draw a fault first" in lab.errors.value   # shown in the box, no exception
