"""A hand-made IHTC instance small enough to compute every count by hand (test helper)."""

from __future__ import annotations

import copy
from typing import Any

TINY_INSTANCE: dict[str, Any] = {
    "days": 3,
    "skill_levels": 3,
    "shift_types": ["early", "late", "night"],
    "age_groups": ["young", "old"],
    "occupants": [
        {"id": "o0", "gender": "A", "age_group": "young", "length_of_stay": 1,
         "workload_produced": [1, 1, 1], "skill_level_required": [0, 0, 0], "room_id": "r0"},
    ],
    "patients": [
        {"id": "p0", "mandatory": True, "gender": "A", "age_group": "young",
         "length_of_stay": 2, "surgery_release_day": 0, "surgery_due_day": 1,
         "surgery_duration": 100, "surgeon_id": "s0", "incompatible_room_ids": ["r1"],
         "workload_produced": [1, 1, 1, 1, 1, 1], "skill_level_required": [1, 1, 1, 2, 2, 2]},
        {"id": "p1", "mandatory": False, "gender": "B", "age_group": "old",
         "length_of_stay": 1, "surgery_release_day": 1, "surgery_duration": 120,
         "surgeon_id": "s1", "incompatible_room_ids": [],
         "workload_produced": [12, 0, 0], "skill_level_required": [0, 0, 0]},
        {"id": "p2", "mandatory": False, "gender": "B", "age_group": "old",
         "length_of_stay": 1, "surgery_release_day": 0, "surgery_duration": 100,
         "surgeon_id": "s0", "incompatible_room_ids": [],
         "workload_produced": [0, 0, 0], "skill_level_required": [0, 0, 0]},
    ],
    "surgeons": [{"id": "s0", "max_surgery_time": [150, 150, 150]},
                 {"id": "s1", "max_surgery_time": [300, 300, 300]}],
    "operating_theaters": [{"id": "t0", "availability": [300, 300, 300]},
                           {"id": "t1", "availability": [100, 100, 100]}],
    "rooms": [{"id": "r0", "capacity": 2}, {"id": "r1", "capacity": 1}],
    "nurses": [
        {"id": "n0", "skill_level": 1, "working_shifts": [
            {"day": d, "shift": s, "max_load": 10} for d in range(3)
            for s in ("early", "late", "night")]},
        {"id": "n1", "skill_level": 0, "working_shifts": [
            {"day": 0, "shift": "early", "max_load": 1}]},
    ],
    "weights": {"room_mixed_age": 1, "room_nurse_skill": 2, "continuity_of_care": 3,
                "nurse_eccessive_workload": 4, "open_operating_theater": 5,
                "surgeon_transfer": 6, "patient_delay": 7, "unscheduled_optional": 8},
}

# Feasible: p0 day 0 in r0, p1 day 1 in r1, p2 postponed; n0 has both rooms in every shift.
TINY_SOLUTION: dict[str, Any] = {
    "patients": [
        {"id": "p0", "admission_day": 0, "room": "r0", "operating_theater": "t0"},
        {"id": "p1", "admission_day": 1, "room": "r1", "operating_theater": "t0"},
        {"id": "p2", "admission_day": "none"},
    ],
    "nurses": [
        {"id": "n0", "assignments": [{"day": d, "shift": s, "rooms": ["r0", "r1"]}
                                     for d in range(3) for s in ("early", "late", "night")]},
        {"id": "n1", "assignments": [{"day": 0, "shift": "early", "rooms": []}]},
    ],
}
# By hand: skill 3 shifts x gap 1 (p0 day 1) = 3; continuity o0, p0, p1 see n0 only = 3;
# workload day-1 early: p0 1 + p1 12 = 13 > 10 -> 3; open theaters t0 on days 0, 1 = 2;
# p2 postponed = 1. Total 3*2 + 3*3 + 3*4 + 2*5 + 1*8 = 45.
TINY_COSTS = {"RoomAgeMix": 0, "RoomSkillLevel": 3, "ContinuityOfCare": 3,
              "ExcessiveNurseWorkload": 3, "OpenOperatingTheater": 2, "SurgeonTransfer": 0,
              "PatientDelay": 0, "ElectiveUnscheduledPatients": 1}
TINY_TOTAL = 45


def patient(solution: dict[str, Any], pid: str) -> dict[str, Any]:
    return next(p for p in solution["patients"] if p["id"] == pid)


def broken(kind: str) -> tuple[dict[str, Any], int]:
    """TINY_SOLUTION with exactly one hard constraint broken; returns it and the count."""
    sol = copy.deepcopy(TINY_SOLUTION)
    if kind == "RoomGenderMix":  # p1 (B) joins p0 (A) in r0 on day 1
        patient(sol, "p1")["room"] = "r0"
        return sol, 1
    if kind == "PatientRoomCompatibility":  # p0 into r1, which it may not use; p1 to r0
        patient(sol, "p0")["room"] = "r1"
        patient(sol, "p1").update(room="r0", admission_day=2)
        return sol, 1
    if kind == "SurgeonOvertime":  # p2 on day 0: s0 has 200 of 150 minutes
        patient(sol, "p2").update(admission_day=0, room="r1", operating_theater="t0")
        return sol, 50
    if kind == "OperatingTheaterOvertime":  # p1 (120 min) in t1 (100 min)
        patient(sol, "p1")["operating_theater"] = "t1"
        return sol, 20
    if kind == "MandatoryUnscheduledPatients":
        patient(sol, "p0")["admission_day"] = "none"
        return sol, 1
    if kind == "AdmissionDay":  # p1 is released on day 1
        patient(sol, "p1")["admission_day"] = 0
        return sol, 1
    if kind == "RoomCapacity":  # p2 joins p1 in the single room r1 on day 1
        patient(sol, "p2").update(admission_day=1, room="r1", operating_theater="t0")
        return sol, 1
    if kind == "NursePresence":  # n1 works only day 0 early
        sol["nurses"][1]["assignments"].append({"day": 1, "shift": "early", "rooms": ["r0"]})
        return sol, 1
    if kind == "UncoveredRoom":  # nobody looks after r1 on day 1 (3 shifts)
        for a in sol["nurses"][0]["assignments"]:
            if a["day"] == 1:
                a["rooms"] = ["r0"]
        return sol, 3
    raise ValueError(kind)
