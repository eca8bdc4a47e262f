"""The environment's answer to the control practice's levers (issue 18): what a confirmation
contact, a short-notice offer and a chased readiness item change, with the cited figures."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest

from kontrolltarn.model import ModelError
from kontrolltarn.simulate import EnvironmentParams
from kontrolltarn.simulate.draws import Draws
from kontrolltarn.simulate.engine import _drain_chased, _patient_trait
from kontrolltarn.simulate.execution import _with_odds
from kontrolltarn.simulate.state import PlanState
from kontrolltarn.synth import generate


def test_a_confirmation_contact_changes_late_cancellations_as_the_trial_found() -> None:
    env = EnvironmentParams()
    # AMBUPROG: 5.8 % in the control arm, adjusted odds ratio 0.91
    assert _with_odds(0.058, env.confirmation_contact_odds_ratio) == pytest.approx(0.0532, abs=5e-4)
    assert _with_odds(0.058, 1.0) == 0.058
    assert _with_odds(1.0, 0.91) == 1.0


def test_short_notice_acceptance_is_a_patient_trait_at_the_environments_share() -> None:
    env = EnvironmentParams(short_notice_accept_share=0.3)
    accepts = _patient_trait(Draws(4), "short-notice", env.short_notice_accept_share)
    answers = [accepts(f"R{k}") for k in range(4000)]
    assert 0.27 < sum(answers) / len(answers) < 0.33
    assert answers == [accepts(f"R{k}") for k in range(4000)]  # asked again: the same answer
    other = _patient_trait(Draws(4), "short-notice", env.short_notice_accept_share)
    assert answers[:200] == [other(f"R{k}") for k in range(200)]  # same seed, same patients


def test_taking_a_date_on_the_call_is_a_trait_of_its_own() -> None:
    """Drawn from its own stream: whether a patient takes a date on the cancellation call says
    nothing of whether they take short notice (both at the environment's half)."""
    env = EnvironmentParams()
    on_call = _patient_trait(Draws(4), "date-on-call", env.date_on_call_accept_share)
    short = _patient_trait(Draws(4), "short-notice", env.short_notice_accept_share)
    answers = [(on_call(f"R{k}"), short(f"R{k}")) for k in range(4000)]
    assert 0.47 < sum(a for a, _ in answers) / len(answers) < 0.53
    both = sum(a and b for a, b in answers) / len(answers)
    assert 0.22 < both < 0.28  # independent: about a quarter take both
    stand_in = _patient_trait(Draws(4), "stand-in", env.stand_in_accept_share)
    assert 0.55 < sum(stand_in(f"R{k}") for k in range(4000)) / 4000 < 0.61  # Logvinov: 58 %


def test_chasing_schedules_an_earlier_completion_and_only_once() -> None:
    small = generate("small", seed=3)
    hospital = small.hospital
    missing = [r for r in hospital.referrals if r.readiness_missing]
    assert missing, "the generator always leaves some readiness gaps"
    state = PlanState(hospital, list(hospital.sessions), [])
    env = EnvironmentParams(readiness_chased_mean_days=2.0)
    readiness: dict[date, list[str]] = defaultdict(list)
    for referral in missing[:20]:
        state.chase(referral.id)
        state.chase(referral.id)  # a second chase of the same items changes nothing
    assert len(state.chased_new) == 20
    _drain_chased(state, Draws(1), env, readiness, hospital.today)
    assert state.chased_new == []
    scheduled = [(d, rid) for d, rids in readiness.items() for rid in rids]
    assert len(scheduled) == 20
    mean_wait = sum((d - hospital.today).days for d, _ in scheduled) / 20
    assert 1 <= mean_wait < 8  # chased with a 2-day mean; never on the same day


def test_lever_figures_are_validated_like_every_environment_figure() -> None:
    with pytest.raises(ModelError, match="short_notice_accept_share"):
        EnvironmentParams(short_notice_accept_share=1.5)
    with pytest.raises(ModelError, match="stand_in_accept_share"):
        EnvironmentParams(stand_in_accept_share=1.2)
    with pytest.raises(ModelError, match="date_on_call_accept_share"):
        EnvironmentParams(date_on_call_accept_share=2.0)
    with pytest.raises(ModelError, match="confirmation_contact_odds_ratio"):
        EnvironmentParams(confirmation_contact_odds_ratio=-0.1)
