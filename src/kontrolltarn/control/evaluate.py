"""Are the alerts worth looking at? Precision, recall and lead time over simulated days.

Each simulated day (``kontrolltarn.simulate``) is replayed into a fresh tower; every
``step_min`` minutes the alerts are taken, and each alert's first raising is judged against what
then happened:
- overtime: the room's last patient left more than 30 minutes after the staffed end. Precision
  counts every alert that came true; recall and lead time only alerts raised before staffed
  end + 30 min (lead time = that point − first alert);
- late cancellation: the case was cancelled on the day for capacity or an emergency (what the
  forecast can see coming); lead time = cancellation − first alert.

    python -m kontrolltarn.control.evaluate --scale small --days 28
"""

from __future__ import annotations

import argparse
import json
import statistics
from dataclasses import dataclass, field

from kontrolltarn.model import CancellationReason, EventKind

from .alerts import Thresholds
from .forecast import OVERTIME_ALERT_MIN
from .live import PlannedCase
from .tower import Tower

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


def evaluate(scale: str = "small", days: int = 28, seed: int = 1, step_min: int = 15,
             thresholds: Thresholds | None = None) -> dict[str, dict[str, float | int | None]]:
    from kontrolltarn.simulate import BaselinePolicy, simulate
    from kontrolltarn.simulate.replay import day_stream
    from kontrolltarn.synth import generate

    synthetic = generate(scale=scale, seed=seed)
    result = simulate(synthetic, BaselinePolicy(), days=days, seed=seed, keep_programs=True)
    hospital = synthetic.hospital
    overtime, cancel = Score(), Score()
    for sim_day in day_stream(result):
        planned = [PlannedCase(e.case_id, e.room_id, e.session_id, e.start_min, e.planned_min,
                               e.order) for e in sim_day.program.entries]
        tower = Tower(hospital, sim_day.day, planned, thresholds=thresholds)
        events = list(sim_day.events)
        first_alert: dict[tuple[str, str], float] = {}
        i = 0
        for minute in range(7 * 60, 21 * 60 + 1, step_min):
            now = tower.clock.at(minute)
            while i < len(events) and events[i].at <= now:
                tower.live.apply(events[i])
                i += 1
            for room_id in tower.sessions:
                forecast = tower.forecast(room_id, now)
                for alert in tower.alerts(forecast, now):
                    if alert.kind in ("overtime", "late_cancellation"):
                        key = (alert.kind, alert.case_id or alert.room_id)
                        first_alert.setdefault(key, minute)
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
            raised = first_alert.get(("overtime", room_id))
            if raised is not None:
                overtime.alerted += 1
                overtime.true_alerts += happened  # right, even if late (recall counts only early)
            if happened:
                overtime.positives += 1
                if raised is not None and raised < fact_at:
                    overtime.caught += 1
                    overtime.lead_min.append(fact_at - raised)
        for case in planned:
            state = tower.live.cases.get(case.case_id)
            cancelled_at = None
            if state is not None and state.cancelled in FORESEEABLE and state.cancelled_at \
                    and state.cancelled_at.date() == sim_day.day:
                cancelled_at = tower.clock.minutes(state.cancelled_at)
            raised = first_alert.get(("late_cancellation", case.case_id))
            if raised is not None:
                cancel.alerted += 1
                if cancelled_at is not None and raised <= cancelled_at:
                    cancel.true_alerts += 1
            if cancelled_at is not None:
                cancel.positives += 1
                if raised is not None and raised <= cancelled_at:
                    cancel.caught += 1
                    cancel.lead_min.append(cancelled_at - raised)
    return {"overtime": overtime.row(), "late_cancellation": cancel.row()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="small")
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--overtime-threshold", type=float, default=Thresholds.overtime_risk)
    parser.add_argument("--cancel-threshold", type=float, default=Thresholds.cancel_risk)
    args = parser.parse_args()
    thresholds = Thresholds(overtime_risk=args.overtime_threshold,
                            cancel_risk=args.cancel_threshold)
    scores = evaluate(args.scale, args.days, args.seed, thresholds=thresholds)
    for kind, row in scores.items():
        print(json.dumps({"alert": kind, "scale": args.scale, "days": args.days,
                          "threshold": thresholds.overtime_risk if kind == "overtime"
                          else thresholds.cancel_risk, **row}))


if __name__ == "__main__":
    main()
