"""Read IHTC-2024 instances and solutions, write solutions, in the official JSON format.

All-or-nothing: a malformed file raises ``ModelError`` naming the field (as a JSON path) and
the offending value; nothing is returned half-read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kontrolltarn.model import ModelError
from kontrolltarn.model.ihtc import (
    WEIGHT_FIELDS,
    Admission,
    Instance,
    Nurse,
    Occupant,
    Patient,
    Room,
    Solution,
    Surgeon,
    Theater,
)


def _load(source: str | Path | Mapping[str, Any], what: str) -> Mapping[str, Any]:
    if isinstance(source, Mapping):
        return source
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ModelError(what, str(path), f"cannot read file: {exc.strerror}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ModelError(what, str(path), f"not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ModelError(what, str(path), "top level must be a JSON object")
    return data


def _get(obj: Mapping[str, Any], key: str, path: str) -> Any:
    if not isinstance(obj, Mapping):
        raise ModelError(path, obj, "must be a JSON object")
    if key not in obj:
        raise ModelError(f"{path}.{key}" if path else key, None, "missing field")
    return obj[key]


def _int(value: Any, path: str, *, minimum: int | None = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ModelError(path, value, "must be an integer")
    if minimum is not None and value < minimum:
        raise ModelError(path, value, f"must be >= {minimum}")
    return value


def _str(value: Any, path: str) -> str:
    if not isinstance(value, str) or value == "":
        raise ModelError(path, value, "must be a non-empty string")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise ModelError(path, value if not isinstance(value, (dict, str)) else type(value).__name__,
                         "must be a JSON array")
    return value


def _int_vector(value: Any, path: str, length: int, *, minimum: int = 0) -> tuple[int, ...]:
    items = _list(value, path)
    if len(items) != length:
        raise ModelError(path, len(items), f"must have length {length}")
    return tuple(_int(v, f"{path}[{i}]", minimum=minimum) for i, v in enumerate(items))


def _index(ids: dict[str, int], value: Any, path: str, kind: str) -> int:
    key = _str(value, path)
    if key not in ids:
        raise ModelError(path, key, f"unknown {kind} id")
    return ids[key]


def _unique_ids(items: list[Any], path: str) -> dict[str, int]:
    ids: dict[str, int] = {}
    for i, item in enumerate(items):
        key = _str(_get(item, "id", f"{path}[{i}]"), f"{path}[{i}].id")
        if key in ids:
            raise ModelError(f"{path}[{i}].id", key, "duplicate id")
        ids[key] = i
    return ids


def _gender(value: Any, path: str) -> str:
    if value not in ("A", "B"):
        raise ModelError(path, value, "must be 'A' or 'B'")
    return str(value)


def read_instance(source: str | Path | Mapping[str, Any], *, name: str = "") -> Instance:
    """Parse an IHTC instance (file path or already-decoded JSON object)."""
    data = _load(source, "instance")
    if not name and not isinstance(source, Mapping):
        name = Path(source).stem
    days = _int(_get(data, "days", ""), "days", minimum=1)
    skill_levels = _int(_get(data, "skill_levels", ""), "skill_levels", minimum=1)
    shift_types = tuple(_str(s, f"shift_types[{i}]")
                        for i, s in enumerate(_list(_get(data, "shift_types", ""), "shift_types")))
    if not shift_types or len(set(shift_types)) != len(shift_types):
        raise ModelError("shift_types", list(shift_types), "must be non-empty and distinct")
    spd = len(shift_types)
    age_names = tuple(_str(s, f"age_groups[{i}]")
                      for i, s in enumerate(_list(_get(data, "age_groups", ""), "age_groups")))
    if not age_names or len(set(age_names)) != len(age_names):
        raise ModelError("age_groups", list(age_names), "must be non-empty and distinct")
    ages = {a: i for i, a in enumerate(age_names)}

    weights_obj = _get(data, "weights", "")
    weights = tuple(_int(_get(weights_obj, f, "weights"), f"weights.{f}") for f in WEIGHT_FIELDS)

    raw_surgeons = _list(_get(data, "surgeons", ""), "surgeons")
    surgeon_ids = _unique_ids(raw_surgeons, "surgeons")
    surgeons = tuple(
        Surgeon(id=s["id"], max_surgery_time=_int_vector(
            _get(s, "max_surgery_time", f"surgeons[{i}]"), f"surgeons[{i}].max_surgery_time", days))
        for i, s in enumerate(raw_surgeons))

    raw_theaters = _list(_get(data, "operating_theaters", ""), "operating_theaters")
    _unique_ids(raw_theaters, "operating_theaters")
    theaters = tuple(
        Theater(id=t["id"], availability=_int_vector(
            _get(t, "availability", f"operating_theaters[{i}]"),
            f"operating_theaters[{i}].availability", days))
        for i, t in enumerate(raw_theaters))

    raw_rooms = _list(_get(data, "rooms", ""), "rooms")
    room_ids = _unique_ids(raw_rooms, "rooms")
    rooms = tuple(Room(id=r["id"], capacity=_int(_get(r, "capacity", f"rooms[{i}]"),
                                                f"rooms[{i}].capacity"))
                  for i, r in enumerate(raw_rooms))

    raw_occupants = _list(_get(data, "occupants", ""), "occupants")
    _unique_ids(raw_occupants, "occupants")
    occupants = []
    for i, o in enumerate(raw_occupants):
        path = f"occupants[{i}]"
        los = _int(_get(o, "length_of_stay", path), f"{path}.length_of_stay", minimum=1)
        occupants.append(Occupant(
            id=o["id"],
            gender=_gender(_get(o, "gender", path), f"{path}.gender"),
            age_group=_index(ages, _get(o, "age_group", path), f"{path}.age_group", "age group"),
            length_of_stay=los,
            workload=_int_vector(_get(o, "workload_produced", path),
                                 f"{path}.workload_produced", los * spd),
            skill_required=_int_vector(_get(o, "skill_level_required", path),
                                       f"{path}.skill_level_required", los * spd),
            room=_index(room_ids, _get(o, "room_id", path), f"{path}.room_id", "room"),
        ))

    raw_patients = _list(_get(data, "patients", ""), "patients")
    _unique_ids(raw_patients, "patients")
    patients = []
    for i, p in enumerate(raw_patients):
        path = f"patients[{i}]"
        mandatory = _get(p, "mandatory", path)
        if not isinstance(mandatory, bool):
            raise ModelError(f"{path}.mandatory", mandatory, "must be true or false")
        los = _int(_get(p, "length_of_stay", path), f"{path}.length_of_stay", minimum=1)
        release = _int(_get(p, "surgery_release_day", path), f"{path}.surgery_release_day")
        due = None
        if mandatory:
            due = _int(_get(p, "surgery_due_day", path), f"{path}.surgery_due_day")
            if due < release:
                raise ModelError(f"{path}.surgery_due_day", due, "is before the release day")
        raw_incompatible = p.get("incompatible_room_ids")
        incompatible = frozenset(
            _index(room_ids, r, f"{path}.incompatible_room_ids[{k}]", "room")
            for k, r in enumerate(_list(raw_incompatible, f"{path}.incompatible_room_ids")
                                  if raw_incompatible is not None else []))
        patients.append(Patient(
            id=p["id"],
            mandatory=mandatory,
            gender=_gender(_get(p, "gender", path), f"{path}.gender"),
            age_group=_index(ages, _get(p, "age_group", path), f"{path}.age_group", "age group"),
            length_of_stay=los,
            release_day=release,
            due_day=due,
            surgery_duration=_int(_get(p, "surgery_duration", path), f"{path}.surgery_duration"),
            surgeon=_index(surgeon_ids, _get(p, "surgeon_id", path), f"{path}.surgeon_id",
                           "surgeon"),
            incompatible_rooms=incompatible,
            workload=_int_vector(_get(p, "workload_produced", path),
                                 f"{path}.workload_produced", los * spd),
            skill_required=_int_vector(_get(p, "skill_level_required", path),
                                       f"{path}.skill_level_required", los * spd),
        ))

    raw_nurses = _list(_get(data, "nurses", ""), "nurses")
    _unique_ids(raw_nurses, "nurses")
    shift_ids = {s: k for k, s in enumerate(shift_types)}
    nurses = []
    for i, n in enumerate(raw_nurses):
        path = f"nurses[{i}]"
        loads: dict[int, int] = {}
        for k, ws in enumerate(_list(_get(n, "working_shifts", path), f"{path}.working_shifts")):
            wpath = f"{path}.working_shifts[{k}]"
            day = _int(_get(ws, "day", wpath), f"{wpath}.day")
            if day >= days:
                raise ModelError(f"{wpath}.day", day, f"must be < days ({days})")
            shift = day * spd + _index(shift_ids, _get(ws, "shift", wpath), f"{wpath}.shift",
                                       "shift type")
            if shift in loads:
                raise ModelError(wpath, ws, "shift listed twice")
            loads[shift] = _int(_get(ws, "max_load", wpath), f"{wpath}.max_load")
        nurses.append(Nurse(id=n["id"],
                            skill_level=_int(_get(n, "skill_level", path), f"{path}.skill_level"),
                            max_load=loads))

    return Instance(days=days, skill_levels=skill_levels, shift_types=shift_types,
                    age_groups=age_names, occupants=tuple(occupants), patients=tuple(patients),
                    surgeons=surgeons, theaters=theaters, rooms=rooms, nurses=tuple(nurses),
                    weights=weights, name=name)


def read_solution(instance: Instance, source: str | Path | Mapping[str, Any]) -> Solution:
    """Parse a solution for ``instance``. Patients not listed are postponed (as the validator)."""
    data = _load(source, "solution")
    pat_ids = {p.id: i for i, p in enumerate(instance.patients)}
    room_ids = {r.id: i for i, r in enumerate(instance.rooms)}
    ot_ids = {t.id: i for i, t in enumerate(instance.theaters)}
    nurse_ids = {n.id: i for i, n in enumerate(instance.nurses)}
    shift_ids = {s: k for k, s in enumerate(instance.shift_types)}
    spd = instance.shifts_per_day

    admissions: list[Admission | None] = [None] * len(instance.patients)
    seen: set[int] = set()
    for i, entry in enumerate(_list(_get(data, "patients", ""), "patients")):
        path = f"patients[{i}]"
        p = _index(pat_ids, _get(entry, "id", path), f"{path}.id", "patient")
        if p in seen:
            raise ModelError(f"{path}.id", entry["id"], "patient listed twice")
        seen.add(p)
        day = _get(entry, "admission_day", path)
        if day == "none":
            continue
        day = _int(day, f"{path}.admission_day")
        if day >= instance.days:
            raise ModelError(f"{path}.admission_day", day,
                             f"must be 'none' or a day < {instance.days}")
        admissions[p] = Admission(
            day=day,
            room=_index(room_ids, _get(entry, "room", path), f"{path}.room", "room"),
            theater=_index(ot_ids, _get(entry, "operating_theater", path),
                           f"{path}.operating_theater", "operating theater"))

    nurse_rooms: list[tuple[int, int, int]] = []
    for i, entry in enumerate(_list(_get(data, "nurses", ""), "nurses")):
        path = f"nurses[{i}]"
        n = _index(nurse_ids, _get(entry, "id", path), f"{path}.id", "nurse")
        for k, a in enumerate(_list(_get(entry, "assignments", path), f"{path}.assignments")):
            apath = f"{path}.assignments[{k}]"
            day = _int(_get(a, "day", apath), f"{apath}.day")
            if day >= instance.days:
                raise ModelError(f"{apath}.day", day, f"must be < days ({instance.days})")
            shift = day * spd + _index(shift_ids, _get(a, "shift", apath), f"{apath}.shift",
                                       "shift type")
            for j, r in enumerate(_list(_get(a, "rooms", apath), f"{apath}.rooms")):
                nurse_rooms.append((n, shift, _index(room_ids, r, f"{apath}.rooms[{j}]", "room")))
    return Solution(admissions=admissions, nurse_rooms=nurse_rooms)


def solution_to_json(instance: Instance, solution: Solution) -> dict[str, Any]:
    """The official solution object. Every nurse lists every shift of her roster."""
    spd = instance.shifts_per_day
    patients: list[dict[str, Any]] = []
    for p, adm in enumerate(solution.admissions):
        if adm is None:
            patients.append({"id": instance.patients[p].id, "admission_day": "none"})
        else:
            patients.append({"id": instance.patients[p].id, "admission_day": adm.day,
                             "room": instance.rooms[adm.room].id,
                             "operating_theater": instance.theaters[adm.theater].id})
    per_nurse_shift: dict[tuple[int, int], list[str]] = {}
    for n, s, r in solution.nurse_rooms:
        per_nurse_shift.setdefault((n, s), []).append(instance.rooms[r].id)
    nurses = []
    for n, nurse in enumerate(instance.nurses):
        shifts = sorted(set(nurse.max_load) | {s for (m, s) in per_nurse_shift if m == n})
        nurses.append({"id": nurse.id, "assignments": [
            {"day": s // spd, "shift": instance.shift_types[s % spd],
             "rooms": per_nurse_shift.get((n, s), [])} for s in shifts]})
    return {"patients": patients, "nurses": nurses}


def write_solution(instance: Instance, solution: Solution, path: str | Path) -> None:
    """Write atomically (temp file then rename) so an interrupted run never leaves half a file."""
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(json.dumps(solution_to_json(instance, solution), indent=1) + "\n",
                   encoding="utf-8")
    tmp.replace(target)

