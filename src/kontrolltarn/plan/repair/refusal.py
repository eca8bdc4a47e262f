"""Why a coordinator's decision cannot be applied: the rule of ``plan.check`` it would break."""

from __future__ import annotations

from kontrolltarn.model import ModelError


class RepairRefused(ModelError):
    """The decision would break a hard rule (``rule``, named as in ``plan.check``); nothing was
    changed."""

    def __init__(self, field: str, value: object, rule: str, detail: str) -> None:
        self.rule = rule
        super().__init__(field, value, f"refused, it would break {rule!r}: {detail}")
