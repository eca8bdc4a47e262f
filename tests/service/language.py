"""One language at a time: what a person sees on a page (its text, tooltips and labels) checked
for the other language's words, raw identifiers, 12-hour times and wrong number formats. The
other language's words are every phrase of the page's own text table (``window.KT_TEXT`` from
i18n.js) that differs between the languages, so a new key is checked without a new test.

    from .language import language_problems
    assert not language_problems(page, "en")
"""

from __future__ import annotations

import re
from typing import Any

#: names, the same in every language
NAMES = ("Kontrolltårn",)

#: the text a person can see or hear: rendered text, open dialogs, tooltips, labels
_VISIBLE_TEXT = """() => {
  const parts = [document.title, document.body.innerText];
  for (const el of document.querySelectorAll("[title], [aria-label], [placeholder], [alt]"))
    for (const a of ["title", "aria-label", "placeholder", "alt"])
      if (el.hasAttribute(a)) parts.push(el.getAttribute(a));
  return parts.join("\\n");
}"""

#: identifiers a person should never read: snake_case, dotted names (case.read), template
#: placeholders left over, JavaScript's empty values, a code after a field name (location SEN)
RAW = [
    (re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b"), "a snake_case identifier"),
    (re.compile(r"\b[a-z]{2,}\.[a-z_]{2,}\b"), "a dotted identifier"),
    (re.compile(r"\{[a-z_]+\}"), "a template placeholder"),
    (re.compile(r"\b(?:undefined|null|NaN)\b|\[object Object\]"), "an empty value"),
    (re.compile(r"\b(?:location|specialty|lokasjon|fagområde) [A-Z]{2,4}\b"), "a code"),
    (re.compile(r"\b[A-Z]{3}-OR\d+\b"), "a room id"),
]
TWELVE_HOUR = re.compile(r"\b\d{1,2}(?::\d{2})?\s?(?:AM|PM|am|pm|a\.m\.|p\.m\.)(?!\w)")
#: Norwegian: decimal comma and "14 %"; a dotted decimal that is not (part of) a date is wrong
NB_NUMBERS = [
    # not a date without its year: "07.12" (day and month, both of two digits)
    (re.compile(r"(?<![\d.])(?!(?:0[1-9]|[12]\d|3[01])\.(?:0[1-9]|1[0-2])(?![\d.]))\d+\.\d+(?![\d.])"),
     "a decimal point in Norwegian"),
    (re.compile(r"\d%"), "a per cent sign without a space in Norwegian"),
]
EN_NUMBERS = [(re.compile(r"(?<![\d,])\d+,\d{1,2}(?![\d,])"), "a decimal comma in English")]


def _phrase(text: str) -> re.Pattern[str] | None:
    """A pattern for one phrase of the text table: its fixed words, each ``{placeholder}`` as
    any short run of text. None for phrases too short to tell the languages apart."""
    fixed = re.sub(r"\{[a-z_]+\}", "", text)
    if len(re.sub(r"[^\wæøå]", "", fixed, flags=re.I)) < 4 and "{" not in text:
        return None
    if len(re.sub(r"[^\wæøå]", "", fixed, flags=re.I)) < 2:
        return None
    parts = [re.escape(p) for p in re.split(r"\{[a-z_]+\}", text)]
    body = r"\S{1,40}?".join(parts).strip()
    return re.compile(rf"(?<![\wæøåÆØÅ]){body}(?![\wæøåÆØÅ])")


def other_language_phrases(table: dict[str, dict[str, str]], lang: str) -> list[tuple[str, Any]]:
    """(key, pattern) for each phrase of the other language that this language does not use."""
    other = "en" if lang == "nb" else "nb"
    own = {v.casefold() for v in table[lang].values()}
    found = []
    for key, text in table[other].items():
        if text.casefold() in own or table[lang].get(key, "").casefold() == text.casefold():
            continue
        pattern = _phrase(text)
        if pattern is not None:
            found.append((key, pattern))
    return found


def language_problems(page: Any, lang: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """What on the page is not in ``lang`` ("nb" or "en"): one line per finding with the text
    around it. ``allowed`` are strings that may appear as they are (data such as names)."""
    text = page.evaluate(_VISIBLE_TEXT)
    # quotes marked as another language (a note's own words) are what they are
    quoted = page.evaluate("""() => [...document.querySelectorAll("body [lang]")]
        .filter(e => e.lang !== document.documentElement.lang).map(e => e.innerText)""")
    for quote in sorted(quoted, key=len, reverse=True):
        if quote.strip():
            text = text.replace(quote, "·")
    for ok in (*allowed, *NAMES):  # whole words only: "porter" the user, never "porter" in a sentence
        text = re.sub(rf"(?<![\w.]){re.escape(ok)}(?![\w.])", "·", text)
    table = page.evaluate("() => window.KT_TEXT || null")
    problems = []

    def report(what: str, m: re.Match[str]) -> None:
        around = text[max(0, m.start() - 30):m.end() + 30].replace("\n", " ¶ ")
        problems.append(f"{what}: {m.group(0)!r} in …{around}…")

    declared = page.evaluate("() => document.documentElement.lang")
    if declared != lang:
        problems.append(f"the page says lang={declared!r}, not {lang!r}")
    if table is not None:
        for key, pattern in other_language_phrases(table, lang):
            for m in pattern.finditer(text):
                report(f"the other language's {key!r}", m)
    for pattern, what in RAW:
        for m in pattern.finditer(text):
            report(what, m)
    for m in TWELVE_HOUR.finditer(text):
        report("a 12-hour time", m)
    for pattern, what in NB_NUMBERS if lang == "nb" else EN_NUMBERS:
        for m in pattern.finditer(text):
            report(what, m)
    return problems
