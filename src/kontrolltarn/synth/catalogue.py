"""The synthetic hospital's specialties, equipment and procedures.

Procedure codes are NCSP-style (the Nordic classification's letter pattern) and chosen to look
familiar, but they are SYNTHETIC: not checked against the official code list. Durations are
surgical (knife) minutes, rounded values typical of the published literature for each
procedure; ``in_room_median`` adds the anaesthesia overhead. The CABG median is the real TCT
data's median case duration (227 minutes; see docs/synthetic-hospital.md). ``sigma`` is the
log-normal spread; 0.25–0.45 covers the range reported for elective surgery.
"""

from __future__ import annotations

from dataclasses import dataclass

from kontrolltarn.model import BedType


@dataclass(frozen=True)
class SpecialtySpec:
    id: str
    name: str
    share: float  # share of elective volume (sessions follow it)
    turnover_min: int
    surgeons: int  # surgeons at default scale
    emergency_share: float  # share of the emergency volume


@dataclass(frozen=True)
class ProcedureSpec:
    code: str
    name: str
    specialty: str
    median: float
    sigma: float
    weight: float  # relative frequency inside the specialty
    bed: BedType
    equipment: tuple[str, ...] = ()
    competence: str | None = None
    emergency: bool = False  # an emergency (ø-hjelp) procedure, not on waiting lists


SPECIALTIES: tuple[SpecialtySpec, ...] = (
    SpecialtySpec("ORT", "Ortopedi", 0.22, 30, 34, 0.30),
    SpecialtySpec("GAS", "Gastrokirurgi", 0.18, 30, 28, 0.30),
    SpecialtySpec("URO", "Urologi", 0.09, 25, 14, 0.04),
    SpecialtySpec("GYN", "Gynekologi", 0.10, 25, 16, 0.08),
    SpecialtySpec("ENT", "Øre-nese-hals", 0.07, 20, 11, 0.04),
    SpecialtySpec("PLA", "Plastikkirurgi", 0.05, 25, 8, 0.03),
    SpecialtySpec("NEU", "Nevrokirurgi", 0.06, 35, 11, 0.08),
    SpecialtySpec("TCT", "Thoraxkirurgi", 0.06, 40, 10, 0.04),
    SpecialtySpec("KAR", "Karkirurgi", 0.04, 30, 7, 0.05),
    SpecialtySpec("EYE", "Øyekirurgi", 0.05, 15, 7, 0.02),
    SpecialtySpec("BAR", "Barnekirurgi", 0.04, 25, 7, 0.02),
    SpecialtySpec("MAM", "Bryst- og endokrinkirurgi", 0.04, 25, 7, 0.00),
)

#: (id, name, mobile, count per location at default scale; fixed ones are in rooms)
EQUIPMENT: tuple[tuple[str, str, bool, int], ...] = (
    ("ROBOT", "Operasjonsrobot", True, 2),
    ("CARM", "C-bue (røntgen)", True, 4),
    ("NAV", "Navigasjonssystem", True, 1),
    ("MICRO", "Operasjonsmikroskop", True, 2),
    ("HLM", "Hjerte-lunge-maskin", True, 2),
    ("HYBRID", "Hybridstue (fast angiografi)", False, 0),
    ("LAF", "Laminær luftstrøm (fast)", False, 0),
)

B = BedType
PROCEDURES: tuple[ProcedureSpec, ...] = (
    # orthopaedics
    ProcedureSpec("NFB40", "Total hofteprotese", "ORT", 115, 0.25, 18, B.WARD, ("LAF",)),
    ProcedureSpec("NGB20", "Total kneprotese", "ORT", 120, 0.25, 16, B.WARD, ("LAF",)),
    ProcedureSpec("NGF11", "Artroskopisk meniskreseksjon", "ORT", 50, 0.30, 18, B.DAY),
    ProcedureSpec("NGE35", "Korsbåndsrekonstruksjon", "ORT", 100, 0.28, 10, B.DAY),
    ProcedureSpec("NBA11", "Artroskopisk skulderkirurgi", "ORT", 85, 0.30, 14, B.DAY),
    ProcedureSpec("NHJ62", "Osteosyntese ankel", "ORT", 90, 0.35, 12, B.WARD, ("CARM",)),
    ProcedureSpec("NAG49", "Revisjon hofteprotese", "ORT", 200, 0.35, 4, B.WARD, ("LAF", "CARM"),
                  "revisjon"),
    ProcedureSpec("NFJ62", "Osteosyntese hoftebrudd", "ORT", 85, 0.30, 30, B.WARD, ("CARM",),
                  emergency=True),
    ProcedureSpec("NCJ62", "Osteosyntese underarm", "ORT", 70, 0.35, 20, B.DAY, ("CARM",),
                  emergency=True),
    # gastro
    ProcedureSpec("JKA21", "Laparoskopisk kolecystektomi", "GAS", 80, 0.32, 25, B.DAY),
    ProcedureSpec("JAB11", "Lyskebrokk, åpen", "GAS", 65, 0.28, 18, B.DAY),
    ProcedureSpec("JFB33", "Laparoskopisk høyresidig hemikolektomi", "GAS", 190, 0.30, 12, B.WARD),
    ProcedureSpec("JGB10", "Robotassistert rektumreseksjon", "GAS", 280, 0.30, 7, B.WARD, ("ROBOT",),
                  "robot"),
    ProcedureSpec("JLC30", "Pankreatikoduodenektomi (Whipple)", "GAS", 390, 0.25, 4, B.ICU, (),
                  "hpb"),
    ProcedureSpec("JDC11", "Laparoskopisk gastric bypass", "GAS", 110, 0.25, 10, B.WARD),
    ProcedureSpec("JEA01", "Laparoskopisk appendektomi", "GAS", 65, 0.35, 40, B.WARD, emergency=True),
    ProcedureSpec("JAH01", "Eksplorativ laparotomi", "GAS", 150, 0.45, 18, B.ICU, emergency=True),
    ProcedureSpec("QBB10", "Incisjon av abscess", "GAS", 35, 0.40, 25, B.DAY, emergency=True),
    # urology
    ProcedureSpec("KEC01", "Robotassistert radikal prostatektomi", "URO", 210, 0.25, 20, B.WARD,
                  ("ROBOT",), "robot"),
    ProcedureSpec("KED22", "Transuretral reseksjon av prostata", "URO", 70, 0.30, 20, B.WARD),
    ProcedureSpec("KCD32", "Transuretral reseksjon av blæretumor", "URO", 50, 0.35, 25, B.DAY),
    ProcedureSpec("KAC21", "Laparoskopisk nefrektomi", "URO", 185, 0.30, 10, B.WARD),
    ProcedureSpec("KBC10", "Ureteroskopi med steinfjerning", "URO", 60, 0.40, 25, B.DAY,
                  emergency=True),
    # gynaecology
    ProcedureSpec("LCD11", "Laparoskopisk hysterektomi", "GYN", 130, 0.30, 25, B.WARD),
    ProcedureSpec("LCD04", "Robotassistert hysterektomi", "GYN", 170, 0.28, 8, B.WARD, ("ROBOT",),
                  "robot"),
    ProcedureSpec("LCB25", "Hysteroskopisk reseksjon", "GYN", 40, 0.35, 30, B.DAY),
    ProcedureSpec("LAF10", "Laparoskopisk ovarialkirurgi", "GYN", 75, 0.35, 25, B.DAY),
    ProcedureSpec("LBA10", "Ekstrauterin graviditet, laparoskopi", "GYN", 60, 0.35, 30, B.DAY,
                  emergency=True),
    # ENT
    ProcedureSpec("EMB15", "Tonsillektomi", "ENT", 45, 0.30, 35, B.DAY),
    ProcedureSpec("DQD10", "Septoplastikk", "ENT", 60, 0.30, 25, B.DAY),
    ProcedureSpec("BAA20", "Tyreoidektomi", "ENT", 140, 0.28, 15, B.WARD, (), "endokrin"),
    ProcedureSpec("DFE00", "Cochleaimplantat", "ENT", 150, 0.25, 8, B.WARD, ("MICRO",)),
    ProcedureSpec("EMB40", "Blødning etter tonsillektomi", "ENT", 40, 0.35, 10, B.DAY,
                  emergency=True),
    # plastic
    ProcedureSpec("HAE20", "Brystrekonstruksjon med lapp", "PLA", 300, 0.30, 15, B.WARD, ("MICRO",),
                  "mikrokirurgi"),
    ProcedureSpec("ACC51", "Karpaltunnelsyndrom, dekompresjon", "PLA", 30, 0.30, 15, B.NONE),
    ProcedureSpec("QAB10", "Hudtumor, eksisjon med lapp", "PLA", 60, 0.40, 40, B.DAY),
    # neurosurgery
    ProcedureSpec("AAB00", "Kraniotomi for tumor", "NEU", 250, 0.30, 25, B.ICU, ("NAV", "MICRO")),
    ProcedureSpec("ABC16", "Lumbal mikrodiskektomi", "NEU", 85, 0.30, 40, B.WARD, ("MICRO",)),
    ProcedureSpec("NAG40", "Spinal fusjon", "NEU", 220, 0.30, 20, B.WARD, ("CARM", "NAV")),
    ProcedureSpec("AAD10", "Kraniotomi for blødning", "NEU", 150, 0.35, 30, B.ICU, (),
                  emergency=True),
    # cardiothoracic (CABG median set to the real TCT data's median actual duration)
    ProcedureSpec("FNC10", "Koronar bypass (CABG)", "TCT", 227, 0.22, 45, B.ICU, ("HLM",)),
    ProcedureSpec("FMD00", "Aortaklaffeprotese (AVR)", "TCT", 235, 0.25, 20, B.ICU, ("HLM",)),
    ProcedureSpec("FMD13", "CABG med aortaklaffeprotese", "TCT", 300, 0.25, 10, B.ICU, ("HLM",),
                  "kompleks"),
    ProcedureSpec("GDC00", "Lobektomi, torakoskopisk", "TCT", 190, 0.28, 25, B.WARD),
    ProcedureSpec("FXE00", "Reoperasjon for blødning", "TCT", 120, 0.35, 10, B.ICU,
                  emergency=True),
    # vascular
    ProcedureSpec("PDQ22", "Endovaskulær aortaprotese (EVAR)", "KAR", 170, 0.30, 20, B.WARD,
                  ("HYBRID",)),
    ProcedureSpec("PAF21", "Karotis endarterektomi", "KAR", 130, 0.25, 25, B.WARD),
    ProcedureSpec("PHB10", "Varicer, endovenøs behandling", "KAR", 60, 0.30, 35, B.DAY),
    ProcedureSpec("PEE30", "Embolektomi, underekstremitet", "KAR", 110, 0.40, 25, B.WARD,
                  emergency=True),
    # ophthalmology
    ProcedureSpec("CJE20", "Kataraktoperasjon", "EYE", 25, 0.25, 30, B.NONE),
    ProcedureSpec("CKD65", "Vitrektomi", "EYE", 80, 0.30, 20, B.DAY, ("MICRO",)),
    ProcedureSpec("CKC10", "Netthinneløsning, kirurgi", "EYE", 90, 0.30, 10, B.DAY, ("MICRO",),
                  emergency=True),
    # paediatric surgery
    ProcedureSpec("KFH00", "Orkidopeksi", "BAR", 50, 0.30, 35, B.DAY),
    ProcedureSpec("KGH30", "Hypospadi-korreksjon", "BAR", 120, 0.30, 20, B.DAY),
    ProcedureSpec("JAD30", "Navlebrokk hos barn", "BAR", 40, 0.30, 30, B.DAY),
    ProcedureSpec("JEA00", "Appendektomi hos barn", "BAR", 60, 0.35, 20, B.WARD, emergency=True),
    # breast and endocrine
    ProcedureSpec("HAB40", "Brystbevarende kirurgi med sentinel node", "MAM", 80, 0.28, 50, B.DAY),
    ProcedureSpec("HAC10", "Mastektomi", "MAM", 100, 0.28, 30, B.WARD),
    ProcedureSpec("BAB00", "Paratyreoidektomi", "MAM", 75, 0.30, 20, B.DAY, (), "endokrin"),
)

#: Children (age under 16) are operated in these specialties; they go first on a list.
PAEDIATRIC_SPECIALTIES = frozenset({"BAR"})

#: Minutes in the room before and after the surgery itself (induction, positioning, emergence).
#: The medians above are surgical (knife) time; in-room time adds this overhead.
GENERAL_ANAESTHESIA_OVERHEAD = 40
LOCAL_ANAESTHESIA_OVERHEAD = 12
LOCAL_ANAESTHESIA = frozenset({"CJE20", "ACC51", "CKD65", "CKC10", "QBB10"})


def in_room_median(spec: ProcedureSpec) -> float:
    """Median in-room minutes: surgical time plus the anaesthesia overhead. The CABG case is
    calibrated on real in-room data already, so it gets no overhead."""
    if spec.code in CALIBRATED_IN_ROOM:
        return spec.median
    overhead = LOCAL_ANAESTHESIA_OVERHEAD if spec.code in LOCAL_ANAESTHESIA \
        else GENERAL_ANAESTHESIA_OVERHEAD
    return spec.median + overhead


#: Procedures whose median is already an in-room figure from real data (TCT, see the doc).
CALIBRATED_IN_ROOM = frozenset({"FNC10"})
