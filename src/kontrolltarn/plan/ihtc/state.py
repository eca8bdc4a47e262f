"""Incremental solver state for the IHTC: apply a change, get its exact cost delta.

Plain Python lists (not numpy): the moves touch a handful of scalars each, where list indexing
beats numpy's per-call overhead by an order of magnitude.

People are "entities": patients 0..P-1, then occupants P..P+O-1 (fixed room, admitted day 0).
Every room has a rostered nurse in every shift (empty rooms cost nothing), so a room can never
be uncovered; the hard constraints are kept by only applying changes that ``can_admit`` accepts.
The one hard constraint allowed to be broken is "mandatory patient admitted": it costs
``mandatory_penalty`` so that a search can pass through such states and leave them.
"""

from __future__ import annotations

from kontrolltarn.model.ihtc import Admission, Instance, Solution


def _age_range(counts: list[int]) -> int:
    lo = -1
    hi = -1
    for i, c in enumerate(counts):
        if c:
            if lo < 0:
                lo = i
            hi = i
    return hi - lo if lo >= 0 else 0


class State:
    def __init__(self, inst: Instance, mandatory_penalty: int = 1_000_000) -> None:
        self.inst = inst
        self.P = P = len(inst.patients)
        self.E = P + len(inst.occupants)
        self.D = D = inst.days
        self.spd = spd = inst.shifts_per_day
        self.S = S = inst.shifts
        self.R = R = len(inst.rooms)
        self.T = T = len(inst.theaters)
        self.N = N = len(inst.nurses)
        U = len(inst.surgeons)
        A = len(inst.age_groups)
        people = list(inst.patients) + list(inst.occupants)
        self.gender = [0 if q.gender == "A" else 1 for q in people]
        self.age = [q.age_group for q in people]
        self.los = [q.length_of_stay for q in people]
        self.work = [q.workload for q in people]
        self.req = [q.skill_required for q in people]
        self.release = [p.release_day for p in inst.patients]
        self.last = [inst.last_possible_day(i) for i in range(P)]
        self.dur = [p.surgery_duration for p in inst.patients]
        self.surgeon = [p.surgeon for p in inst.patients]
        self.mandatory = [p.mandatory for p in inst.patients]
        self.optional = [p for p in range(P) if not inst.patients[p].mandatory]
        self.allowed_rooms = [[r for r in range(R) if r not in p.incompatible_rooms]
                              for p in inst.patients]
        self.compatible = [[r not in p.incompatible_rooms for r in range(R)] for p in inst.patients]
        self.cap = [r.capacity for r in inst.rooms]
        self.ot_avail = [list(t.availability) for t in inst.theaters]
        self.surg_max = [list(u.max_surgery_time) for u in inst.surgeons]
        self.nskill = [n.skill_level for n in inst.nurses]
        self.nmax = [[n.max_load.get(s, 0) for s in range(S)] for n in inst.nurses]
        self.working = [[n for n in range(N) if inst.nurses[n].works(s)] for s in range(S)]
        self.day_ok = [all(self.working[d * spd + k] for k in range(spd)) for d in range(D)]
        self.w = inst.weights
        self.penalty = mandatory_penalty
        # per-patient price of a waiting mandatory patient (raised adaptively in the repair)
        self.pen = [mandatory_penalty] * P
        self.admit_optional = True  # False during the feasibility phase

        self.adm = [-1] * self.E
        self.room = [-1] * self.E
        self.ot = [-1] * P
        self.members: list[list[list[int]]] = [[[] for _ in range(D)] for _ in range(R)]
        self.gcount = [[[0, 0] for _ in range(D)] for _ in range(R)]
        self.acount = [[[0] * A for _ in range(D)] for _ in range(R)]
        self.rs_load = [[0] * S for _ in range(R)]
        self.rs_nurse = [[-1] * S for _ in range(R)]
        self.ns_load = [[0] * S for _ in range(N)]
        self.seen: list[dict[int, int]] = [{} for _ in range(self.E)]
        self.ot_load = [[0] * D for _ in range(T)]
        self.ot_count = [[0] * D for _ in range(T)]
        self.s_load = [[0] * D for _ in range(U)]
        self.s_ot = [[[0] * T for _ in range(D)] for _ in range(U)]
        self.s_nots = [[0] * D for _ in range(U)]
        # Every patient starts postponed; that is the whole cost at the start.
        self.cost = sum(mandatory_penalty if m else self.w[7] for m in self.mandatory)
        self.waiting = sum(self.mandatory)  # mandatory patients not admitted

    # ----------------------------------------------------------------- nurses
    def set_nurse(self, r: int, s: int, n: int) -> int:
        """Give room r in shift s to nurse n (who must work in s). Returns the cost delta."""
        old = self.rs_nurse[r][s]
        if old == n:
            return 0
        w = self.w
        delta = 0
        load = self.rs_load[r][s]
        if load and old >= 0:
            nl = self.ns_load[old]
            before = nl[s]
            after = before - load
            nl[s] = after
            mx = self.nmax[old][s]
            if before > mx:
                delta -= w[3] * (before - (after if after > mx else mx))
        if load:
            nl = self.ns_load[n]
            before = nl[s]
            after = before + load
            nl[s] = after
            mx = self.nmax[n][s]
            if after > mx:
                delta += w[3] * (after - (before if before > mx else mx))
        d = s // self.spd
        sk_new = self.nskill[n]
        sk_old = self.nskill[old] if old >= 0 else 0
        spd = self.spd
        for e in self.members[r][d]:
            q = self.req[e][s - self.adm[e] * spd]
            g_new = q - sk_new if q > sk_new else 0
            g_old = q - sk_old if q > sk_old else 0
            delta += w[1] * (g_new - g_old)
            sn = self.seen[e]
            if old >= 0:
                c = sn[old] - 1
                if c:
                    sn[old] = c
                else:
                    del sn[old]
                    delta -= w[2]
            if n in sn:
                sn[n] += 1
            else:
                sn[n] = 1
                delta += w[2]
        self.rs_nurse[r][s] = n
        self.cost += delta
        return delta

    # ---------------------------------------------------------------- rooms
    def _enter(self, e: int, d: int, r: int) -> int:
        w = self.w
        w0, w1, w3 = w[0], w[1], w[3]
        spd = self.spd
        work = self.work[e]
        req = self.req[e]
        g = self.gender[e]
        a = self.age[e]
        seen = self.seen[e]
        rs_load = self.rs_load[r]
        rs_nurse = self.rs_nurse[r]
        members = self.members[r]
        gcount = self.gcount[r]
        acount = self.acount[r]
        ns_load = self.ns_load
        nmax = self.nmax
        nskill = self.nskill
        delta = 0
        end = min(self.D, d + self.los[e])
        for dd in range(d, end):
            ac = acount[dd]
            if ac[a]:  # the age group is already present: the range cannot change
                ac[a] += 1
            else:
                before = _age_range(ac)
                ac[a] = 1
                delta += w0 * (_age_range(ac) - before)
            members[dd].append(e)
            gcount[dd][g] += 1
            base = dd * spd
            rel = (dd - d) * spd
            for s in range(base, base + spd):
                wl = work[rel]
                n = rs_nurse[s]
                rs_load[s] += wl
                nl = ns_load[n]
                old = nl[s]
                new = old + wl
                nl[s] = new
                mx = nmax[n][s]
                if new > mx:
                    delta += w3 * (new - (old if old > mx else mx))
                gap = req[rel] - nskill[n]
                if gap > 0:
                    delta += w1 * gap
                if n in seen:
                    seen[n] += 1
                else:
                    seen[n] = 1
                rel += 1
        delta += w[2] * len(seen)
        self.adm[e] = d
        self.room[e] = r
        return delta

    def _leave(self, e: int) -> int:
        d = self.adm[e]
        r = self.room[e]
        w = self.w
        w0, w1, w3 = w[0], w[1], w[3]
        spd = self.spd
        work = self.work[e]
        req = self.req[e]
        g = self.gender[e]
        a = self.age[e]
        rs_load = self.rs_load[r]
        rs_nurse = self.rs_nurse[r]
        members = self.members[r]
        gcount = self.gcount[r]
        acount = self.acount[r]
        ns_load = self.ns_load
        nmax = self.nmax
        nskill = self.nskill
        seen = self.seen[e]
        delta = -w[2] * len(seen)
        seen.clear()
        end = min(self.D, d + self.los[e])
        for dd in range(d, end):
            ac = acount[dd]
            if ac[a] > 1:
                ac[a] -= 1
            else:
                before = _age_range(ac)
                ac[a] = 0
                delta += w0 * (_age_range(ac) - before)
            members[dd].remove(e)
            gcount[dd][g] -= 1
            base = dd * spd
            rel = (dd - d) * spd
            for s in range(base, base + spd):
                wl = work[rel]
                n = rs_nurse[s]
                rs_load[s] -= wl
                nl = ns_load[n]
                old = nl[s]
                new = old - wl
                nl[s] = new
                mx = nmax[n][s]
                if old > mx:
                    delta -= w3 * (old - (new if new > mx else mx))
                gap = req[rel] - nskill[n]
                if gap > 0:
                    delta -= w1 * gap
                rel += 1
        self.adm[e] = -1
        self.room[e] = -1
        return delta

    # ------------------------------------------------------------- surgery
    def _book(self, p: int, d: int, t: int) -> int:
        w = self.w
        delta = 0
        dur = self.dur[p]
        if self.ot_count[t][d] == 0:
            delta += w[4]
        self.ot_count[t][d] += 1
        self.ot_load[t][d] += dur
        u = self.surgeon[p]
        counts = self.s_ot[u][d]
        if counts[t] == 0:
            if self.s_nots[u][d]:
                delta += w[5]
            self.s_nots[u][d] += 1
        counts[t] += 1
        self.s_load[u][d] += dur
        delta += w[6] * (d - self.release[p])
        if self.mandatory[p]:
            delta -= self.pen[p]
            self.waiting -= 1
        else:
            delta -= w[7]
        self.ot[p] = t
        return delta

    def _unbook(self, p: int) -> int:
        w = self.w
        d = self.adm[p]
        t = self.ot[p]
        delta = 0
        dur = self.dur[p]
        self.ot_count[t][d] -= 1
        if self.ot_count[t][d] == 0:
            delta -= w[4]
        self.ot_load[t][d] -= dur
        u = self.surgeon[p]
        counts = self.s_ot[u][d]
        counts[t] -= 1
        if counts[t] == 0:
            self.s_nots[u][d] -= 1
            if self.s_nots[u][d]:
                delta -= w[5]
        self.s_load[u][d] -= dur
        delta -= w[6] * (d - self.release[p])
        if self.mandatory[p]:
            delta += self.pen[p]
            self.waiting += 1
        else:
            delta += w[7]
        self.ot[p] = -1
        return delta

    # --------------------------------------------------------------- public
    def can_admit(self, p: int, d: int, r: int, t: int) -> bool:
        """Would admitting patient p (currently postponed) on day d, room r, theater t keep
        every hard constraint?"""
        if d < self.release[p] or d > self.last[p] or not self.compatible[p][r]:
            return False
        dur = self.dur[p]
        if self.ot_load[t][d] + dur > self.ot_avail[t][d]:
            return False
        u = self.surgeon[p]
        if self.s_load[u][d] + dur > self.surg_max[u][d]:
            return False
        return self.room_fits(p, d, r)

    def room_fits(self, e: int, d: int, r: int) -> bool:
        cap = self.cap[r]
        other = 1 - self.gender[e]
        members = self.members[r]
        gcount = self.gcount[r]
        day_ok = self.day_ok
        for dd in range(d, min(self.D, d + self.los[e])):
            if len(members[dd]) >= cap or gcount[dd][other] or not day_ok[dd]:
                return False
        return True

    def admit(self, p: int, d: int, r: int, t: int) -> int:
        delta = self._book(p, d, t) + self._enter(p, d, r)
        self.cost += delta
        return delta

    def postpone(self, p: int) -> int:
        delta = self._leave_and_unbook(p)
        self.cost += delta
        return delta

    def _leave_and_unbook(self, p: int) -> int:
        delta = self._unbook(p)
        return delta + self._leave(p)

    def place_occupants(self) -> None:
        for o, occ in enumerate(self.inst.occupants):
            self.cost += self._enter(self.P + o, 0, occ.room)

    # --------------------------------------------------------- conversions
    def to_solution(self) -> Solution:
        admissions: list[Admission | None] = [
            Admission(self.adm[p], self.room[p], self.ot[p]) if self.adm[p] >= 0 else None
            for p in range(self.P)]
        nurse_rooms = []
        spd = self.spd
        for r in range(self.R):
            for s in range(self.S):
                if self.members[r][s // spd]:
                    nurse_rooms.append((self.rs_nurse[r][s], s, r))
        return Solution(admissions=admissions, nurse_rooms=nurse_rooms)

    def snapshot(self) -> tuple[list[int], list[int], list[int], list[list[int]]]:
        return (self.adm[: self.P], self.room[: self.P], self.ot[:],
                [row[:] for row in self.rs_nurse])

    def solution_from(self, snap: tuple[list[int], list[int], list[int], list[list[int]]]
                      ) -> Solution:
        adm, room, ot, rs_nurse = snap
        admissions: list[Admission | None] = [
            Admission(adm[p], room[p], ot[p]) if adm[p] >= 0 else None for p in range(self.P)]
        occupied = [[False] * self.D for _ in range(self.R)]
        for e in range(self.E):
            if e < self.P:
                d0, r = adm[e], room[e]
            else:
                d0, r = 0, self.inst.occupants[e - self.P].room
            if d0 < 0:
                continue
            for d in range(d0, min(self.D, d0 + self.los[e])):
                occupied[r][d] = True
        nurse_rooms = [(rs_nurse[r][s], s, r) for r in range(self.R) for s in range(self.S)
                       if occupied[r][s // self.spd]]
        return Solution(admissions=admissions, nurse_rooms=nurse_rooms)
