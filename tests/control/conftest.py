from __future__ import annotations

from datetime import date

import pytest

from kontrolltarn.model import Hospital, PlannedCase, Program
from kontrolltarn.plan.registry import get_planner
from kontrolltarn.synth import generate


@pytest.fixture(scope="session")
def small_day() -> tuple[Hospital, date, Program]:
    hospital = generate(scale="small", seed=1).hospital
    program = get_planner("baseline")(hospital, hospital.today, 1)
    return hospital, hospital.today, program


def planned_cases(program: Program) -> list[PlannedCase]:
    return [PlannedCase(e) for e in program.entries]
