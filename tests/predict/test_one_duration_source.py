"""One duration path: the planner, the simulator's optimised policy and the control tower ask
predict's one ``DurationSource`` and see the same case alike (issue 17, part 3)."""

from __future__ import annotations

from typing import Any

import pytest

from kontrolltarn.control import Tower
from kontrolltarn.model import Hospital, LogNormal, PlannedCase, ProgramEntry
from kontrolltarn.plan.program import plan_program
from kontrolltarn.plan.registry import get_planner
from kontrolltarn.predict import CaseDurations
from kontrolltarn.simulate.policies import OptimisedPolicy, make_policy

FAST = 4.0


def _as_done(durations: CaseDurations, hospital: Hospital, e: ProgramEntry) -> LogNormal:
    return durations.distribution(hospital.referral_by_id[e.case_id], hospital,
                                  surgeon_id=e.surgeon_id,
                                  location_id=hospital.room_by_id[e.room_id].location_id)


def test_planner_simulator_and_tower_see_a_case_alike(small_synth: Any) -> None:
    h = small_synth.hospital
    source = CaseDurations.from_history(small_synth.history)
    policy = make_policy("optimised", small_synth.history)
    assert isinstance(policy, OptimisedPolicy) and isinstance(policy.durations, CaseDurations)

    planned = plan_program(h, h.today, 1, durations=source, time_limit=FAST).program
    # the simulator's policy plans through the registry planner with its own durations
    simulated = get_planner("optimise")(h, h.today, 1, time_limit=FAST,
                                        durations=policy.durations)
    for program in (planned, simulated):
        assert program.entries
        tower = Tower(h, h.today, [PlannedCase(e) for e in program.entries], durations=source)
        for e in program.entries:
            ours = _as_done(source, h, e)
            theirs = _as_done(policy.durations, h, e)
            seen = tower.distribution(e.case_id)
            assert (theirs.median, theirs.sigma) == pytest.approx((ours.median, ours.sigma))
            assert (seen.median, seen.sigma) == pytest.approx((ours.median, ours.sigma))
            # each planner booked the case for its mean as done by that surgeon there
            assert e.planned_min == max(1, round(ours.mean))
            referral = h.referral_by_id[e.case_id]
            assert tower.turnover(e.case_id) == source.turnover(referral, h) == \
                h.specialty_by_id[referral.specialty_id].turnover_min
