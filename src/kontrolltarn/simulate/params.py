"""The environment's parameters: what the world does, whatever the policy decides.

Calibration (docs/simulation.md) sets these so that, under the baseline policy, the default
hospital reproduces its reported situation. Policies never change them; a comparison of two
policies runs both in the same environment with common random numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from kontrolltarn.model import ModelError


@dataclass(frozen=True)
class EnvironmentParams:
    # ---- the day in the room ---------------------------------------------------------------
    #: mean minutes the first case of an elective session starts late (exponential); the
    #: generator's history uses 18 minutes, the figure today's practice shows
    late_start_mean_min: float = 18.0
    #: chance a patient arrives late at the department, and the mean delay (exponential)
    late_arrival_share: float = 0.08
    late_arrival_mean_min: float = 20.0
    #: minutes from calling a patient (porter sent) to arrival at the department
    transport_min: int = 15
    #: spread of turnover (cleaning, preparation) around the specialty's figure (share of it)
    turnover_spread: float = 0.3
    #: the duration spread multiplier on the truth's log-normal sigma (1.0 = the generator's)
    duration_sigma_factor: float = 1.0

    # ---- patients ----------------------------------------------------------------------------
    #: chance a dated patient cancels with notice (1–14 days before the date): illness, travel
    patient_early_cancel_share: float = 0.06
    #: chance a dated patient cancels after 16:00 the day before (ill, declines) on top of the
    #: truth's per-referral no-show chance (which happens on the day)
    patient_late_cancel_share: float = 0.003
    #: odds multiplier of a late patient cancellation when told less than 7 days before the date
    #: (the generator's cancellation logit: +0.6 log-odds, exp(0.6) ≈ 1.8)
    short_notice_odds: float = 1.8
    #: chance the anaesthetist finds the patient unfit on the day (medical cancellation), and
    #: the extra chance per readiness item still open when the case was planned
    medical_cancel_share: float = 0.006
    medical_cancel_per_gap: float = 0.15
    #: share of late-cancelled patients who leave the waiting list (treated elsewhere, declined)
    removed_after_cancel_share: float = 0.10
    #: mean days until a missing readiness item (assessment, consent …) is in place
    readiness_mean_days: float = 21.0

    # ---- staff -------------------------------------------------------------------------------
    #: chance a staffed elective session is closed with notice (staff shortage announced 1–10
    #: days ahead, after the program was made)
    session_closed_notice_share: float = 0.035
    #: chance a session is closed on the day (staff sick in the morning)
    session_closed_on_day_share: float = 0.006
    #: chance a surgeon-day becomes unavailable at short notice (sick, called to emergencies),
    #: announced 0–3 days before
    surgeon_short_notice_share: float = 0.03

    # ---- post-operative beds ----------------------------------------------------------------
    #: chance a location has a bed crunch on a day (ward or ICU full of emergencies and long
    #: stays), and the share of its post-operative beds that are then lost
    bed_crunch_share: float = 0.12
    bed_crunch_loss: float = 0.35

    # ---- emergencies -------------------------------------------------------------------------
    #: emergency operations per day relative to the scale's figure (1.0 = the generator's)
    emergency_rate_factor: float = 1.0

    # ---- demand ------------------------------------------------------------------------------
    #: referrals arriving relative to the history's elective volume (the scale's figure is 1.03,
    #: set for the generator's own fill rule; today's planner operates fewer a year, and at
    #: 1.03 the list grows by about 10,000 a year — see docs/simulation.md)
    referral_rate_factor: float = 0.90

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int | float) or value < 0:
                raise ModelError(f"environment.{f.name}", value, "must be a non-negative number")
            if f.name.endswith("_share") and value > 1:
                raise ModelError(f"environment.{f.name}", value, "a share must be between 0 and 1")
