"""Simulated annealing over patient and nurse moves with exact incremental cost deltas.

The search is a deterministic function of the seed: the temperature follows the iteration
count (cooling cycles of a fixed length, each restarting from the best solution at a lower
starting temperature), never the clock. The time limit only decides where the sequence is cut.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kontrolltarn.plan.ihtc.state import State

Snapshot = tuple[list[int], list[int], list[int], list[list[int]]]
ProgressFn = Callable[[float, int, int, int], None]  # elapsed, iterations, current, best

# Move mix (cumulative thresholds), tuned on test instances (see docs/ihtc.md).
_P_PATIENT = 0.30
_P_SWAP_ROOM = 0.40
_P_SWAP_DAY = 0.45
_P_NURSE = 0.75
_P_NURSE_SWAP = 0.88  # the rest: nurse chain
# Shares of all moves taken from the single-patient moves (see docs/ihtc.md, alternatives).
P_CHAIN = 0.05  # ejection chains
P_CLOSE = 0.01  # empty a theater-day
P_SWAP = 0.03  # a waiting patient takes an admitted one's surgery slot
SWAP_FAR_DAYS = 6  # random far days tried to re-admit the displaced patient


def _pick(rng: random.Random, seq: Sequence[int]) -> int:
    # rng.random() based: 3x cheaper than rng.choice / randrange in the hot loop.
    return seq[int(rng.random() * len(seq))]


def _randint(rng: random.Random, lo: int, hi: int) -> int:
    return lo + int(rng.random() * (hi - lo + 1))


@dataclass
class AnnealStats:
    iterations: int = 0
    accepted: int = 0
    improvements: int = 0
    cycles: int = 0


class Annealer:
    def __init__(self, state: State, rng: random.Random) -> None:
        self.st = state
        self.rng = rng
        self.temp = 1.0
        self.patients_only = False  # feasibility phase: nurse moves change nothing there
        self.p_chain = P_CHAIN
        self.p_close = P_CLOSE
        self.p_swap = P_SWAP
        self.by_surgeon: list[list[int]] = [[] for _ in range(len(state.inst.surgeons))]
        for p in range(state.P):
            self.by_surgeon[state.surgeon[p]].append(p)

    # ------------------------------------------------------------ acceptance
    def _accept(self, delta: int) -> bool:
        if delta <= 0:
            return True
        return self.rng.random() < math.exp(-delta / self.temp)

    # ----------------------------------------------------------- patient moves
    def _can_move(self, p: int, d: int, r: int, t: int) -> bool:
        """Would patient p (admitted) fit at (d, r, t) once taken out of its current place?"""
        st = self.st
        if d < st.release[p] or d > st.last[p] or not st.compatible[p][r]:
            return False
        od, orm, ot = st.adm[p], st.room[p], st.ot[p]
        dur = st.dur[p]
        own = dur if (od == d and ot == t) else 0
        if st.ot_load[t][d] - own + dur > st.ot_avail[t][d]:
            return False
        u = st.surgeon[p]
        own = dur if od == d else 0
        if st.s_load[u][d] - own + dur > st.surg_max[u][d]:
            return False
        cap = st.cap[r]
        other = 1 - st.gender[p]
        members = st.members[r]
        gcount = st.gcount[r]
        oend = od + st.los[p]
        for dd in range(d, min(st.D, d + st.los[p])):
            n_in = len(members[dd])
            if orm == r and od <= dd < oend:
                n_in -= 1
            if n_in >= cap or gcount[dd][other] or not st.day_ok[dd]:
                return False
        return True

    def _pick_theater(self, p: int, d: int, prefer: int) -> int:
        """A theater with room for p's surgery on day d: ``prefer``, else an open one, else any."""
        st = self.st
        dur = st.dur[p]
        same_day = st.adm[p] == d
        fallback = -1
        offset = int(self.rng.random() * st.T)
        order = [(offset + k) % st.T for k in range(st.T)]
        if prefer >= 0:
            order.insert(0, prefer)
        for t in order:
            own = same_day and st.ot[p] == t
            if st.ot_load[t][d] - (dur if own else 0) + dur <= st.ot_avail[t][d]:
                if t == prefer or st.ot_count[t][d] - own > 0:
                    return t
                if fallback < 0:
                    fallback = t
        return fallback

    def _pick_room(self, p: int, d: int, prefer: int, tries: int = 6) -> int:
        st = self.st
        rooms = st.allowed_rooms[p]
        if not rooms:
            return -1
        if prefer >= 0 and self._room_ok(p, d, prefer):
            return prefer
        for _ in range(tries):
            r = rooms[int(self.rng.random() * (len(rooms)))]
            if r != prefer and self._room_ok(p, d, r):
                return r
        return -1

    def _room_ok(self, p: int, d: int, r: int) -> bool:
        st = self.st
        if not st.compatible[p][r]:
            return False
        od, orm = st.adm[p], st.room[p]
        oend = od + st.los[p] if od >= 0 else -1
        cap = st.cap[r]
        other = 1 - st.gender[p]
        members = st.members[r]
        gcount = st.gcount[r]
        for dd in range(d, min(st.D, d + st.los[p])):
            n_in = len(members[dd])
            if orm == r and od <= dd < oend:
                n_in -= 1
            if n_in >= cap or gcount[dd][other] or not st.day_ok[dd]:
                return False
        return True

    def _surgeon_ok(self, p: int, d: int) -> bool:
        st = self.st
        u = st.surgeon[p]
        dur = st.dur[p]
        own = dur if st.adm[p] == d else 0
        return st.s_load[u][d] - own + dur <= st.surg_max[u][d]

    def move_patient(self) -> bool:
        st, rng = self.st, self.rng
        p = int(rng.random() * (st.P))
        last = min(st.last[p], st.D - 1)
        if st.release[p] > last:
            return False
        if st.adm[p] < 0:
            if not (st.mandatory[p] or st.admit_optional):
                return False
            d = _randint(rng, st.release[p], last)
            if not self._surgeon_ok(p, d):
                return False
            t = self._pick_theater(p, d, -1)
            r = self._pick_room(p, d, -1) if t >= 0 else -1
            if r < 0:
                return False
            delta = st.admit(p, d, r, t)
            if self._accept(delta):
                return True
            st.postpone(p)
            return False
        od, orm, ot = st.adm[p], st.room[p], st.ot[p]
        kind = rng.random()
        if kind < 0.08:
            delta = st.postpone(p)
            if self._accept(delta):
                return True
            st.admit(p, od, orm, ot)
            return False
        d, r, t = od, orm, ot
        if kind < 0.35:
            r = self._pick_room(p, d, -1, tries=3)
        elif kind < 0.55:
            t = self._pick_theater(p, d, -1)
        else:
            if kind < 0.8:
                d = max(st.release[p], min(last, od + _pick(rng, (-2, -1, 1, 1, 2))))
            else:
                d = _randint(rng, st.release[p], last)
            if d == od or not self._surgeon_ok(p, d):
                return False
            t = self._pick_theater(p, d, ot)
            r = self._pick_room(p, d, orm) if t >= 0 else -1
        if r < 0 or t < 0 or (d, r, t) == (od, orm, ot) or not self._can_move(p, d, r, t):
            return False
        if d == od:
            # Same day: only the theater or only the ward changes; touching just that half
            # gives the same delta at a fraction of the cost of a full re-admission.
            if r == orm:
                delta = st._unbook(p) + st._book(p, d, t)
                st.cost += delta
                if self._accept(delta):
                    return True
                st.cost += st._unbook(p) + st._book(p, d, ot)
                return False
            if t == ot:
                delta = st._leave(p) + st._enter(p, d, r)
                st.cost += delta
                if self._accept(delta):
                    return True
                st.cost += st._leave(p) + st._enter(p, d, orm)
                return False
        delta = st.postpone(p) + st.admit(p, d, r, t)
        if self._accept(delta):
            return True
        st.postpone(p)
        st.admit(p, od, orm, ot)
        return False

    def _fits_instead(self, p: int, r: int, q: int) -> bool:
        """Would admitted patient p fit room r on its own days if q (now in r) left it?"""
        st = self.st
        d = st.adm[p]
        qs, qe = st.adm[q], st.adm[q] + st.los[q]
        other = 1 - st.gender[p]
        q_other = st.gender[q] == other
        cap = st.cap[r]
        members = st.members[r]
        gcount = st.gcount[r]
        for dd in range(d, min(st.D, d + st.los[p])):
            q_in = qs <= dd < qe
            if len(members[dd]) - q_in >= cap or gcount[dd][other] - (q_in and q_other) > 0:
                return False
        return True

    def swap_rooms(self) -> bool:
        """Two patients present on a common day exchange rooms (same days, same theaters)."""
        st, rng = self.st, self.rng
        p = int(rng.random() * (st.P))
        if st.adm[p] < 0:
            return False
        d1, r1 = st.adm[p], st.room[p]
        dd = _randint(rng, d1, min(st.D, d1 + st.los[p]) - 1)
        r2 = int(rng.random() * (st.R))
        if r2 == r1 or not st.members[r2][dd]:
            return False
        q = _pick(rng, st.members[r2][dd])
        if q >= st.P or not st.compatible[p][r2] or not st.compatible[q][r1]:
            return False
        d2 = st.adm[q]
        if not (self._fits_instead(p, r2, q) and self._fits_instead(q, r1, p)):
            return False  # checked read-only: most swaps break capacity or gender
        delta = st._leave(p) + st._leave(q)
        if st.room_fits(p, d1, r2):
            delta += st._enter(p, d1, r2)
            if st.room_fits(q, d2, r1):
                delta += st._enter(q, d2, r1)
                if self._accept(delta):
                    st.cost += delta
                    return True
                st._leave(q)
            st._leave(p)
        st._enter(p, d1, r1)
        st._enter(q, d2, r2)
        return False

    def swap_days(self) -> bool:
        """Two patients of the same surgeon exchange admission day and theater."""
        st, rng = self.st, self.rng
        p = int(rng.random() * (st.P))
        q = int(rng.random() * (st.P))
        if p == q or st.adm[p] < 0 or st.adm[q] < 0 or st.adm[p] == st.adm[q]:
            return False
        dp, rp, tp = st.adm[p], st.room[p], st.ot[p]
        dq, rq, tq = st.adm[q], st.room[q], st.ot[q]
        if not (st.release[p] <= dq <= st.last[p] and st.release[q] <= dp <= st.last[q]):
            return False
        delta = st.postpone(p) + st.postpone(q)
        if st.can_admit(p, dq, rp, tq):
            delta += st.admit(p, dq, rp, tq)
            if st.can_admit(q, dp, rq, tp):
                delta += st.admit(q, dp, rq, tp)
                if self._accept(delta):
                    return True
                st.postpone(q)
            st.postpone(p)
        st.admit(p, dp, rp, tp)
        st.admit(q, dq, rq, tq)
        return False

    def insert_with_ejection(self) -> bool:
        """Admit a postponed mandatory patient, postponing whoever is in the way.

        The blockers (other gender or surplus in the room, same surgeon or theater that day)
        go back to the waiting list; the move is judged like any other, so swapping one
        mandatory patient for another is penalty-neutral and lets the search walk.
        """
        st, rng = self.st, self.rng
        waiting = [p for p in range(st.P) if st.mandatory[p] and st.adm[p] < 0]
        if not waiting:
            return False
        p = _pick(rng, waiting)
        last = min(st.last[p], st.D - 1)
        if st.release[p] > last or not st.allowed_rooms[p]:
            return False
        d = _randint(rng, st.release[p], last)
        r = _pick(rng, st.allowed_rooms[p])
        u = st.surgeon[p]
        dur = st.dur[p]
        if dur > st.surg_max[u][d]:
            return False
        t = max(range(st.T), key=lambda k: (st.ot_avail[k][d] - st.ot_load[k][d], -k))
        if dur > st.ot_avail[t][d]:
            return False
        g = st.gender[p]
        blockers: set[int] = set()
        for dd in range(d, min(st.D, d + st.los[p])):
            if not st.day_ok[dd]:
                return False
            ms = st.members[r][dd]
            fixed = [e for e in ms if e >= st.P]
            if any(st.gender[e] != g for e in fixed) or len(fixed) >= st.cap[r]:
                return False
            stay = [e for e in ms if e < st.P and e not in blockers]
            for e in stay:
                if st.gender[e] != g:
                    blockers.add(e)
            stay = [e for e in stay if e not in blockers]
            surplus = len(fixed) + len(stay) + 1 - st.cap[r]
            if surplus > 0:
                blockers.update(rng.sample(stay, surplus))
        ejected: list[tuple[int, int, int, int]] = []
        delta = 0
        for e in sorted(blockers):
            ejected.append((e, st.adm[e], st.room[e], st.ot[e]))
            delta += st.postpone(e)
        same_day = [e for e in range(st.P) if st.adm[e] == d and (st.surgeon[e] == u
                                                                   or st.ot[e] == t)]
        rng.shuffle(same_day)
        for e in same_day:
            if (st.s_load[u][d] + dur <= st.surg_max[u][d]
                    and st.ot_load[t][d] + dur <= st.ot_avail[t][d]):
                break
            if st.surgeon[e] == u or st.ot_load[t][d] + dur > st.ot_avail[t][d]:
                ejected.append((e, st.adm[e], st.room[e], st.ot[e]))
                delta += st.postpone(e)
        if st.can_admit(p, d, r, t):
            delta += st.admit(p, d, r, t)
            if self._accept(delta):
                return True
            st.postpone(p)
        for e, ed, er, et in reversed(ejected):
            st.admit(e, ed, er, et)
        return False

    def _reinsert(self, q: int, d0: int, t0: int, far: int = 0) -> bool:
        """Admit the ejected patient q near its old place: its old day first, then a day
        within two of it, then ``far`` random days of its window, in the first room (from a
        random one on) that fits. Returns False (q stays waiting) when nothing fits."""
        st, rng = self.st, self.rng
        last = min(st.last[q], st.D - 1)
        near = [d0 + k for k in (-1, 1, -2, 2) if st.release[q] <= d0 + k <= last]
        rng.shuffle(near)
        for _ in range(far):
            near.append(_randint(rng, st.release[q], last))
        rooms = st.allowed_rooms[q]
        nr = len(rooms)
        for d in [d0] + near:
            if not self._surgeon_ok(q, d):
                continue
            t = self._pick_theater(q, d, t0 if d == d0 else -1)
            if t < 0:
                continue
            off = int(rng.random() * nr)
            for k in range(nr):
                r = rooms[(off + k) % nr]
                if st.room_fits(q, d, r):
                    st.admit(q, d, r, t)
                    return True
        return False

    def chain_move(self) -> bool:
        """Ejection chain: put a patient (waiting, or admitted and moved to a new day) into a
        room, ejecting up to two patients that block it there; each ejected patient is
        re-admitted nearby (same day other room, or a day within two) or left waiting.

        The single-patient moves cannot admit an optional patient into a full ward or move a
        patient to a day on which its room is full; this move pays for that with one or two
        relocations judged together, so packing the beds tighter becomes reachable.
        """
        st, rng = self.st, self.rng
        p = int(rng.random() * st.P)
        if st.adm[p] < 0 and not (st.mandatory[p] or st.admit_optional):
            return False
        last = min(st.last[p], st.D - 1)
        if st.release[p] > last or not st.allowed_rooms[p]:
            return False
        od = st.adm[p]
        if od >= 0 and rng.random() < 0.5:
            d = max(st.release[p], od - _randint(rng, 1, 3))  # earlier: less delay
        else:
            d = _randint(rng, st.release[p], last)
        r = _pick(rng, st.allowed_rooms[p])
        if od == d and st.room[p] == r:
            return False
        # Plan read-only first (most attempts fail here, and trying is then cheap).
        if not self._surgeon_ok(p, d):
            return False
        t = self._pick_theater(p, d, -1)
        if t < 0:
            return False
        g = st.gender[p]
        cap = st.cap[r]
        members = st.members[r]
        gender = st.gender
        own = st.room[p] == r
        ejected: list[int] = []
        for dd in range(d, min(st.D, d + st.los[p])):
            if not st.day_ok[dd]:
                return False
            stay = [e for e in members[dd] if e not in ejected and not (own and e == p)]
            wrong = [e for e in stay if gender[e] != g]
            if wrong:
                if len(ejected) + len(wrong) > 2 or any(e >= st.P for e in wrong):
                    return False
                ejected += wrong
                stay = [e for e in stay if gender[e] == g]
            if len(stay) >= cap:
                q = _pick(rng, stay)
                if q >= st.P or len(ejected) >= 2:
                    return False
                ejected.append(q)
        undo: list[tuple[int, int, int, int]] = []  # (patient, day, room, theater) before
        delta = 0
        if od >= 0:
            undo.append((p, od, st.room[p], st.ot[p]))
            delta += st.postpone(p)
        for q in ejected:
            undo.append((q, st.adm[q], st.room[q], st.ot[q]))
            delta += st.postpone(q)
        if st.can_admit(p, d, r, t):
            delta += st.admit(p, d, r, t)
            for q, qd, _, qt in undo[1 if od >= 0 else 0:]:
                c0 = st.cost
                self._reinsert(q, qd, qt)
                delta += st.cost - c0
            if self._accept(delta):
                return True
        # Undo: take every touched patient out, then put back the old (feasible) plan.
        for e in [p] + ejected:
            if st.adm[e] >= 0:
                st.postpone(e)
        for e, ed, er, et in undo:
            st.admit(e, ed, er, et)
        return False

    def surgeon_swap(self) -> bool:
        """A waiting patient takes the surgery slot of an admitted patient of the same surgeon
        (its day, and its theater and room when they fit); the displaced patient is re-admitted
        nearby or waits. Surgeon time is what keeps optional patients out on the large
        instances, and which patients fill it (short or long surgeries) decides how many get
        in; one postponement and one admission are too far apart in cost to be made singly."""
        st, rng = self.st, self.rng
        p = -1
        for _ in range(3):
            c = int(rng.random() * st.P)
            if st.adm[c] < 0:
                p = c
                break
        if p < 0 or not (st.mandatory[p] or st.admit_optional):
            return False
        same = self.by_surgeon[st.surgeon[p]]
        q = same[int(rng.random() * len(same))]
        d = st.adm[q]
        if d < st.release[p] or d > st.last[p]:
            return False
        rq, tq = st.room[q], st.ot[q]
        delta = st.postpone(q)
        t = tq if st.ot_load[tq][d] + st.dur[p] <= st.ot_avail[tq][d] else self._pick_theater(p, d, -1)
        r = self._pick_room(p, d, rq) if t >= 0 else -1
        if r >= 0 and st.can_admit(p, d, r, t):
            delta += st.admit(p, d, r, t)
            c0 = st.cost
            # Surgeon time is the scarce resource here: look for it on any day of q's window.
            self._reinsert(q, d, tq, far=SWAP_FAR_DAYS)
            delta += st.cost - c0
            if self._accept(delta):
                return True
            if st.adm[q] >= 0:
                st.postpone(q)
            st.postpone(p)
        st.admit(q, d, rq, tq)
        return False

    def close_theater(self) -> bool:
        """Empty one theater-day: its surgeries go to theaters already open that day (the
        surgeon's own first). One patient at a time this costs a surgeon transfer or needs an
        uphill step before the theater's opening cost is saved; together it is one move."""
        st, rng = self.st, self.rng
        t = int(rng.random() * st.T)
        d = int(rng.random() * st.D)
        if st.ot_count[t][d] == 0 or st.T < 2:
            return False
        booked = [p for p in range(st.P) if st.ot[p] == t and st.adm[p] == d]
        rng.shuffle(booked)
        moved: list[int] = []
        delta = 0
        ok = True
        for p in booked:
            u, dur = st.surgeon[p], st.dur[p]
            used = st.s_ot[u][d]
            best = -1
            for t2 in range(st.T):
                if (t2 != t and st.ot_count[t2][d] and st.ot_load[t2][d] + dur <= st.ot_avail[t2][d]
                        and (best < 0 or used[t2] > used[best])):
                    best = t2
            if best < 0:
                ok = False
                break
            delta += st._unbook(p) + st._book(p, d, best)
            moved.append(p)
        st.cost += delta
        if ok and self._accept(delta):
            return True
        undo = 0
        for p in reversed(moved):
            undo += st._unbook(p) + st._book(p, d, t)
        st.cost += undo
        return False

    # ------------------------------------------------------------- nurse moves
    def _pick_room_shift(self) -> tuple[int, int, int] | None:
        st, rng = self.st, self.rng
        e = int(rng.random() * (st.E))
        d0 = st.adm[e]
        if d0 < 0:
            return None
        end = min(st.D, d0 + st.los[e])
        s = d0 * st.spd + int(rng.random() * ((end - d0) * st.spd))
        return e, st.room[e], s

    def change_nurse(self) -> bool:
        st, rng = self.st, self.rng
        pick = self._pick_room_shift()
        if pick is None:
            return False
        e, r, s = pick
        old = st.rs_nurse[r][s]
        working = st.working[s]
        if rng.random() < 0.5:
            known = [n for n in st.seen[e] if n != old and st.nmax[n][s] and n in working]
            n = _pick(rng, known) if known else _pick(rng, working)
        else:
            n = _pick(rng, working)
        if n == old:
            return False
        delta = st.set_nurse(r, s, n)
        if self._accept(delta):
            return True
        st.set_nurse(r, s, old)
        return False

    def swap_nurses(self) -> bool:
        st, rng = self.st, self.rng
        pick = self._pick_room_shift()
        if pick is None:
            return False
        _, r, s = pick
        r2 = int(rng.random() * (st.R))
        n1, n2 = st.rs_nurse[r][s], st.rs_nurse[r2][s]
        if n1 == n2:
            return False
        delta = st.set_nurse(r, s, n2) + st.set_nurse(r2, s, n1)
        if self._accept(delta):
            return True
        st.set_nurse(r2, s, n2)
        st.set_nurse(r, s, n1)
        return False

    def nurse_chain(self) -> bool:
        """One nurse takes a room for a run of consecutive shifts of her roster (continuity)."""
        st, rng = self.st, self.rng
        pick = self._pick_room_shift()
        if pick is None:
            return False
        _, r, s = pick
        n = st.rs_nurse[r][s]
        length = _randint(rng, 2, 9)
        start = max(0, s - _randint(rng, 0, length - 1))
        changed: list[tuple[int, int]] = []
        delta = 0
        for s2 in range(start, min(st.S, start + length)):
            old = st.rs_nurse[r][s2]
            if old != n and st.nmax[n][s2] and n in st.working[s2]:
                changed.append((s2, old))
                delta += st.set_nurse(r, s2, n)
        if not changed:
            return False
        if self._accept(delta):
            return True
        for s2, old in reversed(changed):
            st.set_nurse(r, s2, old)
        return False

    # -------------------------------------------------------------- the loop
    def step(self) -> bool:
        x = self.rng.random()
        if self.patients_only:
            x *= _P_SWAP_DAY
        if x < _P_PATIENT:
            if x < self.p_chain:
                return self.chain_move()
            if x < self.p_chain + self.p_close:
                return self.close_theater()
            if x < self.p_chain + self.p_close + self.p_swap:
                return self.surgeon_swap()
            return self.move_patient()
        if x < _P_SWAP_ROOM:
            return self.swap_rooms()
        if x < _P_SWAP_DAY:
            return self.swap_days()
        if x < _P_NURSE:
            return self.change_nurse()
        if x < _P_NURSE_SWAP:
            return self.swap_nurses()
        return self.nurse_chain()


def insert_waiting(state: State, deadline: float = math.inf) -> int:
    """Admit waiting patients at their cheapest place when that lowers the cost.

    Every day, room and theater is tried (exact deltas, state left unchanged between tries):
    the random admission moves find the few feasible slots of a full hospital only by luck,
    and at the cold end of a cycle a missed slot is a missed improvement. Returns the delta.
    """
    st = state
    total = 0
    for p in range(st.P):
        if st.adm[p] >= 0 or not (st.mandatory[p] or st.admit_optional):
            continue
        if time.monotonic() > deadline:
            break
        dur = st.dur[p]
        u = st.surgeon[p]
        best: tuple[int, int, int, int] | None = None
        for d in range(st.release[p], min(st.last[p], st.D - 1) + 1):
            if st.s_load[u][d] + dur > st.surg_max[u][d]:
                continue
            book: tuple[int, int] | None = None
            for t in range(st.T):
                if st.ot_load[t][d] + dur <= st.ot_avail[t][d]:
                    bd = st._book(p, d, t)
                    st.adm[p] = d
                    st._unbook(p)
                    st.adm[p] = -1
                    if book is None or bd < book[0]:
                        book = (bd, t)
            if book is None:
                continue
            for r in st.allowed_rooms[p]:
                if st.room_fits(p, d, r):
                    ed = st._enter(p, d, r)
                    st._leave(p)
                    if best is None or book[0] + ed < best[0]:
                        best = (book[0] + ed, d, r, book[1])
        if best is not None and best[0] < 0:
            total += st.admit(p, best[1], best[2], best[3])
    return total


def restore(state: State, snap: Snapshot) -> None:
    """Bring ``state`` to ``snap`` by re-applying the differing decisions (exact cost kept)."""
    adm, room, ot, rs_nurse = snap
    for p in range(state.P):
        if (state.adm[p], state.room[p], state.ot[p]) != (adm[p], room[p], ot[p]) \
                and state.adm[p] >= 0:
            state.postpone(p)
    for r in range(state.R):
        for s in range(state.S):
            if state.rs_nurse[r][s] != rs_nurse[r][s]:
                state.set_nurse(r, s, rs_nurse[r][s])
    for p in range(state.P):
        if adm[p] >= 0 and state.adm[p] < 0:
            state.admit(p, adm[p], room[p], ot[p])


def initial_temperature(annealer: Annealer, samples: int = 400) -> float:
    """max(median positive nurse-move delta, weight of one postponed optional patient)."""
    st = annealer.st
    annealer.temp = 1e-9
    positives: list[int] = []
    before = st.cost
    for _ in range(samples):
        c0 = st.cost
        annealer.step()
        # rejected uphill moves leave the cost unchanged; probe a few explicitly
        if st.cost == c0:
            pick = annealer._pick_room_shift()
            if pick is not None:
                _, r, s = pick
                old = st.rs_nurse[r][s]
                n = _pick(annealer.rng, st.working[s])
                delta = st.set_nurse(r, s, n)
                st.set_nurse(r, s, old)
                if 0 < delta < st.penalty:
                    positives.append(delta)
    del before
    positives.sort()
    median = float(positives[len(positives) // 2]) if positives else 10.0
    # Hot enough to trade one optional admission for restructuring (measured: docs/ihtc.md).
    return max(median, float(st.w[7]))


def anneal(state: State, rng: random.Random, *, deadline: float,
           cycle_iterations: int, max_iterations: int | None = None,
           should_stop: Callable[[], bool] = lambda: False,
           progress: ProgressFn | None = None, progress_every: float = 0.5,
           t_end: float = 0.3, t_start: float | None = None,
           stop_when_feasible: bool = False,
           ejection_every: int = 256,
           t_start_scale: float = 1.0,
           patients_only: bool = False,
           raise_waiting_every: int = 0,
           calibrate_after: int | None = None,
           first_cycle_share: float = 0.6,
           clock: bool = False) -> tuple[Snapshot, int, AnnealStats]:
    """Anneal until the deadline (time.monotonic()), the iteration cap, or ``should_stop``.

    With ``clock`` the temperature follows the time (the first cycle lasts ``first_cycle_share``
    of the time to the deadline), not the move count: a rate measured once goes wrong when the
    machine's load changes during the run (measured: i17 at 600 s then ended 32 % above best
    known, still hot), while a clock-driven cycle always reaches its cold end.
    """
    ann = Annealer(state, rng)
    ann.patients_only = patients_only
    stats = AnnealStats()
    start = time.monotonic()
    t0 = t_start if t_start is not None else t_start_scale * initial_temperature(ann)
    best = state.snapshot()
    best_cost = state.cost
    best_waiting = state.waiting
    cycle_t0 = t0
    next_report = start
    it_in_cycle = 0
    ratio = t_end / cycle_t0 if cycle_t0 > t_end else 1.0
    cycle_start = start
    cycle_seconds = max(1e-3, first_cycle_share * (deadline - start))
    clock_frac = 0.0
    while True:
        if stats.iterations % 256 == 0:
            now = time.monotonic()
            clock_frac = (now - cycle_start) / cycle_seconds
            if now >= deadline or should_stop() or (
                    max_iterations is not None and stats.iterations >= max_iterations):
                break
            if progress is not None and now >= next_report:
                progress(now - start, stats.iterations, state.cost, best_cost)
                next_report = now + progress_every
        if state.waiting and stats.iterations % ejection_every == 0 and ann.insert_with_ejection():
            stats.accepted += 1
            if state.waiting < best_waiting:
                best_waiting = state.waiting
                best_cost = state.cost
                best = state.snapshot()
                if stop_when_feasible and state.waiting == 0:
                    break
        if raise_waiting_every and stats.iterations % raise_waiting_every == 0 and state.waiting:
            # Breakout: patients that keep waiting become dearer, so the walk learns which
            # ones are hard to place and makes room for them first.
            for p in range(state.P):
                if state.mandatory[p] and state.adm[p] < 0:
                    state.pen[p] += 1
                    state.cost += 1
        if calibrate_after is not None and stats.iterations == calibrate_after:
            # Fit the first cooling cycle to a share of the remaining time at the measured speed,
            # so that a slow (or loaded) machine still reaches the cold end of a cycle.
            now = time.monotonic()
            rate = stats.iterations / max(1e-6, now - start)
            cycle_iterations = max(it_in_cycle + 10_000,
                                   int(first_cycle_share * (deadline - now) * rate))
        frac = clock_frac if clock else it_in_cycle / cycle_iterations
        ann.temp = cycle_t0 * ratio ** frac
        if ann.step():
            stats.accepted += 1
            if state.waiting < best_waiting or (state.waiting == best_waiting
                                                and state.cost < best_cost):
                best_waiting = state.waiting
                best_cost = state.cost
                best = state.snapshot()
                stats.improvements += 1
                if stop_when_feasible and state.waiting == 0:
                    break
        stats.iterations += 1
        it_in_cycle += 1
        if (clock_frac >= 1.0) if clock else (it_in_cycle >= cycle_iterations):
            # Reheat from the best solution, each cycle a little cooler and shorter.
            stats.cycles += 1
            restore(state, best)
            if insert_waiting(state) < 0 and state.waiting <= best_waiting:
                best_waiting = state.waiting
                best_cost = state.cost
                best = state.snapshot()
            it_in_cycle = 0
            cycle_t0 = max(t_end * 2, cycle_t0 * 0.5)
            cycle_iterations = max(10_000, cycle_iterations // 2)
            ratio = t_end / cycle_t0
            cycle_start = time.monotonic()
            cycle_seconds = max(1e-3, cycle_seconds / 2)
            clock_frac = 0.0
    if not should_stop():
        restore(state, best)
        if insert_waiting(state, deadline + 0.2) < 0 and state.waiting <= best_waiting:
            best_waiting = state.waiting
            best_cost = state.cost
            best = state.snapshot()
    if progress is not None:
        progress(time.monotonic() - start, stats.iterations, state.cost, best_cost)
    return best, best_cost, stats
