"""Duration models in the planner: the predict adapter's batch path and context, conditioning on
the surgeon and location a case gets, and the benchmark's truth for the assigned surgeon."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

from kontrolltarn.model import LogNormal
from kontrolltarn.plan.check import check
from kontrolltarn.plan.program import HistoryDurations, PredictAdapter, plan_program

FAST = 4.0
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def small(small_synthetic):
    return small_synthetic


@pytest.fixture(scope="module")
def estimator(small):
    return HistoryDurations.fit(small.history)


class _Batch:
    """A stand-in for the predict DurationModel: a batch path and a per-referral path."""

    def __init__(self) -> None:
        self.calls: list[dict[str, object]] = []
        self.batches = 0

    def predict_lognormal(self, frame):
        self.batches += 1
        return np.full(len(frame), 100.0), np.full(len(frame), 0.2)

    def distribution(self, referral, hospital, **context):
        self.calls.append(context)
        return LogNormal(50.0, 0.1)


def test_predict_adapter_batches_a_waiting_list_and_passes_context(small):
    h = small.hospital
    referrals = [r for r in h.referrals if r.ready][:20]
    model = _Batch()
    adapter = PredictAdapter(model, location_id=h.locations[0].id)
    adapter.prefetch(referrals, h)
    assert model.batches == 1
    assert adapter.distribution(referrals[0], h) == LogNormal(100.0, 0.2)
    assert not model.calls  # served from the batch
    other = next(r for r in h.referrals if r not in referrals)
    assert adapter.distribution(other, h) == LogNormal(50.0, 0.1)
    assert model.calls == [{"location_id": h.locations[0].id}]


def test_history_durations_condition_on_surgeon_and_location(small, estimator):
    h = small.hospital
    referral = next(r for r in h.referrals if r.surgeon_id is None and r.ready)
    surgeon = max(estimator.surgeon_effect, key=lambda s: abs(estimator.surgeon_effect[s]))
    location = max(estimator.location_effect, key=lambda loc: abs(estimator.location_effect[loc]))
    plain = estimator.distribution(referral, h)
    assert estimator.conditional(referral, h) == plain
    done = estimator.conditional(referral, h, surgeon_id=surgeon, location_id=location)
    expected = estimator.surgeon_effect[surgeon] + estimator.location_effect[location]
    assert math.log(done.median / plain.median) == pytest.approx(expected)
    assert done.sigma == plain.sigma
    named = next(r for r in h.referrals if r.surgeon_id is not None)
    # a named surgeon is never replaced by the session's
    assert estimator.conditional(named, h, surgeon_id=surgeon).median == \
        pytest.approx(estimator.distribution(named, h).median)


class _Doubled:
    """Conditioned durations twice the plain ones: visible in the planned minutes."""

    def __init__(self, base: HistoryDurations) -> None:
        self.base = base
        self.asked: set[str | None] = set()

    def distribution(self, referral, hospital):
        return self.base.distribution(referral, hospital)

    def conditional(self, referral, hospital, *, surgeon_id=None, location_id=None):
        self.asked.add(surgeon_id)
        d = self.base.distribution(referral, hospital)
        return LogNormal(d.median * 2, d.sigma)


def test_conditioned_plan_uses_the_assigned_surgeons_durations_and_passes_check(small, estimator):
    h = small.hospital
    source = _Doubled(estimator)
    plan = plan_program(h, h.today, 1, durations=source, time_limit=FAST, condition=True)
    assert check(plan.hospital, plan.program).feasible
    assert plan.program.entries
    assert source.asked - {None}  # asked for the surgeons who would operate
    for e in plan.program.entries:
        d = estimator.distribution(h.referral_by_id[e.case_id], h)
        assert e.planned_min == max(1, round(2 * d.mean))
        referral = h.referral_by_id[e.case_id]
        assert referral.surgeon_id in (None, e.surgeon_id)
    assert plan.stats["sessions_solved_to_optimality"] <= plan.stats["sessions"]
    plain = plan_program(h, h.today, 1, durations=source, time_limit=FAST)
    assert sum(e.planned_min for e in plain.program.entries) > 0


def test_benchmark_truth_for_the_assigned_surgeon(small, estimator):
    spec = importlib.util.spec_from_file_location("bench_program", ROOT / "benchmarks" / "program.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    h = small.hospital
    plan = plan_program(h, h.today, 1, durations=estimator, time_limit=FAST)
    truth = bench.assigned_truth(small, plan.program)
    assert set(truth) == plan.program.case_ids()
    for e in plan.program.entries:
        r = h.referral_by_id[e.case_id]
        p = h.patient_by_id[r.patient_id]
        assert truth[e.case_id] == small.truth.duration(
            r.procedure_code, e.surgeon_id, h.room_by_id[e.room_id].location_id, p.asa, p.bmi,
            p.age_on(h.today))
    kpis = bench.expected_kpis(h, plan.program, truth, h.today, 1, 50, 0)
    assert 0 < kpis["utilisation_with_turnover"] <= 1
    assert kpis["utilisation_in_room"] <= kpis["utilisation_with_turnover"]
