"""A program judged against a truth model: the KPIs to expect when each case takes its *true*
duration, never the planner's own estimate (solvers never judge themselves).

Each planned case is sampled from ``truth.duration`` for the surgeon the program assigns at the
location of its room (how the synthetic history was generated and how the simulator runs a
program); the cases of a session run back to back from its staffed start with the specialty's
turnover. The KPI definitions are ``kpi.measures``' (through ``kpi.expected``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import numpy as np

from kontrolltarn.kpi.expected import expected_use, summarise
from kontrolltarn.model import Hospital, LogNormal, Program, TruthModel


def assigned_truth(hospital: Hospital, truth: TruthModel, program: Program) -> dict[str, LogNormal]:
    """The true duration of each planned elective case as the program will have it done."""
    result: dict[str, LogNormal] = {}
    for e in program.entries:
        r = hospital.referral_by_id.get(e.case_id)
        if r is None:
            continue
        patient = hospital.patient_by_id[r.patient_id]
        result[e.case_id] = truth.duration(r.procedure_code, e.surgeon_id,
                                           hospital.room_by_id[e.room_id].location_id, patient.asa,
                                           patient.bmi, patient.age_on(hospital.today))
    return result


def expected_kpis(hospital: Hospital, program: Program, truth_duration: Mapping[str, LogNormal],
                  first: date, days: int, samples: int, seed: int) -> dict[str, float]:
    """Expected session KPIs of ``program`` over the elective sessions of ``days`` days from
    ``first`` (``kpi.expected.summarise``'s keys), from ``samples`` draws of every duration."""
    rng = np.random.default_rng(seed)
    last = first + timedelta(days=days - 1)
    sessions = [s for s in hospital.sessions_between(first, last) if not s.emergency]
    by_session = program.by_session()
    uses = []
    for s in sessions:
        entries = by_session.get(s.id, [])
        durations = np.empty((samples, len(entries)))
        for j, e in enumerate(entries):
            d = truth_duration[e.case_id]
            durations[:, j] = d.median * np.exp(d.sigma * rng.standard_normal(samples))
        turnovers = np.array([hospital.specialty_by_id[_specialty(hospital, e.case_id)].turnover_min
                              for e in entries], dtype=float)
        uses.append(expected_use(s.staffed_min, durations, turnovers))
    return summarise(uses)


def _specialty(hospital: Hospital, case_id: str) -> str:
    referral = hospital.referral_by_id.get(case_id)
    if referral is not None:
        return referral.specialty_id
    return hospital.emergency_by_id[case_id].specialty_id
