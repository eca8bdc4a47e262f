"""Patients and referrals: the waiting list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import IntEnum, StrEnum

from .errors import require, require_id, require_minutes


class Priority(IntEnum):
    """Clinical priority of an elective referral; 1 is the most urgent."""

    P1 = 1
    P2 = 2
    P3 = 3
    P4 = 4


class ReadinessItem(StrEnum):
    """What must be in place before a case may be offered a date. Missing pre-operative work
    is a main cause of late cancellation."""

    PROCEDURE = "procedure"  # procedure decided and described
    EQUIPMENT = "equipment"  # equipment and implants specified
    PREOP_ASSESSMENT = "preop_assessment"  # anaesthesia pre-operative assessment done
    BED_NEED = "bed_need"  # post-operative bed need settled
    CONSENT = "consent"  # informed consent recorded


@dataclass(frozen=True, slots=True)
class Patient:
    """A patient. ``national_id`` is a fødselsnummer or D-number where known (synthetic ones
    start with 'SYN')."""

    id: str
    birth_date: date
    sex: str
    asa: int
    bmi: float
    national_id: str | None = None

    def __post_init__(self) -> None:
        require_id(self.id, "patient.id")
        require(self.sex in ("F", "M", "U"), f"patient[{self.id}].sex", self.sex, "must be F, M or U")
        require(isinstance(self.asa, int) and 1 <= self.asa <= 6, f"patient[{self.id}].asa", self.asa,
                "ASA class must be 1..6")
        require(isinstance(self.bmi, int | float) and 10 <= self.bmi <= 90, f"patient[{self.id}].bmi",
                self.bmi, "BMI must be between 10 and 90")

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(frozen=True, slots=True)
class Referral:
    """A referral on the waiting list: one patient, one planned procedure.

    ``booked_min`` is the surgeon's estimate of in-room minutes (biased and noisy, as in practice).
    ``deadline`` is the legal deadline for start of care. ``surgeon_id`` is the named surgeon, if
    any; otherwise any surgeon of the specialty with the procedure's competence may operate.
    ``readiness_missing`` lists what is not yet in place. ``infected`` cases go last in a room.
    """

    id: str
    patient_id: str
    procedure_code: str
    specialty_id: str
    referral_date: date
    priority: Priority
    deadline: date
    booked_min: int
    surgeon_id: str | None = None
    note: str = ""
    readiness_missing: frozenset[ReadinessItem] = frozenset()
    infected: bool = False

    def __post_init__(self) -> None:
        require_id(self.id, "referral.id")
        require_id(self.patient_id, f"referral[{self.id}].patient_id")
        require_id(self.procedure_code, f"referral[{self.id}].procedure_code")
        require(isinstance(self.priority, Priority), f"referral[{self.id}].priority", self.priority,
                "must be a Priority 1..4")
        require(self.deadline >= self.referral_date, f"referral[{self.id}].deadline", self.deadline,
                f"must not be before the referral date {self.referral_date}")
        require_minutes(self.booked_min, f"referral[{self.id}].booked_min", allow_zero=False)

    @property
    def ready(self) -> bool:
        return not self.readiness_missing

    def __hash__(self) -> int:
        return hash(self.id)
