"""Pictures of a program: the week's room timeline and utilisation, as self-contained HTML and PNG.

HTML embeds plotly.js (hospital networks are offline); PNG is drawn with matplotlib.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from kontrolltarn.model import Hospital, Program, ProgramEntry
from kontrolltarn.present import (
    clock_label,
    colour_map,
    format_number,
    plotly_clock_axis,
    plotly_separators,
    weekday_name,
)

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


#: the timeline's name for emergency cases (they have no referral, so no specialty)
EMERGENCY = "Øyeblikkelig hjelp"


def _day_label(day: date) -> str:
    return f"{weekday_name(day, 'nb', short=True)} {day:%d.%m}"


def week_figure(hospital: Hospital, program: Program, report: CheckReport) -> Any:
    """The week in bokmål: planned utilisation per location and day, and the first day's rooms
    as a timeline in clock time, each specialty in its own colour (named in the legend)."""
    import plotly.graph_objects as go  # deferred: heavy (plotly)
    from plotly.subplots import make_subplots

    days = sorted({e.date for e in program.entries})
    util = utilisation_by_day_and_location(hospital, program)
    first_day = days[0] if days else hospital.today
    fig = make_subplots(rows=2, cols=1, row_heights=[0.3, 0.7], vertical_spacing=0.08,
                        subplot_titles=("Planlagt stueutnyttelse per lokasjon og dag",
                                        f"Operasjonsprogram {weekday_name(first_day, 'nb')} "
                                        f"{first_day:%d.%m.%Y}"))
    location_colour = colour_map(loc.id for loc in hospital.locations)
    for loc in hospital.locations:
        fig.add_trace(go.Bar(name=loc.name, x=[_day_label(d) for d in days],
                             y=[round(100 * util.get((d, loc.id), 0.0), 1) for d in days],
                             marker_color=location_colour[loc.id], legendgroup="lokasjon",
                             legendgrouptitle_text="Lokasjon"), row=1, col=1)
    day_entries = sorted((e for e in program.entries if e.date == first_day),
                         key=lambda e: (e.room_id, e.start_min))
    referral = hospital.referral_by_id
    names = {s.id: s.name for s in hospital.specialties}
    colour = specialty_colours(hospital)
    by_specialty: dict[str, list[ProgramEntry]] = defaultdict(list)
    for e in day_entries:
        by_specialty[referral[e.case_id].specialty_id if e.case_id in referral else EMERGENCY].append(e)
    for spec, entries in sorted(by_specialty.items()):
        fig.add_trace(go.Bar(
            x=[e.planned_min for e in entries], base=[e.start_min for e in entries],
            y=[e.room_id for e in entries], orientation="h", name=names.get(spec, spec),
            marker_color=colour[spec], legendgroup="fagområde", legendgrouptitle_text="Fagområde",
            hovertext=[f"{e.case_id} {referral[e.case_id].procedure_code if e.case_id in referral else ''} "
                       f"{clock_label(e.start_min)}–{clock_label(e.start_min + e.planned_min)}"
                       for e in entries]), row=2, col=1)
    fig.update_yaxes(title_text="stueutnyttelse, %", rangemode="tozero", row=1, col=1)
    fig.update_xaxes(title_text="dag", row=1, col=1)
    fig.update_yaxes(title_text="stue", row=2, col=1)
    if day_entries:
        start = min(e.start_min for e in day_entries)
        end = max(e.start_min + e.planned_min for e in day_entries)
        fig.update_xaxes(**plotly_clock_axis(start, end), title_text="klokkeslett", row=2, col=1)
    kpis = report.kpis
    share = {k: format_number(round(100 * kpis.get(k, 0.0), 1), 1, "nb")
             for k in ("planned_utilisation", "planned_utilisation_with_turnover")}
    fig.update_layout(
        barmode="group", separators=plotly_separators("nb"),
        height=max(700, 14 * len({e.room_id for e in day_entries}) + 300),
        title=(f"{hospital.name} — uke fra {first_day:%d.%m.%Y}: "
               f"{format_number(int(kpis.get('cases', 0)), 0, 'nb')} operasjoner, "
               f"planlagt utnyttelse {share['planned_utilisation']} % "
               f"(med skifte {share['planned_utilisation_with_turnover']} %)"))
    return fig


def write_week_html(hospital: Hospital, program: Program, report: CheckReport, path: Path) -> Path:
    """``week_figure`` as a self-contained HTML page."""
    fig = week_figure(hospital, program, report)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.write_html(str(path), include_plotlyjs=True, full_html=True)
    return path


def week_png_figure(hospital: Hospital, program: Program) -> Any:
    """Planned utilisation per location and day as a matplotlib figure (bokmål)."""
    import matplotlib  # deferred: heavy (matplotlib)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # deferred: heavy (matplotlib)

    days = sorted({e.date for e in program.entries})
    util = utilisation_by_day_and_location(hospital, program)
    colour = colour_map(loc.id for loc in hospital.locations)
    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.8 / max(1, len(hospital.locations))
    for i, loc in enumerate(hospital.locations):
        ax.bar([d + i * width for d in range(len(days))],
               [100 * util.get((day, loc.id), 0.0) for day in days], width, label=loc.name,
               color=colour[loc.id])
    ax.set_xticks([d + 0.4 - width / 2 for d in range(len(days))], [_day_label(day) for day in days])
    ax.set_ylabel("planlagt stueutnyttelse, %")
    ax.axhline(85, color="grey", linestyle="--", linewidth=1)
    ax.set_ylim(0, 100)
    ax.legend(ncol=len(hospital.locations), fontsize=8, loc="upper center",
              bbox_to_anchor=(0.5, -0.1), frameon=False)
    ax.set_title("Planlagt stueutnyttelse per lokasjon og dag")
    fig.tight_layout()
    return fig


def write_week_png(hospital: Hospital, program: Program, path: Path) -> Path:
    """The same utilisation figure as a PNG for reports and quick looks."""
    import matplotlib.pyplot as plt  # deferred: heavy (matplotlib)

    fig = week_png_figure(hospital, program)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def specialty_colours(hospital: Hospital) -> dict[str, str]:
    """A distinct colour per specialty of the hospital (and one for emergencies)."""
    return colour_map([s.id for s in hospital.specialties] + [EMERGENCY])
