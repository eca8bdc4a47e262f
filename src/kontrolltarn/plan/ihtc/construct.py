"""Fast constructive start: nurses round-robin, then patients greedily, tightest first."""

from __future__ import annotations

import random

from kontrolltarn.plan.ihtc.anneal import anneal
from kontrolltarn.plan.ihtc.state import State

DAYS_TRIED = 3  # feasible admission days compared per patient (earliest first)


def assign_initial_nurses(state: State, rng: random.Random) -> None:
    """Every room gets a rostered nurse in every shift; rooms are still empty, so this is free.

    The same nurse keeps a room across consecutive shifts when she works them (continuity).
    """
    for s in range(state.S):
        nurses = state.working[s]
        if not nurses:
            continue
        order = sorted(nurses, key=lambda n: (-state.nskill[n], rng.random()))
        for r in range(state.R):
            prev = state.rs_nurse[r][s - 1] if s > 0 else -1
            state.rs_nurse[r][s] = prev if prev in nurses else order[r % len(order)]


def best_admission(state: State, p: int) -> tuple[int, int, int, int] | None:
    """Cheapest (delta, day, room, theater) over the first DAYS_TRIED feasible days, or None."""
    best: tuple[int, int, int, int] | None = None
    days_seen = 0
    for d in range(state.release[p], min(state.last[p], state.D - 1) + 1):
        if not state.day_ok[d]:
            continue
        # Theater: the one this surgeon already uses that day, else an open one, else any.
        u = state.surgeon[p]
        theaters = sorted(range(state.T), key=lambda t: (-state.s_ot[u][d][t],
                                                          -(state.ot_count[t][d] > 0), t))
        theater = next((t for t in theaters
                        if state.ot_load[t][d] + state.dur[p] <= state.ot_avail[t][d]), -1)
        if theater < 0:
            continue
        found = False
        for r in state.allowed_rooms[p]:
            if not state.can_admit(p, d, r, theater):
                continue
            found = True
            delta = state.admit(p, d, r, theater)
            state.postpone(p)
            if best is None or delta < best[0]:
                best = (delta, d, r, theater)
        if found:
            days_seen += 1
            if days_seen >= DAYS_TRIED:
                break
    return best


def construct(state: State, rng: random.Random) -> None:
    """Greedy: mandatory patients by due day, then optional ones when admitting them pays."""
    assign_initial_nurses(state, rng)
    state.place_occupants()
    _greedy(state, rng)


def _greedy(state: State, rng: random.Random) -> None:
    mandatory = sorted((p for p in range(state.P) if state.mandatory[p]),
                       key=lambda p: (state.last[p] - state.release[p], state.last[p],
                                      -state.los[p], rng.random()))
    optional = sorted(state.optional, key=lambda p: (state.release[p], -state.los[p],
                                                     rng.random()))
    for p in mandatory + optional:
        if state.adm[p] >= 0:
            continue
        choice = best_admission(state, p)
        if choice is not None and (choice[0] < 0 or state.mandatory[p]):
            state.admit(p, choice[1], choice[2], choice[3])


def rebuild(state: State, mandatory_penalty: int | None = None) -> State:
    """A fresh state with the same decisions, its cost recomputed under the real weights."""
    fresh = State(state.inst, mandatory_penalty if mandatory_penalty is not None
                  else state.penalty)
    fresh.rs_nurse = [row[:] for row in state.rs_nurse]
    fresh.place_occupants()
    for p in range(state.P):
        if state.adm[p] >= 0:
            fresh.admit(p, state.adm[p], state.room[p], state.ot[p])
    return fresh


def repair_mandatory(state: State, rng: random.Random, deadline: float) -> State:
    """Feasibility phase: anneal on 'number of mandatory patients not admitted' alone.

    Optional patients are taken out and every soft weight is zero, so the search moves
    patients freely across plateaus; afterwards the optional patients are added greedily.
    """
    if not state.waiting:
        return state
    probe = rebuild(state)
    for p in probe.optional:
        if probe.adm[p] >= 0:
            probe.postpone(p)
    flat = State(state.inst, mandatory_penalty=1)
    flat.w = (0,) * 8
    flat.rs_nurse = [row[:] for row in probe.rs_nurse]
    flat.place_occupants()
    for p in range(state.P):
        if probe.adm[p] >= 0:
            flat.admit(p, probe.adm[p], probe.room[p], probe.ot[p])
    flat.admit_optional = False
    best, _, _ = anneal(flat, rng, deadline=deadline, cycle_iterations=50_000,
                        stop_when_feasible=True, t_start=0.6, t_end=0.05,
                        ejection_every=3, patients_only=True, raise_waiting_every=500)
    adm, room, ot, _ = best
    result = State(state.inst, state.penalty)
    result.rs_nurse = [row[:] for row in state.rs_nurse]
    result.place_occupants()
    for p in range(state.P):
        if adm[p] >= 0:
            result.admit(p, adm[p], room[p], ot[p])
    _greedy(result, rng)
    return result
