"""Discrete-event simulation of the operating department, days to years, under pluggable policies.

``simulate(hospital, truth, policy, days=365, seed=0)`` runs the planning cycle and the days of a
hospital, sampling what really happens from a truth model (``model.TruthModel``, e.g. the
generator's ``synth.truth.Truth``), and returns the event log and the plan history;
``kontrolltarn.kpi`` measures them. ``replay.day_stream`` yields a simulated day's events with its
program, for the control tower; ``replay.play_day`` plays one day of a given program (the demo's
replay).
"""

from .engine import SimulationResult, execution_log, simulate
from .params import EnvironmentParams
from .policies import BaselinePolicy, OptimisedPolicy
from .policy import CoordinatorRules, Policy

__all__ = ["BaselinePolicy", "CoordinatorRules", "EnvironmentParams", "OptimisedPolicy", "Policy",
           "SimulationResult", "execution_log", "simulate"]
