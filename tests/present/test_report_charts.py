"""Every report drawn on small inputs, checked on what a reader sees: tick labels, colours,
interval text and the language of every title, axis and legend (issue 19 finding 12)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kontrolltarn.kpi import format_interval, format_value, label
from kontrolltarn.model import Hospital
from kontrolltarn.plan.baseline import plan_baseline
from kontrolltarn.plan.capacity import CapacityReport, SpecialtyGap, gaps_figure, weekly_figure, write_charts
from kontrolltarn.plan.charts import week_figure, week_png_figure, write_week_html
from kontrolltarn.plan.check import check
from kontrolltarn.present import clock_label, colour_map, format_number, plotly_count_axis
from kontrolltarn.simulate.report import _figures, png_figure, write_html

#: words that give away the other language (a small list is enough to catch a mixed report)
ENGLISH = {"week", "minutes", "minute", "utilisation", "room", "rooms", "planned", "day", "days",
           "operations", "monday", "tuesday", "mon", "tue", "location", "specialty", "time", "after"}
NORWEGIAN = {"uke", "minutter", "etter", "midnatt", "stue", "stueutnyttelse", "utnyttelse", "planlagt",
             "dag", "dager", "operasjoner", "lokasjon", "fagområde", "klokkeslett", "mandag", "man"}

CLOCK = re.compile(r"^\d\d:\d\d$")


def _words(texts: Iterable[str]) -> set[str]:
    return {w.lower() for t in texts for w in re.findall(r"[A-Za-zÆØÅæøå]+", t)}


def plotly_texts(fig: Any) -> list[str]:
    """Every text of a plotly figure a reader sees apart from data: titles, subplot titles,
    axis titles and tick labels, legend entries and legend group titles."""
    layout = fig.layout
    texts = [layout.title.text or ""] + [a.text for a in layout.annotations]
    for name in dir(layout):
        if re.fullmatch(r"[xy]axis\d*", name) and layout[name] is not None:
            axis = layout[name]
            texts.append(axis.title.text or "")
            texts.extend(str(t) for t in axis.ticktext or ())
    for trace in fig.data:
        texts.append(trace.name or "")
        texts.append(trace.legendgrouptitle.text or "")
    return texts


def mpl_texts(fig: Any) -> list[str]:
    fig.canvas.draw()
    texts = [fig._suptitle.get_text() if fig._suptitle else ""]
    for ax in fig.axes:
        texts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        texts += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
        legend = ax.get_legend()
        if legend:
            texts += [t.get_text() for t in legend.get_texts()]
    return texts


# --- the one place ----------------------------------------------------------------------------

def test_numbers_are_written_one_way_per_language() -> None:
    """Whole numbers as whole numbers (never 4.000), bokmål with a decimal comma and a space
    between thousands."""
    assert format_number(4.0) == "4"
    assert format_number(122000.0, lang="nb") == "122\u00a0000"
    assert format_number(1234.56, 1, "nb") == "1\u00a0234,6"
    assert format_number(1234.56, 1, "en") == "1,234.6"
    assert format_value("late_cancellations", 4.0) == "4"
    assert format_value("late_cancellations", 10.0) == "10"
    assert format_value("utilisation_in_room", 0.6043, lang="nb") == "60,4 %"
    assert format_value("late_cancellations", 11.0, 38.06) == "11.0 ± 38.1"
    assert format_value("late_cancellations", 7.0, 0.0) == "7 ± 0"
    assert format_interval("utilisation_in_room", 0.783, 0.63, 0.936) == "78.3 % [63.0, 93.6]"
    # ids made per reason or urgency get a unit too (they read 6.500 and 31.056)
    assert format_value("late_cancellations_no_bed", 6.0) == "6"
    assert label("late_cancellations_no_bed") == "late cancellations: no bed"
    assert format_value("emergency_within_6h_mean_delay_min", 31.056) == "31 min"
    assert format_value("emergency_within_6h_within_limit_share", 1.0) == "100 %"


def test_colours_are_distinct_and_the_same_in_every_chart() -> None:
    specs = [f"SP{i}" for i in range(14)]
    colours = colour_map(specs)
    assert len(set(colours.values())) == len(specs)
    assert colour_map(reversed(specs)) == colours


def test_count_axes_start_at_zero_with_whole_ticks() -> None:
    axis = plotly_count_axis(2.7)
    assert axis["range"][0] == 0 and axis["rangemode"] == "tozero"
    assert axis["dtick"] == 1 and axis["tickformat"] == "d"
    assert plotly_count_axis(430)["dtick"] == 100


# --- the simulation report ---------------------------------------------------------------------

def _result(policy: str, seed: int, late: int) -> dict[str, Any]:
    return {
        "policy": policy, "seed": seed,
        "headline": {"late_cancellations": float(late), "utilisation_in_room": 0.6 + seed / 100,
                     "deadline_breaches": 2.0, "elective_operations": 1234.0},
        "by_location": {"A": {"in_room": 0.6, "with_turnover": 0.7}},
        "by_specialty": {"ORT": {"in_room": 0.6}, "GAS": {"in_room": 0.5}},
        "late_by_reason": {"no_bed": late, "patient": 1},
        "waiting_by": [{"specialty": "ORT", "mean_wait_days": 40.0, "deadline_breaches": 2},
                       {"specialty": "GAS", "mean_wait_days": 20.0, "deadline_breaches": 1}],
        "overtime": [0.0, 12.0, 31.0, 31.0, 80.0],
    }


def test_simulation_report_with_one_replication_promises_no_interval(tmp_path: Path) -> None:
    """Issue 19 finding 12: one seed gave "95 % intervals in brackets" and none; counts read 4.000."""
    results = [_result("baseline", 0, 4)]
    write_html(tmp_path / "r.html", results, ["baseline"], "Simulation")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    body = page[page.index("<h1>"):page.index("<div")]
    assert "95 %" not in body and "<small>[" not in body
    assert "<td>4</td>" in body and "4.000" not in body and "<td>1,234</td>" in body
    assert "late cancellations" in body and "late_cancellations" not in body


def test_simulation_report_with_replications_shows_intervals(tmp_path: Path) -> None:
    results = [_result("baseline", 0, 4), _result("baseline", 1, 6), _result("baseline", 2, 5)]
    write_html(tmp_path / "r.html", results, ["baseline"], "Simulation")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    body = page[page.index("<h1>"):page.index("<div")]
    assert "95 % intervals" in body
    assert "<td>61.0 % <small>[58.5, 63.5]</small></td>" in body  # one set of decimals per cell
    late = dict(_figures(results, ["baseline"]))["Late cancellations by reason"].data[0]
    assert late.error_y.visible and len(late.error_y.array) == 2


def test_simulation_charts_count_from_zero_in_english() -> None:
    """Issue 19 finding 12: a count axis ran from −0.21 to 2.7."""
    results = [_result("baseline", 0, 2), _result("optimised", 0, 1)]
    figures = dict(_figures(results, ["baseline", "optimised"]))
    late = figures["Late cancellations by reason"].layout.yaxis
    assert all(t.error_y.array is None for f in figures.values() for t in f.data)  # one seed: no interval
    assert set(figures["Late cancellations by reason"].data[0].x) == {"no bed", "patient"}
    assert late.range[0] == 0 and late.dtick == 1 and late.tickformat == "d"
    breaches = figures["Waiting time and deadline breaches by specialty"].layout.yaxis2
    assert breaches.range[0] == 0 and float(breaches.dtick).is_integer()
    overtime = figures["Overtime per session (minutes)"].layout.yaxis
    assert overtime.range[0] == 0 and overtime.tickformat == "d"
    for fig in figures.values():
        assert not _words(plotly_texts(fig)) & NORWEGIAN
        baseline = {t.marker.color for t in fig.data if t.name.startswith("baseline")}
        optimised = {t.marker.color for t in fig.data if t.name.startswith("optimised")}
        assert baseline and optimised and baseline.isdisjoint(optimised)


def test_simulation_png_counts_are_whole_numbers_from_zero() -> None:
    import matplotlib.pyplot as plt

    fig = png_figure([_result("baseline", 0, 2)], ["baseline"], "Simulation")
    try:
        texts = mpl_texts(fig)
        assert not _words(texts) & NORWEGIAN
        for ax in (fig.axes[2], fig.axes[4], fig.axes[5]):  # late, breaches, overtime histogram
            assert ax.get_ylim()[0] == 0
            ticks = [t.get_text().replace("\u2212", "-") for t in ax.get_yticklabels()]
            assert ticks and all(re.fullmatch(r"\d+", t) for t in ticks), ticks
    finally:
        plt.close(fig)


# --- the capacity report ----------------------------------------------------------------------

def _capacity_report(specialties: int = 12, weeks: int = 3) -> CapacityReport:
    specs = [f"SP{i:02d}" for i in range(specialties)]
    return CapacityReport(
        gaps=[SpecialtyGap(s, 3, 7.5, 6.0, 0.0, 8.0, -0.5, current_sessions=2) for s in specs],
        weekly={s: [(100.0 * w, 120.0 * w) for w in range(1, weeks + 1)] for s in specs},
    )


def test_capacity_weeks_are_whole_and_each_specialty_has_its_colour(tmp_path: Path) -> None:
    """Issue 19 finding 12: the week axis read 1, 1.5, 2 and two specialties shared a colour."""
    report = _capacity_report()
    fig = weekly_figure(report)
    assert fig.layout.xaxis.dtick == 1 and fig.layout.xaxis.tickformat == "d"
    colour_of: dict[str, set[str]] = {}
    for trace in fig.data:
        colour_of.setdefault(trace.legendgroup, set()).add(trace.line.color)
    assert all(len(c) == 1 for c in colour_of.values())  # need and capacity of one specialty alike
    assert len({next(iter(c)) for c in colour_of.values()}) == len(report.weekly)
    gaps = gaps_figure(report)
    assert gaps.layout.yaxis.range[0] == 0 and gaps.layout.yaxis.tickformat == "d"
    for f in (fig, gaps):
        assert not _words(plotly_texts(f)) & NORWEGIAN
    write_charts(report, tmp_path / "c.html")
    page = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert "minutter" not in page and "<html lang='en'>" in page


# --- the plan's week chart (bokmål) -------------------------------------------------------------

@pytest.fixture
def week(tiny: Hospital) -> tuple[Hospital, Any]:
    program = plan_baseline(tiny, tiny.today, 1)
    return tiny, program


def test_week_chart_reads_clock_time_in_bokmal(week: tuple[Hospital, Any], tmp_path: Path) -> None:
    """Issue 19 finding 12: the timeline's axis said "minutter etter midnatt"; weekdays came in
    English; two specialties could share a colour."""
    hospital, program = week
    fig = week_figure(hospital, program, check(hospital, program))
    timeline = fig.layout.xaxis2
    assert timeline.ticktext and all(CLOCK.match(t) for t in timeline.ticktext)
    assert clock_label(480) == "08:00" and "08:00" in timeline.ticktext
    texts = plotly_texts(fig)
    assert not _words(texts) & ENGLISH, _words(texts) & ENGLISH
    timeline_traces = [t for t in fig.data if t.orientation == "h"]
    assert len(timeline_traces) >= 2  # ORT and GAS
    assert len({t.marker.color for t in timeline_traces}) == len(timeline_traces)
    assert {"Ortopedi", "Gastro"} <= {t.name for t in timeline_traces}
    assert "," in fig.layout.title.text and fig.layout.separators == ", "
    write_week_html(hospital, program, check(hospital, program), tmp_path / "w.html")
    assert "minutter etter midnatt" not in (tmp_path / "w.html").read_text(encoding="utf-8")


def test_week_png_is_in_bokmal(week: tuple[Hospital, Any]) -> None:
    import matplotlib.pyplot as plt

    hospital, program = week
    fig = week_png_figure(hospital, program)
    try:
        texts = mpl_texts(fig)
        assert not _words(texts) & ENGLISH, _words(texts) & ENGLISH
        assert any(t.startswith("man ") for t in texts)  # 30.11.2026 is a Monday
        assert date(2026, 11, 30).weekday() == 0
    finally:
        plt.close(fig)
