"""The simulation report: a self-contained HTML file (plotly.js embedded: hospital networks are
offline) with the KPI table and charts, and the same charts as a PNG (matplotlib)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .replications import Interval, summarise

CHART_TITLES = ("Utilisation by location", "Utilisation by specialty", "Late cancellations by reason",
                "Waiting time and deadline breaches by specialty", "Overtime per session (minutes)")


def _mean_dict(dicts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    keys = sorted({k for d in dicts for k in d})
    return {k: sum(float(d.get(k, 0.0)) for d in dicts) / len(dicts) for k in keys}


def _chart_data(results: Sequence[dict[str, Any]], policy: str) -> dict[str, Any]:
    runs = [r for r in results if r["policy"] == policy]
    by_loc = {k: sum(r["by_location"].get(k, {}).get("in_room", 0.0) for r in runs) / len(runs)
              for k in runs[0]["by_location"]}
    by_loc_t = {k: sum(r["by_location"].get(k, {}).get("with_turnover", 0.0) for r in runs) / len(runs)
                for k in runs[0]["by_location"]}
    by_spec = {k: sum(r["by_specialty"].get(k, {}).get("in_room", 0.0) for r in runs) / len(runs)
               for k in runs[0]["by_specialty"]}
    waits: dict[str, list[float]] = {}
    breaches: dict[str, float] = {}
    for r in runs:
        for row in r["waiting_by"]:
            waits.setdefault(row["specialty"], []).append(row["mean_wait_days"])
            share = row["deadline_breaches"] / len(runs)
            breaches[row["specialty"]] = breaches.get(row["specialty"], 0) + share
    return {"by_location": by_loc, "by_location_turnover": by_loc_t, "by_specialty": by_spec,
            "late": _mean_dict([r["late_by_reason"] for r in runs]),
            "wait": {k: sum(v) / len(v) for k, v in sorted(waits.items())}, "breaches": breaches,
            "overtime": [o for r in runs for o in r["overtime"]]}


def _fmt(value: float) -> str:
    return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.0f}"


def _cell(iv: Interval) -> str:
    if iv.n == 1:
        return _fmt(iv.mean)
    return f"{_fmt(iv.mean)} <small>[{_fmt(iv.low)}, {_fmt(iv.high)}]</small>"


def write_html(path: Path, results: Sequence[dict[str, Any]], policies: Sequence[str], title: str) -> None:
    import plotly.graph_objects as go  # deferred: heavy (plotly)
    from plotly.offline import get_plotlyjs

    table = summarise(results, policies)
    columns = list(policies) + (["difference"] if "difference" in table else [])
    rows = "".join(f"<tr><td>{html.escape(k)}</td>"
                   + "".join(f"<td>{_cell(table[c][k])}</td>" for c in columns)
                   + "</tr>" for k in table[policies[0]])
    figures = []
    data = {p: _chart_data(results, p) for p in policies}
    fig = go.Figure([go.Bar(name=f"{p} in room", x=list(d["by_location"]), y=list(d["by_location"].values()))
                     for p, d in data.items()]
                    + [go.Bar(name=f"{p} with turnover", x=list(d["by_location_turnover"]),
                              y=list(d["by_location_turnover"].values())) for p, d in data.items()])
    figures.append((CHART_TITLES[0], fig))
    figures.append((CHART_TITLES[1], go.Figure([go.Bar(name=p, x=list(d["by_specialty"]),
                                                       y=list(d["by_specialty"].values()))
                                                for p, d in data.items()])))
    figures.append((CHART_TITLES[2], go.Figure([go.Bar(name=p, x=list(d["late"]), y=list(d["late"].values()))
                                                for p, d in data.items()])))
    figures.append((CHART_TITLES[3], go.Figure(
        [go.Bar(name=f"{p} mean wait (days)", x=list(d["wait"]), y=list(d["wait"].values()))
         for p, d in data.items()]
        + [go.Scatter(name=f"{p} deadline breaches", x=list(d["breaches"]), y=list(d["breaches"].values()),
                      mode="markers", yaxis="y2") for p, d in data.items()])))
    figures[-1][1].update_layout(yaxis2={"overlaying": "y", "side": "right", "title": "breaches"})
    figures.append((CHART_TITLES[4], go.Figure([go.Histogram(name=p, x=[o for o in d["overtime"] if o > 0],
                                                             opacity=0.6) for p, d in data.items()])))
    parts = []
    for name, figure in figures:
        figure.update_layout(title=name, barmode="group", height=420, margin={"t": 50, "b": 40})
        parts.append(figure.to_html(full_html=False, include_plotlyjs=False))
    seeds = sorted({r["seed"] for r in results})
    page = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<script>{get_plotlyjs()}</script>
<style>body{{font-family:sans-serif;margin:2em;max-width:1200px}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}}td:first-child{{text-align:left}}</style>
</head><body><h1>{html.escape(title)}</h1>
<p>Seeds {seeds} ({len(seeds)} replication(s)); values are means, with 95 % intervals over replications
in brackets; "difference" is {html.escape(policies[-1])} minus {html.escape(policies[0])}, paired by seed
(common random numbers).</p>
<table><tr><th>KPI</th>{''.join(f'<th>{html.escape(c)}</th>' for c in columns)}</tr>{rows}</table>
{''.join(parts)}</body></html>"""
    path.write_text(page, encoding="utf-8")


def write_png(path: Path, results: Sequence[dict[str, Any]], policies: Sequence[str], title: str) -> None:
    import matplotlib  # deferred: heavy (matplotlib)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # deferred: heavy (matplotlib)

    data = {p: _chart_data(results, p) for p in policies}
    fig, axes = plt.subplots(2, 3, figsize=(18, 9))
    width = 0.8 / len(policies)
    for i, (p, d) in enumerate(data.items()):
        for ax, key in ((axes[0][0], "by_location"), (axes[0][1], "by_specialty"), (axes[0][2], "late"),
                        (axes[1][0], "wait"), (axes[1][1], "breaches")):
            labels = list(d[key])
            ax.bar([x + i * width for x in range(len(labels))], list(d[key].values()), width, label=p)
            ax.set_xticks([x + width * (len(policies) - 1) / 2 for x in range(len(labels))], labels,
                          rotation=45, fontsize=8)
        axes[1][2].hist([o for o in d["overtime"] if o > 0], bins=30, alpha=0.6, label=p)
    names = ("Utilisation in room by location", "Utilisation in room by specialty",
             "Late cancellations by reason",
             "Mean wait (days) by specialty", "Deadline breaches by specialty", "Overtime per session (min)")
    for ax, name in zip(axes.flat, names, strict=True):
        ax.set_title(name, fontsize=10)
        ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
