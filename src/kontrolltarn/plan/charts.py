"""Pictures of a program: the week's room timeline and utilisation, as self-contained HTML and PNG.

HTML embeds plotly.js (hospital networks are offline); PNG is drawn with matplotlib.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

from kontrolltarn.model import Hospital, Program

from .check import CheckReport


def utilisation_by_day_and_location(hospital: Hospital, program: Program
                                    ) -> dict[tuple[date, str], float]:
    """Planned in-room minutes / staffed minutes of elective sessions, per day and location."""
    staffed: dict[tuple[date, str], int] = defaultdict(int)
    used: dict[tuple[date, str], int] = defaultdict(int)
    dates = {e.date for e in program.entries}
    for s in hospital.sessions:
        if s.date in dates and not s.emergency:
            staffed[(s.date, hospital.room_by_id[s.room_id].location_id)] += s.staffed_min
    for e in program.entries:
        session = hospital.session_by_id[e.session_id]
        inside = max(0, min(e.end_min, session.end_min) - max(e.start_min, session.start_min))
        used[(e.date, hospital.room_by_id[e.room_id].location_id)] += inside
    return {key: used[key] / minutes for key, minutes in staffed.items() if minutes}


def write_week_html(hospital: Hospital, program: Program, report: CheckReport, path: Path) -> Path:
    """A room timeline for each day of the program and planned utilisation per location."""
    import plotly.graph_objects as go  # deferred: heavy (plotly)
    from plotly.subplots import make_subplots

    days = sorted({e.date for e in program.entries})
    util = utilisation_by_day_and_location(hospital, program)
    locations = [loc.id for loc in hospital.locations]
    first_day = days[0] if days else hospital.today
    fig = make_subplots(rows=2, cols=1, row_heights=[0.3, 0.7], vertical_spacing=0.08,
                        subplot_titles=("Planlagt stueutnyttelse per lokasjon og dag",
                                        f"Operasjonsprogram {first_day:%A %d.%m.%Y}"))
    for loc in locations:
        fig.add_trace(go.Bar(name=hospital.location_by_id[loc].name, x=[d.isoformat() for d in days],
                             y=[round(100 * util.get((d, loc), 0.0), 1) for d in days]), row=1, col=1)
    day_entries = sorted((e for e in program.entries if e.date == first_day),
                         key=lambda e: (e.room_id, e.start_min))
    referral = hospital.referral_by_id
    fig.add_trace(go.Bar(
        x=[e.planned_min for e in day_entries], base=[e.start_min / 60 * 60 for e in day_entries],
        y=[e.room_id for e in day_entries], orientation="h", showlegend=False,
        marker_color=[_colour(referral[e.case_id].specialty_id if e.case_id in referral else "EM")
                      for e in day_entries],
        hovertext=[f"{e.case_id} {referral[e.case_id].procedure_code if e.case_id in referral else ''}"
                   for e in day_entries]), row=2, col=1)
    fig.update_yaxes(title_text="%", row=1, col=1)
    fig.update_xaxes(title_text="minutter etter midnatt", row=2, col=1)
    kpis = report.kpis
    fig.update_layout(
        barmode="group", height=max(700, 14 * len({e.room_id for e in day_entries}) + 300),
        title=(f"{hospital.name} — uke fra {first_day}: {int(kpis.get('cases', 0))} operasjoner, "
               f"planlagt utnyttelse {100 * kpis.get('planned_utilisation', 0):.1f} % "
               f"(med skifte {100 * kpis.get('planned_utilisation_with_turnover', 0):.1f} %)"))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.write_html(str(path), include_plotlyjs=True, full_html=True)
    return path


def write_week_png(hospital: Hospital, program: Program, path: Path) -> Path:
    """The same utilisation figure as a PNG for reports and quick looks."""
    import matplotlib  # deferred: heavy (matplotlib)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # deferred: heavy (matplotlib)

    days = sorted({e.date for e in program.entries})
    util = utilisation_by_day_and_location(hospital, program)
    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.8 / max(1, len(hospital.locations))
    for i, loc in enumerate(hospital.locations):
        ax.bar([d + i * width for d in range(len(days))],
               [100 * util.get((day, loc.id), 0.0) for day in days], width, label=loc.name)
    ax.set_xticks([d + 0.4 - width / 2 for d in range(len(days))],
                  [day.strftime("%a %d.%m") for day in days])
    ax.set_ylabel("planlagt stueutnyttelse, %")
    ax.axhline(85, color="grey", linestyle="--", linewidth=1)
    ax.set_ylim(0, 100)
    ax.legend(ncol=len(hospital.locations), fontsize=8, loc="upper center",
              bbox_to_anchor=(0.5, -0.1), frameon=False)
    ax.set_title("Planlagt stueutnyttelse per lokasjon og dag")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
            "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31")


def _colour(specialty_id: str) -> str:
    return _PALETTE[sum(map(ord, specialty_id)) % len(_PALETTE)]
