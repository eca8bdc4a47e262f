"""Two decisions of the coordinator who follows the board (issue 18): which list to close when
staff are short (``session_to_close``), and moving a list's last case into a room that would
stand idle (``CoordinatorRules.balance_between_rooms``)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import pytest

from kontrolltarn import kpi
from kontrolltarn.experiments.control_practice import ControlPolicy
from kontrolltarn.model import ChangeKind, EventKind, ProgramEntry, Referral, Session
from kontrolltarn.simulate import EnvironmentParams, execution_log, simulate
from kontrolltarn.simulate.policies import BaselinePolicy
from kontrolltarn.simulate.state import PlanState
from kontrolltarn.synth import SyntheticHospital, generate


@pytest.fixture(scope="module")
def small() -> SyntheticHospital:
    return generate("small", seed=3)


def _two_lists(small: SyntheticHospital) -> tuple[Session, Session]:
    """Two elective sessions of one date and location."""
    hospital = small.hospital
    by_place: dict[tuple[date, str], list[Session]] = {}
    for s in hospital.sessions:
        if not s.emergency and s.specialty_id:
            by_place.setdefault((s.date, hospital.room_by_id[s.room_id].location_id), []).append(s)
    pair = next(v for v in by_place.values() if len(v) >= 2)
    return pair[0], pair[1]


def _fill(state: PlanState, session: Session, count: int, *, tell: bool, used: set[str]) -> None:
    start = session.start_min
    candidates = (r for r in state.referrals.values()
                  if r.specialty_id == session.specialty_id and r.id not in used)
    for order, referral in enumerate(candidates, start=1):
        if order > count:
            break
        used.add(referral.id)
        state.place(_entry(state, session, referral, start, order), by="policy:test", tell=tell)
        start += 30


def _entry(state: PlanState, session: Session, referral: Referral, start: int, order: int) -> ProgramEntry:
    surgeon = referral.surgeon_id or state.base.surgeons(referral.specialty_id)[0].id
    return ProgramEntry(referral.id, session.id, session.room_id, session.date, start, 20, surgeon, order)


def test_the_list_closed_for_a_staff_shortage_is_the_one_with_fewest_told_patients(
        small: SyntheticHospital) -> None:
    first, second = _two_lists(small)
    hospital = small.hospital
    location = hospital.room_by_id[first.room_id].location_id
    state = PlanState(hospital, list(hospital.sessions), [])
    used: set[str] = set()
    _fill(state, first, 3, tell=True, used=used)
    _fill(state, second, 2, tell=False, used=used)
    policy = ControlPolicy()
    day = state.now.date()
    # staff short in the first room: a list of the place whose patients were not told closes
    chosen = state.sessions[policy.session_to_close(state, day, first.id)]
    assert chosen.id != first.id and not chosen.emergency and chosen.date == first.date
    assert hospital.room_by_id[chosen.room_id].location_id == location
    assert not any(state.planned[c].told_at for c in state.by_session.get(chosen.id, ()))
    assert policy.closures_moved == 1
    # every other list of the place told and longer: the announced one closes
    for other in state.open_sessions(first.date):
        if other.id not in (first.id, second.id) and not other.emergency and \
                hospital.room_by_id[other.room_id].location_id == location:
            _fill(state, other, 4, tell=True, used=used)
    for case_id in state.by_session[second.id]:
        state.tell(case_id, by="policy:test")
    _fill(state, second, 2, tell=True, used=used)
    assert policy.session_to_close(state, day, first.id) == first.id
    # today's practice closes the room the shortage is announced for
    assert ControlPolicy(close_least_told=False).session_to_close(state, day, second.id) == second.id


@dataclass
class _CoverFromAnother(BaselinePolicy):
    """Today's practice, except that a shortage closes another open list of the date and
    location when there is one (``swap``), else the announced one; records each choice."""

    swap: bool = True
    choices: list[tuple[str, str]] = field(default_factory=list)

    def session_to_close(self, state: PlanState, day: date, announced: str) -> str:
        session = state.sessions[announced]
        location = state.base.room_by_id[session.room_id].location_id
        others = [s.id for s in state.open_sessions(session.date) if s.id != announced and not s.emergency
                  and state.base.room_by_id[s.room_id].location_id == location]
        chosen = others[0] if self.swap and others else announced
        self.choices.append((announced, chosen))
        return chosen


def test_the_simulator_closes_the_list_the_practice_chooses(small: SyntheticHospital) -> None:
    env = EnvironmentParams(session_closed_on_day_share=0.1, session_closed_notice_share=0.1)

    def run(policy: BaselinePolicy) -> tuple[dict[str, float], set[str]]:
        result = simulate(small.hospital, small.truth, policy, days=10, seed=2, warmup_days=4,
                          params=env, keep_programs=False)
        return kpi.headline(execution_log(result)), {s.id for s in result.sessions}

    plain, _ = run(BaselinePolicy())
    announced = _CoverFromAnother(swap=False)
    assert run(announced)[0] == plain  # asked, and closing the announced list is today's practice
    assert announced.choices
    swapped = _CoverFromAnother()
    _, ran = run(swapped)
    moved = [(a, c) for a, c in swapped.choices if a != c]
    assert moved
    assert not {c for _, c in moved} & ran  # the chosen lists were not staffed
    assert {a for a, _ in moved} & ran  # and announced ones ran with their staff


def test_a_list_running_past_its_end_sends_its_last_case_to_a_room_that_would_stand_idle(
        default_synthetic: SyntheticHospital) -> None:
    """The balancing coordinator moves more cases the same day (no change for the patient)
    into rooms with staffed time left than today's, and every program stays valid."""
    synthetic = default_synthetic

    def run(balance: bool) -> tuple[int, dict[str, float], dict[date, dict[str, int]]]:
        policy = BaselinePolicy(rules=replace(BaselinePolicy().rules, balance_between_rooms=balance))
        result = simulate(synthetic.hospital, synthetic.truth, policy, days=4, seed=4, warmup_days=2,
                          keep_programs=False, check_programs=True)
        moves = sum(1 for case in result.cases for c in case.history
                    if c.kind is ChangeKind.RESCHEDULED and c.by == "coordinator"
                    and c.new_date == c.old_date and (c.at.hour, c.at.minute) != (7, 0))
        return moves, kpi.headline(execution_log(result)), result.program_checks

    moves_without, plain, _ = run(False)
    moves_with, balanced, checks = run(True)
    assert moves_with > moves_without
    assert all(not v for v in checks.values()), {d: v for d, v in checks.items() if v}
    # the overtime moved into staffed time: less of it
    assert balanced["overtime_minutes"] < plain["overtime_minutes"]


def test_a_room_done_early_takes_urgent_emergencies_until_its_staffed_end(
        small_synthetic: SyntheticHospital) -> None:
    """``CoordinatorRules.idle_rooms_take_emergencies``: elective rooms whose lists are done
    stay free for urgent emergencies until their staffed end, so more emergencies are operated
    in elective rooms, no fewer start within their limit, and every program stays valid."""
    synthetic = small_synthetic  # two months: urgent emergencies the emergency room cannot take

    def run(idle: bool) -> tuple[int, dict[str, float], dict[date, dict[str, int]]]:
        policy = BaselinePolicy(rules=replace(BaselinePolicy().rules, idle_rooms_take_emergencies=idle))
        result = simulate(synthetic.hospital, synthetic.truth, policy, days=60, seed=4, warmup_days=2,
                          keep_programs=False, check_programs=True)
        log = execution_log(result)
        emergency_rooms = {(s.date, s.room_id) for s in log.sessions if s.emergency}
        in_elective = sum(1 for e in log.events if e.kind is EventKind.IN_ROOM
                          and e.case_id in log.emergency_by_id
                          and (log.local(e.at).date(), e.room_id) not in emergency_rooms)
        return in_elective, kpi.headline(log), result.program_checks

    taken_without, plain, _ = run(False)
    taken_with, idle, checks = run(True)
    assert taken_with > taken_without
    assert idle["emergency_within_limit_share"] >= plain["emergency_within_limit_share"]
    assert all(not v for v in checks.values()), {d: v for d, v in checks.items() if v}
