"""A quick chronological roster that breaks no working-time rule, used as CP-SAT's first hint.

Under a loaded machine CP-SAT may spend its whole budget finding a good first roster; starting
from this one it only has to improve. The same rest conflicts and weekly-rest windows as the
model are used, so every assignment made here is one the model allows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date

from .roster import Demand, Person


def greedy_assignment(
    people: Sequence[Person],
    demand: Sequence[Demand],
    covering: Sequence[list[int]],  # per demand line, the instances that cover it
    inst_day: Sequence[int],
    inst_minutes: Sequence[int],
    inst_code: Sequence[str],
    inst_unsocial: Sequence[bool],
    conflicts: Sequence[tuple[int, int]],
    keeps_rest: Callable[[set[int], int], bool],  # weekly rest and Sunday limit held after adding k
    week_limit_min: int,
    total_limit_min: int,
    allowed: Callable[[int, int], bool],  # may person i work instance k at all
    day_of: Callable[[int], date],
) -> set[tuple[int, int]]:
    conflict_of: dict[int, set[int]] = defaultdict(set)
    for a, b in conflicts:
        conflict_of[a].add(b)
        conflict_of[b].add(a)
    assigned: set[tuple[int, int]] = set()
    worked: dict[int, set[int]] = defaultdict(set)  # person -> instances
    week_min: dict[tuple[int, int], int] = defaultdict(int)
    total_min: dict[int, int] = defaultdict(int)
    busy_day: dict[int, set[int]] = defaultdict(set)
    weekends: dict[int, int] = defaultdict(int)
    unsocial: dict[int, int] = defaultdict(int)

    def can(i: int, k: int) -> bool:
        if not allowed(i, k) or inst_day[k] in busy_day[i]:
            return False
        if conflict_of[k] & worked[i]:
            return False
        w = inst_day[k] // 7
        if week_min[(i, w)] + inst_minutes[k] > week_limit_min:
            return False
        if total_min[i] + inst_minutes[k] > total_limit_min:
            return False
        # every 7 days this shift lies in must keep a free weekly-rest window, and no run of
        # Sundays with work may grow past the limit (§ 10-10)
        return keeps_rest(worked[i] | {k}, k)

    order = sorted(range(len(demand)), key=lambda j: (demand[j].start, -len(demand[j].competences)))
    for j in order:
        d = demand[j]
        if not covering[j]:
            continue
        k = covering[j][0]
        present = [i for i in range(len(people)) if any((i, kk) in assigned for kk in covering[j])]
        missing = d.count - len(present)
        comp_missing = {
            c: n - sum(1 for i in present if c in people[i].competences) for c, n in d.competences.items()
        }

        day = day_of(inst_day[k])
        week = inst_day[k] // 7
        is_weekend, is_unsocial = day.weekday() >= 5, inst_unsocial[k]
        # competence first, then wishes, then who has carried fewest weekends/evenings/nights,
        # then who is furthest below contract hours
        ranked = sorted(
            range(len(people)),
            key=lambda i: (
                -sum(1 for c, n in comp_missing.items() if n > 0 and c in people[i].competences),
                int(day in people[i].wants_off) + int(inst_code[k] in people[i].avoid_shifts),
                (weekends[i] if is_weekend else 0) + (unsocial[i] if is_unsocial else 0),
                total_min[i] - people[i].contract_week_min * (week + 1),
                i,
            ),
        )
        for i in ranked:
            if missing <= 0:
                break
            if (i, k) in assigned or not can(i, k):
                continue
            assigned.add((i, k))
            worked[i].add(k)
            busy_day[i].add(inst_day[k])
            week_min[(i, inst_day[k] // 7)] += inst_minutes[k]
            total_min[i] += inst_minutes[k]
            weekends[i] += int(is_weekend)
            unsocial[i] += int(is_unsocial)
            missing -= 1
            for c in comp_missing:
                if c in people[i].competences:
                    comp_missing[c] -= 1
    return assigned
