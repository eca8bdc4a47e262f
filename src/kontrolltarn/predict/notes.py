"""Logistics facts from Norwegian note text: interpreter, isolation, latex allergy, ICU bed, …

``NoteExtractor`` is the interface: anything with ``name`` and ``extract(text) -> NoteFacts``.
``RuleExtractor`` is the deterministic offline default (a lexicon in ``lexicon.py`` plus rules
for negation, misspelling and inflection). A local language model is plugged in behind the same
interface, e.g. ``CallableExtractor("llama-local", my_function)`` where ``my_function(text)``
returns the labels it found; its labels are checked against ``FACTS``.

How the rules read a note:
1. Split into sentences (a full stop after "pas.", "ev.", "pga." does not end one), fold each
   (lower case, ø→o, å→a, æ→ae), and correct words one or two edits away from the lexicon.
2. Every positive pattern that matches is a *finding*; false friends ("diabetes insipidus")
   are dropped; latex counts only with allergy context in the sentence.
3. A finding is negated by a cue before it in its clause ("ikke behov for tolk", "ingen kjent
   MRSA") or right after it ("tolk ikke nødvendig", "MRSA negativ"), unless the cue is part of
   a pseudo-negation ("tåler ikke latex") or a scope breaker ("men", "og bruker") lies between.
   A test without its result ("MRSA-screening tatt") is not a finding either.
4. A fact is present when any finding of it is not negated.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, runtime_checkable

from kontrolltarn.model import ModelError

from . import lexicon as lx
from .lexicon import FACTS

__all__ = ["FACTS", "CallableExtractor", "Finding", "NoteExtractor", "NoteFacts", "RuleExtractor",
           "extract_facts", "fold"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One place in a note that speaks of a fact. ``negated`` findings say the fact is absent;
    ``cue`` is the word that negated it; ``evidence`` is the sentence, as written."""

    fact: str
    trigger: str
    negated: bool
    evidence: str
    cue: str | None = None


@dataclass(frozen=True, slots=True)
class NoteFacts:
    """What an extractor read in one note: the facts present and the findings behind them."""

    facts: frozenset[str]
    findings: tuple[Finding, ...] = ()

    def evidence_for(self, fact: str) -> list[str]:
        return [f.evidence for f in self.findings if f.fact == fact and not f.negated]


@runtime_checkable
class NoteExtractor(Protocol):
    """Reads logistics facts from one note. Implementations must be deterministic for a given
    model and note, return only labels from ``FACTS``, and never send text off the machine."""

    name: str

    def extract(self, text: str) -> NoteFacts: ...


# ---------------------------------------------------------------- text handling

_FOLD = str.maketrans({"ø": "o", "å": "a", "æ": "ae", "ö": "o", "ä": "ae", "ü": "u"})
_TOKEN = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, Norwegian letters to ASCII (ø→o, å→a, æ→ae), accents dropped, spaces single."""
    lowered = unicodedata.normalize("NFC", text).lower().translate(_FOLD)
    ascii_only = unicodedata.normalize("NFKD", lowered)
    ascii_only = "".join(c for c in ascii_only if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", ascii_only).strip()


_SENTENCE_END = re.compile(r"[.!?;\n]+")


def split_sentences(text: str) -> list[str]:
    """Sentences of a note; a full stop right after a known abbreviation does not end one."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        before = re.search(r"([A-Za-zÆØÅæøå]+)$", text[start:match.start()])
        if (match.group() == "." and before is not None
                and fold(before.group(1)) in lx.ABBREVIATIONS):
            continue
        sentences.append(text[start:match.end()])
        start = match.end()
    sentences.append(text[start:])
    return [s.strip() for s in sentences if s.strip()]


def _distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment edit distance (a swap counts as one edit), cut off at limit+1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


_FUZZY = tuple(sorted(set(lx.FUZZY_WORDS), key=len, reverse=True))
_FUZZY_SET = frozenset(_FUZZY)


@lru_cache(maxsize=65536)
def correct_word(word: str) -> str:
    """The lexicon's spelling of ``word`` if it is a near miss of a lexicon word (or starts
    with one, as Norwegian compounds do); otherwise ``word`` unchanged."""
    if len(word) < 6 or not word.isalpha() or word in _FUZZY_SET:
        return word
    if any(word.startswith(w) for w in _FUZZY):
        return word
    for target in _FUZZY:
        if target[0] != word[0]:
            continue
        limit = 2 if len(target) >= 9 else 1
        if _distance(word, target, limit) <= limit:
            return target
        if len(word) > len(target) + 2 and len(target) >= 7:  # a compound that starts misspelled
            for cut in (len(target) - 1, len(target), len(target) + 1):
                if _distance(word[:cut], target, 1) <= 1:
                    return target + word[cut:]
    return word


def _canonical(folded: str) -> str:
    return _TOKEN.sub(lambda m: correct_word(m.group()), folded)


def _compile(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(fold(p)) for p in patterns)


_POSITIVE = {fact: _compile(p) for fact, p in lx.POSITIVE.items()}
#: one alternation per fact: most sentences mention no fact, and one search rules them out
_ANY = {fact: re.compile("|".join(f"(?:{fold(p)})" for p in patterns))
        for fact, patterns in lx.POSITIVE.items()}
_FALSE_FRIENDS = {fact: _compile(p) for fact, p in lx.FALSE_FRIENDS.items()}
_ABSENT = {fact: _compile(p) for fact, p in lx.ABSENT.items()}
_PSEUDO = _compile(lx.PSEUDO_NEGATION)
_LATEX_CONTEXT = re.compile(lx.LATEX_CONTEXT)
_CLAUSE_BREAK = re.compile(r",|\bmen\b|\bmens\b|\bderimot\b")


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    start: int
    end: int


def _negation(sentence: str, start: int, end: int) -> str | None:
    """The cue that negates the finding at ``sentence[start:end]``, or None."""
    clause_start = 0
    clause_end = len(sentence)
    for brk in _CLAUSE_BREAK.finditer(sentence):
        if brk.end() <= start:
            clause_start = brk.end()
        elif brk.start() >= end:
            clause_end = brk.start()
            break
    pseudo = [m.span() for p in _PSEUDO for m in p.finditer(sentence)]

    def is_cue(token: _Token, cues: frozenset[str]) -> bool:
        if token.text not in cues:
            return False
        return not any(a <= token.start and token.end <= b for a, b in pseudo)

    before = [_Token(m.group(), m.start() + clause_start, m.end() + clause_start)
              for m in _TOKEN.finditer(sentence[clause_start:start])]
    for distance, token in enumerate(reversed(before)):
        if distance >= lx.PRE_WINDOW or token.text in lx.SCOPE_BREAKERS:
            break
        if token.text == "og" and distance > 0:
            following = before[len(before) - distance].text
            if following in lx.VERBS_AFTER_AND:
                break
        if is_cue(token, lx.PRE_NEGATION):
            return token.text
    after = [_Token(m.group(), m.start() + end, m.end() + end)
             for m in _TOKEN.finditer(sentence[end:clause_end])]
    for distance, token in enumerate(after):
        if distance >= lx.POST_WINDOW or token.text in lx.SCOPE_BREAKERS or token.text == "og":
            break
        if is_cue(token, lx.POST_NEGATION):
            return token.text
        if distance < 2 and token.text in lx.NOT_A_RESULT:
            return token.text
    # "MRSA-screening": the test word is glued to the finding
    tail = sentence[end:end + 12]
    if re.match(r"-?(screening|prove|test|status|svar)", tail):
        return "test"
    return None


class RuleExtractor:
    """The offline default: lexicon, negation, misspellings. Deterministic and fast (≈0.1 ms a
    note); see the module docstring for the rules."""

    name = "rules-nb-v1"

    def extract(self, text: str) -> NoteFacts:
        if not isinstance(text, str):
            raise ModelError("note", text, "must be a string")
        return _read(text)

    @staticmethod
    def read_uncached(text: str) -> NoteFacts:
        findings: list[Finding] = []
        for original in split_sentences(text):
            sentence = _canonical(fold(original))
            findings.extend(RuleExtractor._sentence_findings(original, sentence))
        facts = frozenset(f.fact for f in findings if not f.negated)
        return NoteFacts(facts=facts, findings=tuple(findings))

    @staticmethod
    def _sentence_findings(original: str, sentence: str) -> list[Finding]:
        found: list[Finding] = []
        for fact in FACTS:
            if not _ANY[fact].search(sentence) and fact not in _ABSENT:
                continue
            spans: set[tuple[int, int]] = set()
            false_friends = [m.span() for p in _FALSE_FRIENDS.get(fact, ())
                             for m in p.finditer(sentence)]
            for pattern in _POSITIVE[fact]:
                for match in pattern.finditer(sentence):
                    span = match.span()
                    if any(a <= span[0] < b for a, b in false_friends) or span in spans:
                        continue
                    if any(a <= span[0] < b or span[0] <= a < span[1] for a, b in spans):
                        continue  # one finding per stretch of text
                    if fact == "latex_allergy" and not _LATEX_CONTEXT.search(sentence):
                        continue
                    spans.add(span)
                    cue = _negation(sentence, *span)
                    found.append(Finding(fact, match.group(), cue is not None, original, cue))
            for pattern in _ABSENT.get(fact, ()):
                for match in pattern.finditer(sentence):
                    found.append(Finding(fact, match.group(), True, original, match.group()))
        return found


@lru_cache(maxsize=200_000)
def _read(text: str) -> NoteFacts:
    """Notes repeat (templates, copied text); reading is pure, so remember recent ones."""
    return RuleExtractor.read_uncached(text)


class CallableExtractor:
    """Wraps any function ``text -> iterable of labels`` (a local language model, a service on
    the hospital network) as a ``NoteExtractor``; unknown labels are an error naming them."""

    def __init__(self, name: str, function: Callable[[str], Iterable[str]]) -> None:
        self.name = name
        self._function = function

    def extract(self, text: str) -> NoteFacts:
        labels = frozenset(self._function(text))
        unknown = sorted(labels - set(FACTS))
        if unknown:
            raise ModelError(f"{self.name}.labels", unknown, f"unknown fact labels; known: {FACTS}")
        return NoteFacts(facts=labels)


_DEFAULT = RuleExtractor()


def extract_facts(text: str, extractor: NoteExtractor | None = None) -> NoteFacts:
    """Facts in ``text`` read by ``extractor`` (the rule-based default if None)."""
    return (extractor or _DEFAULT).extract(text)
