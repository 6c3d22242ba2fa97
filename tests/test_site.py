"""The course website (``make site``): one static folder with every lesson as a page (executed outputs, plotly
figures drawn in the page, widgets as stills) and the JupyterLite lab under it, served on 127.0.0.1 and opened in
Chromium with every other host blocked. Every page: no broken internal link, no console error, its figures drawn,
no serious or critical axe-core violation; the search finds a lesson; a lesson's launch button opens the lab.

Slow (the lessons are executed, then the pages built): marked ``lite`` and ``browser`` with the other web-delivery
tests. The JupyterLite site is the one ``make lite`` builds (reused, not rebuilt); the executed lessons are cached
in build/site-cache.
"""
from __future__ import annotations

import functools
import importlib.util
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from browser_util import ROOT
from lite_util import axe_violations, chromium_or_skip, npm_or_skip, offline_page, serve, wait_for_kernel

pytestmark = [pytest.mark.lite, pytest.mark.browser]

SITE = ROOT / "build" / "site"
LESSONS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))


def website_builder():
    spec = importlib.util.spec_from_file_location("vnetlab_website_build", ROOT / "website" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def site() -> Path:
    chromium_or_skip()
    if not (ROOT / "lite" / "node_modules" / "pyodide").is_dir():
        npm_or_skip()
    return website_builder().build(SITE)


@pytest.fixture(scope="module")
def base_url(site):
    with serve(site) as url:
        yield url


def pages(site: Path) -> list[Path]:
    """The website's own pages (the lab under lite/ is JupyterLite's)."""
    return sorted(p for p in site.rglob("*.html") if p.relative_to(site).parts[0] not in ("lite", "_static"))


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str]] = []  # (tag, url)
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name):
                self.refs.append((tag, attrs[name]))


@functools.lru_cache(maxsize=None)
def parse(path: Path) -> _Refs:
    parser = _Refs()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_one_folder_holds_every_lesson_the_search_index_and_the_lab(site):
    for lesson in LESSONS:
        assert (site / "notebooks" / f"{lesson}.html").is_file(), lesson
    assert (site / "index.html").is_file() and (site / "concepts.html").is_file()
    assert (site / "search.html").is_file() and (site / "searchindex.js").is_file()
    assert (site / "lite" / "lab" / "index.html").is_file() and (site / "lite" / "jupyter-lite.json").is_file()
    assert not (site / "lite" / "files" / "solutions").exists()


def test_no_page_loads_anything_from_another_host_and_every_internal_link_leads_somewhere(site):
    """Read from the files: scripts, styles and images are the site's own; a link inside the site names a file
    that exists and, with a #fragment, an element of that page."""
    broken, remote = [], []
    for page in pages(site):
        found = parse(page)
        for tag, url in found.refs:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") or url.startswith("//"):
                if tag != "a":
                    remote.append(f"{page.relative_to(site)}: <{tag}> {url}")
                continue
            if parts.scheme in ("mailto", "data", "javascript"):
                continue
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file() or not target.is_relative_to(site.resolve()):
                broken.append(f"{page.relative_to(site)}: {url}")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in parse(target).ids:
                broken.append(f"{page.relative_to(site)}: {url} (no #{parts.fragment})")
    assert remote == [], remote[:10]
    assert broken == [], broken[:10]


def test_each_lesson_page_has_its_launch_buttons(site):
    for lesson in LESSONS:
        text = (site / "notebooks" / f"{lesson}.html").read_text(encoding="utf-8")
        lite = re.search(r'href="(\.\./lite/lab/index\.html\?path=notebooks/[^"]+)"[^>]*>\s*Launch in JupyterLite',
                         text.replace("&amp;", "&"))
        assert lite and f"notebooks/{lesson}.ipynb" in unquote(lite.group(1)), lesson
        assert (site / "lite" / "files" / "notebooks" / f"{lesson}.ipynb").is_file(), lesson
        assert "Launch on Binder" in text and "mybinder.org/v2/gh/" in text, lesson


# Drawn figures on the page: plotly's root element with its data and an SVG drawing.
PAGE_STATE = """() => ({
  figures: document.querySelectorAll('.vnetlab-figure').length,
  drawn: Array.from(document.querySelectorAll('.vnetlab-figure .js-plotly-plot'))
           .filter(e => e.data && e.data.length && e.querySelector('svg.main-svg')).length,
  stills: document.querySelectorAll('.vnetlab-widget-still').length,
  still_figures: document.querySelectorAll('.vnetlab-widget-still .vnetlab-figure .js-plotly-plot').length,
  title: document.title,
})"""


def test_every_page_opens_offline_with_figures_drawn_no_console_error_and_no_serious_axe_violation(site, base_url):
    report = {}
    with offline_page() as offline:
        page = offline.page
        page_errors: list[str] = []
        page.on("pageerror", lambda error: page_errors.append(str(error)))
        for path in pages(site):
            name = path.relative_to(site).as_posix()
            page.goto(urljoin(base_url, name))
            page.wait_for_load_state("load")
            state = page.evaluate(PAGE_STATE)
            if state["figures"]:
                page.wait_for_function(f"() => ({PAGE_STATE})().drawn === {state['figures']}", timeout=60_000)
                state = page.evaluate(PAGE_STATE)
            state["axe"] = axe_violations(page)
            report[name] = state
        assert offline.blocked == [] and offline.failed == [], (offline.blocked[:5], offline.failed[:5])
        assert offline.console_errors == [] and page_errors == [], (offline.console_errors[:5], page_errors[:5])
    assert {name: state["axe"] for name, state in report.items() if state["axe"]} == {}
    assert {name: state for name, state in report.items() if state["drawn"] != state["figures"]} == {}
    lessons = {name: state for name, state in report.items() if name.startswith("notebooks/")}
    assert len(lessons) == len(LESSONS)
    # the lessons show figures, and the widget lessons their stills: lesson 02's peering explorer with the figure
    # its FigureWidget showed when the lesson ran
    assert sum(state["figures"] for state in lessons.values()) >= len(LESSONS) // 2, lessons
    assert lessons["notebooks/02-vnet-peering.html"]["stills"] >= 1
    assert lessons["notebooks/02-vnet-peering.html"]["still_figures"] >= 1
    assert lessons["notebooks/00-start-here.html"]["figures"] >= 1


def test_the_search_finds_a_lesson_by_a_word_of_its_text(base_url):
    with offline_page() as offline:
        offline.page.goto(urljoin(base_url, "search.html?q=GatewaySubnet"))
        result = offline.page.locator("#search-results a[href*='notebooks/03-vpn-gateway']")
        result.first.wait_for(timeout=60_000)
        assert offline.blocked == []


def test_a_lessons_launch_button_opens_it_in_the_lab_under_the_site(base_url):
    with offline_page() as offline:
        page = offline.page
        page.goto(urljoin(base_url, "notebooks/02-vnet-peering.html"))
        page.get_by_role("link", name="Launch in JupyterLite").click()
        page.wait_for_function("""() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
            return !!(w && w.context && w.context.path === 'notebooks/02-vnet-peering.ipynb'); }""", polling=500)
        wait_for_kernel(page)
        assert "/lite/lab/" in page.url
        offline.screenshot("site-launch-02-vnet-peering")
        assert offline.blocked == []
