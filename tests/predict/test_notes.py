"""The rule-based note reader on sentences written for these tests (not the generator's)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kontrolltarn.model import ModelError
from kontrolltarn.predict.notes import (
    FACTS,
    CallableExtractor,
    NoteExtractor,
    RuleExtractor,
    correct_word,
    extract_facts,
    fold,
    split_sentences,
)

CASES = [
    ("Ikke behov for tolk.", set()),
    ("Trenger tolk (arabisk).", {"interpreter"}),
    ("Pasienten snakker ikke norsk, bestill telefontolk", {"interpreter"}),
    ("Tolk: nei", set()),
    ("Tolkebehov: ja, somali", {"interpreter"}),
    ("Snakker godt norsk, tolk ikke nødvendig.", set()),
    ("Funn tolkes som degenerative forandringer.", set()),
    ("Ingen kjent allergi.", set()),
    ("Allergi: latex og penicillin.", {"latex_allergy"}),
    ("Tåler ikke latex - latexfri stue.", {"latex_allergy"}),
    ("Ingen latexallergi.", set()),
    ("Allergisk mot penicillin, ikke latex.", set()),
    ("Laeksallergi, må stå først.", {"latex_allergy"}),
    ("Latexhansker brukes som vanlig.", set()),
    ("MRSA-positiv, kontaktsmitteregime.", {"isolation"}),
    ("MRSA-screening tatt, svar ikke klart", set()),
    ("MRSA negativ.", set()),
    ("Skal isoleres pga ESBL.", {"isolation"}),
    ("Isolasjon ikke nødvendig.", set()),
    ("Bestill intensivplass postoperativt.", {"icu_bed"}),
    ("Ikke behov for intensivseng, går til sengepost.", set()),
    ("Trenger intesivplass etter inngrepet", {"icu_bed"}),
    ("Bruker Eliquis, pauses 2 døgn før operasjonen.", {"anticoagulation"}),
    ("Bruker ikke blodfortynnende.", set()),
    ("Marevan seponeres 5 dager preop, bridging med Fragmin.", {"anticoagulation"}),
    ("Albyl-E fortsetter.", set()),
    ("Plavix pauses 5 dager.", {"anticoagulation"}),
    ("Robotassistert inngrep, da Vinci må reserveres.", {"special_equipment"}),
    ("Behov for C-bue.", {"special_equipment"}),
    ("Ingen spesialutstyr.", set()),
    ("Går med rullator.", {"mobility_aid"}),
    ("Går uten hjelpemidler.", set()),
    ("Rullestolbruker, trenger personløfter.", {"mobility_aid"}),
    ("Kan ikke gå, sengeliggende.", {"mobility_aid"}),
    ("Diabetes type 1, insulinbehandlet - settes først på programmet.", {"diabetic"}),
    ("Ikke diabetes.", set()),
    ("Mor har diabetes.", set()),
    ("Diabetes insipidus etter hypofyseoperasjon.", set()),
    ("Ingen kjente allergier og bruker rullestol.", {"mobility_aid"}),
    ("Diabetiker, bruker Xarelto og trenger tolk.", {"diabetic", "anticoagulation", "interpreter"}),
    ("Pas. bruker rulestol. Ingen tolk.", {"mobility_aid"}),
    ("insulinbehandlet DM2", {"diabetic"}),
    ("Ingen diabetes, men MRSA-bærer.", {"isolation"}),
    ("ASA 3, BMI 31. Frisk ellers.", set()),
    ("Pasienten er ikke gående og trenger rullestol.", {"mobility_aid"}),
    ("TRENGER TOLK", {"interpreter"}),
    ("Trenger tollk til samtalen.", {"interpreter"}),
    ("Kontaktsmite - må isoleres.", {"isolation"}),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_reads_facts_with_negation_and_misspellings(text: str, expected: set[str]) -> None:
    assert set(extract_facts(text).facts) == expected


def test_negated_finding_keeps_its_cue_and_evidence() -> None:
    result = extract_facts("Ingen behov for tolk. Bruker rullator.")
    negated = [f for f in result.findings if f.negated]
    assert [(f.fact, f.cue) for f in negated] == [("interpreter", "ingen")]
    assert result.evidence_for("mobility_aid") == ["Bruker rullator."]


def test_abbreviation_full_stop_does_not_end_sentence() -> None:
    assert split_sentences("Pas. bruker rullator. Ev. tolk.") == ["Pas. bruker rullator.", "Ev. tolk."]


def test_fold_and_correction() -> None:
    assert fold("  Tåler  IKKE lateks, Ørsta æ ") == "taler ikke lateks, orsta ae"
    assert correct_word("rulestol") == "rullestol"
    assert correct_word("diabetis") == "diabetes"
    assert correct_word("kontor") == "kontor"  # no near lexicon word: left alone


def test_callable_extractor_is_a_note_extractor_and_checks_labels() -> None:
    model = CallableExtractor("local-llm", lambda text: {"interpreter"} if "tolk" in text else set())
    assert isinstance(model, NoteExtractor)
    assert isinstance(RuleExtractor(), NoteExtractor)
    assert extract_facts("tolk", model).facts == {"interpreter"}
    bad = CallableExtractor("bad", lambda text: {"parking"})
    with pytest.raises(ModelError, match="parking"):
        bad.extract("x")


def test_non_text_is_a_clear_error() -> None:
    with pytest.raises(ModelError, match="note"):
        RuleExtractor().extract(None)  # type: ignore[arg-type]


@given(st.text(max_size=200))
def test_any_text_reads_to_known_labels(text: str) -> None:
    assert extract_facts(text).facts <= set(FACTS)


NOUNS = {"tolk": "interpreter", "latexallergi": "latex_allergy", "MRSA": "isolation",
         "intensivplass": "icu_bed", "blodfortynnende": "anticoagulation",
         "spesialutstyr": "special_equipment", "rullator": "mobility_aid", "diabetes": "diabetic"}
POSITIVE = ("Har {x}.", "Behov for {x}.", "{x}: ja.", "Obs {x}!")
NEGATIVE = ("Ikke behov for {x}.", "Ingen {x}.", "{x}: nei.", "{x} er ikke aktuelt.",
            "Har ikke {x}.", "Uten {x}.")


@given(st.sampled_from(sorted(NOUNS)), st.sampled_from(POSITIVE), st.sampled_from(NEGATIVE),
       st.booleans())
def test_negation_templates(noun: str, positive: str, negative: str, upper: bool) -> None:
    fact = NOUNS[noun]
    said, denied = positive.format(x=noun), negative.format(x=noun)
    if upper:
        said, denied = said.upper(), denied.upper()
    assert extract_facts(said).facts == {fact}
    assert extract_facts(denied).facts == frozenset()
    assert extract_facts(f"{denied} {said}").facts == {fact}
