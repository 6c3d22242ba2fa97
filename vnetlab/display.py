"""Small HTML helpers so results display themselves in a notebook (``_repr_html_``), as a DataFrame does."""
from __future__ import annotations

from html import escape
from typing import Iterable, Sequence


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
        style = "font-weight:bold;background:#fff3c4;" if i in hi else ("color:#777;" if i in lo else "")
        cells = "".join(f'<td style="padding:3px 8px;border-bottom:1px solid #ddd">{escape("" if c is None else str(c))}</td>'
                        for c in row)
        out.append(f'<tr style="{style}">{cells}</tr>')
    out.append("</tbody></table>")
    return "".join(out)


def text_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The same table as plain text (for ``repr`` and terminals)."""
    data = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in data) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in data]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
