"""Shared test set-up. The markers (``browser``, ``notebooks``) are registered in pyproject.toml.

With ``VNETLAB_REQUIRE_BROWSER=1`` (set by ``.ci/run``) a ``browser`` test may not skip: a skip is reported
as a failure, whatever the reason the test gave (no Chromium, no Playwright, ...). ``VNETLAB_REQUIRE_SANDBOX=1``
(also set by ``.ci/run``) does the same for grading: the grading tests run in bubblewrap or fail
(``tests/grading_support.py``).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
# The figures skip plotly's property checks for speed (vnetlab.plots.build_figure); the tests, and the kernels they
# start, check every property, so a misspelt one fails here rather than vanishing in the browser.
os.environ["VNETLAB_VALIDATE_FIGURES"] = "1"
# The learner's own records (drill history, lesson predictions, exercise checks) live in their home; a test run, and the kernels it
# starts, never reads or writes those: both point into a folder of this run's own.
_RECORDS = Path(tempfile.mkdtemp(prefix="vnetlab-test-records-"))
os.environ["VNETLAB_PROGRESS"] = str(_RECORDS / "drill-progress.json")
os.environ["VNETLAB_PREDICTIONS"] = str(_RECORDS / "lesson-predictions.json")
os.environ["VNETLAB_CHECKS"] = str(_RECORDS / "exercise-checks.json")


def pytest_unconfigure(config) -> None:
    shutil.rmtree(_RECORDS, ignore_errors=True)  # this run's records go with it


def browser_required() -> bool:
    return os.environ.get("VNETLAB_REQUIRE_BROWSER") == "1"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository's root folder."""
    return ROOT


def pytest_report_header(config) -> str:
    found = "found" if CHROMIUM.exists() else "missing"
    from vnetlab.grading.sandbox import bwrap_problem

    sandbox = bwrap_problem() or "bubblewrap runs"
    return (f"browser tests: {CHROMIUM} {found}; VNETLAB_REQUIRE_BROWSER={'1' if browser_required() else 'unset'}\n"
            f"grading sandbox: {sandbox}; VNETLAB_REQUIRE_SANDBOX={os.environ.get('VNETLAB_REQUIRE_SANDBOX', 'unset')}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if (report.skipped and browser_required() and item.get_closest_marker("browser") is not None
            and not hasattr(report, "wasxfail")):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"browser test skipped, and VNETLAB_REQUIRE_BROWSER=1 forbids that: {reason}"


# The engine keeps a few pure results once computed (parsed default IPsec offers, prefix spans, parsed text addresses,
# the default NSG rules, the SKU catalogue). Under `make mutation` every mutant runs in a process forked after the
# clean run, whose caches already hold the unmutated results: a mutant in a cached function would then go unnoticed.
# So under mutmut (which sets MUTANT_UNDER_TEST) each test starts with those caches empty.
_MUTATION = "MUTANT_UNDER_TEST" in os.environ


@pytest.fixture(autouse=_MUTATION)
def _engine_caches_empty():
    from vnetlab import gateway, ipsec, nsg, routes

    for cached in (ipsec.default_offers, ipsec._known, routes.span, nsg._port_limits, nsg.default_rules,
                   nsg._not_public, gateway.catalog):
        cached.cache_clear()
    routes._QUADS.clear()
    yield
