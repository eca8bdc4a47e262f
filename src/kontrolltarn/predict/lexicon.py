"""The Norwegian lexicon behind the rule-based note reader (``notes.RuleExtractor``).

Everything here is data: what a fact looks like in a clinical note, what negates it, and which
words may be misspelled. Patterns are regular expressions over *folded* text (lower case,
ø→o, å→a, æ→ae, accents dropped), written here in ordinary Norwegian and folded at load, so
"kontaktsmitte" and "kontaktsmitte" typed without Norwegian letters read the same.

Written from general knowledge of Norwegian hospital notes (pre-operative notes, referrals,
anaesthesia assessments), not from any generator's templates.
"""

from __future__ import annotations

#: Fact labels, in report order. ``diabetic`` means "diabetic: put first on the list".
FACTS: tuple[str, ...] = (
    "interpreter", "isolation", "latex_allergy", "icu_bed", "anticoagulation",
    "special_equipment", "mobility_aid", "diabetic",
)

FACT_DESCRIPTIONS: dict[str, str] = {
    "interpreter": "interpreter needed (tolk)",
    "isolation": "isolation or contact precautions (isolasjon, smitteregime, MRSA …)",
    "latex_allergy": "latex allergy: latex-free room, first on the list",
    "icu_bed": "intensive-care bed needed after surgery",
    "anticoagulation": "anticoagulant or antiplatelet drug to pause before surgery",
    "special_equipment": "special equipment to reserve (robot, C-arm, loan set …)",
    "mobility_aid": "mobility aid or lifting help (wheelchair, walker, hoist …)",
    "diabetic": "diabetic: first on the day's list",
}

_W = r"[a-z0-9]*"  # rest of a compound word

#: Positive patterns per fact. A match is a finding; negation is judged around it.
POSITIVE: dict[str, tuple[str, ...]] = {
    "interpreter": (
        # tolk, tolken, tolkebehov, telefontolk, tegnspråktolk — but not "tolket/tolkes/tolkning"
        r"\b(tollk|tolkk|tolc)\w*", r"\b(oversetter|sprakhjelp)\w*",
        rf"\b{_W}tolk(?!et\b|es\b|ning|ningen\b|bar)[a-z]*",
        r"\b(snakker|prater|forstar|behersker|kan|leser)\s+(ikke|ikkje|lite|darlig|knapt|"
        r"svaert lite|nesten ikke|ingen|veldig lite|bare litt)\s+(\w+\s+)?(norsk|skandinavisk)\w*",
        r"\bikke\s+(norsktalende|norskspraklig|norskkyndig)",
        r"\b(ingen|lite|darlige?|svake|begrensede?|mangelfulle|manglende|minimale)\s+"
        r"norsk(kunnskap|ferdighet)\w*",
        r"\bmangler\s+norsk\w*",
        r"\bsprakbarriere\w*",
        r"\bsprakproblem\w*",
        r"\b(snakker|forstar|prater|kan)\s+(kun|bare|utelukkende)\s+(?!norsk)[a-z]+",
        r"\b(arabisk|somalisk|tigrinja|polsk|litauisk|russisk|ukrainsk|persisk|farsi|dari|urdu|"
        r"tyrkisk|kurdisk|vietnamesisk|thai|tamil|rumensk|pashto|kinesisk)talende",
        r"\b(dov|dove|horselshemmet)\b.*\btegnsprak",
    ),
    "isolation": (
        rf"\b{_W}isol(asjon|ering|eres|ere|at)[a-z]*",
        rf"\b{_W}smitte{_W}", rf"\bsmitts{_W}",
        r"\bmrsa\w*", r"\bvre\b", r"\besbl\w*", r"\bcpe\b", r"\bmdr\w*",
        rf"\bmultiresist{_W}", r"\bresistente\s+bakterier",
        r"\bc\.?\s?diff\w*", rf"\bclostridi{_W}", r"\btuberkulose\w*", r"\btbc\b",
        r"\bnorovirus\w*", r"\bcovid\w*", r"\bkorona\w*", r"\bvannkopper\b",
        r"\bbaerer\s+av\s+(mrsa|vre|esbl)",
    ),
    "latex_allergy": (
        rf"\b(latex|lateks|latekss|latx|latec){_W}",
        rf"\bgummi{_W}allergi{_W}",
    ),
    "icu_bed": (
        rf"\b{_W}intensiv(?!t\b){_W}",
        r"\b(ita|icu|mio|kio|int\.?\s?avd)\b",
        rf"\bovervakningsplass{_W}", rf"\bovervakningsseng{_W}",
        rf"\brespirator{_W}", r"\bpostoperativ\s+ventilasjon",
        rf"\bovervakningsavd{_W}", r"\b(postop|postoperativ)\w*\s+overvakning\b",
        rf"\bintermediaer{_W}",
    ),
    "anticoagulation": (
        rf"\bantikoag{_W}", rf"\bblodfortynn{_W}", r"\b(noak|doak|nacd?|doac)\b",
        r"\bak-?behandl\w*",
        rf"\b(marevan|warfarin|eliquis|apixaban|xarelto|rivaroksaban|rivaroxaban|pradaxa|"
        rf"dabigatran|lixiana|edoksaban|edoxaban|fragmin|dalteparin|klexane|enoksaparin|"
        rf"enoxaparin|innohep|tinzaparin|heparin|plavix|klopidogrel|clopidogrel|brilique|"
        rf"brilinta|tikagrelor|ticagrelor|efient|prasugrel|persantin|dipyridamol){_W}",
        r"\b(albyl|albyl-e|aspirin|acetylsalisylsyre)\b(?=.*\b(pause|pauses|seponer|stopp|"
        r"holdes|sett\w* pa pause|avslutt|skal ikke tas))",
    ),
    "special_equipment": (
        rf"\bspesial(utstyr|instrument|sett|bord|seng|leie|tilpass|pakke|bestil|lag){_W}",
        rf"\bfirma(representant|utstyr|sett){_W}", r"\butstyr\s+fra\s+(firma|produsent)",
        rf"\b(instrument|revisjons|implantat)sett{_W}",
        rf"\b(peroperativ{_W}\s+)?(rontgen|rtg)(?!\s*(thorax|toraks|bilde|us)){_W}",
        rf"\b(endoskopi|artroskopi|laparoskopi)(tarn|stativ|utstyr){_W}",
        rf"\bstrekkbord{_W}", rf"\b{_W}leiringsutstyr{_W}", rf"\bspesialleiring{_W}",
        rf"\bvakuum(madrass|pute){_W}", r"\bmayfield\w*", rf"\bhodeholder{_W}",
        r"\bjackson-?bord\w*", rf"\bautotransfusjon{_W}", rf"\btransosofageal{_W}",
        r"\btee\b", r"\bligasure\b", rf"\b{_W}instrumentering\b",
        r"\b(saerskilt|spesielt|ekstra|spesifikt|eget)\s+utstyr\b",
        rf"\brobot{_W}", r"\bda\s?vinci\b", r"\bc-?bue\w*", rf"\bgjennomlysning{_W}",
        rf"\bnavigasjon{_W}", r"\bo-?arm\b", rf"\bmikroskop{_W}", rf"\blaser{_W}",
        rf"\blane?sett{_W}", r"\blant\s+utstyr", rf"\bleverandor{_W}",
        r"\butstyr\s+(er\s+|ma\s+|skal\s+)?(bestilt|bestilles|lant|lanes|reservert|reserveres)",
        rf"\bbariatrisk{_W}\s+(bord|seng|utstyr|operasjonsbord)", rf"\btungvekts{_W}",
        rf"\bhybridstue{_W}", r"\bcell\s?saver\b", rf"\bultralydkniv{_W}",
        rf"\bnevromonitor{_W}", rf"\b{_W}monitorering\s+av\s+nerve{_W}", rf"\blaparoskopitarn{_W}",
        r"\btarn\b", rf"\btrekkbord{_W}", rf"\bekstensjonsbord{_W}", rf"\bbeinbank{_W}",
        rf"\bfrysesnitt{_W}", rf"\bhjerte-?lunge-?maskin{_W}", r"\bekmo\b", r"\becmo\b",
        r"\b(implantat|protese|skruer|plate|sett)\w*\s+(er\s+|ma\s+|skal\s+)?(bestilt|bestilles)",
        rf"\b{_W}sett\s+fra\s+leverandor",
    ),
    "mobility_aid": (
        rf"\brullestol{_W}", rf"\brullator{_W}", rf"\bkrykke{_W}", rf"\bgastol{_W}",
        rf"\bprekestol{_W}", r"\bstokk\b", rf"\bpersonloft{_W}", rf"\btakloft{_W}",
        rf"\bloftestol{_W}", rf"\bsengeliggende{_W}", rf"\bimmobil{_W}",
        rf"\b{_W}hjelpemid{_W}", rf"\bforflytning{_W}", rf"\bgangvansk{_W}",
        rf"\bbevegelseshem{_W}", rf"\b(paraplegi|tetraplegi|lam|lammet|lamme){_W}",
        r"\b(kan|klarer|greier)\s+(ikke|ikkje)\s+(a\s+)?(ga|gaa|sta|forflytte)\b",
        r"\bikke\s+(gaende|mobil|oppegaende)\b",
        r"\bbaeres\s+over\b", r"\bliggende\s+transport\b",
    ),
    "diabetic": (
        rf"\bdiabet{_W}", r"\bdm\s?(1|2|i|ii)?\b", r"\bdm-?type\b", r"\b(n?iddm)\b",
        rf"\binsulin{_W}", rf"\bsukkersyk{_W}", r"\bt[12]dm?\b",
    ),
}

#: Matches that look like a fact but are not (removed before judging).
FALSE_FRIENDS: dict[str, tuple[str, ...]] = {
    "diabetic": (r"\bdiabetes\s+insipidus",),
    "icu_bed": (rf"\bintensivsykepleier{_W}", r"\bintensiv\s+(fysio|trening|opptrening|smerte)"),
    "isolation": (r"\bsmittevern\w*\s+(ok|vanlig|standard)", r"\bisolert\b"),
    "anticoagulation": (r"\bheparinallergi\b",),
}

#: Negative evidence phrases: these state the fact is absent (they outvote nothing, they only
#: make the absence explicit in the findings).
ABSENT: dict[str, tuple[str, ...]] = {
    "interpreter": (r"\b(snakker|forstar|behersker)\s+(godt|flytende|bra)\s+norsk",
                    r"\b(er\s+)?norsktalende\b"),
    "mobility_aid": (r"\bgar\s+(selv|uten\s+hjelp)", r"\bselvhjulpen\b"),
}

#: Latex is an allergy fact only with allergy context in the same sentence (or in the word).
LATEX_CONTEXT = (
    r"allerg|overfolsom|reaksjon|reagerer|taler\s+ikke|intoleran|anafyla|sensitiv|utslett|"
    r"elveblest|latexfri|lateksfri|kontakteksem|\bfri\b|unnga"
)
#: Aspirin counts only with a pause instruction (low-dose aspirin is usually continued).

#: Negation cues before a finding (same clause, up to PRE_WINDOW words before it).
PRE_NEGATION = frozenset({
    "ikke", "ikkje", "ike", "ikk", "ikek", "ingen", "inga", "intet", "ingenting", "uten", "utan",
    "nei", "neg", "negativ", "aldri", "verken", "hverken", "avkreftet", "fri", "frisk",
    "mor", "bror", "soster", "familie", "familien", "familiaer", "slekt", "arvelig",
})
#: Negation cues right after a finding ("tolk ikke nødvendig", "MRSA negativ").
POST_NEGATION = frozenset({
    "ikke", "ikkje", "ike", "nei", "neg", "negativ", "negative", "negativt", "ingen",
    "avkreftet", "utelukket", "unodvendig", "unodig", "ukjent", "frisk",
})
PRE_WINDOW = 6
POST_WINDOW = 3

#: Cue words that are not negations in these combinations ("tåler ikke latex" is an allergy).
PSEUDO_NEGATION = (
    r"\btaler\s+ikke\b", r"\bikke\s+bare\b", r"\bikke\s+utelukk\w*", r"\bkan\s+ikke\s+utelukkes",
    r"\bikke\s+sikkert\s+at\s+ikke\b", r"\bfri\s+for\s+a\b",
)
#: Words that end a negation's reach within a clause ("ingen allergier og bruker rullestol").
SCOPE_BREAKERS = frozenset({
    "men", "derimot", "samt", "unntatt", "bortsett", "da", "fordi", "siden", "ettersom", "pga",
    "grunnet", "hvor", "som", "mens", "likevel", "imidlertid", "derfor", "ellers",
})
#: "og" ends a negation's reach when a new verb phrase follows it.
VERBS_AFTER_AND = frozenset({
    "bruker", "trenger", "har", "er", "skal", "ma", "blir", "far", "gar", "sitter", "behov",
    "onsker", "tar", "star", "planlegges", "bestilles", "bor", "kommer", "mobiliseres",
})
#: Words after a finding that mean a test, not a result ("MRSA-screening tatt").
NOT_A_RESULT = frozenset({
    "screening", "screenes", "screenet", "podet", "podes", "prove", "prover", "test", "testet",
    "testes", "status", "svar", "kontroll",
})

#: Sentence abbreviations whose full stop does not end a sentence.
ABBREVIATIONS = frozenset({
    "pas", "pt", "ev", "evt", "pga", "kl", "dvs", "ca", "bl", "mht", "iht", "inkl", "tbl", "mg",
    "stk", "nr", "dr", "ifm", "f", "eks", "ref", "jf", "dgn", "postop", "preop", "hhv", "vha",
})

#: Words worth correcting when misspelled: one edit away (two for long words) from these, with
#: the same first letter, a word is read as the lexicon's spelling. Short or ambiguous words
#: ("tolk", "stokk", "lam") are not here: a near miss of them is usually another word.
FUZZY_WORDS: tuple[str, ...] = (
    # interpreter
    "tolkebehov", "telefontolk", "skjermtolk", "tolketjeneste", "norsktalende", "sprakbarriere",
    "norskkunnskaper",
    # isolation
    "isolasjon", "isolering", "isoleres", "kontaktsmitte", "drapesmitte", "luftsmitte",
    "smitteregime", "kontaktisolering", "multiresistent", "tuberkulose", "clostridium",
    "norovirus", "smittevern",
    # latex
    "latexallergi", "lateksallergi", "allergi", "allergisk", "allergier", "overfolsom",
    # icu
    "intensiv", "intensivplass", "intensivseng", "intensivavdeling", "overvakningsplass",
    "respirator",
    # anticoagulation
    "antikoagulasjon", "antikoagulert", "blodfortynnende", "marevan", "warfarin", "eliquis",
    "apixaban", "xarelto", "rivaroksaban", "pradaxa", "dabigatran", "lixiana", "edoksaban",
    "fragmin", "klexane", "klopidogrel", "clopidogrel", "brilique", "tikagrelor",
    "pauses", "seponeres",
    # equipment
    "spesialutstyr", "spesialinstrumenter", "gjennomlysning", "navigasjon", "mikroskop",
    "leverandor", "lanesett",
    # mobility
    "rullestol", "rullator", "krykker", "prekestol", "personlofter", "sengeliggende",
    "hjelpemidler", "forflytning", "gangvansker", "immobil",
    # diabetes
    "diabetes", "diabetiker", "diabetikar", "insulin", "insulinbehandlet", "sukkersyke",
    # negation words
    "avkreftet", "negativ", "ingenting", "unodvendig", "nodvendig",
)
