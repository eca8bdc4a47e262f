"""Norwegian free-text notes with known logistics facts (the labels are the generator's truth).

The phrasings here are the held-out evaluation set for the note extractor in
``kontrolltarn.predict``: they were written separately from its lexicon and must stay so.
Each fact has positive phrasings, negated phrasings (which must NOT count as the fact) and some
misspelled variants, as real record text has.
"""

from __future__ import annotations

import random

FACT_LABELS: tuple[str, ...] = (
    "interpreter",
    "isolation",
    "latex_allergy",
    "icu_bed",
    "anticoagulation",
    "special_equipment",
    "mobility_aid",
    "diabetic",
)

LANGUAGES = ("arabisk", "somali", "polsk", "tigrinja", "urdu", "dari", "ukrainsk", "vietnamesisk",
             "tyrkisk", "thai")
ANTICOAGULANTS = ("Marevan", "warfarin", "Eliquis", "apixaban", "Xarelto", "rivaroksaban",
                  "Pradaxa", "Albyl-E", "Plavix", "klopidogrel")
EQUIPMENT = ("spesialbord for overvektige", "bariatrisk seng", "egen implantatpakke",
             "lånt navigasjonsutstyr", "stort instrumentsett", "ekstra C-bue",
             "spesialinstrumenter fra leverandør")

POSITIVE: dict[str, tuple[str, ...]] = {
    "interpreter": (
        "Trenger tolk ({lang}).", "Behov for {lang} tolk.", "Pasienten snakker ikke norsk, tolk må bestilles.",
        "Tolk: {lang}.", "Tolk bestilt til operasjonsdagen ({lang}).", "Bruk tolketjenesten, språk {lang}.",
        "Pas. trenger tollk.", "Må ha tolk ved innkomst.", "Pårørende kan ikke tolke, bestill kvalifisert tolk.",
        "Kommunikasjon via tolk ({lang}).",
    ),
    "isolation": (
        "MRSA-positiv, kontaktsmitte.", "Isolasjon: kontaktsmitte (ESBL).", "Pasienten skal isoleres.",
        "Bærer av VRE – kontaktisolering.", "Isolajson pga. MRSA.", "Smitteisolat, opereres sist på programmet.",
        "ESBL-bærer, smitteregime ved operasjon.", "Kjent MRSA, se smitteverntiltak.",
    ),
    "latex_allergy": (
        "Latexallergi!", "Allergi: lateks.", "Kjent lateksallergi – latexfri stue.", "Latex-allergi, anafylaksi tidligere.",
        "Allergisk mot latex.", "Latexallrgi.", "Obs lateks allergi.", "Må ha lateksfritt utstyr (allergi).",
    ),
    "icu_bed": (
        "Trenger intensivplass postoperativt.", "Postop plass på intensiv må avklares.",
        "Bestill intensivseng.", "Planlagt til postoperativ intensivovervåking.", "Behov for intesivplass etter operasjonen.",
        "Skal til ICU postop.", "Overvåkning på intensiv etter inngrepet.", "Reserver plass på intensivavdelingen.",
    ),
    "anticoagulation": (
        "Bruker {ac}, seponeres 3 dager før.", "Står på {ac} – pause før operasjon.",
        "Antikoagulasjon ({ac}) må stoppes.", "Blodfortynnende: {ac}, pauseres 5 døgn preop.",
        "Behandles med {ac}. Brobehandling med Fragmin.", "Pas bruker blodfortynende ({ac}).",
        "{ac} seponeres etter avtale med kardiolog.",
    ),
    "special_equipment": (
        "Trenger {eq}.", "Behov for {eq}.", "Husk {eq}.", "Spesialutstyr: {eq}.", "Må ha {eq} på stua.",
        "Bestill {eq} i god tid.",
    ),
    "mobility_aid": (
        "Går med rullator.", "Rullestolbruker.", "Bruker krykker.", "Trenger løftehjelp ved forflytning.",
        "Sitter i rulestol.", "Mobiliseres med gåstol.", "Sengeliggende, trenger personløfter.",
        "Bruker rullator ved lengre avstander.",
    ),
    "diabetic": (
        "Diabetes type 1, settes først på programmet.", "Insulinbehandlet diabetes – først på dagen.",
        "DM2 på insulin.", "Diabetiker, bør opereres tidlig.", "Diabetes mellitus type 2.",
        "Insulinkrevende diabetes.", "Diabetis type 1.", "Har diabetes, blodsukker følges.",
    ),
}

NEGATIVE: dict[str, tuple[str, ...]] = {
    "interpreter": ("Ikke behov for tolk.", "Snakker godt norsk, tolk ikke nødvendig.", "Trenger ikke tolk."),
    "isolation": ("Ikke smitteisolat.", "MRSA-screening negativ.", "Ingen isolasjon nødvendig."),
    "latex_allergy": ("Ingen kjente allergier.", "Ikke latexallergi.", "Allergier: ingen kjente."),
    "icu_bed": ("Ikke behov for intensivplass.", "Sengepost postop, ikke intensiv.", "Trenger ikke intensivseng."),
    "anticoagulation": ("Bruker ikke blodfortynnende.", "Ingen antikoagulasjon.", "Ikke på Marevan."),
    "special_equipment": ("Ikke behov for spesialutstyr.", "Standard utstyr."),
    "mobility_aid": ("Selvhjulpen, går uten hjelpemidler.", "Ingen hjelpemidler.", "Går selv."),
    "diabetic": ("Ikke diabetes.", "Ingen diabetes.", "Blodsukker normalt, ikke diabetiker."),
}

FILLER = (
    "Henvist fra fastlege.", "Samtykke innhentet.", "Preoperativ vurdering gjennomført.",
    "Pasienten er informert om inngrepet.", "Fastende fra midnatt.", "Ringes dagen før.",
    "Bor alene.", "Pårørende kjører hjem.", "Tidligere operert uten komplikasjoner.",
    "Kontroll hos fastlege etter 2 uker.", "ASA-vurdering på poliklinikken.", "Røyker, anbefalt røykestopp.",
    "Ønsker dato etter skoleferien.", "Har hjertesvikt, stabil.", "Blodprøver tas ved innkomst.",
)

#: Chance that a waiting-list note carries each fact (roughly as often as in practice).
FACT_RATES: dict[str, float] = {
    "interpreter": 0.06, "isolation": 0.04, "latex_allergy": 0.03, "icu_bed": 0.05,
    "anticoagulation": 0.10, "special_equipment": 0.05, "mobility_aid": 0.08, "diabetic": 0.09,
}


def _fill(phrase: str, rng: random.Random) -> str:
    return phrase.format(lang=rng.choice(LANGUAGES), ac=rng.choice(ANTICOAGULANTS),
                         eq=rng.choice(EQUIPMENT))


def make_note(rng: random.Random, *, icu_procedure: bool = False,
              rates: dict[str, float] | None = None) -> tuple[str, frozenset[str]]:
    """A note and the facts it truly states. Negated mentions are not facts."""
    rates = rates or FACT_RATES
    facts = {label for label in FACT_LABELS if rng.random() < rates[label]}
    if icu_procedure and rng.random() < 0.5:
        facts.add("icu_bed")
    sentences = [_fill(rng.choice(POSITIVE[label]), rng) for label in sorted(facts)]
    for label in FACT_LABELS:
        if label not in facts and rng.random() < 0.08:
            sentences.append(rng.choice(NEGATIVE[label]))
    sentences.extend(rng.sample(FILLER, k=rng.randint(0, 3)))
    rng.shuffle(sentences)
    text = " ".join(sentences)
    if rng.random() < 0.15:
        text = text.lower()
    return text, frozenset(facts)
