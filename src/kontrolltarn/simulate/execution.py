"""One day in the operating department, on SimPy: one process per room-day, not per minute.

Elective rooms run their program with true durations, late starts, late arrivals, no-shows,
unfit patients and turnover; the coordinator cancels (or moves to another room, through
``plan.repair`` as the control tower's suggestions are) the last case when an overrun is
expected; urgent emergencies that the emergency rooms cannot take in time go into the next
elective room of their location. Every milestone is emitted as the same ``Event`` the live
system receives.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import date, datetime

import simpy

from kontrolltarn.model import (
    BedType,
    CancellationReason,
    EmergencyRequest,
    Event,
    EventKind,
    Hospital,
    ModelError,
    Program,
    ProgramEntry,
    Room,
    Session,
    TruthModel,
    Urgency,
)
from kontrolltarn.plan.repair import MoveCase, repair

from .draws import Draws
from .params import EnvironmentParams
from .policy import Policy
from .state import PlanState

DAY = 24 * 60
EMERGENCY_TURNOVER_MIN = 30
URGENT = (Urgency.IMMEDIATE, Urgency.WITHIN_6H)
#: post-operative bed types whose shortage cancels electives (day-surgery and outpatient
#: places are not the bottleneck)
SCARCE_BEDS = (BedType.WARD, BedType.ICU)
#: cancellations the hospital causes (the patient is well and willing): those a new date may
#: follow on the same call
HOSPITAL_REASONS = frozenset({CancellationReason.CAPACITY, CancellationReason.EMERGENCY,
                              CancellationReason.NO_BED, CancellationReason.STAFF})


def patient_takes_new_date(state: PlanState, policy: Policy, day: date, case_id: str,
                           at: datetime | None = None) -> bool:
    """A told patient who calls to cancel their own date is offered a new one on the same call
    where the policy does so (``new_date_on_patient_call`` and ``new_date``) and takes it if
    they are one who does (``PlanState.accepts_date_on_call``, the environment's trait). True
    when the case moved to the new date (one change for the patient instead of two)."""
    new_date = getattr(policy, "new_date", None)
    if new_date is None or not getattr(policy, "new_date_on_patient_call", False):
        return False
    if state.planned[case_id].told_at is None or not state.accepts_date_on_call(case_id):
        return False
    return bool(new_date(state, day, case_id, CancellationReason.PATIENT, at))


def _with_odds(share: float, odds_ratio: float) -> float:
    """A chance with its odds multiplied by ``odds_ratio``."""
    if share >= 1.0 or odds_ratio == 1.0:
        return share
    odds = share / (1 - share) * odds_ratio
    return odds / (1 + odds)


@dataclass
class PendingEmergency:
    request: EmergencyRequest
    surgeon_id: str
    requested_min: float  # minutes past this day's midnight (negative: carried from yesterday)

    @property
    def due_min(self) -> float:
        return self.requested_min + self.request.urgency.limit_min


@dataclass
class RoomDay:
    session: Session
    room: Room
    queue: list[str]
    busy_until: float = 0.0
    active: bool = False
    took_emergency: bool = False
    turnover: int = 25
    #: times the room went idle to wait for urgent emergencies (a waiter outlived by a restart
    #: of the room, for a moved case, knows it is no longer the room's process)
    waits: int = 0


@dataclass
class DayOutcome:
    events: list[Event] = field(default_factory=list)
    carried: list[PendingEmergency] = field(default_factory=list)
    emergency_free_at: dict[str, float] = field(default_factory=dict)
    operated: int = 0
    cancelled: int = 0


class DayRunner:
    """Runs one day. Create one per day; ``run`` returns the day's events and what carries over."""

    def __init__(self, state: PlanState, day: date, params: EnvironmentParams, truth: TruthModel,
                 draws: Draws, policy: Policy) -> None:
        self.state, self.day, self.params, self.truth = state, day, params, truth
        self.draws, self.policy = draws, policy
        self.hospital = state.base
        self.out = DayOutcome()
        self.env = simpy.Environment()
        self.emergency_queue: dict[str, list[PendingEmergency]] = defaultdict(list)
        self.wake: dict[str, simpy.Event] = {}
        self.emergency_rooms: dict[str, list[RoomDay]] = defaultdict(list)
        self.elective_rooms: dict[str, list[RoomDay]] = defaultdict(list)

    # ---- events ------------------------------------------------------------------------------
    def emit(self, kind: EventKind, minute: float, case_id: str | None, room_id: str | None,
             reason: CancellationReason | None = None, tag: str = "") -> None:
        ident = f"{self.day:%Y%m%d}:{case_id or '-'}:{room_id or '-'}:{kind.value}{tag}"
        self.out.events.append(Event(ident, kind, self.state.stamp(self.day, minute), case_id,
                                     room_id, reason, source="sim"))

    def cancel(self, case_id: str, reason: CancellationReason, minute: float, room_id: str | None,
               *, patient_called: bool = False) -> None:
        """The case leaves the day's program: back to the waiting list (or off it), or to a new
        date given the patient on the same call where the policy does so (``new_date``): for a
        reason of the hospital's, or for a patient who called to cancel and takes the date
        offered (``patient_takes_new_date``). It is a late cancellation either way."""
        at = self.state.stamp(self.day, minute)
        draws = self.draws.attempt(case_id, self.state.planned[case_id].attempt)
        remove = reason in (CancellationReason.PATIENT, CancellationReason.MEDICAL) and \
            draws.removed < self.params.removed_after_cancel_share
        new_date = getattr(self.policy, "new_date", None)
        redated = False
        if reason in HOSPITAL_REASONS and new_date is not None and \
                self.state.planned[case_id].told_at is not None:
            redated = new_date(self.state, self.day, case_id, reason, at)
        elif reason is CancellationReason.PATIENT and patient_called and not remove:
            redated = patient_takes_new_date(self.state, self.policy, self.day, case_id, at)
        if redated:
            self.emit(EventKind.CANCELLED, minute, case_id, room_id, reason)
            self.out.cancelled += 1
            return
        self.state.cancel(case_id, reason, at=at, by="coordinator", remove=remove)
        self.emit(EventKind.CANCELLED, minute, case_id, room_id, reason)
        self.out.cancelled += 1

    # ---- before the day: the late window from 16:00 yesterday to 07:30 ------------------------
    def before_the_day(self) -> None:
        state, params = self.state, self.params
        for case_id in sorted(state.planned_on(self.day)):
            planned = state.planned[case_id]
            d = self.draws.attempt(case_id, planned.attempt)
            share = params.patient_late_cancel_share
            notice = (self.day - planned.told_at.date()).days if planned.told_at else 0
            if notice < 7:
                share = _with_odds(share, params.short_notice_odds)
            if state.was_contacted(case_id):
                share = _with_odds(share, params.confirmation_contact_odds_ratio)
            if d.late_cancel < share:
                # the evening before (16:00–22:00) or the early morning (06:00–07:30)
                minute = -8 * 60 + d.late_cancel_time * 6 * 60 if d.late_cancel_time < 0.7 \
                    else 6 * 60 + (d.late_cancel_time - 0.7) / 0.3 * 90
                self.cancel(case_id, CancellationReason.PATIENT, minute, planned.entry.room_id,
                            patient_called=True)
        choose = getattr(self.policy, "session_to_close", None)
        for announced in state.open_sessions(self.day):
            if announced.emergency or announced.id in state.closed:
                continue
            if self.draws.stream("closed-on-day", announced.id).random() < params.session_closed_on_day_share:
                # a practice may close another list of the location instead (its staff cover)
                session = announced if choose is None else \
                    state.sessions[choose(state, self.day, announced.id)]
                state.closed.add(session.id)
                for case_id in [c for c in state.by_session.get(session.id, ())]:
                    if self.policy.rules.move_from_closed_room and self._move_this_morning(session, case_id):
                        continue
                    self.cancel(case_id, CancellationReason.STAFF, 7 * 60, session.room_id)
        self._bed_meeting()

    def _move_this_morning(self, closed: Session, case_id: str) -> bool:
        """07:00, a room closed on the day: its case goes to the end of another elective list
        of the location where it is expected to end within the tolerance (by the policy's
        estimate), through ``plan.repair``'s ``MoveCase``; same day, so the patient keeps the
        date. False when no room can take it."""
        state, hospital = self.state, self.hospital
        location = hospital.room_by_id[closed.room_id].location_id
        need = self._estimate(case_id)
        view: tuple[Hospital, Program] | None = None
        for other in state.open_sessions(self.day):
            if other.emergency or hospital.room_by_id[other.room_id].location_id != location:
                continue
            turnover = hospital.specialty_by_id[other.specialty_id or "ORT"].turnover_min
            listed = state.by_session.get(other.id, ())
            start = other.start_min + sum(self._estimate(c) + turnover for c in listed)
            if start + need > other.end_min + self.policy.rules.overrun_tolerance_min:
                continue
            view = view or state.repair_view(self.day, 1, (closed,))
            try:
                result = repair(*view, MoveCase(case_id, other.id, start), told=set(),
                                now=state.stamp(self.day, 7 * 60), refill=False)
            except ModelError:  # the room cannot take it, or a rule would break
                continue
            entry = next(e for e in result.program.entries if e.case_id == case_id)
            state.move(case_id, entry, by="coordinator", at=state.stamp(self.day, 7 * 60))
            return True
        return False

    def _bed_meeting(self) -> None:
        """07:30: each location's ward and ICU places for today's electives; a crunch (beds full
        of emergencies and long stays) strikes the cases that do not fit, last in order first."""
        state = self.state
        by_location: dict[tuple[str, BedType], list[ProgramEntry]] = defaultdict(list)
        for case_id in state.planned_on(self.day):
            entry = state.planned[case_id].entry
            referral = state.referrals[case_id]
            bed = self.hospital.procedure_by_id[referral.procedure_code].bed_type
            if bed in SCARCE_BEDS:
                by_location[(self.hospital.room_by_id[entry.room_id].location_id, bed)].append(entry)
        for location in self.hospital.locations:
            rng = self.draws.stream("beds", location.id, self.day.isoformat())
            crunch = rng.random() < self.params.bed_crunch_share
            loss = self.params.bed_crunch_loss * (0.5 + rng.random()) if crunch else 0.0
            for bed in SCARCE_BEDS:
                capacity = math.floor(location.post_op_beds.get(bed, 0) * (1 - min(1.0, loss)))
                entries = sorted(by_location.get((location.id, bed), ()),
                                 key=lambda e: (state.referrals[e.case_id].deadline, e.order))
                for entry in entries[capacity:]:
                    self.cancel(entry.case_id, CancellationReason.NO_BED, 7 * 60 + 30, entry.room_id)

    # ---- the day -----------------------------------------------------------------------------
    def run(self, emergencies: list[EmergencyRequest], carried: list[PendingEmergency],
            emergency_free_at: dict[str, float]) -> DayOutcome:
        self.before_the_day()
        state = self.state
        morning = getattr(self.policy, "before_the_day", None)
        if morning is not None:  # a practice that fills time freed in the late window (standby)
            morning(state, self.day)
        for session in state.open_sessions(self.day):
            room = self.hospital.room_by_id[session.room_id]
            if session.emergency:
                rd = RoomDay(session, room, [], busy_until=max(0.0, emergency_free_at.get(room.id, 0.0)))
                self.emergency_rooms[room.location_id].append(rd)
                self.env.process(self._emergency_room(rd))
            else:
                queue = [e.case_id for e in state.entries(session.id)]
                turnover = self.hospital.specialty_by_id[session.specialty_id or "ORT"].turnover_min
                rd = RoomDay(session, room, queue, turnover=turnover)
                self.elective_rooms[room.location_id].append(rd)
                if queue:
                    rd.active = True
                    self.env.process(self._elective_room(rd))
        for location in self.hospital.locations:
            self.wake[location.id] = self.env.event()
        self.env.process(self._emergency_arrivals(emergencies, carried))
        self.env.run()
        for left in self.emergency_queue.values():
            for pending in left:
                pending.requested_min -= DAY
                self.out.carried.append(pending)
        for rooms in self.emergency_rooms.values():
            for rd in rooms:
                self.out.emergency_free_at[rd.room.id] = rd.busy_until - DAY
        return self.out

    def _emergency_arrivals(self, emergencies: list[EmergencyRequest],
                            carried: list[PendingEmergency]) -> Generator[simpy.Event, None, None]:
        for pending in carried:
            self.emergency_queue[pending.request.location_id].append(pending)
        for request in sorted(emergencies, key=lambda r: (r.requested_at, r.id)):
            minute = (request.requested_at - self.state.stamp(self.day, 0)).total_seconds() / 60
            if minute > self.env.now:
                yield self.env.timeout(minute - self.env.now)
            rng = self.draws.stream("emergency", request.id)
            surgeons = self.hospital.surgeons(request.specialty_id) or self.hospital.surgeons()
            pending = PendingEmergency(request, rng.choice(surgeons).id, minute)
            self.emit(EventKind.EMERGENCY_REQUESTED, minute, request.id, None)
            self.emergency_queue[request.location_id].append(pending)
            self._signal(request.location_id)

    def _signal(self, location_id: str) -> None:
        wake = self.wake[location_id]
        if not wake.triggered:
            wake.succeed()
        self.wake[location_id] = self.env.event()

    def _take(self, location_id: str, urgent_only: bool) -> PendingEmergency | None:
        queue = self.emergency_queue[location_id]
        if not queue:
            return None
        if urgent_only:
            free = min((max(self.env.now, rd.busy_until) for rd in self.emergency_rooms[location_id]),
                       default=math.inf)
            late = [p for p in queue if p.request.urgency in URGENT
                    and free + self.params.transport_min > p.due_min]
            if not late:
                return None
            chosen = min(late, key=lambda p: p.due_min)
        else:
            chosen = min(queue, key=lambda p: p.due_min)
        queue.remove(chosen)
        return chosen

    def _operate_emergency(self, rd: RoomDay, pending: PendingEmergency,
                           turnover: int) -> Generator[simpy.Event, None, None]:
        request = pending.request
        patient = self.state.patients[request.patient_id]
        called = self.env.now
        transport = 10 if request.urgency is Urgency.IMMEDIATE else self.params.transport_min
        rng = self.draws.stream("emergency-duration", request.id)
        dist = self.truth.duration(request.procedure_code, pending.surgeon_id, rd.room.location_id,
                                   patient.asa, patient.bmi, patient.age_on(self.day))
        minutes = self._duration(dist.median, dist.sigma, rng.gauss(0.0, 1.0))
        rd.busy_until = called + transport + minutes + turnover
        self.emit(EventKind.CALLED, called, request.id, rd.room.id)
        self.emit(EventKind.ARRIVED, called + transport - 2, request.id, rd.room.id)
        yield self.env.timeout(transport)
        yield from self._in_room(rd, request.id, minutes, turnover)

    def _in_room(self, rd: RoomDay, case_id: str, minutes: int,
                 turnover: int) -> Generator[simpy.Event, None, None]:
        start, room = self.env.now, rd.room.id
        self.emit(EventKind.IN_ROOM, start, case_id, room)
        self.emit(EventKind.ANAESTHESIA_START, start + min(30, max(3, round(0.1 * minutes))), case_id, room)
        self.emit(EventKind.INCISION, start + round(0.22 * minutes), case_id, room)
        self.emit(EventKind.CLOSURE, start + round(0.88 * minutes), case_id, room)
        yield self.env.timeout(minutes)
        self.emit(EventKind.OUT_OF_ROOM, self.env.now, case_id, room)
        self.out.operated += 1
        yield self.env.timeout(turnover)
        self.emit(EventKind.ROOM_READY, self.env.now, case_id, room)

    def _duration(self, median: float, sigma: float, z: float) -> int:
        return max(5, round(median * math.exp(sigma * self.params.duration_sigma_factor * z)))

    def _emergency_room(self, rd: RoomDay) -> Generator[simpy.Event, None, None]:
        location = rd.room.location_id
        if rd.busy_until > 0:
            yield self.env.timeout(rd.busy_until)
        while True:
            pending = self._take(location, urgent_only=False)
            if pending is None:
                if self.env.now >= DAY:
                    return
                yield self.wake[location] | self.env.timeout(DAY - self.env.now)
                continue
            if self.env.now >= DAY:
                self.emergency_queue[location].append(pending)  # tomorrow's team takes it
                return
            yield from self._operate_emergency(rd, pending, EMERGENCY_TURNOVER_MIN)
            rd.busy_until = self.env.now

    # ---- an elective room ----------------------------------------------------------------------
    def _projected_end(self, rd: RoomDay) -> float:
        work = sum(self._estimate(c) + rd.turnover for c in rd.queue)
        return max(self.env.now, rd.busy_until) + work - rd.turnover * bool(rd.queue)

    def _estimate(self, case_id: str) -> int:
        return self.policy.estimate_min(self.state.referrals[case_id])

    def _trim_for_overrun(self, rd: RoomDay) -> None:
        """The coordinator's rule: while the list is expected to run past the staffed end by more
        than the tolerance, take the last case off — to another room with time, else cancel."""
        rules = self.policy.rules
        limit = rd.session.end_min + rules.overrun_tolerance_min
        while rd.queue and self._projected_end(rd) > limit:
            case_id = rd.queue.pop()
            if rules.move_between_rooms and self._move_to_other_room(rd, case_id):
                continue
            reason = CancellationReason.EMERGENCY if rd.took_emergency else CancellationReason.CAPACITY
            self.cancel(case_id, reason, self.env.now, rd.room.id)

    def _balance(self, rd: RoomDay) -> None:
        """``CoordinatorRules.balance_between_rooms``: while the list is expected to end past
        its staffed end, its last case goes to a room that will stand idle within its staffed
        hours (the overtime becomes another room's staffed time)."""
        if not self.policy.rules.balance_between_rooms:
            return
        while rd.queue and self._projected_end(rd) > rd.session.end_min:
            if not self._move_to_other_room(rd, rd.queue[-1], past_end_min=0):
                return
            rd.queue.pop()

    def _pull(self, rd: RoomDay) -> bool:
        """``CoordinatorRules.balance_between_rooms``, seen from a room whose list is done: it
        takes the last waiting case of a room of the location expected to end past its staffed
        end, if the case is expected to end here within this room's staffed hours."""
        if not self.policy.rules.balance_between_rooms:
            return False
        start = max(self.env.now, rd.busy_until) + self.params.transport_min
        for other in self.elective_rooms[rd.room.location_id]:
            if other is rd or not other.queue or self._projected_end(other) <= other.session.end_min:
                continue
            case_id = other.queue[-1]
            if start + self._estimate(case_id) <= rd.session.end_min and self._try_move(case_id, rd, start):
                other.queue.pop()
                return True
        return False

    def _move_to_other_room(self, rd: RoomDay, case_id: str, past_end_min: int | None = None) -> bool:
        """The coordinator's move, decided by ``plan.repair`` as an accepted suggestion of the
        control tower is: the case goes to the end of another elective room's list at the
        location, not before that room is expected to be free, in the first room where it is
        expected to end at most ``past_end_min`` after its staffed end (default the tolerance)
        and the repair keeps every hard rule."""
        need = self._estimate(case_id)
        allowed = self.policy.rules.overrun_tolerance_min if past_end_min is None else past_end_min
        for other in self.elective_rooms[rd.room.location_id]:
            if other is rd:
                continue
            start = self._projected_end(other) + (other.turnover if other.queue or other.active else 0)
            start = max(start, self.env.now + self.params.transport_min)
            if start + need <= other.session.end_min + allowed and self._try_move(case_id, other, start):
                return True
        return False

    def _try_move(self, case_id: str, target: RoomDay, start: float) -> bool:
        """The case to the end of ``target``'s list from ``start``, if ``plan.repair``'s
        ``MoveCase`` keeps every hard rule (the room can take it, its surgeon is free)."""
        try:
            result = repair(*self.state.repair_view(self.day, 1),
                            MoveCase(case_id, target.session.id, math.ceil(start)),
                            told=set(), now=self.state.stamp(self.day, self.env.now), refill=False)
        except ModelError:  # refused: the room cannot take it, or a rule would break
            return False
        entry = next(e for e in result.program.entries if e.case_id == case_id)
        self.state.move(case_id, entry, by="coordinator", at=self.state.stamp(self.day, self.env.now))
        target.queue.append(case_id)
        if not target.active:
            target.active = True
            self.env.process(self._elective_room(target))
        return True

    def _elective_room(self, rd: RoomDay) -> Generator[simpy.Event, None, None]:
        session = rd.session
        if self.env.now < session.start_min:
            late = self.draws.stream("late-start", session.id).expovariate(1 / max(1e-9,
                    self.params.late_start_mean_min))
            yield self.env.timeout(session.start_min + late - self.env.now)
        while True:
            if self.policy.rules.elective_rooms_take_emergencies and self.env.now < session.end_min:
                pending = self._take(rd.room.location_id, urgent_only=True)
                if pending is not None:
                    rd.took_emergency = True
                    yield from self._operate_emergency(rd, pending, rd.turnover)
                    rd.busy_until = self.env.now
                    continue
            self._balance(rd)
            self._trim_for_overrun(rd)
            if not rd.queue and not self._pull(rd):
                rd.active = False
                if not (self.policy.rules.idle_rooms_take_emergencies and self.env.now < session.end_min):
                    return
                # ``CoordinatorRules.idle_rooms_take_emergencies``: the staff are there until the
                # staffed end, so the room stays free for an urgent emergency until then
                rd.waits += 1
                mine = rd.waits
                yield self.wake[rd.room.location_id] | self.env.timeout(session.end_min - self.env.now)
                if rd.active or rd.waits != mine:  # a case moved here restarted the room meanwhile
                    return
                rd.active = True
                continue
            case_id = rd.queue.pop(0)
            yield from self._elective_case(rd, case_id)

    def _elective_case(self, rd: RoomDay, case_id: str) -> Generator[simpy.Event, None, None]:
        state, params = self.state, self.params
        planned = state.planned[case_id]
        referral = state.referrals[case_id]
        d = self.draws.attempt(case_id, planned.attempt)
        room = rd.room.id
        # the patient is called a transport time ahead, while the room gets ready
        called = max(0.0, self.env.now - params.transport_min)
        self.emit(EventKind.CALLED, called, case_id, room)
        no_show = self.truth.no_show(case_id)
        if state.was_contacted(case_id):
            no_show = _with_odds(no_show, params.confirmation_contact_odds_ratio)
        if d.no_show < no_show:
            yield self.env.timeout(params.transport_min)  # time lost finding out, calling the next
            self.cancel(case_id, CancellationReason.PATIENT, self.env.now, room)
            return
        delay = params.late_arrival_mean_min * d.late_arrival_delay \
            if d.late_arrival < params.late_arrival_share else 0.0
        arrived = called + params.transport_min + delay
        self.emit(EventKind.ARRIVED, arrived, case_id, room)
        medical = params.medical_cancel_share + params.medical_cancel_per_gap * planned.gaps_when_planned
        if d.medical < medical:
            yield self.env.timeout(max(0.0, arrived - self.env.now) + 10)
            self.cancel(case_id, CancellationReason.MEDICAL, self.env.now, room)
            return
        if arrived > self.env.now:
            yield self.env.timeout(arrived - self.env.now)
        patient = state.patients[referral.patient_id]
        dist = self.truth.duration(referral.procedure_code, planned.entry.surgeon_id,
                                   rd.room.location_id, patient.asa, patient.bmi,
                                   patient.age_on(self.day))
        minutes = self._duration(dist.median, dist.sigma, d.duration_z)
        rd.busy_until = self.env.now + self._estimate(case_id) + rd.turnover
        yield from self._in_room(rd, case_id, minutes, rd.turnover)
        rd.busy_until = self.env.now
        state.finish(case_id, at=self.state.stamp(self.day, self.env.now - rd.turnover))
