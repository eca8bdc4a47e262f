"""Why a coordinator's decision cannot be applied: the rule of ``plan.check`` it would break."""

from __future__ import annotations

from kontrolltarn.model import Hospital, ModelError, Program, ProgramEntry
from kontrolltarn.plan.check import check
from kontrolltarn.plan.check.report import Level


class RepairRefused(ModelError):
    """The decision would break a hard rule (``rule``, named as in ``plan.check``); nothing was
    changed."""

    def __init__(self, field: str, value: object, rule: str, detail: str) -> None:
        self.rule = rule
        super().__init__(field, value, f"refused, it would break {rule!r}: {detail}")


def broken_rule(hospital: Hospital, others: list[ProgramEntry],
                placed: list[ProgramEntry]) -> tuple[str, str]:
    """The first hard rule that ``placed`` breaks among ``others`` (the rest of their day), as
    ``plan.check`` names it, with its detail; breaches the day had before are not counted."""
    moved = {e.case_id for e in placed}
    before = {(v.constraint, v.refs) for v in check(hospital, Program(tuple(others))).violations}
    after = check(hospital, Program(tuple(others + placed)))
    for v in after.violations:
        if v.level is Level.HARD and (v.constraint, v.refs) not in before and moved & set(v.refs):
            return v.constraint, v.detail
    for v in after.violations:  # a breach of the whole day (beds, equipment) names no case
        if v.level is Level.HARD and (v.constraint, v.refs) not in before:
            return v.constraint, v.detail
    return "no hard rule (the repair's own limits)", "the list leaves no place for it"
