"""The simulation report: a self-contained HTML file (plotly.js embedded: hospital networks are
offline) with the KPI table and charts, and the same charts as a PNG (matplotlib)."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from kontrolltarn.kpi import format_interval, format_value, label
from kontrolltarn.present import colour_map, mpl_count_axis, plotly_count_axis, plotly_separators

from .replications import Interval, interval, summarise

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
            # reasons are enum values (no_bed): shown in words
            "late": {k.replace("_", " "): v
                     for k, v in _mean_dict([r["late_by_reason"] for r in runs]).items()},
            "wait": {k: sum(v) / len(v) for k, v in sorted(waits.items())}, "breaches": breaches,
            "overtime": [o for r in runs for o in r["overtime"]],
            "half": {  # half-widths of the 95 % intervals over replications (none with one)
                "by_location": _half_widths(_per_run(runs, "by_location", by_loc)),
                "by_specialty": _half_widths(_per_run(runs, "by_specialty", by_spec)),
                "late": _half_widths({k.replace("_", " "): [float(r["late_by_reason"].get(k, 0))
                                                             for r in runs]
                                      for k in sorted({k for r in runs for k in r["late_by_reason"]})}),
            }}


def _per_run(runs: Sequence[dict[str, Any]], section: str, keys: Iterable[str]) -> dict[str, list[float]]:
    return {k: [r[section].get(k, {}).get("in_room", 0.0) for r in runs] for k in keys}


def _half_widths(values: dict[str, list[float]]) -> dict[str, float] | None:
    if any(len(v) < 2 for v in values.values()):
        return None
    return {k: interval(v).high - interval(v).mean for k, v in values.items()}


def _error_bars(d: dict[str, Any], key: str) -> dict[str, Any] | None:
    """Plotly error bars of a chart's 95 % intervals, or None with a single replication."""
    half = d["half"][key]
    return None if half is None else {"type": "data", "array": [half[k] for k in d[key]], "visible": True}


def _cell(key: str, iv: Interval) -> str:
    """The mean; its 95 % interval only when there are replications to give one."""
    if iv.n < 2:
        return html.escape(format_value(key, iv.mean))
    mean, _, bounds = format_interval(key, iv.mean, iv.low, iv.high).partition(" [")
    return f"{html.escape(mean)} <small>[{html.escape(bounds)}</small>"


def _intro(results: Sequence[dict[str, Any]], policies: Sequence[str]) -> str:
    seeds = sorted({r["seed"] for r in results})
    text = f"Seeds {', '.join(map(str, seeds))} ({len(seeds)} replication{'s' if len(seeds) != 1 else ''}); "
    if len(seeds) >= 2:
        text += "values are means, with 95 % intervals over replications in brackets"
    else:
        text += "one replication, so no intervals: run --replications 2 or more for them"
    if len(policies) == 2:
        text += (f"; \"difference\" is {policies[-1]} minus {policies[0]}, paired by seed "
                 "(common random numbers)")
    return html.escape(text + ".")


def _figures(results: Sequence[dict[str, Any]], policies: Sequence[str]) -> list[tuple[str, Any]]:
    """The report's plotly charts: policies in the palette's colours, shares as percentages,
    count axes from 0 in whole steps."""
    import plotly.graph_objects as go  # deferred: heavy (plotly)

    data = {p: _chart_data(results, p) for p in policies}
    colour = colour_map(policies)
    pct = {"tickformat": ".0%", "rangemode": "tozero"}
    by_loc = go.Figure(
        [go.Bar(name=f"{p} in room", x=list(d["by_location"]), y=list(d["by_location"].values()),
                marker_color=colour[p], error_y=_error_bars(d, "by_location")) for p, d in data.items()]
        + [go.Bar(name=f"{p} with turnover", x=list(d["by_location_turnover"]),
                  y=list(d["by_location_turnover"].values()), marker_color=colour[p], opacity=0.5)
           for p, d in data.items()])
    by_loc.update_layout(xaxis_title="location", yaxis={**pct, "title": "utilisation"})
    by_spec = go.Figure([go.Bar(name=p, x=list(d["by_specialty"]), y=list(d["by_specialty"].values()),
                                marker_color=colour[p], error_y=_error_bars(d, "by_specialty"))
                         for p, d in data.items()])
    by_spec.update_layout(xaxis_title="specialty", yaxis={**pct, "title": "utilisation in room"})
    late = go.Figure([go.Bar(name=p, x=list(d["late"]), y=list(d["late"].values()), marker_color=colour[p],
                             error_y=_error_bars(d, "late")) for p, d in data.items()])
    late_top = max([v + (d["half"]["late"] or {}).get(k, 0.0)
                    for d in data.values() for k, v in d["late"].items()], default=0)
    late.update_layout(xaxis_title="reason",
                       yaxis={**plotly_count_axis(late_top), "title": "late cancellations"})
    wait = go.Figure(
        [go.Bar(name=f"{p} mean wait", x=list(d["wait"]), y=list(d["wait"].values()), marker_color=colour[p])
         for p, d in data.items()]
        + [go.Scatter(name=f"{p} deadline breaches", x=list(d["breaches"]), y=list(d["breaches"].values()),
                      mode="markers", marker={"color": colour[p], "symbol": "diamond", "size": 10},
                      yaxis="y2") for p, d in data.items()])
    breach_top = max([v for d in data.values() for v in d["breaches"].values()], default=0)
    wait.update_layout(xaxis_title="specialty", yaxis={"title": "mean wait (days)", "rangemode": "tozero"},
                       yaxis2={**plotly_count_axis(breach_top), "overlaying": "y", "side": "right",
                               "title": "deadline breaches"})
    overtime = go.Figure()
    counts: list[int] = []
    for p, d in data.items():
        over = [o for o in d["overtime"] if o > 0]
        overtime.add_trace(go.Histogram(name=p, x=over, xbins={"start": 0, "size": 15},
                                        marker_color=colour[p], opacity=0.6))
        counts.extend(_bin_counts(over, 15))
    overtime.update_layout(barmode="overlay", xaxis_title="overtime (minutes)",
                           yaxis={**plotly_count_axis(max(counts, default=0)), "title": "sessions"})
    return list(zip(CHART_TITLES, (by_loc, by_spec, late, wait, overtime), strict=True))


def _bin_counts(values: Sequence[float], size: float) -> list[int]:
    bins: dict[int, int] = {}
    for v in values:
        bins[int(v // size)] = bins.get(int(v // size), 0) + 1
    return list(bins.values())


def write_html(path: Path, results: Sequence[dict[str, Any]], policies: Sequence[str], title: str) -> None:
    """The report page: the KPI table (in words, counts as whole numbers) and the charts."""
    from plotly.offline import get_plotlyjs  # deferred: heavy (plotly)

    table = summarise(results, policies)
    columns = list(policies) + (["difference"] if "difference" in table else [])
    rows = "".join(f"<tr><td>{html.escape(label(k))}</td>"
                   + "".join(f"<td>{_cell(k, table[c][k])}</td>" for c in columns)
                   + "</tr>" for k in table[policies[0]])
    parts = []
    for name, figure in _figures(results, policies):
        if figure.layout.barmode is None:
            figure.update_layout(barmode="group")
        figure.update_layout(title=name, height=420, margin={"t": 50, "b": 40},
                             separators=plotly_separators("en"))
        parts.append(figure.to_html(full_html=False, include_plotlyjs=False))
    page = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<script>{get_plotlyjs()}</script>
<style>body{{font-family:sans-serif;margin:2em;max-width:1200px}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}}td:first-child{{text-align:left}}</style>
</head><body><h1>{html.escape(title)}</h1>
<p>{_intro(results, policies)}</p>
<table><tr><th>KPI</th>{''.join(f'<th>{html.escape(c)}</th>' for c in columns)}</tr>{rows}</table>
{''.join(parts)}</body></html>"""
    path.write_text(page, encoding="utf-8")


def png_figure(results: Sequence[dict[str, Any]], policies: Sequence[str], title: str) -> Any:
    """The report's charts as one matplotlib figure (``write_png`` saves it)."""
    import matplotlib  # deferred: heavy (matplotlib)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # deferred: heavy (matplotlib)
    from matplotlib.ticker import PercentFormatter  # deferred: heavy (matplotlib)

    data = {p: _chart_data(results, p) for p in policies}
    colour = colour_map(policies)
    longest = max([o for d in data.values() for o in d["overtime"]], default=0.0)
    overtime_bins = range(0, int(longest) + 30, 15)
    fig, axes = plt.subplots(2, 3, figsize=(18, 9))
    width = 0.8 / len(policies)
    charts = ((axes[0][0], "by_location", "utilisation in room"),
              (axes[0][1], "by_specialty", "utilisation in room"),
              (axes[0][2], "late", "late cancellations"), (axes[1][0], "wait", "mean wait (days)"),
              (axes[1][1], "breaches", "deadline breaches"))
    for i, (p, d) in enumerate(data.items()):
        for ax, key, _ in charts:
            labels = list(d[key])
            half = d["half"].get(key)  # 95 % intervals only with replications
            ax.bar([x + i * width for x in range(len(labels))], list(d[key].values()), width, label=p,
                   color=colour[p], yerr=[half[k] for k in labels] if half else None, capsize=3)
            ax.set_xticks([x + width * (len(policies) - 1) / 2 for x in range(len(labels))], labels,
                          rotation=45, fontsize=8)
        axes[1][2].hist([o for o in d["overtime"] if o > 0], bins=overtime_bins, alpha=0.6, label=p,
                        color=colour[p])
    for ax, _, ylabel in charts:
        ax.set_ylabel(ylabel, fontsize=9)
    axes[1][2].set_xlabel("overtime (minutes)", fontsize=9)
    axes[1][2].set_xlim(left=0)
    axes[1][2].set_ylabel("sessions", fontsize=9)
    for ax in (axes[0][0], axes[0][1]):
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_ylim(bottom=0)  # an interval's lower end below 0 % is cut, not drawn
    for ax in (axes[0][2], axes[1][1], axes[1][2]):
        mpl_count_axis(ax)
    names = ("Utilisation in room by location", "Utilisation in room by specialty",
             "Late cancellations by reason",
             "Mean wait by specialty", "Deadline breaches by specialty", "Overtime per session")
    for ax, name in zip(axes.flat, names, strict=True):
        ax.set_title(name, fontsize=10)
        ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def write_png(path: Path, results: Sequence[dict[str, Any]], policies: Sequence[str], title: str) -> None:
    import matplotlib.pyplot as plt  # deferred: heavy (matplotlib)

    fig = png_figure(results, policies, title)
    fig.savefig(path, dpi=90)
    plt.close(fig)
