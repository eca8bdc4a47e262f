"""Hypothesis strategies for whole hospitals and programs (shared by the round-trip tests),
plus one tiny hand-made hospital that the mutation tests break in a hundred ways."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from kontrolltarn.model import (
    BedType,
    CancellationReason,
    Case,
    CaseChange,
    ChangeKind,
    EmergencyRequest,
    EquipmentType,
    Hospital,
    Location,
    LogNormal,
    Patient,
    Priority,
    Procedure,
    Program,
    ProgramEntry,
    ReadinessItem,
    Referral,
    Room,
    Session,
    Specialty,
    Staff,
    StaffRole,
    Urgency,
)

# Ids FHIR cannot hold as resource ids (space, slash, æ) are included on purpose; ';' and '='
# separate list cells in spreadsheets and are documented as not allowed in ids.
ID_CHARS = "ABCXYZabc019-_. /æø"
ids = st.text(ID_CHARS, min_size=1, max_size=6).map(lambda t: " ".join(t.split())).filter(bool)
names = st.text("abcdefghijklmnopqrstuvwxyzæøå ÆØÅ-'", max_size=12).map(str.strip)
days = st.dates(date(2024, 1, 1), date(2030, 12, 31))


def _unique(strategy: st.SearchStrategy[str], n_min: int,
            n_max: int) -> st.SearchStrategy[list[str]]:
    return st.lists(strategy, min_size=n_min, max_size=n_max, unique=True)


@st.composite
def hospitals(draw: st.DrawFn) -> Hospital:
    loc_ids = draw(_unique(ids, 1, 3))
    locations = tuple(Location(i, draw(names), draw(st.dictionaries(
        st.sampled_from(list(BedType)), st.integers(0, 40), max_size=4))) for i in loc_ids)
    spec_ids = draw(_unique(ids, 1, 3))
    specialties = tuple(Specialty(i, draw(names), draw(st.integers(0, 60))) for i in spec_ids)
    eq_ids = draw(_unique(ids, 0, 3))
    equipment = []
    for i in eq_ids:
        mobile = draw(st.booleans())
        counts = draw(st.dictionaries(st.sampled_from(loc_ids), st.integers(0, 5), max_size=2)) \
            if mobile else {}
        equipment.append(EquipmentType(i, draw(names), mobile, counts))
    rooms = tuple(Room(i, draw(st.sampled_from(loc_ids)), draw(names),
                       frozenset(draw(st.lists(st.sampled_from(spec_ids), min_size=1, max_size=2))),
                       frozenset(draw(st.lists(st.sampled_from(eq_ids), max_size=2))) if eq_ids
                       else frozenset(), draw(st.booleans()))
                  for i in draw(_unique(ids, 1, 3)))
    staff = []
    for i in draw(_unique(ids, 1, 4)):
        role = draw(st.sampled_from(list(StaffRole)))
        specialty = draw(st.sampled_from(spec_ids)) if role is StaffRole.SURGEON else \
            draw(st.none() | st.sampled_from(spec_ids))
        staff.append(Staff(i, draw(names), role, specialty,
                           frozenset(draw(st.lists(ids, max_size=2))),
                           frozenset(draw(st.lists(st.sampled_from(loc_ids), max_size=2))),
                           frozenset(draw(st.lists(days, max_size=3))),
                           draw(st.none() | st.sampled_from(["9144900", "SYN0001", "1215"]))))
    surgeons = [s.id for s in staff if s.role is StaffRole.SURGEON]
    procedures = tuple(Procedure(
        code, draw(names), draw(st.sampled_from(spec_ids)),
        LogNormal(draw(st.floats(5, 600).map(lambda x: round(x, 3))),
                  draw(st.floats(0, 2.5).map(lambda x: round(x, 4)))),
        frozenset(draw(st.lists(st.sampled_from(eq_ids), max_size=2))) if eq_ids else frozenset(),
        draw(st.sampled_from(list(BedType))), draw(st.none() | ids))
        for code in draw(_unique(ids, 1, 3)))
    codes = [p.code for p in procedures]
    patients = tuple(Patient(i, draw(st.dates(date(1920, 1, 1), date(2024, 1, 1))),
                             draw(st.sampled_from("FMU")), draw(st.integers(1, 6)),
                             draw(st.floats(10, 90).map(lambda x: round(x, 2))),
                             draw(st.none() | st.sampled_from(["13031353453", "21030550231",
                                                               "SYN123", "12345678901"])))
                     for i in draw(_unique(ids, 1, 4)))
    patient_ids = [p.id for p in patients]
    referrals = []
    for i in draw(_unique(ids, 0, 4)):
        start = draw(days)
        referrals.append(Referral(
            i, draw(st.sampled_from(patient_ids)), draw(st.sampled_from(codes)),
            draw(st.sampled_from(spec_ids)), start, draw(st.sampled_from(list(Priority))),
            start + timedelta(days=draw(st.integers(0, 400))), draw(st.integers(1, 900)),
            draw(st.none() | st.sampled_from(surgeons)) if surgeons else None,
            draw(st.text("abc æøå.,;:\n", max_size=20).map(str.strip)),
            frozenset(draw(st.lists(st.sampled_from(list(ReadinessItem)), max_size=3))),
            draw(st.booleans())))
    sessions = []
    for i in draw(_unique(ids, 0, 4)):
        minute = draw(st.integers(6 * 60, 20 * 60))  # wall-clock times that exist every day
        sessions.append(Session(i, draw(st.sampled_from([r.id for r in rooms])), draw(days), minute,
                                minute + draw(st.integers(1, 14 * 60)),
                                draw(st.none() | st.sampled_from(spec_ids)), draw(st.booleans())))
    emergencies = []
    for i in draw(_unique(ids, 0, 2)):
        if i in {r.id for r in referrals}:
            continue  # a case id names one request
        at = datetime.combine(draw(days), datetime.min.time(), UTC) + timedelta(
            minutes=draw(st.integers(0, 1439)))
        emergencies.append(EmergencyRequest(
            i, draw(st.sampled_from(patient_ids)), draw(st.sampled_from(codes)),
            draw(st.sampled_from(spec_ids)), draw(st.sampled_from(loc_ids)),
            draw(st.sampled_from(list(Urgency))), at, draw(st.integers(1, 600))))
    meta = draw(st.dictionaries(st.sampled_from(["seed", "source", "note"]),
                                st.integers(0, 99) | names, max_size=2))
    case_ids = draw(st.permutations([r.id for r in referrals]))  # not in referral order
    cases = tuple(draw(cases_of(i)) for i in case_ids[:draw(st.integers(0, len(case_ids)))])
    return Hospital(draw(names), draw(days), locations, specialties, tuple(equipment), rooms,
                    tuple(staff), procedures, patients, tuple(referrals), tuple(sessions),
                    tuple(emergencies), cases, allowed_overtime_min=draw(st.integers(0, 120)),
                    meta=meta)


ZONES = [UTC, ZoneInfo("Europe/Oslo"), timezone(timedelta(hours=-3, minutes=-30))]


@st.composite
def cases_of(draw: st.DrawFn, referral_id: str) -> Case:
    """A case history: 0-4 changes in time order, in assorted time zones."""
    first = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(seconds=draw(st.integers(0, 10**8)))
    steps = draw(st.lists(st.integers(0, 20 * 86400), max_size=4))
    changes = []
    at = first
    for step in steps:
        at = at + timedelta(seconds=step)
        kind = draw(st.sampled_from(list(ChangeKind)))
        reason = draw(st.sampled_from(list(CancellationReason)) if kind is ChangeKind.CANCELLED
                      else st.none() | st.sampled_from(list(CancellationReason)))
        changes.append(CaseChange(
            at.astimezone(draw(st.sampled_from(ZONES))), kind, draw(st.none() | days),
            draw(st.none() | days), reason, draw(st.sampled_from(["system", "koordinator", "Åse K"])),
            draw(st.text("abc æøå.,;:\n\"", max_size=20).map(str.strip))))
    return Case(referral_id, tuple(changes))


def simple_program(hospital: Hospital, method: str = "test") -> Program:
    """Each session takes waiting cases in order, back to back (a format test needs data, not
    a good plan)."""
    waiting = [r for r in hospital.referrals]
    surgeons = [s.id for s in hospital.staff]
    entries = []
    for session in hospital.sessions:
        start, order = session.start_min, 1
        while waiting and start + waiting[0].booked_min <= session.end_min + 600 and order <= 3:
            case = waiting.pop(0)
            entries.append(ProgramEntry(case.id, session.id, session.room_id, session.date, start,
                                        case.booked_min, case.surgeon_id or surgeons[0], order))
            start, order = start + case.booked_min, order + 1
    return Program(tuple(entries), method)


def tiny_hospital() -> Hospital:
    """Two sites, two rooms, a surgeon, two patients with valid FNR, two referrals, sessions."""
    today = date(2026, 3, 2)
    return Hospital(
        name="Testsykehuset", today=today,
        locations=(Location("SEN", "Sentrum", {BedType.WARD: 10}), Location("NOR", "Nord")),
        specialties=(Specialty("ORT", "Ortopedi", 30), Specialty("GAS", "Gastro", 25)),
        equipment=(EquipmentType("CARM", "C-bue", True, {"SEN": 1}),),
        rooms=(Room("SEN-OR1", "SEN", "Stue 1", frozenset({"ORT"}), frozenset()),
               Room("NOR-OR1", "NOR", "Stue 1 Nord", frozenset({"GAS", "ORT"}))),
        staff=(Staff("S1", "Kari Kirurg", StaffRole.SURGEON, "ORT", frozenset({"NFB"}),
                     frozenset({"SEN"}), frozenset({date(2026, 3, 4)}), "9144900"),
               Staff("A1", "Ola Anestesi", StaffRole.ANAESTHETIST)),
        procedures=(Procedure("NFB49", "Hofteprotese", "ORT", LogNormal(120, 0.3),
                              frozenset({"CARM"})),
                    Procedure("JKA21", "Kolecystektomi", "GAS", LogNormal(90, 0.35))),
        patients=(Patient("P1", date(2005, 3, 21), "F", 2, 24.5, "21030550231"),
                  Patient("P2", date(2013, 3, 13), "M", 3, 31.0, "13031353453")),
        referrals=(Referral("R1", "P1", "NFB49", "ORT", date(2026, 1, 5), Priority.P2,
                            date(2026, 4, 5), 130, "S1", "hofte"),
                   Referral("R2", "P2", "JKA21", "GAS", date(2026, 1, 20), Priority.P3,
                            date(2026, 5, 1), 95)),
        sessions=(Session("X1", "SEN-OR1", date(2026, 3, 3), 480, 930, "ORT"),
                  Session("X2", "NOR-OR1", date(2026, 3, 3), 480, 930, "GAS")),
    )
