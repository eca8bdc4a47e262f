"""IHTC-2024 integrated planning: problem types, the independent evaluator, and solvers.

Modules: ``model`` (data types), ``evaluator`` (the judge, imports no solver code),
``state`` / ``construct`` / ``anneal`` / ``exact`` / ``solve`` (the solvers).
"""
