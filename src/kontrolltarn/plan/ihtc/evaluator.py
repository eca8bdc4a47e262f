"""The IHTC judge: reproduces the official validator (``IHTP_Validator.cc``) count for count.

Written from the rules, independent of every solver (it imports no solver code), and kept
deliberately plain: full recomputation from the solution, no incremental tricks.

Where the official validator's behaviour is undefined or aborts, we choose and document:
- a nurse given a room in a shift outside her roster aborts the official validator; here it
  counts one NursePresence violation per such room and shift;
- a room without a nurse adds no RoomSkillLevel cost (it is already an UncoveredRoom violation).
As in the official validator, when several nurses are given the same room and shift, the last
one in the file is the room's nurse (skill, continuity), while every one of them carries the
room's workload.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kontrolltarn.model.ihtc import HARD_LABELS, SOFT_LABELS, Instance, Solution


@dataclass(frozen=True)
class Evaluation:
    violations: dict[str, int]  # HARD_LABELS -> count
    costs: dict[str, int]  # SOFT_LABELS -> unweighted count
    weighted: dict[str, int]  # SOFT_LABELS -> weight x count
    details: list[str] = field(default_factory=list)

    @property
    def total_violations(self) -> int:
        return sum(self.violations.values())

    @property
    def total_cost(self) -> int:
        return sum(self.weighted.values())

    @property
    def feasible(self) -> bool:
        return self.total_violations == 0


def evaluate(instance: Instance, solution: Solution) -> Evaluation:
    """Every hard-violation count and every weighted soft-cost component of ``solution``."""
    inst = instance
    spd = inst.shifts_per_day
    days, n_shifts = inst.days, inst.shifts
    n_pat = len(inst.patients)
    details: list[str] = []
    if len(solution.admissions) != n_pat:
        raise ValueError(f"solution has {len(solution.admissions)} patient entries, "
                         f"instance has {n_pat}")

    # People per room and day: patients (index p) and occupants (index n_pat + o).
    room_day: list[list[list[int]]] = [[[] for _ in range(days)] for _ in inst.rooms]
    admission = [-1] * (n_pat + len(inst.occupants))
    age = [p.age_group for p in inst.patients] + [o.age_group for o in inst.occupants]
    gender = [p.gender for p in inst.patients] + [o.gender for o in inst.occupants]
    workload = [p.workload for p in inst.patients] + [o.workload for o in inst.occupants]
    skill = [p.skill_required for p in inst.patients] + [o.skill_required for o in inst.occupants]
    los = [p.length_of_stay for p in inst.patients] + [o.length_of_stay for o in inst.occupants]
    for p, adm in enumerate(solution.admissions):
        if adm is not None:
            admission[p] = adm.day
            for d in range(adm.day, min(days, adm.day + los[p])):
                room_day[adm.room][d].append(p)
    for o, occ in enumerate(inst.occupants):
        admission[n_pat + o] = 0
        for d in range(min(days, occ.length_of_stay)):
            room_day[occ.room][d].append(n_pat + o)

    room_nurse = [[-1] * n_shifts for _ in inst.rooms]
    nurse_rooms: dict[tuple[int, int], list[int]] = {}
    for n, s, r in solution.nurse_rooms:
        room_nurse[r][s] = n
        nurse_rooms.setdefault((n, s), []).append(r)

    v = dict.fromkeys(HARD_LABELS, 0)
    c = dict.fromkeys(SOFT_LABELS, 0)

    # --- surgery case planning ---
    theater_load = [[0] * days for _ in inst.theaters]
    theater_used = [[False] * days for _ in inst.theaters]
    surgeon_load = [[0] * days for _ in inst.surgeons]
    surgeon_theaters: list[list[set[int]]] = [[set() for _ in range(days)] for _ in inst.surgeons]
    for p, adm in enumerate(solution.admissions):
        patient = inst.patients[p]
        if adm is None:
            if patient.mandatory:
                v["MandatoryUnscheduledPatients"] += 1
                details.append(f"mandatory patient {patient.id} is not admitted")
            else:
                c["ElectiveUnscheduledPatients"] += 1
            continue
        theater_load[adm.theater][adm.day] += patient.surgery_duration
        theater_used[adm.theater][adm.day] = True
        surgeon_load[patient.surgeon][adm.day] += patient.surgery_duration
        surgeon_theaters[patient.surgeon][adm.day].add(adm.theater)
        if adm.day > patient.release_day:
            c["PatientDelay"] += adm.day - patient.release_day
        if adm.day < patient.release_day or adm.day > inst.last_possible_day(p):
            v["AdmissionDay"] += 1
            details.append(f"patient {patient.id} admitted on day {adm.day}, outside "
                           f"[{patient.release_day}, {inst.last_possible_day(p)}]")
        if adm.room in patient.incompatible_rooms:
            v["PatientRoomCompatibility"] += 1
            details.append(f"patient {patient.id} in incompatible room {inst.rooms[adm.room].id}")
    for t, theater in enumerate(inst.theaters):
        for d in range(days):
            over = theater_load[t][d] - theater.availability[d]
            if over > 0:
                v["OperatingTheaterOvertime"] += over
                details.append(f"theater {theater.id} overtime {over} min on day {d}")
            if theater_used[t][d]:
                c["OpenOperatingTheater"] += 1
    for u, surgeon in enumerate(inst.surgeons):
        for d in range(days):
            over = surgeon_load[u][d] - surgeon.max_surgery_time[d]
            if over > 0:
                v["SurgeonOvertime"] += over
                details.append(f"surgeon {surgeon.id} overtime {over} min on day {d}")
            if len(surgeon_theaters[u][d]) > 1:
                c["SurgeonTransfer"] += len(surgeon_theaters[u][d]) - 1

    # --- patient admission scheduling ---
    for r, room in enumerate(inst.rooms):
        for d in range(days):
            people = room_day[r][d]
            if not people:
                continue
            if len(people) > room.capacity:
                v["RoomCapacity"] += len(people) - room.capacity
                details.append(f"room {room.id} over capacity by {len(people) - room.capacity} "
                               f"on day {d}")
            n_a = sum(1 for q in people if gender[q] == "A")
            mixed = min(n_a, len(people) - n_a)
            if mixed:
                v["RoomGenderMix"] += mixed
                details.append(f"room {room.id} gender-mixed {n_a}/{len(people) - n_a} on day {d}")
            ages = [age[q] for q in people]
            c["RoomAgeMix"] += max(ages) - min(ages)

    # --- nurse-to-room assignment ---
    seen_nurses: list[set[int]] = [set() for _ in admission]
    for r, room in enumerate(inst.rooms):
        for s in range(n_shifts):
            d = s // spd
            n = room_nurse[r][s]
            if n == -1:
                if room_day[r][d]:
                    v["UncoveredRoom"] += 1
                    details.append(f"room {room.id} has no nurse in shift {s} (day {d})")
                continue
            nurse = inst.nurses[n]
            if not nurse.works(s):
                v["NursePresence"] += 1
                details.append(f"nurse {nurse.id} given room {room.id} in shift {s} off roster")
            for q in room_day[r][d]:
                rel = s - admission[q] * spd
                gap = skill[q][rel] - nurse.skill_level
                if gap > 0:
                    c["RoomSkillLevel"] += gap
                seen_nurses[q].add(n)
    for (n, s), rooms in nurse_rooms.items():
        nurse = inst.nurses[n]
        if not nurse.works(s):
            continue
        d = s // spd
        load = sum(workload[q][s - admission[q] * spd] for r in rooms for q in room_day[r][d])
        if load > nurse.max_load[s]:
            c["ExcessiveNurseWorkload"] += load - nurse.max_load[s]
    c["ContinuityOfCare"] = sum(len(seen) for q, seen in enumerate(seen_nurses)
                                if admission[q] != -1)

    weighted = {label: c[label] * w for label, w in zip(SOFT_LABELS, inst.weights, strict=True)}
    return Evaluation(violations=v, costs=c, weighted=weighted, details=details)


def format_report(evaluation: Evaluation, weights: tuple[int, ...]) -> str:
    """The validator's printout layout: violations, then weighted costs."""
    lines = ["VIOLATIONS:"]
    for label in HARD_LABELS:
        lines.append(f"{label:.<30}{evaluation.violations[label]:.>5}")
    lines.append(f"Total violations = {evaluation.total_violations}")
    lines.append("")
    lines.append("COSTS (weight X cost):")
    for label, w in zip(SOFT_LABELS, weights, strict=True):
        lines.append(f"{label:.<30}{evaluation.weighted[label]:.>10} "
                     f"({w:>3} X {evaluation.costs[label]:>3})")
    lines.append(f"Total cost = {evaluation.total_cost}")
    return "\n".join(lines)
