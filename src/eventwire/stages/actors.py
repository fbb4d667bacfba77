"""The actor stage: turn entity spans and noun phrases into actors with KB codes.

Resolution order for a name span (an NER entity, or a run of proper nouns):

1. **exact alias** — the span as written is a KB name (the KB's own key: case-, accent- and
   "the"-insensitive, acronyms case-sensitive);
2. **normalised** — honorifics ("Sir", "Dr", "Mrs"), possessives ("Starmer's"), stray hyphens and
   dots ("J.D.") removed, then the KB and this stage's own normalised index are asked again;
3. **fuzzy and phonetic** — Jaro-Winkler on surname and first name plus Metaphone/NYSIIS keys, over
   a *small* candidate list: persons of the countries the context names (threshold
   :data:`FUZZY_WITH_CONTEXT`) or persons sharing a phonetic key of the surname (threshold
   :data:`FUZZY_WITHOUT_CONTEXT`);
4. **context** — a nationality or country plus a role noun around the name ("British Foreign
   Minister ...") gives country, sector and role even when nobody in the KB matches, and narrows the
   candidates for step 3; among equally good candidates the one holding a role on the article's
   ``published`` day wins.

Noun phrases whose head is a role noun of the agent dictionary become *agents* ("Israeli troops" ->
ISR MIL, "one EU diplomat" -> org EU, GOV, "Starmer's press secretary" -> the possessor's country).
Later mentions link back: surnames and earlier surface forms of a person, singular pronouns
(he/she/him/his/her) to the latest person in the same or the two previous sentences, and definite
role descriptions ("the prime minister") to the latest person or agent with that role.

Decisions documented here because they shape the output:

* A country *name* is an actor wherever it occurs (countries are routinely targets inside
  prepositional phrases: "sanctions on Russia"); type ``country`` with sector ``None``.
* A *capital* or *metonym* ("Washington", "the Kremlin", "Downing Street") is an actor only when it
  acts: not as the object of a locative preposition ("in Washington") or of a motion verb ("visited
  Moscow"). Acting capitals stand for the government (sector GOV); metonyms carry their KB sector.
  Country actors are identified by (code, sector), so "Russia" and "the Kremlin" stay apart.
* A country, organisation or group name that modifies a person or agent phrase ("US President
  Donald Trump", "one EU diplomat") is context of that actor, not an actor of its own.
* An unresolved PERSON entity is kept (``resolved=False``) with whatever the context gives, unless
  its head is an institution noun ("... House", "... Office": a metonym or ministry, resolved through
  the person it names when that person is known, else ignored) or it is not plausibly a name. A
  single word is plausibly a name when it is a capitalised alphabetic proper noun that is no KB
  name, role noun or calendar word, and it is not the first word of its sentence (where
  capitalisation proves nothing) unless a role noun or nationality stands next to it.
* An unresolved ORG entity is kept as an unresolved organisation only when it is the subject of a
  verb (it acts); elsewhere NER's ORG spans are too often noise for the small English model.
* Plural pronouns (they/their) are not linked: their antecedents are too often groups of actors.
* **Home country.** An article has a home country: the country of its dateline ("NEW DELHI:",
  "LONDON (Reuters) -", "TEHRAN —"; a country, capital or gazetteer city) counted as
  :data:`DATELINE_WEIGHT` mentions, plus the mentions of country-coded countries, persons and
  agents; the country with most such mentions wins when it has at least :data:`HOME_MIN_MENTIONS`
  and no other country ties with it. Domestic agents that no context codes ("police",
  "protesters", "the government", "critics": sectors in :data:`DOMESTIC_SECTORS`, no foreign or
  international modifier) and unresolved persons whose context gives no country take the home
  country, with lower confidence and the reason suffix ``+context:dateline`` (the dateline decided)
  or ``+context:home`` (the mention counts decided). Insurgents, rebels, refugees and international
  bodies are not domestic by default and keep no country.
* A parenthesised party-and-state tag after a name ("Sen. Ted Cruz (R-Texas)") gives the country of
  the state (looked up in the gazetteer, or an abbreviated US state: "(D-N.Y.)", "(R-Calif.)") and
  the legislative sector; a dateline "LOS ANGELES, Calif. (AP) -" gives the United States.
* **Explicit country first.** "of <Country>" after a name ("King Hassan of Morocco") is context;
  a bare surname with a context country is never matched to a namesake of another country.
  Regnal numerals may be left out ("King Abdullah" finds "Abdullah II").
* An unresolved person with a title and no country, in an article without a home country, takes
  the country when its sentence names exactly one (reason suffix ``+context:sentence``).
* A domestic agent "in <country or capital>" ("security forces in Guinea") takes that country;
  foreign, international and non-domestic agents (peacekeepers, rebels) do not.
* **Nationality modifiers.** A nationality adjective before a head that is no actor ("an Indian
  proposal", "Iraqi towns", "Iraqi Kurds") stands for its country (type ``country``, reason
  ``nationality-modifier``, confidence 0.7), as in the CAMEO dictionaries; before a role noun it is
  the agent's context instead ("British aircraft" -> GBR MIL).
* In lower-cased texts, organisation and group acronyms are found too ("bjp", "vhp") when the word
  cannot be English: three to six letters, at most one vowel, a noun or proper noun.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from bisect import insort
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import jellyfish
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler, Levenshtein

from ..config import Settings
from ..kb import (
    GroupEntry,
    KnowledgeBase,
    MetonymMatch,
    OrgEntry,
    PersonEntry,
    PersonRole,
    load_kb,
)
from ..model import Actor, Article, Entity, Mention, Parse
from ..registry import register_stage
from .base import BaseStage

LOGGER = logging.getLogger(__name__)

__all__ = [
    "FUZZY_WITHOUT_CONTEXT",
    "FUZZY_WITH_CONTEXT",
    "HONORIFICS",
    "SINGLE_TOKEN_MARGIN",
    "ActorResolver",
    "PersonMatch",
    "PersonMatcher",
    "name_score",
    "name_tokens",
    "normalise_name",
    "phonetic_keys",
]

#: Name similarity needed when the context (nationality, country, organisation) narrows the
#: candidates to persons of that country, and when it does not.
FUZZY_WITH_CONTEXT = 0.86
FUZZY_WITHOUT_CONTEXT = 0.93
#: Added to either threshold when only one word (a surname) is given.
SINGLE_TOKEN_MARGIN = 0.04

#: Forms of address removed before matching a name. Role titles ("President") are not here: they
#: are role nouns of the agent dictionary and feed the context instead.
HONORIFICS: frozenset[str] = frozenset(
    {
        "sir", "dame", "lord", "lady", "baron", "baroness", "dr", "doctor", "mr", "mrs", "ms",
        "miss", "mx", "mister", "madam", "madame", "mme", "mlle", "monsieur", "herr", "frau",
        "senor", "senora", "prof", "professor", "rev", "reverend", "sheikh", "sheik", "hon",
        "honourable", "honorable", "his", "her", "excellency", "majesty", "highness",
    }
)  # fmt: skip

#: Abbreviated titles written before names, mapped to the role noun looked up in the agent KB.
TITLE_ABBREVIATIONS: dict[str, str] = {
    "gen": "general", "sen": "senator", "rep": "representative", "gov": "governor",
    "col": "colonel", "lt": "lieutenant", "adm": "admiral", "maj": "major", "capt": "captain",
    "sgt": "sergeant", "pres": "president", "amb": "ambassador", "cmdr": "commander",
    "insp": "inspector", "supt": "superintendent", "pm": "prime minister",
}  # fmt: skip

#: Regnal numerals written after a monarch's name ("Abdullah II"), often left out in news text.
REGNAL_NUMERALS: frozenset[str] = frozenset(
    {"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv",
     "xv", "xvi"}
)  # fmt: skip

#: Heads of proper-noun phrases that name a building, street or institution, never a person.
INSTITUTION_HEADS: frozenset[str] = frozenset(
    {
        "house", "street", "office", "ministry", "palace", "building", "department", "embassy",
        "hall", "headquarters", "secretariat", "council", "committee", "agency", "bureau",
        "chancellery", "parliament", "senate", "assembly", "court", "commission", "cabinet",
        "government", "administration", "university", "bank", "party", "company", "group",
        "corporation", "institute", "foundation", "square", "road", "avenue", "airport",
        "station", "hospital", "school", "center", "centre", "church", "mosque", "temple",
        "tower", "castle", "mansion", "residence", "compound", "service", "times",
        "post", "news", "press",
    }
)  # fmt: skip

#: Prepositions whose object is a place ("in Washington"); "to" only after motion verbs.
LOCATIVE_PREPOSITIONS: frozenset[str] = frozenset(
    {
        "in", "at", "near", "into", "inside", "outside", "across", "around", "within",
        "throughout", "through", "via", "from", "toward", "towards", "along", "beyond", "onto",
        "off", "behind", "beside", "past", "above", "below", "under", "over",
    }
)  # fmt: skip
MOTION_VERBS: frozenset[str] = frozenset(
    {
        "visit", "travel", "fly", "arrive", "return", "go", "come", "head", "move", "leave",
        "reach", "land", "sail", "drive", "relocate", "flee", "deploy", "send", "evacuate",
        "tour", "march", "walk", "commute", "trip", "journey", "flight", "bring",
    }
)  # fmt: skip

#: Sectors of agents that act inside their own country: an uncoded agent of these sectors takes the
#: article's home country (see the module doc).
DOMESTIC_SECTORS: frozenset[str] = frozenset(
    {"GOV", "COP", "MIL", "JUD", "LEG", "OPP", "PTY", "CVL", "BUS", "EDU", "LAB", "MED", "HLH",
     "AGR", "ELI", "SPY", "REL", "CRM", "HRI", "ENV"}
)  # fmt: skip
#: Modifiers that mark an agent as foreign or international, never domestic ("foreign diplomats").
NON_DOMESTIC_WORDS: frozenset[str] = frozenset(
    {"foreign", "international", "world", "global", "western", "regional", "overseas", "other",
     "multinational", "european", "arab", "african", "asian", "allied", "coalition", "un"}
)  # fmt: skip
#: Mentions that a dateline counts for when the home country is chosen.
DATELINE_WEIGHT = 3
#: The fewest (weighted) mentions a home country needs.
HOME_MIN_MENTIONS = 2
#: Confidence of an agent or unresolved person coded through the home country.
HOME_CONFIDENCE = 0.45

#: A dateline at the start of the text or of one of its first lines: "WASHINGTON, July 25:",
#: "LONDON (Reuters) -", "new delhi:", "TEHRAN —". Group 1 is the place.
_DATELINE = re.compile(
    r"(?:^|\n)[ \t]*([A-Za-z][A-Za-z.'’ ]{1,28}?)[ \t]*"
    r"(?:,[ \t]*([A-Z][A-Za-z]{0,4}\.(?:[ \t]?[A-Z][a-z]?\.)?)[ \t]*)?"
    r"(?:,[ \t]*(?:[A-Z][a-z]{2,8}\.?[ \t]+\d{1,2}|\d{1,2}[ \t]+[A-Z][a-z]{2,8})[ \t]*)?"
    r"(?:\([A-Za-z .&/-]{1,25}\)[ \t]*)?(?::|[—–]|\s-{1,2})\s"
)
_DATELINE_SPAN = 400
#: A party-and-state tag after a legislator's name: "(R-Texas)", "(D-N.Y.)", "(I-Vt.)".
_PARTY_STATE = re.compile(r"\s*,?\s*\(\s*[RDI]\s*[-–]\s*([A-Z][A-Za-z. ]{1,20}?)\s*\)")

#: Abbreviations of the US states (AP style and postal codes), written without dots and
#: lower-cased: "(D-N.Y.)", "(R-Calif.)", "LOS ANGELES, Calif. (AP) -" give the United States.
US_STATE_ABBREVIATIONS: frozenset[str] = frozenset(
    {
        # AP style
        "ala", "ariz", "ark", "calif", "cal", "colo", "conn", "del", "fla", "ga", "ill", "ind",
        "kan", "kans", "ky", "la", "md", "mass", "mich", "minn", "miss", "mo", "mont", "neb",
        "nebr", "nev", "nh", "nj", "nm", "ny", "nc", "nd", "okla", "ore", "pa", "penn", "ri",
        "sc", "sd", "tenn", "tex", "vt", "va", "wash", "wva", "wis", "wyo", "dc",
        # postal codes
        "al", "ak", "az", "ar", "ca", "co", "ct", "de", "fl", "hi", "id", "il", "in", "ia",
        "ks", "me", "mi", "mn", "ms", "mt", "ne", "nv", "oh", "ok", "or", "tn", "tx", "ut",
        "wa", "wv", "wi", "wy",
    }
)  # fmt: skip
#: The country of :data:`US_STATE_ABBREVIATIONS`.
US_CODE = "USA"

#: Lower-cased texts: how much of the text is sampled, the largest share of capitals it may have,
#: and the longest KB name (in words) looked for word by word.
_CASE_SAMPLE = 3000
#: Label of a lower-cased acronym span ("bjp") and words that are never taken for one.
_ACRONYM_LABEL = "ACRONYM"
_NOT_ACRONYMS = frozenset({"inc", "ltd", "llc", "plc", "corp", "pvt", "bros", "mrs", "mph", "kph"})
_LOWERCASE_RATIO = 0.002
_LOWERCASE_MAX_WORDS = 6

#: Singular personal pronouns linked back to a person.
PERSON_PRONOUNS: frozenset[str] = frozenset({"he", "him", "his", "she", "her", "hers"})
#: Heads of phrases that denote the members of an organisation ("EU countries").
MEMBER_HEADS: frozenset[str] = frozenset(
    {"country", "state", "nation", "member", "government", "ally", "partner", "capital"}
)
#: Words introducing the named members of a group ("..., including Ireland and Belgium").
LIST_MARKERS: frozenset[str] = frozenset({"including", "like", "as", "notably", "among"})
CALENDAR_WORDS: frozenset[str] = frozenset(
    {
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
        "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december", "today", "yesterday", "tomorrow",
    }
)  # fmt: skip

_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
_MODIFIER_DEPS = frozenset({"compound", "amod", "nmod", "poss", "npadvmod", "nummod"})
_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"})
_SKIP_POS = frozenset({"DET", "PUNCT", "NUM", "CCONJ", "PART", "SYM", "ADP"})
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "‐": "-", "–": "-"})
_POSSESSIVE = re.compile(r"'s?$")
_NON_WORD = re.compile(r"[^\w\s]")
_DETERMINERS = frozenset({"the", "a", "an", "one", "some", "several", "two", "three", "many"})

ActorType = Literal["person", "country", "organization", "group", "agent"]


# ---------------------------------------------------------------------------------------------
# Normalisation and similarity
# ---------------------------------------------------------------------------------------------


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Token caches are bounded well below the number of distinct tokens of a large corpus: the most
# frequent tokens still hit, while a long ingest's memory does not creep up by the size of caches
# that hold hundreds of thousands of entries when full.
@functools.lru_cache(maxsize=16384)
def _norm_token(text: str) -> str:
    """One token: case-folded, accents and punctuation removed ("-Rate" -> "rate", "J.D." -> "jd")."""
    if text.isascii() and text.isalnum():
        return text.lower()
    cleaned = _strip_accents(text.translate(_APOSTROPHES)).casefold()
    cleaned = _POSSESSIVE.sub("", cleaned)
    return _NON_WORD.sub("", cleaned)


def name_tokens(text: str | Sequence[str]) -> list[str]:
    """The normalised tokens of a name, without honorifics, a leading "the" or a possessive.

    Args:
        text: a name as written, or its tokens.
    Returns:
        e.g. ``["keir", "starmer"]`` for "Sir Keir Starmer's"; hyphenated parts become tokens.
    """
    return list(_name_tokens(text if isinstance(text, str) else tuple(text)))


@functools.lru_cache(maxsize=16384)
def _name_tokens(text: str | tuple[str, ...]) -> tuple[str, ...]:
    """:func:`name_tokens`, cached (names recur within and across articles)."""
    out: list[str] = []
    for piece in (text,) if isinstance(text, str) else text:
        for part in piece.translate(_APOSTROPHES).replace("-", " ").split():
            token = _norm_token(part)
            if token:
                out.append(token)
    while out and (out[0] in HONORIFICS or out[0] == "the"):
        out.pop(0)
    return tuple(out)


def normalise_name(text: str) -> str:
    """The normalised form of a name: :func:`name_tokens` joined by single spaces."""
    return " ".join(name_tokens(text))


def phonetic_keys(token: str) -> tuple[str, str]:
    """Metaphone and NYSIIS keys of one normalised token (empty strings for an empty token)."""
    if not token:
        return ("", "")
    return (jellyfish.metaphone(token), jellyfish.nysiis(token))


@functools.lru_cache(maxsize=16384)
def _keys(token: str) -> tuple[str, str]:
    return phonetic_keys(token)


#: Spelling variants that transliteration and translation produce, folded before comparing.
_SKELETON_RULES: tuple[tuple[str, str], ...] = (
    ("ph", "f"), ("ks", "x"), ("kh", "h"), ("dh", "d"), ("th", "t"), ("sch", "sh"), ("tch", "ch"),
    ("ou", "u"), ("ee", "i"), ("off", "ov"), ("eff", "ev"), ("y", "i"), ("w", "v"), ("k", "c"),
    ("j", "i"), ("z", "s"), ("q", "c"),
)  # fmt: skip
_DOUBLES = re.compile(r"(\w)\1+")


@functools.lru_cache(maxsize=16384)
def _skeleton(token: str) -> str:
    """A token with transliteration variants folded ("Zelenskyy" and "Selensky" meet)."""
    out = token
    for old, new in _SKELETON_RULES:
        out = out.replace(old, new)
    return _DOUBLES.sub(r"\1", out)


@functools.lru_cache(maxsize=32768)
def _token_similarity(a: str, b: str) -> float:
    """Jaro-Winkler on the spelling and on the folded skeleton, lifted when the tokens sound alike.

    Cached: every mention of a surname is compared with the surnames of the persons found before
    it, so about half of the pairs recur within an article.

    Jaro-Winkler punishes a changed letter in the middle of a short word hard ("vyeida"/"vieira"
    0.69), so the normalised Levenshtein similarity of the skeletons is taken too.
    """
    if a == b:
        return 1.0
    sa, sb = _skeleton(a), _skeleton(b)
    sim = JaroWinkler.normalized_similarity(a, b)
    ka, kb_ = _keys(a), _keys(b)
    if a[:1] == b[:1] or ka[0][:1] == kb_[0][:1]:
        # sounding alike is evidence on top of the spelling, not a replacement for it
        if ka[0] and ka[0] == kb_[0]:
            sim = min(max(sim, 0.92), sim + 0.08)
        elif ka[1] and ka[1] == kb_[1]:
            sim = min(max(sim, 0.9), sim + 0.06)
    return max(
        sim,
        JaroWinkler.normalized_similarity(sa, sb),
        Levenshtein.normalized_similarity(sa, sb) if min(len(sa), len(sb)) >= 5 else 0.0,
    )


def name_score(query: Sequence[str], form: Sequence[str]) -> float:
    """Similarity of two normalised names (token lists) in [0, 1].

    The surname (last token) weighs 0.6 and the first name 0.4; an initial matches a first name
    with the same letter; a one-token query is compared with the surname only. Concatenated forms
    are compared too, so "vanderleyen" still finds "von der leyen".
    """
    if not query or not form:
        return 0.0
    surname = _token_similarity(query[-1], form[-1])
    if len(query) == 1:
        return surname
    if len(form) == 1:
        return surname * 0.9
    qf, ff = query[0], form[0]
    if len(qf) == 1 or len(ff) == 1:
        first = 0.95 if qf[:1] == ff[:1] else 0.3
    else:
        first = _token_similarity(qf, ff)
    score = 0.6 * surname + 0.4 * first
    joined = JaroWinkler.normalized_similarity("".join(query), "".join(form)) - 0.03
    return max(score, joined) if surname > 0.7 else score


# ---------------------------------------------------------------------------------------------
# Person matching
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonMatch:
    """A KB person found for a name: the entry, the similarity and how it was found."""

    person: PersonEntry
    score: float
    method: Literal["exact-alias", "normalised", "fuzzy"]
    role: PersonRole | None


#: candidate persons by id, their name forms as ``(id, form)`` and the forms' surnames
_Pool = tuple[dict[str, PersonEntry], list[tuple[str, tuple[str, ...]]], list[str]]


class PersonMatcher:
    """Indexes of the KB persons: normalised names, surnames, phonetic keys and countries.

    Built once per KB; :meth:`match` then looks only at a short candidate list.
    """

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.forms: dict[str, list[tuple[str, ...]]] = {}
        self.by_name: dict[str, list[PersonEntry]] = {}
        self.by_surname: dict[str, list[PersonEntry]] = {}
        self.by_phonetic: dict[str, list[PersonEntry]] = {}
        self.by_country: dict[str, list[PersonEntry]] = {}
        self._pools: dict[tuple[str, ...], _Pool] = {}
        for person in kb.persons.values():
            forms: list[tuple[str, ...]] = []
            regnal: list[tuple[str, ...]] = []
            for name in (person.name, *person.aliases):
                tokens = tuple(name_tokens(name))
                if tokens and tokens not in forms:
                    forms.append(tokens)
                if len(tokens) > 1 and tokens[-1] in REGNAL_NUMERALS:
                    # "King Abdullah" for "Abdullah II": the numeral is often left out
                    regnal.append(tokens[:-1])
            for bare in regnal:
                if bare not in forms:
                    forms.append(bare)
                    if len(bare) == 1:
                        _add(self.by_surname, bare[0], person)
            self.forms[person.id] = forms
            for tokens in forms:
                if tokens not in regnal or len(tokens) > 1:
                    _add(self.by_name, " ".join(tokens), person)
                if len(tokens) > 1:
                    _add(self.by_name, "".join(tokens), person)
                # a regnal numeral or an initial is no surname: "Juan Carlos I" must not be found
                # by the "i" of "Jamiat-i-Islami"
                if len(tokens[-1]) < 2 or tokens[-1] in REGNAL_NUMERALS:
                    continue
                if len(tokens) > 1:
                    _add(self.by_surname, tokens[-1], person)
                metaphone, nysiis = _keys(tokens[-1])
                _add(self.by_phonetic, "M:" + metaphone, person)
                _add(self.by_phonetic, "N:" + nysiis, person)
            for country in sorted(person.countries):
                _add(self.by_country, country, person)

    def match(
        self,
        name: str | Sequence[str],
        *,
        countries: Sequence[str] = (),
        sector: str | None = None,
        day: date | None = None,
        role: str | None = None,
    ) -> PersonMatch | None:
        """Find the KB person meant by ``name`` (already stripped of titles and honorifics).

        Args:
            name: the name as written or its normalised tokens.
            countries: country codes given by the context; they narrow the fuzzy candidates and
                allow the looser :data:`FUZZY_WITH_CONTEXT` threshold for persons of those countries.
            sector: the sector the context gives (a tie-breaker).
            day: the article's date; persons holding a role that day are preferred.
            role: the role words of the context ("foreign minister"), a tie-breaker.
        Returns:
            the best match, or ``None`` when no candidate clears its threshold.
        """
        raw = name if isinstance(name, str) else " ".join(name)
        tokens = name_tokens(name)
        if not tokens:
            return None
        exact = self.kb.persons_by_name(raw)
        if exact:
            person = self._pick(exact, countries, sector, day, role)
            return PersonMatch(person, 1.0, "exact-alias", person.role_on(day))
        key = " ".join(tokens)
        found = self.by_name.get(key) or (self.by_surname.get(key) if len(tokens) == 1 else None)
        if found and len(tokens) == 1 and countries:
            # a bare surname with an explicit country ("King Hassan of Morocco") never goes to
            # a namesake of another country
            found = [p for p in found if p.countries & set(countries)]
        if found:
            person = self._pick(found, countries, sector, day, role)
            return PersonMatch(person, 0.97, "normalised", person.role_on(day))
        return self._fuzzy(tokens, countries, sector, day, role)

    def _fuzzy(
        self,
        tokens: list[str],
        countries: Sequence[str],
        sector: str | None,
        day: date | None,
        role: str | None,
    ) -> PersonMatch | None:
        # the candidates: the persons of the context's countries, then those whose surname
        # sounds like the name's last word
        pool, choices, surnames = self._country_pool(tuple(countries))
        metaphone, nysiis = _keys(tokens[-1])
        sounding: dict[str, PersonEntry] = {}
        for person in (
            *self.by_phonetic.get("M:" + metaphone, ()),
            *self.by_phonetic.get("N:" + nysiis, ()),
        ):
            if person.id not in pool:
                sounding[person.id] = person
        if sounding:
            pool = {**pool, **sounding}
            more = [(pid, form) for pid in sounding for form in self.forms[pid]]
            choices = choices + more
            surnames = surnames + [form[-1] for _, form in more]
        if not pool:
            return None
        wanted = set(countries)
        best: tuple[float, float, PersonEntry] | None = None
        # rapidfuzz pre-filter on the surname: only forms within reach are scored in full
        hits = process.extract(
            tokens[-1],
            surnames,
            scorer=JaroWinkler.normalized_similarity,
            limit=None,
            score_cutoff=0.6,
        )
        for _, _, index in hits:
            pid, form = choices[index]
            person = pool[pid]
            score = name_score(tokens, form)
            in_context = bool(wanted & person.countries)
            threshold = FUZZY_WITH_CONTEXT if in_context else FUZZY_WITHOUT_CONTEXT
            if len(tokens) == 1:
                if wanted and not in_context:
                    continue  # see match(): an explicit country rules out other countries' names
                threshold += SINGLE_TOKEN_MARGIN
            if score < threshold:
                continue
            rank = score + self._bonus(person, countries, sector, day, role)
            if best is None or rank > best[0]:
                best = (rank, score, person)
        if best is None:
            return None
        person = best[2]
        return PersonMatch(person, round(best[1], 3), "fuzzy", person.role_on(day))

    def _country_pool(self, countries: tuple[str, ...]) -> _Pool:
        """The persons of ``countries`` (by id, in order), their name forms as ``(id, form)``
        and the forms' surnames; cached per tuple of countries (a few hundred persons for a
        large country, rebuilt for every unknown name before)."""
        cached = self._pools.get(countries)
        if cached is None:
            pool: dict[str, PersonEntry] = {}
            for country in countries:
                for person in self.by_country.get(country, ()):
                    pool[person.id] = person
            choices = [(pid, form) for pid in pool for form in self.forms[pid]]
            cached = (pool, choices, [form[-1] for _, form in choices])
            if len(self._pools) >= 1024:
                self._pools.clear()
            self._pools[countries] = cached
        return cached

    @staticmethod
    def _bonus(
        person: PersonEntry,
        countries: Sequence[str],
        sector: str | None,
        day: date | None,
        role: str | None,
    ) -> float:
        bonus = 0.0
        active = [r for r in person.roles if r.active_on(day)] if day is not None else []
        if active:
            bonus += 0.05
        if countries and set(countries) & person.countries:
            bonus += 0.08  # explicit context outweighs the date prior
        current = active or list(person.roles)
        if sector and any(r.sector == sector for r in current):
            bonus += 0.02
        if role:
            words = set(role.split())
            if any(words & set(r.role.casefold().split()) for r in current):
                bonus += 0.02
        return bonus

    def _pick(
        self,
        persons: Sequence[PersonEntry],
        countries: Sequence[str],
        sector: str | None,
        day: date | None,
        role: str | None,
    ) -> PersonEntry:
        if len(persons) == 1:
            return persons[0]
        return max(persons, key=lambda p: self._bonus(p, countries, sector, day, role))


def _add(index: dict[str, list[PersonEntry]], key: str, person: PersonEntry) -> None:
    bucket = index.setdefault(key, [])
    if person not in bucket:
        bucket.append(person)


# ---------------------------------------------------------------------------------------------
# KB indexes used by the resolver
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Named:
    """What a name span resolved to in the KB."""

    kind: Literal["country", "capital", "metonym", "organization", "group"]
    code: str
    sector: str | None
    name: str
    country: str | None = None


class _Indexes:
    """Everything precomputed from the KB for the resolver (built once per KB)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.persons = PersonMatcher(kb)
        self.max_agent_words = max((len(term.split()) for term in kb.agents), default=1)
        # first and last words of agent terms: most tokens are rejected by one set lookup
        self.agent_first: set[str] = {term.split()[0] for term in kb.agents if term.split()}
        self.agent_last: set[str] = {term.split()[-1] for term in kb.agents if term.split()}
        self._named_cache: dict[str, tuple[_Named, str] | None] = {}
        # metonym fuzzy index: normalised first token -> [(normalised tokens, match)]
        self.metonyms: list[tuple[tuple[str, ...], MetonymMatch]] = []
        for name, kind, _code in kb.iter_names():
            if kind != "metonym":
                continue
            match = kb.metonym(name)
            tokens = tuple(name_tokens(name))
            if match is not None and len(tokens) >= 2:
                self.metonyms.append((tokens, match))
        self.metonym_heads = [tokens[0] for tokens, _ in self.metonyms]
        # first words of all KB names (case-folded) -> most words of a name starting with it
        self.first_words: dict[str, int] = {}
        for name, _kind, _code in kb.iter_names():
            parts = name.casefold().split()
            if parts and parts[0] == "the":
                parts.pop(0)  # names are looked up "the"-insensitively
            if parts:
                size = self.first_words.get(parts[0], 0)
                self.first_words[parts[0]] = max(size, len(parts))
        self.name_words: set[str] = set()
        for name, kind, _code in kb.iter_names():
            if kind != "person":  # words of place and organisation names, not personal names
                self.name_words.update(name_tokens(name))

    def named(self, text: str) -> tuple[_Named, str] | None:
        """Look a span up among countries, metonyms, capitals, organisations and groups.

        Returns the match and the method (``exact-alias`` or ``normalised``).
        """
        cached = self._named_cache.get(text, _MISSING)
        if cached is not _MISSING:
            return cached  # type: ignore[return-value]
        result = self._named(text)
        if len(self._named_cache) > 20_000:
            self._named_cache.clear()
        self._named_cache[text] = result
        return result

    def _named(self, text: str) -> tuple[_Named, str] | None:
        found = self._lookup(text)
        if found is not None:
            return found, "exact-alias"
        normal = normalise_name(text)
        if normal and normal != text.casefold():
            found = self._lookup(normal)
            if found is not None:
                return found, "normalised"
        return None

    def _lookup(self, text: str) -> _Named | None:
        found = self.kb.named(text)  # metonym, country, organisation, group, capital: in order
        if found is None:
            return None
        kind, entry = found
        if isinstance(entry, MetonymMatch):
            state = entry.code if entry.kind == "country" else None
            return _Named("metonym", entry.code, entry.sector, entry.alias, state)
        if isinstance(entry, OrgEntry):
            return _Named("organization", entry.code, entry.sector, entry.name)
        if isinstance(entry, GroupEntry):
            return _Named("group", entry.code, entry.sector, entry.name, entry.country)
        if kind == "capital":
            return _Named("capital", entry.code, "GOV", entry.capital or text, entry.code)
        return _Named("country", entry.code, None, entry.name, entry.code)

    def fuzzy_metonym(self, tokens: Sequence[str]) -> tuple[_Named, float] | None:
        """A metonym written with noise ("Downing Streeet"): the first word must match closely."""
        if len(tokens) < 2 or not self.metonyms:
            return None
        heads = process.extract(
            tokens[0],
            self.metonym_heads,
            scorer=JaroWinkler.normalized_similarity,
            limit=None,
            score_cutoff=0.92,
        )
        best: tuple[float, MetonymMatch] | None = None
        text = " ".join(tokens)
        for _, _, index in heads:
            form, match = self.metonyms[index]
            if abs(len(form) - len(tokens)) > 1:
                continue
            score = JaroWinkler.normalized_similarity(text, " ".join(form))
            if score >= 0.9 and (best is None or score > best[0]):
                best = (score, match)
        if best is None:
            return None
        match = best[1]
        country = match.code if match.kind == "country" else None
        return _Named("metonym", match.code, match.sector, match.alias, country), best[0]


_MISSING = object()


def _us_state(text: str) -> bool:
    """Whether ``text`` is an abbreviated US state ("N.Y.", "Calif.", "TX")."""
    key = text.replace(".", "").replace(" ", "").casefold()
    return key in US_STATE_ABBREVIATIONS


def _place_country(kb: KnowledgeBase, place: str) -> str | None:
    """The country of a dateline place: a KB country or capital, else a gazetteer city."""
    country = kb.country_by_name(place) or kb.country_by_capital(place)
    if country is not None:
        return country.code
    if place.isupper() or place.islower():
        place = place.title()
    if not place[:1].isupper():
        return None
    from ..gazetteer import load_gazetteer  # built once per process (see ActorResolver.initialize)

    entry = load_gazetteer().lookup(place)
    return entry.country if entry is not None else None


@functools.lru_cache(maxsize=8)
def _indexes_for(kb: KnowledgeBase) -> _Indexes:
    return _Indexes(kb)


# ---------------------------------------------------------------------------------------------
# Per-article state
# ---------------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Draft:
    """An actor being built for one article."""

    key: tuple[str | None, ...]
    name: str
    type: ActorType
    kb_id: str | None = None
    country: str | None = None
    org: str | None = None
    sector: str | None = None
    role: str | None = None
    resolved: bool = False
    confidence: float = 0.0
    reason: str = ""
    mentions: list[tuple[int, int, int | None]] = field(default_factory=list)
    name_forms: set[str] = field(default_factory=set)
    surnames: set[str] = field(default_factory=set)
    role_words: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _Context:
    """What the words around a name or in a noun phrase say about the actor."""

    countries: list[str] = field(default_factory=list)
    org: str | None = None
    group: GroupEntry | None = None
    sector: str | None = None
    role: str | None = None
    possessor: _Draft | None = None
    tokens: list[int] = field(default_factory=list)

    @property
    def given(self) -> bool:
        return bool(self.countries or self.org or self.group or self.sector)

    def describe(self) -> str:
        parts = [
            "/".join(self.countries) or (self.org or "") or (self.group.code if self.group else "")
        ]
        if self.sector:
            parts.append(self.sector)
        return " ".join(p for p in parts if p)


class _ArticleRun:
    """Resolution of one article: two passes over the parse, then the actor list."""

    def __init__(self, idx: _Indexes, text: str, parse: Parse, day: date | None) -> None:
        self.idx = idx
        self.kb = idx.kb
        self.text = text
        self.parse = parse
        self.tokens = parse.tokens
        #: :func:`_norm_token` of every token's text, looked up by index in the hot loops
        self.norm: list[str] = [_norm_token(tok.text) for tok in parse.tokens]
        self.day = day
        self.drafts: dict[tuple[str | None, ...], _Draft] = {}
        self.owner: list[_Draft | None] = [None] * len(parse.tokens)
        self.context_only: set[int] = set()
        self.person_mentions: list[tuple[int, int, bool, _Draft]] = []
        self.role_mentions: list[tuple[int, _Draft]] = []
        self.entity_at: list[Entity | None] = [None] * len(parse.tokens)
        for ent in parse.entities:
            for i in range(ent.tok_start, ent.tok_end):
                self.entity_at[i] = ent
        self._chunk_of: dict[int, tuple[int, int]] = {}
        for chunk in parse.noun_chunks:
            for i in range(chunk.tok_start, chunk.tok_end):
                self._chunk_of[i] = (chunk.tok_start, chunk.tok_end)

    # -- output ------------------------------------------------------------------------------

    def actors(self) -> list[Actor]:
        drafts = [d for d in self.drafts.values() if d.mentions]
        drafts.sort(key=lambda d: min(m[0] for m in d.mentions))
        out: list[Actor] = []
        for number, draft in enumerate(drafts, start=1):
            mentions = sorted(set(draft.mentions))
            out.append(
                Actor(
                    id=f"A{number}",
                    name=draft.name,
                    kb_id=draft.kb_id,
                    type=draft.type,
                    country=draft.country,
                    org=draft.org,
                    sector=draft.sector,
                    role=draft.role,
                    resolved=draft.resolved,
                    confidence=round(draft.confidence, 3),
                    reason=draft.reason,
                    mentions=[
                        Mention(text=self.text[s:e], start=s, end=e, sentence=sent)
                        for s, e, sent in mentions
                    ],
                )
            )
        return out

    # -- bookkeeping -------------------------------------------------------------------------

    def _draft(self, key: tuple[str | None, ...], **fields: object) -> _Draft:
        draft = self.drafts.get(key)
        if draft is None:
            draft = _Draft(key=key, **fields)  # type: ignore[arg-type]
            self.drafts[key] = draft
        return draft

    def _mention(self, draft: _Draft, start: int, end: int) -> None:
        """Record tokens ``[start, end)`` as a mention of ``draft``."""
        while start < end and self.tokens[start].pos in ("PUNCT", "DET") and end - start > 1:
            start += 1
        while end > start + 1 and self.tokens[end - 1].pos in ("PUNCT", "PART"):
            end -= 1
        first, last = self.tokens[start], self.tokens[end - 1]
        s, e = first.start, last.end
        while e > s and self.text[e - 1] in "'’":
            e -= 1
        if e - s >= 2 and self.text[e - 2 : e] in ("'s", "’s"):
            e -= 2
        for i in range(start, end):
            self.owner[i] = draft
        mention = (s, e, first.sent)
        if mention not in draft.mentions:
            # a longer phrase replaces a mention it contains ("EU" -> "EU countries")
            draft.mentions = [m for m in draft.mentions if not (s <= m[0] and m[1] <= e)]
            draft.mentions.append(mention)
        if draft.type == "person":
            subject = self.tokens[self._root(start, end)].dep in _SUBJECT_DEPS
            insort(self.person_mentions, (s, first.sent, subject, draft), key=lambda m: m[0])
        if draft.role:
            insort(self.role_mentions, (s, draft), key=lambda m: m[0])

    def _root(self, start: int, end: int) -> int:
        """The token of ``[start, end)`` whose head lies outside the span."""
        for i in range(end - 1, start - 1, -1):
            head = self.tokens[i].head
            if head < start or head >= end or head == i:
                return i
        return end - 1

    # -- the two passes ----------------------------------------------------------------------

    def run(self) -> list[Actor]:
        for start, end, label in self._name_spans():
            self._name_span(start, end, label)
        for kind, index in self._phrase_items():
            if kind == "pronoun":
                self._pronoun(index)
            else:
                self._phrase(index)
        self._apply_home_country()
        return self.actors()

    # -- home country ------------------------------------------------------------------------

    def _dateline_country(self) -> str | None:
        """The country of the article's dateline, when its first lines carry one."""
        head = self.text[:_DATELINE_SPAN]
        for found in _DATELINE.finditer(head):
            place = found.group(1).strip(" .")
            words = place.split()
            if not words or len(words) > 3:
                continue
            if found.group(2) and _us_state(found.group(2)) and place.isupper():
                return US_CODE  # "LOS ANGELES, Calif. (AP) -"
            code = _place_country(self.kb, place)
            if code is not None:
                return code
        return None

    def _home_country(self) -> tuple[str, str] | None:
        """The article's home country and whether the dateline or the mention counts chose it."""
        counts: dict[str, float] = {}
        for draft in self.drafts.values():
            if draft.country and draft.type in ("country", "person", "agent") and draft.mentions:
                counts[draft.country] = counts.get(draft.country, 0.0) + len(draft.mentions)
        dateline = self._dateline_country()
        if dateline is not None:
            counts[dateline] = counts.get(dateline, 0.0) + DATELINE_WEIGHT
        if not counts:
            return None
        ranked = sorted(counts.items(), key=lambda item: -item[1])
        best, score = ranked[0]
        if score < HOME_MIN_MENTIONS or (len(ranked) > 1 and ranked[1][1] == score):
            return None
        return best, ("dateline" if best == dateline else "home")

    def _apply_home_country(self) -> None:
        """Give uncoded domestic agents and unresolved persons the article's home country."""
        pending = [
            d
            for d in self.drafts.values()
            if d.mentions
            and d.country is None
            and d.org is None
            and (
                (d.type == "agent" and d.sector in DOMESTIC_SECTORS and self._domestic(d))
                or (d.type == "person" and not d.resolved)
            )
        ]
        if not pending:
            return
        home = self._home_country()
        for draft in pending:
            if home is None:
                self._sentence_country(draft)
                continue
            code, how = home
            if draft.type == "person" and self._rematch(draft, code, how):
                continue
            draft.country = code
            draft.confidence = min(draft.confidence, HOME_CONFIDENCE)
            draft.reason += f"+context:{how}"
            if draft.type == "agent":
                draft.resolved = True

    def _sentence_country(self, draft: _Draft) -> None:
        """An unresolved person with a title ("Ousted President X ... Kyrgyzstan") and no home
        country takes the one country its sentences name, if they name exactly one."""
        if draft.type != "person" or draft.sector is None:
            return
        sentences = {sentence for _s, _e, sentence in draft.mentions}
        named = {
            other.country
            for other in self.drafts.values()
            if other is not draft
            and other.country
            and other.type in ("country", "person", "agent")
            and any(m[2] in sentences for m in other.mentions)
        }
        if len(named) != 1:
            return
        code = named.pop()
        if code is not None and not self._rematch(draft, code, "sentence"):
            draft.country = code
            draft.confidence = min(draft.confidence, HOME_CONFIDENCE)
            draft.reason += "+context:sentence"

    def _rematch(self, draft: _Draft, code: str, how: str) -> bool:
        """Match an unresolved person again with the home country as context ("Governor Frugal")."""
        words = (draft.key[1] or "").split()
        match = self.idx.persons.match(
            words, countries=[code], sector=draft.sector, day=self.day, role=draft.role
        )
        if match is None or code not in match.person.countries:
            return False
        ctx = _Context(countries=[code], sector=draft.sector, role=draft.role)
        known = self.drafts.get(("person", match.person.id))
        target = known if known is not None else self._kb_person(match, ctx)
        target.reason += f"+context:{how}"
        target.confidence = min(target.confidence, 0.6)
        for mention in draft.mentions:
            if mention not in target.mentions:
                target.mentions.append(mention)
        draft.mentions = []
        return True

    def _domestic(self, draft: _Draft) -> bool:
        """Whether no mention of an agent calls it foreign or international."""
        for start, end, _sentence in draft.mentions:
            words = {_norm_token(w) for w in self.text[start:end].split()}
            if words & NON_DOMESTIC_WORDS:
                return False
        return True

    def _name_spans(self) -> list[tuple[int, int, str]]:
        spans: list[tuple[int, int, str]] = []
        in_entity = [False] * len(self.tokens)
        for ent in self.parse.entities:
            for i in range(ent.tok_start, ent.tok_end):
                in_entity[i] = True
            if ent.label in _NAME_LABELS:
                spans.append((ent.tok_start, ent.tok_end, ent.label))
        i = 0
        tokens = self.tokens
        while i < len(tokens):
            if tokens[i].pos == "PROPN" and not in_entity[i]:
                j = i
                while j < len(tokens) and tokens[j].pos == "PROPN" and not in_entity[j]:
                    j += 1
                if tokens[j - 1].sent == tokens[i].sent:
                    spans.append((i, j, ""))
                i = j
            else:
                i += 1
        # a longer proper-noun phrase around an entity ("Islamic" + "State") or a capitalised noun
        # chunk ("Whitehall" tagged NOUN) is tried first, as an exact KB name only ("+")
        for ent in self.parse.entities:
            s, e = ent.tok_start, ent.tok_end
            while s > 0 and tokens[s - 1].pos == "PROPN" and tokens[s - 1].sent == ent.sentence:
                s -= 1
            while e < len(tokens) and tokens[e].pos == "PROPN" and tokens[e].sent == ent.sentence:
                e += 1
            if (s, e) != (ent.tok_start, ent.tok_end):
                spans.append((s, e, "+"))
        for chunk in self.parse.noun_chunks:
            s, e = self._trim(chunk.tok_start, chunk.tok_end)
            ent_at = self.entity_at[s] if s < e else None
            # a chunk that starts with an entity and goes on ("the UN refugee agency") too
            longer = ent_at is not None and ent_at.tok_start == s and ent_at.tok_end < e
            if s < e and (not in_entity[s] or longer) and tokens[s].text[:1].isupper():
                spans.append((s, e, "+"))
        if self._lowercase():
            # KB names found in a lower-cased text beat the parser's guesses that cut into them
            known = self._lowercase_spans()
            covered: dict[int, tuple[int, int]] = {}
            for s, e, _label in known:
                for j in range(s, e):
                    covered[j] = (s, e)
            spans = known + [
                span
                for span in spans
                if not any(
                    j in covered and not (span[0] <= covered[j][0] and covered[j][1] <= span[1])
                    for j in range(span[0], span[1])
                )
            ]
        # earlier first; at the same start the longer span first
        spans.sort(key=lambda span: (span[0], span[0] - span[1]))
        return spans

    def _lowercase(self) -> bool:
        """Whether the text is written without capitals (some archives lower-case everything)."""
        sample = self.text[:_CASE_SAMPLE]
        letters = sum(map(str.isalpha, sample))
        upper = sum(map(str.isupper, sample))
        return letters >= 200 and upper <= letters * _LOWERCASE_RATIO

    def _lowercase_spans(self) -> list[tuple[int, int, str]]:
        """KB names found word by word in a lower-cased text, where NER and tags fail.

        Only whole KB names count: persons' full names or aliases, and country, organisation and
        group names (case-sensitive acronyms cannot match lower-case text); one-word names must
        have at least four letters.
        """
        tokens = self.tokens
        spans: list[tuple[int, int, str]] = []
        i = 0
        while i < len(tokens):
            found: tuple[int, int, str] | None = None
            longest = self.idx.first_words.get(tokens[i].text.casefold(), 0)
            if longest == 0:
                i += 1
                continue
            longest = min(longest + 2, _LOWERCASE_MAX_WORDS, len(tokens) - i)
            for size in range(longest, 0, -1):
                end = i + size
                if tokens[end - 1].sent != tokens[i].sent or not tokens[i].text.isalpha():
                    continue
                text = self._span_text(i, end)
                if size == 1 and len(text) < 4:
                    if self._lowercase_acronym(i) is not None:
                        found = (i, end, _ACRONYM_LABEL)
                        break
                    continue
                if self.kb.persons_by_name(text):
                    found = (i, end, "PERSON")
                elif self.idx.named(text) is not None:
                    # one word may be a nationality adjective ("indian police"): NORP rules apply
                    found = (i, end, "NORP" if size == 1 else "+")
                elif size == 1 and self._lowercase_acronym(i) is not None:
                    found = (i, end, _ACRONYM_LABEL)
                if found is not None:
                    break
            if found is None:
                i += 1
                continue
            spans.append(found)
            i = found[1]
        return spans

    def _lowercase_acronym(self, i: int) -> tuple[_Named, str] | None:
        """An organisation or group acronym written in lower case ("bjp", "vhp", "unhcr").

        Only words that cannot be English words qualify: three to six letters with at most one
        vowel, tagged as a noun or proper noun, and not a company suffix ("inc", "ltd").
        """
        tok = self.tokens[i]
        word = tok.text
        if (
            not word.isalpha()
            or not 3 <= len(word) <= 6
            or tok.pos not in ("PROPN", "NOUN", "X")
            or sum(ch in "aeiou" for ch in word.casefold()) > 1
            or word.casefold() in _NOT_ACRONYMS
        ):
            return None
        found = self.idx.named(word.upper())
        if found is None or found[0].kind not in ("organization", "group"):
            return None
        return found

    def _phrase_items(self) -> list[tuple[str, int]]:
        items: list[tuple[int, str, int]] = []
        for number, chunk in enumerate(self.parse.noun_chunks):
            items.append((chunk.root, "chunk", number))
        for tok in self.tokens:
            if tok.pos in ("PRON", "DET") and tok.text.casefold() in PERSON_PRONOUNS:
                items.append((tok.i, "pronoun", tok.i))
        items.sort()
        return [(kind, index) for _, kind, index in items]

    # -- name spans --------------------------------------------------------------------------

    def _trim(self, start: int, end: int) -> tuple[int, int]:
        tokens = self.tokens
        while start < end and (
            tokens[start].pos in ("DET", "PUNCT") or tokens[start].text.casefold() == "the"
        ):
            start += 1
        while end > start and (
            tokens[end - 1].pos in ("PUNCT", "PART") or tokens[end - 1].tag == "POS"
        ):
            end -= 1
        return start, end

    def _span_text(self, start: int, end: int) -> str:
        return self.text[self.tokens[start].start : self.tokens[end - 1].end]

    def _name_span(self, start: int, end: int, label: str) -> None:
        start, end = self._trim(start, end)
        if start >= end or any(self.owner[i] is not None for i in range(start, end)):
            return
        text = self._span_text(start, end)
        root = self._root(start, end)
        if label == "NORP" and (
            self.tokens[root].pos == "ADJ" or self.tokens[root].dep in ("amod", "compound", "nmod")
        ):
            return  # a nationality adjective: context of its head, resolved with the phrase
        if not label and self._is_role_phrase(start, end):
            return
        found = self.idx.named(text)
        if found is None and label == _ACRONYM_LABEL:
            found = self._lowercase_acronym(start)
            label = "+"
        if found is not None:
            self._named_actor(
                found[0], found[1], start, end, 0.95 if found[1] == "exact-alias" else 0.9
            )
            return
        if label == "+":
            return
        if label != "PERSON" and self._is_role_phrase(start, end):
            return  # "Congress", "Parliament": a role noun, coded with its phrase
        # e.g. an unknown ORG inside "the G7 Foreign Ministers": try its parts first
        if self._modifies_actor_phrase(root) and label != "PERSON" and self._sub_spans(start, end):
            return
        words = name_tokens([self.tokens[i].text for i in range(start, end)])
        if not words:
            return
        head_word = _norm_token(self.tokens[end - 1].lemma or self.tokens[end - 1].text)
        if head_word in INSTITUTION_HEADS and len(words) >= 2:
            self._institution(start, end, words)
            return
        maybe_person = label in ("PERSON", "ORG", "") or self._linked_person(words) is not None
        if maybe_person and self._person(start, end, words, label):
            return
        if len(words) >= 2 and self._sub_spans(start, end):
            return
        fuzzy = self.idx.fuzzy_metonym(words)
        if fuzzy is not None:
            named, score = fuzzy
            if self._acts(root):
                self._named_actor(named, f"fuzzy-metonym:jw={score:.2f}", start, end, 0.75)
            return
        if label == "ORG" and self.tokens[root].dep in _SUBJECT_DEPS:
            draft = self._draft(
                ("org?", normalise_name(text)),
                name=text,
                type="organization",
                resolved=False,
                confidence=0.3,
                reason="unresolved-org",
            )
            self._mention(draft, start, end)

    def _is_role_phrase(self, start: int, end: int) -> bool:
        words = self.norm[start:end]
        return all(w in HONORIFICS or self.kb.agent(w) is not None for w in words) or (
            self.kb.agent(" ".join(words)) is not None
        )

    def _named_actor(
        self, named: _Named, method: str, start: int, end: int, confidence: float
    ) -> None:
        root = self._root(start, end)
        if named.kind in ("capital", "metonym") and not self._acts(root):
            return  # a place ("in Washington"): the places stage handles it
        if self._absorbed(root):
            self.context_only.update(range(start, end))
            return
        if named.kind == "organization":
            org = self.kb.organizations[named.code]
            draft = self._draft(
                ("organization", named.code),
                name=org.name,
                type="organization",
                kb_id=org.code,
                org=org.code,
                sector=org.sector,
                resolved=True,
                confidence=confidence,
                reason=method,
            )
        elif named.kind == "group":
            group = self.kb.groups[named.code]
            draft = self._draft(
                ("group", named.code, group.sector),
                name=group.name,
                type="group",
                kb_id=group.code,
                country=group.country,
                sector=group.sector,
                resolved=True,
                confidence=confidence,
                reason=method,
            )
        elif named.kind == "metonym" and named.country is None:
            org = self.kb.organizations[named.code]
            draft = self._draft(
                ("organization", named.code),
                name=org.name,
                type="organization",
                kb_id=org.code,
                org=org.code,
                sector=org.sector,
                resolved=True,
                confidence=confidence,
                reason="metonym" if method == "exact-alias" else method,
            )
        else:
            country = self.kb.countries[named.country or named.code]
            sector = named.sector if named.kind in ("capital", "metonym") else None
            reason = method
            if named.kind in ("capital", "metonym") and not method.startswith("fuzzy"):
                reason = "metonym"
            draft = self._draft(
                ("country", country.code, sector),
                name=country.name,
                type="country",
                kb_id=country.code,
                country=country.code,
                sector=sector,
                resolved=True,
                confidence=confidence,
                reason=reason,
            )
        self._mention(draft, start, end)

    def _acts(self, root: int) -> bool:
        """Whether a capital or metonym at ``root`` stands for an actor rather than a place."""
        tok = self.tokens[root]
        seen = 0
        while tok.dep in ("conj", "appos") and tok.head != tok.i and seen < 10:
            tok = self.tokens[tok.head]
            seen += 1
        if tok.dep == "pobj":
            prep = self.tokens[tok.head]
            word = prep.text.casefold()
            if word in LOCATIVE_PREPOSITIONS:
                return False
            if word == "to":
                governor = self.tokens[prep.head]
                return governor.lemma not in MOTION_VERBS
            return True
        if tok.dep == "dobj":
            return self.tokens[tok.head].lemma not in MOTION_VERBS
        return tok.dep not in ("npadvmod", "advmod")

    def _absorbed(self, root: int) -> bool:
        """Whether a name at ``root`` only qualifies a person or agent phrase ("US President X")."""
        tok = self.tokens[root]
        if tok.dep not in ("compound", "amod", "nmod") or tok.tag == "POS":
            return False
        head = self.tokens[tok.head]
        hops = 0
        while head.dep in ("compound", "amod") and head.head != head.i and hops < 6:
            if head.ent_type == "PERSON":
                return True
            head = self.tokens[head.head]
            hops += 1
        if head.ent_type == "PERSON":
            return True
        return self._agent_term_at(head.i) is not None

    def _modifies_actor_phrase(self, root: int) -> bool:
        return self.tokens[root].dep in ("compound", "amod", "nmod", "poss")

    def _sub_spans(self, start: int, end: int) -> bool:
        """Find KB names inside a longer span ("the G7 Foreign Ministers" -> G7 + role)."""
        for size in range(end - start - 1, 0, -1):
            for s in range(start, end - size + 1):
                e = s + size
                text = self._span_text(s, e)
                found = self.idx.named(text)
                if found is None:
                    continue
                named, method = found
                if named.kind == "group" and e == end and s > start:
                    continue  # "Social Democratic Party" is another party than "Democratic Party"
                rest = self._agent_term_at(end - 1)
                if (
                    rest is not None
                    and rest[0] >= e
                    and named.kind in ("organization", "group", "country")
                ):
                    ctx = self._context(range(start, rest[0]), end - 1)
                    self._make_agent(ctx, rest, start, end, "agent-dictionary")
                    self.context_only.update(range(s, e))
                    return True
                self._named_actor(named, method, s, e, 0.9)
                return True
        return False

    def _institution(self, start: int, end: int, words: list[str]) -> None:
        """A building or ministry named after something: a metonym, or the office of a person."""
        fuzzy = self.idx.fuzzy_metonym(words)
        root = self._root(start, end)
        if fuzzy is not None:
            if self._acts(root):
                self._named_actor(fuzzy[0], f"fuzzy-metonym:jw={fuzzy[1]:.2f}", start, end, 0.75)
            return
        person = self._linked_person(words[:-1])
        if person is None or not self._acts(root) or not (person.country or person.org):
            return
        head = words[-1]
        draft = self._draft(
            ("agent", person.country, person.org, person.sector or "GOV", head),
            name=self._span_text(start, end),
            type="agent",
            country=person.country,
            org=person.org,
            sector=person.sector or "GOV",
            role=None,
            resolved=False,
            confidence=0.5,
            reason=f"institution-of-person:{person.kb_id or person.name}",
        )
        self._mention(draft, start, end)

    # -- persons -----------------------------------------------------------------------------

    def _linked_person(self, words: Sequence[str]) -> _Draft | None:
        """A person already in this article that ``words`` refers to (full name or surname)."""
        if not words:
            return None
        key = " ".join(words)
        candidates = [d for d in self.drafts.values() if d.type == "person"]
        for draft in reversed(candidates):
            if key in draft.name_forms:
                return draft
        if len(words) == 1:
            word = words[0]
            for draft in reversed(candidates):
                if word in draft.surnames:
                    return draft
            best: tuple[float, _Draft] | None = None
            for draft in candidates:
                for surname in draft.surnames:
                    score = _token_similarity(word, surname)
                    if score >= 0.9 and (best is None or score > best[0]):
                        best = (score, draft)
            return best[1] if best else None
        best_multi: tuple[float, _Draft] | None = None
        for draft in candidates:
            for form in draft.name_forms:
                score = name_score(words, form.split())
                if score >= 0.92 and (best_multi is None or score > best_multi[0]):
                    best_multi = (score, draft)
        return best_multi[1] if best_multi else None

    def _person(self, start: int, end: int, words: list[str], label: str) -> bool:
        """Resolve a person name span; returns False when it is not taken as a person."""
        # NER often leaves part of a name outside the entity ("Yoon Suk" + "Yeol")
        while start > 0 and self._name_part(start - 1, self.tokens[start].sent):
            start -= 1
        while end < len(self.tokens) and self._name_part(end, self.tokens[start].sent):
            end += 1
        root = self._root(start, end)
        name_start = start
        # titles and honorifics inside the entity ("President Putin") go to the context
        while name_start < end - 1 and self._title_at(name_start) is not None:
            name_start += self._title_at(name_start) or 1
        ctx = self._context(
            self._context_tokens(start, end, root), root, own=range(start, name_start)
        )
        words = name_tokens([self.tokens[i].text for i in range(name_start, end)])
        if not words:
            return False
        self._party_state_tag(end, ctx)
        linked = self._linked_person(words)
        if linked is not None:
            self._remember(linked, words)
            self._mention(linked, name_start, end)
            return True
        match = self.idx.persons.match(
            words, countries=ctx.countries, sector=ctx.sector, day=self.day, role=ctx.role
        )
        if match is None and len(words) == 1 and not ctx.given and label != "PERSON":
            return False  # a lone capitalised word spaCy did not call a person: not a name
        if match is not None:
            draft = self._kb_person(match, ctx)
        else:
            if label != "PERSON" or not self._plausible_name(name_start, end, words, ctx):
                return False
            draft = self._draft(
                ("person?", " ".join(words)),
                name=self._span_text(name_start, end),
                type="person",
                country=ctx.countries[0] if ctx.countries else None,
                org=ctx.org,
                sector=ctx.sector,
                role=ctx.role,
                resolved=False,
                confidence=0.5 if ctx.given else 0.35,
                reason=f"context-only:{ctx.describe()}" if ctx.given else "unresolved-person",
            )
        self._remember(draft, words)
        self._mention(draft, name_start, end)
        self.context_only.update(ctx.tokens)
        return True

    def _party_state_tag(self, end: int, ctx: _Context) -> None:
        """ "Sen. Ted Cruz (R-Texas)": the state's country and the legislative sector."""
        offset = self.tokens[end - 1].end
        tag = _PARTY_STATE.match(self.text[offset : offset + 40])
        if tag is None:
            return
        state = tag.group(1).strip(" .")
        code = US_CODE if _us_state(state) else _place_country(self.kb, state)
        if code is None:
            return
        if code not in ctx.countries:
            ctx.countries.insert(0, code)
        ctx.sector = ctx.sector or "LEG"

    def _is_person(self, i: int) -> bool:
        owner = self.owner[i]
        return owner is not None and owner.type == "person"

    def _name_part(self, i: int, sent: int) -> bool:
        """Whether token ``i`` may continue a person's name that NER cut short."""
        tok = self.tokens[i]
        ent = self.entity_at[i]
        return (
            tok.pos == "PROPN"
            and tok.text[:1].isupper()
            and tok.sent == sent
            and self.owner[i] is None
            and (ent is None or ent.label == "PERSON")
            and self._title_at(i) is None
            and self.idx.named(tok.text) is None
        )

    def _kb_person(self, match: PersonMatch, ctx: _Context) -> _Draft:
        person, role = match.person, match.role
        reason = f"fuzzy:jw={match.score:.2f}" if match.method == "fuzzy" else match.method
        if ctx.given:
            reason += f"+context:{ctx.describe()}"
        confidence = {"exact-alias": 0.95, "normalised": 0.9}.get(
            match.method, min(0.9, match.score)
        )
        if role is not None and not role.active_on(self.day):
            confidence *= 0.85
            reason += "+role-not-current"
        draft = self._draft(
            ("person", person.id),
            name=person.name,
            type="person",
            kb_id=person.id,
            country=role.country if role else (ctx.countries[0] if ctx.countries else None),
            org=role.org if role else ctx.org,
            sector=role.sector if role else ctx.sector,
            role=role.role.casefold() if role else ctx.role,
            resolved=True,
            confidence=confidence,
            reason=reason,
        )
        if not draft.name_forms:
            for name in (person.name, *person.aliases):
                self._remember(draft, name_tokens(name))
        if ctx.role:
            # keep the article's wording too, so "the minister" finds a "foreign secretary"
            draft.role_words.add(ctx.role)
        return draft

    @staticmethod
    def _remember(draft: _Draft, words: Sequence[str]) -> None:
        if words:
            draft.name_forms.add(" ".join(words))
            if len(words) > 1 or not draft.surnames:
                draft.surnames.add(words[-1])

    def _plausible_name(self, start: int, end: int, words: list[str], ctx: _Context) -> bool:
        tokens = self.tokens[start:end]
        if any(not t.text[:1].isupper() for t in tokens if t.text[:1].isalpha()):
            return False
        if any(not w.isalpha() for w in words):
            return False
        if len(words) > 1:
            return not all(w in self.idx.name_words for w in words)
        word = words[0]
        if len(word) < 2 or word in CALENDAR_WORDS or word in self.idx.name_words:
            return False
        if self.kb.agent(word) is not None:
            return False
        sentence = self.parse.sentences[tokens[0].sent]
        first_word = tokens[0].i == sentence.tok_start or (
            tokens[0].i > sentence.tok_start
            and self.tokens[tokens[0].i - 1].pos == "PUNCT"
            and tokens[0].i - 1 == sentence.tok_start
        )
        return tokens[0].pos == "PROPN" and (not first_word or ctx.given)

    def _title_at(self, i: int) -> int | None:
        """Length of a title or honorific starting at token ``i`` (None when there is none)."""
        word = self.norm[i]
        if word in HONORIFICS or word in TITLE_ABBREVIATIONS:
            return 1
        term = self._agent_term_from(i)
        return term[1] - i if term else None

    # -- context -----------------------------------------------------------------------------

    def _context_tokens(self, start: int, end: int, root: int) -> list[int]:
        """Tokens around a name that may give its country, sector or role."""
        out: list[int] = []
        chunk = self._chunk_of.get(root)
        if chunk is not None:
            out.extend(range(chunk[0], start))
        else:
            i = start - 1
            while (i >= 0 and self.tokens[i].head in range(start, end)) or (
                i >= 0
                and self.tokens[i].dep in _MODIFIER_DEPS
                and self.tokens[i].sent == self.tokens[start].sent
                and self.tokens[i].head >= i
                and self.tokens[i].head < end
            ):
                out.insert(0, i)
                i -= 1
        # the role phrase written straight before the name ("American secretary of defense
        # <name>", which the parser often splits): nouns, adjectives, determiners and of/for
        i = start - 1
        sent = self.tokens[start].sent
        while i >= 0 and start - i <= 12:
            left = self.tokens[i]
            if left.sent != sent or self._is_person(i):
                break
            if left.pos in ("VERB", "AUX", "SCONJ", "PRON", "ADV", "CCONJ") or left.text in (
                ",",
                ";",
                ":",
            ):
                break
            if left.pos == "ADP" and left.text.casefold() not in ("of", "for"):
                break
            if left.pos == "PUNCT" and left.text not in ("-", "–"):
                break
            out.append(i)
            i -= 1
        # "American secretary of defense <name>": climb of/for phrases to the role noun
        tok = self.tokens[root]
        for _ in range(4):
            if tok.dep != "pobj" or self.tokens[tok.head].text.casefold() not in (
                "of",
                "for",
                "to",
            ):
                break
            governor = self.tokens[self.tokens[tok.head].head]
            span = self._chunk_of.get(governor.i)
            if span is None or governor.sent != tok.sent:
                break
            out.extend(range(span[0], min(span[1], start)))
            out.extend(range(span[1], min(tok.i, start)))
            tok = governor
        # "King Hassan of Morocco", "Hun Sen of Cambodia": a country named by "of" after the name
        for child in self.parse.children(root):
            if self.tokens[child].dep == "prep" and self.tokens[child].text.casefold() == "of":
                for obj in self.parse.children(child):
                    span = self._chunk_of.get(obj, (obj, obj + 1))
                    if self.tokens[obj].dep == "pobj" and self._country_span(*span):
                        out.extend(range(span[0], span[1]))
        tok = self.tokens[root]
        if tok.dep == "appos" and tok.head != root:
            span = self._chunk_of.get(tok.head)
            if span is not None:
                out.extend(range(span[0], span[1]))
        for child in self.parse.children(root):
            if self.tokens[child].dep == "appos":
                span = self._chunk_of.get(child)
                if span is not None:
                    out.extend(range(span[0], span[1]))
        return [i for i in out if not (start <= i < end)]

    def _country_span(self, start: int, end: int) -> bool:
        """Whether tokens ``[start, end)`` (a determiner aside) are a country's name."""
        start, end = self._trim(start, end)
        if start >= end:
            return False
        found = self.idx.named(self._span_text(start, end))
        return found is not None and found[0].kind == "country"

    def _context(self, indices: Iterable[int], head: int, own: Iterable[int] = ()) -> _Context:
        """Read nationality, organisation, possessor and role words from ``indices``."""
        ctx = _Context()
        order = sorted(set(indices) | set(own))
        ctx.tokens = [i for i in order if self.tokens[i].pos not in _SKIP_POS]
        i_pos = 0
        while i_pos < len(order):
            i = order[i_pos]
            tok = self.tokens[i]
            if tok.pos in _SKIP_POS and tok.tag != "POS":
                i_pos += 1
                continue
            owner = self.owner[i]
            if owner is not None and owner.type == "person" and self._is_possessor(i):
                ctx.possessor = owner
                i_pos += 1
                continue
            span_end = self._entity_end(i, order)
            if span_end is not None:
                named = self.idx.named(self._span_text(i, span_end))
                if named is not None:
                    self._apply_named(ctx, named[0])
                    i_pos += span_end - i
                    continue
            term = self._agent_term_from(i)
            if term is not None and all(j in order for j in range(i, term[1])):
                entry_term, stop = term
                agent = self.kb.agent(entry_term)
                if agent is not None:
                    if ctx.sector is None or ctx.sector == "GOV":
                        ctx.sector = agent.sector
                    role_words = self.norm[i:stop]
                    ctx.role = " ".join(w for w in role_words if w)
                i_pos += stop - i
                continue
            word = self.norm[i]
            if word in TITLE_ABBREVIATIONS:
                agent = self.kb.agent(TITLE_ABBREVIATIONS[word])
                if agent is not None:
                    ctx.sector = ctx.sector or agent.sector
                    ctx.role = TITLE_ABBREVIATIONS[word]
            elif tok.text[:1].isupper() and word not in HONORIFICS and i_pos + 1 < len(order):
                # an unknown capitalised word before a role ("Foreign" Minister) joins the role
                term = self._agent_term_from(order[i_pos + 1])
                if term is not None:
                    agent = self.kb.agent(term[0])
                    if agent is not None:
                        ctx.sector = agent.sector if ctx.sector in (None, "GOV") else ctx.sector
                        words = self.norm[i : term[1]]
                        ctx.role = " ".join(w for w in words if w)
                        i_pos += term[1] - i
                        continue
            i_pos += 1
        if ctx.possessor is not None:
            if not ctx.countries and ctx.possessor.country:
                ctx.countries.append(ctx.possessor.country)
            ctx.org = ctx.org or ctx.possessor.org
        return ctx

    def _is_possessor(self, i: int) -> bool:
        tok = self.tokens[i]
        if tok.dep == "poss":
            return True
        return any(
            self.tokens[c].tag == "POS" or self.tokens[c].dep == "case"
            for c in self.parse.children(i)
        )

    def _entity_end(self, i: int, order: Sequence[int]) -> int | None:
        """End of the name starting at token ``i`` (an entity, else the longest KB name)."""
        ent = self.entity_at[i]
        if ent is not None:
            end = ent.tok_end
            while end > i + 1 and self.tokens[end - 1].tag == "POS":
                end -= 1
            while end > i + 1 and (end - 1) not in order:
                end -= 1
            if self.idx.named(self._span_text(i, end)) is not None:
                return end
        limit = min(len(self.tokens), i + 4)
        for end in range(limit, i, -1):
            if all(j in order for j in range(i, end)) and self.idx.named(self._span_text(i, end)):
                return end
        return None

    def _apply_named(self, ctx: _Context, named: _Named) -> None:
        if named.kind in ("country", "capital", "metonym") and named.country:
            if named.country not in ctx.countries:
                ctx.countries.append(named.country)
            if named.kind == "metonym" and ctx.sector is None:
                ctx.sector = named.sector
        elif named.kind in ("organization", "metonym"):
            ctx.org = ctx.org or named.code
        elif named.kind == "group":
            ctx.group = ctx.group or self.kb.groups[named.code]
            if named.country and named.country not in ctx.countries:
                ctx.countries.append(named.country)

    def _agent_term_from(self, i: int) -> tuple[str, int] | None:
        """The longest agent-dictionary term starting at token ``i``: (term, end index)."""
        tokens = self.tokens
        if self.norm[i] not in self.idx.agent_first:
            return None
        sent = tokens[i].sent
        best: tuple[str, int] | None = None
        for size in range(1, self.idx.max_agent_words + 1):
            end = i + size
            if end > len(tokens) or tokens[end - 1].sent != sent:
                break
            words = self.norm[i:end]
            if not all(words):
                break
            for candidate in (" ".join(words), " ".join([*words[:-1], tokens[end - 1].lemma])):
                if self.kb.agent(candidate) is not None:
                    best = (candidate, end)
                    break
        return best

    def _agent_term_at(self, last: int) -> tuple[int, str] | None:
        """The longest agent term ending at token ``last``: (start index, term)."""
        tokens = self.tokens
        last_words = self.idx.agent_last
        if self.norm[last] not in last_words and tokens[last].lemma not in last_words:
            return None
        lo = max(0, last - self.idx.max_agent_words + 1)
        for start in range(lo, last + 1):
            if tokens[start].sent != tokens[last].sent:
                continue
            words = self.norm[start : last + 1]
            if not all(words):
                continue
            for candidate in (" ".join(words), " ".join([*words[:-1], tokens[last].lemma])):
                if self.kb.agent(candidate) is not None:
                    return start, candidate
        return None

    # -- noun phrases ------------------------------------------------------------------------

    def _phrase(self, number: int) -> None:
        chunk = self.parse.noun_chunks[number]
        root = chunk.root
        tok = self.tokens[root]
        if self.owner[root] is not None or root in self.context_only or tok.pos == "PRON":
            return
        term = self._agent_term_at(root)
        if term is None:
            if _norm_token(tok.lemma) in MEMBER_HEADS:
                self._member_phrase(chunk.tok_start, chunk.tok_end, root)
            else:
                self._nationality_modifiers(chunk.tok_start, root)
            return
        term_start, term_text = term
        if any(
            self._is_person(i) and not self._is_possessor(i)
            for i in range(chunk.tok_start, chunk.tok_end)
        ):
            return  # "President Vladimir Putin": the role belongs to the named person
        for linked in self._appositive_persons(root):
            self._mention(linked, chunk.tok_start, chunk.tok_end)
            return
        indices = list(range(chunk.tok_start, term_start))
        for child in self.parse.children(root):
            if self.tokens[child].dep == "prep" and self.tokens[child].text.casefold() in (
                "of",
                "from",
            ):
                for obj in self.parse.children(child):
                    if self.tokens[obj].dep == "pobj":
                        for member in self._conjuncts(obj):
                            span = self._chunk_of.get(member, (member, member + 1))
                            indices.extend(range(span[0], span[1]))
        ctx = self._context(indices, root)
        if not ctx.countries and not ctx.org and ctx.group is None:
            located = self._located_in(root, term_text)
            if located is not None:
                ctx.countries.append(located)
        if self._definite(chunk.tok_start, term_start, root, ctx):
            return
        countries = ctx.countries or [None]  # type: ignore[list-item]
        reason = "agent-dictionary" + ("+coordination" if len(countries) > 1 else "")
        for country in countries:
            one = _Context(
                countries=[country] if country else [],
                org=ctx.org,
                group=ctx.group,
                sector=ctx.sector,
                role=ctx.role,
                possessor=ctx.possessor,
            )
            start = chunk.tok_start
            if len(countries) > 1 and country is not None:
                start = self._modifier_start(chunk.tok_start, term_start, country)
            self._make_agent(one, (term_start, term_text), start, chunk.tok_end, reason)

    def _located_in(self, root: int, term: str) -> str | None:
        """The country of "<domestic agent> in <country or capital>" ("security forces in Guinea").

        Only agents that act inside their own country (:data:`DOMESTIC_SECTORS`) take the country
        of the place they are in; foreign troops or envoys in a country keep no country.
        """
        agent = self.kb.agent(term)
        if agent is None or agent.sector not in DOMESTIC_SECTORS:
            return None
        for child in self.parse.children(root):
            prep = self.tokens[child]
            if prep.dep != "prep" or prep.text.casefold() not in ("in", "inside", "across"):
                continue
            for obj in self.parse.children(child):
                if self.tokens[obj].dep != "pobj":
                    continue
                s, e = self._trim(*self._chunk_of.get(obj, (obj, obj + 1)))
                for start in range(s, e):
                    found = self.idx.named(self._span_text(start, e))
                    if found is not None and found[0].kind in ("country", "capital"):
                        return found[0].country
        return None

    def _nationality_modifiers(self, start: int, root: int) -> None:
        """A nationality adjective before a head that is no actor ("an Indian proposal", "Iraqi
        towns", "Iraqi Kurds") stands for its country, as in the CAMEO dictionaries."""
        i = start
        while i < root:
            tok = self.tokens[i]
            if (
                self.owner[i] is not None
                or i in self.context_only
                or not tok.text[:1].isupper()
                or tok.pos not in ("ADJ", "PROPN", "NOUN")
            ):
                i += 1
                continue
            found: tuple[_Named, str] | None = None
            end = i + 1
            for size in (3, 2, 1):  # "North Korean", "Sierra Leonean"
                if i + size <= root:
                    found = self.idx.named(self._span_text(i, i + size))
                    if found is not None:
                        end = i + size
                        break
            if found is None or found[0].kind != "country" or found[0].country is None:
                i += 1
                continue
            country = self.kb.countries[found[0].country]
            draft = self._draft(
                ("country", country.code, None),
                name=country.name,
                type="country",
                kb_id=country.code,
                country=country.code,
                resolved=True,
                confidence=0.7,
                reason="nationality-modifier",
            )
            self._mention(draft, i, end)
            i = end

    def _modifier_start(self, lo: int, hi: int, country: str) -> int:
        for i in range(lo, hi):
            named = self.idx.named(self.tokens[i].text)
            if named is not None and named[0].country == country:
                return i
        return lo

    def _make_agent(
        self, ctx: _Context, term: tuple[int, str], start: int, end: int, reason: str
    ) -> None:
        _term_start, term_text = term
        agent = self.kb.agent(term_text)
        if agent is None:
            return
        sector = agent.sector
        if ctx.sector and sector == "GOV" and ctx.sector != "GOV":
            sector = ctx.sector  # "military officials": the modifier says which officials
        elif ctx.group is not None and sector == "GOV":
            sector = ctx.group.sector  # "Taliban officials" speak for the group
        role = agent.term
        country = ctx.countries[0] if ctx.countries else None
        if ctx.group is not None:
            key: tuple[str | None, ...] = ("group", ctx.group.code, sector)
            draft = self._draft(
                key,
                name=self._phrase_name(start, end),
                type="group",
                kb_id=ctx.group.code,
                country=ctx.group.country,
                sector=sector,
                role=role,
                resolved=True,
                confidence=0.85,
                reason=f"{reason}:{ctx.group.code}",
            )
        else:
            key = ("agent", country, ctx.org, sector, role)
            detail = " ".join(p for p in (country or ctx.org or "", sector) if p)
            draft = self._draft(
                key,
                name=self._phrase_name(start, end),
                type="agent",
                country=country,
                org=ctx.org,
                sector=sector,
                role=role,
                resolved=bool(country or ctx.org),
                confidence=0.8 if (country or ctx.org) else 0.6,
                reason=f"{reason}:{detail}" if detail else reason,
            )
        self._mention(draft, start, end)

    def _phrase_name(self, start: int, end: int) -> str:
        while start < end - 1 and self.tokens[start].text.casefold() in _DETERMINERS:
            start += 1
        text = self._span_text(start, end)
        return text

    def _definite(self, start: int, term_start: int, root: int, ctx: _Context) -> bool:
        """Link "the prime minister" / "the minister" to the latest person (or agent) in that role."""
        tok = self.tokens[root]
        if self._plural(root) or ctx.possessor is not None or ctx.org or ctx.group:
            return False
        first = self.tokens[start]
        if first.text.casefold() != "the" or any(
            self.tokens[i].pos not in ("DET", "PUNCT", "ADJ", "PROPN", "NOUN")
            for i in range(start, term_start)
        ):
            return False
        head_word = _norm_token(tok.lemma or tok.text)
        term = self._agent_term_at(root)
        full = term[1] if term else head_word
        for position, draft in reversed(self.role_mentions):
            if position >= tok.start or draft.role is None:
                continue
            roles = [draft.role, *draft.role_words]
            if not any(full in r or head_word == r.split()[-1] for r in roles):
                continue
            if ctx.countries and draft.country not in ctx.countries:
                continue
            self._mention(draft, start, root + 1)
            return True
        return False

    def _plural(self, root: int) -> bool:
        """Whether the role noun at ``root`` is plural (the agent KB knows its plural form)."""
        term = self._agent_term_at(root)
        word = self.norm[root]
        entry = self.kb.agent(term[1]) if term else None
        if entry is not None:
            if entry.plural and word == _norm_token(entry.plural.split()[-1]):
                return True
            if entry.plural and word == _norm_token(entry.term.split()[-1]):
                return False
        return self.tokens[root].tag in ("NNS", "NNPS")

    def _appositive_persons(self, root: int) -> list[_Draft]:
        tok = self.tokens[root]
        out: list[_Draft] = []
        if tok.dep == "appos":
            owner = self.owner[tok.head]
            if owner is not None and owner.type == "person":
                out.append(owner)
        for child in self.parse.children(root):
            owner = self.owner[child]
            if self.tokens[child].dep == "appos" and owner is not None and owner.type == "person":
                out.append(owner)
        return out

    def _conjuncts(self, i: int) -> list[int]:
        """Token ``i`` and the heads conjoined to it ("Britain, France and Australia")."""
        out: list[int] = []
        stack = [i]
        while stack and len(out) < 50:
            j = stack.pop()
            out.append(j)
            stack.extend(c for c in self.parse.children(j) if self.tokens[c].dep == "conj")
        return sorted(set(out))

    def _member_phrase(self, start: int, end: int, root: int) -> None:
        """ "EU countries, including Ireland and Belgium": the org gets the phrase, members mentions."""
        org_draft: _Draft | None = None
        for i in range(start, root):
            owner = self.owner[i]
            if owner is not None and owner.type == "organization":
                org_draft = owner
        if org_draft is not None and org_draft.org is not None:
            self._mention(org_draft, start, end)
        governors = [root]
        tok = self.tokens[root]
        if tok.dep == "pobj" and self.tokens[tok.head].text.casefold() == "of":
            governors.append(self.tokens[tok.head].head)
        for governor in governors:
            for child in self.parse.children(governor):
                if (
                    self.tokens[child].text.casefold() not in LIST_MARKERS
                    and self.tokens[child].dep != "appos"
                ):
                    continue
                objects = (
                    [child]
                    if self.tokens[child].dep == "appos"
                    else [c for c in self.parse.subtree(child) if self.tokens[c].dep == "pobj"]
                )
                for obj in objects:
                    for member in self._conjuncts(obj):
                        self._member(member)

    def _member(self, i: int) -> None:
        if self.owner[i] is not None or self.tokens[i].pos not in ("PROPN", "NOUN"):
            return
        country = self.kb.country_by_name(self.tokens[i].text)
        if country is None:
            return
        draft = self._draft(
            ("country", country.code, None),
            name=country.name,
            type="country",
            kb_id=country.code,
            country=country.code,
            resolved=True,
            confidence=0.85,
            reason="member-expansion",
        )
        self._mention(draft, i, i + 1)

    # -- pronouns ----------------------------------------------------------------------------

    def _pronoun(self, i: int) -> None:
        tok = self.tokens[i]
        if self.owner[i] is not None:
            return
        sentence = tok.sent
        same = [m for m in self.person_mentions if m[0] < tok.start and m[1] == sentence]
        if same:
            self._mention(same[-1][3], i, i + 1)
            return
        for back in (1, 2):
            previous = [m for m in self.person_mentions if m[1] == sentence - back]
            if previous:
                subjects = [m for m in previous if m[2]]
                target = (subjects or previous)[-1][3]
                self._mention(target, i, i + 1)
                return


# ---------------------------------------------------------------------------------------------
# The stage
# ---------------------------------------------------------------------------------------------


@register_stage("eventwire.actors.resolver.v1", requires=("parse",), assigns=("actors",))
class ActorResolver(BaseStage):
    """Resolve the actors of each parsed article against the knowledge base.

    Args:
        settings: project settings; ``settings.actors_files`` adds user KB files.
        kb: a knowledge base to use instead of loading one (tests, embedding).
        on_error: ``"record"`` keeps going on a failing article, ``"raise"`` stops.
    """

    name = "actors"
    requires = ("parse",)
    assigns = ("actors",)

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        kb: KnowledgeBase | None = None,
        on_error: Literal["raise", "record"] = "record",
    ) -> None:
        super().__init__(on_error=settings.pipeline.on_error if settings else on_error)
        self.actor_files = list(settings.actors_files) if settings else []
        self._kb = kb
        self._idx: _Indexes | None = None

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base in use (loaded on first use)."""
        self._ensure_initialized()
        assert self._kb is not None
        return self._kb

    @property
    def persons(self) -> PersonMatcher:
        """The person matcher built from the KB."""
        self._ensure_initialized()
        assert self._idx is not None
        return self._idx.persons

    def initialize(self) -> None:
        if self._kb is None:
            self._kb = load_kb(self.actor_files)
        self._idx = _indexes_for(self._kb)
        from ..gazetteer import load_gazetteer

        load_gazetteer()  # dateline cities; cached per process and shared with the places stage
        LOGGER.info(
            "actor KB %s: %d countries, %d organisations, %d groups, %d persons, %d agent terms",
            self._kb.version,
            len(self._kb.countries),
            len(self._kb.organizations),
            len(self._kb.groups),
            len(self._kb.persons),
            len(self._kb.agents),
        )

    def process(self, article: Article) -> Article:
        """Fill ``article.actors`` from ``article.parse`` (no parse: no actors)."""
        self._ensure_initialized()
        assert self._idx is not None
        if article.parse is None:
            article.actors = []
            return article
        day = article.published.date() if article.published is not None else None
        article.actors = _ArticleRun(self._idx, article.text, article.parse, day).run()
        if self._kb is not None and day is not None:
            # a state that did not exist yet is coded as the state it split from ("Juba" in 2000)
            kb = self._kb
            article.actors = [
                a
                if a.country is None or kb.country_code_on(a.country, day) == a.country
                else a.model_copy(update={"country": kb.country_code_on(a.country, day)})
                for a in article.actors
            ]
        if self._kb is not None:
            article.versions["actors"] = self._kb.version
        return article
