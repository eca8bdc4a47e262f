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

    # ---- what the control practice's levers meet (issue 18; sources in docs/simulation.md) ----
    #: odds ratio of a patient's late cancellation (the day before or on the day, no-show
    #: included) after a pre-operative confirmation contact 3–7 days ahead. Randomised evidence:
    #: AMBUPROG (Gaucher et al., PLOS One 2016;11:e0147194, 3,900 patients, 11 hospitals),
    #: 5.6 % against 5.8 %, adjusted OR 0.91 [0.65–1.29], not significant; intention to treat
    #: (68.8 % of the arm were reached), so reach is included. Before/after reports of up to
    #: 53 % fewer are not used: randomised evidence wins.
    confirmation_contact_odds_ratio: float = 0.91
    #: share of waiting patients who accept a date offered at short notice (under 7 days: a
    #: standby call, a refill by phone). No trial figure; Logvinov et al., Anesth Analg 2018
    #: (doi 10.1213/ANE.0000000000002273): 58–59 % would take surgery within 4 workdays with
    #: another surgeon; Leicester (Eur J Orthop Surg Traumatol 2015;25:77–81): up to 16–18 %
    #: cannot take a date within 6 weeks. Assumption, conservative below the 58 % (a call the
    #: day before is shorter notice than 4 workdays): half accept. Applies to every
    #: practice's short-notice calls.
    short_notice_accept_share: float = 0.5
    #: mean days until a missing readiness item is in place once it is chased with a date (a
    #: named person, a booked test). No public figure found; assumption: a third faster than
    #: the unchased 21 days (readiness_mean_days), i.e. 14 days.
    readiness_chased_mean_days: float = 14.0
    #: share of patients who, calling to cancel their own date (with notice, or after 16:00 the
    #: day before), take a new date offered on the same call; the rest ask to be called again
    #: and go back to the waiting list. No public figure for "on the same call" found; bounded
    #: above by Hänninen-Khoda et al., JPRAS Open 2018;18:38–48 (doi 10.1016/j.jpra.2018.08.002,
    #: Helsinki University Hospital): 66 % of patient-related late cancellations were operated
    #: later at all. Assumption: half, as for short notice. A trait of the patient's referral,
    #: drawn once (the same under every practice); only a practice that offers a date on the
    #: call meets it (no-shows do not call, so never).
    date_on_call_accept_share: float = 0.5
    #: share of patients with a named surgeon who, that surgeon away on their date, accept
    #: another surgeon of the team with the competence on the same date (asked by phone). Logvinov
    #: et al., Anesth Analg 2018 (doi 10.1213/ANE.0000000000002273): 58–59 % would take surgery
    #: within 4 workdays with another surgeon; keeping one's own date is asked for less, so the
    #: figure is conservative. A trait of the patient's referral, drawn once; only a practice
    #: that asks meets it.
    stand_in_accept_share: float = 0.58

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
    #: (kept as calibrated; for scale: a UK trust reported lack of beds as 21.8 % of its day-of-
    #: surgery cancellations, Dimitriadis et al., Int J Surg 2013;11:1126–30 — here no-bed
    #: cancellations are 2–3 %, so the environment is, if anything, mild on beds)
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
