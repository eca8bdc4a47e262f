"""Unseen IHTC instances made from a known one, for robustness runs.

``variant(data, seed)`` returns a new instance (official JSON, as a dict) that no solver setting
was tuned on. Every change either only loosens a hard constraint or touches soft costs only, so
any solution feasible for the base instance stays feasible for the variant (a test holds the
organisers' solutions to that). A solver that ends with a hard violation on a variant has
therefore failed on an instance known to be feasible.

Changes, each drawn per item from the seed:
- the order of patients, occupants, surgeons, theaters, rooms and nurses (ids kept);
- the eight weights, each times 0.5, 1, 2 or 3 (at least 1);
- surgeon and theater minutes on working days, plus 0, 30 or 60;
- a room's capacity plus one (one room in five);
- a mandatory patient made optional (one in ten); an incompatible room dropped (one in five);
- nurses' skill levels and maximum loads, patients' required skills and workloads (soft only).
"""

from __future__ import annotations

import copy
import random
from typing import Any

WEIGHT_FACTORS = (0.5, 1.0, 2.0, 3.0)
EXTRA_MINUTES = (0, 0, 30, 60)


def variant(data: dict[str, Any], seed: int) -> dict[str, Any]:
    """A loosened, re-weighted, reordered copy of the instance ``data`` (see module docstring)."""
    rng = random.Random(seed)
    out = copy.deepcopy(data)
    for key in ("patients", "occupants", "surgeons", "operating_theaters", "rooms", "nurses"):
        rng.shuffle(out[key])
    out["weights"] = {name: max(1, round(value * rng.choice(WEIGHT_FACTORS)))
                      for name, value in out["weights"].items()}
    for surgeon in out["surgeons"]:
        surgeon["max_surgery_time"] = [m + rng.choice(EXTRA_MINUTES) if m > 0 else 0
                                       for m in surgeon["max_surgery_time"]]
    for theater in out["operating_theaters"]:
        theater["availability"] = [m + rng.choice(EXTRA_MINUTES) if m > 0 else 0
                                   for m in theater["availability"]]
    for room in out["rooms"]:
        if rng.random() < 0.2:
            room["capacity"] += 1
    top_skill = int(out["skill_levels"]) - 1
    for patient in out["patients"]:
        if patient["mandatory"] and rng.random() < 0.1:
            patient["mandatory"] = False
            patient.pop("surgery_due_day", None)
        if patient["incompatible_room_ids"] and rng.random() < 0.2:
            patient["incompatible_room_ids"].pop(rng.randrange(len(patient["incompatible_room_ids"])))
    for person in out["patients"] + out["occupants"]:
        person["skill_level_required"] = [_nudge(rng, s, 0, top_skill)
                                          for s in person["skill_level_required"]]
        person["workload_produced"] = [_nudge(rng, w, 1, None) for w in person["workload_produced"]]
    for nurse in out["nurses"]:
        nurse["skill_level"] = _nudge(rng, nurse["skill_level"], 0, top_skill)
        for shift in nurse["working_shifts"]:
            shift["max_load"] = max(1, round(shift["max_load"] * rng.uniform(0.8, 1.2)))
    return out


def _nudge(rng: random.Random, value: int, low: int, high: int | None) -> int:
    """``value`` moved by -1, 0 or +1 (mostly 0), kept in [low, high]."""
    moved = value + rng.choice((-1, 0, 0, 0, 1))
    moved = max(low, moved)
    return moved if high is None else min(high, moved)
