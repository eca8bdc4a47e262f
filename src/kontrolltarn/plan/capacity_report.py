"""Tables and charts of a capacity plan: need against capacity, activity against budget."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path

from kontrolltarn.model import Session

from .capacity_check import CapacityReport

GAP_COLUMNS = (
    "specialty",
    "current_sessions",
    "planned_sessions",
    "capacity_cases",
    "due_cases",
    "deadline_gap_cases",
    "budget_cases",
    "budget_gap_cases",
)


def gap_rows(report: CapacityReport) -> list[dict[str, float | int | str | None]]:
    return [
        {
            "specialty": g.specialty_id,
            "current_sessions": g.current_sessions,
            "planned_sessions": g.sessions,
            "capacity_cases": g.capacity_cases,
            "due_cases": g.due_cases,
            "deadline_gap_cases": g.deadline_gap_cases,
            "budget_cases": g.budget_cases,
            "budget_gap_cases": g.budget_gap_cases,
        }
        for g in report.gaps
    ]


def gaps_csv(report: CapacityReport) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=GAP_COLUMNS)
    writer.writeheader()
    writer.writerows(gap_rows(report))
    return out.getvalue()


def sessions_json(sessions: Sequence[Session]) -> str:
    return json.dumps(
        [
            {
                "id": s.id,
                "room_id": s.room_id,
                "date": s.date.isoformat(),
                "start_min": s.start_min,
                "end_min": s.end_min,
                "specialty_id": s.specialty_id,
            }
            for s in sessions
        ],
        indent=1,
    )


def write_charts(report: CapacityReport, path: Path, title: str = "Capacity plan") -> None:
    """One self-contained HTML page (plotly.js inlined: hospital networks run offline)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    specs = [g.specialty_id for g in report.gaps]
    fig = make_subplots(
        rows=2,
        cols=1,
        vertical_spacing=0.12,
        subplot_titles=(
            "Staffed sessions per specialty: current plan and need-based plan",
            "Activity against budget (operations over the horizon)",
        ),
    )
    if any(g.current_sessions is not None for g in report.gaps):
        fig.add_trace(
            go.Bar(name="current sessions", x=specs, y=[g.current_sessions or 0 for g in report.gaps]),
            row=1,
            col=1,
        )
    fig.add_trace(go.Bar(name="planned sessions", x=specs, y=[g.sessions for g in report.gaps]), row=1, col=1)
    fig.add_trace(go.Bar(name="budget", x=specs, y=[g.budget_cases for g in report.gaps]), row=2, col=1)
    fig.add_trace(
        go.Bar(name="planned capacity", x=specs, y=[g.capacity_cases for g in report.gaps]), row=2, col=1
    )
    fig.update_layout(title=title, barmode="group", height=800)
    weekly = go.Figure()
    for spec, rows in report.weekly.items():
        weeks = list(range(1, len(rows) + 1))
        weekly.add_trace(
            go.Scatter(
                x=weeks,
                y=[round(need) for need, _ in rows],
                name=f"{spec} need",
                mode="lines",
                line={"dash": "dot"},
                legendgroup=spec,
            )
        )
        weekly.add_trace(
            go.Scatter(
                x=weeks,
                y=[round(cap) for _, cap in rows],
                name=f"{spec} capacity",
                mode="lines",
                legendgroup=spec,
            )
        )
    weekly.update_layout(
        title="Cumulative minutes needed by deadline and planned, per week",
        xaxis_title="week",
        yaxis_title="operating minutes",
        height=600,
    )
    html = fig.to_html(full_html=False, include_plotlyjs=True) + weekly.to_html(
        full_html=False, include_plotlyjs=False
    )
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body>{html}</body></html>"
    )
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
