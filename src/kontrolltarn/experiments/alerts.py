"""Are the alerts worth looking at? Precision, recall and lead time over simulated days.

Each simulated day (``kontrolltarn.simulate``) is replayed into a fresh tower; every
``step_min`` minutes each room is forecast as the board does (``observe``), and each alert's
first raising is then judged against what happened (``score``):
- overtime: the room's last patient left more than 30 minutes after the staffed end. Precision
  counts every alert that came true; recall and lead time only alerts raised before staffed
  end + 30 min (lead time = that point − first alert). A finished room raises none (as on the
  board), so an overtime seen only after the room's last patient left is no alert;
- late cancellation: the case was cancelled on the day for capacity or an emergency (what the
  forecast can see coming); lead time = cancellation − first alert;
- late start: the room's first patient came into the room more than ``late_start_min`` after
  the staffed start (or never) while a case was still on its list then. The alert is an
  observation, not a forecast: it is judged only for the step at which it can be seen.

Suggestions are counted at 10:00 and 14:00 each day: those the forecasts call for, those left
one per case with none contradicting, and those offered (at most ``max_suggestions``, best
first).

The observation is the slow part (the simulator and the forecasts); ``score`` judges any
alert rule on it at once, so thresholds are chosen on development seeds from stored
observations and the held-out seeds are scored once.

    python -m kontrolltarn.experiments.alerts --scale default --days 28 --seed 0 [--durations truth]
"""

from __future__ import annotations

import argparse
import json
import pickle
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kontrolltarn.control.alerts import Thresholds, room_alerts, room_finished
from kontrolltarn.control.forecast import OVERTIME_ALERT_MIN
from kontrolltarn.control.predictors import train_models
from kontrolltarn.control.suggest import candidates, suggest
from kontrolltarn.control.tower import Tower
from kontrolltarn.model import CancellationReason, EventKind, PlannedCase
from kontrolltarn.simulate import BaselinePolicy, simulate
from kontrolltarn.simulate.replay import day_stream
from kontrolltarn.synth import generate

FORESEEABLE = {CancellationReason.CAPACITY, CancellationReason.EMERGENCY}
#: the moments of the day at which open suggestions are counted (minutes past midnight)
COUNT_AT = (10 * 60, 14 * 60)
FIRST_STEP, LAST_STEP = 7 * 60, 21 * 60

Trace = list[tuple[float, float]]  # (minute, risk) at each step the alert could be raised


@dataclass
class RoomDay:
    """One elective room on one day: its overtime risk while unfinished, and what happened."""

    overtime: Trace
    fact_at: float  # staffed end + 30 min
    happened: bool  # the last patient left after fact_at
    late_start_at: float | None  # first step with the board's late-start alert
    started_late: bool


@dataclass
class CaseDay:
    cancel: Trace  # the capacity cancellation risk while the case waits
    cancelled_at: float | None  # cancelled on the day, for capacity or an emergency


@dataclass
class DayRecord:
    rooms: list[RoomDay] = field(default_factory=list)
    cases: list[CaseDay] = field(default_factory=list)
    #: per moment of COUNT_AT: (suggestions the forecasts call for, one per case and none
    #: contradicting, offered under the cap)
    suggestions: dict[int, tuple[int, ...]] = field(default_factory=dict)


def observe(scale: str = "small", days: int = 28, seed: int = 1, step_min: int = 15,
            durations: str = "predict", thresholds: Thresholds | None = None) -> list[DayRecord]:
    """Every step's risks and the day's facts, for each simulated day. ``durations``:
    ``predict`` forecasts with the duration model trained on the hospital's history before
    the simulated days (as the service does), ``truth`` with the generator's own procedure
    distributions (an optimistic bound). ``thresholds``: the late-start minutes and the
    suggestion agent's settings (the overtime and cancellation thresholds are judged later)."""
    chosen = thresholds or Thresholds()
    synthetic = generate(scale=scale, seed=seed)
    model = train_models(synthetic.history, []).durations if durations == "predict" else None
    result = simulate(synthetic.hospital, synthetic.truth, BaselinePolicy(),
                      days=days, seed=seed, keep_programs=True)
    records: list[DayRecord] = []
    for sim_day in day_stream(result):
        planned = [PlannedCase(e) for e in sim_day.program.entries]
        tower = Tower(synthetic.hospital, sim_day.day, planned, durations=model,
                      thresholds=chosen)
        events = list(sim_day.events)
        overtime: dict[str, Trace] = {r: [] for r in tower.sessions}
        cancel: dict[str, Trace] = {}
        late_start: dict[str, float] = {}
        record = DayRecord()
        i = 0
        for minute in range(FIRST_STEP, LAST_STEP + 1, step_min):
            now = tower.clock.at(minute)
            while i < len(events) and events[i].at <= now:
                tower.live.apply(events[i])
                i += 1
            forecasts = {r: tower.forecast(r, now) for r in tower.sessions}
            for room_id, forecast in forecasts.items():
                if not room_finished(forecast):
                    overtime[room_id].append((minute, forecast.overtime_risk))
                for case in forecast.cases:
                    if case.phase in ("waiting", "called", "arrived"):
                        cancel.setdefault(case.case_id, []).append((minute, case.cancel_risk))
                if room_id not in late_start and any(
                        a.kind == "late_start" for a in room_alerts(forecast, minute, chosen)):
                    late_start[room_id] = minute
            if minute in COUNT_AT:
                called_for = candidates(tower, now, forecasts)
                unique = suggest(tower, now, forecasts, limit=None)
                offered = suggest(tower, now, forecasts)
                record.suggestions[minute] = (len(called_for), len(unique), len(offered))
        while i < len(events):
            tower.live.apply(events[i])
            i += 1
        _facts(tower, planned, overtime, cancel, late_start, chosen, sim_day.day, record)
        records.append(record)
    return records


def _facts(tower: Tower, planned: list[PlannedCase], overtime: dict[str, Trace],
           cancel: dict[str, Trace], late_start: dict[str, float], chosen: Thresholds,
           day: date, record: DayRecord) -> None:
    """What happened on the day, beside what was seen."""
    for room_id, session in tower.sessions.items():
        if session.emergency:
            continue
        in_room = [c for c in tower.live.cases.values() if c.room_id == room_id]
        outs = [tower.clock.minutes(c.milestones[EventKind.OUT_OF_ROOM])
                for c in in_room if EventKind.OUT_OF_ROOM in c.milestones]
        fact_at = session.end_min + OVERTIME_ALERT_MIN
        check = session.start_min + chosen.late_start_min
        ins = [tower.clock.minutes(c.milestones[EventKind.IN_ROOM])
               for c in in_room if EventKind.IN_ROOM in c.milestones]
        listed = [p.case_id for p in planned if p.room_id == room_id]
        # a case still to be done at the check: not cancelled before it
        pending = any(
            (s := tower.live.cases.get(cid)) is None or s.cancelled_at is None
            or tower.clock.minutes(s.cancelled_at) >= check or EventKind.IN_ROOM in s.milestones
            for cid in listed)
        # the board's alert: no patient in the room once late_start_min have passed (one who
        # comes in at that very minute is in the room then)
        started_late = pending and (not ins or min(ins) > check)
        record.rooms.append(RoomDay(overtime[room_id], fact_at, bool(outs) and max(outs) > fact_at,
                                    late_start.get(room_id), started_late))
    for case in planned:
        state = tower.live.cases.get(case.case_id)
        cancelled_at = None
        if state is not None and state.cancelled in FORESEEABLE and state.cancelled_at \
                and state.cancelled_at.date() == day:
            cancelled_at = tower.clock.minutes(state.cancelled_at)
        record.cases.append(CaseDay(cancel.get(case.case_id, []), cancelled_at))


@dataclass(frozen=True)
class AlertRule:
    """When an alert is raised from a risk trace: at the first step where the risk has been at
    least ``threshold`` for ``hold`` consecutive steps (hold 1: at once, as the board does; a
    longer hold is judged here only, the board's alerts keep no state)."""

    threshold: float
    hold: int = 1

    def first(self, trace: Trace) -> float | None:
        run = 0
        for minute, risk in trace:
            run = run + 1 if risk >= self.threshold else 0
            if run >= self.hold:
                return minute
        return None


@dataclass
class Score:
    alerted: int = 0
    true_alerts: int = 0
    positives: int = 0
    caught: int = 0
    lead_min: list[float] = field(default_factory=list)

    def row(self) -> dict[str, float | int | None]:
        return {"alerts": self.alerted, "positives": self.positives,
                "precision": round(self.true_alerts / self.alerted, 3) if self.alerted else None,
                "recall": round(self.caught / self.positives, 3) if self.positives else None,
                "median_lead_min": round(statistics.median(self.lead_min), 1)
                if self.lead_min else None}


def score_overtime(records: Iterable[DayRecord], rule: AlertRule) -> Score:
    score = Score()
    for record in records:
        for room in record.rooms:
            raised = rule.first(room.overtime)
            if raised is not None:
                score.alerted += 1
                score.true_alerts += room.happened  # right, even if late (recall: early only)
            if room.happened:
                score.positives += 1
                if raised is not None and raised < room.fact_at:
                    score.caught += 1
                    score.lead_min.append(room.fact_at - raised)
    return score


def score_cancellation(records: Iterable[DayRecord], rule: AlertRule) -> Score:
    score = Score()
    for record in records:
        for case in record.cases:
            raised = rule.first(case.cancel)
            done = case.cancelled_at
            if raised is not None:
                score.alerted += 1
                score.true_alerts += done is not None and raised <= done
            if done is not None:
                score.positives += 1
                if raised is not None and raised <= done:
                    score.caught += 1
                    score.lead_min.append(done - raised)
    return score


def score_late_start(records: Iterable[DayRecord]) -> Score:
    score = Score()
    for record in records:
        for room in record.rooms:
            if room.late_start_at is not None:
                score.alerted += 1
                score.true_alerts += room.started_late
            if room.started_late:
                score.positives += 1
                if room.late_start_at is not None:
                    score.caught += 1
                    score.lead_min.append(0.0)
    return score


def score(records: list[DayRecord], thresholds: Thresholds | None = None
          ) -> dict[str, dict[str, float | int | None]]:
    """Precision, recall and median lead time per alert kind under ``thresholds``."""
    chosen = thresholds or Thresholds()
    return {
        "overtime": score_overtime(records, AlertRule(chosen.overtime_risk)).row(),
        "late_cancellation": score_cancellation(records, AlertRule(chosen.cancel_risk)).row(),
        "late_start": score_late_start(records).row(),
    }


def suggestion_counts(records: list[DayRecord]) -> dict[str, float | int]:
    """Median and maximum at each moment of COUNT_AT of the suggestions the forecasts call for
    (``candidates``: what the board listed before issue 19), of those left one per case with
    none contradicting, and of those open under the cap."""
    out: dict[str, float | int] = {}
    for at in COUNT_AT:
        for i, what in enumerate(("candidates", "unique", "open")):
            counts = [r.suggestions[at][i] for r in records if at in r.suggestions]
            if counts:
                label = f"{what}_at_{at // 60:02d}"
                out[f"{label}_median"] = statistics.median(counts)
                out[f"{label}_max"] = max(counts)
    return out


def observed(scale: str, days: int, seed: int, durations: str = "predict",
             cache: Path | None = None) -> list[DayRecord]:
    """``observe`` with the default settings, kept in ``cache`` (a folder) when given."""
    path = cache / f"alerts-{scale}-{days}d-seed{seed}-{durations}.pickle" if cache else None
    if path is not None and path.exists():
        with path.open("rb") as f:
            records: list[DayRecord] = pickle.load(f)  # our own file, written below
        return records
    records = observe(scale, days, seed, durations=durations)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            pickle.dump(records, f)
    return records


THRESHOLDS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.99, 0.999)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="small")
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--durations", choices=("predict", "truth"), default="predict")
    parser.add_argument("--thresholds", default=",".join(f"{t:g}" for t in THRESHOLDS),
                        help="comma-separated alert thresholds to judge (one pass)")
    parser.add_argument("--holds", default="1,2", help="comma-separated hold steps to judge")
    parser.add_argument("--cache", type=Path, default=None,
                        help="folder keeping the observations (re-scoring needs no simulation)")
    args = parser.parse_args()
    # through the imported module, so a cached observation names its classes by their module
    # (not ``__main__``) and ``benchmarks/alerts.py`` can read it
    from kontrolltarn.experiments import alerts as this

    records = this.observed(args.scale, args.days, args.seed, args.durations, args.cache)
    base = {"scale": args.scale, "days": args.days, "seed": args.seed,
            "durations": args.durations}
    defaults = Thresholds()
    for t in sorted({float(x) for x in args.thresholds.split(",")}):
        for hold in sorted({int(x) for x in args.holds.split(",")}):
            for kind, scorer, default in (
                    ("overtime", score_overtime, (defaults.overtime_risk, 1)),
                    ("late_cancellation", score_cancellation, (defaults.cancel_risk, 1))):
                row = scorer(records, AlertRule(t, hold)).row()
                print(json.dumps({"alert": kind, **base, "threshold": t, "hold": hold,
                                  "default": (t, hold) == default, **row}))
    print(json.dumps({"alert": "late_start", **base, "threshold": defaults.late_start_min,
                      "default": True, **score_late_start(records).row()}))
    print(json.dumps({"suggestions": True, **base, **suggestion_counts(records)}))


if __name__ == "__main__":
    main()
