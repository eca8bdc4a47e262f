"""Durations in the planner: predict's one source conditions on the surgeon and location a case
gets, the planner plans with what it is asked, and the benchmark's truth for the assigned surgeon."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kontrolltarn.experiments.program_truth import assigned_truth, expected_kpis
from kontrolltarn.model import LogNormal
from kontrolltarn.plan.check import check
from kontrolltarn.plan.program import plan_program
from kontrolltarn.predict import Case, CaseDurations
from kontrolltarn.predict.durations import case_row

FAST = 4.0


@pytest.fixture(scope="module")
def small(small_synthetic):  # type: ignore[no-untyped-def]
    return small_synthetic


@pytest.fixture(scope="module")
def durations(small):  # type: ignore[no-untyped-def]
    return CaseDurations.from_history(small.history)


def test_conditioning_shifts_the_median_by_the_surgeon_and_location_effects(small, durations):
    h = small.hospital
    model = durations.model
    referral = next(r for r in h.referrals if r.surgeon_id is None and r.ready)
    surgeons = {s.id for s in h.surgeons()}
    surgeon = max(surgeons, key=lambda s: abs(model.level_effect("surgeon_id", s)))
    location = max((loc.id for loc in h.locations),
                   key=lambda loc: abs(model.level_effect("location_id", loc)))
    plain = durations.distribution(referral, h)
    done = durations.distribution(referral, h, surgeon_id=surgeon, location_id=location)
    expected = model.level_effect("surgeon_id", surgeon) + model.level_effect("location_id", location)
    assert expected != 0
    assert math.log(done.median / plain.median) == pytest.approx(expected)
    # the spread swaps an unknown surgeon's and location's prior variance for theirs
    assert done.sigma**2 / model.spread_factor**2 == pytest.approx(
        plain.sigma**2 / model.spread_factor**2
        + model.level_variance("surgeon_id", surgeon) - model.level_variance("surgeon_id", None)
        + model.level_variance("location_id", location) - model.level_variance("location_id", None))
    # the shortcut is the model's own prediction of the row with that context
    median, sigma = model.predict_lognormal(pd.DataFrame([case_row(
        referral, h, surgeon_id=surgeon, location_id=location)]))
    assert done.median == pytest.approx(float(median[0]))
    assert done.sigma == pytest.approx(float(sigma[0]))
    named = next(r for r in h.referrals if r.surgeon_id is not None)
    alone = durations.distribution(named, h)
    assert alone.median == pytest.approx(durations.distribution(
        named, h, surgeon_id=named.surgeon_id).median)


def test_a_batch_and_single_cases_agree(small, durations):
    h = small.hospital
    referrals = list(h.referrals[:30])
    fresh = CaseDurations(durations.model)
    one_by_one = [fresh.distribution(r, h) for r in referrals]
    batched = CaseDurations(durations.model)
    batched.prefetch(referrals, h)
    together = [batched.distribution(r, h) for r in referrals]
    assert [d.median for d in together] == pytest.approx([d.median for d in one_by_one])
    assert [d.sigma for d in together] == pytest.approx([d.sigma for d in one_by_one])


def test_without_history_the_procedure_distribution_and_the_specialty_turnover(small):
    h = small.hospital
    fallback = CaseDurations.from_history([])
    assert fallback.model is None
    referral = h.referrals[0]
    assert fallback.distribution(referral, h, surgeon_id="anyone") == \
        h.procedure_by_id[referral.procedure_code].duration
    assert fallback.turnover(referral, h) == h.specialty_by_id[referral.specialty_id].turnover_min


class _Doubled:
    """Durations twice the source's when a surgeon is given: visible in the planned minutes."""

    def __init__(self, base: CaseDurations) -> None:
        self.base = base
        self.asked: set[str | None] = set()

    def distribution(self, case: Case, hospital, *, surgeon_id=None, location_id=None):  # type: ignore[no-untyped-def]
        self.asked.add(surgeon_id)
        d = self.base.distribution(case, hospital)
        return LogNormal(d.median * (2 if surgeon_id else 1), d.sigma)

    def prefetch(self, cases, hospital) -> None:  # type: ignore[no-untyped-def]
        self.base.prefetch(cases, hospital)

    def turnover(self, case, hospital) -> int:  # type: ignore[no-untyped-def]
        return self.base.turnover(case, hospital)


def test_conditioned_plan_uses_the_assigned_surgeons_durations_and_passes_check(small, durations):
    h = small.hospital
    source = _Doubled(durations)
    plan = plan_program(h, h.today, 1, durations=source, time_limit=FAST)
    assert check(plan.hospital, plan.program).feasible
    assert plan.program.entries
    assert source.asked - {None}  # asked for the surgeons who would operate
    for e in plan.program.entries:
        d = durations.distribution(h.referral_by_id[e.case_id], h)
        assert e.planned_min == max(1, round(2 * d.mean))
        referral = h.referral_by_id[e.case_id]
        assert referral.surgeon_id in (None, e.surgeon_id)
    assert plan.stats["sessions_solved_to_optimality"] <= plan.stats["sessions"]
    plain = plan_program(h, h.today, 1, durations=source, time_limit=FAST, condition=False)
    assert sum(e.planned_min for e in plain.program.entries) > 0


def test_benchmark_truth_for_the_assigned_surgeon(small, durations):
    h = small.hospital
    plan = plan_program(h, h.today, 1, durations=durations, time_limit=FAST)
    truth = assigned_truth(small.hospital, small.truth, plan.program)
    assert set(truth) == plan.program.case_ids()
    for e in plan.program.entries:
        r = h.referral_by_id[e.case_id]
        p = h.patient_by_id[r.patient_id]
        assert truth[e.case_id] == small.truth.duration(
            r.procedure_code, e.surgeon_id, h.room_by_id[e.room_id].location_id, p.asa, p.bmi,
            p.age_on(h.today))
    kpis = expected_kpis(h, plan.program, truth, h.today, 1, 50, 0)
    assert 0 < kpis["utilisation_with_turnover"] <= 1
    assert kpis["utilisation_in_room"] <= kpis["utilisation_with_turnover"]
