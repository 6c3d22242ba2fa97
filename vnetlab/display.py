"""Small HTML helpers so results display themselves in a notebook (``_repr_html_``), as a DataFrame does."""
from __future__ import annotations

import textwrap
from abc import ABC, abstractmethod
from dataclasses import fields
from html import escape
from typing import Iterable, Sequence


# Greyed rows' text: #666 on white is 5.7:1, above WCAG AA's 4.5:1 for small text (#777, 4.47:1, fell short).
DIM = "#666"


def html_table(headers: Sequence[str], rows: Iterable[Sequence[object]], *, highlight: Iterable[int] = (),
               dim: Iterable[int] = (), caption: str = "") -> str:
    """A plain, readable HTML table. Rows in ``highlight`` are bold; rows in ``dim`` are greyed (e.g. Invalid routes)."""
    hi, lo = set(highlight), set(dim)
    out = ['<table class="vnetlab-table" style="border-collapse:collapse;font-size:13px">']
    if caption:
        out.append(f'<caption style="text-align:left;font-weight:bold;padding:4px 0">{escape(caption)}</caption>')
    out.append("<thead><tr>" + "".join(
        f'<th style="text-align:left;padding:3px 8px;border-bottom:1px solid #888">{escape(str(h))}</th>'
        for h in headers) + "</tr></thead><tbody>")
    for i, row in enumerate(rows):
        style = "font-weight:bold;background:#fff3c4;" if i in hi else (f"color:{DIM};" if i in lo else "")
        cells = "".join(f'<td style="padding:3px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top">{escape("" if c is None else str(c))}</td>'
                        for c in row)
        out.append(f'<tr style="{style}">{cells}</tr>')
    out.append("</tbody></table>")
    return "".join(out)


TEXT_WIDTH = 100  # a plain-text table fits a terminal or a notebook's print() output without wrapping
WORD_MAX = 30  # words up to this long stay whole (Azure names such as AllowAzureLoadBalancerInBound); longer ones
#                (URLs) may be split


def text_table(headers: Sequence[str], rows: Iterable[Sequence[object]], *, width: int = TEXT_WIDTH) -> str:
    """The same table as plain text (for ``print`` and terminals), at most ``width`` columns wide.

    When the cells do not fit, the widest columns are narrowed and their cells wrapped onto continuation lines,
    so a long "Why" or "Detail" column stays in its column instead of folding the whole table."""
    data = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in data) for i in range(len(headers))]
    gap = 2 * (len(widths) - 1)
    floors = [max(len(data[0][i]), min(WORD_MAX, max(len(word) for r in data for word in r[i].split() or [""])))
              for i in range(len(widths))]  # words stay whole: VirtualNetworkGateway is never split
    while sum(widths) + gap > width:  # narrow the widest column, never below the next widest or its floor
        order = sorted(range(len(widths)), key=widths.__getitem__, reverse=True)
        widest = next((i for i in order if widths[i] > floors[i]), None)
        if widest is None:
            break  # nothing left to narrow: the table stays wider than ``width``
        runner_up = max([widths[i] for i in order if i != widest] + [floors[widest]])
        excess = sum(widths) + gap - width
        widths[widest] = max(floors[widest], runner_up if widths[widest] > runner_up else widths[widest] - 1,
                             widths[widest] - excess)
    lines: list[str] = []
    for n, row in enumerate(data):
        wrapped = [textwrap.wrap(cell, w, break_on_hyphens=False) or [""] for cell, w in zip(row, widths)]
        for k in range(max(len(c) for c in wrapped)):
            lines.append("  ".join((c[k] if k < len(c) else "").ljust(w) for c, w in zip(wrapped, widths)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


class ResultList(list, ABC):
    """A list of results of one kind that displays as one table (a filtered view, several traces).

    Subclasses say how: ``HEADERS``, ``row(item)`` and a ``caption``. It stays a plain ``list`` for code."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self, items: Iterable = (), caption: str = "") -> None:
        super().__init__(items)
        self.caption = caption

    @staticmethod
    @abstractmethod
    def row(item) -> Sequence[object]:
        """One item's cells, in the order of ``HEADERS``."""

    def _dim(self) -> list[int]:
        return []

    def _repr_html_(self) -> str:
        if not self:
            return f"<p><i>{escape(self.caption or 'Nothing')}: none.</i></p>"
        return html_table(self.HEADERS, [self.row(x) for x in self], dim=self._dim(), caption=self.caption)

    def __str__(self) -> str:
        if not self:
            return f"{self.caption or 'Nothing'}: none."
        head = f"{self.caption}\n" if self.caption else ""
        return head + text_table(self.HEADERS, [self.row(x) for x in self])

    def _repr_pretty_(self, p, cycle: bool) -> None:  # IPython's plain-text display, where HTML is not shown
        p.text(str(self))


class FieldsTable:
    """A mixin for settings-like dataclasses: they display as a two-column table (setting, value), in Azure's
    order of fields, instead of ``Name(field=value, ...)``."""

    def _field_rows(self) -> list[tuple[str, str]]:
        def shown(value: object) -> str:
            if isinstance(value, (tuple, list, set, frozenset)):
                return ", ".join(map(str, value)) or "(none)"
            return "(none)" if value is None else str(value)
        return [(f.name, shown(getattr(self, f.name))) for f in fields(self) if f.repr]

    def _repr_html_(self) -> str:
        return html_table(("Setting", "Value"), self._field_rows(), caption=type(self).__name__)

    def __str__(self) -> str:
        return f"{type(self).__name__}\n" + text_table(("Setting", "Value"), self._field_rows())

    def _repr_pretty_(self, p, cycle: bool) -> None:
        p.text(str(self))


class Text(str):
    """Plain text that displays as a block, as ``print`` would show it (for results gathered line by line)."""

    def _repr_html_(self) -> str:
        return f'<pre style="margin:2px 0;white-space:pre-wrap">{escape(self)}</pre>'

    def _repr_pretty_(self, p, cycle: bool) -> None:
        p.text(str(self))
