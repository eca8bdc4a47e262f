"""IHTC-2024 integrated planning: problem types, the independent evaluator, and solvers.

Modules: ``model`` (data types), ``evaluator`` (the judge, imports no solver code),
``state`` / ``construct`` / ``anneal`` / ``exact`` / ``solve`` (the solvers).
"""

from kontrolltarn.plan.ihtc.native import drop_stale_build as _drop_stale_build

_drop_stale_build()  # before anything imports ``state`` or ``anneal``
