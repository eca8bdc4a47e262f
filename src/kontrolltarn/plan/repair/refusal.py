"""Why a coordinator's decision cannot be applied: the rule of ``plan.check`` it would break."""

from __future__ import annotations

from kontrolltarn.model import Hospital, ModelError, ProgramEntry
from kontrolltarn.plan.check import ProgramState


class RepairRefused(ModelError):
    """The decision would break a hard rule (``rule``, named as in ``plan.check``); nothing was
    changed."""

    def __init__(self, field: str, value: object, rule: str, detail: str) -> None:
        self.rule = rule
        super().__init__(field, value, f"refused, it would break {rule!r}: {detail}")


def broken_rule(hospital: Hospital, others: list[ProgramEntry],
                placed: list[ProgramEntry]) -> tuple[str, str]:
    """The first hard rule that ``placed`` (put in one after the other) breaks among
    ``others``, the rest of their day, as the feasibility kernel of ``plan.check`` names it,
    with its detail."""
    state = ProgramState(hospital, others)
    for entry in placed:
        found = state.violations(entry, first=True)
        if found:
            return found[0].constraint, found[0].detail
        state.add(entry)
    return "no hard rule (the repair's own limits)", "the list leaves no place for it"
