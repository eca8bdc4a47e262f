"""Tables and charts of a capacity plan: need against capacity, activity against budget."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from kontrolltarn.model import ModelError, Session
from kontrolltarn.present import colour_map, plotly_count_axis, plotly_integer_axis, plotly_separators

from .check import CapacityReport

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
GAP_COLUMNS = (
    "specialty",
    "current_sessions",
    "planned_sessions",
    "capacity_cases",
    "due_cases",
    "deadline_gap_cases",
    "current_deadline_gap_cases",
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
            "current_deadline_gap_cases": g.current_deadline_gap_cases,
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


def sessions_from_json(text: str) -> list[Session]:
    """The inverse of ``sessions_json``; a malformed entry raises ``ModelError`` naming it."""
    try:
        rows = json.loads(text)
    except json.JSONDecodeError as err:
        raise ModelError("sessions", text[:40], f"not valid JSON: {err}") from None
    if not isinstance(rows, list):
        raise ModelError("sessions", type(rows).__name__, "must be a JSON list of sessions")
    result = []
    for i, row in enumerate(rows):
        try:
            result.append(
                Session(
                    row["id"],
                    row["room_id"],
                    date.fromisoformat(row["date"]),
                    int(row["start_min"]),
                    int(row["end_min"]),
                    row.get("specialty_id"),
                )
            )
        except KeyError as missing:
            raise ModelError(f"sessions[{i}].{missing.args[0]}", None, "required field is missing") from None
        except (TypeError, ValueError) as err:
            if isinstance(err, ModelError):
                raise
            raise ModelError(f"sessions[{i}]", row, str(err)) from None
    return result


def block_rows(sessions: Sequence[Session]) -> list[dict[str, str | int]]:
    """The block plan: per room and weekday, the specialty of most weeks and how many weeks
    differ from it (0 means a fixed block)."""
    weeks: dict[tuple[str, int], Counter[str]] = defaultdict(Counter)
    for s in sessions:
        weeks[(s.room_id, s.date.weekday())][s.specialty_id or "-"] += 1
    rows: list[dict[str, str | int]] = []
    for (room, weekday), counts in sorted(weeks.items()):
        specialty, n = counts.most_common(1)[0]
        rows.append(
            {
                "room": room,
                "weekday": WEEKDAYS[weekday],
                "specialty": specialty,
                "weeks": n,
                "other_weeks": sum(counts.values()) - n,
            }
        )
    return rows


def blocks_csv(sessions: Sequence[Session]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=("room", "weekday", "specialty", "weeks", "other_weeks"))
    writer.writeheader()
    writer.writerows(block_rows(sessions))
    return out.getvalue()


def weekly_figure(report: CapacityReport) -> Any:
    """Cumulative need and capacity per specialty and week: one colour per specialty (need
    dotted, capacity solid), whole-week ticks."""
    import plotly.graph_objects as go  # deferred: heavy (plotly)

    colour = colour_map([g.specialty_id for g in report.gaps] + list(report.weekly))
    weekly = go.Figure()
    longest = 1
    for spec, rows in report.weekly.items():
        weeks = list(range(1, len(rows) + 1))
        longest = max(longest, len(rows))
        for name, values, dash in (("need", [need for need, _ in rows], "dot"),
                                   ("capacity", [cap for _, cap in rows], "solid")):
            weekly.add_trace(
                go.Scatter(x=weeks, y=[round(v) for v in values], name=f"{spec} {name}", mode="lines+markers",
                           line={"dash": dash, "color": colour[spec]}, legendgroup=spec)
            )
    weekly.update_layout(
        title="Cumulative minutes needed by deadline and planned, per week",
        xaxis={**plotly_integer_axis(longest), "title": "week", "range": [0.8, longest + 0.2]},
        yaxis={"title": "operating minutes", "rangemode": "tozero"},
        separators=plotly_separators("en"),
        height=600,
    )
    return weekly


def gaps_figure(report: CapacityReport, title: str = "Capacity plan") -> Any:
    """Sessions per specialty (current and planned) and activity against budget; each series in
    the palette's colours, counts from 0 in whole steps."""
    import plotly.graph_objects as go  # deferred: heavy (plotly)
    from plotly.subplots import make_subplots

    specs = [g.specialty_id for g in report.gaps]
    series = colour_map(["current sessions", "planned sessions", "budget", "planned capacity"])
    fig = make_subplots(
        rows=2,
        cols=1,
        vertical_spacing=0.12,
        subplot_titles=(
            "Staffed sessions per specialty: current plan and need-based plan",
            "Activity against budget (operations over the horizon)",
        ),
    )
    sessions = [g.sessions for g in report.gaps]
    if any(g.current_sessions is not None for g in report.gaps):
        current = [g.current_sessions or 0 for g in report.gaps]
        sessions += current
        fig.add_trace(go.Bar(name="current sessions", x=specs, y=current,
                             marker_color=series["current sessions"]), row=1, col=1)
    fig.add_trace(go.Bar(name="planned sessions", x=specs, y=[g.sessions for g in report.gaps],
                         marker_color=series["planned sessions"]), row=1, col=1)
    fig.add_trace(go.Bar(name="budget", x=specs, y=[g.budget_cases for g in report.gaps],
                         marker_color=series["budget"]), row=2, col=1)
    fig.add_trace(go.Bar(name="planned capacity", x=specs, y=[g.capacity_cases for g in report.gaps],
                         marker_color=series["planned capacity"]), row=2, col=1)
    operations = [v for g in report.gaps for v in (g.budget_cases, g.capacity_cases) if v is not None]
    fig.update_yaxes(**plotly_count_axis(max(sessions, default=0)), title_text="sessions", row=1, col=1)
    fig.update_yaxes(**plotly_count_axis(max(operations, default=0)), title_text="operations", row=2, col=1)
    fig.update_xaxes(title_text="specialty", row=2, col=1)
    fig.update_layout(title=title, barmode="group", height=800, separators=plotly_separators("en"))
    return fig


def write_charts(report: CapacityReport, path: Path, title: str = "Capacity plan") -> None:
    """One self-contained HTML page (plotly.js inlined: hospital networks run offline)."""
    html = gaps_figure(report, title).to_html(full_html=False, include_plotlyjs=True) + weekly_figure(
        report
    ).to_html(full_html=False, include_plotlyjs=False)
    page = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body>{html}</body></html>"
    )
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
