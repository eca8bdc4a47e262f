"""The Norwegian lexicon behind the rule-based note reader (``notes.RuleExtractor``).

Everything here is data: what a fact looks like in a clinical note, what negates it, and which
words may be misspelled. Patterns are regular expressions over *folded* text (lower case,
ø→o, å→a, æ→ae, accents dropped), written here in ordinary Norwegian and folded at load, so
"kontaktsmitte" and "kontaktsmitte" typed without Norwegian letters read the same.

Written from general knowledge of Norwegian hospital notes (pre-operative notes, referrals,
anaesthesia assessments, operating-theatre coordinators' remarks; bokmål and nynorsk), not
from any generator's templates or any evaluation corpus.
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
#: equipment words that are special only when ordered, reserved or borrowed ("sett bestilt")
_KIT = (r"(utstyr|utstyret|instrument\w*|implantat\w*|protese\w*|skruer|plate\w*|sett|settet|"
        r"spesialsett|apparat\w*|maskin\w*|bord\w*)")
_ORDERED = (r"(bestilt|bestilles|bestille|reservert|reserveres|reservere|booket|bookes|booke|"
            r"lant|lant\s+inn|lanes|lanes\s+inn|laane\w*|skaffes|leveres|sendes|klargjores)")

#: Positive patterns per fact. A match is a finding; negation is judged around it.
POSITIVE: dict[str, tuple[str, ...]] = {
    "interpreter": (
        # tolk, tolken, tolkebehov, telefontolk, tegnspråktolk — but not "tolket/tolkes/tolkning"
        r"\b(tollk|tolkk|tolc|tokl|tlok|toolk)\w*", r"\b(oversetter|sprakhjelp)\w*",
        rf"\b{_W}tolk(?!et\b|es\b|ning|ing|bar)[a-z]*",
        r"\bikke[\s-]+(norsktalende|norskspraklig|norskkyndig)",
        r"\b(ingen|lite|darlige?|svake|begrensede?|mangelfulle|manglende|minimale)\s+"
        r"norsk(kunnskap|ferdighet)\w*",
        r"\bmangler\s+norsk\w*",
        r"\b(dov|dove|dovstum|horselshemmet)\b.*\btegnsprak",
    ),
    "isolation": (
        rf"\b{_W}isol(asjon|ering|eres|ere|at)[a-z]*",
        rf"\b{_W}smitte{_W}", rf"\bsmitts{_W}",
        r"\b(mrsa|msra|mras)\w*", r"\bvre\b", r"\b(esbl|eslb|ebsl)\w*", r"\bcpe\b", r"\bmdr\w*",
        rf"\bmultiresist{_W}", r"\bresistente\s+bakterier",
        r"\bc\.?\s?diff\w*", rf"\bclostridi{_W}", r"\btuberkulose\w*", r"\b(tbc|tb)\b",
        r"\bnorovirus\w*", r"\bcovid\w*", r"\bkorona(?!r)\w*", r"\bsars-?cov\w*", r"\bvannkopper\b",
        r"\binfluensa\w*", r"\brs-?virus\w*", r"\bskabb\b", r"\bmeslinger\b", r"\bkikhoste\b",
        r"\bomgangssyke\b", r"\bbaerer\s+av\s+(mrsa|vre|esbl)", r"\bkontaktregime\w*",
    ),
    "latex_allergy": (
        rf"\b(latex|lateks|latekss|latx|latec|latks|lattex|laktex){_W}",
        rf"\bgummi{_W}allergi{_W}", r"\b(allergi\w*|overfolsom\w*)\s+(mot|for)\s+gummi\w*",
    ),
    "icu_bed": (
        rf"\b{_W}intensiv(?!t\b){_W}",
        r"\b(ita|icu|mio|kio|kia|sio|int\.?\s?avd|int\.?\s?plass|int\.?\s?seng)\b",
        rf"\bovervakningsplass{_W}", rf"\bovervakningsseng{_W}",
        rf"\b(respirator|ventilator){_W}",
        r"\b(postoperativ|elektiv|forlenget|planlagt)\s+(respirator\w*|ventilasjon)",
        r"\b(holdes|forblir|forbli|beholdes|fortsatt)\s+intubert\b",
        rf"\bovervakningsavd{_W}", r"\b(postop|postoperativ)\w*\s+overvakning\b",
        r"\bovervakning\w*\s+(postop\w*|etter\s+(operasjon|inngrep)\w*)",
        r"\b(kir|kirurgisk)\.?\s*overvakning\w*", r"\b(til|pa)\s+int\b(?!\s*-?\s*(med|\d))",
        r"\b(plass|seng)\s+pa\s+overvakning\w*",
        rf"\bintermediaer{_W}",
    ),
    "anticoagulation": (
        rf"\bantikoag{_W}", rf"\b{_W}blodfortynn{_W}", r"\b(noak|doak|nacd?|doac)\b",
        r"\bak-?beh\w*", r"\b(dapt|lmwh)\b", r"\bclexane\w*", rf"\b(blod)?plate(hemm|hemmer|hemmende){_W}",
        rf"\btrombocytt?hemm{_W}", rf"\bantitrombotisk{_W}", r"\bbridging\w*",
        rf"\b(marevan|warfarin|eliquis|apixaban|xarelto|rivaroksaban|rivaroxaban|pradaxa|"
        rf"dabigatran|lixiana|edoksaban|edoxaban|fragmin|dalteparin|klexane|enoksaparin|"
        rf"enoxaparin|innohep|tinzaparin|heparin|plavix|klopidogrel|clopidogrel|brilique|"
        rf"brilinta|tikagrelor|ticagrelor|efient|prasugrel|persantin|dipyridamol|arixtra|"
        rf"fondaparinux|orgaran|asasantin){_W}",
        r"\b(albyl|albyl-e|aspirin|acetylsalisylsyre|magnyl|hjertemagnyl)\b(?=.*\b(pause|"
        r"pauses|seponer|stopp|holdes|sett\w* pa pause|avslutt|skal ikke tas|ikke tas))",
    ),
    "special_equipment": (
        # spesialutstyr, spesialbestilt, spesialbord … but not a specialist or a speciality
        rf"\bspesial(?!ist|itet|iser|sykehus|helse|avdeling|sykepleier|kost|omrade|felt|fag|"
        rf"undersok|kompetans|post|poliklin|lege){_W}",
        rf"\bfirma(representant|rep|utstyr|sett){_W}",
        r"\butstyr\s+fra\s+(firma|produsent|leverandor)",
        r"\b(representant|rep\.?|tekniker|produktspesialist)\s+fra\s+(firma\w*|leverandor\w*|produsent\w*|stryker|"
        r"medtronic|zimmer|depuy|synthes|arthrex|smith|olympus|storz|biomet|link|braun)",
        r"\b(leverandor|produsent|firma)\w*\s*(representant|rep)\b",
        r"\b(stryker|medtronic|zimmer|depuy|synthes|arthrex|olympus|storz|biomet|brainlab)"
        r"[\s-]*(sett|utstyr|instrument\w*|implantat\w*|representant|rep|tarn)",
        rf"\b(instrument|revisjons|implantat|fiksasjons|skrue|negle|bekken|osteotomi|"
        rf"leverandor|lane|lan|laane)sett{_W}",
        rf"\b(rontgen|rtg)(?![\s.:]*(thorax|toraks|bilde|us|kontroll|av|viser|viste|tatt|fra|"
        rf"funn|svar|beskr|u\.?a|normal|bekken|hofte|kne|ankel|skulder|handledd|lunge|"
        rf"columna|colon|ct|mr)){_W}",
        rf"\b{_W}(endoskopi|artroskopi|laparoskopi|skopi|torakoskopi|hysteroskopi|cystoskopi)"
        rf"(tarn|stativ|utstyr|pumpe){_W}",
        rf"\b(strekk|trekk|ekstensjons|hofte|tungvekts|jackson|bariatrisk\w*\s*|wilson)[\s-]*"
        rf"(bord|ramme){_W}",
        rf"\b{_W}leiringsutstyr{_W}", rf"\bspesialleiring{_W}",
        rf"\bvakuum(madrass|pute){_W}", r"\bmayfield\w*", rf"\bhodeholder{_W}",
        r"\bbeach[\s-]?chair\w*", rf"\bautotransfusjon{_W}", rf"\btransosofageal{_W}",
        r"\btee\b", r"\bligasure\b", rf"\b{_W}instrumentering\b",
        r"\b(saerskilt|saerskilte|spesiell|spesielle|spesielt|ekstra|spesifikt|spesifikke|eget|"
        r"egne|egen)\s+(utstyr|instrument\w*|sett|bord|implantat\w*|leie)\b",
        rf"\b(implantat|instrument|protese|spesial)(pakke|kasse|container){_W}",
        rf"\b{_W}robot{_W}", r"\bda\s?-?vinci\w*", r"\b(ralp|rarp|rapn)\b",
        r"\bc-?\s?(bue|arm)\w*", rf"\b{_W}gjennomlysning{_W}", rf"\bbildeforsterk{_W}",
        rf"\bfluoroskopi{_W}", r"\bskopi\s+(peroperativt|pa\s+stuen|i\s+sal)",
        rf"\bradiograf{_W}", rf"\b{_W}navigasjon{_W}", r"\bo-?\s?arm\b", r"\bstealth\w*",
        rf"\b{_W}mikroskop(?!i){_W}", rf"\beksoskop{_W}", rf"\bexoscop{_W}",
        rf"\b((holmium|thulium|co2|ktp|yag|diode|ho)-?)?laser(?!behandl|oper){_W}",
        rf"\b(holmium|thulium){_W}",
        rf"\blaa?ne?-?s{{1,2}}e?t{{1,2}}{_W}", rf"\blaa?ne(utstyr|instrument|implantat|protese){_W}",
        rf"\bkommisjon{_W}", rf"\bstereotak{_W}", rf"\bradiofrekvens{_W}", r"\brfa\b",
        r"\b3d-?(kamera|optikk|laparoskop\w*|tarn|skop\w*)",
        r"\b(bredt|bredere|forsterket|ekstra\s+bredt?)\s+(operasjons)?(bord|seng)",
        r"\b(trykkavlastende|bariatrisk\w*)\s+(madrass|seng|bord|leie)",
        r"\blant\s+(utstyr|inn|fra|sett)", rf"\b{_W}leverandor{_W}",
        r"\blanes\s+(inn|fra)\b", r"\blan\s+(av|fra)\s+\w+", rf"\bkonsignasjon{_W}",
        rf"\b{_W}utstyr(et)?\s+(er\s+|ma\s+|skal\s+|blir\s+)?{_ORDERED}",
        rf"\b{_KIT}\s+(er\s+|ma\s+|skal\s+|blir\s+)?{_ORDERED}\b",
        r"\b(bestill|reserver|book|lan)\s+(inn\s+)?(spesial\w*|lanesett|sett|utstyr|implantat)",
        rf"\bbariatrisk{_W}\s+(bord|seng|utstyr|operasjonsbord)", rf"\btungvekts{_W}",
        rf"\bhybrid(stue|sal){_W}", r"\bcell\s?-?(saver|sparer)\w*", rf"\bcellsaver{_W}",
        rf"\bultralydkniv{_W}", r"\bcusa\b", rf"\bsonoca{_W}",
        r"\b(peroperativ\w*|intraoperativ\w*)\s+(ultralyd|ul|doppler)\w*",
        r"\b(ultralyd|ul)\w*\s+(peroperativt|pa\s+stuen|i\s+sal|intraoperativt)",
        rf"\bnevromonitor{_W}", rf"\bnervemonitor{_W}", r"\bnim\b",
        rf"\b{_W}monitorering\s+av\s+nerve{_W}",
        r"\btarn\b", rf"\bbeinbank{_W}", rf"\bbenbank{_W}",
        rf"\bfrysesnitt{_W}", rf"\bhjerte-?lunge-?maskin{_W}", r"\b(ekmo|ecmo|hlm)\b",
        rf"\bperfusjonist{_W}", rf"\bekstrakorporal{_W}",
        rf"\bgamma-?prob{_W}", r"\bicg\b", rf"\bfluorescens{_W}", rf"\bkryo(probe|apparat){_W}",
        rf"\bpasientspesifikk{_W}", rf"\bskreddersydd{_W}", r"\bindividuelt\s+tilpasset",
        rf"\b(tumor|revisjons|megaprotese)protese{_W}", rf"\bmegaprotese{_W}",
        rf"\b{_W}sett\s+fra\s+(leverandor|firma|produsent)",
    ),
    "mobility_aid": (
        rf"\b{_W}rullestol{_W}", rf"\brullator{_W}", rf"\b{_W}krykke{_W}", rf"\bgastol{_W}",
        rf"\bgabord{_W}", rf"\bgaramme{_W}", rf"\bgahjelp{_W}", rf"\bprekestol{_W}",
        r"\bstokk(er|en)?\b", r"\blift\b", r"\bhjelp\s+av\s+(to|2)\b",
        rf"\bpersonloft{_W}", rf"\btakloft{_W}", r"\bpermobil\w*",
        rf"\bloftestol{_W}", rf"\b{_W}loftehjelp{_W}", rf"\bglide(brett|matte|laken){_W}",
        rf"\bsklibrett{_W}", rf"\bsengeliggende{_W}", rf"\bsengebundet{_W}",
        rf"\bimmobil(?!is){_W}", rf"\b{_W}hjelpemid{_W}", rf"\bforflytning{_W}",
        rf"\bgangvansk{_W}", rf"\bbevegelseshem{_W}", rf"\b(paraplegi|tetraplegi){_W}",
        r"\b(paraplegiker|tetraplegiker|lam|lammet|lamme)\b",
        r"\b(kan|klarer|greier|kan\s+heller)\s+(ikke|ikkje)\s+(a\s+)?(ga|gaa|sta|forflytte|"
        r"reise\s+seg|bevege\s+seg)\b",
        r"\bikke[\s-]+(gaende|mobil|oppegaende|gangfor|selvgaende|selvhjulpen|selvstendig\s+i"
        r"\s+forflytning)\b",
        r"\bbaeres\s+over\b", r"\bliggende\s+transport\b", r"\bma\s+(loftes|baeres)\b",
        r"\b(hjelp|stotte|assistanse)\s+(til|ved|med|under)\s+(a\s+)?(ga|gange|forflytte|"
        r"forflytning)\b",
        r"\b(nedsatt|redusert|darlig|svekket)\s+(gangfunksjon|mobilitet|gangevne)\b",
        r"\bgangfunksjon\w*\s+(nedsatt|redusert|darlig)",
        r"\b(to|2)\s+(personer|pleiere)\s+(ved|til|under)\s+forflytning",
    ),
    "diabetic": (
        rf"\bdiabet{_W}", r"\bdm\s?(1|2|i|ii)?\b", r"\bdm-?type\b", r"\b(n?iddm)\b",
        rf"\binsulin{_W}", rf"\bsukkersyk{_W}", r"\bt[12]dm?\b", r"\btype\s+(1|2|i|ii)\s+dm\b",
        rf"\b(metformin|glucophage|sitagliptin|januvia|janumet|lantus|novorapid|humalog|"
        rf"levemir|toujeo|tresiba|insulatard|novomix|humulin|trulicity|dulaglutid|victoza|"
        rf"gliklazid|diamicron|glimepirid|amaryl|mindiab|ozempic|eucreas|galvus|glipizid|"
        rf"fiasp|apidra|abasaglar|xultophy){_W}",
    ),
}

#: Patterns that suggest a fact without saying it; they count only when the note states the
#: fact's absence nowhere ("fremmedspråklig, men snakker godt norsk" needs no interpreter).
WEAK: dict[str, tuple[str, ...]] = {
    "interpreter": (
        r"\b(snakker|snakkar|prater|forstar|behersker|kan|leser|skjonner)\s+(ikke|ikkje|lite|"
        r"darlig|knapt|svaert lite|nesten ikke|ingen|veldig lite|bare litt|begrenset|lite eller"
        r"\s+ingen)\s+(\w+\s+)?(norsk|skandinavisk)\w*",
        r"\b(snakker|snakkar|forstar|prater|kan)\s+(kun|bare|berre|utelukkende)\s+(?!norsk)[a-z]+",
        r"\b(arabisk|somalisk|tigrinja|polsk|litauisk|russisk|ukrainsk|persisk|farsi|dari|urdu|"
        r"tyrkisk|kurdisk|vietnamesisk|thai|tamil|rumensk|pashto|kinesisk|engelsk|spansk|fransk|"
        r"portugisisk|albansk|bosnisk|serbisk|eritreisk|amharisk)(talende|spraklig)",
        r"\bfremmedsprak\w*", r"\bframandsprak\w*",
        rf"\bsprakbarriere{_W}", rf"\bsprakproblem{_W}", rf"\bsprakvansk{_W}",
        r"\bkommuniserer\s+(kun|bare|via)\b",
    ),
    "mobility_aid": (),
}

#: Matches that look like a fact but are not (removed before judging).
FALSE_FRIENDS: dict[str, tuple[str, ...]] = {
    "interpreter": (
        r"\b(jeg|vi|radiolog\w*|lege\w*|kirurg\w*|man)\s+tolk\w*",
        r"\btolker\s+(det|dette|funn\w*|som|symptom\w*|bildet|svaret|ekg|prove\w*)\b",
        # the verb: reading images or results ("vanskelig å tolke", "tolke EKG-funn")
        r"\ba\s+tolke\b(?!\s+for)", r"\btolke\s+(\w+-?)?(funn|bilde|ekg|svar|prove|resultat|ct|mr|rtg|"
        r"rontgen|symptom)\w*",
        r"\b(jobber|jobbar|arbeider|arbeidar|utdannet|utdanna)\s+som\s+(tolk|oversetter)\w*",
    ),
    "diabetic": (r"\bdiabetes\s+insipidus", r"\bprediabet\w*", r"\brisiko\s+for\s+diabet\w*",
                 r"\binsulinresisten\w*", r"\binsulinom\w*",
                 r"\btidligere\s+svangerskapsdiabet\w*", r"\bdiabetes(risiko|utredning)\w*"),
    "icu_bed": (rf"\bintensivsykepleier{_W}", rf"\bintensiv(lege|team|personell|anestesi){_W}",
                # a consultation from the ICU team; monitoring on a ward or in recovery
                r"\b(tilsyn|konsultasjon)\s+(fra|av)\s+intensiv\w*",
                r"\b((postop\w*|forlenget|utvidet)\s+)?overvakning\w*\s+(\w+\s+){0,2}pa\s+(sengepost\w*|"
                r"oppvakning\w*|po|post|"
                r"postoperativ\s+avdeling)\b",
                # intensive treatment of another kind, intense pain
                r"\bintensiv\s+(fysio|trening|opptrening|smerte|insulin|kjemo|antibiotika|"
                r"oppfolging|kurs|rehab|statin|blodtrykk|logoped|diett|kost|stralebehandling|"
                r"mobilisering|psyko|samtale|kognitiv|medikamentell|lipid|behandling\s+av|"
                r"sarbehandling|ernaering|trening)",
                r"\bintensive\b(?!\s+(plass|senger|avdeling))", r"\brespiratorisk\w*",
                r"\bintensiver(t|e|es|ing)\b", r"\bintensiv(behandlings)?(niva|kandidat)\w*",
                r"\bintensivkurs\w*",
                r"\btidligere\s+(\w+\s+){0,2}(intensiv|respirator)\w*"),
    "isolation": (r"\bsmittevern\w*\s+(som\s+)?(ok|vanlig|normalt|standard)",
                  r"\b(basale|vanlige|standard)\s+smittevern\w*",
                  r"\bisolert\b", r"\bsmittefri\w*",
                  r"\b(influensa|covid|korona)\w*vaksin\w*",
                  r"\bvaksin\w*\s+(mot\s+)?(influensa|covid|korona|meslinger|kikhoste)\w*",
                  r"\b(tidligere|gjennomgatt|hatt)\s+(covid|korona|influensa|vannkopper|"
                  r"meslinger|kikhoste)\w*",
                  # social isolation; isolating a vein or nerve (ablation, dissection)
                  r"\bsosial\w*\s+(\w+\s+)?isol\w*", r"\bisol\w*\s+(sosialt|fra\s+(familie|venner))",
                  r"\b\w*(vene|nerve|kar)isol\w*",
                  r"\bisoler\w*\s+av\s+(n|a|v|nerve\w*|kar\w*|ven\w*|arteri\w*|sene\w*|ureter\w*)\b",
                  r"\bsmittende\s+(latter|humor|entusiasme|glede|smil)\w*"),
    "latex_allergy": (r"\b(latex|lateks)fri\w*\s+\w+\s+(brukes\s+)?(rutinemessig|som\s+standard|"
                      r"som\s+vanlig)",),
    "anticoagulation": (
        r"\bheparinallergi\b", r"\bheparinindus\w*",
        # a drug given as thrombosis prophylaxis ("Eliquis 2,5 mg x 2 som tromboseprofylakse")
        r"\b(eliquis|apixaban|xarelto|rivaroksaban|pradaxa|dabigatran|fragmin|klexane|clexane|"
        r"innohep|dalteparin|enoksaparin|tinzaparin)\w*([\s,]+[\w,]+){0,5}?[\s:]+(som\s+)?"
        r"(trombose)?profylak\w*",
        r"\b(fragmin|klexane|innohep|dalteparin|enoksaparin|tinzaparin)\w*\s+(som\s+)?"
        r"(trombose)?profylak\w*",
        r"\b(trombose)?profylak\w*[\s:]+(med\s+)?(fragmin|klexane|clexane|innohep|dalteparin|"
        r"enoksaparin|tinzaparin|eliquis|xarelto)\w*",
        r"\b(fragmin|klexane|innohep)\w*\s+(\d+\s*(ie|iu|e)\s+)?(postop|postoperativt|fra\s+i\s?"
        r"kveld\s+postop)\b",
    ),
    "special_equipment": (
        r"\bmikroskopisk\w*",
        # suppliers of other things: home nursing, food, transport
        r"\b(hjemmesykepleie|hjemmetjeneste|diett|mat|kost|ernaering|transport|taxi|pleie|apotek|"
        r"medisin|legemiddel)\w*\s+(\w+\s+){0,2}leverandor\w*",
        r"\b\w*(tjeneste|mat|kost|transport|pleie|apotek)leverandor\w*",
        r"\b(tidligere\s+)?laserbehandl\w*",
        r"\btidligere\s+(\w+\s+)?laser\w*",
        r"\b(vanlig|vanlige|standard|ordinaer|ordinaert|rutinemessig)\s+(\w+\s+)?(utstyr|"
        r"instrumentering|instrumenter|sett|bord|tarn)\b",
    ),
    "mobility_aid": (r"\bimmobilis\w*",
                     # aids for hearing or sight; a paralysed arm or face
                     r"\b(horsels|syns|kommunikasjons|inkontinens)\w*hjelpemid\w*",
                     r"\b(horeapparat|briller|lupe|cpap)\w*\s+(som\s+)?hjelpemid\w*",
                     r"\bhjelpemid\w*\s*:\s*(briller|horeapparat)",
                     r"\b(lam|lammet|lamme)\s+i\s+(\w+\s+)?(arm|hand|ansikt|finger|fingr|stemmeband)\w*",
                     r"\btidligere\s+(\w+\s+)?(rullator|rullestol|krykke|gastol)\w*",
                     r"\b(selvstendig|selvhjulpen|uavhengig)\s+(i|ved|under)\s+forflytning\w*",
                     r"\bforflytning\w*\s*:?\s*(selvstendig|selv|ua|u\.a|uavhengig|ok)\b"),
}

#: Negative evidence phrases: these state the fact is absent. They outvote only weak findings
#: (``WEAK``); otherwise they make the absence explicit in the findings.
ABSENT: dict[str, tuple[str, ...]] = {
    "interpreter": (r"\b(snakker|snakkar|forstar|behersker|prater)\s+(godt|flytende|bra|greit|"
                    r"utmerket|god)\s+norsk",
                    r"\b(er\s+)?(norsktalende|norskspraklig)\b"),
    "mobility_aid": (r"\bgar\s+(selv|uten\s+hjelp)", r"\bselvhjulpen\b",
                     r"\bselvstendig\s+i\s+forflytning"),
}

#: Latex is an allergy fact only with allergy context in the same sentence (or in the word).
LATEX_CONTEXT = (
    r"allerg|alergi|overfolsom|reaksjon|reagerer|taler\s+ikke|intoleran|anafyla|sensitiv|"
    r"utslett|elveblest|latexfri|lateksfri|kontakteksem|\bfri\b|unnga"
)
#: Aspirin counts only with a pause instruction (low-dose aspirin is usually continued).

#: Negation cues before a finding (same clause, up to PRE_WINDOW words before it).
PRE_NEGATION = frozenset({
    "ikke", "ikkje", "ike", "ikk", "ikek", "ikkke", "ikkee", "ikje", "ikkj", "kike",
    "ingen", "inga", "ingne", "ignen", "inegn", "intet", "ingenting",
    "uten", "utan", "nei", "neg", "negativ", "aldri", "verken", "hverken", "korkje", "avkreftet",
    "fri", "frisk", "uaktuelt", "unodvendig", "avbestilt", "avbestill",
})
#: Negation cues right after a finding ("tolk ikke nødvendig", "MRSA negativ").
POST_NEGATION = frozenset({
    "ikke", "ikkje", "ike", "ikek", "ikje", "ikkee", "nei", "neg", "negativ", "negative",
    "negativt", "ingen",
    "avkreftet", "utelukket", "unodvendig", "unodig", "ukjent", "frisk", "uaktuelt",
    "uaktuell", "avbestilt", "avlyst", "opphevet", "sanert", "friskmeldt", "hevet", "helbredet",
    "kurert", "remittert",
})
#: Several-word cues: before a finding ("sluttet med Marevan") and after it ("Eliquis seponert
#: for to år siden"). A pause for this operation ("seponert 3 døgn før") is not a cue.
PRE_NEGATION_PHRASES = (
    r"\bsluttet\s+(med|pa)\b", r"\btidligere\s+(brukt|behandlet\s+med|statt\s+pa)\b",
    r"\bsluttet\s+a\s+(bruke|ta|ga\s+med)\b",
    r"\bbrukte\s+tidligere\b", r"\bbrukte\s+\w+\s+tidligere\b",
    r"\bfar\s+(har|hadde|fikk)\b",  # father ("far" is also "får": only with a verb after)
    r"\btaler\s+(godt\s+)?(latex|lateks)",  # "tåler ikke latex" is a pseudo-negation
)
POST_NEGATION_PHRASES = (
    r"\b(seponert|sluttet|avsluttet|stoppet)\s+(for\s+(\w+\s+){0,2}?(lenge|ar|aar|maned\w*|mnd)"
    r"\s+siden|i\s+(\w+\s+)?(19|20)\d\d|permanent\w*|helt|definitivt)",
    # stopped for a reason or after an event ("seponert pga blødning"), not for this operation
    r"\b(seponert|seponerte|sluttet|avsluttet|stoppet|stoppa)\s+(etter|pga|grunnet|pa\s+grunn\s+av|"
    r"da|i\s+fjor)\b(?!\s+(operasjon|inngrep|kirurgi|op\b|prosedyre|narkose|anestesi))",
    r"\bavsluttet\b(?!\s+(\d|en|ett|to|tre|fire|fem|seks|sju|syv)\b)",
)
#: Right before a drug or an aid, "tidligere" makes it history ("tidligere Marevan, nå ingen").
#: Not for infections: a patient once MRSA-positive keeps precautions until cleared.
HISTORY_CUES = frozenset({"tidligere", "tidl", "forhenvaerende"})
HISTORY_FACTS = frozenset({"anticoagulation", "mobility_aid"})
PRE_WINDOW = 6
POST_WINDOW = 3

# ------------------------------------------------------------ context: not a fact for now
# The annotators label only what holds for this patient for the coming operation. Each cue
# below names the facts it applies to: a cue about the past does not undo an allergy
# ("anafylaksi på latex i 2015"), family words do not undo an interpreter for a child's parents.
_ALL = frozenset(FACTS)
#: facts whose past use is history (an infection is not: carriers stay isolated until cleared)
_USED = frozenset({"interpreter", "icu_bed", "anticoagulation", "special_equipment",
                   "mobility_aid"})
_FAMILY = (r"(mor|moren|mora|mors|bror|broren|brodre|soster|sosteren|sostera|sostre|sosken|"
           r"faren|fars|foreldre|foreldrene|datter|datteren|dattera|dotre|sonn|sonnen|sonen|"
           r"kone|kona|konen|ektefelle|ektefellen|ektemann|ektemannen|samboer|samboeren|"
           r"mormor|morfar|farmor|farfar|besteforeldre|bestemor|bestefar|onkel|tante|fetter|"
           r"kusine|syster|systera|dotter|dottera|son|familie\w*|slekt\w*|arvelig\w*|hereditet\w*|heriditet\w*|familiaer\w*|fam)")
_CONDITIONAL_AFTER = (r"\b(dersom|hvis|viss|ifall|i\s+tilfelle|om\s+(nodvendig|naudsynt|behov|"
                      r"aktuelt|indisert))\b|\bved\s+(behov|ev|evt|eventuelt|komplikasjon\w*|"
                      r"blodning|forverring|problem\w*)\b|\bv\.?\s?b\b")
_PENDING = (r"\b(avklar(es|e|ast)?|uavklart|mistenkt|mistanke\s+om|uklart|utred(es|ast|ning\w*)|"
            r"diskuter(es|ast)|drofte(s|st)|sporsmal\s+om|spm\s+om|ikke\s+(avklart|bestemt|besluttet))\b")
#: a question an ICU bed hangs on is still a bed to hold ("intensivplass bør vurderes",
#: "plass på intensiv må avklares"): missing one is a main cause of late cancellation
_CONSIDERED = r"\b(vurder(es|e|ast)|til\s+vurdering|usikker\w*|tas?\s+stilling\s+til)\b"

#: Cues before a finding in its clause: (pattern, facts, reach in words).
CONTEXT_BEFORE: tuple[tuple[str, frozenset[str], int], ...] = (
    (r"\b(ev|evt|eventuelt|eventuell|kanskje)\b", _ALL, 3),
    (r"\b(mulig|muligens|moglegvis)\b", _ALL - {"icu_bed"}, 3),
    (r"\bved\s+(behov|ev|evt|eventuelt)\b|\bv\.?\s?b\b", _ALL, PRE_WINDOW),
    (r"\bom\s+(nodvendig|naudsynt|behov|aktuelt|indisert)\b", _ALL, PRE_WINDOW),
    (r"\bkan\s+(bli|verte|komme\s+til\s+a)\s+(aktuelt|aktuell|nodvendig|behov|trenge)\b", _ALL,
     PRE_WINDOW),
    (r"\bkan\s+(trenge|trenga|ha\s+behov)\b", _ALL, PRE_WINDOW),
    (_PENDING, _ALL - {"icu_bed"}, PRE_WINDOW),
    (_CONSIDERED, _ALL - {"icu_bed"}, PRE_WINDOW),
    # past tense right before: "brukte Marevan", "hadde krykker", "lå på intensiven"
    # not "var": "var MRSA-positiv ved innkomst i går" is now
    (r"\b(brukte|hadde|trengte|nyttet|nytta|la|sto|stod)\b", _ALL - {"latex_allergy"}, 3),
    (r"\bhatt\b", frozenset({"isolation"}), 3),
    (rf"\b{_FAMILY}\b", _ALL - {"interpreter"}, PRE_WINDOW),
)
#: Cues right after a finding: (pattern, facts, reach in words). An aid used "ved behov" is
#: in use; an interpreter "ved behov" is not booked.
CONTEXT_AFTER: tuple[tuple[str, frozenset[str], int], ...] = (
    (_CONDITIONAL_AFTER, _ALL - {"mobility_aid", "diabetic"}, POST_WINDOW),  # "insulin v.b." is used
    (r"\bkan\s+(oppheves|avsluttes|heves)\b", frozenset({"isolation"}), POST_WINDOW),
    (r"\bkan\s+(bli|verte)\s+(aktuelt|aktuell|nodvendig)", _ALL, POST_WINDOW),
    (_PENDING, _ALL - {"icu_bed"}, POST_WINDOW),
    (r"\bavvent\w*\s+(svar|avklaring|vurdering|beslutning|tilbakemelding)", _ALL, POST_WINDOW),
    (_CONSIDERED, _ALL - {"icu_bed"}, POST_WINDOW),
    (r"\b(tidligere|tidl)\b", _USED, 2),
    (rf"\bhos\s+(far|{_FAMILY})\b|\bi\s+(familien|familia|slekta|slekten)\b|\b(pa\s+)?(mors|fars)"
     r"(\s*siden|sida)\b", _ALL - {"interpreter"}, POST_WINDOW),
    (rf"\b{_FAMILY}\b", _ALL - {"interpreter", "diabetic"}, 1),
)
#: Cues anywhere in the finding's statement (its clause, up to "og bruker …"):
#: (pattern, facts, unless this is in the statement or, with True, in the sentence).
CONTEXT_STATEMENT: tuple[tuple[str, frozenset[str], str, bool], ...] = (
    # needed only after the operation: crutches to go home with, prophylaxis started postop
    (r"\bpostop\w*|\better\s+(operasjon|inngrep|op|kirurgi|utskriv|hjemreise|utreise)\w*\b"
     r"(?!\s+(i\s+fjor|i\s+(19|20)\d\d|for\s+\w+\s+\w+\s+siden))|"
     r"\b(ved|til)\s+(utskriv|hjemreise|utreise)\w*|\bmed\s+hjem\b|"
     # taught before the operation to walk with crutches afterwards
     r"\b(laerer|laere|instruer\w*|opplaering|ove|ovelse\w*|gangtrening)\b",
     frozenset({"mobility_aid"}),
     r"\b(bruker|brukar|nyttar|benytter|gar\s+med|gar\s+na|sitter|allerede|fortsatt|fremdeles|"
     r"avhengig)\b", False),
    (r"\bpostop\w*|\better\s+(operasjon|inngrep|op|kirurgi|utskriv)\w*|\bved\s+utskriv\w*",
     frozenset({"anticoagulation"}),
     r"\b(bruker|brukar|star\s+pa|paus\w*|seponer\w*|stopp\w*|bridging|fortsett\w*|"
     r"gjenoppta\w*|igjen|restart\w*|fortsatt|fremdeles|preop\w*)\b", False),
    # an earlier stay or operation ("ved forrige innleggelse", "for fem år siden", "i fjor");
    # a drug or an aid started then is still in use ("Plavix etter stent i fjor")
    (r"\b(ved|etter|under)\s+(forrige|tidligere|siste)\s+(innleggelse|operasjon|opphold|inngrep|"
     r"anledning|kontakt)\w*|\b(forrige|sist)\s+gang\b|\bfor\s+(\w+\s+){1,2}(ar|aar|maneder|mnd)"
     r"\s+siden\b|\bi\s+fjor\b|\bsom\s+barn\b",
     frozenset({"interpreter", "icu_bed", "special_equipment"}), r"\b(igjen|pa\s+nytt|fortsatt|"
     r"fremdeles|denne\s+gang\w*)\b", True),
    (r"\btidl(igere)?\b",
     _USED, r"\b(igjen|pa\s+nytt|fortsatt|fremdeles|denne\s+gang\w*|pauses|pause|seponeres|"
     r"bridging|bruker|brukar|star\s+pa|gar\s+med|sitter\s+i)\b|\bhar\s+(?!hatt|brukt|trengt|vaert)",
     True),
    # an infection long ago ("tuberkulose i barndommen"); days ago is still now
    (r"\bfor\s+(\w+\s+){1,2}(ar|aar|maneder|mnd)\s+siden\b|\bi\s+fjor\b|\bsom\s+barn\b|"
     r"\bi\s+barndommen\b", frozenset({"isolation"}), r"\b(fortsatt|fremdeles|positiv\w*\s+na)\b",
     True),
    # "kan … være aktuelt": a possibility, for any fact
    (r"\b(kan|kunne)\b[^,.;]*\b(vaere|bli|verte)\s+(aktuel\w*|nodvendig|naudsynt)", _ALL, r"(?!)", False),
    (r"\b(i\s+)?(19|20)\d\d\b", frozenset({"icu_bed", "special_equipment"}),
     r"\b(planlagt|bestilt|reservert|booket|skal|bestilles|reserveres)\b", True),
)
#: Openers of a conditional sentence: they reach every finding after them in the sentence,
#: across commas ("Dersom pasienten blir ustabil, intensivplass"), but not past "men".
CONDITIONAL_OPENERS = (
    r"\b(ders?omm?|hvis|viss|ifall|i\s+tilfelle)\b|"
    r"^\s*om\s+(pas\w*|pt|det|han|hun|ho|behov|nodvendig|naudsynt|aktuelt)\b|"
    r"\bved\s+(behov|positiv\w*|pavist|mistanke|funn|komplikasjon\w*|blodning)\b"
)
#: A carrier cleared or a disease in remission: reaches the whole sentence (up to "men"), and
#: the sentence before it when it names no such finding itself ("MRSA 2019. Sanert.").
CLEARED: dict[str, str] = {
    "isolation": (
        r"\bsanert\b|\bsanering\w*\s+(er\s+)?(gjennomfort|fullfort|vellykket|avsluttet)|"
        r"\bnegative\s+(\w+\s+)?(kontroll|prove|dyrkning|screening|test)\w*|\b(tre|3|to|2)\s+negative\b|"
        r"\bfriskmeldt\b|\bikke\s+lenger\s+(smitte|baerer|berar|positiv)\w*|\b(na|no)\s+frisk\b|"
        r"\bfrisk\s+(na|no|igjen)\b"),
    "diabetic": r"\bi\s+remisjon\b|\bremittert\b|\bhelbredet\b|\bkurert\b",
}
#: A finding asked about at the end of a sentence ("Latexallergi?", "Allergier: nikkel, latex?")
#: is a question, not a fact, unless the next sentence answers yes ("Tolk? Ja, bestilt.").
QUESTION_REACH = 3
YES_ANSWERS = frozenset({"ja", "jo", "yes", "positiv", "pos", "bekreftet", "pavist", "bestilt",
                         "reservert", "booket", "avtalt", "aktuelt", "trenger", "treng", "har"})
#: Drugs and aids: a later clause that ends their use ("…, seponert etter 6 mnd") ends them.
ENDED_FACTS = frozenset({"anticoagulation", "mobility_aid"})
#: words that may open such a clause before the ended phrase ("…, som ble seponert i fjor")
ENDED_LEAD = frozenset({"ble", "er", "vart", "som"})
#: "siden" after these is "ago" ("for fem år siden"), not "since/because": no scope break
AGO_UNITS = frozenset({"ar", "aar", "maneder", "mnd", "uker", "veker", "lenge", "tid"})

#: Cue words that are not negations in these combinations ("tåler ikke latex" is an allergy,
#: "går ikke uten rullator" needs one).
PSEUDO_NEGATION = (
    r"\btaler\s+ikke\b", r"\bikke\s+bare\b", r"\bikke\s+utelukk\w*", r"\bkan\s+ikke\s+utelukkes",
    r"\bikke\s+sikkert\s+at\s+ikke\b", r"\bfri\s+for\s+a\b",
    r"\b(ikke|ikkje)\s+(\w+\s+)?(uten|utan)\b", r"\bingen\s+tvil\b",
    r"\b(ikke|ikkje)\s+(glem\w*|gloym\w*|minst)\b",  # "ikke glem tolk" asks for one
    r"\b(ikke|ikkje)\s+(sluttet|seponert|stoppet|avsluttet)(\s+(med|pa))?\b",
    # not conditions on the fact: "hvis mulig", "bestill tolk hvis ikke allerede gjort"
    r"\b(hvis|dersom|om|viss)\s+(mulig|mogleg|(ikke|ikkje)\s+(allerede|allereie|alt|gjort|annet))\b",
    r"\b(ikke|ikkje)\s+(i\s+remisjon|sanert|friskmeldt|helbredet)\b",
    r"\b(til|inntil|avventer|venter\s+pa)\s+(\w+\s+)?negative\b",  # precautions until cleared
    r"\bsom\s+(tidligere|tidl|sist|forrige\s+gang)\b",  # "tolk som tidligere": again now
    r"\btidligere\s+(i\s+dag|i\s+morges|i\s+uken|i\s+uka|pa\s+dagen|enn)\b",
    r"\bvar\s+(planlagt|bestilt|avtalt|reservert|booket)\b",
    # not yet ordered is still needed: "tolk ikke bestilt ennå"
    r"\b(ikke|ikkje)\s+(enna\s+|enda\s+|enno\s+)?(bestilt|booket|reservert|avtalt|ordnet)"
    r"(\s+(enna|enda|enno|forelopig))?\b",
    # the instruction is open, the drug is in use: "Marevan: pause avklares med kardiolog"
    r"\b(pause|pausing|bridging|seponering|stopp)\w*\s+(\w+\s+)?(avklar|vurder|diskuter)\w*",
)
#: Words that end a negation's reach within a clause ("ingen allergier og bruker rullestol").
SCOPE_BREAKERS = frozenset({
    "men", "derimot", "samt", "unntatt", "bortsett", "da", "fordi", "siden", "ettersom", "pga",
    "grunnet", "hvor", "som", "mens", "likevel", "imidlertid", "derfor", "ellers", "sidan",
    "grunna", "dessuten", "utover",
})
#: "og" ends a negation's reach when a new verb phrase or a new subject follows it.
VERBS_AFTER_AND = frozenset({
    "bruker", "trenger", "har", "er", "skal", "ma", "blir", "far", "gar", "sitter", "behov",
    "onsker", "tar", "star", "planlegges", "bestilles", "bor", "kommer", "mobiliseres",
    "treng", "brukar", "nyttar", "bestill", "husk", "reserver", "book",
    # a new subject: "mor har MRSA og pasienten er smittebærer"
    "pasienten", "pasient", "pas", "pt", "han", "hun", "ho", "vedkommende",
})
#: Words that join the items of a list ("ingen tolk, isolasjon eller spesialutstyr").
LIST_WORDS = frozenset({"og", "eller", "/"})
#: Facts that are tested for (screening, allergy tests): a test without its result is no finding.
TESTED_FACTS = frozenset({"isolation", "latex_allergy"})
#: A result after the test word makes it a finding after all ("MRSA-prøve positiv").
POSITIVE_RESULT = frozenset({"positiv", "positive", "positivt", "pos", "pavist"})
#: Words after a finding that mean a test, not a result ("MRSA-screening tatt").
NOT_A_RESULT = frozenset({
    "screening", "screenes", "screenet", "podet", "podes", "prove", "prover", "test", "testet",
    "testes", "status", "svar", "kontroll",
})

#: Sentence abbreviations whose full stop does not end a sentence.
ABBREVIATIONS = frozenset({
    "pas", "pt", "ev", "evt", "pga", "kl", "dvs", "ca", "bl", "mht", "iht", "inkl", "tbl", "mg",
    "stk", "nr", "dr", "ifm", "f", "eks", "ref", "jf", "dgn", "postop", "preop", "hhv", "vha",
    "int", "op", "anest", "avd", "pr", "ua", "mtp", "obs", "rtg", "u", "kir", "tidl", "beh", "v",
})
#: Of those, the ones often written at the end of a sentence: their full stop ends it when a
#: capital letter follows ("… intensiv postop. Bruker Marevan").
SENTENCE_FINAL_ABBREVIATIONS = frozenset({
    "postop", "preop", "int", "mg", "stk", "dgn", "tbl", "op", "avd", "ua",
})

#: Words worth correcting when misspelled: one edit away (two for long words) from these, with
#: the same first letter, a word is read as the lexicon's spelling; a compound that starts or
#: ends with a near miss of one is corrected too. Short or ambiguous words ("tolk", "stokk",
#: "lam") are not here: a near miss of them is usually another word.
FUZZY_WORDS: tuple[str, ...] = (
    # interpreter
    "tolkebehov", "telefontolk", "skjermtolk", "videotolk", "tolketjeneste", "norsktalende",
    "sprakbarriere", "norskkunnskaper", "tegnspraktolk", "fremmedspraklig",
    # isolation
    "isolasjon", "isolering", "isoleres", "kontaktsmitte", "drapesmitte", "luftsmitte",
    "smitteregime", "kontaktisolering", "multiresistent", "tuberkulose", "clostridium",
    "norovirus", "smittevern", "influensa", "smittefore",
    # latex
    "latexallergi", "lateksallergi", "allergi", "allergisk", "allergier", "overfolsom",
    # icu
    "intensiv", "intensivplass", "intensivseng", "intensivavdeling", "overvakningsplass",
    "respirator", "respiratorbehandling", "overvakning", "intermediaer",
    # anticoagulation
    "antikoagulasjon", "antikoagulert", "antikoagulantia", "blodfortynnende", "marevan",
    "warfarin", "eliquis", "apixaban", "xarelto", "rivaroksaban", "pradaxa", "dabigatran",
    "lixiana", "edoksaban", "fragmin", "klexane", "klopidogrel", "clopidogrel", "brilique",
    "tikagrelor", "platehemmer", "pauses", "seponeres",
    # equipment
    "spesialutstyr", "spesialinstrumenter", "gjennomlysning", "navigasjon", "mikroskop",
    "leverandor", "lanesett", "robotassistert", "robotkirurgi", "firmarepresentant",
    "instrumentsett", "implantatsett", "ekstensjonsbord", "cellsaver", "nevromonitorering",
    "perfusjonist", "bildeforsterker", "konsignasjon", "operasjonsmikroskop", "nevronavigasjon",
    "endoskopitarn", "laparoskopitarn", "hodeholder", "vakuummadrass", "reservert", "reserveres",
    "bestilles",
    # mobility
    "rullestol", "rullator", "krykker", "prekestol", "personlofter", "sengeliggende",
    "hjelpemidler", "forflytning", "gangvansker", "immobil", "takloft", "rullestolbruker",
    "gangfunksjon",
    # diabetes
    "diabetes", "diabetiker", "diabetikar", "insulin", "insulinbehandlet", "sukkersyke",
    "metformin",
    # negation words
    "avkreftet", "negativ", "ingenting", "unodvendig", "nodvendig", "uaktuelt",
    # context cue words
    "avklares", "dersom", "familien", "sanert", "isolert",
)
#: Real words near a lexicon word whose difference matters ("seponert for to år siden" is
#: history, "seponeres" an instruction): never corrected.
CORRECT_AS_IS = frozenset({
    "seponert", "seponere", "seponer", "isolert", "isolere", "reservere", "allergen", "allergener",
    "intensivt", "negativt", "negative", "insulinom", "avklart", "avklare",
})
