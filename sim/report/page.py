"""One self-contained HTML page: sections of text, tables and plotly figures.

plotly.js is embedded once in the page, so a report opens offline (no CDN) and can be
mailed as one file."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#1f2933}
header{background:#12355b;color:#fff;padding:18px 32px}
header h1{margin:0 0 6px 0;font-size:24px} header p{margin:2px 0;font-size:14px;opacity:.9}
main{padding:8px 32px 40px 32px;max-width:1280px}
h2{border-bottom:2px solid #12355b;padding-bottom:4px;margin-top:34px}
table{border-collapse:collapse;margin:10px 0;font-size:14px}
th,td{border:1px solid #cbd2d9;padding:4px 10px;text-align:right}
th{background:#f0f4f8} td.l,th.l{text-align:left}
.met{background:#d7f5dd;color:#0b6b1f;font-weight:600}
.missed{background:#fde2e1;color:#a61b1b;font-weight:600}
.uncertain{background:#fff4d6;color:#8a5a00;font-weight:600}
.warn{background:#fff4d6;border-left:5px solid #e0a100;padding:8px 12px;margin:6px 0}
.note{color:#52606d;font-size:13px} code{background:#f0f4f8;padding:1px 4px}
.plot{margin:8px 0 18px 0}
.answer{font-size:19px;font-weight:600;color:#12355b;margin:18px 0 10px 0}
"""


class Page:
    """A report under construction; ``render`` returns the finished HTML text."""

    def __init__(self, title: str, subtitle: Sequence[str] = ()):
        self.title = title
        self.subtitle = list(subtitle)
        self.parts: list[str] = []
        self.n_figures = 0

    def heading(self, text: str) -> None:
        self.parts.append(f"<h2>{html.escape(text)}</h2>")

    def text(self, text: str, cls: str = "") -> None:
        attr = f' class="{cls}"' if cls else ""
        self.parts.append(f"<p{attr}>{html.escape(text)}</p>")

    def warnings(self, messages: Iterable[str]) -> None:
        for m in messages:
            self.parts.append(f'<div class="warn">&#9888; {html.escape(m)}</div>')

    def table(self, header: Sequence[str], rows: Iterable[Sequence], left: int = 1,
              classes: Iterable[str | None] | None = None) -> None:
        """Rows of already formatted cells; ``classes`` marks each row's last cell."""
        classes = list(classes) if classes is not None else None
        out = ["<table><tr>" + "".join(
            f'<th{" class=l" if i < left else ""}>{html.escape(str(h))}</th>'
            for i, h in enumerate(header)) + "</tr>"]
        for r, row in enumerate(rows):
            cells = []
            for i, c in enumerate(row):
                cls: str | None = "l" if i < left else ""
                if classes and i == len(row) - 1 and classes[r]:
                    cls = classes[r]
                cells.append(f'<td class="{cls}">{html.escape(str(c))}</td>')
            out.append("<tr>" + "".join(cells) + "</tr>")
        self.parts.append("".join(out) + "</table>")

    def figure(self, fig, caption: str | None = None) -> None:
        self.n_figures += 1
        fig.update_layout(template="plotly_white", margin={"t": 60, "b": 50, "l": 70, "r": 30})
        div = fig.to_html(full_html=False, include_plotlyjs=False,
                          div_id=f"fig{self.n_figures}",
                          config={"displaylogo": False, "responsive": True})
        self.parts.append(f'<div class="plot">{div}</div>')
        if caption:
            self.text(caption, "note")

    def render(self) -> str:
        from plotly.offline import get_plotlyjs

        sub = "".join(f"<p>{html.escape(s)}</p>" for s in self.subtitle)
        return ("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
                f"<title>{html.escape(self.title)}</title><style>{CSS}</style>"
                f"<script>{get_plotlyjs()}</script></head><body>"
                f"<header><h1>{html.escape(self.title)}</h1>{sub}</header><main>"
                + "\n".join(self.parts) + "</main></body></html>\n")


def fmt(value, kind: str = "num") -> str:
    """A KPI value for a table: rates as %, seconds with one decimal, counts with commas."""
    import math

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if kind == "pct":
        return f"{100 * value:.1f}%"
    if kind == "s":
        return f"{value:.1f} s"
    if kind == "count":
        return f"{value:,.0f}"
    if kind == "money":
        return f"{value:,.2f}"
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
