"""The event coder: PLOVER and CAMEO events with modality and provenance.

For every sentence the coder looks up each verb and event noun in the pattern lexicon
(:mod:`eventwire.lexicons`), matches the pattern against the dependency parse (particle, required
preposition, object constraint, voice), and finds the arguments:

* **source** – the clause subject, following control and complement chains ("Britain, France and
  Australia have indicated that *they* were ready to send troops": *they* is the matrix subject),
  the agent of a passive ("was attacked by"), the head of a relative clause, the subject of a light
  verb ("*X* held talks with", "*X* imposed sanctions on") or of a modal cue verb ("*Japan*
  offered support"), a possessor or actor modifier of an event noun ("Russia's invasion", "the US
  suspension"), or, in reported speech, the speaker for "we"/"us";
* **target** – the dependent the pattern names (direct object, object of one of its prepositions,
  dative, possessor); failing that a country in a "to/in/into/against" phrase of the event clause,
  and failing that (for patterns that expect a target) the target of the previous event of the same
  PLOVER type in the article ("discourse"), each with lower confidence.

A violent act (PLOVER ASSAULT) whose only subject or agent is an instrument or incident ("a roadside
*bombing* killed", "killed by an explosive *device*"; word class ``ATTACK_INSTRUMENT``) gets an
unidentified source (no actor, no codes) with the victim as target. Missing targets are looked for
first inside the event phrase (a possessor, actor modifier or "of/by/from/against" object: "rejected
*North Korea's* demand", "an offer from *Afghanistan*"), then in location phrases; a person, body or
group may act on its own country ("extended the curfew in *Abidjan*"), a country not on itself.
Quantity nouns pass their "of" object to object constraints ("a *series* of bombs"), and "up to N" is
a quantifier, not a particle. A trigger whose object, subject or prepositional object is a noun of
sports, the arts or study (word class ``NONPOLITICAL``) is used in a non-political sense and codes
nothing ("directed the opera"); a violent verb whose object is an idea, policy or problem (word class
``ABSTRACT_OBJECTS``: "fighting poverty", "battling disclosures") is figurative and codes nothing.

Readings that news uses mostly in a non-event sense are held back: an event noun of word class
``PREP_BOUND_NOUNS`` codes only with its preposition or a light verb ("Clinton's *campaign*" is no
campaign *against* anyone); an appeal, offer or investigation without a coded object needs an actor it
is addressed to ("urged detaching the deficit", "offered his assessment"), and "seek to" is an
attempt, not an appeal; a telephone call needs a callee and no object predicate ("called Ohio one of
the most competitive states"); a visit needs a named place or an actor ("travels to contentious
waters", "came to a full stop"); a gathering takes no object ("assemble the votes").

Places and people: an unnamed actor of a domestic sector ("demonstrators", "police", "rebels") takes
the country of the place it acts in or is named with ("*Darfur* rebels", "refugees *fleeing* the war
in *Liberia*"); an unattributed attack takes the country of its place; a protest without addressee
is aimed at the country it is held in; places the actor KB does not know ("near the town of
Samarra") are looked up in the offline gazetteer. Troops that "arrive" deploy rather than visit
(peacekeepers: 074), personnel sent *to investigate* investigate (090), a complaint lodged with an
international body targets the party it is about, and a pattern may override the PLOVER type of
its code (resignations are RETREAT) or fire only without a direct object (``intransitive``).

Coordinated sources and targets give one dyadic event per pair, sharing a ``group`` id. Modality is
read from the cues on the path from the event to the root (:mod:`._events_modality`, cue lists in
``data/lexicon/modality.yaml``): a refused act becomes the CAMEO 12x code the ontology gives for
refusing it (``Ontology.refusal_code``), an intended/conditional act the 03x (or 13x for threats
of material conflict) code of ``Ontology.intent_code``. Verbs that only carried the modality
("refused", "agreed", "ready") do not add events of their own when they govern a coded act.

Events whose final CAMEO code has no PLOVER type (the statement codes 010-017, following the
ontology table's decision) are not emitted; neither are events whose source is not an actor of the
article, and refusals of acts that CAMEO has no refusal code for (refusing to attack is not an
event). Dates come from :mod:`eventwire.temporal` (the expression attached nearest to the event in
the tree; otherwise the publication day), locations from an "in/at <place>" phrase of the event
clause with the country looked up in the actor KB (coordinates are left to the places stage).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Literal

from ..config import Settings
from ..gazetteer import Gazetteer, load_gazetteer
from ..kb import KnowledgeBase, load_kb
from ..lexicons import CameoCode, Lexicon, Ontology, Pattern, load_lexicon, load_ontology
from ..lookup import MentionIndex
from ..model import (
    Actor,
    Article,
    Cameo,
    Event,
    EventArg,
    Location,
    Plover,
    Sentence,
    Span,
    StageErrorRecord,
)
from ..registry import register_stage
from ..temporal import find_date_expressions, resolve_date
from ._events_cues import ModalityCues, load_cues
from ._events_modality import ModalityReading, read_modality
from ._events_syntax import ArgActor, Syntax
from .base import BaseStage

LOGGER = logging.getLogger(__name__)

__all__ = ["EventCoder"]

#: confidence contributed by how an argument was found
_SOURCE_WEIGHT: dict[str, float] = {
    "direct": 0.22,
    "agent": 0.22,
    "possessor": 0.2,
    "modifier": 0.16,
    "relcl": 0.16,
    "appos": 0.16,
    "collective": 0.16,
    "control": 0.16,
    "light": 0.16,
    "cue": 0.15,
    "speaker": 0.1,
    "anaphor": 0.08,
    "context": 0.06,
    "instrument": 0.02,
}
_TARGET_WEIGHT: dict[str, float] = {
    "pattern": 0.12,
    "none": 0.12,
    "location": 0.05,
    "discourse": 0.0,
}
_LOCATION_PREPS = frozenset(
    {"to", "in", "into", "against", "for", "on", "toward", "towards", "with", "from"}
)
_PLACE_PREPS = frozenset({"in", "at", "near", "outside"})
#: prepositions of a fallback target that name where the event happens, not whom it concerns
_PLACE_TARGET_PREPS = frozenset({"in", "into", "for"})
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_TIME_LABELS = frozenset({"DATE", "TIME"})
_CLAUSE_DEPS = frozenset(
    {"ccomp", "xcomp", "advcl", "relcl", "acl", "conj", "csubj", "parataxis", "nsubj"}
)
_CONTEXT_PREPS = frozenset({"in", "into"})
#: prepositions whose object may show a trigger's non-political sense ("*in* the final")
_ALL_PREPS = frozenset({"in", "at", "during", "of", "for", "with", "against", "on", "to"})
#: prepositions inside an event phrase whose object may be the event's target ("an offer *from*
#: X", "calls *by* X", "the withdrawal *of* X's forces", "crimes *against* X")
_PHRASE_PREPS = frozenset({"of", "by", "from", "against"})
#: how many sentences back a missing target may be inherited from ("discourse")
_DISCOURSE_WINDOW = 1
#: dependencies of the leading words of a multiword event lemma
_MULTIWORD_DEPS = frozenset({"compound", "amod", "nmod", "npadvmod", "advmod"})
#: parts of speech that carry an event phrase's topic
_TOPIC_POS = frozenset({"NOUN", "PROPN", "ADJ", "VERB"})
#: the CAMEO act of a deployment for peace ("ready to send troops to help the ceasefire")
_PEACEKEEPING = "074"
#: verbs of flight whose origin places a refugee ("refugees *fleeing* the war in Liberia")
_FLIGHT_VERBS = frozenset({"flee", "escape", "leave"})
#: CAMEO roots whose missing target may be the country of the place they happen in
_PLACE_TARGET_ROOTS = frozenset({"14", "17", "18", "19", "20"})
#: the CAMEO act of personnel sent to investigate ("sent a team to Bosnia to investigate")
_INVESTIGATION = "090"
#: modal auxiliaries that turn a reported complement into an obligation ("said X must ...")
_DEONTIC_MODALS = frozenset({"must"})
#: prepositions whose event-noun object only dates the reported act ("since the invasion")
_BACKGROUND_PREPS = frozenset({"since", "after", "following", "before"})
#: id prefix of a country argument that is not one of the article's actors
_UNLISTED = "unlisted:"
#: id prefix of the unidentified source of an act done by an instrument ("a bomb killed ...")
_UNKNOWN = "unknown:"
#: CAMEO roots whose target may be the subject of a complement clause ("demanded that X ...",
#: "urged that X ...", "threatened that X would ...", "accused ... that X ...")
_COMPLEMENT_TARGET_ROOTS = frozenset({"02", "10", "11", "13"})
#: CAMEO codes of material violence, whose verbs have figurative uses with abstract objects
_VIOLENT_PREFIXES = ("171", "18", "19", "20")
#: CAMEO roots of cooperative acts whose negated intent ("will not accept") is a refusal (12x)
_REFUSABLE_ROOTS = frozenset({"03", "04", "05", "06", "07", "08"})
#: CAMEO roots of acts that ask another actor to act; the act asked for in their "that" clause is
#: content, not a reported event ("demanded that Israel *withdraw*")
_APPEAL_ROOTS = frozenset({"02", "10"})
#: sectors of unnamed actors that are local to where they act (see ``_ArticleCoder._placed``)
_LOCAL_SECTORS = frozenset(
    {"CVL", "OPP", "COP", "LAB", "REB", "EDU", "REL", "AGR", "HLH", "RAD", "SEP", "CRM", "UAF",
     "INS"}
)  # fmt: skip
#: stands in for a missing publication date; only expressions with a written year are resolved then
_NO_DATE = date(1970, 1, 1)


#: Words through which an event noun is predicated of the subject ("are active in talks", "took
#: part in the negotiations", "is involved in mediation").
_PARTICIPATION = frozenset(
    {"active", "engaged", "engage", "involved", "involve", "participate", "part", "role", "busy",
     "join"}
)  # fmt: skip


@dataclass(slots=True)
class _Candidate:
    pattern: Pattern
    kind: Literal["verb", "noun"]
    trigger: int
    anchor: int
    sources: list[ArgActor]
    source_how: str
    targets: list[ArgActor]
    target_how: str
    object_matched: bool
    governor: int | None = None
    reading: ModalityReading = field(default_factory=ModalityReading)
    code: str = ""
    #: the act when the context changes the pattern's code (a peacekeeping deployment)
    action: str = ""


@dataclass(slots=True)
class _Draft:
    sentence: int
    cand: _Candidate
    source: ArgActor
    target: ArgActor | None
    target_how: str
    confidence: float
    date: str | None
    location: Location | None
    group_key: tuple[int, int]


@register_stage("eventwire.events.coder.v1", requires=("parse", "actors"), assigns=("events",))
class EventCoder(BaseStage):
    """Code PLOVER/CAMEO events from the parse and the resolved actors (see the module doc)."""

    name = "events"
    requires = ("parse", "actors")
    assigns = ("events",)

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        lexicon: Lexicon | None = None,
        ontology: Ontology | None = None,
        cues: ModalityCues | None = None,
        kb: KnowledgeBase | None = None,
        gazetteer: Gazetteer | None = None,
        on_error: Literal["raise", "record"] = "record",
    ) -> None:
        super().__init__(on_error=settings.pipeline.on_error if settings else on_error)
        self._lexicon_files = list(settings.lexicon_files) if settings else []
        self._actor_files = list(settings.actors_files) if settings else []
        self._lexicon = lexicon
        self._ontology = ontology
        self._cues = cues
        self._kb = kb
        self._gazetteer = gazetteer
        self._inverse: dict[str, str] | None = None

    def initialize(self) -> None:
        if self._ontology is None:
            self._ontology = load_ontology()
        if self._lexicon is None:
            self._lexicon = load_lexicon(self._lexicon_files)
        if self._cues is None:
            self._cues = load_cues()
        if self._kb is None:
            self._kb = load_kb(self._actor_files)

    @property
    def lexicon(self) -> Lexicon:
        self._ensure_initialized()
        assert self._lexicon is not None
        return self._lexicon

    def _gaz(self) -> Gazetteer:
        """The offline gazetteer, loaded on first use (shared with the places stage): the country
        of an event location that the actor KB does not name ("near the town of Samarra")."""
        if self._gazetteer is None:
            self._gazetteer = load_gazetteer()
        return self._gazetteer

    def process(self, article: Article) -> Article:
        self._ensure_initialized()
        if article.parse is None or not article.parse.tokens:
            article.events = []
            return article
        assert self._lexicon is not None and self._ontology is not None
        assert self._cues is not None and self._kb is not None
        if self._inverse is None:
            self._inverse = refusal_inverse(self._ontology)
        coder = _ArticleCoder(
            article, self._lexicon, self._ontology, self._cues, self._kb, self._inverse, self._gaz
        )
        article.events = coder.run()
        article.versions["lexicon"] = self._lexicon.version
        article.versions["ontology"] = self._ontology.version
        return article


#: Longest sentence (in tokens) the coder reads; longer ones are skipped with a recorded reason.
MAX_SENTENCE_TOKENS = 300


class _ArticleCoder:
    """Codes one article; holds the per-article indices."""

    def __init__(
        self,
        article: Article,
        lexicon: Lexicon,
        ontology: Ontology,
        cues: ModalityCues,
        kb: KnowledgeBase,
        inverse: dict[str, str],
        gazetteer: Callable[[], Gazetteer] | None = None,
    ) -> None:
        assert article.parse is not None
        self.gazetteer = gazetteer
        self.article = article
        self.parse = article.parse
        self.lex = lexicon
        self.onto = ontology
        self.cues = cues
        self.kb = kb
        self.inverse = inverse
        self._repair_lemmas()
        self.syn = Syntax(self.parse, MentionIndex.for_article(article), cues)
        self.published = article.published.date() if article.published else None

    def _repair_lemmas(self) -> None:
        """Undo the small English model's "-ed" stripping of verbs ending in "e" ("staged" ->
        *stag*, "based" -> *bas*): a past or progressive verb form whose lemma the lexicon does not
        know, but knows with a final "e", gets that lemma (in the parse, so the later stages see
        it too)."""
        known = self.lex.for_lemma
        for t in self.parse.tokens:
            if (
                t.pos == "VERB"
                and t.tag in {"VBD", "VBN", "VBG"}
                and not t.lemma.endswith("e")
                and not known(t.lemma, "verb")
                and not self.lex.light_verb_nouns(t.lemma)
            ):
                fixed = t.lemma + "e"
                if known(fixed, "verb") or self.lex.light_verb_nouns(fixed):
                    t.lemma = fixed

    # -- driver ------------------------------------------------------------------------------

    def run(self) -> list[Event]:
        drafts: list[_Draft] = []
        for sent in self.parse.sentences:
            length = sent.tok_end - sent.tok_start
            if length > MAX_SENTENCE_TOKENS:
                # argument search is quadratic in sentence length; such "sentences" are tables,
                # lists or run-on garbage, not prose (a 5,000-token one took 10 s)
                self.article.errors.append(
                    StageErrorRecord(
                        stage="events",
                        reason=f"sentence {sent.index} of {length} tokens not coded "
                        f"(limit {MAX_SENTENCE_TOKENS})",
                    )
                )
                continue
            cands = self._sentence_candidates(sent)
            for cand in self._prune(cands):
                drafts.extend(self._drafts(sent, cand))
        self._discourse_targets(drafts)
        return self._finish([d for d in drafts if not self._bare_mention(d)])

    def _bare_mention(self, d: _Draft) -> bool:
        """Whether a draft is an event noun that news only mentions: one whose source is read from
        its possessor or modifier (or a pronoun or clause around it), not from a light or cue
        verb that predicates it, that has no target and no "of" or pattern-preposition
        complement ("the *IMF meetings* she has chaired", "*Downing Street talks* covered ...",
        "Saudi Arabia's diplomatic *missions*"). Such a phrase names a known or background event;
        a noun with its own complement ("Israel's destruction *of* homes", "Russia's invasion *of*
        Ukraine") or a verb predicating it ("held talks") reports the event."""
        cand = d.cand
        if cand.kind != "noun" or d.target is not None or cand.source_how in {"light", "cue"}:
            return False
        preps = ("of", *cand.pattern.preps)
        if self._prep_objects([cand.anchor], preps):
            return False
        return not self._predicated_of_sources(cand)

    def _predicated_of_sources(self, cand: _Candidate) -> bool:
        """Whether the event noun is predicated of its sources through a preposition: "Finland and
        Poland are active *in discussions*", "rebels took part *in talks*" (subject of the word the
        preposition hangs on = the sources) — an act of the subject, not a mention."""
        toks = self.parse.tokens
        noun = toks[cand.anchor]
        if noun.dep != "pobj" or noun.head == noun.i:
            return False
        gov = toks[toks[noun.head].head]
        participating = gov.lemma.lower() in _PARTICIPATION or (
            # "are active in talks": the preposition may hang on the copula
            gov.lemma == "be"
            and any(
                toks[k].lemma.lower() in _PARTICIPATION
                for k in self.syn.kids(gov.i, "acomp", "attr")
            )
        )
        if not participating:
            return False
        if gov.pos == "NOUN":  # "took part in", "played a role in": the verb's subject
            gov = toks[gov.head]
        subj, _ = self.syn.subject_of(gov.i)
        if subj is None:
            return False
        ids = {a.actor.id for a in cand.sources}
        return bool(ids & {a.actor.id for a in self.syn.actors_of(subj)})

    def _sentence_candidates(self, sent: Sentence) -> list[_Candidate]:
        out: list[_Candidate] = []
        toks = self.parse.tokens
        for i in range(sent.tok_start, sent.tok_end):
            t = toks[i]
            cand: _Candidate | None = None
            if t.pos == "VERB":
                cand = self._match_verb(i)
            elif t.pos in {"NOUN", "PROPN"} and not t.ent_type:
                cand = self._match_noun(i)
            if cand is None or self._nonpolitical(cand) or self._allegation_content(i):
                continue
            source_ids = {a.actor.id for a in cand.sources}

            def same_agent(w: int, ids: set[str] = source_ids) -> bool:
                subj, _ = self.syn.subject_of(w)
                if subj is None or not ids:
                    return True
                return bool({a.actor.id for a in self.syn.actors_of(subj)} & ids)

            if self._deployment(cand) and self._investigative_purpose(cand):
                cand.action = _INVESTIGATION
            elif cand.pattern.cameo[:2] == "15" and self._peaceful_deployment(cand):
                cand.action = _PEACEKEEPING
            elif cand.kind == "verb" and cand.pattern.cameo.startswith("042"):
                arrival = self._troop_arrival(cand)
                if arrival == "":
                    continue
                if arrival is not None:
                    cand.action = arrival
            cand.reading = read_modality(self.syn, cand.anchor, sent.text, same_agent)
            code = self._final_code(cand)
            if code is None:
                continue
            cand.code = code
            out.append(cand)
        return self._deontic_demands(sent, self._drop_demanded_content(out))

    def _drop_demanded_content(self, cands: list[_Candidate]) -> list[_Candidate]:
        """An act asked for in the "that" clause of an appeal or demand ("Egypt *demanded that*
        Israel abandon the settlements", "urged that the talks resume") is what the speaker wants,
        not a reported event: the appeal or demand (02x/10x, targeted at the clause's subject) is
        the event, and candidates inside the clause are dropped."""
        toks = self.parse.tokens
        inner: set[int] = set()
        for c in cands:
            if c.kind != "verb" or c.code[:2] not in _APPEAL_ROOTS:
                continue
            skip = self._attribution(c.trigger)
            for k in self.syn.kids(c.trigger, "ccomp"):
                if k in skip or not self.syn.kids(k, "nsubj", "nsubjpass"):
                    continue
                if toks[k].lemma in self.cues.speech_verbs:
                    continue
                inner.update(self.parse.subtree(k))
        if not inner:
            return cands
        return [c for c in cands if c.anchor not in inner]

    def _allegation_content(self, i: int) -> bool:
        """Is token ``i`` the charge of an accusation ("accused Japan *of violating* the truce",
        "blamed Kyiv *for* the attack", "charged him *with* treason")? The charge is what the
        accuser alleges, not an act the text reports, so it codes no event of its own."""
        toks = self.parse.tokens
        t = toks[i]
        if t.dep not in {"pcomp", "pobj"}:
            return False
        prep = t.head
        if toks[prep].dep != "prep" or toks[prep].lemma not in {"of", "for", "with", "over"}:
            return False
        g = toks[prep].head
        if toks[g].pos not in {"VERB", "AUX"} and toks[g].dep in {"dobj", "nsubjpass"}:
            g = toks[g].head  # "accused Japan of": the phrase may hang on the object
        return toks[g].pos in {"VERB", "AUX"} and self.lex.in_class("ALLEGATION", toks[g].lemma)

    def _nonpolitical(self, cand: _Candidate) -> bool:
        """Is the trigger used in a non-political sense? Rule: a verb whose direct object,
        subject, or prepositional object (one level down), or an event noun whose "of" object, is
        a noun of sports, the arts or study (word class ``NONPOLITICAL``) names no political event
        ("*directed* the opera", "*studied* engineering", "*beat* them in the final")."""
        syn = self.syn
        toks = self.parse.tokens
        heads: list[int] = []
        if cand.kind == "verb":
            heads += syn.kids(cand.trigger, "dobj", "nsubj", "nsubjpass", "attr")
            heads += self._prep_objects([cand.trigger], tuple(_ALL_PREPS))
        else:
            heads += self._prep_objects([cand.anchor], ("of", "in", "at", "during"))
        return any(
            self.lex.in_class("NONPOLITICAL", toks[c].lemma)
            for h in heads
            for c in syn.conjuncts(h)
        )

    def _deontic_demands(self, sent: Sentence, cands: list[_Candidate]) -> list[_Candidate]:
        """A reported obligation ("*Russia* said that *Sudan* must return the helicopter") laid on
        another actor is a demand (CAMEO 10x) by the speaker on the complement's subject; the
        demanded act itself is content, not an event, and is dropped. The demand's code is the
        10x analogue of the act's intent code (return -> 0353 -> 1053), else the generic 100."""
        syn = self.syn
        toks = self.parse.tokens
        inner: set[int] = set()
        demands: list[_Candidate] = []
        for v in range(sent.tok_start, sent.tok_end):
            if toks[v].dep not in {"ccomp", "acl"} or not any(
                toks[m].lemma in _DEONTIC_MODALS for m in syn.kids(v, "aux")
            ):
                continue
            head = toks[v].head
            if toks[head].pos in {"NOUN", "PROPN"} and toks[head].dep in {"dobj", "attr"}:
                speaker_of = toks[head].head  # "issued a stern reminder to Iraq that it must"
            elif toks[head].pos == "VERB" and toks[head].lemma in self.cues.speech_verbs:
                speaker_of = head
            else:
                continue
            if syn.kids(speaker_of, "neg"):
                continue
            src_tok, how = syn.subject_of(speaker_of)
            if src_tok is None:
                continue
            sources = [a for a in syn.actors_of(src_tok) if _codable(a)]
            src_ids = frozenset(a.actor.id for a in sources)
            src_countries = {a.actor.country for a in sources}
            targets = [
                a
                for s_tok in syn.kids(v, "nsubj", "nsubjpass")
                for a in syn.actors_of(s_tok, exclude_ids=src_ids)
                # an obligation on one's own forces ("their militants must remain") is no demand
                if (a.actor.country or a.actor.org)
                and (a.actor.country not in src_countries or a.actor.type == "person")
            ]
            if not sources or not targets:
                continue
            content = set(self.parse.subtree(v))
            for k in syn.kids(v, "advcl", "parataxis"):
                content -= set(self.parse.subtree(k))  # "when Russia attacks, NATO must ..."
            act = next((c for c in cands if c.anchor == v), None) or next(
                (c for c in cands if c.anchor in content), None
            )
            if act is None and toks[v].lemma == "be":
                continue  # "NATO must be ready": no demanded act
            code = "100"
            if act is not None:
                intent = self.onto.intent_code(act.pattern.cameo) or ""
                analogue = "10" + intent[2:]
                if intent.startswith("03") and self.onto.has(analogue):
                    code = analogue
            reading = read_modality(self.syn, speaker_of, sent.text, lambda _w: True)
            if reading.modality not in {"asserted", "intent"}:
                continue
            reading.modality = "asserted"
            reading.cues = [f"demand:{toks[head].lemma}+must"]
            inner.update(content)
            demands.append(
                _Candidate(
                    pattern=_demand_pattern(code),
                    kind="verb",
                    trigger=v,
                    anchor=speaker_of,
                    sources=sources,
                    source_how=how,
                    targets=targets,
                    target_how="pattern",
                    object_matched=False,
                    reading=reading,
                    code=code,
                )
            )
        if not demands:
            return cands
        return [c for c in cands if c.anchor not in inner] + demands

    def _deployment(self, cand: _Candidate) -> bool:
        """Is the candidate a sending of people: a show of force (15x) or a peacekeeping
        deployment (074)?"""
        code = cand.pattern.cameo
        return cand.kind == "verb" and (code[:2] == "15" or code == _PEACEKEEPING)

    def _investigative_purpose(self, cand: _Candidate) -> bool:
        """Personnel sent *to investigate*/*to monitor*/*to assess* something carry out an
        investigation (CAMEO 090) of the place they are sent to, not a deployment ("sent 21
        military and civilian personnel to Bosnia to investigate the feasibility of a force")."""
        toks = self.parse.tokens
        return any(
            self.syn.has_to(c) and self.lex.in_class("INVESTIGATE_PURPOSE", toks[c].lemma)
            for c in self.syn.kids(cand.trigger, "xcomp", "advcl")
        )

    def _troop_arrival(self, cand: _Candidate) -> str | None:
        """A visit verb ("arrived in") whose subject is a body of troops is a deployment, not a
        visit: peacekeepers arriving is peacekeeping (074), other troops (or refugees) arriving
        is no diplomatic visit at all (``""``: drop the reading). ``None`` for other subjects."""
        toks = self.parse.tokens
        if cand.sources and all(a.actor.sector == "REF" for a in cand.sources):
            return ""  # refugees arriving somewhere pay no visit
        subj, _ = self.syn.subject_of(cand.trigger)
        if subj is None:
            return None
        # "the first deployment *of* NATO peacekeeping troops", "a batch *of* troops"
        heads = [subj, *self._prep_objects([subj], ("of",))]
        if not any(
            self.lex.in_class("TROOPS", toks[h].lemma)
            or self.lex.in_class("PEACEKEEPERS", toks[h].lemma)
            for h in heads
        ):
            return None
        words = [toks[k].lemma for k in self.parse.subtree(subj)]
        if any(
            self.lex.in_class("PEACEKEEPERS", w) or self.lex.in_class("PEACE_CONTEXT", w)
            for w in words
        ):
            return _PEACEKEEPING
        return ""

    def _peaceful_deployment(self, cand: _Candidate) -> bool:
        """Troops sent *to help*/*to guarantee* a ceasefire, or *for/in/to a peacekeeping
        operation*, are peacekeeping (074), not a show of force; "into"/"against" phrases keep
        the military reading."""
        syn = self.syn
        toks = self.parse.tokens
        t = cand.trigger
        for c in syn.kids(t, "xcomp", "advcl"):
            if self.lex.in_class("PEACE_PURPOSE", toks[c].lemma):
                return True
        heads = [t, *syn.kids(t, "dobj")]
        for h in heads:
            for prep in syn.kids(h, "prep"):
                if toks[prep].lemma in {"into", "against", "on"}:
                    continue
                for k in self.parse.subtree(prep):
                    if toks[k].dep in _CLAUSE_DEPS:
                        break
                    if self.lex.in_class("PEACE_CONTEXT", toks[k].lemma):
                        return True
        return False

    # -- pattern matching --------------------------------------------------------------------

    def _quantifier_particles(self, v: int) -> list[int]:
        """Particles that are part of a quantifier, not of the verb: the small model parses "have
        kidnapped *up to* 16 advisers" as the particle "up" with a "to" phrase holding the
        object."""
        toks = self.parse.tokens
        return [
            k
            for k in self.syn.kids(v, "prt")
            if toks[k].lemma == "up"
            and k + 1 < len(toks)
            and toks[k + 1].lemma == "to"
            and toks[k + 1].dep == "prep"
            and toks[k + 1].head in {k, v}
        ]

    def _direct_objects(self, v: int, passive: bool) -> list[int]:
        """The direct object (the passive subject) of verb ``v``, or the object inside an "up to N"
        quantifier phrase."""
        syn = self.syn
        heads = syn.kids(v, "nsubjpass") if passive else syn.kids(v, "dobj")
        if heads or passive:
            return heads
        # "allowed the workers to enter": the small model makes the object the subject of a
        # "to" complement; it is the object of the main verb
        toks = self.parse.tokens
        for c in syn.kids(v, "ccomp"):
            if any(toks[a].lemma == "to" for a in syn.kids(c, "aux")):
                heads = syn.kids(c, "nsubj")
                if heads:
                    return heads
        # the "to" of "up to" hangs on the particle or on the verb
        return [o for q in self._quantifier_particles(v) for o in syn.kids(q + 1, "pobj")]

    def _objects(self, v: int, passive: bool) -> list[int]:
        syn = self.syn
        heads = self._direct_objects(v, passive)
        if not heads:
            heads = syn.kids(v, "acomp", "attr", "oprd")
        out: list[int] = []
        for h in heads:
            for c in syn.conjuncts(h):
                out.append(c)
                out.extend(self._quantified(c))
        return out

    def _quantified(self, o: int) -> list[int]:
        """The "of" objects of a quantity or part noun ("a *series* of bombs", "*part* of a
        stronghold", "*scores* of refugees"): the words the verb really acts on."""
        if not self.lex.in_class("QUANTITY", self.parse.tokens[o].lemma):
            return []
        return [c for h in self._prep_objects([o], ("of",)) for c in self.syn.conjuncts(h)]

    def _object_ok(self, p: Pattern, objs: list[int], v: int | None = None) -> bool:
        """Does the pattern's ``object`` constraint hold? It applies to the dependent that
        :meth:`Pattern.object_slot` names: the direct object (``objs``) or, for a pattern whose
        target is not its preposition's object, the object of one of its prepositions ("call
        *for* sanctions", "accuse X *of* corruption", "provide X *with* weapons")."""
        if p.object is None:
            return True
        if p.object_slot() == "prep" and v is not None:
            heads = [v, *self.syn.kids(v, "dobj")]
            objs = [c for o in self._prep_objects(heads, p.preps) for c in self.syn.conjuncts(o)]
            # "agree to a ceasefire" / "call for an end to the fighting": the gerund or noun
            # object may itself carry the constrained word one level down
            objs += [k for o in objs for k in self.syn.kids(o, "dobj", "pobj") if k not in objs]
        for o in objs:
            lemma = self.parse.tokens[o].lemma
            left = self._left_lemmas(o)
            if self._compound_names_other_act(p, lemma, left):
                continue
            if self.lex.object_matches(p, lemma, left):
                return True
            for c in self.syn.kids(o, "compound", "amod"):
                if self.lex.object_matches(p, self.parse.tokens[c].lemma):
                    return True
        return False

    def _compound_names_other_act(self, p: Pattern, head: str, left: list[str]) -> bool:
        """Whether the object's compound modifiers make it a multiword event noun of another
        CAMEO root than pattern ``p`` ("a *hunger* strike" is a protest, not an air strike; "*tear*
        gas" is riot control, not a chemical weapon): the lexicon's multiword entry wins over
        the bare head, unless the pattern lists the multiword lemma itself."""
        if not left:
            return False
        multi = [
            q
            for q in self.lex.for_phrase(head, left, "noun")
            if q.lemma.lower() != head.lower() and q.cameo[:2] != p.cameo[:2]
        ]
        if not multi:
            return False
        return not any(self.lex.object_matches(p, q.lemma) for q in multi)

    def _complex_particles(self, v: int) -> list[int]:
        """Particles that the parser attached as a preposition because "of" follows: in "forced
        the agency *out of* the country" and "pulled its troops *out of* Iraq" the small model
        makes "out" a preposition governing "of"; the verb is the phrasal "force out"."""
        toks = self.parse.tokens
        return [
            k
            for k in self.syn.kids(v, "prep")
            if toks[k].lemma == "out"
            and any(toks[o].lemma == "of" for o in self.syn.kids(k, "prep"))
        ]

    def _prep_objects(self, heads: list[int], preps: tuple[str, ...]) -> list[int]:
        """Objects of the prepositions ``preps`` attached to ``heads`` (or to a particle parsed
        as a preposition, see :meth:`_complex_particles`); a date or time ("on Monday") is not a
        prepositional argument."""
        toks = self.parse.tokens
        out: list[int] = []
        for h in heads:
            attached = self.syn.kids(h, "prep", "dative", "agent")
            if toks[h].pos == "VERB":
                attached += [
                    o for k in self._complex_particles(h) for o in self.syn.kids(k, "prep")
                ]
            for p in attached:
                if toks[p].lemma in preps:
                    for o in self.syn.kids(p, "pobj") or self._stranded_object(p):
                        if toks[o].ent_type not in _TIME_LABELS:
                            out.append(o)
        return out

    def _bare_datives(self, v: int) -> list[int]:
        """The indirect objects of verb ``v`` written without "to" ("gave *the Ivory Coast* 5
        million dollars"), with their coordinated members."""
        toks = self.parse.tokens
        return [
            c
            for d in self.syn.kids(v, "dative")
            if toks[d].pos != "ADP"
            for c in self.syn.conjuncts(d)
        ]

    def _stranded_object(self, p: int) -> list[int]:
        """The object of a preposition that the parser left without one because a participle
        follows it: in "granted asylum to five officers *holed up* in ..." the small model makes
        "officers" the subject of "holed" and leaves "to" empty. The subject of the clause that
        starts right after the preposition is its object."""
        toks = self.parse.tokens
        nxt = p + 1
        if nxt >= len(toks) or toks[nxt].sent != toks[p].sent:
            return []
        for k in range(nxt, min(len(toks), nxt + 8)):
            t = toks[k]
            if t.dep in {"nsubj", "nsubjpass"} and toks[t.head].dep in {
                "advcl",
                "relcl",
                "acl",
                "ccomp",
                "conj",
                "pcomp",
            }:
                if min(self.parse.subtree(k)) == nxt and toks[t.head].tag in {"VBN", "VBG", "VBD"}:
                    return [k]
                return []
        return []

    def _match_verb(self, v: int) -> _Candidate | None:
        syn = self.syn
        tok = self.parse.tokens[v]
        if tok.dep == "amod":
            return None  # a participle describing a noun ("starving civilians"), not an act
        if not self.lex.has_head(tok.lemma, "verb"):
            return None  # no event verb, whatever its particles and modifiers
        patterns = self.lex.for_phrase(tok.lemma, self._left_lemmas(v), "verb")
        if not patterns:
            return None
        passive = syn.is_passive(v)
        stative = self._stative_to_objects(v) if passive else []
        if stative:
            passive = False  # "Russia is opposed to mediation": Russia opposes mediation
        quantifiers = self._quantifier_particles(v)
        particles = {self.parse.tokens[k].lemma for k in syn.kids(v, "prt") if k not in quantifiers}
        particles |= {self.parse.tokens[k].lemma for k in self._complex_particles(v)}
        objs = stative or self._objects(v, passive)
        for p in patterns:
            if passive and not p.passive:
                continue
            if p.particle is not None and p.particle not in particles:
                continue
            if p.particle is None and particles:
                continue
            if not self._object_ok(p, objs, v):
                continue
            if p.intransitive and not passive and self._direct_objects(v, False):
                # the monadic reading of a verb with a transitive sense: "demonstrated in the
                # capital" is a protest, "demonstrated its resolve" is not
                continue
            targets_tok: list[int] = []
            if p.preps:
                # "launched artillery, mortar and rocket fire *against* X": the preposition may
                # hang on any member of a coordinated object
                objects = [c for o in syn.kids(v, "dobj") for c in syn.conjuncts(o)]
                targets_tok = self._prep_objects([v, *objects], p.preps)
                if "to" in p.preps:
                    # "gave the Ivory Coast aid (for projects)" = "gave aid to the Ivory Coast":
                    # the bare indirect object is the recipient, ahead of other preposition objects
                    targets_tok = self._bare_datives(v) + targets_tok
                if not targets_tok:
                    continue
            if p.target == "dobj":
                targets_tok = stative[:1] or self._direct_objects(v, passive)[:1]
            elif p.target == "iobj":
                targets_tok = (self._bare_datives(v) or self._prep_objects([v], ("to",)))[:1]
            elif p.target == "none":
                targets_tok = []
            if passive:
                agent = syn.passive_agent(v)
                src_tok, how = (agent, "agent") if agent is not None else (None, "none")
            elif stative:
                subj = syn.kids(v, "nsubjpass")
                src_tok, how = (subj[0], "direct") if subj else (None, "none")
            else:
                src_tok, how = syn.subject_of(v)
            sources = (
                [a for a in syn.actors_of(src_tok) if _codable(a)] if src_tok is not None else []
            )
            if how != "direct" and how != "agent":
                sources = [
                    ArgActor(s.actor, s.mention, s.token, how if s.how == "direct" else s.how)
                    for s in sources
                ]
            targets = self._targets(targets_tok, sources)
            if p.cameo.startswith("11") and any(
                t.actor.type != "country" and t.actor.org for t in targets
            ):
                # "complained *to the UN* over *Israeli* raids": a complaint lodged with a
                # forum is aimed at the party it is about
                targets = self._grievance_targets(v, sources) or targets
            if not self._verb_reading_ok(v, p, targets):
                continue
            if not sources and targets:
                sources = self._instrument_source(v, p, src_tok)
            return _Candidate(
                pattern=p,
                kind="verb",
                trigger=v,
                anchor=v,
                sources=sources,
                source_how=how,
                targets=targets,
                target_how="pattern" if targets else ("none" if p.target == "none" else ""),
                object_matched=p.object is not None,
            )
        return None

    def _grievance_targets(self, v: int, sources: list[ArgActor]) -> list[ArgActor]:
        """The party a complaint or criticism is about: an actor in an "about/over/against"
        phrase of verb ``v``, or named inside it ("over *Israeli* air raids", "about the
        attack by *Hamas*"). CAMEO codes a complaint's target as the party complained of; the
        international body it is addressed to is only the forum (see :meth:`_match_verb`)."""
        src_ids = {s.actor.id for s in sources}
        src_countries = {s.actor.country for s in sources if self._names_state(s)}
        phrases = self._prep_objects([v], ("about", "over", "against"))
        for o in phrases:
            found = [
                ArgActor(f.actor, f.mention, f.token, "pattern")
                for f in self.syn.actors_of(o)
                if _usable_fallback(f, src_ids, src_countries, any_type=True)
            ]
            if found:
                return found
        return self._actors_in_phrases(phrases, v, src_ids, src_countries, themes=set())

    def _stative_to_objects(self, v: int) -> list[int]:
        """The "to" objects of a stative passive that is active in meaning ("Russia *is opposed
        to* mediation"; lexicon class ``STATIVE_TO``), or the "in" objects of one of class
        ``STATIVE_IN`` ("the armies *were engaged in* talks"): they stand for the object, and the
        grammatical subject is the actor. Empty for other verbs."""
        lemma = self.parse.tokens[v].lemma
        if self.lex.in_class("STATIVE_TO", lemma):
            prep = "to"
        elif self.lex.in_class("STATIVE_IN", lemma):
            prep = "in"
        else:
            return []
        return [c for o in self._prep_objects([v], (prep,)) for c in self.syn.conjuncts(o)]

    def _instrument_source(self, v: int, p: Pattern, subject: int | None) -> list[ArgActor]:
        """An unidentified source for a violent act whose only agent is an instrument or an
        incident ("a roadside *bombing* killed a soldier", "were killed by an explosive *device*",
        "killed *in* a car *bombing*"): PLOVER codes the act with its victim as target and the
        attacker unknown. Only for acts of the ASSAULT type, and only with such a word in the
        subject, the passive agent or an "in"/"by" phrase of the verb."""
        if not self.onto.has(p.cameo) or self.onto.cameo(p.cameo).plover_type != "ASSAULT":
            return []
        toks = self.parse.tokens
        heads: list[int] = [] if subject is None else [subject]
        heads += [o for o in self._prep_objects([v], ("in", "by")) if o not in heads]
        for h in heads:
            for k in [h, *self.syn.kids(h, "compound")]:
                if self.lex.in_class("ATTACK_INSTRUMENT", toks[k].lemma):
                    if self.syn.index.at(toks[h].start) is not None:
                        break  # an actor after all ("by Israeli aircraft"): not unidentified
                    unknown = Actor(
                        id=_UNKNOWN + str(h), name=toks[h].text, type="agent", confidence=0.5
                    )
                    return [ArgActor(unknown, None, h, "instrument")]
        return []

    def _headline(self, i: int) -> bool:
        """Is token ``i`` in a title-case sentence (a headline), where common nouns are
        capitalised and often tagged as proper nouns?"""
        toks = self.parse.tokens
        sent = next(s for s in self.parse.sentences if s.tok_start <= i < s.tok_end)
        words = [t for t in toks[sent.tok_start : sent.tok_end] if t.text[:1].isalpha()]
        caps = sum(1 for t in words if t.text[:1].isupper())
        return len(words) >= 3 and caps / len(words) > 0.6

    def _left_lemmas(self, i: int) -> list[str]:
        """Lemmas of the words written immediately before ``i`` that attach to it (compounds,
        modifiers, hyphen parts), in text order: the leading parts of a multiword lemma ("hunger
        strike", "car bomb", "martial law", "de-escalate")."""
        toks = self.parse.tokens
        out: list[str] = []
        k = i - 1
        while k >= 0 and i - k <= 4:
            t = toks[k]
            if t.text == "-" or (t.head == i and t.dep in _MULTIWORD_DEPS):
                out.append(t.lemma if t.text != "-" else "-")
                k -= 1
                continue
            break
        return out[::-1]

    def _verb_reading_ok(self, v: int, p: Pattern, targets: list[ArgActor]) -> bool:
        """Readings a verb's frame rules out for a pattern without an object constraint:

        * a reporting verb with a clausal complement reports ("officials *acknowledged* that
          peace could only ...") rather than acts on someone;
        * a control verb with a verb complement and no actor object ("*helped* us prepare the
          tools", "*forced* the talks to end") lets the complement carry the event;
        * "call *for*" and similar patterns do not read "called the coalition *for* peace" (an
          object or object predicate means the preposition belongs to another frame)."""
        syn = self.syn
        if p.object is None:
            lemma = self.parse.tokens[v].lemma
            if (
                lemma in self.cues.speech_verbs
                and syn.kids(v, "ccomp")
                and not syn.kids(v, "dobj")
                and not p.cameo.startswith(("11", "12", "13"))  # "warned that", "denied that"
            ):
                return False
            if (
                p.target == "dobj"
                and not targets
                and syn.kids(v, "xcomp", "ccomp")
                and not self._is_cue_verb(v)
                and p.cameo[:2] not in _COMPLEMENT_TARGET_ROOTS
                and not p.cameo.startswith("12")
            ):
                # ("demanded that", "refused to", "threatened to" keep their own reading)
                return False
        if (
            p.object is None
            and p.cameo.startswith(_VIOLENT_PREFIXES)
            and any(
                self.lex.in_class("ABSTRACT_OBJECTS", self.parse.tokens[o].lemma)
                for o in syn.kids(v, "dobj", "nsubjpass")
            )
        ):
            # "fighting poverty", "battling damaging disclosures", "destroying the reputation of
            # this committee": a figurative use, not a violent act
            return False
        if p.preps and p.target == "none" and syn.kids(v, "oprd"):
            return False
        if p.cameo.startswith("04") and p.target == "dobj" and p.object is None:
            if syn.kids(v, "oprd", "acomp") or (p.cameo == "041" and syn.kids(v, "ccomp", "xcomp")):
                # "called the emails innocuous", "called Ohio one of the most competitive states":
                # a naming or judging frame, not a contact
                return False
            if p.cameo == "041" and not targets:
                # "called for her messages to be made public": a telephone call needs a callee
                return False
        if (
            p.cameo.startswith("042")
            and p.preps
            and not targets
            and not any(
                self.parse.tokens[o].ent_type in _PLACE_LABELS
                for o in self._prep_objects([v], p.preps)
            )
        ):
            # "travelled to contentious sea territories", "went on the record", "has come to a
            # full stop", "arrived in the form of": a visit is to a named place or an actor
            return False
        if (
            p.object is None
            and p.cameo.startswith("02")
            and not targets
            and syn.kids(v, "xcomp")
            and self.parse.tokens[v].lemma in self.cues.intent_verbs
        ):
            # "sought to blunt the attack", "a regime that seeks to follow": an attempt at an
            # act of one's own, not an appeal to anyone
            return False
        if (
            p.object is None
            and p.cameo.startswith(("02", "03", "09"))
            and not targets
            and not (p.cameo.startswith("03") and self._is_cue_verb(v))
        ):
            # an appeal, offer or investigation of the generic kind needs an actor it is
            # addressed to ("sought to blunt the attack", "she urged detaching the deficit",
            # "was studying in a school", "questioned the need"); the acts with a coded object
            # ("urged restraint", "probing corruption") have patterns of their own
            return False
        if (
            p.object is None
            and p.target == "dobj"
            and p.cameo.startswith("10")
            and not targets
            and not syn.kids(v, "dobj", "ccomp", "xcomp", "advcl", "nsubjpass")
        ):
            # "pushing back against candidates", "pushing for help from the private sector": a
            # generic demand verb with neither an addressee nor a demanded act is no demand (the
            # demanded things have patterns of their own: "push for reform")
            return False
        if (
            p.object is None
            and p.target in {"iobj", "none"}
            and p.cameo.startswith("03")
            and not targets
        ):
            objs = syn.kids(v, "dobj")
            if objs and not syn.kids(v, "xcomp"):
                # "offered his early assessment", "offering absurd explanations": giving an
                # opinion or a thing to nobody is no pledge
                return False
        if p.cameo.startswith("04") and p.target == "dobj" and p.object is None and not targets:
            # "received his diagnosis", "hosted the games": a visit needs a visitor
            for o in syn.kids(v, "dobj"):
                if self.parse.tokens[o].ent_type not in _PLACE_LABELS:
                    return False
        return not (p.object_slot() == "prep" and p.target == "none" and syn.kids(v, "dobj"))

    def _targets(self, heads: list[int], sources: list[ArgActor]) -> list[ArgActor]:
        src_ids = frozenset(s.actor.id for s in sources)
        out: list[ArgActor] = []
        for h in heads:
            out.extend(a for a in self.syn.actors_of(h, exclude_ids=src_ids) if _codable(a))
        return out

    def _background_reference(self, n: int) -> bool:
        """Whether event noun ``n`` only dates the reported act ("since last month's invasion",
        "following the killing of", "after the attack"): a background event, not news."""
        toks = self.parse.tokens
        tok = toks[n]
        head = toks[tok.head]
        if tok.dep == "pobj" and head.dep == "prep" and head.lemma in _BACKGROUND_PREPS:
            return True
        # "following" parsed as a participle with the event as its object
        return (
            tok.dep == "dobj" and head.text.lower() == "following" and head.dep in {"prep", "advcl"}
        )

    def _match_noun(self, n: int) -> _Candidate | None:
        syn = self.syn
        toks = self.parse.tokens
        tok = toks[n]
        if not self.lex.has_head(tok.lemma, "noun"):
            return None  # no event noun, whatever its modifiers
        if tok.pos == "PROPN" and tok.text[:1].isupper() and not self._headline(n):
            return None  # part of a name ("the Water Commission"), not an event noun
        if self._background_reference(n):
            return None
        patterns = self.lex.for_phrase(tok.lemma, self._left_lemmas(n), "noun")
        if not patterns:
            return None
        anchor = n
        if tok.dep == "compound":
            head = toks[tok.head]
            # the head noun is the event ("peace talks") unless its only reading is unconstrained
            # and the modifier names a more specific act ("peacekeeping operation/forces")
            head_patterns = self.lex.for_lemma(head.lemma, "noun")
            if head_patterns and any(p.object is not None for p in head_patterns):
                return None
            if not head_patterns and not self.lex.in_class("EVENT_HEADS", head.lemma):
                return None  # a modifier of a thing: "war crimes", "war zone", "strike force"
            anchor = tok.head
        elif any(
            toks[c].dep == "compound" and self.lex.for_lemma(toks[c].lemma, "noun")
            for c in self.syn.kids(n, "compound")
        ) and all(p.object is None for p in patterns):
            return None  # the compound modifier carries the event (see above)
        of_objs = self._prep_objects([anchor], ("of",))
        in_mention = syn.index.at(tok.start) is not None
        mods = syn.kids(anchor, "compound", "amod")
        governor = toks[anchor].head if toks[anchor].head != anchor else None
        patterns = self._possessor_reading(anchor, patterns, of_objs)
        patterns = self._prep_order(anchor, of_objs, governor, patterns)
        for p in patterns:
            if p.object is not None:
                lemmas = [toks[o].lemma for o in of_objs] + [toks[m].lemma for m in mods if m != n]
                if not any(self.lex.object_matches(p, lem) for lem in lemmas):
                    continue
            sources, how = self._noun_source(anchor, p, governor)
            if (
                how != "light"
                and self.lex.in_class("PREP_BOUND_NOUNS", toks[anchor].lemma)
                and not (p.preps and self._prep_objects([anchor, *of_objs], p.preps))
            ):
                # "Clinton's campaign", "in Pakistan's case", "Clinton's support has shrunk": a
                # noun whose everyday sense is no event codes only with its preposition ("campaign
                # *against*") or a light verb ("launched a campaign")
                continue
            if in_mention and how != "light":
                # the noun names an actor ("Serb forces", "invasion forces", "nuclear missiles",
                # "the war crimes court"), not an act, unless a light verb makes it one
                continue
            targets_tok: list[int] = []
            if p.target == "poss":
                targets_tok = syn.kids(anchor, "poss")
            elif p.target in {"pobj", "dobj", "iobj"} and p.preps:
                # "suspension of aid to Kyiv": the preposition may hang on the object of "of"
                targets_tok = self._prep_objects([anchor, *of_objs], p.preps)
                if not targets_tok and governor is not None and toks[anchor].dep == "dobj":
                    targets_tok = self._prep_objects([governor], p.preps)
                if not targets_tok and governor is not None and toks[anchor].dep == "dobj":
                    targets_tok = syn.kids(governor, "dative")
            targets = self._targets(targets_tok, sources)
            return _Candidate(
                pattern=p,
                kind="noun",
                trigger=n,
                anchor=anchor,
                sources=sources,
                source_how=how,
                targets=targets,
                target_how="pattern" if targets else ("none" if p.target == "none" else ""),
                object_matched=p.object is not None,
                governor=governor,
            )
        return None

    def _prep_order(
        self, anchor: int, of_objs: list[int], governor: int | None, patterns: list[Pattern]
    ) -> list[Pattern]:
        """Order the readings of an event noun by its prepositions: a reading whose preposition the
        noun has comes first, then the readings without one, and a reading whose preposition is
        missing last ("killed in ethnic *riots*" is the bare riot, not a riot *against* someone).
        A ``target: pobj`` reading without its preposition (nor the governing light verb's) is
        dropped when the noun has a bare reading."""
        toks = self.parse.tokens
        heads = [anchor, *of_objs]
        if governor is not None and toks[anchor].dep == "dobj":
            heads.append(governor)
        has_prep = {toks[p].lemma for h in heads for p in self.syn.kids(h, "prep", "dative")}
        present = [p for p in patterns if p.preps and set(p.preps) & has_prep]
        bare = [p for p in patterns if not p.preps]
        missing = [p for p in patterns if p.preps and not set(p.preps) & has_prep]
        if bare:
            missing = [p for p in missing if p.target != "pobj"]
        return present + bare + missing

    def _possessor_reading(
        self, n: int, patterns: list[Pattern], of_objs: list[int]
    ) -> list[Pattern]:
        """Order the readings of event noun ``n`` by the role of its possessor.

        The rule: a possessor is the *victim* (target) of a noun with a ``target: poss`` reading
        when the noun has no "of" object ("*Navalny's* killing", "advocates *Israel's*
        destruction"); with an "of" object the possessor is the agent ("*Israel's* destruction of
        homes"), and the possessor of a noun without such a reading is always the agent
        ("*Russia's* invasion of Ukraine"). So without an "of" object the ``target: poss``
        readings come first, and with one they are dropped."""
        poss = [p for p in patterns if p.target == "poss"]
        if not poss:
            return patterns
        others = [p for p in patterns if p.target != "poss"]
        if of_objs:
            return others
        if not self.syn.kids(n, "poss"):
            return others + poss
        return poss + others

    def _protesters_of_place(self, p: Pattern, arg: ArgActor) -> ArgActor:
        """A place that modifies a protest noun ("*Baghdad* riots", "*Iraq's* protests") says where
        the protest is, not who protests: the source is the unnamed protesters of that country
        (sector CVL, country from the place). Other nouns and actors are returned unchanged."""
        tok = self.parse.tokens[arg.token]
        if (
            p.cameo[:2] != "14"
            or tok.ent_type not in _PLACE_LABELS
            or arg.actor.type != "country"
            or arg.actor.country is None
        ):
            return arg
        crowd = Actor(
            id=_UNKNOWN + str(arg.token),
            name=arg.actor.name,
            type="agent",
            country=arg.actor.country,
            sector="CVL",
            confidence=0.5,
        )
        return ArgActor(crowd, arg.mention, arg.token, arg.how)

    def _is_cue_verb(self, g: int) -> bool:
        cues = self.cues
        phrase = self.syn.phrase_lemma(g)
        lemma = self.parse.tokens[g].lemma
        return any(
            phrase in s or lemma in s
            for s in (
                cues.intent_verbs,
                cues.refusal_verbs,
                cues.conditional_verbs,
                cues.negating_verbs,
            )
        )

    def _noun_source(self, n: int, p: Pattern, governor: int | None) -> tuple[list[ArgActor], str]:
        syn = self.syn
        toks = self.parse.tokens
        if p.target != "poss":
            for poss in syn.kids(n, "poss"):
                found = syn.actors_of(poss)
                found = [self._protesters_of_place(p, a) for a in found if _codable(a)]
                if found:
                    return found, "possessor"
        for m in syn.kids(n, "compound", "amod", "nmod"):
            hit = syn.index.at(toks[m].start)
            if hit is not None and _codable_actor(hit[0]):
                arg = ArgActor(hit[0], hit[1], m, "modifier")
                return [self._protesters_of_place(p, arg)], "modifier"
            for k in syn.kids(m, "compound", "poss"):
                hit = syn.index.at(toks[k].start)
                if hit is not None and _codable_actor(hit[0]):
                    return [ArgActor(hit[0], hit[1], k, "modifier")], "modifier"
        if governor is None:
            return [], "none"
        g = toks[governor]
        dep = toks[n].dep
        how = ""
        subj_of: int | None = None
        if dep == "attr" and any(
            toks[k].lemma in self.cues.intent_nouns for k in syn.kids(governor, "nsubj")
        ):
            # "the next steps were more sanctions": the plan is the speaker's (the clause above)
            h = g.head
            if h != governor and toks[h].pos in {"VERB", "AUX"}:
                subj_of, how = h, "cue"
        elif dep in {"dobj", "attr", "oprd"} and g.pos in {"VERB", "AUX"}:
            if g.lemma in p.light_verbs or p in self.lex.light_verb_nouns(g.lemma):
                subj_of, how = governor, "light"
            elif self._is_cue_verb(governor):
                subj_of, how = governor, "cue"
        elif dep == "pobj" and g.lemma in _CONTEXT_PREPS:
            h = toks[governor].head
            if toks[h].pos in {"VERB", "AUX", "ADJ"} and (
                not syn.is_passive(h) or self.lex.in_class("STATIVE_IN", toks[h].lemma)
            ):
                # "took part in talks", "were engaged in heavy fighting" (a stative passive whose
                # subject is the actor): the subject takes part; "were killed in riots" says
                # nothing of who rioted
                subj_of, how = h, "context"
        if subj_of is None:
            return [], "none"
        s, _ = syn.subject_of(subj_of)
        if s is None:
            return [], "none"
        found = [a for a in syn.actors_of(s) if _codable(a)]
        return [
            ArgActor(f.actor, f.mention, f.token, how if f.how == "direct" else f.how)
            for f in found
        ], how

    # -- codes -------------------------------------------------------------------------------

    def _final_code(self, cand: _Candidate) -> str | None:
        action = cand.action or cand.pattern.cameo
        r = cand.reading
        code: str | None
        trig_neg = bool(self.syn.kids(cand.trigger, "neg"))
        phrase = self.syn.phrase_lemma(cand.trigger)
        if action.startswith("12") and trig_neg and phrase in self.cues.conditional_when_negated:
            # "did not rule out X": an option kept open -> the 03x intent whose refusal this is
            code = self._intent_for_refusal(action)
            r.modality = "conditional"
            r.cues.append(f"cond:not-{phrase}")
        elif r.refusal:
            code = self.onto.refusal_code(action) if not action.startswith("12") else action
        elif r.negated_intent and action[:2] in _REFUSABLE_ROOTS:
            # "will not accept refugees", "said it would not meet the demands": declining to do a
            # cooperative act is rejecting it (CAMEO 12x); a conflictual act that is not done
            # ("will not attack") has no such code and stays negated
            code = self.onto.refusal_code(action)
            if code is not None:
                r.modality = "asserted"
                r.refusal = True
                r.cues.append("refuse:negated")
            else:
                code = action
        elif (
            r.intent
            or r.conditional_cue
            or (r.modality == "conditional" and not action.startswith("03"))
        ):
            code = self.onto.intent_code(action) or action
        else:
            code = action
        if code is None or not self.onto.has(code):
            return None
        if self.onto.cameo(code).plover_type is None:
            return None
        if r.modality == "asserted" and code.startswith("03"):
            r.modality = "intent"
        return code

    def _intent_for_refusal(self, refusal: str) -> str | None:
        """The most specific 03x code whose refusal is ``refusal`` (or a parent of it)."""
        code = refusal
        while len(code) >= 2:
            found = self._refusal_inverse().get(code)
            if found is not None:
                return found
            code = code[:-1]
        return None

    def _refusal_inverse(self) -> dict[str, str]:
        return self.inverse

    # -- pruning -----------------------------------------------------------------------------

    def _prune(self, cands: list[_Candidate]) -> list[_Candidate]:
        """Drop duplicates of one act: a verb pattern that already names its object ("rule out
        peacekeepers", "impose sanctions") wins over the object noun's own pattern, a light verb
        without such a pattern gives way to its noun, and verbs that only carried the modality of
        a coded act ("refused", "agreed to", "ready") give way to that act."""
        with_source = [c for c in cands if c.sources]
        by_anchor = {c.anchor: c for c in with_source if c.kind == "noun"}
        drop: set[int] = set()
        for c in with_source:
            if c.kind != "verb":
                continue
            objs = set(self.syn.kids(c.trigger, "dobj")) | set(
                self.syn.kids(c.trigger, "nsubjpass")
            )
            for o in objs:
                noun = by_anchor.get(o)
                if noun is None:
                    continue
                drop.add(id(noun) if c.object_matched else id(c))
        rest = [c for c in with_source if id(c) not in drop]
        wrappers = {w for c in rest for w in c.reading.wrappers}
        return [c for c in rest if not (c.kind == "verb" and c.trigger in wrappers)]

    # -- drafts ------------------------------------------------------------------------------

    def _fallback_targets(self, cand: _Candidate) -> list[ArgActor]:
        """A target for an event whose pattern found none, in order of reliability: an actor
        object of a monadic verb; the subject of a demanded/threatened complement ("demanded that
        *Israel* ease"); an actor or country in a "to/against/with/in..." phrase of the event
        clause ("arrived in *Amman*"); an actor or nationality inside the event phrase ("rejected
        an *Indian* proposal", "*Saddam Hussein's* proposal")."""
        syn = self.syn
        toks = self.parse.tokens
        src_ids = {s.actor.id for s in cand.sources}
        # a state acting on itself is no event ("Russia ... Russian assets"), but a person, body,
        # group or the people of a country may act on their own country ("Gbagbo extended the
        # curfew in *Abidjan*", "Iraqi Kurds calling for independence from *Iraq*")
        src_countries = {s.actor.country for s in cand.sources if self._names_state(s)}
        roots = [cand.anchor] + (
            [cand.governor]
            if cand.governor is not None and cand.source_how in {"light", "cue"}
            else []
        )
        excluded: set[int] = set()
        for r in roots:
            for s in syn.kids(r, "nsubj", "nsubjpass"):
                excluded.update(self.parse.subtree(s))
            excluded |= self._attribution(r)
        if cand.kind == "verb" and cand.pattern.object is None:
            # a monadic pattern whose verb still has an actor as object (unless the pattern's
            # object constraint already read that object as the thing acted on)
            for o in syn.kids(cand.trigger, "dobj", "dative"):
                for f in syn.actors_of(o):
                    if (f.actor.country or f.actor.org) and f.actor.id not in src_ids:
                        return [ArgActor(f.actor, f.mention, f.token, "location")]
        if cand.code[:2] in _COMPLEMENT_TARGET_ROOTS:
            found = self._complement_subjects(cand.anchor, src_ids)
            if found:
                return found
        if cand.code[:2] == "13":
            found = self._condition_subjects(cand, src_ids)
            if found:
                return found
        found = self._phrase_actors(cand, src_ids, src_countries)
        if found:
            return found
        if cand.code[:2] == "14":
            # a protest is aimed at whom its purpose names: "staged demonstrations to demand
            # reforms by *Suharto's government*", "a hunger strike to protest *Assad's* failure"
            purposes = [
                o
                for c in syn.kids(cand.anchor, "advcl", "xcomp")
                if syn.has_to(c) or toks[c].tag == "VBG"
                for o in syn.kids(c, "dobj")
            ]
            for o in purposes:
                found = [
                    ArgActor(f.actor, f.mention, f.token, "location")
                    for f in syn.actors_of(o)
                    if _usable_fallback(f, src_ids, src_countries, any_type=True)
                ]
                if found:
                    return found
            found = self._actors_in_phrases(purposes, -1, src_ids, src_countries, themes=set())
            if found:
                return found
        places = cand.code[:2] in _PLACE_TARGET_ROOTS
        found = self._clause_actors(roots, excluded, src_ids, src_countries, places=places)
        if found or cand.code[:2] != "14":
            return found
        found = self._grievance_targets(cand.anchor, cand.sources)
        if found:
            # "a strike *over* a bill signed by the *Labour Minister*"
            return [ArgActor(f.actor, f.mention, f.token, "location") for f in found]
        # a protest with no addressee is aimed at the authorities of the place it is held in
        # ("demonstrated in the northern city of Kirkuk")
        loc = self._location(cand)
        if loc is None or loc.country is None or loc.country in src_countries:
            return []
        arg = self._country_code_arg(loc.country, cand.anchor)
        return [arg] if arg is not None else []

    def _names_state(self, arg: ArgActor) -> bool:
        """Whether a source is a state itself ("Russia", "the US"), not a people ("Iraqi Kurds",
        "Algerians") or a body of it."""
        if arg.actor.type != "country" or arg.how in {"modifier", "collective"}:
            return False
        return self.parse.tokens[arg.token].ent_type != "NORP"

    def _clause_actors(
        self,
        roots: list[int],
        excluded: set[int],
        src_ids: set[str],
        src_countries: set[str | None],
        *,
        places: bool = False,
    ) -> list[ArgActor]:
        """An actor in a prepositional phrase of the event clause. An actor the event is done to,
        with or against ("to/against/with/from/on/toward *X*") comes first; a place the event
        happens in ("in/into/for *X*", or a country named by a place) only after it: "blocked
        streets in Hong Kong in defiance of *Chinese authorities*". Within a rank, text order.
        With ``places`` (protests and material conflict, which CAMEO codes against the country
        where they happen) a town the actor KB does not know is looked up in the gazetteer
        ("fired shells at targets in *Jericho*")."""
        syn = self.syn
        toks = self.parse.tokens
        best: tuple[int, int, ArgActor] | None = None
        for r in roots:
            for k in self.parse.subtree(r):
                t = toks[k]
                if (
                    k in excluded
                    or t.dep != "pobj"
                    or toks[t.head].lemma not in _LOCATION_PREPS
                    or t.ent_type in _TIME_LABELS
                ):
                    continue
                place_prep = toks[t.head].lemma in _PLACE_TARGET_PREPS
                for f in syn.actors_of(k):
                    if not _usable_fallback(f, src_ids, src_countries, any_type=True):
                        continue
                    # a body or group in a place phrase ("the mandate for the force in Lebanon")
                    # is less likely the target than the place's country
                    rank = (2 if f.actor.type != "country" else 1) if place_prep else 0
                    if best is None or (rank, k) < best[:2]:
                        best = (rank, k, ArgActor(f.actor, f.mention, f.token, "location"))
                    break
                if syn.index.at(t.start) is None:
                    for m in [k, *syn.kids(k, "amod", "compound", "appos")]:
                        arg = self._country_arg(m)
                        if arg is not None and arg.actor.country not in src_countries:
                            if best is None or (1, k) < best[:2]:
                                best = (1, k, arg)
                            break
                    else:
                        if places and (best is None or (1, k) < best[:2]):
                            loc = self._place(k)
                            if loc is not None and loc.country and loc.country not in src_countries:
                                arg = self._country_code_arg(loc.country, k)
                                if arg is not None:
                                    best = (1, k, arg)
        return [best[2]] if best is not None else []

    def _condition_subjects(self, cand: _Candidate, src_ids: set[str]) -> list[ArgActor]:
        """The actor a threat is made against: the subject of its condition ("threatened to stop
        the talks *if the United States* goes ahead", "... a strike *unless Israel* rescinded")."""
        toks = self.parse.tokens
        out: list[ArgActor] = []
        complements = self.syn.kids(cand.anchor, "xcomp", "ccomp")
        for n in dict.fromkeys([cand.anchor, *complements, *cand.reading.path]):
            for c in self.syn.kids(n, "advcl"):
                marks = [m for m in self.syn.kids(c, "mark") if toks[m].lemma in {"if", "unless"}]
                if not marks:
                    continue
                for s in self.syn.kids(c, "nsubj", "nsubjpass"):
                    if min(self.parse.subtree(s)) != marks[0] + 1:
                        continue  # a misparse: the condition's subject follows "if" directly
                    out.extend(
                        ArgActor(a.actor, a.mention, a.token, "location")
                        for a in self.syn.actors_of(s, exclude_ids=frozenset(src_ids))
                        if a.actor.country or a.actor.org
                    )
            if out:
                return out
        return out

    def _phrase_actors(
        self, cand: _Candidate, src_ids: set[str], src_countries: set[str | None]
    ) -> list[ArgActor]:
        """An actor named inside the event phrase (the event noun, or the verb's object), in text
        order: a possessor or actor modifier ("rejected *North Korea's* demand", "rejected a *UN*
        appeal", "sanctions and the seizure of *Russian* assets", "denounced *Serbia's*
        suppression of ...": the agent of an act is its target) or the object of an "of", "by",
        "from" or "against" phrase ("an offer from *Afghanistan*", "calls by *Kofi Annan*",
        "crimes committed by *Croat forces*")."""
        syn = self.syn
        toks = self.parse.tokens
        if cand.kind == "noun":
            roots = [cand.anchor]
        else:
            v = cand.trigger
            roots = syn.kids(v, "dobj")
            if syn.is_passive(v):
                roots += syn.kids(v, "nsubjpass")  # "a camp for Congolese refugees was attacked"
            # a heavy object after an "as" phrase: "denounced as a crime Serbia's suppression"
            roots += [
                a
                for p in syn.kids(v, "prep")
                if toks[p].lemma == "as"
                for o in syn.kids(p, "pobj")
                for a in syn.kids(o, "appos")
            ]
        themes = {c for r in roots for c in syn.conjuncts(r)} if cand.kind == "verb" else set()
        return self._actors_in_phrases(roots, cand.trigger, src_ids, src_countries, themes)

    def _actors_in_phrases(
        self,
        roots: list[int],
        trigger: int,
        src_ids: set[str],
        src_countries: set[str | None],
        themes: set[int],
    ) -> list[ArgActor]:
        """The first actor (text order) inside the phrases ``roots``: a possessor or actor
        modifier, or the object of an "of/by/from/against" phrase. Actors that are the phrase
        heads ``themes`` themselves count only as states (see :meth:`_phrase_actors`)."""
        syn = self.syn
        toks = self.parse.tokens
        for root in roots:
            for k in self.parse.subtree(root):
                if k == trigger:
                    continue
                t = toks[k]
                if t.dep in {"amod", "compound", "poss"}:
                    mod = self._modifier_actor(k)
                    if mod is None:
                        continue
                    # the object itself ("withdraw *humanitarian workers* from Iraq") is the
                    # thing acted on, not the target; an actor named by a modifier or inside a
                    # phrase of it is ("a *UN* appeal", "a camp for *Congolese* refugees")
                    head = toks[t.head]
                    theme = (
                        t.head in themes
                        and mod.mention is not None
                        and mod.mention.start <= head.start < mod.mention.end
                    )
                    if _usable_fallback(
                        mod, src_ids, src_countries, any_type=t.dep == "poss" or not theme
                    ):
                        return [mod]
                elif t.dep == "pobj" and toks[t.head].lemma in _PHRASE_PREPS:
                    found = [
                        ArgActor(f.actor, f.mention, f.token, "location")
                        for f in syn.actors_of(k)
                        if _usable_fallback(f, src_ids, src_countries, any_type=True)
                    ]
                    if found:
                        return found
        return []

    def _attribution(self, root: int) -> set[int]:
        """Tokens below ``root`` that only attribute the report, not take part in the event: a
        trailing reporting clause the parser hung on the event verb ("demanded the withdrawal
        ..., *diplomats quoted* an EC declaration as saying") and "according to" phrases."""
        toks = self.parse.tokens
        out: set[int] = set()
        for k in self.parse.children(root):
            t = toks[k]
            if t.dep == "prep" and t.text.lower() == "according":
                out.update(self.parse.subtree(k))
            elif (
                t.dep in {"ccomp", "parataxis"}
                and k > root
                and t.lemma in self.cues.speech_verbs
                and not self.syn.kids(k, "mark")
            ):
                sub = sorted(self.parse.subtree(k))
                left = sub[0]
                if toks[left].dep != "punct":
                    left -= 1
                if left >= 0 and toks[left].text in {",", "--", "—", ";"}:
                    out.update(sub)
        return out

    def _complement_subjects(self, head: int, src_ids: set[str]) -> list[ArgActor]:
        """Actors that are the subject of a finite complement of ``head`` ("demanded that the
        United States match ...", "its demand that Israel ease ...") or of the demand noun it
        governs ("insisted on its demands that *Burundi's government* grant ..."); a trailing
        reporting clause ("..., diplomats quoted") is no complement."""
        skip = self._attribution(head)
        nouns = [
            n
            for n in [*self.syn.kids(head, "dobj"), *self._prep_objects([head], ("on", "for"))]
            if self.parse.tokens[n].pos == "NOUN"
        ]
        toks = self.parse.tokens
        # "pushing hard *for* the US (to) support its plan": a "for X to do" clause
        for_clauses = [
            c
            for c in self.syn.kids(head, "advcl")
            if any(toks[m].lemma == "for" for m in self.syn.kids(c, "mark"))
        ]
        out: list[ArgActor] = []
        for c in [
            *self.syn.kids(head, "ccomp", "acl"),
            *for_clauses,
            *self._noun_complements(nouns),
        ]:
            if c in skip:
                continue
            for s in self.syn.kids(c, "nsubj", "nsubjpass"):
                out.extend(
                    ArgActor(a.actor, a.mention, a.token, "location")
                    for a in self.syn.actors_of(s, exclude_ids=frozenset(src_ids))
                    if _codable(a)
                )
        return out

    def _noun_complements(self, nouns: list[int]) -> list[int]:
        """Finite "that" clauses of nouns ("demands *that* X grant ..."), not relative clauses."""
        toks = self.parse.tokens
        return [
            c
            for n in nouns
            for c in self.syn.kids(n, "acl", "ccomp")
            if any(toks[m].lemma == "that" for m in self.syn.kids(c, "mark"))
        ]

    def _country_arg(self, k: int) -> ArgActor | None:
        """A country (or its capital) named at token ``k`` that the resolver left without an
        actor: the article's actor of that country, else an unlisted country argument."""
        toks = self.parse.tokens
        t = toks[k]
        ent = next((e for e in self.parse.entities if e.tok_start <= k < e.tok_end), None)
        if ent is None or ent.label not in {"GPE", "NORP", "LOC"}:
            return None
        name = ent.text[4:] if ent.text.lower().startswith("the ") else ent.text
        country = self.kb.country_by_name(name) or (
            self.kb.country_by_capital(name) if ent.label != "NORP" else None
        )
        if country is None:
            return None
        for actor in self.article.actors:
            if actor.type == "country" and actor.country == country.code:
                return ArgActor(actor, None, k, "location")
        unlisted = Actor(
            id=_UNLISTED + country.code,
            name=country.name,
            type="country",
            country=country.code,
            confidence=0.5,
        )
        return ArgActor(unlisted, None, k, "location") if t.ent_type else None

    def _country_code_arg(self, code: str, token: int) -> ArgActor | None:
        """The article's actor of country ``code``, else an unlisted country argument."""
        for actor in self.article.actors:
            if actor.type == "country" and actor.country == code:
                return ArgActor(actor, None, token, "location")
        country = self.kb.country_by_code(code)
        if country is None:
            return None
        unlisted = Actor(
            id=_UNLISTED + country.code,
            name=country.name,
            type="country",
            country=country.code,
            confidence=0.5,
        )
        return ArgActor(unlisted, None, token, "location")

    def _modifier_actor(self, k: int) -> ArgActor | None:
        """The actor of a modifier token: its mention, or for a nationality adjective the
        article's actor of that country ("Russian assets" -> the Russia actor), else the
        country itself ("an Indian proposal")."""
        toks = self.parse.tokens
        hit = self.syn.index.at(toks[k].start)
        if hit is not None:
            return ArgActor(hit[0], hit[1], k, "location")
        if toks[k].ent_type not in {"NORP", "GPE"}:
            return None
        return self._country_arg(k)

    def _drafts(self, sent: Sentence, cand: _Candidate) -> list[_Draft]:
        targets: list[ArgActor | None] = list(cand.targets)
        target_how = cand.target_how
        if not targets:
            fallback = self._fallback_targets(cand)
            if fallback:
                targets, target_how = list(fallback), "location"
        if not targets:
            targets = [None]
        targets = [self._localized(t) if t is not None else None for t in targets]
        date = self._date(sent, cand)
        location = self._location(cand)
        out: list[_Draft] = []
        # visits and meetings take their actors to other places: their place says nothing of
        # who the visitors are
        here = location if cand.code[:2] != "04" else None
        for s in (self._placed(self._localized(a), here) for a in cand.sources):
            pair_targets = [
                t
                for t in targets
                if t is None
                or t.actor.id != s.actor.id
                # a people may protest against its own state ("Iraqi Kurds demonstrated in
                # Kirkuk": IRQ people against IRQ), a state does not act on itself
                or (target_how == "location" and cand.code[:2] == "14" and not self._names_state(s))
            ]
            for t in pair_targets:
                out.append(
                    _Draft(
                        sentence=sent.index,
                        cand=cand,
                        source=s,
                        target=t,
                        target_how=target_how
                        if t is not None
                        else ("none" if cand.pattern.target == "none" else ""),
                        confidence=0.0,
                        date=date,
                        location=location,
                        group_key=(sent.index, cand.trigger),
                    )
                )
        return out

    def _localized(self, arg: ArgActor) -> ArgActor:
        """An actor known only by its sector ("Rebels", "Demonstrators") whose phrase places it in
        a country ("Rebels *in the Ivory Coast*", "Demonstrators *in Baghdad*", "refugees *from
        Iraq*", "refugees *fleeing* the civil war *in Liberia*") belongs to that country."""
        actor = arg.actor
        if actor.country or actor.org or not actor.sector or arg.how == "instrument":
            return arg
        toks = self.parse.tokens
        phrases = [p for p in self.syn.kids(arg.token, "prep") if toks[p].lemma in {"in", "from"}]
        # "refugees *fleeing* the civil war in Liberia", "migrants fleeing Syria"
        for v in self.syn.kids(arg.token, "acl", "relcl"):
            if toks[v].lemma in _FLIGHT_VERBS:
                phrases += [p for p in self.syn.kids(v, "prep") if toks[p].lemma in {"in", "from"}]
                for o in self.syn.kids(v, "dobj"):
                    phrases += [p for p in self.syn.kids(o, "prep") if toks[p].lemma == "in"]
                    if toks[o].ent_type in _PLACE_LABELS:
                        phrases.append(v)
        for p in phrases:
            objs = self.syn.kids(p, "pobj") if toks[p].dep == "prep" else self.syn.kids(p, "dobj")
            for o in objs:
                country = next(
                    (
                        f.actor.country
                        for f in self.syn.actors_of(o)
                        if f.actor.type == "country" and f.actor.country
                    ),
                    None,
                )
                if country is None and self.syn.index.at(toks[o].start) is None:
                    for m in [o, *self.syn.kids(o, "compound", "appos")]:
                        place = self._country_arg(m)
                        if place is not None:
                            country = place.actor.country
                            break
                if country is not None:
                    placed = actor.model_copy(update={"country": country})
                    return ArgActor(placed, arg.mention, arg.token, arg.how)
        # a place the actor KB does not know, looked up in the gazetteer: "*Darfur* rebels",
        # "police in the town of *Samarra*"
        heads = [
            k
            for k in self.syn.kids(arg.token, "compound", "nmod")
            if toks[k].ent_type in _PLACE_LABELS
        ]
        heads += [o for p in phrases if toks[p].dep == "prep" for o in self.syn.kids(p, "pobj")]
        for h in heads:
            loc = self._place(h)
            if loc is not None and loc.country:
                placed = actor.model_copy(update={"country": loc.country})
                return ArgActor(placed, arg.mention, arg.token, arg.how)
        return arg

    def _placed(self, arg: ArgActor, location: Location | None) -> ArgActor:
        """A source known only by a domestic sector ("demonstrators", "opposition leaders",
        "police", "rebels") that acts in a place of a known country ("demonstrators protesting
        election results *in Monrovia*") is of that country, as CAMEO codes unnamed local actors.
        Sectors that are often foreign where they act (troops, refugees, aid workers, reporters,
        spies, peacekeepers) and officials, who travel, keep no country. The unidentified attacker of an act done by an
        instrument ("a roadside bombing near Samarra killed ...") is coded with the country where
        the attack happened, as the PLOVER/CAMEO gold standards code unattributed attacks."""
        actor = arg.actor
        if arg.how == "instrument" and actor.country is None:
            location = location or self._instrument_place(arg.token)
        elif actor.sector not in _LOCAL_SECTORS:
            return arg
        if location is None or location.country is None or actor.country or actor.org:
            return arg
        placed = actor.model_copy(update={"country": location.country})
        return ArgActor(placed, arg.mention, arg.token, arg.how)

    def _discourse_targets(self, drafts: list[_Draft]) -> None:
        """A pattern that expects a target but found none takes the target of the previous event of
        the same PLOVER type (topic continuity; lowest confidence) when that event is in the same
        or the previous sentence, or shares a content word with this one ("peacekeeping operation
        in Ukraine" ... "did not rule out peacekeeping forces"). Otherwise the topic has usually
        moved on: "the meeting with Vance" four sentences earlier is not the partner of
        "discussions about a peacekeeping presence"."""
        last: dict[str, tuple[ArgActor, int, frozenset[str]]] = {}
        for d in drafts:
            ptype = self.onto.cameo(d.cand.code).plover_type or ""
            expects_target = d.cand.pattern.target != "none" or d.cand.code != d.cand.pattern.cameo
            topic = self._topic(d.cand)
            if d.target is None and expects_target:
                prev = last.get(ptype)
                if (
                    prev is not None
                    and (
                        d.sentence - prev[1] <= _DISCOURSE_WINDOW
                        or (topic & prev[2]) - {d.cand.pattern.lemma}
                    )
                    and prev[0].actor.id != d.source.actor.id
                    and prev[0].actor.country != d.source.actor.country
                ):
                    t = prev[0]
                    d.target = ArgActor(t.actor, t.mention, t.token, "discourse")
                    d.target_how = "discourse"
                    last[ptype] = (t, d.sentence, topic | prev[2])
            elif d.target is not None:
                last[ptype] = (d.target, d.sentence, topic)

    def _topic(self, cand: _Candidate) -> frozenset[str]:
        """Content lemmas of an event phrase: the trigger and the nouns and adjectives attached to
        it or to its object (one preposition deep), actor mentions left out."""
        toks = self.parse.tokens
        heads = {cand.trigger, cand.anchor}
        heads.update(self.syn.kids(cand.trigger, "dobj"))
        found: set[str] = set()
        for h in heads:
            for k in [h, *self.parse.children(h)]:
                kids = [k]
                if toks[k].dep == "prep":
                    kids = self.syn.kids(k, "pobj")
                for m in kids:
                    t = toks[m]
                    if t.pos in _TOPIC_POS and self.syn.index.at(t.start) is None:
                        found.add(t.lemma)
        return frozenset(found)

    # -- date and place ----------------------------------------------------------------------

    def _date(self, sent: Sentence, cand: _Candidate) -> str | None:
        pub = self.published
        path = cand.reading.path
        pos = {n: k for k, n in enumerate(path)}
        best: tuple[int, str] | None = None
        toks = self.parse.tokens
        for expr in find_date_expressions(sent.text):
            start, end = sent.start + expr.start, sent.start + expr.end
            span = [
                i
                for i in range(sent.tok_start, sent.tok_end)
                if toks[i].start < end and toks[i].end > start
            ]
            if not span:
                continue
            attach = next(
                (i for i in span if not (start <= toks[toks[i].head].start < end)), span[0]
            )
            steps = 0
            cur = attach
            score: int | None = None
            while True:
                if cur in pos:
                    score = pos[cur] * 2 + steps
                    break
                if toks[cur].head == cur or steps > 12:
                    break
                cur = toks[cur].head
                steps += 1
            if score is None:
                continue
            if (
                pub is None
                and expr.kind not in {"iso"}
                and not any(k == "y" for k, _ in expr.groups)
            ):
                continue
            resolved = resolve_date(expr, pub or _NO_DATE, cand.reading.tense)
            if resolved is None:
                continue
            if best is None or score < best[0]:
                best = (score, resolved.iso())
        if best is not None:
            return best[1]
        return pub.isoformat() if pub else None

    def _location(self, cand: _Candidate) -> Location | None:
        toks = self.parse.tokens
        nodes = [n for n in cand.reading.path if n != cand.reading.boundary]
        for n in nodes:
            # breadth-first inside the clause of n, not into embedded clauses
            frontier = [n]
            for _ in range(4):
                nxt: list[int] = []
                for m in frontier:
                    for k in self.parse.children(m):
                        t = toks[k]
                        if t.dep in _CLAUSE_DEPS:
                            continue
                        if t.dep == "prep" and t.lemma in _PLACE_PREPS:
                            for o in self._place_objects(k):
                                loc = self._place(o)
                                if loc is not None:
                                    return loc
                        nxt.append(k)
                frontier = nxt
        return None

    def _place_objects(self, prep: int) -> list[int]:
        """The objects of a place preposition, through a complex "outside of"/"near to"."""
        syn = self.syn
        found = syn.kids(prep, "pobj")
        if found:
            return found
        return [
            o
            for k in syn.kids(prep, "prep")
            if self.parse.tokens[k].lemma in {"of", "to"}
            for o in syn.kids(k, "pobj")
        ]

    def _instrument_place(self, token: int) -> Location | None:
        """Where an unattributed attack happened when its instrument phrase says it ("a roadside
        bombing *near the town of Samarra*")."""
        for k in self.syn.kids(token, "prep"):
            if self.parse.tokens[k].lemma in _PLACE_PREPS:
                for o in self._place_objects(k):
                    loc = self._place(o)
                    if loc is not None:
                        return loc
        return None

    def _place(self, o: int, depth: int = 0) -> Location | None:
        toks = self.parse.tokens
        t = toks[o]
        if t.pos == "NOUN" and depth == 0 and self.lex.in_class("PLACE_HEADS", t.lemma):
            return self._headed_place(o)
        ent = next((e for e in self.parse.entities if e.tok_start <= o < e.tok_end), None)
        if ent is None or ent.label not in _PLACE_LABELS:
            if t.pos != "PROPN":
                return None
            name = t.text
        else:
            name = ent.text
        name = name[4:] if name.lower().startswith("the ") else name
        country = self.kb.country_by_capital(name) or self.kb.country_by_name(name)
        code = country.code if country is not None else None
        if code is None:
            hit = self.syn.index.at(t.start)
            if hit is not None and hit[0].country:
                code = hit[0].country
        if code is None and depth == 0 and (ent is None or ent.label not in _PLACE_LABELS):
            return None
        if code is None and (ent is not None or depth > 0) and self.gazetteer is not None:
            context = {a.country for a in self.article.actors if a.country}
            entry = self.gazetteer().lookup(name, context)
            code = entry.country if entry is not None else None
        return Location(name=name, country=code)

    def _headed_place(self, o: int) -> Location | None:
        """The place a common place noun names: "the northern *city of Kirkuk*", "East Timor's
        *capital Dili*", "the *Iraqi* city of Basra" (word class ``PLACE_HEADS``). The name
        comes from the noun's "of" object, apposition or compound; a nationality or country
        modifier supplies a country the name lacks."""
        toks = self.parse.tokens
        named = [*self._prep_objects([o], ("of",)), *self.syn.kids(o, "appos", "compound")]
        loc: Location | None = None
        for k in named:
            if toks[k].pos == "PROPN" or toks[k].ent_type in _PLACE_LABELS:
                loc = self._place(k, depth=1)
                if loc is not None:
                    break
        if loc is not None and loc.country is not None:
            return loc
        for m in self.syn.kids(o, "amod", "poss", "compound"):
            arg = self._country_arg(m)
            if arg is not None and arg.actor.country:
                if loc is None:
                    return Location(name=arg.actor.name, country=arg.actor.country)
                return loc.model_copy(update={"country": arg.actor.country})
        return loc

    # -- output ------------------------------------------------------------------------------

    def _confidence(self, d: _Draft) -> float:
        spec = min(1.0, d.cand.pattern.specificity() / 1200)
        score = 0.42 + 0.16 * spec
        score += _SOURCE_WEIGHT.get(d.source.how, 0.1)
        score += (
            _TARGET_WEIGHT.get(d.target_how, 0.06)
            if d.target is not None or d.target_how == "none"
            else 0.0
        )
        confs = [
            a.actor.confidence
            for a in (d.source, d.target)
            if a is not None and a.actor.confidence > 0
        ]
        if confs:
            score *= 0.6 + 0.4 * (sum(confs) / len(confs))
        if d.cand.reading.modality in {"hypothetical", "question"}:
            score *= 0.9
        return round(max(0.0, min(1.0, score)), 3)

    def _arg(self, a: ArgActor) -> EventArg:
        toks = self.parse.tokens
        if a.mention is not None:
            text, start, end = a.mention.text, a.mention.start, a.mention.end
        else:
            t = toks[a.token]
            text, start, end = t.text, t.start, t.end
        return EventArg(
            actor=None if a.actor.id.startswith((_UNLISTED, _UNKNOWN)) else a.actor.id,
            text=text,
            start=start,
            end=end,
            country=a.actor.country,
            org=a.actor.org,
            sector=a.actor.sector,
        )

    def _finish(self, drafts: list[_Draft]) -> list[Event]:
        # one event per (sentence, source, target, code family): keep the most confident
        for d in drafts:
            d.confidence = self._confidence(d)
        best: dict[tuple[int, str, str | None, str], _Draft] = {}
        for d in drafts:
            key = (
                d.sentence,
                d.source.actor.id,
                d.target.actor.id if d.target else None,
                d.cand.code[:2],
            )
            if key not in best or _rank(d) > _rank(best[key]):
                best[key] = d
        kept = sorted(
            best.values(),
            key=lambda d: (
                d.sentence,
                self.parse.tokens[d.cand.trigger].start,
                self._arg(d.source).start,
                self._arg(d.target).start if d.target else -1,
            ),
        )
        groups: dict[tuple[int, int], str] = {}
        events: list[Event] = []
        toks = self.parse.tokens
        for n, d in enumerate(kept, start=1):
            group = groups.setdefault(d.group_key, f"G{len(groups) + 1}")
            entry = self.onto.cameo(d.cand.code)
            trig = toks[d.cand.trigger]
            reason = d.cand.pattern.id
            if d.cand.reading.cues:
                reason += " | " + ",".join(dict.fromkeys(d.cand.reading.cues))
            if d.source.how not in {"direct", "agent"}:
                reason += f" | source:{d.source.how}"
            if d.target is not None and d.target_how in {"location", "discourse"}:
                reason += f" | target:{d.target_how}"
            events.append(
                Event(
                    id=f"E{n}",
                    group=group,
                    sentence=d.sentence,
                    source=self._arg(d.source),
                    target=self._arg(d.target) if d.target is not None else None,
                    plover=_plover_of(d.cand, entry),
                    cameo=Cameo(code=entry.code, root=entry.root),
                    goldstein=entry.goldstein,
                    quad_class=entry.quad_class,
                    modality=d.cand.reading.modality,
                    date=d.date,
                    location=d.location,
                    trigger=Span(text=trig.text, start=trig.start, end=trig.end),
                    confidence=d.confidence,
                    reason=reason,
                )
            )
        return events


#: modalities of events that happened or are promised; a negated or hypothetical reading of the
#: same pair never hides one of these
_REPORTED_MODALITIES = frozenset({"asserted", "intent", "conditional"})


def _rank(d: _Draft) -> tuple[bool, float]:
    """Which of two drafts for one (sentence, source, target, CAMEO root) is kept: a reported act
    before a negated or hypothetical one ("agreed to resign *without returning*"), then the more
    confident."""
    return (d.cand.reading.modality in _REPORTED_MODALITIES, d.confidence)


def _plover_of(cand: _Candidate, entry: CameoCode) -> Plover:
    """The PLOVER reading of an event: the ontology row of its final code, unless the pattern
    overrides type and mode for its own act (PLOVER v2 files a resignation, CAMEO 0831, under
    RETREAT). An intended or refused act (03x/12x code) keeps the row's type."""
    p = cand.pattern
    if p.plover is not None and cand.code == (cand.action or p.cameo):
        return Plover(type=p.plover, mode=p.plover_mode, context=list(entry.plover_context))
    return Plover(
        type=entry.plover_type or "",
        mode=entry.plover_mode,
        context=list(entry.plover_context),
    )


@lru_cache(maxsize=64)
def _demand_pattern(code: str) -> Pattern:
    """The pattern recorded as the reason of a demand read from a reported obligation."""
    return Pattern(id="X.obligation", kind="verb", lemma="must", target="dobj", cameo=code)


def _codable_actor(actor: Actor) -> bool:
    """An event argument needs a code: a country, an international organisation, or (as GDELT's
    sector-only actor codes such as ``MIL``) a sector."""
    return bool(actor.country or actor.org or actor.sector)


def _codable(arg: ArgActor) -> bool:
    return _codable_actor(arg.actor)


def refusal_inverse(ontology: Ontology) -> dict[str, str]:
    """Map each 12x refusal code to the 03x intent code that it refuses (most general first wins
    for shared refusals, so "not rule out" a generic refusal gives the generic intent)."""
    out: dict[str, str] = {}
    for entry in sorted(ontology.codes, key=lambda c: (len(c.code), c.code)):
        if entry.root != "03":
            continue
        ref = ontology.refusal_code(entry.code)
        if ref is not None and ref not in out:
            out[ref] = entry.code
    return out


def _usable_fallback(
    arg: ArgActor,
    src_ids: set[str],
    src_countries: set[str | None],
    *,
    any_type: bool = False,
) -> bool:
    """A country named near the event (or, with ``any_type``, any actor with a country or an
    organisation code, as the possessor in "rejected Saddam Hussein's proposal") may stand in for
    a missing target; ``src_countries`` are the states among the sources."""
    actor = arg.actor
    return (
        (actor.country is not None or (any_type and actor.org is not None))
        and (any_type or actor.type == "country")
        and actor.id not in src_ids
        # a state may act on its own groups and people ("Croatia is investigating crimes by
        # Croatian extremists"), not on itself
        and (actor.type != "country" or actor.country not in src_countries)
    )
