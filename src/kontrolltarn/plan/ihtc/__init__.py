"""IHTC-2024 integrated planning: the independent evaluator and the solvers.

What a user calls: ``solve`` (parallel annealing searches), ``solve_exact`` /
``solve_exact_warm`` (the CP-SAT model for small instances, with a proven bound), ``evaluate``
and ``format_report`` (the judge, which imports no solver code), ``variant`` (unseen instances
to try the solver on) and ``is_compiled`` (whether the annealer runs compiled). The problem's
types (``Instance``, ``Solution``) live in ``kontrolltarn.model.ihtc``; files are read and
written by ``kontrolltarn.formats.ihtc``.

Modules: ``evaluator`` (the judge), ``state`` / ``construct`` / ``anneal`` / ``nurses`` /
``heuristic`` (the annealing solver), ``exact`` (the CP-SAT model), ``variants``, ``native``
(the compiled annealer's build check).
"""

from kontrolltarn.plan.ihtc.native import drop_stale_build as _drop_stale_build

_drop_stale_build()  # before anything imports ``state`` or ``anneal``

from .evaluator import Evaluation, evaluate, format_report  # noqa: E402
from .exact import ExactResult, solve_exact  # noqa: E402
from .heuristic import SearchResult, solve, solve_exact_warm  # noqa: E402
from .native import is_compiled  # noqa: E402
from .variants import variant  # noqa: E402

__all__ = ["Evaluation", "ExactResult", "SearchResult", "evaluate", "format_report",
           "is_compiled", "solve", "solve_exact", "solve_exact_warm", "variant"]
