"""Logistics facts from Norwegian note text: interpreter, isolation, latex allergy, ICU bed, …

``NoteExtractor`` is the interface: anything with ``name`` and ``extract(text) -> NoteFacts``.
``RuleExtractor`` is the deterministic offline default (a lexicon in ``lexicon.py`` plus rules
for negation, misspelling and inflection). A local language model is plugged in behind the same
interface, e.g. ``CallableExtractor("llama-local", my_function)`` where ``my_function(text)``
returns the labels it found; its labels are checked against ``FACTS``.

How the rules read a note:
1. Split into sentences (a full stop after "pas.", "ev.", "int." does not end one, unless the
   abbreviation often ends sentences, like "postop.", and a capital letter follows), fold each
   (lower case, ø→o, å→a, æ→ae), split glued negations ("ikkebehov"), and correct words one
   or two edits away from the lexicon (swaps count as one); a compound whose head or tail is
   such a near miss ("operasjonsmikroskpo") is corrected too.
2. Every positive pattern that matches is a *finding* (one alternation per fact: leftmost
   matches, no overlaps); false friends ("diabetes insipidus", "mikroskopisk", "intensiv
   fysioterapi") are dropped; latex counts only with allergy context in the sentence.
   *Hints* ("fremmedspråklig", "snakker kun dari") are findings that yield to any statement
   in the note that the fact is absent ("… men snakker godt norsk").
3. A finding is negated by a cue before it in its clause ("ikke behov for tolk", "ingen kjent
   MRSA", "sluttet med Marevan") or right after it ("tolk ikke nødvendig", "MRSA negativ",
   "Eliquis seponert for to år siden", "Tolk: -"), unless the cue is part of a pseudo-negation
   ("tåler ikke latex", "går ikke uten rullator") or a scope breaker ("men", "og bruker")
   lies between. Other findings in the way do not end the scope, so a negated list is negated
   item by item ("ikke behov for tolk, intensivplass eller spesialutstyr"; "tolk og
   intensivplass ikke nødvendig"). "Tidligere" right before a drug or an aid makes it history.
   A test without its result ("MRSA-screening tatt") is not a finding either.
4. Context cues say a finding is not a fact for this patient now; each names the facts it
   applies to. Before it in its clause (in reach): conditional and pending words ("evt.",
   "ved behov for", "avklares", "vurderes" — not for an ICU bed, which is held while
   considered), past verbs ("brukte", "hadde", "lå"), relatives ("mor", "søsteren" — not for
   an interpreter, whom a child's parents may need). Right after it: "ved behov", "hvis",
   "avklares", "i familien", "hos mor". In its statement (the clause up to "og bruker …"):
   needs that begin after the operation ("krykker postop", "oppstart Eliquis etter
   operasjonen", unless the statement says the patient uses it now), an earlier stay ("ved
   forrige innleggelse", not for drugs: "Plavix etter stent i fjor" is in use). Across
   commas: "dersom"/"hvis" opens a conditional sentence; a clearance ("sanert", "negative
   kontroller", "i remisjon") reaches the whole sentence and the one before; "…, seponert
   etter 6 mnd" ends the drug before it. A contrast ("men") ends every cue's reach. A fact
   asked about at the end of a question ("Latexallergi?") holds only if the next sentence
   answers yes ("Tolk? Ja, bestilt.").
5. A fact is present when any finding of it is not negated.
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
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case, Norwegian letters to ASCII (ø→o, å→a, æ→ae), accents dropped, spaces single."""
    lowered = unicodedata.normalize("NFC", text).lower().translate(_FOLD)
    if not lowered.isascii():  # most note text is ASCII by now: skip the slow path
        lowered = "".join(c for c in unicodedata.normalize("NFKD", lowered)
                          if not unicodedata.combining(c))
    return _SPACES.sub(" ", lowered).strip()


_SENTENCE_END = re.compile(r"[.!?;\n]+")


def split_sentences(text: str) -> list[str]:
    """Sentences of a note; a full stop right after a known abbreviation does not end one,
    unless the abbreviation often ends sentences ("postop.") and a capital letter follows."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        before = re.search(r"([A-Za-zÆØÅæøå]+|[0-9])$", text[start:match.start()])
        if match.group() == "." and before is not None:
            if before.group(1).isdigit():  # an ordinal ("1. postop dag") goes on in lower case
                if text[match.end():].lstrip()[:1].islower():
                    continue
                sentences.append(text[start:match.end()])
                start = match.end()
                continue
            word = fold(before.group(1))
            following = text[match.end():].lstrip()[:1]
            if word in lx.ABBREVIATIONS and not (word in lx.SENTENCE_FINAL_ABBREVIATIONS
                                                 and following.isupper()):
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
#: targets long enough to be recognised at the end of a compound ("operasjonsmikroskpo")
_FUZZY_TAILS = tuple(w for w in _FUZZY if len(w) >= 8)


@lru_cache(maxsize=65536)
def correct_word(word: str) -> str:
    """The lexicon's spelling of ``word`` if it is a near miss of a lexicon word (or starts or
    ends with one, as Norwegian compounds do); otherwise ``word`` unchanged."""
    if len(word) < 6 or not word.isalpha() or word in _FUZZY_SET or word in lx.CORRECT_AS_IS:
        return word
    if any(word.startswith(w) for w in _FUZZY):
        return word
    best: tuple[int, str] | None = None
    for target in _FUZZY:  # the nearest whole word wins; ties go to the longer word
        if target[0] != word[0]:
            continue
        limit = 2 if len(target) >= 9 else 1
        distance = _distance(word, target, limit)
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, target)
    if best is not None:
        return best[1]
    for target in _FUZZY:
        if target[0] != word[0]:
            continue
        if len(word) > len(target) + 2 and len(target) >= 7:  # a compound that starts misspelled
            for cut in (len(target) - 1, len(target), len(target) + 1):
                if _distance(word[:cut], target, 1) <= 1:
                    return target + word[cut:]
    for target in _FUZZY_TAILS:  # a compound that ends misspelled: a clean head of 3+ letters
        if len(word) < len(target) + 3:
            continue
        for cut in (len(word) - len(target) - 1, len(word) - len(target),
                    len(word) - len(target) + 1):
            if word[cut] == target[0] and _distance(word[cut:], target, 1) <= 1:
                return word[:cut] + target
    return word


#: a negation typed without its space ("ikkebehov for tolk")
_GLUED = re.compile(r"\b(ikke|ikkje|ingen)(?=(behov|aktuelt|nodvendig|kjent|indisert)\b)")


def _canonical(folded: str) -> str:
    return _TOKEN.sub(lambda m: correct_word(m.group()), _GLUED.sub(r"\1 ", folded))


def _compile(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(fold(p)) for p in patterns)


def _any(patterns: Iterable[str]) -> re.Pattern[str] | None:
    folded = [f"(?:{fold(p)})" for p in patterns]
    return re.compile("|".join(folded)) if folded else None


#: one alternation per fact (stated, hinted): one pass finds the leftmost, non-overlapping
#: findings; at one position the pattern listed first wins. Most sentences mention no fact.
_POSITIVE = {fact: _any(lx.POSITIVE.get(fact, ())) for fact in FACTS}
_WEAK = {fact: _any(lx.WEAK.get(fact, ())) for fact in FACTS}
_FALSE_FRIENDS = {fact: _compile(p) for fact, p in lx.FALSE_FRIENDS.items()}
_ABSENT = {fact: _compile(p) for fact, p in lx.ABSENT.items()}
_PSEUDO = _compile(lx.PSEUDO_NEGATION)
_PRE_PHRASES = _compile(lx.PRE_NEGATION_PHRASES)
_POST_PHRASES = _compile(lx.POST_NEGATION_PHRASES)
_LATEX_CONTEXT = re.compile(lx.LATEX_CONTEXT)
_CLAUSE_BREAK = re.compile(r"(?<!\d),|,(?!\d)|\bmen\b|\bmens\b|\bderimot\b")  # not "2,5 mg"
_BUT = re.compile(r"\b(men|mens|derimot)\b")
_CONTEXT_BEFORE = tuple((re.compile(fold(p)), facts, reach) for p, facts, reach in lx.CONTEXT_BEFORE)
_CONTEXT_AFTER = tuple((re.compile(fold(p)), facts, reach) for p, facts, reach in lx.CONTEXT_AFTER)
_CONTEXT_STATEMENT = tuple((re.compile(fold(p)), facts, re.compile(fold(unless)), in_sentence)
                           for p, facts, unless, in_sentence in lx.CONTEXT_STATEMENT)
_OPENERS = re.compile(fold(lx.CONDITIONAL_OPENERS))
_CLEARED = {fact: re.compile(fold(p)) for fact, p in lx.CLEARED.items()}
_EMPTY_ANSWER = re.compile(r"\s*[:(]?\s*(-+|0|nei|neg)\s*\)?\s*[,.]?\s*$")  # "Tolk: -", "MRSA (-)"
_TEST_GLUED = re.compile(r"-?(screening|prove|test|status|svar)")
_ELLER = re.compile(r"\b(eller|verken|hverken|korkje)\b")


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Context:
    """What negation needs to know about a sentence, found once per sentence."""

    sentence: str
    breaks: tuple[tuple[int, int, str], ...]
    pseudo: tuple[tuple[int, int], ...]
    pre_phrases: tuple[tuple[int, int, str], ...]
    post_phrases: tuple[tuple[int, int, str], ...]
    spans: tuple[tuple[int, int], ...]  # every finding of every fact in the sentence
    #: context cues (conditional, pending, past, family): span, text, facts, reach in words
    before: tuple[tuple[int, int, str, frozenset[str], int], ...]
    after: tuple[tuple[int, int, str, frozenset[str], int], ...]
    openers: tuple[tuple[int, int, str], ...]
    cleared: tuple[tuple[int, str, str], ...]  # start, text, fact cleared

    @staticmethod
    def of(sentence: str, spans: Iterable[tuple[int, int]]) -> _Context:
        return _Context(
            sentence,
            tuple((m.start(), m.end(), m.group()) for m in _CLAUSE_BREAK.finditer(sentence)),
            tuple(m.span() for p in _PSEUDO for m in p.finditer(sentence)),
            tuple((m.start(), m.end(), m.group()) for p in _PRE_PHRASES for m in p.finditer(sentence)),
            tuple((m.start(), m.end(), m.group()) for p in _POST_PHRASES for m in p.finditer(sentence)),
            tuple(sorted(set(spans))),
            tuple((m.start(), m.end(), m.group(), facts, reach)
                  for p, facts, reach in _CONTEXT_BEFORE for m in p.finditer(sentence)),
            tuple((m.start(), m.end(), m.group(), facts, reach)
                  for p, facts, reach in _CONTEXT_AFTER for m in p.finditer(sentence)),
            tuple((m.start(), m.end(), m.group()) for m in _OPENERS.finditer(sentence)),
            tuple((m.start(), m.group(), fact)
                  for fact, p in _CLEARED.items() for m in p.finditer(sentence)),
        )

    def in_finding(self, token: _Token) -> bool:
        return any(a <= token.start and token.end <= b for a, b in self.spans)

    def is_pseudo(self, token: _Token) -> bool:
        return any(a <= token.start and token.end <= b for a, b in self.pseudo)

    def pseudo_at(self, position: int) -> bool:
        """A several-word cue starting at ``position`` is inside a pseudo-negation."""
        return any(a <= position < b for a, b in self.pseudo)

    def context(self, token: _Token, fact: str, distance: int,
                cues: tuple[tuple[int, int, str, frozenset[str], int], ...]) -> str | None:
        """The context cue covering ``token`` that applies to ``fact`` at this distance."""
        return next((text for a, b, text, facts, reach in cues
                     if a <= token.start and token.end <= b and fact in facts and distance < reach),
                    None)

    def unbroken(self, a: int, b: int) -> bool:
        """No "men" between positions a and b: a contrast ends a sentence-wide cue."""
        return _BUT.search(self.sentence, min(a, b), max(a, b)) is None

    def phrase(self, token: _Token, phrases: tuple[tuple[int, int, str], ...]) -> str | None:
        return next((text for a, b, text in phrases if a <= token.start and token.end <= b), None)

    def tokens(self, start: int, end: int) -> list[_Token]:
        return [_Token(m.group(), m.start() + start, m.end() + start)
                for m in _TOKEN.finditer(self.sentence[start:end])]


def _clause(ctx: _Context, start: int, end: int) -> tuple[int, int]:
    """The clause around ``[start, end)``, widened over earlier commas when the finding is an
    item of a negated list ("ikke behov for tolk, intensivplass eller spesialutstyr")."""
    clause_start, clause_end, comma_before = 0, len(ctx.sentence), -1
    for index, (a, b, _) in enumerate(ctx.breaks):
        if b <= start:
            clause_start, comma_before = b, index
        elif a >= end:
            clause_end = a
            break
    while comma_before >= 0 and ctx.breaks[comma_before][2] == ",":
        items = ctx.tokens(clause_start, start)
        if any(t.text not in lx.LIST_WORDS and not ctx.in_finding(t) for t in items):
            break
        comma = ctx.breaks[comma_before][0]
        previous = ctx.tokens(0, comma)
        if not previous or not ctx.in_finding(previous[-1]):
            break
        earlier = ctx.breaks[comma_before - 1][1] if comma_before > 0 else 0
        if not _ELLER.search(ctx.sentence, earlier):
            break
        clause_start, comma_before = earlier, comma_before - 1
    return clause_start, clause_end


def _negation(ctx: _Context, fact: str, start: int, end: int) -> str | None:
    """The cue that negates the finding at ``sentence[start:end]``, or None. Other findings in
    the way ("ikke behov for tolk og intensivplass") neither count towards the window nor end
    the scope."""
    sentence = ctx.sentence
    clause_start, clause_end = _clause(ctx, start, end)

    def cue(token: _Token, cues: frozenset[str], phrases: tuple[tuple[int, int, str], ...]
            ) -> str | None:
        if ctx.is_pseudo(token):
            return None
        return token.text if token.text in cues else ctx.phrase(token, phrases)

    before = ctx.tokens(clause_start, start)
    if before and fact in lx.HISTORY_FACTS and before[-1].text in lx.HISTORY_CUES:
        return before[-1].text
    distance = 0
    for index in range(len(before) - 1, -1, -1):
        token = before[index]
        if ctx.in_finding(token):
            continue
        if distance >= lx.PRE_WINDOW or token.text in lx.SCOPE_BREAKERS:
            break
        if token.text == "og" and index + 1 < len(before) and \
                before[index + 1].text in lx.VERBS_AFTER_AND:
            break
        found = cue(token, lx.PRE_NEGATION, ctx.pre_phrases)
        if found is None and not ctx.is_pseudo(token):
            found = ctx.context(token, fact, distance, ctx.before)
        if found is not None:
            return found
        distance += 1
    after = ctx.tokens(end, clause_end)
    # "MRSA-screening tatt" names a test, not a result, unless a positive result follows
    test_only = fact in lx.TESTED_FACTS and not any(t.text in lx.POSITIVE_RESULT for t in after[:4])
    distance = 0
    for index, token in enumerate(after):
        if ctx.in_finding(token):
            continue
        if distance >= lx.POST_WINDOW or token.text in lx.SCOPE_BREAKERS:
            break
        if token.text == "og" and not (index + 1 < len(after) and ctx.in_finding(after[index + 1])):
            break  # "rullator og ikke behov for tolk": a new statement begins
        found = cue(token, lx.POST_NEGATION, ctx.post_phrases)
        if found is None and not ctx.is_pseudo(token):
            found = ctx.context(token, fact, distance, ctx.after)
        if found is not None:
            return found
        if test_only and distance < 2 and token.text in lx.NOT_A_RESULT:
            return token.text
        distance += 1
    if _EMPTY_ANSWER.match(sentence, end):
        return "-"
    # "MRSA-screening": the test word is glued to the finding
    if test_only and _TEST_GLUED.match(sentence[end:end + 12]):
        return "test"
    return _context_cue(ctx, fact, start, end, before, after)


def _clearance(sentence: str) -> dict[str, str]:
    """Facts this sentence clears (a carrier "sanert", diabetes "i remisjon"), with the words."""
    cleared: dict[str, str] = {}
    for fact, pattern in _CLEARED.items():
        for match in pattern.finditer(sentence):
            if not any(a <= match.start() < b
                       for p in _PSEUDO for a, b in (m.span() for m in p.finditer(sentence))):
                cleared[fact] = match.group()
                break
    return cleared


def _context_cue(ctx: _Context, fact: str, start: int, end: int, before: list[_Token],
                 after: list[_Token]) -> str | None:
    """A cue beyond the finding's words: the statement it belongs to (its clause, up to "og
    bruker …") says it is needed only after the operation or was needed before; an earlier
    "dersom"/"hvis" makes the sentence conditional; the sentence clears a carrier."""
    sentence = ctx.sentence
    for a, b, text in ctx.openers:
        if b <= start and ctx.unbroken(b, start) and not ctx.pseudo_at(a):
            return text.strip()
    if fact in lx.ENDED_FACTS:  # "Marevan etter DVT, seponert etter 6 mnd": the next clause ends it
        for a, _, text in ctx.post_phrases:
            if a < end or not ctx.unbroken(end, a) or any(end <= x < a for x, _ in ctx.spans):
                continue
            # only a clause that is about the finding: it opens with the ended phrase
            # ("…, seponert etter 6 mnd"), not one naming another drug ("…, Albyl sluttet")
            comma = max((y for x, y, _ in ctx.breaks if y <= a), default=0)
            if all(t.text in lx.LIST_WORDS or t.text in lx.ENDED_LEAD
                   for t in ctx.tokens(comma, a)) and not ctx.pseudo_at(a):
                return text
    for a, text, cleared in ctx.cleared:
        if cleared == fact and ctx.unbroken(a, start) and not ctx.pseudo_at(a):
            return text
    first = len(before)
    while first > 0:
        token = before[first - 1]
        if token.text in lx.SCOPE_BREAKERS or (
                token.text == "og" and first < len(before) and before[first].text in lx.VERBS_AFTER_AND):
            break
        first -= 1
    last = 0
    while last < len(after):
        token = after[last]
        ago = token.text == "siden" and last > 0 and after[last - 1].text in lx.AGO_UNITS
        if (token.text in lx.SCOPE_BREAKERS and not ago) or (
                token.text == "og" and not (last + 1 < len(after) and ctx.in_finding(after[last + 1]))):
            break
        last += 1
    offset = before[first].start if first < len(before) else start
    statement = sentence[offset:after[last - 1].end if last > 0 else end]
    for pattern, facts, unless, in_sentence in _CONTEXT_STATEMENT:
        if fact not in facts:
            continue
        match = next((m for m in pattern.finditer(statement) if not ctx.pseudo_at(m.start() + offset)),
                     None)
        if match is not None and unless.search(sentence if in_sentence else statement) is None:
            return match.group()
    return None


class RuleExtractor:
    """The offline default: lexicon, negation, misspellings. Deterministic and fast (≈0.1 ms a
    note); see the module docstring for the rules."""

    name = "rules-nb-v3"

    def extract(self, text: str) -> NoteFacts:
        if not isinstance(text, str):
            raise ModelError("note", text, "must be a string")
        return _read(text)

    @staticmethod
    def read_uncached(text: str) -> NoteFacts:
        findings: list[Finding] = []
        weak: list[Finding] = []
        previous = 0  # where the sentence before this one starts in ``findings``
        sentences = split_sentences(text)
        for index, original in enumerate(sentences):
            sentence = _canonical(fold(original))
            answer = _TOKEN.search(fold(sentences[index + 1])) if index + 1 < len(sentences) else None
            question = original.endswith("?") and (answer is None or answer.group() not in lx.YES_ANSWERS)
            strong, hints = RuleExtractor._sentence_findings(original, sentence, question)
            cleared = _clearance(sentence)
            if cleared:  # "MRSA 2019. Sanert.": a clearance reaches one sentence back
                own = {f.fact for f in strong}
                for at in range(previous, len(findings)):
                    f = findings[at]
                    if f.fact in cleared and f.fact not in own and not f.negated:
                        findings[at] = Finding(f.fact, f.trigger, True, f.evidence, cleared[f.fact])
            previous = len(findings)
            findings.extend(strong)
            weak.extend(hints)
        # a hint ("fremmedspråklig") yields to any statement that the fact is absent
        denied = {f.fact: f.cue for f in findings if f.negated}
        findings.extend(Finding(f.fact, f.trigger, True, f.evidence, denied[f.fact])
                        if f.fact in denied and not f.negated else f for f in weak)
        facts = frozenset(f.fact for f in findings if not f.negated)
        return NoteFacts(facts=facts, findings=tuple(findings))

    @staticmethod
    def _sentence_findings(original: str, sentence: str, question: bool = False
                           ) -> tuple[list[Finding], list[Finding]]:
        """Findings in one folded, corrected sentence: (stated, hinted). In an unanswered
        ``question`` a finding asked about at its end ("Latexallergi?") is not a fact."""
        matches: list[tuple[str, re.Match[str], bool]] = []
        for fact in FACTS:
            if fact == "latex_allergy" and not _LATEX_CONTEXT.search(sentence):
                continue
            spans: list[tuple[int, int]] = []
            false_friends: list[tuple[int, int]] | None = None
            for pattern, is_weak in ((_POSITIVE[fact], False), (_WEAK[fact], True)):
                for match in pattern.finditer(sentence) if pattern is not None else ():
                    a, b = match.span()
                    if false_friends is None:  # looked for only once a candidate is found
                        false_friends = [m.span() for p in _FALSE_FRIENDS.get(fact, ())
                                         for m in p.finditer(sentence)]
                    if a == b or any(x <= a < y for x, y in false_friends):
                        continue
                    if any(x <= a < y or a <= x < b for x, y in spans):
                        continue  # a hint inside a stated finding adds nothing
                    spans.append((a, b))
                    matches.append((fact, match, is_weak))
        stated: list[Finding] = []
        hinted: list[Finding] = []
        if matches:
            ctx = _Context.of(sentence, (m.span() for _, m, _ in matches))
            for fact, match, is_weak in matches:
                cue = _negation(ctx, fact, *match.span())
                if cue is None and question and \
                        len(_TOKEN.findall(sentence, match.end())) < lx.QUESTION_REACH:
                    cue = "?"
                (hinted if is_weak else stated).append(
                    Finding(fact, match.group(), cue is not None, original, cue))
        for fact, patterns in _ABSENT.items():
            for pattern in patterns:
                for match in pattern.finditer(sentence):
                    a = match.start()
                    if any(m.start() <= a < m.end() for f, m, _ in matches if f == fact):
                        continue  # "ikke norsktalende" is a finding, not an absence
                    stated.append(Finding(fact, match.group(), True, original, match.group()))
        return stated, hinted


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
