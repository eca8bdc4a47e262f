"""IHTC-2024 integrated planning: the independent evaluator and the solvers.

What a user calls: ``solve`` (parallel annealing searches), ``solve_exact`` /
``solve_exact_warm`` (the CP-SAT model for small instances, with a proven bound), ``evaluate``
and ``format_report`` (the judge, which imports no solver code), ``variant`` (unseen instances
to try the solver on) and ``is_compiled`` (whether the annealer runs compiled). The problem's
types (``Instance``, ``Solution``) live in ``kontrolltarn.model.ihtc``; files are read and
written by ``kontrolltarn.formats.ihtc``.

Modules: ``evaluator`` (the judge), ``state`` / ``construct`` / ``anneal`` / ``nurses`` /
``heuristic`` (the annealing solver), ``exact`` (the CP-SAT model), ``variants``; the compiled
annealer's build check is ``plan.native``.
"""

from kontrolltarn.plan import native as _native  # first: drops a stale compiled build

from .evaluator import Evaluation, evaluate, format_report
from .exact import ExactResult, solve_exact
from .heuristic import SearchResult, solve, solve_exact_warm
from .variants import variant


def is_compiled() -> bool:
    """True when the annealer in use is the compiled one."""
    return _native.is_compiled("kontrolltarn.plan.ihtc.anneal")


__all__ = ["Evaluation", "ExactResult", "SearchResult", "evaluate", "format_report",
           "is_compiled", "solve", "solve_exact", "solve_exact_warm", "variant"]
