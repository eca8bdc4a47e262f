"""Are the alerts worth looking at? Precision, recall and lead time over simulated days.

Each simulated day (``kontrolltarn.simulate``) is replayed into a fresh tower; every
``step_min`` minutes the alerts are taken, and each alert's first raising is judged against what
then happened:
- overtime: the room's last patient left more than 30 minutes after the staffed end. Precision
  counts every alert that came true; recall and lead time only alerts raised before staffed
  end + 30 min (lead time = that point − first alert);
- late cancellation: the case was cancelled on the day for capacity or an emergency (what the
  forecast can see coming); lead time = cancellation − first alert.

    python -m kontrolltarn.experiments.alerts --scale default --days 28 [--durations truth]
"""

from __future__ import annotations

import argparse
import json
import statistics
from dataclasses import dataclass, field

from kontrolltarn.control.alerts import Thresholds
from kontrolltarn.control.forecast import OVERTIME_ALERT_MIN
from kontrolltarn.control.predictors import train_models
from kontrolltarn.control.tower import Tower
from kontrolltarn.model import CancellationReason, EventKind, PlannedCase
from kontrolltarn.simulate import BaselinePolicy, simulate
from kontrolltarn.simulate.replay import day_stream
from kontrolltarn.synth import generate

FORESEEABLE = {CancellationReason.CAPACITY, CancellationReason.EMERGENCY}


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


def _first(seen: dict[tuple[str, str], list[tuple[float, float]]], key: tuple[str, str],
           threshold: float) -> float | None:
    """The first step at which the risk of ``key`` reached ``threshold``."""
    return next((m for m, risk in seen.get(key, ()) if risk >= threshold), None)


THRESHOLDS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


def evaluate(scale: str = "small", days: int = 28, seed: int = 1, step_min: int = 15,
             thresholds: Thresholds | None = None, durations: str = "predict",
             grid: tuple[float, ...] = THRESHOLDS) -> dict[str, dict[str, float | int | None]]:
    """Scores at ``thresholds`` (the default ones unless given); see ``evaluate_grid``."""
    chosen = thresholds or Thresholds()
    table = evaluate_grid(scale, days, seed, step_min, durations,
                          tuple(sorted({*grid, chosen.overtime_risk, chosen.cancel_risk})))
    return {"overtime": table["overtime"][chosen.overtime_risk],
            "late_cancellation": table["late_cancellation"][chosen.cancel_risk]}


def evaluate_grid(scale: str = "small", days: int = 28, seed: int = 1, step_min: int = 15,
                  durations: str = "predict", grid: tuple[float, ...] = THRESHOLDS
                  ) -> dict[str, dict[float, dict[str, float | int | None]]]:
    """Precision, recall and median lead time per alert kind at every threshold of ``grid``,
    from one pass: each room's overtime risk and each waiting case's cancellation risk are
    recorded every ``step_min``; an alert at threshold t is first raised at the first step
    where the risk reached t. ``durations``: ``predict`` forecasts with the duration model
    trained on the hospital's history before the simulated days (as the service does),
    ``truth`` with the generator's own procedure distributions (an optimistic bound)."""
    synthetic = generate(scale=scale, seed=seed)
    model = train_models(synthetic.history, []).durations if durations == "predict" else None
    result = simulate(synthetic.hospital, synthetic.truth, BaselinePolicy(),
                      days=days, seed=seed, keep_programs=True)
    hospital = synthetic.hospital
    overtime = {t: Score() for t in grid}
    cancel = {t: Score() for t in grid}
    for sim_day in day_stream(result):
        planned = [PlannedCase(e) for e in sim_day.program.entries]
        tower = Tower(hospital, sim_day.day, planned, durations=model)
        events = list(sim_day.events)
        # the highest risk seen so far, per step: (minute, risk)
        seen: dict[tuple[str, str], list[tuple[float, float]]] = {}
        i = 0
        for minute in range(7 * 60, 21 * 60 + 1, step_min):
            now = tower.clock.at(minute)
            while i < len(events) and events[i].at <= now:
                tower.live.apply(events[i])
                i += 1
            for room_id in tower.sessions:
                forecast = tower.forecast(room_id, now)
                seen.setdefault(("overtime", room_id), []).append(
                    (minute, forecast.overtime_risk))
                for waiting in forecast.cases:
                    if waiting.phase in ("waiting", "called", "arrived"):
                        seen.setdefault(("late_cancellation", waiting.case_id), []).append(
                            (minute, waiting.cancel_risk))
        while i < len(events):
            tower.live.apply(events[i])
            i += 1

        # what happened
        for room_id, session in tower.sessions.items():
            if session.emergency:
                continue
            outs = [tower.clock.minutes(c.milestones[EventKind.OUT_OF_ROOM])
                    for c in tower.live.cases.values()
                    if c.room_id == room_id and EventKind.OUT_OF_ROOM in c.milestones]
            fact_at = session.end_min + OVERTIME_ALERT_MIN
            happened = bool(outs) and max(outs) > fact_at
            for t, score in overtime.items():
                raised = _first(seen, ("overtime", room_id), t)
                if raised is not None:
                    score.alerted += 1
                    score.true_alerts += happened  # right, even if late (recall: early only)
                if happened:
                    score.positives += 1
                    if raised is not None and raised < fact_at:
                        score.caught += 1
                        score.lead_min.append(fact_at - raised)
        for case in planned:
            state = tower.live.cases.get(case.case_id)
            cancelled_at = None
            if state is not None and state.cancelled in FORESEEABLE and state.cancelled_at \
                    and state.cancelled_at.date() == sim_day.day:
                cancelled_at = tower.clock.minutes(state.cancelled_at)
            for t, score in cancel.items():
                raised = _first(seen, ("late_cancellation", case.case_id), t)
                if raised is not None:
                    score.alerted += 1
                    if cancelled_at is not None and raised <= cancelled_at:
                        score.true_alerts += 1
                if cancelled_at is not None:
                    score.positives += 1
                    if raised is not None and raised <= cancelled_at:
                        score.caught += 1
                        score.lead_min.append(cancelled_at - raised)
    return {"overtime": {t: s.row() for t, s in overtime.items()},
            "late_cancellation": {t: s.row() for t, s in cancel.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="small")
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--durations", choices=("predict", "truth"), default="predict")
    parser.add_argument("--thresholds", default=",".join(f"{t:g}" for t in THRESHOLDS),
                        help="comma-separated alert thresholds to judge (one pass)")
    args = parser.parse_args()
    grid = tuple(sorted({float(x) for x in args.thresholds.split(",")}))
    table = evaluate_grid(args.scale, args.days, args.seed, durations=args.durations, grid=grid)
    defaults = Thresholds()
    for kind, rows in table.items():
        default = defaults.overtime_risk if kind == "overtime" else defaults.cancel_risk
        for t, row in rows.items():
            print(json.dumps({"alert": kind, "scale": args.scale, "days": args.days,
                              "seed": args.seed, "durations": args.durations, "threshold": t,
                              "default": t == default, **row}))


if __name__ == "__main__":
    main()
