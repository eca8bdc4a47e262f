"""More of the rule-based note reader: a development set written for these tests from how
Norwegian surgeons, nurses and theatre coordinators write (bokmål and nynorsk, telegraphic
style, abbreviations, typing errors). Each phrase asserts the exact set of facts it states.

None of these phrases comes from the generator's notes or the independent evaluation corpus.
"""

from __future__ import annotations

import time

import pytest

from kontrolltarn.predict.notes import correct_word, extract_facts, split_sentences

INTERPRETER = [
    ("Behov for tolk ved innkomst, bestilt til kl 07.30.", {"interpreter"}),
    ("Tolk: ja (tigrinja)", {"interpreter"}),
    ("Tolk bestilles til preoperativ samtale.", {"interpreter"}),
    ("Videotolk avtalt.", {"interpreter"}),
    ("Døv, trenger tegnspråktolk under innledning og oppvåkning.", {"interpreter"}),
    ("Pas. er fremmedspråklig, bruk tolk.", {"interpreter"}),
    ("Fremmedspråklig pasient.", {"interpreter"}),
    ("Snakker kun dari.", {"interpreter"}),
    ("Polsktalende, forstår lite norsk.", {"interpreter"}),
    ("Språkbarriere.", {"interpreter"}),
    ("Treng tolk.", {"interpreter"}),
    ("Pasienten snakkar ikkje norsk.", {"interpreter"}),
    ("Tolkebehv: somali", {"interpreter"}),
    ("tokl må være tilstede", {"interpreter"}),
    ("Trenger ikke tolk.", set()),
    ("Treng ikkje tolk, snakkar godt norsk.", set()),
    ("Tolk uaktuelt.", set()),
    ("Tolk ikke aktuelt, pasienten snakker flytende norsk.", set()),
    ("Fremmedspråklig, men snakker godt norsk.", set()),
    ("Arabisktalende, men tolk ikke nødvendig.", set()),
    ("Tolk avbestilt.", set()),
    ("Ikkebehov for tolk.", set()),
    ("Tolk: -", set()),
    ("Funnene tolkes som reaktive.", set()),
    ("Radiolog tolker funnet som benignt.", set()),
    ("Vi tolker dette som en lett infeksjon.", set()),
]

ISOLATION = [
    ("Dråpesmitte, influensa A påvist.", {"isolation"}),
    ("MRSA pos. Opereres sist på programmet.", {"isolation"}),
    ("Kjent ESBL-bærer.", {"isolation"}),
    ("VRE i urin, kontaktsmitteregime.", {"isolation"}),
    ("Isoleres på enerom med sluse.", {"isolation"}),
    ("C. diff, må ha kontaktsmitteregime.", {"isolation"}),
    ("Covid-positiv for to dager siden.", {"isolation"}),
    ("MSRA-positiv.", {"isolation"}),
    ("Kontaktsmite.", {"isolation"}),
    ("Må isolers.", {"isolation"}),
    ("Smitteførende tuberkulose.", {"isolation"}),
    ("MRSA sanert.", set()),
    ("Isolasjon opphevet.", set()),
    ("Ikke smitteførende.", set()),
    ("Covid negativ.", set()),
    ("Negativ for MRSA.", set()),
    ("Smittevernrutiner som vanlig.", set()),
    ("Basale smittevernrutiner.", set()),
    ("Influensavaksinert.", set()),
    ("Koronar hjertesykdom, PCI 2019.", set()),
    ("Isolert proteinuri.", set()),
    ("Kontaktsmitteregime avsluttet.", set()),
]

LATEX = [
    ("Allergisk mot lateks.", {"latex_allergy"}),
    ("Latex (anafylaksi).", {"latex_allergy"}),
    ("Kjent latexalergi, stue latexfri.", {"latex_allergy"}),
    ("Alergi mot latks.", {"latex_allergy"}),
    ("Allergi mot gummihansker.", {"latex_allergy"}),
    ("Reagerer på lateks med utslett.", {"latex_allergy"}),
    ("Latexallergi avkreftet.", set()),
    ("Ikke allergisk mot latex.", set()),
    ("Allergier: ingen. Lateks: nei.", set()),
    ("Hansker av latex brukes.", set()),
]

ICU = [
    ("Int.plass bestilt.", {"icu_bed"}),
    ("Bestill int. plass postop.", {"icu_bed"}),
    ("Postop intensiv.", {"icu_bed"}),
    ("Planlagt overflytting til ITA etter inngrepet.", {"icu_bed"}),
    ("Holdes intubert og overføres KIA.", {"icu_bed"}),
    ("Planlagt postoperativ respiratorbehandling.", {"icu_bed"}),
    ("Intensivseng må være avklart før start.", {"icu_bed"}),
    ("ICU-seng reservert.", {"icu_bed"}),
    ("Trenger plass på overvåkning etter operasjonen.", {"icu_bed"}),
    ("Itensivplass må bestilles.", {"icu_bed"}),
    ("Ikke behov for intensiv, til sengepost etter oppvåkning.", set()),
    ("Intensivplass uaktuelt.", set()),
    ("Går til oppvåkning, deretter sengepost.", set()),
    ("Intensiv fysioterapi etter utskrivelse.", set()),
    ("Intensivert insulinbehandling.", {"diabetic"}),
    ("Tidligere innlagt på intensiv etter traume.", set()),
    ("Vurdert av intensivsykepleier.", set()),
]

ANTICOAGULATION = [
    ("Bruker Eliqiuis 5 mg x 2, pause 48 t.", {"anticoagulation"}),
    ("Xarleto pauses 2 døgn.", {"anticoagulation"}),
    ("Platehemmer (Plavix) seponeres 5 dager før.", {"anticoagulation"}),
    ("Står på blodplatehemmende behandling.", {"anticoagulation"}),
    ("Bridging med Klexane.", {"anticoagulation"}),
    ("AK-behandling med Marevan, INR-kontroll dagen før.", {"anticoagulation"}),
    ("Brilique stoppes 5 dager før inngrepet.", {"anticoagulation"}),
    ("Antitrombotisk behandling må pauses.", {"anticoagulation"}),
    ("Albyl-E pauses 7 dager.", {"anticoagulation"}),
    ("Eliquis seponert 3 døgn før operasjonen.", {"anticoagulation"}),
    ("Bruker ikke blodfortynnende.", set()),
    ("Sluttet med Marevan.", set()),
    ("Eliquis seponert for to år siden.", set()),
    ("Tidligere brukt Xarelto.", set()),
    ("Fragmin som tromboseprofylakse postoperativt.", set()),
    ("Tromboseprofylakse med Klexane.", set()),
    ("Albyl-E fortsetter som vanlig.", set()),
    ("ASA 3, Albyl-E skal ikke pauses.", set()),
    ("Ikke på AK-behandling.", set()),
    ("AK-behandling avsluttet.", set()),
]

EQUIPMENT = [
    ("da Vinci Xi booket.", {"special_equipment"}),
    ("DaVinci.", {"special_equipment"}),
    ("RALP.", {"special_equipment"}),
    ("Robtassistert reseksjon.", {"special_equipment"}),
    ("C-arm og radiograf må bestilles.", {"special_equipment"}),
    ("Cbue.", {"special_equipment"}),
    ("Gjenomlysning peroperativt.", {"special_equipment"}),
    ("Røntgen i sal.", {"special_equipment"}),
    ("Bildeforsterker på stuen.", {"special_equipment"}),
    ("Lånesett fra St. Olav må bestilles en uke før.", {"special_equipment"}),
    ("Implantat fra leverandør.", {"special_equipment"}),
    ("Sett må lånes inn fra Haukeland.", {"special_equipment"}),
    ("Konsignasjonsimplantat.", {"special_equipment"}),
    ("Firmarep fra Stryker til stede.", {"special_equipment"}),
    ("Representant fra firma kommer.", {"special_equipment"}),
    ("Nevronavigasjon (Brainlab) reservert.", {"special_equipment"}),
    ("O-arm.", {"special_equipment"}),
    ("Operasjonsmikroskop.", {"special_equipment"}),
    ("Operasjonsmikroskpo må stå klart.", {"special_equipment"}),
    ("Holmiumlaser.", {"special_equipment"}),
    ("Ekstensjonsbord.", {"special_equipment"}),
    ("Beach chair-leie.", {"special_equipment"}),
    ("Cellsaver.", {"special_equipment"}),
    ("Cell saver skal stå klar.", {"special_equipment"}),
    ("Peroperativ ultralyd.", {"special_equipment"}),
    ("CUSA.", {"special_equipment"}),
    ("Endoskopitårn.", {"special_equipment"}),
    ("Perfusjonist og HLM.", {"special_equipment"}),
    ("Gammaprobe til sentinel node.", {"special_equipment"}),
    ("Nervemonitorering (NIM).", {"special_equipment"}),
    ("Trenger spesielle instrumenter.", {"special_equipment"}),
    ("Husk utstyr bestilt fra Medtronic.", {"special_equipment"}),
    ("Protese må bestilles.", {"special_equipment"}),
    ("Pasientspesifikk guide.", {"special_equipment"}),
    ("Ingen spesialutstyr utover C-bue.", {"special_equipment"}),
    ("Ikke behov for C-bue.", set()),
    ("Standard instrumentering.", set()),
    ("Vanlig utstyr.", set()),
    ("Røntgen hofte viser artrose.", set()),
    ("Rtg. thorax u.a.", set()),
    ("Mikroskopisk hematuri.", set()),
    ("Tidligere laserbehandlet for retinopati.", set()),
    ("Robot ikke nødvendig.", set()),
]

MOBILITY = [
    ("Går med stokk.", {"mobility_aid"}),
    ("Albuekrykker.", {"mobility_aid"}),
    ("Rullestolbruker.", {"mobility_aid"}),
    ("Elektrisk rullestol.", {"mobility_aid"}),
    ("Rulator.", {"mobility_aid"}),
    ("Trenger løftehjelp ved forflytning.", {"mobility_aid"}),
    ("Glidebrett til overflytting.", {"mobility_aid"}),
    ("Må løftes over på bordet.", {"mobility_aid"}),
    ("Kan ikkje gå.", {"mobility_aid"}),
    ("Går ikke uten rullator.", {"mobility_aid"}),
    ("Ikke gangfør.", {"mobility_aid"}),
    ("Nedsatt gangfunksjon.", {"mobility_aid"}),
    ("Paraplegiker.", {"mobility_aid"}),
    ("Trenger hjelp til forflytning.", {"mobility_aid"}),
    ("Selvhjulpen.", set()),
    ("Selvstendig i forflytning.", set()),
    ("Klarer seg uten rullator.", set()),
    ("Bruker ikke rullestol.", set()),
    ("Laminektomi L4-L5.", set()),
    ("Immobilisering i gips 6 uker.", set()),
    ("Ingen hjelpemidler.", set()),
]

DIABETIC = [
    ("Type 2 DM, tablettbehandlet.", {"diabetic"}),
    ("Bruker Metformin.", {"diabetic"}),
    ("Lantus og NovoRapid.", {"diabetic"}),
    ("Diabetikar.", {"diabetic"}),
    ("Diabtes type 1.", {"diabetic"}),
    ("Insulinpumpe.", {"diabetic"}),
    ("Ozempic en gang i uka.", {"diabetic"}),
    ("Ikke diabetiker.", set()),
    ("Ikkje diabetes.", set()),
    ("Prediabetes.", set()),
    ("Insulinresistens (PCOS).", set()),
    ("Risiko for diabetes.", set()),
    ("Diabetes: nei.", set()),
]

MIXED = [
    ("Ikke behov for tolk, intensivplass eller spesialutstyr.", set()),
    ("Ingen tolk, isolasjon, latexallergi eller rullestol.", set()),
    ("Tolk og intensivplass ikke nødvendig.", set()),
    ("Ikke behov for intensiv postop. Bruker Marevan som pauses.", {"anticoagulation"}),
    ("Ikke diabetes, rullator.", {"mobility_aid"}),
    ("Ingen kjent allergi, MRSA-bærer.", {"isolation"}),
    ("Trenger tolk, men ikke intensiv.", {"interpreter"}),
    ("Treng tolk og rullestol, ikkje diabetes.", {"interpreter", "mobility_aid"}),
    ("Ikke behov for tolk og bruker rullator.", {"mobility_aid"}),
    ("Robotassistert inngrep, intensivplass bestilt, Eliquis pauses.",
     {"special_equipment", "icu_bed", "anticoagulation"}),
    ("Latexallergi og diabetes type 1 - først på programmet.", {"latex_allergy", "diabetic"}),
    ("Ikke smitte. Ikke tolk. Ingen blodfortynnende.", set()),
    ("Pas. bruker gåstol, DM2 på insulin, C-bue bestilt.",
     {"mobility_aid", "diabetic", "special_equipment"}),
]

CASES = INTERPRETER + ISOLATION + LATEX + ICU + ANTICOAGULATION + EQUIPMENT + MOBILITY + DIABETIC \
    + MIXED


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_development_phrase(text: str, expected: set[str]) -> None:
    assert set(extract_facts(text).facts) == expected


def test_development_set_is_large_and_balanced() -> None:
    assert len(CASES) >= 120
    assert len({text for text, _ in CASES}) == len(CASES)  # no phrase counted twice
    for group in (INTERPRETER, ISOLATION, LATEX, ICU, ANTICOAGULATION, EQUIPMENT, MOBILITY,
                  DIABETIC):
        assert any(expected for _, expected in group) and any(not e for _, e in group)


def test_sentence_final_abbreviation_before_a_capital_ends_the_sentence() -> None:
    assert split_sentences("Intensiv postop. Bruker Marevan.") == ["Intensiv postop.",
                                                                   "Bruker Marevan."]
    assert split_sentences("Bestill int. plass.") == ["Bestill int. plass."]


def test_compounds_that_end_misspelled_are_corrected() -> None:
    assert correct_word("operasjonsmikroskpo") == "operasjonsmikroskop"
    assert correct_word("nevronavigsjon") == "nevronavigasjon"
    assert correct_word("operasjon") == "operasjon"


def test_a_negated_list_keeps_each_items_cue() -> None:
    result = extract_facts("Ikke behov for tolk, intensivplass eller spesialutstyr.")
    assert {(f.fact, f.negated, f.cue) for f in result.findings} == {
        ("interpreter", True, "ikke"), ("icu_bed", True, "ikke"),
        ("special_equipment", True, "ikke")}


def test_a_hint_yields_to_a_stated_absence() -> None:
    result = extract_facts("Fremmedspråklig. Tolk ikke nødvendig.")
    assert result.facts == frozenset()
    hint = [f for f in result.findings if f.trigger.startswith("fremmedsprak")]
    assert hint and hint[0].negated


def test_extraction_stays_fast() -> None:
    texts = [text for text, _ in CASES]
    from kontrolltarn.predict.notes import RuleExtractor
    start = time.perf_counter()
    for _ in range(100):
        for text in texts:
            RuleExtractor.read_uncached(text)  # uncached: measure the rules, not the cache
    per_note = (time.perf_counter() - start) / (100 * len(texts))
    assert per_note < 0.001  # ≈0.1 ms expected; generous for a busy machine
