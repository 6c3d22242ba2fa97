"""Results display themselves: a learner never reads a Python repr, and a printed table fits 100 columns."""
from __future__ import annotations

from pathlib import Path

import pytest

import vnetlab as vl
from vnetlab.display import text_table


@pytest.fixture(scope="module")
def net() -> vl.Network:
    return vl.load_scenario("hub-spoke-onprem")


def test_a_filtered_view_of_routes_is_a_table_with_the_why_column(net) -> None:
    routes = net.effective_routes("spoke1", "app")
    view = routes.where(source="VirtualNetworkGateway")
    assert list(view) == [r for r in routes if r.source == "VirtualNetworkGateway"] and view
    html = view._repr_html_()
    assert "<table" in html and "Why" in html and "Route(" not in html
    assert "Route(" not in str(view) and "VirtualNetworkGateway" in str(view)


def test_where_names_an_unknown_field(net) -> None:
    with pytest.raises(vl.VnetlabError, match="colour"):
        net.effective_routes("spoke1", "app").where(colour="red")


def test_one_route_and_a_found_list_display_as_tables(net) -> None:
    routes = net.effective_routes("spoke1", "app")
    route = routes.lookup("192.168.1.10")
    assert "<table" in route._repr_html_() and "Route(" not in str(route)
    found = routes.find(route.prefix)
    assert "<table" in found._repr_html_() and route.prefix in str(found)


def test_a_printed_trace_fits_100_columns_and_keeps_every_word(net) -> None:
    trace = net.trace("vm-spoke1", "192.168.1.10")
    text = str(trace)
    assert max(len(line) for line in text.splitlines()) <= 100
    for hop in trace.hops:  # wrapping moves words to continuation lines, it never drops one
        for word in hop.detail.split():
            assert word in text


def test_a_list_of_traces_is_one_table(net) -> None:
    traces = vl.TraceList([net.trace("vm-spoke1", "192.168.1.10"), net.trace("vm-spoke1", "8.8.8.8")])
    assert "Trace(" not in str(traces) and traces._repr_html_().count("<tr") == 3  # header + two packets


def test_text_table_wraps_long_cells_inside_their_column() -> None:
    rows = [("a", "word " * 40), ("VirtualNetworkGateway", "short")]
    lines = text_table(("Name", "Text"), rows, width=60).splitlines()
    assert max(map(len, lines)) <= 60 and "VirtualNetworkGateway" in "\n".join(lines)
    assert len(lines) > 4  # the long cell took continuation lines


EMOJI = "[\U0001F000-\U0001FFFF\uFE0F]"


def _emoji_in_text(text: str) -> list[str]:
    import re

    return re.findall(EMOJI, text)


def _emoji_in(paths) -> list[str]:
    import re

    root = Path(vl.__file__).resolve().parents[1]
    return [f"{p.relative_to(root)}: {m.group(0)!r}" for p in paths
            for m in re.finditer(EMOJI, p.read_text(encoding="utf-8"))]


def test_no_text_needs_an_emoji_font() -> None:
    # Without an emoji font (a plain Linux desktop, many JupyterHubs) 🔒 and friends show as empty boxes; the
    # course marks things with words, shapes, and glyphs DejaVu Sans has (✓ ✗ ⚠ ◀).
    root = Path(vl.__file__).resolve().parents[1]
    files = [*(root / "vnetlab").rglob("*.py"), *(root / "vnetlab").rglob("*.yaml"),
             *sorted((root / "notebooks").glob("*.ipynb"))]
    assert not _emoji_in(files)


def test_a_grader_hint_is_marked_by_a_word_not_an_emoji() -> None:
    from vnetlab.grading.notebook import Hint

    html = Hint("Count the addresses Azure reserves.")._repr_html_()
    assert "<b>Hint:</b> Count the addresses Azure reserves." in html and not _emoji_in_text(html)


@pytest.mark.parametrize("prefix, words", [("169.254.0.0/16", "169.254.0.0/16 is 169.254.0.0/16 (link-local)"),
                                           ("169.254.1.0/24", "lies inside 169.254.0.0/16"),
                                           ("169.0.0.0/8", "contains 169.254.0.0/16")])
def test_a_refused_range_is_described_as_it_sits(prefix, words) -> None:
    with pytest.raises(vl.VnetlabError) as err:
        vl.Network("n").add_vnet("v", [prefix], region="westeurope")
    assert words in str(err.value) and "overlaps 169.254.0.0/16" not in str(err.value)
